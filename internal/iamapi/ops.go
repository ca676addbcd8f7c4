package iamapi

import (
	"context"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/iam"
)

// call is one decoded request on its way through an operation.
type call struct {
	ctx   context.Context
	store *iam.Store
	cfg   *Config
	id    iam.Identity
	f     form
}

// op is one IAM or STS action, the single place that says what it is: its name (the
// Action parameter), the IAM action it is authorized as and on which resource (Anyone: it
// needs no permission, as sts:GetCallerIdentity on AWS), whether CloudTrail marks it
// readOnly (every IAM and STS event is a management event), and the function that does
// it, returning the <ActionResult> value or nil for an empty result.
type op struct {
	Name     string
	Action   string
	Resource func(c *call) string
	Anyone   bool
	ReadOnly bool
	Run      func(c *call) (any, error)
}

// iamTable is every IAM action Arca serves.
var iamTable = []op{
	{Name: "CreateUser", Action: "iam:CreateUser", Resource: userResource, Run: createUser},
	{Name: "GetUser", Action: "iam:GetUser", Resource: userResource, ReadOnly: true, Run: getUser},
	{Name: "ListUsers", Action: "iam:ListUsers", Resource: accountResource("user/"), ReadOnly: true, Run: listUsers},
	{Name: "DeleteUser", Action: "iam:DeleteUser", Resource: userResource, Run: deleteUser},
	{Name: "CreateAccessKey", Action: "iam:CreateAccessKey", Resource: userResource, Run: createAccessKey},
	{Name: "ListAccessKeys", Action: "iam:ListAccessKeys", Resource: userResource, ReadOnly: true, Run: listAccessKeys},
	{Name: "UpdateAccessKey", Action: "iam:UpdateAccessKey", Resource: userResource, Run: updateAccessKey},
	{Name: "DeleteAccessKey", Action: "iam:DeleteAccessKey", Resource: userResource, Run: deleteAccessKey},
	{Name: "CreateGroup", Action: "iam:CreateGroup", Resource: groupResource, Run: createGroup},
	{Name: "AddUserToGroup", Action: "iam:AddUserToGroup", Resource: groupResource, Run: addUserToGroup},
	{Name: "RemoveUserFromGroup", Action: "iam:RemoveUserFromGroup", Resource: groupResource, Run: removeUserFromGroup},
	{Name: "PutUserPolicy", Action: "iam:PutUserPolicy", Resource: userResource, Run: putUserPolicy},
	{Name: "GetUserPolicy", Action: "iam:GetUserPolicy", Resource: userResource, ReadOnly: true, Run: getUserPolicy},
	{Name: "DeleteUserPolicy", Action: "iam:DeleteUserPolicy", Resource: userResource, Run: deleteUserPolicy},
	{Name: "PutGroupPolicy", Action: "iam:PutGroupPolicy", Resource: groupResource, Run: putGroupPolicy},
	{Name: "CreatePolicy", Action: "iam:CreatePolicy", Resource: newPolicyResource, Run: createPolicy},
	{Name: "GetPolicy", Action: "iam:GetPolicy", Resource: policyResource, ReadOnly: true, Run: getPolicy},
	{Name: "GetPolicyVersion", Action: "iam:GetPolicyVersion", Resource: policyResource, ReadOnly: true, Run: getPolicyVersion},
	{Name: "DeletePolicy", Action: "iam:DeletePolicy", Resource: policyResource, Run: deletePolicy},
	{Name: "AttachUserPolicy", Action: "iam:AttachUserPolicy", Resource: userResource, Run: attachUserPolicy},
	{Name: "DetachUserPolicy", Action: "iam:DetachUserPolicy", Resource: userResource, Run: detachUserPolicy},
	{Name: "AttachGroupPolicy", Action: "iam:AttachGroupPolicy", Resource: groupResource, Run: attachGroupPolicy},
	{Name: "ListAttachedUserPolicies", Action: "iam:ListAttachedUserPolicies", Resource: userResource, ReadOnly: true, Run: listAttachedUserPolicies},
	// Reads the Terraform AWS provider makes around a user, group or policy (ops_groups.go),
	// and the credentials Arca does not keep, which no user has (ops_credentials.go).
	{Name: "ListGroupsForUser", Action: "iam:ListGroupsForUser", Resource: userResource, ReadOnly: true, Run: listGroupsForUser},
	{Name: "GetGroup", Action: "iam:GetGroup", Resource: groupResource, ReadOnly: true, Run: getGroup},
	{Name: "DeleteGroup", Action: "iam:DeleteGroup", Resource: groupResource, Run: deleteGroup},
	{Name: "GetGroupPolicy", Action: "iam:GetGroupPolicy", Resource: groupResource, ReadOnly: true, Run: getGroupPolicy},
	{Name: "DeleteGroupPolicy", Action: "iam:DeleteGroupPolicy", Resource: groupResource, Run: deleteGroupPolicy},
	{Name: "ListGroupPolicies", Action: "iam:ListGroupPolicies", Resource: groupResource, ReadOnly: true, Run: listGroupPolicies},
	{Name: "DetachGroupPolicy", Action: "iam:DetachGroupPolicy", Resource: groupResource, Run: detachGroupPolicy},
	{Name: "ListAttachedGroupPolicies", Action: "iam:ListAttachedGroupPolicies", Resource: groupResource, ReadOnly: true, Run: listAttachedGroupPolicies},
	{Name: "ListUserPolicies", Action: "iam:ListUserPolicies", Resource: userResource, ReadOnly: true, Run: listUserPolicies},
	{Name: "ListPolicyVersions", Action: "iam:ListPolicyVersions", Resource: policyResource, ReadOnly: true, Run: listPolicyVersions},
	{Name: "ListSSHPublicKeys", Action: "iam:ListSSHPublicKeys", Resource: userResource, ReadOnly: true, Run: listSSHPublicKeys},
	{Name: "ListSigningCertificates", Action: "iam:ListSigningCertificates", Resource: userResource, ReadOnly: true, Run: listSigningCertificates},
	{Name: "ListServiceSpecificCredentials", Action: "iam:ListServiceSpecificCredentials", Resource: userResource, ReadOnly: true, Run: listServiceSpecificCredentials},
	{Name: "ListMFADevices", Action: "iam:ListMFADevices", Resource: userResource, ReadOnly: true, Run: listMFADevices},
	{Name: "ListVirtualMFADevices", Action: "iam:ListVirtualMFADevices", Resource: accountResource("mfa/"), ReadOnly: true, Run: listVirtualMFADevices},
	{Name: "GetLoginProfile", Action: "iam:GetLoginProfile", Resource: userResource, ReadOnly: true, Run: noLoginProfile},
	{Name: "DeleteLoginProfile", Action: "iam:DeleteLoginProfile", Resource: userResource, Run: noLoginProfile},
}

