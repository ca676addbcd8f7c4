package s3api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/pkg/encstream"
)

// InternalObject is an object Arca itself writes (trail log and digest files): the same
// encryption, checksums and commit as a PutObject, without an HTTP request.
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

// PutInternalObject stores o through the regular write path and returns once it is
// committed. kms acts for whoever writes (it must not be nil when SSE-KMS applies). It is
// neither authorized nor audited: the caller is Arca itself, never a request.
func (a *API) PutInternalObject(ctx context.Context, o InternalObject, kms sse.KMS) (*meta.Encryption, error) {
	if err := checkKey(o.Key); err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(ctx, o.Bucket)
	if err != nil {
		return nil, err
	}
	q := &request{ctx: ctx, op: "PutObject", bucket: o.Bucket, key: o.Key, id: audit.NewEventID(), audited: true}
	var sw sseWrite
	if o.KMSKeyID != "" {
		sw.alg, sw.kmsKeyID, sw.hasKMSKey = sse.ModeKMS, o.KMSKeyID, true
		if len(o.EncryptionContext) > 0 {
			raw, err := json.Marshal(o.EncryptionContext)
			if err != nil {
				return nil, err
			}
			sw.context, sw.contextRaw = o.EncryptionContext, base64.StdEncoding.EncodeToString(raw)
		}
	}
	spec, err := resolveSpec(sw, &b)
	if err != nil {
		return nil, err
	}
	enc, w, err := a.sse.Begin(ctx, kms, spec, b.Name, o.Key)
	if err != nil {
		return nil, err
	}
	n := int64(len(o.Body))
	d := newDigester(digestSpec{}, defaultChecksum)
	sd, err := a.writeStream(q, w, "", 0, d, func(dst *encstream.Writer) error {
		_, err := copyBody(dst, bytes.NewReader(o.Body), n, d)
		return err
	}, func() ([]byte, string, error) { return d.verify(nil) }, n)
	if err != nil {
		return nil, err
	}
	obj := meta.Object{Key: o.Key, Size: sd.size, ETag: sd.etag, LastModified: time.Now().UTC(),
		ContentType: o.ContentType, ContentEncoding: o.ContentEncoding, Pieces: []meta.Piece{sd.piece("", 0)}, Enc: enc}
	if len(o.UserMeta) > 0 {
		obj.UserMeta = make(map[string]string, len(o.UserMeta))
		for k, v := range o.UserMeta {
			obj.UserMeta[k] = v
		}
	}
	if sd.alg != "" {
		obj.Checksum = &meta.Checksum{Algorithm: sd.alg, Value: sd.ck, Type: "FULL_OBJECT"}
	}
	if err := a.commitObject(q, obj, nil, sd.blobID); err != nil {
		return nil, err
	}
	return enc, nil
}
