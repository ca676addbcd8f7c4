package authz

import (
	"context"
	"errors"
	"testing"
)

// identityDocs gives every IAM user the same identity policies.
type identityDocs []string

func (d identityDocs) PoliciesFor(context.Context, string, string) ([][]byte, error) {
	out := make([][]byte, len(d))
	for i, doc := range d {
		out[i] = []byte(doc)
	}
	return out, nil
}

const (
	allowPutPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:PutKeyPolicy","Resource":"*"}]}`
	allowDecrypt   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`
	denyPutPolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:PutKeyPolicy","Resource":"*"}]}`
	// aliceAdmin names alice directly; rootUseOnly lets the account use the key but not
	// administer it.
	aliceAdmin  = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:user/alice"},"Action":"kms:*","Resource":"*"}`
	rootUseOnly = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}`
)

// The key policy lockout safety check: the new policy must let the caller make a later
// PutKeyPolicy request on the key, by KMS's own decision for that request (the delegation
// statement counts only with an identity policy that allows it); bypass skips the check.
var lockoutTests = []struct {
	name, policy string
	id           string // "root" or "alice"
	identity     []string
	bypass       bool
	locked       bool
}{
	{"default policy, root", kmsPolicy(delegate), "root", nil, false, false},
	{"policy naming root directly", kmsPolicy(`{"Effect":"Allow","Principal":{"AWS":"` + testAccount + `"},"Action":"kms:PutKeyPolicy","Resource":"*"}`), "root", nil, false, false},
	{"no allow for the caller, root", kmsPolicy(aliceAdmin), "root", nil, false, true},
	{"use but not administer, root", kmsPolicy(rootUseOnly), "root", nil, false, true},
	{"deny for the caller, root", kmsPolicy(delegate, `{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:PutKeyPolicy","Resource":"*"}`), "root", nil, false, true},
	{"resource names another key", kmsPolicy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"kms:*","Resource":"arn:aws:kms:us-east-1:` + testAccount + `:key/other"}`), "root", nil, false, true},
	{"bypass, no allow for the caller", kmsPolicy(aliceAdmin), "root", nil, true, false},
	{"bypass, deny for the caller", kmsPolicy(`{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}`), "root", nil, true, false},
	{"user via the delegation, identity allows", kmsPolicy(delegate), "alice", []string{allowPutPolicy}, false, false},
	{"user via the delegation, identity allows something else", kmsPolicy(delegate), "alice", []string{allowDecrypt}, false, true},
	{"user via the delegation, no identity policy", kmsPolicy(delegate), "alice", nil, false, true},
	{"user via the delegation, identity denies", kmsPolicy(delegate), "alice", []string{allowPutPolicy, denyPutPolicy}, false, true},
	{"user named directly, no identity policy", kmsPolicy(aliceAdmin), "alice", nil, false, false},
	{"user named directly, identity denies", kmsPolicy(aliceAdmin), "alice", []string{denyPutPolicy}, false, true},
	{"user locks out the root but not herself", kmsPolicy(aliceAdmin), "alice", nil, false, false},
}

func TestKMSPolicyLockout(t *testing.T) {
	for _, tc := range lockoutTests {
		a := New(identityDocs(tc.identity), nil)
		id := testRoot
		if tc.id == "alice" {
			id = testUser
		}
		err := a.KMSPolicyLockout(context.Background(), id, testKey, tc.policy, tc.bypass, true)
		switch {
		case tc.locked && !errors.Is(err, ErrKeyPolicyLockout):
			t.Errorf("%s: %v, want ErrKeyPolicyLockout", tc.name, err)
		case !tc.locked && err != nil:
			t.Errorf("%s: %v, want accepted", tc.name, err)
		}
	}
}

// A lockout is its own error, never an access denial: the request was allowed, its policy
// document is what AWS refuses (MalformedPolicyDocumentException).
func TestKMSPolicyLockoutIsNotADenial(t *testing.T) {
	err := New(nil, nil).KMSPolicyLockout(context.Background(), testRoot, testKey, kmsPolicy(aliceAdmin), false, true)
	if !errors.Is(err, ErrKeyPolicyLockout) || errors.Is(err, ErrDenied) {
		t.Fatalf("%v: want ErrKeyPolicyLockout and not ErrDenied", err)
	}
}
