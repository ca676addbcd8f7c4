package bolt

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/kv/kvtest"
)

func backend() kvtest.Backend {
	return kvtest.Backend{
		Open: func(t *testing.T, dir string) kv.DB {
			s, err := Open(filepath.Join(dir, "meta.db"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Close: func(db kv.DB) error { return db.(*Store).Close() },
	}
}

func TestContract(t *testing.T) { kvtest.Run(t, backend()) }

func TestReadOnlyAndLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "meta.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{ReadOnly: true, Timeout: 50e6}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open while held: %v", err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Update(func(kv.Tx) error { return nil }); !errors.Is(err, kv.ErrReadOnly) {
		t.Fatalf("update of a read-only store: %v", err)
	}
}

func TestCopyTo(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "meta.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put := func(v string) {
		t.Helper()
		err := s.Update(func(tx kv.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte(v))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("old")
	snap := filepath.Join(dir, "snap.db")
	if err := s.CopyTo(snap); err != nil {
		t.Fatal(err)
	}
	put("new")
	c, err := Open(snap, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.View(func(tx kv.Tx) error {
		if got := string(tx.Bucket([]byte("b")).Get([]byte("k"))); got != "old" {
			t.Errorf("the copy holds %q, want the value at the time of the copy", got)
		}
		return nil
	})
}
