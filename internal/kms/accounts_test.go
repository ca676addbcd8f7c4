package kms

import (
	"bytes"
	"testing"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
)

const otherAccount = "444455556666"

var otherCaller = Principal{AccountID: otherAccount, ARN: "arn:aws:iam::444455556666:root"}

// openKeystores opens every account's keystore over e's file (e.svc is closed first).
func (e *env) openKeystores(t *testing.T) *Keystores {
	t.Helper()
	e.svc.Close()
	ks, err := OpenKeystores(testCtx, Config{DB: e.db, Root: e.root, RecordKey: e.meta.RecordKey(),
		Region: testRegion, AccountID: testAccount, Now: e.clock.Now, SchedulerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// Each account has its own keys, aliases and aws/s3; the primary keeps today's buckets, the
// other account's keystore lives in buckets named with its id and is opened again at start;
// a blob finds its account by the key id it names.
func TestKeystoresPerAccount(t *testing.T) {
	e := newEnv(t)
	primaryKey := e.createKey()
	ks := e.openKeystores(t)
	if ks.Lookup(otherAccount) != nil {
		t.Fatal("an account's keystore exists before its first use")
	}
	b, err := ks.For(testCtx, otherAccount)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := b.CreateKey(testCtx, otherCaller, CreateKeyInput{Description: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if bk.AccountID != otherAccount || bk.ARN != "arn:aws:kms:us-east-1:444455556666:key/"+bk.KeyID {
		t.Fatalf("B's key: %+v", bk)
	}
	if err := b.CreateAlias(testCtx, otherCaller, "alias/same", bk.KeyID); err != nil {
		t.Fatal(err)
	}
	if err := ks.Primary().CreateAlias(testCtx, caller, "alias/same", primaryKey.KeyID); err != nil {
		t.Fatalf("the same alias name in another account: %v", err)
	}
	pm, _ := ks.Primary().EnsureAWSManagedKey(testCtx, "aws/s3")
	bm, _ := b.EnsureAWSManagedKey(testCtx, "aws/s3")
	if pm.KeyID == bm.KeyID || bm.AccountID != otherAccount {
		t.Fatalf("aws/s3 is per account: %+v %+v", pm, bm)
	}
	// The primary's ListKeys does not show B's keys; B's ARN does not resolve in the primary.
	keys, _, err := ks.Primary().ListKeys(testCtx, caller, Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.KeyID == bk.KeyID || k.KeyID == bm.KeyID {
			t.Fatalf("the primary lists B's key %s", k.KeyID)
		}
	}
	if _, err := ks.Primary().DescribeKey(testCtx, caller, bk.ARN); !isErr(err, ErrNotFound) {
		t.Fatalf("B's key ARN in the primary's keystore: %v", err)
	}
	blob, _, err := b.Encrypt(testCtx, otherCaller, "alias/same", []byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ks.KeyAccount(CiphertextKeyID(blob)); got != otherAccount {
		t.Fatalf("KeyAccount = %q", got)
	}
	ks.Close()

	// The buckets: today's names for the primary, "<name>/<account>" for B.
	e.db.View(func(tx kv.Tx) error {
		if tx.Bucket(bktKeys).Get([]byte(primaryKey.KeyID)) == nil || tx.Bucket(bktKeys).Get([]byte(bk.KeyID)) != nil {
			t.Error("the primary's keys bucket")
		}
		if tx.Bucket([]byte("kms-keys/"+otherAccount)).Get([]byte(bk.KeyID)) == nil {
			t.Error("B's key is not in kms-keys/" + otherAccount)
		}
		return nil
	})

	// Reopened: B's keystore is opened at start, its key decrypts.
	ks = e.openKeystores(t)
	defer ks.Close()
	b = ks.Lookup(otherAccount)
	if b == nil {
		t.Fatal("B's keystore not reopened")
	}
	d, err := b.Decrypt(testCtx, otherCaller, blob, nil)
	if err != nil || string(d.Plaintext) != "secret" {
		t.Fatalf("Decrypt after reopen: %v", err)
	}
	e.svc = ks.Primary()
}

// A record copied from one account's keystore into another's fails authentication: the
// account is bound into the tag.
func TestKeystoreRecordCopiedAcrossAccounts(t *testing.T) {
	e := newEnv(t)
	ks := e.openKeystores(t)
	b, _ := ks.For(testCtx, otherAccount)
	bk, err := b.CreateKey(testCtx, otherCaller, CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ks.Close()
	other := bucketsFor(otherAccount)
	err = e.db.Update(func(tx kv.Tx) error {
		raw := bytes.Clone(tx.Bucket(other.keys).Get([]byte(bk.KeyID)))
		for i := uint32(1); ; i++ {
			m := tx.Bucket(other.material).Get(materialKey(bk.KeyID, i))
			if m == nil {
				break
			}
			if err := tx.Bucket(bktMaterial).Put(materialKey(bk.KeyID, i), bytes.Clone(m)); err != nil {
				return err
			}
		}
		return tx.Bucket(bktKeys).Put([]byte(bk.KeyID), raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	ks = e.openKeystores(t)
	defer ks.Close()
	e.svc = ks.Primary()
	if _, err := ks.Primary().DescribeKey(testCtx, caller, bk.KeyID); !isErr(err, ErrKeyUnavailable) {
		t.Fatalf("a record copied into the primary's keystore: %v, want ErrKeyUnavailable", err)
	}
	if _, err := ks.Lookup(otherAccount).DescribeKey(testCtx, otherCaller, bk.KeyID); err != nil {
		t.Fatalf("the original: %v", err)
	}
	var walked []WalkedRecord
	e.db.View(func(tx kv.Tx) error {
		return WalkRecordsTx(tx, e.meta.RecordKey(), e.root, func(r WalkedRecord) { walked = append(walked, r) })
	})
	var damaged, inB int
	for _, r := range walked {
		if r.Err != nil {
			damaged++
		}
		if r.Account == otherAccount {
			inB++
		}
	}
	if damaged != 1 || inB == 0 {
		t.Fatalf("WalkRecordsTx: %+v", walked)
	}
}

// A root key rotation reseals every account's material.
func TestResealEveryAccount(t *testing.T) {
	e := newEnv(t)
	e.createKey()
	ks := e.openKeystores(t)
	b, _ := ks.For(testCtx, otherAccount)
	bk, _ := b.CreateKey(testCtx, otherCaller, CreateKeyInput{})
	blob, _, err := b.Encrypt(testCtx, otherCaller, bk.KeyID, []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ks.Close()
	newRoot, _ := rootkey.Parse(rootkey.Generate())
	n, err := ResealAll(e.db, e.root, newRoot)
	if err != nil || n != 2 {
		t.Fatalf("ResealAll = %d, %v; want 2 (one version in each account)", n, err)
	}
	e.root = newRoot
	ks = e.openKeystores(t)
	defer ks.Close()
	e.svc = ks.Primary()
	if _, err := ks.Lookup(otherAccount).Decrypt(testCtx, otherCaller, blob, nil); err != nil {
		t.Fatalf("B's key after the reseal: %v", err)
	}
}

// A grant another account creates on a key (cross-account CreateGrant) names that account
// as its issuing account.
func TestCrossAccountGrantIssuer(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	_, _, err := e.svc.CreateGrant(testCtx, otherCaller, CreateGrantInput{KeyID: md.ARN,
		GranteePrincipal: "arn:aws:iam::444455556666:user/bob", Operations: []string{"Decrypt"}})
	if err != nil {
		t.Fatal(err)
	}
	gs, _, err := e.svc.ListGrants(testCtx, caller, md.KeyID, "", "", Page{})
	if err != nil || len(gs) != 1 || gs[0].IssuingAccount != "arn:aws:iam::444455556666:root" {
		t.Fatalf("ListGrants: %+v, %v", gs, err)
	}
}

// The offline reset addresses another account's key by its ARN: its record in that
// account's keystore gets the account's default policy, and the marker is that keystore's.
func TestResetKeyPolicyOtherAccount(t *testing.T) {
	e := newEnv(t)
	ks := e.openKeystores(t)
	b, _ := ks.For(testCtx, otherAccount)
	bk, err := b.CreateKey(testCtx, otherCaller, CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ks.Close()
	r, err := e.reset(e.root, ResetKeyPolicyInput{KeyRef: bk.ARN, Now: e.clock.Now()})
	if err != nil || r.Account != otherAccount || r.Policy != DefaultPolicy(otherAccount) {
		t.Fatalf("reset of B's key: %+v, %v", r, err)
	}
	e.open(Config{})
	ks = e.openKeystores(t)
	defer ks.Close()
	e.svc = ks.Primary()
	if recs, _ := ks.Primary().Recoveries(); len(recs) != 0 {
		t.Fatalf("the primary has B's marker: %+v", recs)
	}
	recs, err := ks.Lookup(otherAccount).Recoveries()
	if err != nil || len(recs) != 1 || recs[0].KeyID != bk.KeyID {
		t.Fatalf("B's markers: %+v, %v", recs, err)
	}
	if p, err := ks.Lookup(otherAccount).GetKeyPolicy(testCtx, otherCaller, bk.KeyID, ""); err != nil || p != DefaultPolicy(otherAccount) {
		t.Fatalf("B's key policy after the reset: %q, %v", p, err)
	}
}
