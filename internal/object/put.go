package object

import (
	"context"
	"time"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// PutInput is a PutObject.
type PutInput struct {
	Bucket, Key string
	// Template carries the content headers and user metadata to store.
	Template meta.Object
	SSE      SSERequest
	// KMS acts for the caller (nil: SSE-KMS is not available).
	KMS  sse.KMS
	Body Body
	// DefaultChecksum is computed when the client named none (S3: CRC64NVME; "" for none).
	DefaultChecksum string
	Cond            WriteConditions
	// BucketRecord, if the caller already read it, saves reading the bucket again (its
	// default encryption); the commit re-reads what it must inside its transaction.
	BucketRecord *meta.Bucket
}

// Put stores a new object under in.Key, replacing any object there once committed (the
// replaced object's blobs are then removed). It returns the stored record.
//
// Errors: meta.ErrNoSuchBucket; ErrSSECBlocked, ErrContextWithoutKMS; the body's digest
// errors (ErrBadDigest, ErrBadChecksum, ErrBadChecksumVal, ErrIncompleteBody,
// ErrBodyTooLong) or its reader's; ErrPreconditionFailed or meta.ErrNoSuchKey from the
// conditions; KMS errors for SSE-KMS.
func (e *Engine) Put(ctx context.Context, in PutInput) (*meta.Object, error) {
	b := in.BucketRecord
	if b == nil {
		rec, err := e.meta.GetBucket(ctx, in.Bucket)
		if err != nil {
			return nil, err
		}
		b = &rec
	}
	enc, w, err := e.beginWrite(ctx, in.KMS, in.SSE, b, in.Key)
	if err != nil {
		return nil, err
	}
	sd, err := e.storeBody(ctx, w, "", 0, in.Body, in.DefaultChecksum)
	if err != nil {
		return nil, err
	}
	o := in.Template
	o.Key = in.Key
	o.Size = sd.size
	o.ETag = sd.etag
	o.LastModified = time.Now().UTC()
	o.Pieces = []meta.Piece{sd.piece("", 0)}
	o.Enc = enc
	o.Parts = nil
	o.Checksum = nil
	if sd.alg != "" {
		o.Checksum = &meta.Checksum{Algorithm: sd.alg, Value: sd.ck, Type: "FULL_OBJECT"}
	}
	if err := e.commitObject(ctx, in.Bucket, &o, w, in.Cond.cond(), sd.blobID); err != nil {
		return nil, err
	}
	return &o, nil
}

// DeleteInput is a DeleteObject.
type DeleteInput struct {
	Bucket, Key string
	// VersionID deletes that version for good ("null" for the null version); "" deletes
	// the key as the bucket's versioning state says (a delete marker where versioned).
	VersionID string
	// BypassGovernance lets a VersionID delete remove a version under GOVERNANCE
	// retention: the caller asked to and is allowed to (lock.go).
	BypassGovernance bool
	// Cond are the delete's preconditions (tags.go).
	Cond DeleteConditions
}

// Delete deletes a key or a version and removes the blobs of what is gone for good;
// deleting what does not exist is not an error. Returns meta.ErrNoSuchBucket.
func (e *Engine) Delete(ctx context.Context, in DeleteInput) (meta.DeleteResult, error) {
	res, err := e.meta.DeleteObject(ctx, in.Bucket, in.Key, meta.DeleteOptions{Cond: in.Cond.cond(), VersionID: in.VersionID, BypassGovernance: in.BypassGovernance})
	if err != nil {
		return res, err
	}
	e.removeBlobs(ctx, res.Removed)
	return res, nil
}

// List returns one page of a bucket's objects (current versions, no delete markers).
func (e *Engine) List(ctx context.Context, bucket string, opt meta.ListOptions) (meta.ListResult, error) {
	return e.meta.ListObjects(ctx, bucket, opt)
}

// ListVersions returns one page of a bucket's versions and delete markers.
func (e *Engine) ListVersions(ctx context.Context, bucket string, opt meta.VersionListOptions) (meta.VersionListResult, error) {
	return e.meta.ListVersions(ctx, bucket, opt)
}
