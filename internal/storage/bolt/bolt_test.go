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
