package iam

import (
	"bytes"
	"errors"
	"testing"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
)

// recordEnv holds two users with an access key and an inline policy each; bob is also in
// group g and has managed policy m attached.
type recordEnv struct {
	*testEnv
	alice, bob   AccessKey
	aliceStored  []byte // the stored record of user alice
	aliceKeyData []byte // the stored record of alice's access key
}

func newRecordEnv(t *testing.T) *recordEnv {
	t.Helper()
	e := &recordEnv{testEnv: newEnv(t)}
	s := e.s
	for _, n := range []string{"Alice", "bob"} {
		must[User](t)(s.CreateUser(ctx, n, "/team/"))
		ok(t, s.PutUserPolicy(ctx, n, "own", doc("s3:GetObject")))
	}
	e.alice = must[AccessKey](t)(s.CreateAccessKey(ctx, "Alice"))
	e.bob = must[AccessKey](t)(s.CreateAccessKey(ctx, "bob"))
	must[Group](t)(s.CreateGroup(ctx, "g", ""))
	ok(t, s.AddUserToGroup(ctx, "g", "bob"))
	ok(t, s.PutGroupPolicy(ctx, "g", "gp", doc("s3:PutObject")))
	p := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "m", "", "", doc("s3:ListBucket")))
	ok(t, s.AttachUserPolicy(ctx, "bob", p.ARN))
	e.aliceStored = e.get(kindUsers, "alice")
	e.aliceKeyData = e.get(kindKeys, e.alice.ID)
	return e
}

func (e *recordEnv) get(kind, name string) []byte {
	var v []byte
	e.db.View(func(tx kv.Tx) error {
		v = bytes.Clone(tx.Bucket(bktIAM).Bucket([]byte(kind)).Get([]byte(name)))
		return nil
	})
	if v == nil {
		e.t.Fatalf("no record %s/%s", kind, name)
	}
	return v
}

func (e *recordEnv) put(kind, name string, v []byte) {
	err := e.db.Update(func(tx kv.Tx) error { return tx.Bucket(bktIAM).Bucket([]byte(kind)).Put([]byte(name), v) })
	if err != nil {
		e.t.Fatal(err)
	}
}

// load opens a Store over the file as it now is, as a server start does.
func (e *recordEnv) load() *Store {
	e.t.Helper()
	s, err := Open(ctx, Config{DB: e.db, Root: e.root, RecordKey: e.meta.RecordKey(), AccountID: testAccount})
	if err != nil {
		e.t.Fatalf("Open with a damaged record: %v", err)
	}
	return s
}

// wantBobWorks: bob authenticates and his policies (own, group, managed) all apply.
func wantBobWorks(t *testing.T, s *Store, bob AccessKey) {
	t.Helper()
	if secret, id, err := s.LookupAccessKey(ctx, bob.ID); err != nil || secret != bob.Secret || id.UserName != "bob" {
		t.Fatalf("bob's key: %v", err)
	}
	if docs, err := s.PoliciesFor(ctx, "bob"); err != nil || len(docs) != 3 {
		t.Fatalf("bob's policies: %d %v", len(docs), err)
	}
	if _, err := s.GetUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
}

// wantAliceGone: alice's key does not authenticate and no IAM read serves her.
func wantAliceGone(t *testing.T, s *Store, alice AccessKey) {
	t.Helper()
	if _, _, err := s.LookupAccessKey(ctx, alice.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("alice's key: %v, want ErrNotFound (InvalidAccessKeyId)", err)
	}
	for what, err := range map[string]error{
		"GetUser":        second(s.GetUser(ctx, "alice")),
		"PoliciesFor":    second(s.PoliciesFor(ctx, "Alice")),
		"GetUserPolicy":  second(s.GetUserPolicy(ctx, "alice", "own")),
		"ListAccessKeys": third(s.ListAccessKeys(ctx, "alice", Page{})),
		"PutUserPolicy":  s.PutUserPolicy(ctx, "alice", "more", doc("s3:*")),
		"CreateUser":     second(s.CreateUser(ctx, "alice", "")),
	} {
		if !errors.Is(err, ErrDamagedRecord) {
			t.Fatalf("%s: %v, want ErrDamagedRecord", what, err)
		}
	}
	users, _, err := s.ListUsers(ctx, "", Page{})
	if err != nil || len(users) != 1 || users[0].Name != "bob" {
		t.Fatalf("ListUsers: %+v %v", users, err)
	}
}

