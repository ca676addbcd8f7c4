package iam

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// TestRestart: everything written is there after a restart, active secrets still
// authenticate, inactive keys still do not.
func TestRestart(t *testing.T) {
	e := newEnv(t)
	s := e.s
	u := must[User](t)(s.CreateUser(ctx, "alice", "/eng/"))
	k1 := must[AccessKey](t)(s.CreateAccessKey(ctx, "alice"))
	k2 := must[AccessKey](t)(s.CreateAccessKey(ctx, "alice"))
	ok(t, s.UpdateAccessKey(ctx, "alice", k2.ID, StatusInactive))
	g := must[Group](t)(s.CreateGroup(ctx, "g", ""))
	ok(t, s.AddUserToGroup(ctx, "g", "alice"))
	ok(t, s.PutUserPolicy(ctx, "alice", "inline", doc("s3:GetObject")))
	ok(t, s.PutGroupPolicy(ctx, "g", "ginline", doc("s3:PutObject")))
	p := must[ManagedPolicy](t)(s.CreatePolicy(ctx, "m", "", "d", doc("s3:ListBucket")))
	ok(t, s.AttachUserPolicy(ctx, "alice", p.ARN))
	before := must[[][]byte](t)(s.PoliciesFor(ctx, "alice"))

	e.reopen()
	s = e.s
	if got := must[User](t)(s.GetUser(ctx, "alice")); got != u {
		t.Fatalf("user after restart: %+v != %+v", got, u)
	}
	if got := must[Group](t)(s.GetGroup(ctx, "g")); got != g {
		t.Fatalf("group after restart: %+v", got)
	}
	if got := must[ManagedPolicy](t)(s.GetPolicy(ctx, p.ARN)); got.AttachmentCount != 1 || got.Description != "d" {
		t.Fatalf("policy after restart: %+v", got)
	}
	secret, id, err := s.LookupAccessKey(ctx, k1.ID)
	if err != nil || secret != k1.Secret || id.ARN != u.ARN {
		t.Fatalf("active key after restart: %v %+v", err, id)
	}
	_, _, err = s.LookupAccessKey(ctx, k2.ID)
	wantErr(t, err, ErrKeyInactive, "")
	ok(t, s.UpdateAccessKey(ctx, "alice", k2.ID, StatusActive))
	if secret, _, err := s.LookupAccessKey(ctx, k2.ID); err != nil || secret != k2.Secret {
		t.Fatalf("reactivated after restart: %v", err)
	}
	after := must[[][]byte](t)(s.PoliciesFor(ctx, "alice"))
	if len(after) != 3 || len(before) != 3 || !bytes.Equal(bytes.Join(after, nil), bytes.Join(before, nil)) {
		t.Fatalf("PoliciesFor after restart: %q", after)
	}
}

// TestSecretsSealed scans the database file: no secret access key appears in clear, in
// any common encoding.
func TestSecretsSealed(t *testing.T) {
	e := newEnv(t)
	var secrets []string
	for _, n := range []string{"a", "b", "c"} {
		must[User](t)(e.s.CreateUser(ctx, n, ""))
		for range 2 {
			secrets = append(secrets, must[AccessKey](t)(e.s.CreateAccessKey(ctx, n)).Secret)
		}
	}
	ok(t, e.s.UpdateAccessKey(ctx, "a", must[[]AccessKey](t)(firstPage(e.s.ListAccessKeys(ctx, "a", Page{})))[0].ID, StatusInactive))
	ok(t, e.close())
	data, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		for _, form := range [][]byte{[]byte(s), []byte(s[:20]), []byte(s[20:])} {
			if bytes.Contains(data, form) {
				t.Fatalf("a secret access key is in the file in clear")
			}
		}
	}
	e.open()
}

func firstPage[T any](items []T, _ string, err error) ([]T, error) { return items, err }

// TestWrongRootKey: a store sealed under one root key does not open under another, and
// ResealTx moves it to a new one.
func TestWrongRootKey(t *testing.T) {
	e := newEnv(t)
	must[User](t)(e.s.CreateUser(ctx, "a", ""))
	k := must[AccessKey](t)(e.s.CreateAccessKey(ctx, "a"))
	rk := e.meta.RecordKey()
	ok(t, e.close())

	other, _ := rootkey.Parse(rootkey.Generate())
	db, err := bolt.Open(e.path, bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, Config{DB: db, Root: other, RecordKey: rk, AccountID: testAccount})
	if !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("Open with another root key: %v", err)
	}
	err = db.Update(func(tx kv.Tx) error {
		_, err := ResealTx(tx, other, e.root)
		return err
	})
	if !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("ResealTx with the wrong old key: %v", err)
	}
	var n int
	ok(t, db.Update(func(tx kv.Tx) (err error) {
		if n, err = ResealTx(tx, e.root, other); err != nil {
			return err
		}
		return meta.ResealRecordKeyTx(tx, e.root, other) // as rotate-root-key does
	}))
	if n != 1 {
		t.Fatalf("resealed %d", n)
	}
	ok(t, db.Close())
	e.root = other
	e.open()
	if secret, _, err := e.s.LookupAccessKey(ctx, k.ID); err != nil || secret != k.Secret {
		t.Fatalf("after reseal: %v", err)
	}
}
