package iamapi

func createGroup(c *call) (any, error) {
	g, err := c.store.CreateGroup(c.ctx, c.f["GroupName"], c.f["Path"])
	if err != nil {
		return nil, err
	}
	return createGroupResult{groupXML{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created)}}, nil
}

func addUserToGroup(c *call) (any, error) {
	return nil, c.store.AddUserToGroup(c.ctx, c.f["GroupName"], c.f["UserName"])
}

func removeUserFromGroup(c *call) (any, error) {
	return nil, c.store.RemoveUserFromGroup(c.ctx, c.f["GroupName"], c.f["UserName"])
}

func putGroupPolicy(c *call) (any, error) {
	return nil, c.store.PutGroupPolicy(c.ctx, c.f["GroupName"], c.f["PolicyName"], c.f["PolicyDocument"])
}

func createPolicy(c *call) (any, error) {
	p, err := c.store.CreatePolicy(c.ctx, c.f["PolicyName"], c.f["Path"], c.f["Description"], c.f["PolicyDocument"])
	if err != nil {
		return nil, err
	}
	return policyResult{toPolicy(p)}, nil
}

func getPolicy(c *call) (any, error) {
	p, err := c.store.GetPolicy(c.ctx, c.f["PolicyArn"])
	if err != nil {
		return nil, err
	}
	return policyResult{toPolicy(p)}, nil
}

// getPolicyVersion returns the document URL-encoded, as IAM does.
func getPolicyVersion(c *call) (any, error) {
	v, err := c.store.GetPolicyVersion(c.ctx, c.f["PolicyArn"], c.f["VersionId"])
	if err != nil {
		return nil, err
	}
	return policyVersionResult{policyVersionXML{Document: encodeDocument(v.Document), VersionId: v.VersionID,
		IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)}}, nil
}

func deletePolicy(c *call) (any, error) {
	return nil, c.store.DeletePolicy(c.ctx, c.f["PolicyArn"])
}

func attachUserPolicy(c *call) (any, error) {
	return nil, c.store.AttachUserPolicy(c.ctx, c.f["UserName"], c.f["PolicyArn"])
}

func detachUserPolicy(c *call) (any, error) {
	return nil, c.store.DetachUserPolicy(c.ctx, c.f["UserName"], c.f["PolicyArn"])
}

func attachGroupPolicy(c *call) (any, error) {
	return nil, c.store.AttachGroupPolicy(c.ctx, c.f["GroupName"], c.f["PolicyArn"])
}

func listAttachedUserPolicies(c *call) (any, error) {
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	list, next, err := c.store.ListAttachedUserPolicies(c.ctx, c.f["UserName"], c.f["PathPrefix"], pg)
	if err != nil {
		return nil, err
	}
	out := listAttachedResult{paged: more(next)}
	out.AttachedPolicies.Member = make([]attachedPolicyXML, len(list))
	for i, p := range list {
		out.AttachedPolicies.Member[i] = attachedPolicyXML{PolicyName: p.Name, PolicyArn: p.ARN}
	}
	return out, nil
}