func second[T any](_ T, err error) error            { return err }
func third[T any, U any](_ T, _ U, err error) error { return err }

// Every byte of a stored user record (its policies, groups, keys and the envelope)
// changed alone makes that user unusable, and only that user; the store still opens.
func TestUserRecordEveryByte(t *testing.T) {
	e := newRecordEnv(t)
	for i := range e.aliceStored {
		v := bytes.Clone(e.aliceStored)
		v[i] ^= 0x01
		e.put(kindUsers, "alice", v)
		s := e.load()
		wantAliceGone(t, s, e.alice)
		wantBobWorks(t, s, e.bob)
		if t.Failed() {
			t.Fatalf("byte %d", i)
		}
	}
	e.put(kindUsers, "alice", e.aliceStored)
	if secret, _, err := e.load().LookupAccessKey(ctx, e.alice.ID); err != nil || secret != e.alice.Secret {
		t.Fatalf("restored: %v", err)
	}
}

// Every byte of a stored access key record changed alone makes that key refused; the user
// and the other keys work.
func TestAccessKeyRecordEveryByte(t *testing.T) {
	e := newRecordEnv(t)
	for i := range e.aliceKeyData {
		v := bytes.Clone(e.aliceKeyData)
		v[i] ^= 0x01
		e.put(kindKeys, e.alice.ID, v)
		s := e.load()
		if _, _, err := s.LookupAccessKey(ctx, e.alice.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("byte %d: the damaged key: %v", i, err)
		}
		if keys, _, err := s.ListAccessKeys(ctx, "alice", Page{}); err != nil || len(keys) != 0 {
			t.Fatalf("byte %d: ListAccessKeys: %+v %v", i, keys, err)
		}
		if err := s.UpdateAccessKey(ctx, "alice", e.alice.ID, StatusInactive); !errors.Is(err, ErrDamagedRecord) {
			t.Fatalf("byte %d: UpdateAccessKey: %v", i, err)
		}
		wantBobWorks(t, s, e.bob)
	}
	// The user can drop the damaged key and make a new one.
	s := e.load()
	ok(t, s.DeleteAccessKey(ctx, "alice", e.alice.ID))
	k := must[AccessKey](t)(s.CreateAccessKey(ctx, "alice"))
	if _, _, err := s.LookupAccessKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
}

// A record is authentic only where it was written: bob's user record over alice's, bob's
// key record under alice's key id, a stripped envelope (format 1), garbage.
func TestRecordMovedOrStripped(t *testing.T) {
	e := newRecordEnv(t)
	for name, tc := range map[string]struct{ kind, at, from string }{
		"user moved": {kindUsers, "alice", "bob"}, "key moved": {kindKeys, e.alice.ID, e.bob.ID},
	} {
		e.put(tc.kind, tc.at, e.get(tc.kind, tc.from))
		s := e.load()
		if _, _, err := s.LookupAccessKey(ctx, e.alice.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: alice's key: %v", name, err)
		}
		wantBobWorks(t, s, e.bob)
		e.put(kindUsers, "alice", e.aliceStored)
		e.put(kindKeys, e.alice.ID, e.aliceKeyData)
	}
	for name, v := range map[string][]byte{
		"stripped": e.aliceStored[1+recauth.TagSize:], "garbage": []byte("{not json"), "empty": {},
	} {
		e.put(kindUsers, "alice", v)
		s := e.load()
		wantAliceGone(t, s, e.alice)
		wantBobWorks(t, s, e.bob)
		if t.Failed() {
			t.Fatal(name)
		}
	}
}

// A damaged group or managed policy makes no policy decision for the users it applies to
// (a Deny in it would be lost); other users are unaffected.
func TestDamagedGroupOrPolicyFailsClosed(t *testing.T) {
	for _, kind := range []string{kindGroups, kindPolicies} {
		e := newRecordEnv(t)
		name := map[string]string{kindGroups: "g", kindPolicies: "m"}[kind]
		v := e.get(kind, name)
		v[len(v)-3] ^= 1
		e.put(kind, name, v)
		s := e.load()
		if _, err := s.PoliciesFor(ctx, "bob"); !errors.Is(err, ErrDamagedRecord) {
			t.Fatalf("%s: bob's policies: %v", kind, err)
		}
		if docs, err := s.PoliciesFor(ctx, "alice"); err != nil || len(docs) != 1 {
			t.Fatalf("%s: alice's policies: %v", kind, err)
		}
	}
}

