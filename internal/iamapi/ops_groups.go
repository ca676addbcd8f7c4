package iamapi

// The group reads and DeleteGroup (iam/reads.go), and the user and policy lists the
// Terraform AWS provider makes around a create or delete.

// listGroupsForUser lists the groups of the named user or, with no UserName, of the
// caller.
func listGroupsForUser(c *call) (any, error) {
	name, err := c.userName()
	if err != nil {
		return nil, err
	}
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	groups, next, err := c.store.ListGroupsForUser(c.ctx, name, pg)
	if err != nil {
		return nil, err
	}
	out := listGroupsResult{paged: more(next)}
	out.Groups.Member = make([]groupXML, len(groups))
	for i, g := range groups {
		out.Groups.Member[i] = groupXML{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created)}
	}
	return out, nil
}

// getGroup describes the group and a page of its members.
func getGroup(c *call) (any, error) {
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	g, users, next, err := c.store.GetGroupUsers(c.ctx, c.f["GroupName"], pg)
	if err != nil {
		return nil, err
	}
	out := getGroupResult{Group: groupXML{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created)},
		paged: more(next)}
	out.Users.Member = make([]userXML, len(users))
	for i, u := range users {
		out.Users.Member[i] = toUser(u)
	}
	return out, nil
}

func deleteGroup(c *call) (any, error) {
	return nil, c.store.DeleteGroup(c.ctx, c.f["GroupName"])
}

func listUserPolicies(c *call) (any, error) {
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	names, next, err := c.store.ListUserPolicies(c.ctx, c.f["UserName"], pg)
	if err != nil {
		return nil, err
	}
	out := listUserPoliciesResult{paged: more(next)}
	out.PolicyNames.Member = names
	if names == nil {
		out.PolicyNames.Member = []string{}
	}
	return out, nil
}

// listPolicyVersions lists a managed policy's versions without their documents, as IAM.
func listPolicyVersions(c *call) (any, error) {
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	versions, next, err := c.store.ListPolicyVersions(c.ctx, c.f["PolicyArn"], pg)
	if err != nil {
		return nil, err
	}
	out := listPolicyVersionsResult{paged: more(next)}
	out.Versions.Member = make([]listedVersionXML, len(versions))
	for i, v := range versions {
		out.Versions.Member[i] = listedVersionXML{VersionId: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)}
	}
	return out, nil
}

func getGroupPolicy(c *call) (any, error) {
	doc, err := c.store.GetGroupPolicy(c.ctx, c.f["GroupName"], c.f["PolicyName"])
	if err != nil {
		return nil, err
	}
	return groupPolicyResult{GroupName: c.f["GroupName"], PolicyName: c.f["PolicyName"], PolicyDocument: encodeDocument(doc)}, nil
}

func deleteGroupPolicy(c *call) (any, error) {
	return nil, c.store.DeleteGroupPolicy(c.ctx, c.f["GroupName"], c.f["PolicyName"])
}

func listGroupPolicies(c *call) (any, error) {
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	names, next, err := c.store.ListGroupPolicies(c.ctx, c.f["GroupName"], pg)
	if err != nil {
		return nil, err
	}
	out := listGroupPoliciesResult{paged: more(next)}
	out.PolicyNames.Member = names
	return out, nil
}

func detachGroupPolicy(c *call) (any, error) {
	return nil, c.store.DetachGroupPolicy(c.ctx, c.f["GroupName"], c.f["PolicyArn"])
}

func listAttachedGroupPolicies(c *call) (any, error) {
	pg, err := c.page()
	if err != nil {
		return nil, err
	}
	list, next, err := c.store.ListAttachedGroupPolicies(c.ctx, c.f["GroupName"], c.f["PathPrefix"], pg)
	if err != nil {
		return nil, err
	}
	out := listAttachedGroupResult{paged: more(next)}
	out.AttachedPolicies.Member = make([]attachedPolicyXML, len(list))
	for i, p := range list {
		out.AttachedPolicies.Member[i] = attachedPolicyXML{PolicyName: p.Name, PolicyArn: p.ARN}
	}
	return out, nil
}
