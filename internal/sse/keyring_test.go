package sse

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

func testRoot(t *testing.T, b byte) *rootkey.Key {
	k, err := rootkey.New(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyringRotateReopenReseal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	db, _ := bolt.Open(path, bolt.Options{})
	root := testRoot(t, 1)
	kr, err := OpenKeyring(ctx, db, root)
	if err != nil {
		t.Fatal(err)
	}
	v1, k1 := kr.Current()
	v2, _ := kr.Rotate(ctx)
	if v1 != 1 || v2 != 2 {
		t.Fatalf("versions %d %d", v1, v2)
	}
	db.Close()

	// the raw keys never reach the file
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, k1) {
		t.Fatal("master key stored unsealed")
	}

	db, _ = bolt.Open(path, bolt.Options{})
	kr, err = OpenKeyring(ctx, db, root)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := kr.Current(); v != 2 {
		t.Fatalf("current after reopen = %d", v)
	}
	if got, _ := kr.Get(1); !bytes.Equal(got, k1) {
		t.Fatal("version 1 changed")
	}
	if _, err := kr.Get(9); !errors.Is(err, ErrNoMasterKey) {
		t.Fatal(err)
	}
	newRoot := testRoot(t, 2)
	if err := db.Update(func(tx kv.Tx) error { return ResealKeyring(tx, root, newRoot) }); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeyring(ctx, db, root); err == nil {
		t.Fatal("old root still opens the keyring after reseal")
	}
	kr, err = OpenKeyring(ctx, db, newRoot)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := kr.Get(1); !bytes.Equal(got, k1) {
		t.Fatal("reseal changed a master key")
	}
	db.Close()
}
