package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestIAMTerraformSequence makes the IAM calls the Terraform AWS provider (v6) makes to
// apply, refresh and destroy aws_iam_user (force_destroy), aws_iam_policy,
// aws_iam_user_policy_attachment, aws_iam_access_key, aws_iam_group,
// aws_iam_user_group_membership, aws_iam_group_membership, aws_iam_user_policy,
// aws_iam_group_policy and aws_iam_group_policy_attachment, in its order. Before, the user's destroy failed: ListGroupsForUser was not served.
func TestIAMTerraformSequence(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	user, group := aws.String("tf-user"), aws.String("tf-group")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

	// apply: each resource's Create, then its Read.
	must[*iam.CreateUserOutput](t, "CreateUser")(c.CreateUser(ctx, &iam.CreateUserInput{UserName: user, Path: aws.String("/")}))
	must[*iam.GetUserOutput](t, "GetUser")(c.GetUser(ctx, &iam.GetUserInput{UserName: user}))
	pol := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("tf-policy"),
		Path: aws.String("/"), Description: aws.String(""), PolicyDocument: aws.String(doc)})).Policy
	arn := pol.Arn
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: arn}))
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: user})).AccessKey
	must[*iam.CreateGroupOutput](t, "CreateGroup")(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: group, Path: aws.String("/")}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: group, UserName: user}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("tf-inline"), PolicyDocument: aws.String(doc)}))
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: group, PolicyName: aws.String("tf-group-inline"), PolicyDocument: aws.String(doc)}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: group, PolicyArn: arn}))

	// plan: every resource's Read finds what was applied.
	refresh := func() {
		t.Helper()
		u := must[*iam.GetUserOutput](t, "GetUser")(c.GetUser(ctx, &iam.GetUserInput{UserName: user})).User
		if aws.ToString(u.UserName) != "tf-user" || aws.ToString(u.Path) != "/" {
			t.Fatalf("GetUser: %+v", u)
		}
		p := must[*iam.GetPolicyOutput](t, "GetPolicy")(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})).Policy
		v := must[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: p.DefaultVersionId})).PolicyVersion
		if aws.ToString(v.Document) == "" || aws.ToInt32(p.AttachmentCount) != 2 {
			t.Fatalf("policy %+v version %+v", p, v)
		}
		att := must[*iam.ListAttachedUserPoliciesOutput](t, "ListAttachedUserPolicies")(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: user}))
		if len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != aws.ToString(arn) {
			t.Fatalf("ListAttachedUserPolicies: %+v", att.AttachedPolicies)
		}
		keys := must[*iam.ListAccessKeysOutput](t, "ListAccessKeys")(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user}))
		if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(key.AccessKeyId) {
			t.Fatalf("ListAccessKeys: %+v", keys.AccessKeyMetadata)
		}
		g := must[*iam.GetGroupOutput](t, "GetGroup")(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: group}))
		if aws.ToString(g.Group.GroupName) != "tf-group" || len(g.Users) != 1 || aws.ToString(g.Users[0].UserName) != "tf-user" || g.IsTruncated {
			t.Fatalf("GetGroup: %+v %+v", g.Group, g.Users)
		}
		gs := must[*iam.ListGroupsForUserOutput](t, "ListGroupsForUser")(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user}))
		if len(gs.Groups) != 1 || aws.ToString(gs.Groups[0].GroupName) != "tf-group" || aws.ToString(gs.Groups[0].Arn) != aws.ToString(g.Group.Arn) {
			t.Fatalf("ListGroupsForUser: %+v", gs.Groups)
		}
		up := must[*iam.GetUserPolicyOutput](t, "GetUserPolicy")(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: user, PolicyName: aws.String("tf-inline")}))
		if aws.ToString(up.PolicyDocument) == "" {
			t.Fatal("GetUserPolicy: no document")
		}
		gp := must[*iam.GetGroupPolicyOutput](t, "GetGroupPolicy")(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: group, PolicyName: aws.String("tf-group-inline")}))
		if aws.ToString(gp.PolicyDocument) == "" || aws.ToString(gp.GroupName) != "tf-group" {
			t.Fatalf("GetGroupPolicy: %+v", gp)
		}
		ga := must[*iam.ListAttachedGroupPoliciesOutput](t, "ListAttachedGroupPolicies")(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: group}))
		if len(ga.AttachedPolicies) != 1 || aws.ToString(ga.AttachedPolicies[0].PolicyArn) != aws.ToString(arn) {
			t.Fatalf("ListAttachedGroupPolicies: %+v", ga.AttachedPolicies)
		}
	}
	refresh()
	refresh() // a second plan reads the same: nothing drifts

	// destroy, in reverse dependency order.
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String("tf-inline")}))
	must[*iam.RemoveUserFromGroupOutput](t, "RemoveUserFromGroup")(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: group, UserName: user}))
	must[*iam.DetachUserPolicyOutput](t, "DetachUserPolicy")(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: arn}))
	must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: key.AccessKeyId}))
	must[*iam.DeleteGroupPolicyOutput](t, "DeleteGroupPolicy")(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: group, PolicyName: aws.String("tf-group-inline")}))
	must[*iam.DetachGroupPolicyOutput](t, "DetachGroupPolicy")(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: group, PolicyArn: arn}))
	must[*iam.DeleteGroupOutput](t, "DeleteGroup")(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: group}))
	vs := must[*iam.ListPolicyVersionsOutput](t, "ListPolicyVersions")(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn}))
	if len(vs.Versions) != 1 || !vs.Versions[0].IsDefaultVersion || aws.ToString(vs.Versions[0].VersionId) != "v1" {
		t.Fatalf("ListPolicyVersions: %+v", vs.Versions)
	}
	must[*iam.DeletePolicyOutput](t, "DeletePolicy")(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn}))
	// aws_iam_user: its group memberships, then (force_destroy) every credential, then the user.
	gs := must[*iam.ListGroupsForUserOutput](t, "ListGroupsForUser")(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user}))
	if len(gs.Groups) != 0 || gs.IsTruncated {
		t.Fatalf("ListGroupsForUser after removal: %+v", gs.Groups)
	}
	if out := must[*iam.ListAccessKeysOutput](t, "ListAccessKeys")(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})); len(out.AccessKeyMetadata) != 0 {
		t.Fatalf("ListAccessKeys: %+v", out.AccessKeyMetadata)
	}
	if out := must[*iam.ListSSHPublicKeysOutput](t, "ListSSHPublicKeys")(c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: user})); len(out.SSHPublicKeys) != 0 || out.IsTruncated {
		t.Fatalf("ListSSHPublicKeys: %+v", out)
	}
	if out := must[*iam.ListVirtualMFADevicesOutput](t, "ListVirtualMFADevices")(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned})); len(out.VirtualMFADevices) != 0 {
		t.Fatalf("ListVirtualMFADevices: %+v", out)
	}
	if out := must[*iam.ListMFADevicesOutput](t, "ListMFADevices")(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: user})); len(out.MFADevices) != 0 {
		t.Fatalf("ListMFADevices: %+v", out)
	}
	_, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: user})
	wantIAMError(t, "GetLoginProfile", err, "NoSuchEntity", 404, "Login Profile for User tf-user cannot be found.")
	_, err = c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: user})
	wantIAMError(t, "DeleteLoginProfile", err, "NoSuchEntity", 404, "Login Profile for User tf-user cannot be found.")
	if out := must[*iam.ListSigningCertificatesOutput](t, "ListSigningCertificates")(c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: user})); len(out.Certificates) != 0 {
		t.Fatalf("ListSigningCertificates: %+v", out)
	}
	if out := must[*iam.ListServiceSpecificCredentialsOutput](t, "ListServiceSpecificCredentials")(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: user})); len(out.ServiceSpecificCredentials) != 0 {
		t.Fatalf("ListServiceSpecificCredentials: %+v", out)
	}
	if out := must[*iam.ListUserPoliciesOutput](t, "ListUserPolicies")(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: user})); len(out.PolicyNames) != 0 {
		t.Fatalf("ListUserPolicies: %+v", out)
	}
	must[*iam.DeleteUserOutput](t, "DeleteUser")(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}))

	// After destroy, every Read reports the resource gone (Terraform drops it from state).
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: user})
	wantIAMError(t, "GetUser", err, "NoSuchEntity", 404, "")
	_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: group})
	wantIAMError(t, "GetGroup", err, "NoSuchEntity", 404, "The group with name tf-group cannot be found.")
	_, err = c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn})
	wantIAMError(t, "ListPolicyVersions", err, "NoSuchEntity", 404, "")
	_, err = c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})
	wantIAMError(t, "ListGroupsForUser", err, "NoSuchEntity", 404, "The user with name tf-user cannot be found.")

	// The new actions are audited like the others: management events, the reads readOnly,
	// a refusal with its error code.
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	for name, want := range map[string]map[string]any{
		"ListGroupsForUser":  {"eventSource": "iam.amazonaws.com", "readOnly": true, "requestParameters.userName": "tf-user"},
		"DeleteGroup":        {"eventSource": "iam.amazonaws.com", "readOnly": false, "requestParameters.groupName": "tf-group"},
		"DeleteLoginProfile": {"readOnly": false, "errorCode": "NoSuchEntity"},
		"ListPolicyVersions": {"readOnly": true, "managementEvent": true},
	} {
		recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, name)
		if len(recs) == 0 {
			t.Fatalf("no audit record of %s", name)
		}
		wantFields(t, name, recs[len(recs)-1], want)
	}
}
