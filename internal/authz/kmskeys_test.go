package authz

import (
	"context"
	"errors"
	"testing"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// fakeKeys is a keystore of fixed keys; any other ref is NotFound.
type fakeKeys map[string]kms.KeyAuth

func (f fakeKeys) AuthInfo(ref string, allowAlias bool) (kms.KeyAuth, error) {
	if k, ok := f[ref]; ok {
		return k, nil
	}
	return kms.KeyAuth{}, kms.ErrNotFound
}

// userPolicies gives every IAM user the same identity policies.
type userPolicies []string

func (u userPolicies) PoliciesFor(context.Context, string, string) ([][]byte, error) {
	docs := make([][]byte, len(u))
	for i, d := range u {
		docs[i] = []byte(d)
	}
	return docs, nil
}

var keyGuardTests = []struct {
	name string
	id   iam.Identity
	c    KeyCheck
	want string // "" allowed, else the denial message
}{
	{"no ref decides nothing", testUser, KeyCheck{Action: "kms:Decrypt"}, ""},
	{"unknown key is the operation's to report", testUser, KeyCheck{Action: "kms:Decrypt", Ref: "nope"}, ""},
	{"root by delegation", testRoot, KeyCheck{Action: "kms:Decrypt", Ref: "k"}, ""},
	{"user without identity policy", testUser, KeyCheck{Action: "kms:Decrypt", Ref: "k"},
		"User: " + testUser.ARN + " is not authorized to perform: kms:Decrypt on resource: " + testKey + " because no identity-based policy allows the kms:Decrypt action"},
	{"grant allows the user", testUser, KeyCheck{Action: "kms:Encrypt", Ref: "k", EC: map[string]string{"p": "x"}}, ""},
	{"grant constraint not met", testUser, KeyCheck{Action: "kms:Encrypt", Ref: "k", EC: map[string]string{"p": "y"}},
		"User: " + testUser.ARN + " is not authorized to perform: kms:Encrypt on resource: " + testKey + " because no identity-based policy allows the kms:Encrypt action"},
	{"root administering an AWS-managed key is the operation's to refuse", testRoot, KeyCheck{Action: "kms:DisableKey", Ref: "aws", Manage: true}, ""},
	{"root using an AWS-managed key is decided", testRoot, KeyCheck{Action: "kms:Decrypt", Ref: "aws"},
		"User: " + testRoot.ARN + " is not authorized to perform: kms:Decrypt on resource: " + testKey + " because no resource-based policy allows the kms:Decrypt action"},
}

func TestKeyGuard(t *testing.T) {
	keys := fakeKeys{
		"k": {ARN: testKey, Policy: kmsPolicy(delegate), Manager: "CUSTOMER",
			Grants: []kms.GrantInfo{{Grantee: testUser.ARN, Operations: []string{"Encrypt"}, Subset: map[string]string{"p": "x"}}}},
		"aws": {ARN: testKey, Policy: kmsPolicy(allowAlice), Manager: "AWS"},
	}
	g := New(nil, nil).ForKeys(keys)
	for _, tc := range keyGuardTests {
		err := g.Key(context.Background(), tc.id, tc.c)
		checkDecision(t, tc.name, err, tc.want)
	}
}

var identityOnlyTests = []struct {
	name     string
	policies userPolicies
	id       iam.Identity
	want     string
}{
	{"root", nil, testRoot, ""},
	{"user allowed", userPolicies{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`}, testUser, ""},
	{"user without policy", nil, testUser,
		"User: " + testUser.ARN + " is not authorized to perform: iam:GetUser on resource: arn:aws:iam::" + testAccount + ":user/bob because no identity-based policy allows the iam:GetUser action"},
	{"explicit deny", userPolicies{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`}, testUser,
		"User: " + testUser.ARN + " is not authorized to perform: iam:GetUser on resource: arn:aws:iam::" + testAccount + ":user/bob with an explicit deny in an identity-based policy"},
}

func TestIdentityOnly(t *testing.T) {
	for _, tc := range identityOnlyTests {
		err := New(tc.policies, nil).IdentityOnly(context.Background(), tc.id, "iam:GetUser", "arn:aws:iam::"+testAccount+":user/bob")
		checkDecision(t, tc.name, err, tc.want)
	}
}

func checkDecision(t *testing.T, name string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: %v, want allowed", name, err)
	case want != "" && (!errors.Is(err, ErrDenied) || errs.Message(err) != want):
		t.Errorf("%s: %v, want denied %q", name, err, want)
	}
}

var validateTests = []struct {
	doc  string
	kind error
	msg  string
}{
	{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, nil, ""},
	{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, iam.ErrMalformedPolicy, "Policy document should not specify a principal."},
	{`not json`, iam.ErrMalformedPolicy, "Syntax errors in policy."},
}

func TestValidateIdentityPolicy(t *testing.T) {
	for _, tc := range validateTests {
		err := ValidateIdentityPolicy([]byte(tc.doc))
		if tc.kind == nil && err != nil || tc.kind != nil && (!errors.Is(err, tc.kind) || errs.Message(err) != tc.msg) {
			t.Errorf("%s: %v, want %v %q", tc.doc, err, tc.kind, tc.msg)
		}
	}
}
