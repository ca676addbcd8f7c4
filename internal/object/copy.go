package object

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/pkg/encstream"
)

// CopySource names the object a copy reads (already authorized by the caller).
type CopySource struct {
	Bucket, Key string
	// VersionID names the source version ("" = the current one, "null" = the null version).
	VersionID string
	// CustomerKey checks the copy-source SSE-C values; nil means none were sent.
	CustomerKey CustomerKeyFunc
	// Conditions are the x-amz-copy-source-if-* values (Prefix "x-amz-copy-source-").
	Conditions Conditions
}

// CopyInput is a CopyObject.
type CopyInput struct {
	Source      CopySource
	Bucket, Key string
	// ReplaceMetadata takes Template's headers and metadata (directive REPLACE); otherwise
	// the source's are copied.
	ReplaceMetadata bool
	Template        meta.Object
	SSE             SSERequest
	KMS             sse.KMS
	// ChecksumAlgorithm is the one asked for ("" = the source's, else S3's default).
	ChecksumAlgorithm string
	// OtherChange: the request changes something the engine does not store (storage class,
	// website redirect), which makes a copy onto itself legal.
	OtherChange bool
	Cond        WriteConditions
	// Retention and LegalHold are the new version's Object Lock settings (the source's
	// are not copied; lock.go).
	Retention *meta.Retention
	LegalHold string
	// ReplaceTags takes Template.Tags (x-amz-tagging-directive REPLACE); otherwise the
	// source's tags are copied.
	ReplaceTags bool
}

// openSource reads the copy source's record, checks its SSE-C key and conditions, and
// recovers its wrapper.
func (e *Engine) openSource(ctx context.Context, src CopySource, kms sse.KMS) (*meta.Object, *sse.Wrapper, error) {
	o, err := e.meta.GetVersion(ctx, src.Bucket, src.Key, src.VersionID)
	if err != nil {
		return nil, nil, err
	}
	if o.DeleteMarker {
		if src.VersionID != "" {
			return nil, nil, ErrCopySourceDeleteMarker
		}
		return nil, nil, meta.ErrNoSuchKey
	}
	ck, err := e.openCustomerKey(src.CustomerKey, o.Enc)
	if err != nil {
		return nil, nil, err
	}
	w, err := e.sse.Open(ctx, kms, o.Enc, src.Bucket, src.Key, ck)
	if err != nil {
		return nil, nil, err
	}
	if err := src.Conditions.Check(&o, ErrPreconditionFailed); err != nil {
		return nil, nil, err
	}
	return &o, w, nil
}

// copyData decrypts [start, start+length) of src and writes it as a new stream under a key
// from dst, hashing the plaintext on the way. A vanished source blob (a concurrent
// overwrite) is reported as blob.ErrNotFound.
func (e *Engine) copyData(ctx context.Context, src *meta.Object, srcW *sse.Wrapper, start, length int64,
	dst *sse.Wrapper, upload string, part int, alg string) (*stored, error) {
	d := newDigester(Digests{}, alg)
	var stream func(io.Writer) (int64, error)
	if length > 0 {
		var err error
		if stream, err = e.openRange(ctx, src, srcW, start, length); err != nil {
			return nil, err
		}
	}
	return e.writeStream(ctx, dst, upload, part, d, func(ew *encstream.Writer) error {
		if stream == nil {
			return nil
		}
		_, err := stream(multiWriter{ew, d})
		return err
	}, func() ([]byte, string, error) { return d.verify(nil) }, length)
}

type multiWriter struct {
	w   io.Writer
	dig *digester
}

func (m multiWriter) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	m.dig.Write(p[:n])
	return n, err
}

// selfCopyAllowed: S3 lets an object be copied onto itself only when something changes
// (docs/SSE.md): new metadata, a storage class, a website redirect, an encryption header,
// or a destination bucket whose default encryption was explicitly configured.
func selfCopyAllowed(in *CopyInput, b *meta.Bucket) bool {
	return in.ReplaceMetadata || in.SSE.Algorithm != "" || in.SSE.CustomerKey != nil || DefaultConfigured(b.Encryption) || in.OtherChange
}

// Copy copies the source object to in.Key, re-encrypted under the destination's encryption
// (from the request and the destination bucket's default only: the source's mode is never
// inherited). A source blob that vanishes under a concurrent overwrite makes it start
// again (three times at most). It returns the new record.
//
// Errors: as Put and Open, ErrSelfCopy, and ErrPreconditionFailed from the source's
// conditions.
func (e *Engine) Copy(ctx context.Context, in CopyInput) (*meta.Object, error) {
	b, err := e.meta.GetBucket(ctx, in.Bucket)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		o, err := e.copyOnce(ctx, &in, &b)
		if errors.Is(err, blob.ErrNotFound) && attempt < 3 {
			continue
		}
		return o, err
	}
}

func (e *Engine) copyOnce(ctx context.Context, in *CopyInput, b *meta.Bucket) (*meta.Object, error) {
	src, srcW, err := e.openSource(ctx, in.Source, in.KMS)
	if err != nil {
		return nil, err
	}
	if in.Source.Bucket == in.Bucket && in.Source.Key == in.Key && !selfCopyAllowed(in, b) {
		return nil, ErrSelfCopy
	}
	o := meta.Object{Key: in.Key}
	if in.ReplaceMetadata {
		t := in.Template
		o.ContentType, o.ContentEncoding, o.ContentDisposition = t.ContentType, t.ContentEncoding, t.ContentDisposition
		o.ContentLanguage, o.CacheControl, o.Expires = t.ContentLanguage, t.CacheControl, t.Expires
		o.UserMeta = t.UserMeta
	} else {
		o.ContentType, o.ContentEncoding, o.ContentDisposition = src.ContentType, src.ContentEncoding, src.ContentDisposition
		o.ContentLanguage, o.CacheControl, o.Expires = src.ContentLanguage, src.CacheControl, src.Expires
		o.UserMeta = src.UserMeta
	}
	o.Tags = src.Tags
	if in.ReplaceTags {
		o.Tags = in.Template.Tags
	}
	o.Retention, o.LegalHold = in.Retention, in.LegalHold
	o.ACL = in.Template.ACL // a copy takes the request's ACL, never the source's
	enc, dstW, err := e.beginWrite(ctx, in.KMS, in.SSE, b, in.Key)
	if err != nil {
		return nil, err
	}
	alg := strings.ToUpper(in.ChecksumAlgorithm)
	if alg == "" && src.Checksum != nil {
		alg = src.Checksum.Algorithm
	}
	if alg == "" {
		alg = DefaultChecksum
	}
	sd, err := e.copyData(ctx, src, srcW, 0, src.Size, dstW, "", 0, alg)
	if err != nil {
		return nil, err
	}
	o.Size = sd.size
	o.ETag = sd.etag
	o.LastModified = time.Now().UTC()
	o.Pieces = []meta.Piece{sd.piece("", 0)}
	o.Enc = enc
	o.Checksum = &meta.Checksum{Algorithm: sd.alg, Value: sd.ck, Type: "FULL_OBJECT"}
	if err := e.commitObject(ctx, in.Bucket, &o, dstW, in.Cond.cond(), sd.blobID); err != nil {
		return nil, err
	}
	return &o, nil
}
