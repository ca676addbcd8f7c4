package account

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

var ctx = context.Background()

const primaryID = "123456789012"

type env struct {
	t    *testing.T
	path string
	root *rootkey.Key
	db   *bolt.Store
	m    *meta.KVStore
	r    *Registry
}

func newEnv(t *testing.T) *env {
	root, err := rootkey.Parse(rootkey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, path: filepath.Join(t.TempDir(), "meta.db"), root: root}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	e.t.Helper()
	db, err := bolt.Open(e.path, bolt.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := meta.Open(db, e.root, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.db, e.m = db, m
	e.r, err = Open(ctx, Config{DB: db, Root: e.root, RecordKey: m.RecordKey(),
		Primary: Account{ID: primaryID, Created: time.Unix(1e9, 0), RootAccessKeyID: "AKIAPRIMARY000000001"}, PrimarySecret: "primary-secret"})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) close() {
	if e.db != nil {
		e.m.Close()
		e.db.Close()
		e.db = nil
	}
}

func (e *env) reopen() { e.close(); e.open() }

func TestRegistry(t *testing.T) {
	e := newEnv(t)
	p, err := e.r.Get(ctx, primaryID)
	if err != nil || !p.Primary || p.Status != StatusActive || p.Name != "primary" {
		t.Fatalf("primary = %+v, %v", p, err)
	}
	// The owner id identity.json has always held (sha256 of "arca-owner/<id>").
	if got := CanonicalID(primaryID); got != "7f872df6ae4f3bc692b6075569e25f0752d7f9ebb13837b41d1d7201690f4ef3" {
		t.Fatalf("CanonicalID = %s", got)
	}
	a, secretA, err := e.r.Create(ctx, "team-a")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := e.r.Create(ctx, "team-b")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.ID) != 12 || a.ID == b.ID || a.ID == primaryID || len(a.RootAccessKeyID) != 20 || len(secretA) != 40 {
		t.Fatalf("created %+v %q", a, secretA)
	}
	// The primary's root, another account's root, and no one else.
	if got, s, err := e.r.LookupRoot(ctx, "AKIAPRIMARY000000001"); err != nil || got.ID != primaryID || s != "primary-secret" {
		t.Fatalf("primary root = %+v %q %v", got, s, err)
	}
	if got, s, err := e.r.LookupRoot(ctx, a.RootAccessKeyID); err != nil || got.ID != a.ID || s != secretA {
		t.Fatalf("A's root = %+v %q %v", got, s, err)
	}
	if _, _, err := e.r.LookupRoot(ctx, "AKIANOSUCHKEY0000000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}

	// Durable, authenticated, sealed: a restart serves the same accounts and secrets.
	e.reopen()
	list, err := e.r.List(ctx)
	if err != nil || len(list) != 3 || list[0].ID != primaryID || list[1].ID != a.ID || list[2].ID != b.ID {
		t.Fatalf("list after reopen = %+v, %v", list, err)
	}
	if _, s, err := e.r.LookupRoot(ctx, a.RootAccessKeyID); err != nil || s != secretA {
		t.Fatalf("A's root after reopen: %q %v", s, err)
	}

	// The primary cannot be disabled; a disabled account's root is refused, also after a
	// restart; disabling again is not an error.
	if _, err := e.r.Disable(ctx, primaryID); !errors.Is(err, ErrPrimary) {
		t.Fatalf("disable primary: %v", err)
	}
	if _, err := e.r.Disable(ctx, "999999999999"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("disable unknown: %v", err)
	}
	if got, err := e.r.Disable(ctx, a.ID); err != nil || got.Status != StatusSuspended {
		t.Fatalf("disable A = %+v %v", got, err)
	}
	e.reopen()
	if _, _, err := e.r.LookupRoot(ctx, a.RootAccessKeyID); !errors.Is(err, ErrSuspended) {
		t.Fatalf("A's root after disable: %v", err)
	}
	if got, err := e.r.Disable(ctx, a.ID); err != nil || got.Status != StatusSuspended {
		t.Fatalf("disable A again = %+v %v", got, err)
	}
	if _, _, err := e.r.LookupRoot(ctx, b.RootAccessKeyID); err != nil {
		t.Fatalf("B's root: %v", err)
	}
}

func TestNames(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []string{"", " lead", "trail ", "a\x00b", "tab\tname", string(make([]byte, 51))} {
		if _, _, err := e.r.Create(ctx, bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Create(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	for _, good := range []string{"a", "Team A (prod)", "équipe-b", "x23456789012345678901234567890123456789012345678_"} {
		if _, _, err := e.r.Create(ctx, good); err != nil {
			t.Errorf("Create(%q) = %v", good, err)
		}
	}
}

// A record edited or moved outside Arca fails authentication: its root does not
// authenticate, and the others still do.
func TestDamagedRecord(t *testing.T) {
	e := newEnv(t)
	a, _, _ := e.r.Create(ctx, "a")
	b, _, _ := e.r.Create(ctx, "b")
	err := e.db.Update(func(tx kv.Tx) error {
		bk := tx.Bucket(bktAccounts)
		v := bytes.Clone(bk.Get([]byte(a.ID)))
		v[len(v)-3] ^= 1
		if err := bk.Put([]byte(a.ID), v); err != nil {
			return err
		}
		return bk.Put([]byte("111111111111"), bytes.Clone(bk.Get([]byte(b.ID)))) // moved
	})
	if err != nil {
		t.Fatal(err)
	}
	e.reopen()
	if _, _, err := e.r.LookupRoot(ctx, a.RootAccessKeyID); !errors.Is(err, ErrNotFound) {
		t.Errorf("tampered A authenticates: %v", err)
	}
	if got, _, err := e.r.LookupRoot(ctx, b.RootAccessKeyID); err != nil || got.ID != b.ID {
		t.Errorf("B = %+v %v", got, err)
	}
	if _, err := e.r.Get(ctx, "111111111111"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a moved record is served: %v", err)
	}
	var damaged []string
	e.db.View(func(tx kv.Tx) error {
		return WalkRecordsTx(tx, e.m.RecordKey(), func(w WalkedRecord) {
			if w.Err != nil {
				damaged = append(damaged, w.ID)
			}
		})
	})
	if len(damaged) != 2 {
		t.Errorf("walk found damaged %v, want A's and the moved one", damaged)
	}
}

// rotate-root-key re-seals the roots' secrets; the old key no longer opens them.
func TestReseal(t *testing.T) {
	e := newEnv(t)
	a, secret, _ := e.r.Create(ctx, "a")
	newKey, _ := rootkey.Parse(rootkey.Generate())
	e.close()
	db, err := bolt.Open(e.path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = db.Update(func(tx kv.Tx) error {
		if err := meta.ResealRecordKeyTx(tx, e.root, newKey); err != nil {
			return err
		}
		n, err = ResealTx(tx, e.root, newKey)
		return err
	})
	db.Close()
	if err != nil || n != 1 {
		t.Fatalf("ResealTx = %d, %v", n, err)
	}
	e.root = newKey
	e.open()
	if _, s, err := e.r.LookupRoot(ctx, a.RootAccessKeyID); err != nil || s != secret {
		t.Fatalf("after reseal: %q %v", s, err)
	}
}
