// Package blob keeps object bytes in files named by random internal ids, never by object
// keys. It knows nothing of buckets, keys or encryption: callers hand it bytes (already
// encrypted, once SSE is on) and get back an id to record in the metadata store.
//
// Durability contract: when Writer.Commit returns nil, the bytes and the file's name are on
// stable storage (file fsync, rename, directory fsync; directory syncs of concurrent commits
// are shared). A blob that was committed but never recorded in metadata (a crash between the
// two) is an orphan, removed at the next start by the server's sweep. (The tiered store's
// small blobs are durable with the next commit of the store they share with the metadata,
// which is the commit that records their id.) A committed blob is visible to Open and Walk
// as soon as Commit returns. Every implementation passes the suite in blob/blobtest.
package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound is returned by Open when no blob has the id.
var ErrNotFound = errors.New("blob: not found")

// Store holds blobs.
type Store interface {
	// Create starts a new blob. Write to it, then Commit or Abort.
	Create(ctx context.Context) (Writer, error)
	// Open returns ErrNotFound if the id names no blob.
	Open(ctx context.Context, id string) (Reader, error)
	// Remove deletes a blob; a missing blob is not an error.
	Remove(ctx context.Context, id string) error
	// Walk calls fn with every committed blob's id and modification time.
	Walk(ctx context.Context, fn func(id string, mod time.Time) error) error
	// CleanTemp removes uncommitted temporary files (from a crash). Call at start only.
	CleanTemp(ctx context.Context) error
}

// Writer receives a new blob's bytes.
type Writer interface {
	io.Writer
	// Commit makes the blob durable and returns its id. After Commit the writer is closed.
	Commit(ctx context.Context) (id string, err error)
	// Abort discards the blob. It is safe to call after Commit (then it does nothing).
	Abort() error
}

// Reader reads a committed blob.
type Reader interface {
	io.ReaderAt
	io.Reader
	io.Seeker
	io.Closer
	Size() int64
}
