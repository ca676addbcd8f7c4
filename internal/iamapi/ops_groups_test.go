package iamapi

import (
	"context"
	"testing"

	"github.com/arcastore/arca/internal/authz"
)

func TestGroupAndCredentialReads(t *testing.T) {
	a, _ := newAPI(t)
	for _, f := range [][]string{
		{"CreateUser", "UserName", "alice"},
		{"CreateGroup", "GroupName", "devs", "Path", "/eng/"},
		{"AddUserToGroup", "GroupName", "devs", "UserName", "alice"},
		{"PutUserPolicy", "UserName", "alice", "PolicyName", "inline", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
	} {
		st, body := do(a, root, "iam", iamForm(f[0], f[1:]...))
		expect(t, st, body, 200)
	}
	st, body := do(a, root, "iam", iamForm("ListGroupsForUser", "UserName", "alice"))
	expect(t, st, body, 200, `<ListGroupsForUserResult><Groups><member><Path>/eng/</Path><GroupName>devs</GroupName><GroupId>AGPA`,
		`<Arn>arn:aws:iam::123456789012:group/eng/devs</Arn>`, `</member></Groups><IsTruncated>false</IsTruncated></ListGroupsForUserResult>`)
	st, body = do(a, root, "iam", iamForm("GetGroup", "GroupName", "devs"))
	expect(t, st, body, 200, `<GetGroupResult><Group><Path>/eng/</Path><GroupName>devs</GroupName>`,
		`<Users><member><Path>/</Path><UserName>alice</UserName>`, `</Users><IsTruncated>false</IsTruncated></GetGroupResult>`)
	st, body = do(a, root, "iam", iamForm("DeleteGroup", "GroupName", "devs"))
	expect(t, st, body, 409, `<Code>DeleteConflict</Code>`)
	st, body = do(a, root, "iam", iamForm("PutGroupPolicy", "GroupName", "devs", "PolicyName", "g", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`))
	expect(t, st, body, 200)
	st, body = do(a, root, "iam", iamForm("GetGroupPolicy", "GroupName", "devs", "PolicyName", "g"))
	expect(t, st, body, 200, `<GetGroupPolicyResult><GroupName>devs</GroupName><PolicyName>g</PolicyName><PolicyDocument>%7B%22Version%22`)
	st, body = do(a, root, "iam", iamForm("ListGroupPolicies", "GroupName", "devs"))
	expect(t, st, body, 200, `<PolicyNames><member>g</member></PolicyNames><IsTruncated>false</IsTruncated>`)
	st, body = do(a, root, "iam", iamForm("ListAttachedGroupPolicies", "GroupName", "devs"))
	expect(t, st, body, 200, `<ListAttachedGroupPoliciesResult><AttachedPolicies></AttachedPolicies><IsTruncated>false</IsTruncated>`)
	st, body = do(a, root, "iam", iamForm("ListUserPolicies", "UserName", "alice"))
	expect(t, st, body, 200, `<PolicyNames><member>inline</member></PolicyNames><IsTruncated>false</IsTruncated>`)

	for action, list := range map[string]string{"ListSSHPublicKeys": "SSHPublicKeys", "ListSigningCertificates": "Certificates",
		"ListServiceSpecificCredentials": "ServiceSpecificCredentials", "ListMFADevices": "MFADevices"} {
		st, body = do(a, root, "iam", iamForm(action, "UserName", "alice"))
		expect(t, st, body, 200, `<`+action+`Result><`+list+`></`+list+`>`)
		st, body = do(a, root, "iam", iamForm(action, "UserName", "nobody"))
		expect(t, st, body, 404, `<Code>NoSuchEntity</Code><Message>The user with name nobody cannot be found.</Message>`)
	}
	st, body = do(a, root, "iam", iamForm("ListVirtualMFADevices"))
	expect(t, st, body, 200, `<VirtualMFADevices></VirtualMFADevices><IsTruncated>false</IsTruncated>`)
	for _, action := range []string{"GetLoginProfile", "DeleteLoginProfile"} {
		st, body = do(a, root, "iam", iamForm(action, "UserName", "alice"))
		expect(t, st, body, 404, `<Code>NoSuchEntity</Code><Message>Login Profile for User alice cannot be found.</Message>`)
	}

	st, body = do(a, root, "iam", iamForm("CreatePolicy", "PolicyName", "p", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`))
	expect(t, st, body, 200)
	st, body = do(a, root, "iam", iamForm("ListPolicyVersions", "PolicyArn", "arn:aws:iam::123456789012:policy/p"))
	expect(t, st, body, 200, `<Versions><member><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>`)
}

// Each new action is authorized by the policy engine: a user whose policies do not allow
// it is refused; allowed, it is served.
func TestGroupAndCredentialReadsAuthorized(t *testing.T) {
	a, store := newAPI(t)
	a.authz = authz.New(authz.OneAccount(store), nil)
	ctx := context.Background()
	if _, err := store.CreateUser(ctx, "carol", ""); err != nil {
		t.Fatal(err)
	}
	k, err := store.CreateAccessKey(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	_, carol, err := store.LookupAccessKey(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateGroup(ctx, "devs", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreatePolicy(ctx, "p", "", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	calls := [][]string{
		{"ListGroupsForUser", "UserName", "carol"}, {"GetGroup", "GroupName", "devs"}, {"DeleteGroup", "GroupName", "devs"},
		{"ListUserPolicies", "UserName", "carol"}, {"ListPolicyVersions", "PolicyArn", "arn:aws:iam::123456789012:policy/p"},
		{"ListSSHPublicKeys", "UserName", "carol"}, {"ListSigningCertificates", "UserName", "carol"},
		{"ListServiceSpecificCredentials", "UserName", "carol"}, {"ListMFADevices", "UserName", "carol"},
		{"ListVirtualMFADevices"}, {"GetLoginProfile", "UserName", "carol"}, {"DeleteLoginProfile", "UserName", "carol"},
		{"GetGroupPolicy", "GroupName", "devs", "PolicyName", "x"}, {"DeleteGroupPolicy", "GroupName", "devs", "PolicyName", "x"},
		{"ListGroupPolicies", "GroupName", "devs"}, {"ListAttachedGroupPolicies", "GroupName", "devs"},
		{"DetachGroupPolicy", "GroupName", "devs", "PolicyArn", "arn:aws:iam::123456789012:policy/p"},
	}
	for _, c := range calls {
		st, body := do(a, carol, "iam", iamForm(c[0], c[1:]...))
		expect(t, st, body, 403, `<Code>AccessDenied</Code>`, "iam:"+c[0])
	}
	if err := store.PutUserPolicy(ctx, "carol", "iam", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:Get*","iam:DeleteGroup","iam:DeleteLoginProfile","iam:DeleteGroupPolicy","iam:DetachGroupPolicy"],"Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		st, body := do(a, carol, "iam", iamForm(c[0], c[1:]...))
		if st == 403 {
			t.Errorf("%s refused when allowed: %s", c[0], body)
		}
	}
}
