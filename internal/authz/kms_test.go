package authz

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

const testAccount = "111122223333"

var (
	testKey  = "arn:aws:kms:us-east-1:" + testAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testRoot = iam.Identity{Type: iam.TypeRoot, AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root"}
	testUser = iam.Identity{Type: iam.TypeIAMUser, AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":user/alice",
		UserName: "alice", UserID: "AIDAALICE"}
)

// Key policies whose statements all delegate to IAM, all name principals directly, or
// mix both: the decision (and AWS's wording of a denial) is the same whichever way the
// policy is split. The users have no identity policies.
var kmsDecisionTests = []struct {
	name, policy string
	id           iam.Identity
	want         string // "" allowed, else the end of the denial
}{
	{"default, root", kmsPolicy(delegate), testRoot, ""},
	{"default, user", kmsPolicy(delegate), testUser, "because no identity-based policy allows the kms:Decrypt action"},
	{"direct, user", kmsPolicy(allowAlice), testUser, ""},
	{"direct, root", kmsPolicy(allowAlice), testRoot, "because no resource-based policy allows the kms:Decrypt action"},
	{"mixed, user", kmsPolicy(delegate, allowAlice), testUser, ""},
	{"mixed, root", kmsPolicy(delegate, allowAlice), testRoot, ""},
	{"mixed with a deny, user", kmsPolicy(delegate, allowAlice, denyAlice), testUser, "with an explicit deny in a resource-based policy"},
	{"delegating deny, root", kmsPolicy(delegate, `{"Effect":"Deny","Principal":{"AWS":"`+testAccount+`"},"Action":"kms:Decrypt","Resource":"*"}`),
		testRoot, "with an explicit deny in a resource-based policy"},
	{"no key policy, root", ``, testRoot, "because no resource-based policy allows the kms:Decrypt action"},
}

const (
	delegate   = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"kms:*","Resource":"*"}`
	allowAlice = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/alice"},"Action":"kms:Decrypt","Resource":"*"}`
	denyAlice  = `{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/alice"},"Action":"kms:*","Resource":"*"}`
)

func kmsPolicy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

func TestKMSDecision(t *testing.T) {
	a := New(nil, nil)
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}
	for _, tc := range kmsDecisionTests {
		kp, err := a.Parsed([]byte(tc.policy), policy.Key)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = a.KMS(context.Background(), tc.id, a.KMSRequest(tc.id, "kms:Decrypt", testKey, "", true, ec), kp, nil, ec)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want allowed", tc.name, err)
		case tc.want != "" && (!errors.Is(err, ErrDenied) || !strings.HasSuffix(errs.Message(err), tc.want)):
			t.Errorf("%s: %v, want denied %q", tc.name, err, tc.want)
		}
	}
}

// KMSRequest carries the caller's global keys and the KMS condition keys.
func TestKMSRequestKeys(t *testing.T) {
	a := New(nil, nil)
	r := a.KMSRequest(testUser, "kms:Decrypt", testKey, "s3.us-east-1.amazonaws.com", true, map[string]string{"Purpose": "x"})
	for k, want := range map[string]string{
		"aws:username": "alice", "aws:principaltype": "User", "kms:calleraccount": testAccount,
		"aws:securetransport": "true", "kms:viaservice": "s3.us-east-1.amazonaws.com",
		"kms:encryptioncontext:purpose": "x", "kms:encryptioncontextkeys": "Purpose",
	} {
		if v := r.Context[k]; len(v) != 1 || v[0] != want {
			t.Errorf("%s = %v, want %q", k, v, want)
		}
	}
}

