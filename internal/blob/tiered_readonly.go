package blob

import (
	"fmt"
	"os"

	"github.com/arcastore/arca/internal/gcommit"
	bolt "go.etcd.io/bbolt"
)

// OpenTieredReadOnly is OpenTiered for reading an existing store (offline tools): it
// creates nothing, neither the blobs bucket in the bbolt file nor directories. gc may be
// over a read-only bbolt file; writes through the result then fail.
func OpenTieredReadOnly(gc *gcommit.DB, dir string, threshold int) (*Tiered, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("blob: %s is not a blob directory: %v", dir, err)
	}
	err := gc.Bolt().View(func(tx *bolt.Tx) error {
		if tx.Bucket(bktSmall) == nil {
			return fmt.Errorf("blob: the metadata file has no %q bucket", bktSmall)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Tiered{db: gc.Bolt(), gc: gc, files: &FS{root: dir, dirs: newDirSyncers()}, threshold: threshold}, nil
}
