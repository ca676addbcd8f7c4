package gcommit

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestGroupCommitIsolatesFailures(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err })
	g := New(db)
	bad := errors.New("bad")
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = g.Update(func(tx *bolt.Tx) error {
				if i%7 == 0 {
					return bad
				}
				return tx.Bucket([]byte("b")).Put([]byte(fmt.Sprint(i)), []byte("v"))
			})
		}(i)
	}
	wg.Wait()
	db.View(func(tx *bolt.Tx) error {
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
