// Package kvtest is the contract suite of kv.DB: every backend (the embedded bbolt one,
// and any later one) runs Run against itself. It checks what the domain packages rely on:
// ordering, nested buckets, all-or-nothing updates, durability across reopen, isolation of
// readers, and group commit under concurrency.
package kvtest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/arcastore/arca/internal/kv"
)

// Backend opens (or reopens) a store in dir and closes it.
type Backend struct {
	Open  func(t *testing.T, dir string) kv.DB
	Close func(db kv.DB) error
}

// Run runs the contract suite.
func Run(t *testing.T, b Backend) {
	t.Run("BucketsAndValues", func(t *testing.T) { testBuckets(t, b) })
	t.Run("Ordering", func(t *testing.T) { testOrdering(t, b) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, b) })
	t.Run("Durable", func(t *testing.T) { testDurable(t, b) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, b) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, b) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testBuckets(t *testing.T, b Backend) {
	db := b.Open(t, t.TempDir())
	defer b.Close(db)
	must(t, db.Update(func(tx kv.Tx) error {
		if tx.Bucket([]byte("a")) != nil {
			return errors.New("bucket before creation")
		}
		a, err := tx.CreateBucketIfNotExists([]byte("a"))
		if err != nil {
			return err
		}
		if err := a.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		if err := a.Put([]byte("empty"), []byte{}); err != nil {
			return err
		}
		n, err := a.CreateBucket([]byte("nested"))
		if err != nil {
			return err
		}
		return n.Put([]byte("x"), []byte("y"))
	}))
	must(t, db.View(func(tx kv.Tx) error {
		a := tx.Bucket([]byte("a"))
		if a == nil || string(a.Get([]byte("k"))) != "v" || a.Get([]byte("missing")) != nil {
			return errors.New("value not read back")
		}
		if v := a.Get([]byte("empty")); v == nil || len(v) != 0 {
			return errors.New("an empty value must read back as empty, not as absent")
		}
		if a.Get([]byte("nested")) != nil {
			return errors.New("Get of a nested bucket's name returned a value")
		}
		if n := a.Bucket([]byte("nested")); n == nil || string(n.Get([]byte("x"))) != "y" {
			return errors.New("nested value not read back")
		}
		if a.Bucket([]byte("k")) != nil {
			return errors.New("Bucket of a value's key returned a bucket")
		}
		var keys []string
		var nilVals int
		a.ForEach(func(k, v []byte) error {
			keys = append(keys, string(k))
			if v == nil {
				nilVals++
			}
			return nil
		})
		if fmt.Sprint(keys) != "[empty k nested]" || nilVals != 1 {
			return fmt.Errorf("ForEach = %v (%d nil values)", keys, nilVals)
		}
		var bs []string
		a.ForEachBucket(func(k []byte) error { bs = append(bs, string(k)); return nil })
		if fmt.Sprint(bs) != "[nested]" {
			return fmt.Errorf("ForEachBucket = %v", bs)
		}
		var tops []string
		tx.ForEach(func(name []byte, _ kv.Bucket) error { tops = append(tops, string(name)); return nil })
		if fmt.Sprint(tops) != "[a]" {
			return fmt.Errorf("top-level buckets %v", tops)
		}
		if tx.Writable() {
			return errors.New("a read transaction says it is writable")
		}
		return nil
	}))
	must(t, db.Update(func(tx kv.Tx) error {
		a := tx.Bucket([]byte("a"))
		if err := a.Delete([]byte("k")); err != nil {
			return err
		}
		if err := a.Delete([]byte("never")); err != nil {
			return fmt.Errorf("deleting a missing key: %v", err)
		}
		if err := a.DeleteBucket([]byte("nested")); err != nil {
			return err
		}
		if !tx.Writable() {
			return errors.New("a write transaction says it is read-only")
		}
		return nil
	}))
	must(t, db.View(func(tx kv.Tx) error {
		a := tx.Bucket([]byte("a"))
		if a.Get([]byte("k")) != nil || a.Bucket([]byte("nested")) != nil {
			return errors.New("deleted key or bucket still there")
		}
		return nil
	}))
	must(t, db.Update(func(tx kv.Tx) error { return tx.DeleteBucket([]byte("a")) }))
	must(t, db.View(func(tx kv.Tx) error {
		if tx.Bucket([]byte("a")) != nil {
			return errors.New("deleted top-level bucket still there")
		}
		return nil
	}))
}

func testOrdering(t *testing.T, b Backend) {
	db := b.Open(t, t.TempDir())
	defer b.Close(db)
	keys := []string{"b", "a", "a/b", "a\x00", "\xff", "A", "a/", "ab", "é", "0"}
	must(t, db.Update(func(tx kv.Tx) error {
		bk, err := tx.CreateBucket([]byte("o"))
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := bk.Put([]byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		return nil
	}))
	want := []string{"0", "A", "a", "a\x00", "a/", "a/b", "ab", "b", "é", "\xff"}
	must(t, db.View(func(tx kv.Tx) error {
		c := tx.Bucket([]byte("o")).Cursor()
		var got []string
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if string(v) != "v"+string(k) {
				return fmt.Errorf("value of %q is %q", k, v)
			}
			got = append(got, string(k))
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			return fmt.Errorf("forward order %q, want %q", got, want)
		}
		got = nil
		for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
			got = append([]string{string(k)}, got...)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			return fmt.Errorf("backward order %q", got)
		}
		for _, s := range []struct{ seek, want string }{{"a/", "a/"}, {"a0", "ab"}, {"", "0"}, {"c", "é"}} {
			if k, _ := c.Seek([]byte(s.seek)); string(k) != s.want {
				return fmt.Errorf("Seek(%q) = %q, want %q", s.seek, k, s.want)
			}
		}
		if k, _ := c.Seek([]byte("\xff\xff")); k != nil {
			return fmt.Errorf("Seek past the end = %q", k)
		}
		return nil
	}))
}

