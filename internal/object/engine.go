// Package object is the object engine: writing and reading objects (SSE spec in, encrypt
// and stream, digests, conditions, commit, retry when a blob vanished), copies and
// multipart uploads, over plain structs. It knows nothing of HTTP or of any wire protocol:
// s3api decodes a request into these inputs, authorizes it, calls the engine and encodes
// the result; Arca's own producers of objects (trail log files, offline readers) call the
// engine directly.
//
// Entry points: Put, Open (GET/HEAD), Copy, CreateUpload, UploadPart, UploadPartCopy,
// Complete, Abort, Delete, List and the Internal* helpers. Every error is one of the
// sentinels in errors.go (possibly an *Error with specifics), an error of meta, blob, sse or
// kms, or an internal error.
package object

import (
	"context"
	"log/slog"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// DefaultChecksum is what S3 computes for objects uploaded without a checksum.
const DefaultChecksum = "CRC64NVME"

// MaxPutSize is the largest single PUT (and part) S3 accepts.
const MaxPutSize = 5 << 30

// MaxPartNumber is the highest part number, and so the most parts an upload has.
const MaxPartNumber = 10000

// Config tunes the engine.
type Config struct {
	// MinPartSize is the smallest size of a part other than the last (AWS: 5 MiB).
	MinPartSize int64
	// SSECAllowedByDefault: CreateBucket gives new buckets no SSE-C block, as S3 did before
	// April 2026 (NewBucketEncryption; --compat-ssec-allowed-by-default).
	SSECAllowedByDefault bool
}

// Deps are what the engine works through.
type Deps struct {
	Meta  meta.Store
	Blobs blob.Store
	SSE   *sse.Engine
	Log   *slog.Logger
}

// Engine writes and reads objects.
type Engine struct {
	cfg   Config
	meta  meta.Store
	blobs blob.Store
	sse   *sse.Engine
	log   *slog.Logger
}

// New returns an engine.
func New(cfg Config, d Deps) *Engine {
	if cfg.MinPartSize == 0 {
		cfg.MinPartSize = 5 << 20
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Engine{cfg: cfg, meta: d.Meta, blobs: d.Blobs, sse: d.SSE, log: d.Log}
}

// Meta is the metadata store the engine works on (for bucket-level operations the engine
// does not wrap).
func (e *Engine) Meta() meta.Store { return e.meta }

// removeBlobs removes the blobs of a replaced or deleted object; a failure is left to the
// start-up sweep.
func (e *Engine) removeBlobs(ctx context.Context, o *meta.Object) {
	if o == nil {
		return
	}
	for _, id := range o.BlobIDs() {
		if err := e.blobs.Remove(ctx, id); err != nil {
			e.log.Warn("object: removing a replaced blob failed; the start-up sweep will retry", "err", err)
		}
	}
}

// commit records o as the key's current version, then removes the blobs of a version it
// replaced for good, and sets o.VersionID to the version it became. On failure the new blobs
// are removed so nothing is left unreferenced.
func (e *Engine) commit(ctx context.Context, bucket string, o *meta.Object, cond meta.PutCondition, newBlobs ...string) error {
	o.Task = TaskMarkerFrom(ctx) // a copy's source marker never carries over
	res, err := e.meta.PutObject(ctx, bucket, *o, cond)
	if err != nil {
		for _, id := range newBlobs {
			e.blobs.Remove(ctx, id)
		}
		return err
	}
	o.VersionID = res.VersionID
	e.removeBlobs(ctx, res.Replaced)
	return nil
}
