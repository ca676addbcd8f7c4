package object

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// InternalObject is an object Arca itself writes (trail log and digest files): the same
// encryption, checksums and commit as a PutObject, with no request behind it.
type InternalObject struct {
	Bucket, Key     string
	Body            []byte
	ContentType     string
	ContentEncoding string
	// UserMeta are the x-amz-meta-* entries, lowercase names without the prefix.
	UserMeta map[string]string
	// KMSKeyID, if set, encrypts with SSE-KMS under that key with EncryptionContext (as an
	// x-amz-server-side-encryption-context would); otherwise the bucket's default
	// encryption applies, as for a PutObject without SSE headers.
	KMSKeyID          string
	EncryptionContext map[string]string
}

// PutInternal stores o through the regular write path and returns once it is committed.
// kms acts for whoever writes (it must not be nil when SSE-KMS applies). It is neither
// authorized nor audited: the caller is Arca itself.
func (e *Engine) PutInternal(ctx context.Context, o InternalObject, kms sse.KMS) (*meta.Encryption, error) {
	var r SSERequest
	if o.KMSKeyID != "" {
		r.Algorithm, r.KMSKeyID, r.HasKMSKeyID = sse.ModeKMS, o.KMSKeyID, true
		if len(o.EncryptionContext) > 0 {
			raw, err := json.Marshal(o.EncryptionContext)
			if err != nil {
				return nil, err
			}
			r.Context, r.ContextRaw = o.EncryptionContext, base64.StdEncoding.EncodeToString(raw)
		}
	}
	tmpl := meta.Object{ContentType: o.ContentType, ContentEncoding: o.ContentEncoding}
	if len(o.UserMeta) > 0 {
		tmpl.UserMeta = make(map[string]string, len(o.UserMeta))
		for k, v := range o.UserMeta {
			tmpl.UserMeta[k] = v
		}
	}
	stored, err := e.Put(ctx, PutInput{Bucket: o.Bucket, Key: o.Key, Template: tmpl, SSE: r, KMS: kms,
		Body: Body{R: bytes.NewReader(o.Body), Size: int64(len(o.Body))}, DefaultChecksum: DefaultChecksum})
	if err != nil {
		return nil, err
	}
	return stored.Enc, nil
}

// StoredObject is an object as Arca itself reads it back: the plaintext and its metadata.
type StoredObject struct {
	Body            []byte
	ContentType     string
	ContentEncoding string
	// UserMeta are the x-amz-meta-* entries, lowercase names without the prefix.
	UserMeta map[string]string
	Enc      *meta.Encryption
}

// GetInternal reads a whole object through the regular read path (the same key recovery,
// decryption and per-chunk authentication as a GET), for Arca itself (the offline trail
// validator). kms acts for whoever reads (it must not be nil for an SSE-KMS object). It is
// neither authorized nor audited.
//
// Errors: meta.ErrNoSuchBucket or meta.ErrNoSuchKey (wrapped) when there is no such
// object; an error wrapping sse.ErrCorrupt when the stored bytes or sealed keys fail to
// authenticate; blob.ErrNotFound (wrapped) when the metadata names data that is gone;
// ErrInternalSSEC; anything else is an internal error.
func (e *Engine) GetInternal(ctx context.Context, bucket, key string, kms sse.KMS) (*StoredObject, error) {
	r, err := e.Open(ctx, ReadInput{Bucket: bucket, Key: key, KMS: kms})
	if err != nil {
		return nil, err
	}
	o := r.Object
	out := &StoredObject{ContentType: o.ContentType, ContentEncoding: o.ContentEncoding, UserMeta: o.UserMeta, Enc: o.Enc}
	var buf bytes.Buffer
	buf.Grow(int(min(o.Size, 64<<20)))
	if _, err := r.WriteTo(&buf); err != nil {
		return nil, err
	}
	out.Body = buf.Bytes()
	return out, nil
}

// ListInternalKeys returns every key in bucket that begins with prefix, in key order, for
// Arca itself (neither authorized nor audited). Returns meta.ErrNoSuchBucket (wrapped).
func (e *Engine) ListInternalKeys(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	opt := meta.ListOptions{Prefix: prefix, MaxKeys: 1000}
	for {
		res, err := e.meta.ListObjects(ctx, bucket, opt)
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
