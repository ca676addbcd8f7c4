package iamapi

func createUser(c *call) (any, error) {
	u, err := c.store.CreateUser(c.ctx, c.f["UserName"], c.f["Path"])
	if err != nil {
		return nil, err
	}
	return userResult{toUser(u)}, nil
}

// getUser describes the named user or, with no UserName, the caller (for the root: its
// ARN and the account id, without name or path, as AWS answers).
func getUser(c *call) (any, error) {
	if c.f["UserName"] == "" && c.id.IsRoot() {
		return userResult{userXML{UserId: c.id.UserID, Arn: c.id.ARN, CreateDate: isoTime(c.cfg.RootCreated)}}, nil
	}
	name, err := c.userName()
	if err != nil {
		return nil, err
	}
	u, err := c.store.GetUser(c.ctx, name)
	if err != nil {
		return nil, err
	}
	return userResult{toUser(u)}, nil
}

func listUsers(c *call) (any, error) {
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	users, next, err := c.store.ListUsers(c.ctx, c.f["PathPrefix"], pg)
	if err != nil {
		return nil, err
	}
	out := listUsersResult{paged: more(next)}
	out.Users.Member = make([]userXML, len(users))
	for i, u := range users {
		out.Users.Member[i] = toUser(u)
	}
	return out, nil
}

func deleteUser(c *call) (any, error) {
	return nil, c.store.DeleteUser(c.ctx, c.f["UserName"])
}

func createAccessKey(c *call) (any, error) {
	name, err := c.userName()
	if err != nil {
		return nil, err
	}
	k, err := c.store.CreateAccessKey(c.ctx, name)
	if err != nil {
		return nil, err
	}
	return createAccessKeyResult{toAccessKey(k)}, nil
}

func listAccessKeys(c *call) (any, error) {
	name, err := c.userName()
	if err != nil {
		return nil, err
	}
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	keys, next, err := c.store.ListAccessKeys(c.ctx, name, pg)
	if err != nil {
		return nil, err
	}
	out := listAccessKeysResult{paged: more(next)}
	out.AccessKeyMetadata.Member = make([]accessKeyXML, len(keys))
	for i, k := range keys {
		out.AccessKeyMetadata.Member[i] = toAccessKey(k)
	}
	return out, nil
}

func updateAccessKey(c *call) (any, error) {
	name, err := c.userName()
	if err != nil {
		return nil, err
	}
	return nil, c.store.UpdateAccessKey(c.ctx, name, c.f["AccessKeyId"], c.f["Status"])
}

func deleteAccessKey(c *call) (any, error) {
	name, err := c.userName()
	if err != nil {
		return nil, err
	}
	return nil, c.store.DeleteAccessKey(c.ctx, name, c.f["AccessKeyId"])
}

func putUserPolicy(c *call) (any, error) {
	return nil, c.store.PutUserPolicy(c.ctx, c.f["UserName"], c.f["PolicyName"], c.f["PolicyDocument"])
}

func getUserPolicy(c *call) (any, error) {
	doc, err := c.store.GetUserPolicy(c.ctx, c.f["UserName"], c.f["PolicyName"])
	if err != nil {
		return nil, err
	}
	return userPolicyResult{UserName: c.f["UserName"], PolicyName: c.f["PolicyName"], PolicyDocument: encodeDocument(doc)}, nil
}

func deleteUserPolicy(c *call) (any, error) {
	return nil, c.store.DeleteUserPolicy(c.ctx, c.f["UserName"], c.f["PolicyName"])
}
