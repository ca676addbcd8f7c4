package meta

import (
	"errors"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/gcommit"
	bolt "go.etcd.io/bbolt"
)

// ErrNotInitialized is returned by OpenBoltReadOnly for a metadata file no server has
// initialized (it lacks the buckets OpenBolt creates).
var ErrNotInitialized = errors.New("meta: the metadata file was never initialized by a server")

// OpenBoltReadOnly opens an existing metadata file for reading only (offline tools such
// as `arca audit verify`): bbolt takes a shared lock, so it fails while a server holds the
// file, and nothing is ever written to it — every write method fails with
// bolt.ErrDatabaseReadOnly.
func OpenBoltReadOnly(path string) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("meta: open %s read-only: %w", path, err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktBuckets, bktObjects, bktUploads} {
			if tx.Bucket(b) == nil {
				return ErrNotInitialized
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &BoltStore{db: db, gc: gcommit.New(db)}, nil
}
