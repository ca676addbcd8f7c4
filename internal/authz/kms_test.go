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
