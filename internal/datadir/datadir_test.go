package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/kv"
)

// The names are the on-disk layout: an existing data directory must keep opening.
func TestLayout(t *testing.T) {
	d := At("/data")
	for _, c := range []struct{ got, want string }{
		{d.Identity(), "/data/identity.json"},
		{d.RootCredentials(), "/data/root-credentials.json"},
		{d.RootKey(), "/data/kms-root-key"},
		{d.TLSCert(), "/data/tls/cert.pem"},
		{d.TLSKey(), "/data/tls/key.pem"},
		{d.Store(), "/data/meta.db"},
		{d.Blobs(), "/data/blobs"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

func TestOpenStore(t *testing.T) {
	d := At(filepath.Join(t.TempDir(), "data"))
	if err := d.Check(); !errors.Is(err, ErrNotADataDir) {
		t.Fatalf("Check of a missing directory: %v", err)
	}
	for _, m := range []Mode{Offline, ReadOnly} {
		if _, err := d.OpenStore(m); !errors.Is(err, ErrNotADataDir) {
			t.Fatalf("mode %d creates the store: %v", m, err)
		}
	}
	if err := d.Create(); err != nil {
		t.Fatal(err)
	}
	s, err := d.OpenStore(Serve)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.OpenStore(ReadOnly); !errors.Is(err, ErrInUse) {
		t.Fatalf("read-only open while served: %v", err)
	}
	s.Close()
	if err := os.WriteFile(d.Identity(), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
	ro, err := d.OpenStore(ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Update(func(kv.Tx) error { return nil }); !errors.Is(err, kv.ErrReadOnly) {
		t.Fatalf("update through a read-only store: %v", err)
	}
}
