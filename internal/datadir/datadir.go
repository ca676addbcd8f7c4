// Package datadir owns the layout of Arca's data directory (docs/STORAGE.md): the name of
// every file and directory in it, and opening the embedded store it holds. The server, the
// offline tools and `arca admin` ask a Dir for paths; no other package joins these names.
//
//	DATA/
//	  identity.json           account id and canonical owner id (created on first start)
//	  root-credentials.json   generated root keys, mode 0600
//	  kms-root-key            generated development root key (absent with a root key given)
//	  tls/cert.pem, key.pem   generated self-signed certificate
//	  meta.db                 the embedded store (internal/storage/bolt): every kv bucket
//	  blobs/                  large blobs as files (internal/blob)
//
// What is stable: the names above (an existing directory must keep opening).
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/arcastore/arca/internal/storage/bolt"
)

// ErrNotADataDir is returned by Check for a directory no server has used.
var ErrNotADataDir = errors.New("not a data directory of Arca (no identity.json or meta.db)")

// ErrInUse is returned (wrapped) by OpenStore while another process holds the store: a
// server running on the directory, or another offline tool.
var ErrInUse = bolt.ErrLocked

// Dir is a data directory.
type Dir struct{ root string }

// At is the data directory at path (which need not exist yet).
func At(path string) Dir { return Dir{root: path} }

// Path is the directory itself.
func (d Dir) Path() string { return d.root }

// Identity is the account identity file.
func (d Dir) Identity() string { return d.join("identity.json") }

// RootCredentials is the file of generated root credentials.
func (d Dir) RootCredentials() string { return d.join("root-credentials.json") }

// RootKeyName is the name of the generated development root key in the directory.
const RootKeyName = "kms-root-key"

// RootKey is the generated development root key.
func (d Dir) RootKey() string { return d.join(RootKeyName) }

// TLSDir holds the generated self-signed certificate and its key.
func (d Dir) TLSDir() string { return d.join("tls") }

// TLSCert is the generated self-signed certificate.
func (d Dir) TLSCert() string { return filepath.Join(d.TLSDir(), "cert.pem") }

// TLSKey is the generated certificate's private key.
func (d Dir) TLSKey() string { return filepath.Join(d.TLSDir(), "key.pem") }

// Store is the embedded store's file.
func (d Dir) Store() string { return d.join("meta.db") }

// Blobs is the directory of large blobs.
func (d Dir) Blobs() string { return d.join("blobs") }

func (d Dir) join(name string) string { return filepath.Join(d.root, name) }

// Create makes the directory if it does not exist (mode 0700).
func (d Dir) Create() error { return os.MkdirAll(d.root, 0o700) }

// Check returns an error wrapping ErrNotADataDir unless a server has used the directory
// (it holds the identity and the store).
func (d Dir) Check() error {
	for _, p := range []string{d.Identity(), d.Store()} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s: %w", d.root, ErrNotADataDir)
		}
	}
	return nil
}

// HasStore reports whether the store's file exists.
func (d Dir) HasStore() bool {
	_, err := os.Stat(d.Store())
	return err == nil
}

// Mode is how OpenStore opens the store.
type Mode int

const (
	// Serve opens for a server: created if missing, waiting up to 2 s for the lock.
	Serve Mode = iota
	// Offline opens an existing store for writing by an offline tool (`arca admin`),
	// failing within a second while a server holds it.
	Offline
	// ReadOnly opens an existing store for reading only (offline tools that must not change
	// the directory), failing within a second while a server holds it.
	ReadOnly
)

// OpenStore opens the embedded store. An error wraps ErrInUse while another process holds
// it.
func (d Dir) OpenStore(m Mode) (*bolt.Store, error) {
	if m != Serve && !d.HasStore() {
		return nil, fmt.Errorf("%s: %w", d.root, ErrNotADataDir)
	}
	o := bolt.Options{}
	if m != Serve {
		o.Timeout = time.Second
	}
	o.ReadOnly = m == ReadOnly
	return bolt.Open(d.Store(), o)
}
