package meta_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/meta/metatest"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// kvStore is meta.KVStore with the kv store under it: Close closes both, as the suite
// needs to reopen a directory.
type kvStore struct {
	*meta.KVStore
	db *bolt.Store
}

func (s kvStore) Close() error {
	s.KVStore.Close()
	return s.db.Close()
}

// TestContract runs the meta.Store contract suite on the kv-backed store over the
// embedded kv backend.
func TestContract(t *testing.T) {
	root, err := rootkey.New(bytes.Repeat([]byte{7}, rootkey.Size))
	if err != nil {
		t.Fatal(err)
	}
	metatest.Run(t, metatest.Backend{Open: func(t *testing.T, dir string) meta.Store {
		t.Helper()
		db, err := bolt.Open(filepath.Join(dir, "meta.db"), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := meta.Open(db, root, nil)
		if err != nil {
			db.Close()
			t.Fatal(err)
		}
		return kvStore{s, db}
	}})
}
