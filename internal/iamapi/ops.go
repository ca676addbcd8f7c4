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

// op is one action: the IAM action and resource it is authorized against ("" = no
// authorization, as for sts:GetCallerIdentity) and the function that does it, returning
// the <ActionResult> value or nil for an empty result.
type op struct {
	action   string
	resource func(c *call) string
	run      func(c *call) (any, error)
}

// iamOps is the IAM operation table.
var iamOps = map[string]op{
	"CreateUser":               {"iam:CreateUser", userResource, createUser},
	"GetUser":                  {"iam:GetUser", userResource, getUser},
	"ListUsers":                {"iam:ListUsers", accountResource("user/"), listUsers},
	"DeleteUser":               {"iam:DeleteUser", userResource, deleteUser},
	"CreateAccessKey":          {"iam:CreateAccessKey", userResource, createAccessKey},
	"ListAccessKeys":           {"iam:ListAccessKeys", userResource, listAccessKeys},
	"UpdateAccessKey":          {"iam:UpdateAccessKey", userResource, updateAccessKey},
	"DeleteAccessKey":          {"iam:DeleteAccessKey", userResource, deleteAccessKey},
	"CreateGroup":              {"iam:CreateGroup", groupResource, createGroup},
	"AddUserToGroup":           {"iam:AddUserToGroup", groupResource, addUserToGroup},
	"RemoveUserFromGroup":      {"iam:RemoveUserFromGroup", groupResource, removeUserFromGroup},
	"PutUserPolicy":            {"iam:PutUserPolicy", userResource, putUserPolicy},
	"GetUserPolicy":            {"iam:GetUserPolicy", userResource, getUserPolicy},
	"DeleteUserPolicy":         {"iam:DeleteUserPolicy", userResource, deleteUserPolicy},
	"PutGroupPolicy":           {"iam:PutGroupPolicy", groupResource, putGroupPolicy},
	"CreatePolicy":             {"iam:CreatePolicy", newPolicyResource, createPolicy},
	"GetPolicy":                {"iam:GetPolicy", policyResource, getPolicy},
	"GetPolicyVersion":         {"iam:GetPolicyVersion", policyResource, getPolicyVersion},
	"DeletePolicy":             {"iam:DeletePolicy", policyResource, deletePolicy},
	"AttachUserPolicy":         {"iam:AttachUserPolicy", userResource, attachUserPolicy},
	"DetachUserPolicy":         {"iam:DetachUserPolicy", userResource, detachUserPolicy},
	"AttachGroupPolicy":        {"iam:AttachGroupPolicy", groupResource, attachGroupPolicy},
	"ListAttachedUserPolicies": {"iam:ListAttachedUserPolicies", userResource, listAttachedUserPolicies},
}

// stsOps is the STS operation table.
var stsOps = map[string]op{
	"GetCallerIdentity": {"", nil, getCallerIdentity},
}

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
