package blob_test

import (
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/blob/blobtest"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// The files store and the tiered store of the embedded backend (small blobs in the kv
// store, large ones as files) pass the blob.Store contract.
func TestContractFS(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := blob.OpenFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestContractTiered(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "b.db"), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := blob.OpenTiered(db, t.TempDir(), 64<<10)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
