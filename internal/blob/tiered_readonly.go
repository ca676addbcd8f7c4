package blob

import (
	"fmt"
	"os"

	"github.com/arcastore/arca/internal/kv"
)

// OpenTieredReadOnly is OpenTiered for reading an existing store (offline tools): it
// creates nothing, neither the blobs bucket in the kv store nor directories. db may be a
// read-only store; writes through the result then fail.
func OpenTieredReadOnly(db kv.DB, dir string, threshold int) (*Tiered, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("blob: %s is not a blob directory: %v", dir, err)
	}
	err := db.View(func(tx kv.Tx) error {
		if tx.Bucket(bktSmall) == nil {
			return fmt.Errorf("blob: the metadata file has no %q bucket", bktSmall)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Tiered{db: db, files: &FS{root: dir, dirs: newDirSyncers()}, threshold: threshold}, nil
}
