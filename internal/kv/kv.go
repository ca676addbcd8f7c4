// Package kv is the storage seam: the ordered key-value store, with nested buckets and
// atomic, durable transactions, that every domain package keeps its state in (object and
// bucket records, KMS keys, IAM entities, the audit trail, trails, the SSE-S3 keyring,
// small blobs). Domain packages see only these interfaces; a backend implements them in
// one place (internal/storage/bolt, the embedded default on bbolt) and passes the contract
// suite in package kvtest, which any later backend runs as it is.
//
// The model is bbolt's: a transaction sees a tree of named buckets, each holding keys
// ordered bytewise and nested buckets; a read transaction sees a consistent snapshot; a
// write transaction is all-or-nothing and durable once Update returns nil. Because every
// domain keeps its state in the one store, one transaction can span domains (an object
// record and its audit record, a key's policy and its recovery marker).
//
// Byte slices returned by Get, cursors and ForEach are valid only inside the transaction;
// copy them to keep them. Keys must be non-empty.
package kv

import "errors"

// Errors a backend returns (possibly wrapped).
var (
	// ErrBucketNotFound: DeleteBucket of a bucket that does not exist.
	ErrBucketNotFound = errors.New("kv: bucket not found")
	// ErrBucketExists: CreateBucket of a name already taken.
	ErrBucketExists = errors.New("kv: bucket already exists")
	// ErrIncompatibleValue: a bucket operation on a key holding a value, or the reverse.
	ErrIncompatibleValue = errors.New("kv: incompatible value")
	// ErrReadOnly: a write in a read transaction, or on a store opened read-only.
	ErrReadOnly = errors.New("kv: read-only")
	// ErrFailed: an earlier commit failed; the store takes no more writes until reopened.
	ErrFailed = errors.New("kv: an earlier commit failed; the store is read-only until restart")
)

// DB is a store.
type DB interface {
	// View runs fn in a read transaction (a consistent snapshot).
	View(fn func(Tx) error) error
	// Update runs fn in a write transaction and returns once it is durably committed, or
	// with fn's own error (then nothing fn did is kept). Concurrent updates may share one
	// commit (group commit); fn may then run more than once, so it must only set its
	// results, never accumulate them. After a failed commit every update fails with
	// ErrFailed.
	Update(fn func(Tx) error) error
	// UpdateAsync queues fn like Update and returns at once; the channel yields the
	// result once fn's transaction committed. Functions commit in the order queued: when a
	// later Update returns nil, every function queued before it is durable too.
	UpdateAsync(fn func(Tx) error) <-chan error
}

// Tx is a transaction: the root of the bucket tree.
type Tx interface {
	// Bucket returns the top-level bucket name, or nil.
	Bucket(name []byte) Bucket
	// CreateBucket returns ErrBucketExists if name exists.
	CreateBucket(name []byte) (Bucket, error)
	// CreateBucketIfNotExists returns the bucket, creating it if needed.
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	// DeleteBucket deletes a top-level bucket and all it holds; ErrBucketNotFound if none.
	DeleteBucket(name []byte) error
	// ForEach calls fn for every top-level bucket, in name order.
	ForEach(fn func(name []byte, b Bucket) error) error
	// Writable reports whether this is a write transaction.
	Writable() bool
}

// Bucket is a named set of keys (values or nested buckets), ordered bytewise.
type Bucket interface {
	// Get returns the value at key, or nil if none (or if key names a nested bucket). An
	// empty value is returned as an empty, non-nil slice.
	Get(key []byte) []byte
	// Put sets key to value (which must not be nil).
	Put(key, value []byte) error
	// Delete removes key's value; deleting a missing key is not an error.
	Delete(key []byte) error
	// Bucket returns the nested bucket name, or nil.
	Bucket(name []byte) Bucket
	CreateBucket(name []byte) (Bucket, error)
	CreateBucketIfNotExists(name []byte) (Bucket, error)
	DeleteBucket(name []byte) error
	// ForEach calls fn for every key in order; v is nil for a nested bucket. fn must not
	// change the bucket.
	ForEach(fn func(k, v []byte) error) error
	// ForEachBucket calls fn for the name of every nested bucket, in order.
	ForEachBucket(fn func(k []byte) error) error
	// Cursor iterates the keys in order.
	Cursor() Cursor
}

// Cursor walks a bucket's keys in byte order. Each move returns the key and value it
// lands on (v nil for a nested bucket), or a nil key past either end.
type Cursor interface {
	First() (k, v []byte)
	Last() (k, v []byte)
	Next() (k, v []byte)
	Prev() (k, v []byte)
	// Seek moves to the first key >= seek.
	Seek(seek []byte) (k, v []byte)
}
