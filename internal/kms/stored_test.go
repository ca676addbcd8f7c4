package kms

import (
	"bytes"
	"errors"
	"testing"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// recordEnv is a keystore with two keys (the first with alias/one and a grant) and a
// ciphertext under each, closed, plus what the checks need.
type recordEnv struct {
	*env
	one, two   KeyMetadata
	blob1      []byte
	blob2      []byte
	stored1    []byte // the stored record of key one
	storedOne  []byte // the stored record of alias/one
	grantToken string
}

func newRecordEnv(t *testing.T) *recordEnv {
	t.Helper()
	e := &recordEnv{env: newEnv(t)}
	e.one, e.two = e.createKey(), e.createKey()
	if err := e.svc.CreateAlias(testCtx, caller, "alias/one", e.one.KeyID); err != nil {
		t.Fatal(err)
	}
	if _, tok, err := e.svc.CreateGrant(testCtx, caller, CreateGrantInput{KeyID: e.one.KeyID,
		GranteePrincipal: "arn:aws:iam::111122223333:user/bob", Operations: []string{"Decrypt"}}); err != nil {
		t.Fatal(err)
	} else {
		e.grantToken = tok
	}
	var err error
	if e.blob1, _, err = e.svc.Encrypt(testCtx, caller, e.one.KeyID, []byte("one"), nil); err != nil {
		t.Fatal(err)
	}
	if e.blob2, _, err = e.svc.Encrypt(testCtx, caller, e.two.KeyID, []byte("two"), nil); err != nil {
		t.Fatal(err)
	}
	e.svc.Close()
	e.stored1 = e.get(bktKeys, e.one.KeyID)
	e.storedOne = e.get(bktAliases, "alias/one")
	return e
}

func (e *recordEnv) get(bkt []byte, name string) []byte {
	var v []byte
	e.db.View(func(tx kv.Tx) error {
		v = bytes.Clone(tx.Bucket(bkt).Get([]byte(name)))
		return nil
	})
	if v == nil {
		e.t.Fatalf("no record %s/%s", bkt, name)
	}
	return v
}

func (e *recordEnv) put(bkt []byte, name string, v []byte) {
	if err := e.db.Update(func(tx kv.Tx) error { return tx.Bucket(bkt).Put([]byte(name), v) }); err != nil {
		e.t.Fatal(err)
	}
}

// load opens a Service over the file as it now is, as a server start does.
func (e *recordEnv) load() *Service {
	e.t.Helper()
	svc, err := Open(testCtx, Config{DB: e.db, Root: e.root, RecordKey: e.meta.RecordKey(),
		Region: testRegion, AccountID: testAccount, Now: e.clock.Now, SchedulerInterval: -1})
	if err != nil {
		e.t.Fatalf("Open with a damaged record: %v", err)
	}
	return svc
}

// wantUnusable: every way of naming the key fails with ErrKeyUnavailable and AWS's
// KMSInvalidStateException message; nothing lists it.
func wantUnusable(t *testing.T, svc *Service, md KeyMetadata, blob []byte, viaAlias bool) {
	t.Helper()
	msg := md.ARN + " is unavailable."
	_, _, err := svc.Encrypt(testCtx, caller, md.KeyID, []byte("x"), nil)
	wantErr(t, "encrypt", err, ErrKeyUnavailable, msg)
	if !errors.Is(err, ErrInvalidState) {
		t.Fatalf("encrypt: %v is not KMSInvalidStateException", err)
	}
	_, err = svc.Decrypt(testCtx, caller, blob, nil)
	wantErr(t, "decrypt", err, ErrKeyUnavailable, msg)
	_, err = svc.DescribeKey(testCtx, caller, md.ARN)
	wantErr(t, "describe", err, ErrKeyUnavailable, msg)
	_, err = svc.GetKeyPolicy(testCtx, caller, md.KeyID, "")
	wantErr(t, "get policy", err, ErrKeyUnavailable, msg)
	_, err = svc.AuthInfo(md.KeyID, false)
	wantErr(t, "auth info", err, ErrKeyUnavailable, msg)
	wantErr(t, "put policy", svc.PutKeyPolicy(testCtx, caller, md.KeyID, "", DefaultPolicy(testAccount), nil), ErrKeyUnavailable, msg)
	if viaAlias {
		_, err = svc.GenerateDataKey(testCtx, caller, "alias/one", nil, 32)
		wantErr(t, "via alias", err, ErrKeyUnavailable, msg)
	}
	keys, _, _ := svc.ListKeys(testCtx, caller, Page{})
	for _, k := range keys {
		if k.KeyID == md.KeyID {
			t.Fatalf("ListKeys lists the damaged key")
		}
	}
}

// wantUsable: the key encrypts and decrypts.
func wantUsable(t *testing.T, svc *Service, md KeyMetadata, blob []byte, pt string) {
	t.Helper()
	if d, err := svc.Decrypt(testCtx, caller, blob, nil); err != nil || string(d.Plaintext) != pt {
		t.Fatalf("decrypt under %s: %q %v", md.KeyID, d.Plaintext, err)
	}
	if _, _, err := svc.Encrypt(testCtx, caller, md.KeyID, []byte("x"), nil); err != nil {
		t.Fatalf("encrypt under %s: %v", md.KeyID, err)
	}
}

// Every byte of a stored key record (its metadata, policy, grants and state, and the
// envelope around them) changed alone makes that key unusable, and only that key; the
// keystore still opens.
func TestKeyRecordEveryByte(t *testing.T) {
	e := newRecordEnv(t)
	for i := range e.stored1 {
		v := bytes.Clone(e.stored1)
		v[i] ^= 0x01
		e.put(bktKeys, e.one.KeyID, v)
		svc := e.load()
		wantUnusable(t, svc, e.one, e.blob1, true)
		wantUsable(t, svc, e.two, e.blob2, "two")
		svc.Close()
		if t.Failed() {
			t.Fatalf("byte %d", i)
		}
	}
	e.put(bktKeys, e.one.KeyID, e.stored1)
	svc := e.load()
	defer svc.Close()
	wantUsable(t, svc, e.one, e.blob1, "one")
}

// A record that is authentic where it was written is damaged anywhere else: a key record
// copied over another key's, an alias record copied to another name, a record stripped of
// its envelope (format 1), garbage, an empty value.
func TestRecordMovedOrStripped(t *testing.T) {
	e := newRecordEnv(t)
	stored2 := e.get(bktKeys, e.two.KeyID)

	e.put(bktKeys, e.two.KeyID, e.stored1) // key one's record where key two's belongs
	svc := e.load()
	wantUnusable(t, svc, e.two, e.blob2, false)
	wantUsable(t, svc, e.one, e.blob1, "one")
	svc.Close()
	e.put(bktKeys, e.two.KeyID, stored2)

	e.put(bktAliases, "alias/other", e.storedOne) // an alias record copied to a new name
	svc = e.load()
	_, _, err := svc.Encrypt(testCtx, caller, "alias/other", []byte("x"), nil)
	wantErr(t, "moved alias", err, ErrKeyUnavailable, "Alias arn:aws:kms:us-east-1:111122223333:alias/other is unavailable.")
	wantErr(t, "create over it", svc.CreateAlias(testCtx, caller, "alias/other", e.two.KeyID), ErrAlreadyExists, "-")
	wantErr(t, "delete it", svc.DeleteAlias(testCtx, caller, "alias/other"), ErrKeyUnavailable, "-")
	if as, _, _ := svc.ListAliases(testCtx, caller, "", Page{}); len(as) != 1 || as[0].Name != "alias/one" {
		t.Fatalf("aliases: %+v", as)
	}
	if _, _, err := svc.Encrypt(testCtx, caller, "alias/one", []byte("x"), nil); err != nil {
		t.Fatalf("the alias left where it was: %v", err)
	}
	svc.Close()

	for name, v := range map[string][]byte{
		"stripped": e.stored1[1+recauth.TagSize:], "garbage": []byte("{not json"), "empty": {},
	} {
		e.put(bktKeys, e.one.KeyID, v)
		svc := e.load()
		wantUnusable(t, svc, e.one, e.blob1, true)
		wantUsable(t, svc, e.two, e.blob2, "two")
		svc.Close()
		if t.Failed() {
			t.Fatal(name)
		}
	}
}

// A key whose material row is damaged is unusable like one whose record is; the others
// work.
func TestDamagedMaterial(t *testing.T) {
	e := newRecordEnv(t)
	mk := string(materialKey(e.one.KeyID, 1))
	v := e.get(bktMaterial, mk)
	v[len(v)-1] ^= 1
	e.put(bktMaterial, mk, v)
	svc := e.load()
	defer svc.Close()
	wantUnusable(t, svc, e.one, e.blob1, true)
	wantUsable(t, svc, e.two, e.blob2, "two")
}

// The AWS managed key is never replaced behind a damaged alias or key.
func TestManagedKeyNotReplaced(t *testing.T) {
	e := newEnv(t)
	md, err := e.svc.EnsureAWSManagedKey(testCtx, "aws/s3")
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Close()
	re := &recordEnv{env: e}
	re.put(bktKeys, md.KeyID, []byte("garbage"))
	svc := re.load()
	defer svc.Close()
	_, err = svc.EnsureAWSManagedKey(testCtx, "aws/s3")
	wantErr(t, "ensure", err, ErrKeyUnavailable, "-")
	if keys, _, _ := svc.ListKeys(testCtx, caller, Page{}); len(keys) != 0 {
		t.Fatalf("a new managed key was made: %+v", keys)
	}
}

// Format-1 records (bare JSON) are authenticated once, by the open that creates the record
// key; a bare value that does not decode as what its place says stays damaged; after the
// upgrade a bare record is damaged.
func TestLegacyUpgrade(t *testing.T) {
	e := newRecordEnv(t)
	stored2 := e.get(bktKeys, e.two.KeyID)
	// Make the file format 1: bare JSON everywhere and no record key.
	err := e.db.Update(func(tx kv.Tx) error {
		for _, t := range recordTables(bucketsFor("")) {
			b := tx.Bucket(t.bucket)
			if b == nil {
				continue
			}
			var ks, vs [][]byte
			b.ForEach(func(k, v []byte) error {
				ks, vs = append(ks, bytes.Clone(k)), append(vs, bytes.Clone(v[1+recauth.TagSize:]))
				return nil
			})
			for i := range ks {
				if err := b.Put(ks[i], vs[i]); err != nil {
					return err
				}
			}
		}
		// a key record under another key's id: it must not become authentic there
		moved := bytes.Clone(stored2[1+recauth.TagSize:])
		if err := tx.Bucket(bktKeys).Put([]byte("00000000-0000-4000-8000-000000000000"), moved); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta-record-key")).Delete([]byte("k"))
	})
	if err != nil {
		t.Fatal(err)
	}
	e.close()
	e.open(Config{})
	if n := e.meta.Upgraded(); n != 3 { // two keys, one alias
		t.Fatalf("upgraded %d records, want 3", n)
	}
	wantUsable(t, e.svc, e.one, e.blob1, "one")
	wantUsable(t, e.svc, e.two, e.blob2, "two")
	if _, _, err := e.svc.Encrypt(testCtx, caller, "alias/one", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.DescribeKey(testCtx, caller, "00000000-0000-4000-8000-000000000000")
	wantErr(t, "moved legacy record", err, ErrKeyUnavailable, "-")

	e.close()
	e.open(Config{})
	if n := e.meta.Upgraded(); n != 0 {
		t.Fatalf("upgraded again: %d", n)
	}
	e.svc.Close()
	e.put(bktKeys, e.one.KeyID, e.get(bktKeys, e.one.KeyID)[1+recauth.TagSize:]) // stripped after the upgrade
	svc := e.load()
	defer svc.Close()
	wantUnusable(t, svc, e.one, e.blob1, true)
	wantUsable(t, svc, e.two, e.blob2, "two")
}

// WalkRecordsTx names every damaged record and key whose material does not open, and
// nothing else.
func TestWalkRecords(t *testing.T) {
	e := newRecordEnv(t)
	e.put(bktAliases, "alias/bad", []byte("{}"))
	mk := string(materialKey(e.two.KeyID, 1))
	v := e.get(bktMaterial, mk)
	v[40] ^= 1
	e.put(bktMaterial, mk, v)
	got := map[string]error{}
	err := e.db.View(func(tx kv.Tx) error {
		return WalkRecordsTx(tx, e.meta.RecordKey(), e.root, func(r WalkedRecord) { got[r.Kind+" "+r.Name] = r.Err })
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]error{
		"kms-key " + e.one.KeyID: nil, "kms-key " + e.two.KeyID: ErrDamagedMaterial,
		"kms-alias alias/one": nil, "kms-alias alias/bad": ErrDamagedRecord,
	}
	if len(got) != len(want) {
		t.Fatalf("walked %v", got)
	}
	for k, w := range want {
		if err, ok := got[k]; !ok || !errors.Is(err, w) || (w == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", k, err, w)
		}
	}
}

// Rotating the root key re-seals the material of a key whose record is damaged too, so
// restoring the record brings the key back under the new root key.
func TestResealDamagedKey(t *testing.T) {
	e := newRecordEnv(t)
	e.put(bktKeys, e.one.KeyID, []byte("garbage"))
	e.close()
	other, _ := rootkey.Parse(rootkey.Generate())
	db, err := bolt.Open(e.dir+"/meta.db", bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := ResealAll(db, e.root, other)
	if err == nil {
		err = db.Update(func(tx kv.Tx) error { return meta.ResealRecordKeyTx(tx, e.root, other) })
	}
	db.Close()
	if err != nil || n != 2 {
		t.Fatalf("reseal: %d %v", n, err)
	}
	e.root = other
	e.open(Config{})
	e.svc.Close()
	e.put(bktKeys, e.one.KeyID, e.stored1)
	svc := e.load()
	defer svc.Close()
	wantUsable(t, svc, e.one, e.blob1, "one")
}

// A damaged recovery marker is not reported as a reset (its content is not trusted).
func TestDamagedRecoveryMarker(t *testing.T) {
	e := newRecordEnv(t)
	if _, err := e.reset(e.root, ResetKeyPolicyInput{KeyRef: "alias/one"}); err != nil {
		t.Fatal(err)
	}
	e.open(Config{})
	rs, err := e.svc.Recoveries()
	if err != nil || len(rs) != 1 || rs[0].KeyID != e.one.KeyID {
		t.Fatalf("recoveries: %+v %v", rs, err)
	}
	e.svc.Close()
	v := e.get(bktRecoveries, rs[0].ID)
	v[len(v)-2] ^= 1
	e.put(bktRecoveries, rs[0].ID, v)
	svc := e.load()
	defer svc.Close()
	if rs, err := svc.Recoveries(); err != nil || len(rs) != 0 {
		t.Fatalf("damaged marker: %+v %v", rs, err)
	}
}
