package meta

import (
	"errors"
	"fmt"
	"github.com/arcastore/arca/internal/recauth"
	"log/slog"
	"time"

	"github.com/arcastore/arca/internal/rootkey"

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
//
// Records are authenticated with the record key sealed under root; a file that has no
// record key (format 1, which no server of format 2 has opened yet) is read as it is.
func OpenBoltReadOnly(path string, root *rootkey.Key, log *slog.Logger) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("meta: open %s read-only: %w", path, err)
	}
	s := &BoltStore{db: db, gc: gcommit.New(db), log: log}
	if s.log == nil {
		s.log = slog.Default()
	}
	err = db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktBuckets, bktObjects, bktUploads} {
			if tx.Bucket(b) == nil {
				return ErrNotInitialized
			}
		}
		var sealed []byte
		if kb := tx.Bucket(bktRecordKey); kb != nil {
			sealed = kb.Get(keyRecordKey)
		}
		if sealed == nil {
			s.mac = recauth.NewLegacy()
			return nil
		}
		if root == nil {
			return fmt.Errorf("meta: no root key to open the record key")
		}
		k, err := root.Open(recordKeyAAD, sealed)
		if err != nil {
			return fmt.Errorf("meta: the record key does not open with this root key: %w", err)
		}
		s.mac = recauth.New(k)
		clear(k)
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
