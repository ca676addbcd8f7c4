package kms

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const lockedPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/nobody"},"Action":"kms:*","Resource":"*"}]}`

var errLocked = errors.New("locked out")

// checkRecorder is a PolicyCheck that refuses lockedPolicy and remembers what it saw.
type checkRecorder struct{ arns, docs []string }

func (c *checkRecorder) check(_ context.Context, arn, doc string) error {
	c.arns, c.docs = append(c.arns, arn), append(c.docs, doc)
	if doc == lockedPolicy {
		return errLocked
	}
	return nil
}

// The lockout check sees the key's ARN and the valid new policy before anything is
// written, and its refusal changes nothing; CreateKey checks only a policy it was given.
func TestPolicyCheck(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	c := &checkRecorder{}
	wantErr(t, "refused", e.svc.PutKeyPolicy(testCtx, caller, md.KeyID, "", lockedPolicy, c.check), errLocked, "-")
	if doc, _ := e.svc.GetKeyPolicy(testCtx, caller, md.KeyID, ""); doc != DefaultPolicy(testAccount) {
		t.Fatalf("a refused policy was attached: %s", doc)
	}
	if len(c.arns) != 1 || c.arns[0] != md.ARN {
		t.Fatalf("check saw %v, want the key ARN %s", c.arns, md.ARN)
	}
	wantErr(t, "invalid before check", e.svc.PutKeyPolicy(testCtx, caller, md.KeyID, "", "{", c.check), ErrMalformedPolicy, "-")
	if len(c.docs) != 1 {
		t.Fatalf("an invalid policy reached the check")
	}
	if err := e.svc.PutKeyPolicy(testCtx, caller, md.KeyID, "", DefaultPolicy(testAccount), c.check); err != nil {
		t.Fatal(err)
	}

	before, _, _ := e.svc.ListKeys(testCtx, caller, Page{})
	_, err := e.svc.CreateKey(testCtx, caller, CreateKeyInput{Policy: lockedPolicy, PolicyCheck: c.check})
	wantErr(t, "create refused", err, errLocked, "-")
	if after, _, _ := e.svc.ListKeys(testCtx, caller, Page{}); len(after) != len(before) {
		t.Fatalf("a refused CreateKey made a key")
	}
	if arn := c.arns[len(c.arns)-1]; !strings.HasPrefix(arn, "arn:aws:kms:us-east-1:111122223333:key/") || arn == md.ARN {
		t.Fatalf("CreateKey's check saw %q, want the new key's ARN", arn)
	}
	n := len(c.docs)
	if _, err := e.svc.CreateKey(testCtx, caller, CreateKeyInput{PolicyCheck: c.check}); err != nil || len(c.docs) != n {
		t.Fatalf("the default policy was checked (%v)", err)
	}
}

// reset runs ResetKeyPolicyTx on the closed keystore, as the admin verb does.
func (e *env) reset(root *rootkey.Key, in ResetKeyPolicyInput) (Recovery, error) {
	e.t.Helper()
	e.close()
	db, err := bolt.Open(e.dir+"/meta.db", bolt.Options{Timeout: time.Second})
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	var r Recovery
	err = db.Update(func(tx kv.Tx) error {
		var err error
		r, err = ResetKeyPolicyTx(tx, root, in)
		return err
	})
	return r, err
}

// A key locked by its policy gets the default policy back offline, by key id, ARN or
// alias; the marker survives until the server clears it; nothing changes on a refusal.
func TestResetKeyPolicy(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	if err := e.svc.CreateAlias(testCtx, caller, "alias/locked", md.KeyID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PutKeyPolicy(testCtx, caller, md.KeyID, "", lockedPolicy, nil); err != nil {
		t.Fatal(err)
	}
	other, _ := rootkey.Parse(rootkey.Generate())
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		root *rootkey.Key
		in   ResetKeyPolicyInput
		want error
	}{
		{"wrong root key", other, ResetKeyPolicyInput{KeyRef: md.KeyID}, ErrWrongRootKey},
		{"unknown key", e.root, ResetKeyPolicyInput{KeyRef: "1234abcd-12ab-34cd-56ef-1234567890ab"}, ErrNotFound},
		{"unknown alias", e.root, ResetKeyPolicyInput{KeyRef: "alias/nope"}, ErrNotFound},
		{"invalid policy", e.root, ResetKeyPolicyInput{KeyRef: md.KeyID, Policy: "{"}, ErrMalformedPolicy},
	} {
		if _, err := e.reset(tc.root, tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	e.open(Config{})
	if doc, _ := e.svc.GetKeyPolicy(testCtx, caller, md.KeyID, ""); doc != lockedPolicy {
		t.Fatalf("a refused reset changed the policy")
	}
	if rs, err := e.svc.Recoveries(); err != nil || len(rs) != 0 {
		t.Fatalf("a refused reset left a marker: %v %v", rs, err)
	}

	for i, ref := range []string{"alias/locked", md.ARN, md.KeyID} {
		r, err := e.reset(e.root, ResetKeyPolicyInput{KeyRef: ref, Now: now.Add(time.Duration(i) * time.Minute), OSUser: "ops", Host: "h1"})
		if err != nil {
			t.Fatalf("reset by %s: %v", ref, err)
		}
		if r.KeyID != md.KeyID || !r.Default || r.Policy != DefaultPolicy(testAccount) || r.Account != testAccount {
			t.Fatalf("reset by %s: %+v", ref, r)
		}
		if i == 0 && r.PreviousPolicy != lockedPolicy {
			t.Fatalf("previous policy %q", r.PreviousPolicy)
		}
	}
	e.open(Config{})
	if doc, _ := e.svc.GetKeyPolicy(testCtx, caller, md.KeyID, ""); doc != DefaultPolicy(testAccount) {
		t.Fatalf("policy after reset: %s", doc)
	}
	rs, err := e.svc.Recoveries()
	if err != nil || len(rs) != 3 || !rs[0].Time.Equal(now) || rs[0].OSUser != "ops" || rs[0].Host != "h1" || !rs[2].Time.After(rs[1].Time) {
		t.Fatalf("markers: %+v %v", rs, err)
	}
	for _, r := range rs {
		if err := e.svc.ClearRecovery(testCtx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	e.reopen()
	if rs, _ := e.svc.Recoveries(); len(rs) != 0 {
		t.Fatalf("cleared markers came back: %+v", rs)
	}

	const custom = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]}`
	r, err := e.reset(e.root, ResetKeyPolicyInput{KeyRef: md.KeyID, Policy: custom})
	if err != nil || r.Default || r.Policy != custom {
		t.Fatalf("reset to a given policy: %+v %v", r, err)
	}
}

// An AWS managed key's policy is fixed, offline too.
func TestResetKeyPolicyManaged(t *testing.T) {
	e := newEnv(t)
	md, err := e.svc.EnsureAWSManagedKey(testCtx, "aws/s3")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.reset(e.root, ResetKeyPolicyInput{KeyRef: md.KeyID})
	wantErr(t, "managed", err, ErrUnsupported, "-")
}