// DeleteUser drops a damaged user with the access keys that name it; the name can be
// created again and the old key never authenticates as the new user.
func TestDeleteDamagedUser(t *testing.T) {
	e := newRecordEnv(t)
	e.put(kindUsers, "alice", []byte("garbage"))
	s := e.load()
	ok(t, s.DeleteUser(ctx, "alice"))
	if _, err := s.GetUser(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	must[User](t)(s.CreateUser(ctx, "alice", ""))
	if _, _, err := s.LookupAccessKey(ctx, e.alice.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the old key: %v", err)
	}
	e.reopen()
	if _, _, err := e.s.LookupAccessKey(ctx, e.alice.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the old key after restart: %v", err)
	}
	wantBobWorks(t, e.s, e.bob)
}

// Format-1 records (bare JSON) are authenticated once, by the open that creates the record
// key; a bare value that does not decode as what its place says stays damaged; after the
// upgrade a bare record is damaged.
func TestLegacyUpgrade(t *testing.T) {
	e := newRecordEnv(t)
	count := 0
	err := e.db.Update(func(tx kv.Tx) error {
		top := tx.Bucket(bktIAM)
		for _, kind := range kinds {
			b := top.Bucket([]byte(kind))
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
			count += len(ks)
		}
		// bob's record under another name must not become authentic there
		users := top.Bucket([]byte(kindUsers))
		if err := users.Put([]byte("carol"), users.Get([]byte("bob"))); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta-record-key")).Delete([]byte("k"))
	})
	if err != nil {
		t.Fatal(err)
	}
	e.reopen()
	if n := e.meta.Upgraded(); n != count {
		t.Fatalf("upgraded %d, want %d", n, count)
	}
	if secret, _, err := e.s.LookupAccessKey(ctx, e.alice.ID); err != nil || secret != e.alice.Secret {
		t.Fatalf("alice after upgrade: %v", err)
	}
	wantBobWorks(t, e.s, e.bob)
	if _, err := e.s.GetUser(ctx, "carol"); !errors.Is(err, ErrDamagedRecord) {
		t.Fatalf("moved legacy record: %v", err)
	}
	e.reopen()
	if n := e.meta.Upgraded(); n != 0 {
		t.Fatalf("upgraded again: %d", n)
	}
	re := &recordEnv{testEnv: e.testEnv}
	re.put(kindUsers, "alice", re.get(kindUsers, "alice")[1+recauth.TagSize:])
	s := re.load()
	wantAliceGone(t, s, e.alice)
	wantBobWorks(t, s, e.bob)
}

// WalkRecordsTx names every damaged record, and nothing else.
func TestWalkRecords(t *testing.T) {
	e := newRecordEnv(t)
	e.put(kindUsers, "alice", []byte("{}"))
	e.put(kindPolicies, "ghost", e.get(kindPolicies, "m"))
	bad := map[string]bool{}
	n := 0
	err := e.db.View(func(tx kv.Tx) error {
		return WalkRecordsTx(tx, e.meta.RecordKey(), func(r WalkedRecord) {
			n++
			if r.Err != nil {
				bad[r.Kind+" "+r.Name] = true
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	// 2 users, 2 keys, 1 group, 2 policies
	if n != 7 || len(bad) != 2 || !bad["iam-user alice"] || !bad["iam-policy ghost"] {
		t.Fatalf("walked %d, damaged %v", n, bad)
	}
}

// Rotating the root key leaves a damaged access key record alone and re-seals the others.
func TestResealWithDamagedKey(t *testing.T) {
	e := newRecordEnv(t)
	e.put(kindKeys, e.alice.ID, []byte("garbage"))
	var n int
	err := e.db.Update(func(tx kv.Tx) (err error) {
		n, err = ResealTx(tx, e.root, e.root)
		return err
	})
	if err != nil || n != 1 {
		t.Fatalf("reseal: %d %v", n, err)
	}
	s := e.load()
	wantBobWorks(t, s, e.bob)
}