// stsTable is every STS action Arca serves.
var stsTable = []op{
	{Name: "GetCallerIdentity", Action: "sts:GetCallerIdentity", Anyone: true, ReadOnly: true, Run: getCallerIdentity},
}

// index finds a table's operations by name.
func index(table []op) map[string]*op {
	m := make(map[string]*op, len(table))
	for i := range table {
		m[table[i].Name] = &table[i]
	}
	return m
}

var iamOps, stsOps = index(iamTable), index(stsTable)

func (c *call) arn(resource string) string {
	return "arn:aws:iam::" + c.cfg.AccountID + ":" + resource
}

func accountResource(resource string) func(*call) string {
	return func(c *call) string { return c.arn(resource) }
}

// userResource is the ARN of the user the request names (with its path when the user
// exists, the requested Path for CreateUser), or of the caller when it names none.
func userResource(c *call) string {
	name := c.f["UserName"]
	if name == "" {
		return c.id.ARN
	}
	if u, err := c.store.GetUser(c.ctx, name); err == nil {
		return u.ARN
	}
	path := c.f["Path"]
	if path == "" {
		path = "/"
	}
	return c.arn("user" + path + name)
}

func groupResource(c *call) string {
	name := c.f["GroupName"]
	if g, err := c.store.GetGroup(c.ctx, name); err == nil {
		return g.ARN
	}
	path := c.f["Path"]
	if path == "" {
		path = "/"
	}
	return c.arn("group" + path + name)
}

func newPolicyResource(c *call) string {
	path := c.f["Path"]
	if path == "" {
		path = "/"
	}
	return c.arn("policy" + path + c.f["PolicyName"])
}

func policyResource(c *call) string { return c.f["PolicyArn"] }

// page reads Marker and MaxItems.
func (c *call) page() (iam.Page, error) {
	n, err := c.f.int("MaxItems", "maxItems")
	return iam.Page{Marker: c.f["Marker"], MaxItems: n}, err
}

// userName is the UserName parameter or, when absent, the calling user's own name. The
// root's access key is configured on the server, not managed here, so the root must name
// a user.
func (c *call) userName() (string, error) {
	if name := c.f["UserName"]; name != "" {
		return name, nil
	}
	if c.id.IsRoot() {
		return "", apierr.IAMValidation.WithMessage("Must specify userName when calling with root credentials: Arca's root access key is configured on the server, not managed through IAM.")
	}
	return c.id.UserName, nil
}

// getCallerIdentity is STS GetCallerIdentity: who signed the request.
func getCallerIdentity(c *call) (any, error) {
	return callerIdentityResult{Arn: c.id.ARN, UserId: c.id.UserID, Account: c.id.AccountID}, nil
}