func testRollback(t *testing.T, b Backend) {
	db := b.Open(t, t.TempDir())
	defer b.Close(db)
	must(t, db.Update(func(tx kv.Tx) error {
		bk, err := tx.CreateBucket([]byte("r"))
		if err != nil {
			return err
		}
		return bk.Put([]byte("k"), []byte("old"))
	}))
	boom := errors.New("boom")
	err := db.Update(func(tx kv.Tx) error {
		tx.Bucket([]byte("r")).Put([]byte("k"), []byte("new"))
		tx.Bucket([]byte("r")).Put([]byte("k2"), []byte("new"))
		tx.CreateBucket([]byte("r2"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	must(t, db.View(func(tx kv.Tx) error {
		r := tx.Bucket([]byte("r"))
		if string(r.Get([]byte("k"))) != "old" || r.Get([]byte("k2")) != nil || tx.Bucket([]byte("r2")) != nil {
			return errors.New("a failed update left changes")
		}
		return nil
	}))
}

func testDurable(t *testing.T, b Backend) {
	dir := t.TempDir()
	db := b.Open(t, dir)
	must(t, db.Update(func(tx kv.Tx) error {
		bk, err := tx.CreateBucket([]byte("d"))
		if err != nil {
			return err
		}
		return bk.Put([]byte("k"), bytes.Repeat([]byte("x"), 100000))
	}))
	// An UpdateAsync queued before an Update that returned nil is durable too.
	async := db.UpdateAsync(func(tx kv.Tx) error { return tx.Bucket([]byte("d")).Put([]byte("async"), []byte("1")) })
	must(t, db.Update(func(tx kv.Tx) error { return tx.Bucket([]byte("d")).Put([]byte("after"), []byte("1")) }))
	must(t, <-async)
	must(t, b.Close(db))
	db = b.Open(t, dir)
	defer b.Close(db)
	must(t, db.View(func(tx kv.Tx) error {
		d := tx.Bucket([]byte("d"))
		if d == nil || len(d.Get([]byte("k"))) != 100000 || d.Get([]byte("async")) == nil || d.Get([]byte("after")) == nil {
			return errors.New("committed data lost across reopen")
		}
		return nil
	}))
}

func testConcurrent(t *testing.T, b Backend) {
	db := b.Open(t, t.TempDir())
	defer b.Close(db)
	must(t, db.Update(func(tx kv.Tx) error { _, err := tx.CreateBucket([]byte("c")); return err }))
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Update(func(tx kv.Tx) error {
				if i%8 == 7 {
					return fmt.Errorf("fail %d", i) // fails alone; the rest of its group commits
				}
				return tx.Bucket([]byte("c")).Put([]byte(fmt.Sprintf("%03d", i)), []byte("v"))
			})
		}()
	}
	// A reader sees a consistent snapshot while writers run.
	must(t, db.View(func(tx kv.Tx) error {
		c := tx.Bucket([]byte("c"))
		first := 0
		c.ForEach(func(k, v []byte) error { first++; return nil })
		second := 0
		c.ForEach(func(k, v []byte) error { second++; return nil })
		if first != second {
			return fmt.Errorf("snapshot changed inside a read: %d then %d keys", first, second)
		}
		return nil
	}))
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	must(t, db.View(func(tx kv.Tx) error {
		count := 0
		tx.Bucket([]byte("c")).ForEach(func(k, v []byte) error { count++; return nil })
		if failed != n/8 || count != n-n/8 {
			return fmt.Errorf("%d updates failed and %d keys stored, want %d and %d", failed, count, n/8, n-n/8)
		}
		return nil
	}))
}

func testErrors(t *testing.T, b Backend) {
	db := b.Open(t, t.TempDir())
	defer b.Close(db)
	must(t, db.Update(func(tx kv.Tx) error {
		bk, err := tx.CreateBucket([]byte("e"))
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucket([]byte("e")); !errors.Is(err, kv.ErrBucketExists) {
			return fmt.Errorf("CreateBucket twice: %v", err)
		}
		if err := tx.DeleteBucket([]byte("none")); !errors.Is(err, kv.ErrBucketNotFound) {
			return fmt.Errorf("DeleteBucket of none: %v", err)
		}
		if err := bk.Put([]byte("v"), []byte("1")); err != nil {
			return err
		}
		if _, err := bk.CreateBucket([]byte("v")); !errors.Is(err, kv.ErrIncompatibleValue) {
			return fmt.Errorf("CreateBucket over a value: %v", err)
		}
		return nil
	}))
	err := db.View(func(tx kv.Tx) error { return tx.Bucket([]byte("e")).Put([]byte("x"), []byte("1")) })
	if !errors.Is(err, kv.ErrReadOnly) {
		t.Fatalf("Put in a read transaction: %v", err)
	}
}
