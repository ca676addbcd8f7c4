package audit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Keys in audit.events that are not 8 bytes (only tampering makes them) must give errors
// from Verify and Prune and be passed over by the readers — never a panic.
func TestMalformedEventKeys(t *testing.T) {
	for _, bad := range [][]byte{{0x00}, {0xff}, []byte("\x00\x00\x00\x00\x00\x00\x00\x03x"), {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}} {
		t.Run(fmt.Sprintf("%x", bad), func(t *testing.T) {
			tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
			defer db.Close()
			for i := range 6 {
				tr.Handle(context.Background(), rec(fmt.Sprint("Op", i), "u", true, false))
			}
			db.Update(func(tx kv.Tx) error { return tx.Bucket(bucketEvents).Put(bad, []byte("junk")) })
			if _, err := tr.Verify(); !errors.Is(err, ErrChainBroken) {
				t.Errorf("Verify: %v", err)
			}
			if _, err := tr.Prune(time.Now().Add(time.Hour), 1<<62); err != nil && !errors.Is(err, ErrChainBroken) {
				t.Errorf("Prune: %v", err)
			}
			if _, err := ReadAfter(db, 0, 1<<62, 100, 1<<20); err != nil {
				t.Errorf("ReadAfter: %v", err)
			}
			now := time.Now()
			for _, end := range []time.Time{now, now.Add(-time.Hour)} {
				q := Query{Start: now.Add(-24 * time.Hour), End: end, MaxResults: 2}
				for page := 0; page < 10; page++ {
					_, next, err := tr.Lookup(q, now)
					if err != nil || next == "" {
						break
					}
					q.NextToken = next
				}
			}
		})
	}
}
