package meta

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// ErrNotInitialized is returned by OpenReadOnly for a store no server has initialized (it
// lacks the buckets Open creates).
var ErrNotInitialized = errors.New("meta: the metadata file was never initialized by a server")

// OpenReadOnly opens the metadata in db for reading only (offline tools such as `arca
// audit verify`): it writes nothing, so db may be a read-only store (every write method
// then fails with kv.ErrReadOnly).
//
// Records are authenticated with the record key sealed under root; a store that has no
// record key (format 1, which no server of format 2 has opened yet) is read as it is.
func OpenReadOnly(db kv.DB, root *rootkey.Key, log *slog.Logger) (*KVStore, error) {
	s := &KVStore{db: db, log: log}
	if s.log == nil {
		s.log = slog.Default()
	}
	err := db.View(func(tx kv.Tx) error {
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
		return nil, err
	}
	return s, nil
}
