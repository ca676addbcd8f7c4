package meta

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// testStore is a KVStore with the embedded kv store under it; Close closes both, so a
// test can reopen the file.
type testStore struct {
	*KVStore
	kv *bolt.Store
}

func (s *testStore) Close() error {
	s.KVStore.Close()
	return s.kv.Close()
}

// openAt opens the metadata store in the embedded kv store at path.
func openAt(t testing.TB, path string, root *rootkey.Key) (*testStore, error) {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return nil, err
	}
	s, err := Open(db, root, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &testStore{s, db}, nil
}

// testRoot is a fixed root key, so a test can reopen what it wrote.
func testRoot(t testing.TB) *rootkey.Key {
	t.Helper()
	k, err := rootkey.New(bytes.Repeat([]byte{7}, rootkey.Size))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// uid is a well-formed upload id (the shape Arca issues) for n.
func uid(n int) string { return fmt.Sprintf("%040x", n) }

// openTestStore opens a store in a new embedded kv store, closed when the test ends.
func openTestStore(t *testing.T) *testStore {
	t.Helper()
	s, err := openAt(t, filepath.Join(t.TempDir(), "meta.db"), testRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
