package iam

import (
	"bytes"
	"errors"
	"testing"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
)

const otherAccount = "210987654321"

// openNS opens the store of another account (namespace = its id) over e's file.
func (e *testEnv) openNS(t *testing.T, ns string) *Store {
	t.Helper()
	s, err := Open(ctx, Config{DB: e.db, Root: e.root, RecordKey: e.meta.RecordKey(), AccountID: ns, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Each account's store is its own: same names, separate entities, its own ARNs; the
// primary's stays where it always was (iam/); a record copied from one account into
// another fails authentication there; rotate-root-key re-seals every account's keys.
func TestNamespaces(t *testing.T) {
	e := newEnv(t)
	b := e.openNS(t, otherAccount)
	must[User](t)(e.s.CreateUser(ctx, "alice", ""))
	ub := must[User](t)(b.CreateUser(ctx, "alice", ""))
	if ub.ARN != "arn:aws:iam::"+otherAccount+":user/alice" {
		t.Fatalf("B's alice = %s", ub.ARN)
	}
	kb := must[AccessKey](t)(b.CreateAccessKey(ctx, "alice"))
	if _, _, err := e.s.LookupAccessKey(ctx, kb.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the primary store knows B's key: %v", err)
	}
	must[User](t)(b.CreateUser(ctx, "bonly", ""))
	if _, err := e.s.GetUser(ctx, "bonly"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the primary store sees B's user: %v", err)
	}

	var primaryRec []byte
	err := e.db.Update(func(tx kv.Tx) error {
		if tx.Bucket(bktIAM).Bucket([]byte(kindUsers)).Get([]byte("bonly")) != nil {
			t.Error("B's user is in the primary's bucket")
		}
		nsb := tx.Bucket(bktIAMAccounts).Bucket([]byte(otherAccount))
		if nsb.Bucket([]byte(kindUsers)).Get([]byte("bonly")) == nil {
			t.Error("B's user is not under iam-accounts/<id>/")
		}
		// Copy the primary's alice over B's: authentic in iam/, not in B's namespace.
		primaryRec = bytes.Clone(tx.Bucket(bktIAM).Bucket([]byte(kindUsers)).Get([]byte("alice")))
		return nsb.Bucket([]byte(kindUsers)).Put([]byte("alice"), primaryRec)
	})
	if err != nil {
		t.Fatal(err)
	}
	b = e.openNS(t, otherAccount)
	if _, err := b.GetUser(ctx, "alice"); !errors.Is(err, ErrDamagedRecord) {
		t.Fatalf("a record copied from another account: %v", err)
	}
	if _, _, err := b.LookupAccessKey(ctx, kb.ID); err == nil {
		t.Fatal("the key of a damaged user authenticates")
	}
	var damaged []WalkedRecord
	e.db.View(func(tx kv.Tx) error {
		return WalkRecordsTx(tx, e.meta.RecordKey(), func(w WalkedRecord) {
			if w.Err != nil {
				damaged = append(damaged, w)
			}
		})
	})
	if len(damaged) != 1 || damaged[0].Namespace != otherAccount || damaged[0].Name != "alice" {
		t.Fatalf("walk: damaged %+v", damaged)
	}
}

func TestNamespaceReseal(t *testing.T) {
	e := newEnv(t)
	b := e.openNS(t, otherAccount)
	must[User](t)(b.CreateUser(ctx, "u", ""))
	k := must[AccessKey](t)(b.CreateAccessKey(ctx, "u"))
	must[User](t)(e.s.CreateUser(ctx, "p", ""))
	must[AccessKey](t)(e.s.CreateAccessKey(ctx, "p"))
	other, _ := rootkey.Parse(rootkey.Generate())
	var n int
	err := e.db.Update(func(tx kv.Tx) error {
		var err error
		n, err = ResealTx(tx, e.root, other)
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("ResealTx = %d, %v", n, err)
	}
	e.root = other
	b = e.openNS(t, otherAccount)
	if s, _, err := b.LookupAccessKey(ctx, k.ID); err != nil || s != k.Secret {
		t.Fatalf("B's key after reseal: %v", err)
	}
}
