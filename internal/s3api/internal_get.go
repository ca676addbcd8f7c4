package s3api

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// StoredObject is an object as Arca itself reads it back: the plaintext bytes and what
// its metadata says.
type StoredObject struct {
	Body            []byte
	ContentType     string
	ContentEncoding string
	// UserMeta are the x-amz-meta-* entries, lowercase names without the prefix.
	UserMeta map[string]string
	Enc      *meta.Encryption
}

// ErrInternalSSEC is returned by GetInternalObject for an SSE-C object: Arca never holds
// the customer's key.
var ErrInternalSSEC = errors.New("s3api: an SSE-C object cannot be read without the customer's key")

// GetInternalObject reads a whole object through the regular read path (the same key
// recovery, decryption and per-chunk authentication as GetObject), for Arca itself: the
// offline trail validator. kms acts for whoever reads (it must not be nil for an SSE-KMS
// object). It is neither authorized nor audited.
//
// Errors: meta.ErrNoSuchBucket or meta.ErrNoSuchKey (wrapped) when there is no such
// object; an error wrapping sse.ErrCorrupt when the stored bytes or sealed keys fail to
// authenticate (damaged or tampered with at rest); blob.ErrNotFound (wrapped) when the
// metadata names data that is gone; ErrInternalSSEC; anything else is an internal error.
func (a *API) GetInternalObject(ctx context.Context, bucket, key string, kms sse.KMS) (*StoredObject, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	o, err := a.meta.GetObject(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	if o.Enc != nil && o.Enc.Mode == sse.ModeC {
		return nil, ErrInternalSSEC
	}
	out := &StoredObject{ContentType: o.ContentType, ContentEncoding: o.ContentEncoding, UserMeta: o.UserMeta, Enc: o.Enc}
	w, err := a.sse.Open(ctx, kms, o.Enc, bucket, key, nil)
	if err != nil {
		return nil, err
	}
	if o.Size == 0 {
		return out, nil
	}
	q := &request{ctx: ctx, op: "GetObject", bucket: bucket, key: key}
	stream, err := a.openRange(q, &o, w, 0, o.Size)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) {
			return nil, fmt.Errorf("object data missing: %w", err)
		}
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(int(min(o.Size, 64<<20)))
	if _, err := stream(&buf); err != nil {
		return nil, err
	}
	out.Body = buf.Bytes()
	return out, nil
}

// ListInternalKeys returns every key in bucket that begins with prefix, in key order, for
// Arca itself (neither authorized nor audited). Returns meta.ErrNoSuchBucket (wrapped).
func (a *API) ListInternalKeys(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	opt := meta.ListOptions{Prefix: prefix, MaxKeys: 1000}
	for {
		res, err := a.meta.ListObjects(ctx, bucket, opt)
		if err != nil {
			return nil, err
		}
		for _, o := range res.Objects {
			keys = append(keys, o.Key)
		}
		if !res.IsTruncated || res.Next == "" {
			return keys, nil
		}
		opt.After = res.Next
	}
}
