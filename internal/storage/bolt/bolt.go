// Package bolt is the embedded storage backend: kv.DB on one bbolt file, with group
// commit (commit.go). It is the one place that knows bbolt; every domain package sees
// only internal/kv. It passes the contract suite in internal/kv/kvtest.
package bolt

import (
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/arcastore/arca/internal/kv"
)

// Options for Open.
type Options struct {
	// ReadOnly opens an existing file for reading only, with a shared lock (offline
	// tools): it fails while a server holds the file, and every update fails with
	// kv.ErrReadOnly.
	ReadOnly bool
	// Timeout is how long to wait for the file's lock (default 2 s).
	Timeout time.Duration
	// NoSync skips the fsync of every commit: for tests and benchmarks only, since a
	// crash then loses committed updates.
	NoSync bool
}

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("the metadata file is in use by another process (is a server running on this data directory?)")

// Store is kv.DB on a bbolt file.
type Store struct {
	db *bbolt.DB
	gc *committer
	ro bool
}

var _ kv.DB = (*Store)(nil)

// Open opens (or, unless read-only, creates) the file at path.
func Open(path string, o Options) (*Store, error) {
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	// The freelist is rebuilt at open instead of being written at every commit: commits
	// are smaller and faster, opening a large file slower.
	opts := &bbolt.Options{Timeout: o.Timeout, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType}
	if o.ReadOnly {
		opts = &bbolt.Options{ReadOnly: true, Timeout: o.Timeout}
	}
	opts.NoSync = o.NoSync
	db, err := bbolt.Open(path, 0o600, opts)
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Store{db: db, gc: &committer{db: db}, ro: o.ReadOnly}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// CopyTo writes a consistent copy of the store, as of now, to a new file at path (a
// backup, or a test's snapshot of what a crash would leave). Updates continue meanwhile.
func (s *Store) CopyTo(path string) error {
	return s.db.View(func(t *bbolt.Tx) error { return t.CopyFile(path, 0o600) })
}

// View runs fn in a read transaction.
func (s *Store) View(fn func(kv.Tx) error) error {
	return s.db.View(func(t *bbolt.Tx) error { return fn(tx{t}) })
}

// Update runs fn in a group-committed write transaction.
func (s *Store) Update(fn func(kv.Tx) error) error {
	return <-s.UpdateAsync(fn)
}

// UpdateAsync queues fn for the next group commit.
func (s *Store) UpdateAsync(fn func(kv.Tx) error) <-chan error {
	if s.ro {
		c := make(chan error, 1)
		c <- kv.ErrReadOnly
		return c
	}
	return s.gc.updateAsync(func(t *bbolt.Tx) error { return fn(tx{t}) })
}

// mapErr turns bbolt's errors into kv's, keeping any other error as is.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bbolt.ErrBucketNotFound):
		return kv.ErrBucketNotFound
	case errors.Is(err, bbolt.ErrBucketExists):
		return kv.ErrBucketExists
	case errors.Is(err, bbolt.ErrIncompatibleValue):
		return kv.ErrIncompatibleValue
	case errors.Is(err, bbolt.ErrTxNotWritable), errors.Is(err, bbolt.ErrDatabaseReadOnly):
		return kv.ErrReadOnly
	}
	return err
}

type tx struct{ t *bbolt.Tx }

func wrapBucket(b *bbolt.Bucket) kv.Bucket {
	if b == nil {
		return nil // a nil interface, never an interface holding a nil pointer
	}
	return bucket{b}
}

func wrapCreate(b *bbolt.Bucket, err error) (kv.Bucket, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	return bucket{b}, nil
}

func (t tx) Bucket(name []byte) kv.Bucket { return wrapBucket(t.t.Bucket(name)) }
func (t tx) CreateBucket(name []byte) (kv.Bucket, error) {
	return wrapCreate(t.t.CreateBucket(name))
}
func (t tx) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return wrapCreate(t.t.CreateBucketIfNotExists(name))
}
func (t tx) DeleteBucket(name []byte) error { return mapErr(t.t.DeleteBucket(name)) }
func (t tx) ForEach(fn func([]byte, kv.Bucket) error) error {
	return t.t.ForEach(func(name []byte, b *bbolt.Bucket) error { return fn(name, bucket{b}) })
}
func (t tx) Writable() bool { return t.t.Writable() }

type bucket struct{ b *bbolt.Bucket }

func (b bucket) Get(k []byte) []byte                      { return b.b.Get(k) }
func (b bucket) Put(k, v []byte) error                    { return mapErr(b.b.Put(k, v)) }
func (b bucket) Delete(k []byte) error                    { return mapErr(b.b.Delete(k)) }
func (b bucket) Bucket(name []byte) kv.Bucket             { return wrapBucket(b.b.Bucket(name)) }
func (b bucket) DeleteBucket(name []byte) error           { return mapErr(b.b.DeleteBucket(name)) }
func (b bucket) ForEach(fn func(k, v []byte) error) error { return b.b.ForEach(fn) }
func (b bucket) ForEachBucket(fn func(k []byte) error) error {
	return b.b.ForEachBucket(fn)
}
func (b bucket) Cursor() kv.Cursor { return b.b.Cursor() }
func (b bucket) CreateBucket(name []byte) (kv.Bucket, error) {
	return wrapCreate(b.b.CreateBucket(name))
}
func (b bucket) CreateBucketIfNotExists(name []byte) (kv.Bucket, error) {
	return wrapCreate(b.b.CreateBucketIfNotExists(name))
}
