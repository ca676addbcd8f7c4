package bolt

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/arcastore/arca/internal/kv"
)

func TestGroupCommitIsolatesFailures(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err })
	g := &committer{db: db}
	bad := errors.New("bad")
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = g.update(func(tx *bbolt.Tx) error {
				if i%7 == 0 {
					return bad
				}
				return tx.Bucket([]byte("b")).Put([]byte(fmt.Sprint(i)), []byte("v"))
			})
		}(i)
	}
	wg.Wait()
	db.View(func(tx *bbolt.Tx) error {
		for i := 0; i < 100; i++ {
			v := tx.Bucket([]byte("b")).Get([]byte(fmt.Sprint(i)))
			if i%7 == 0 && (errs[i] != bad || v != nil) {
				t.Errorf("%d: failing write: err=%v stored=%v", i, errs[i], v != nil)
			}
			if i%7 != 0 && (errs[i] != nil || v == nil) {
				t.Errorf("%d: good write: err=%v stored=%v", i, errs[i], v != nil)
			}
		}
		return nil
	})
}

// A commit that fails (here: the file is gone from under the store) fails every later
// update with kv.ErrFailed, so nothing queued after it is acknowledged.
func TestFailedCommitIsSticky(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "meta.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.db.Close()
	for i := range 2 {
		err := s.Update(func(kv.Tx) error { return nil })
		if !errors.Is(err, kv.ErrFailed) {
			t.Fatalf("update %d after a failed commit: %v", i, err)
		}
	}
}