// Cross-account use (a caller of account B, the key in testAccount): the key policy must
// allow B (its account or the caller) AND B's identity policies must allow (B's root is
// allowed by its identity), or a grant to the caller allows; a deny anywhere wins; the
// AWS managed key's policy (kms:CallerAccount = its own account) never lets B in.
func TestKMSCrossAccount(t *testing.T) {
	const b = "444455556666"
	bRoot := iam.Identity{Type: iam.TypeRoot, AccountID: b, ARN: "arn:aws:iam::" + b + ":root"}
	bUser := iam.Identity{Type: iam.TypeIAMUser, AccountID: b, ARN: "arn:aws:iam::" + b + ":user/bob", UserName: "bob", UserID: "AIDABOB"}
	allowB := `{"Effect":"Allow","Principal":{"AWS":"` + b + `"},"Action":"kms:Decrypt","Resource":"*"}`
	allowBob := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + b + `:user/bob"},"Action":"kms:Decrypt","Resource":"*"}`
	denyB := `{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::` + b + `:root"},"Action":"kms:Decrypt","Resource":"*"}`
	grantBob := []Grant{{Grantee: bUser.ARN, Operations: []string{"Decrypt"}}}
	idAllow := []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + testKey + `"}]}`}
	idDeny := []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`}
	managed := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` +
		testAccount + `","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`
	for _, tc := range []struct {
		name, policy string
		id           iam.Identity
		identity     []string
		grants       []Grant
		want         string
	}{
		{"default policy, B root", kmsPolicy(delegate), bRoot, nil, nil, "because no resource-based policy allows the kms:Decrypt action"},
		{"names B, B root", kmsPolicy(delegate, allowB), bRoot, nil, nil, ""},
		{"names B, B user without identity policy", kmsPolicy(delegate, allowB), bUser, nil, nil, "because no identity-based policy allows the kms:Decrypt action"},
		{"names B, B user with identity policy", kmsPolicy(delegate, allowB), bUser, idAllow, nil, ""},
		{"names bob, bob without identity policy", kmsPolicy(allowBob), bUser, nil, nil, "because no identity-based policy allows the kms:Decrypt action"},
		{"names bob, bob with identity policy", kmsPolicy(allowBob), bUser, idAllow, nil, ""},
		{"names B, identity deny", kmsPolicy(allowB), bUser, idDeny, nil, "with an explicit deny in an identity-based policy"},
		{"names B and denies B", kmsPolicy(allowB, denyB), bRoot, nil, nil, "with an explicit deny in a resource-based policy"},
		{"grant to bob", kmsPolicy(delegate), bUser, nil, grantBob, ""},
		{"grant to bob, identity deny", kmsPolicy(delegate), bUser, idDeny, grantBob, "with an explicit deny in an identity-based policy"},
		{"aws/s3 policy, B root via S3", managed, bRoot, nil, nil, "because no resource-based policy allows the kms:Decrypt action"},
	} {
		a := New(identityDocs(tc.identity), nil)
		kp, err := a.Parsed([]byte(tc.policy), policy.Key)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err = a.KMS(context.Background(), tc.id, a.KMSRequest(tc.id, "kms:Decrypt", testKey, "s3.us-east-1.amazonaws.com", true, nil), kp, tc.grants, nil)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want allowed", tc.name, err)
		case tc.want != "" && (!errors.Is(err, ErrDenied) || !strings.HasSuffix(errs.Message(err), tc.want)):
			t.Errorf("%s: %v, want denied %q", tc.name, err, tc.want)
		}
	}
	// The same managed policy lets its own account in through S3.
	a := New(nil, nil)
	kp, _ := a.Parsed([]byte(managed), policy.Key)
	if err := a.KMS(context.Background(), testRoot, a.KMSRequest(testRoot, "kms:Decrypt", testKey, "s3.us-east-1.amazonaws.com", true, nil), kp, nil, nil); err != nil {
		t.Fatalf("aws/s3, own account via S3: %v", err)
	}
}

// A key policy may bound a statement with aws:ResourceAccount (the key's account) and
// aws:PrincipalAccount (the caller's).
func TestKMSResourceAccountKey(t *testing.T) {
	const b = "444455556666"
	bRoot := iam.Identity{Type: iam.TypeRoot, AccountID: b, ARN: "arn:aws:iam::" + b + ":root"}
	doc := func(resAcct string) string {
		return kmsPolicy(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"` +
			resAcct + `","aws:PrincipalAccount":"` + b + `"}}}`)
	}
	for _, tc := range []struct {
		resAcct string
		allowed bool
	}{{testAccount, true}, {b, false}} {
		g := New(nil, nil).ForKeys(fakeKeys{"k": {ARN: testKey, Policy: doc(tc.resAcct), Manager: "CUSTOMER"}})
		err := g.Key(context.Background(), bRoot, KeyCheck{Action: "kms:Decrypt", Ref: "k"})
		if (err == nil) != tc.allowed {
			t.Errorf("aws:ResourceAccount %s: %v, want allowed=%v", tc.resAcct, err, tc.allowed)
		}
	}
}
