package s3api

import (
	"net/http"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/pkg/encstream"
)

// defaultChecksum is what S3 computes for objects uploaded without a checksum.
const defaultChecksum = "CRC64NVME"

func quote(etag string) string { return `"` + etag + `"` }

// storedData is one encrypted stream written to the blob store and verified.
type storedData struct {
	blobID string
	size   int64 // plaintext
	md5    []byte
	alg    string
	ck     string
	sealed []byte // the stream's object key, sealed
	etag   string
}

// piece is the stored stream as a metadata piece.
func (sd *storedData) piece(upload string, part int) meta.Piece {
	return meta.Piece{BlobID: sd.blobID, Size: sd.size, SealedKey: sd.sealed, Upload: upload, Part: part}
}

// payloadLength is the decoded payload length the request declares.
func payloadLength(q *request) (int64, error) {
	n := q.caller.ContentLength
	if n < 0 {
		return 0, apierr.MissingContentLength
	}
	if n > maxPutSize {
		return 0, apierr.EntityTooLarge.With("ProposedSize", itoa64(n)).With("MaxSizeAllowed", itoa64(maxPutSize))
	}
	return n, nil
}

// storePayload streams the request body, encrypted under a new object key from w, into a
// new blob, verifying every digest the client sent, and commits the blob only if all hold.
// The plaintext is hashed (MD5 for the ETag, the flexible checksum) in the same pass.
func (a *API) storePayload(q *request, w *sse.Wrapper, upload string, part int, defaultAlg string) (*storedData, error) {
	n, err := payloadLength(q)
	if err != nil {
		return nil, err
	}
	spec, err := readDigestSpec(q.r.Header)
	if err != nil {
		return nil, err
	}
	d := newDigester(spec, defaultAlg)
	return a.writeStream(q, w, upload, part, d, func(dst *encstream.Writer) error {
		got, err := copyBody(dst, q.caller.Body, n, d)
		q.bytesIn += got
		return err
	}, func() (md5sum []byte, ck string, err error) { return d.verify(q.caller.Trailer) }, n)
}

// writeStream encrypts what fill writes into a new blob under a new stream key, then runs
// verify (which returns the plaintext MD5 and checksum) before committing.
func (a *API) writeStream(q *request, w *sse.Wrapper, upload string, part int, d *digester,
	fill func(*encstream.Writer) error, verify func() ([]byte, string, error), size int64) (*storedData, error) {
	ok, sealed, err := w.NewStreamKey(upload, part)
	if err != nil {
		return nil, err
	}
	defer clear(ok)
	bw, err := a.blobs.Create(q.ctx)
	if err != nil {
		return nil, err
	}
	ew, err := encstream.NewWriter(bw, ok)
	if err != nil {
		bw.Abort()
		return nil, err
	}
	if err := fill(ew); err != nil {
		bw.Abort()
		return nil, err
	}
	if err := ew.Close(); err != nil {
		bw.Abort()
		return nil, err
	}
	md5sum, ck, err := verify()
	if err != nil {
		bw.Abort()
		return nil, err
	}
	id, err := bw.Commit(q.ctx)
	if err != nil {
		return nil, err
	}
	return &storedData{blobID: id, size: size, md5: md5sum, alg: d.alg, ck: ck, sealed: sealed,
		etag: w.ETag(ok, md5sum)}, nil
}

// writeCondition implements If-Match / If-None-Match on writes, checked atomically with
// the metadata commit.
func writeCondition(h http.Header) meta.PutCondition {
	im, inm := h.Get("If-Match"), h.Get("If-None-Match")
	if im == "" && inm == "" {
		return nil
	}
	return func(cur *meta.Object) error {
		if inm != "" && cur != nil && (strings.TrimSpace(inm) == "*" || etagMatches(inm, cur.ETag)) {
			return apierr.PreconditionFailed.With("Condition", "If-None-Match")
		}
		if im != "" {
			if cur == nil {
				return apierr.NoSuchKey
			}
			if !etagMatches(im, cur.ETag) {
				return apierr.PreconditionFailed.With("Condition", "If-Match")
			}
		}
		return nil
	}
}

// beginWrite resolves a write's encryption (headers, then the bucket default) and prepares
// the wrapper its stream keys are sealed with.
func (a *API) beginWrite(q *request, sw sseWrite, b *meta.Bucket, key string) (*meta.Encryption, *sse.Wrapper, error) {
	spec, err := resolveSpec(sw, b)
	if err != nil {
		return nil, nil, err
	}
	return a.sse.Begin(q.ctx, a.kmsFor(q), spec, b.Name, key)
}

// writeEncryptionResponse states a new object's (or upload's) encryption, echoing the
// encryption context if one was given.
func writeEncryptionResponse(h http.Header, enc *meta.Encryption) {
	writeSSEHeaders(h, enc)
	if enc.UserContext != "" {
		h.Set(hContext, enc.UserContext)
	}
}

func (a *API) putObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	var o meta.Object
	if err := readObjectHeaders(q.r.Header, &o); err != nil {
		return nil, err
	}
	sw, err := parseSSEWrite(q) // header errors come before the bucket lookup
	if err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	enc, w, err := a.beginWrite(q, sw, &b, q.key)
	if err != nil {
		return nil, err
	}
	sd, err := a.storePayload(q, w, "", 0, defaultChecksum)
	if err != nil {
		return nil, err
	}
	o.Key = q.key
	o.Size = sd.size
	o.ETag = sd.etag
	o.LastModified = time.Now().UTC()
	o.Pieces = []meta.Piece{sd.piece("", 0)}
	o.Enc = enc
	if sd.alg != "" {
		o.Checksum = &meta.Checksum{Algorithm: sd.alg, Value: sd.ck, Type: "FULL_OBJECT"}
	}
	if err := a.commitObject(q, o, writeCondition(q.r.Header), sd.blobID); err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.header.Set("ETag", quote(o.ETag))
	writeEncryptionResponse(resp.header, enc)
	q.enc = enc
	if o.Checksum != nil && (q.r.Header.Get(checksum.Header(o.Checksum.Algorithm)) != "" || q.r.Header.Get("X-Amz-Trailer") != "") {
		resp.header.Set(checksum.Header(o.Checksum.Algorithm), o.Checksum.Value)
		resp.header.Set("x-amz-checksum-type", o.Checksum.Type)
	}
	return resp, nil
}

// commitObject records o, then removes the blobs of whatever it replaced. On failure the new
// blobs are removed so nothing is left unreferenced.
func (a *API) commitObject(q *request, o meta.Object, cond meta.PutCondition, newBlobs ...string) error {
	old, err := a.meta.PutObject(q.ctx, q.bucket, o, cond)
	if err != nil {
		for _, id := range newBlobs {
			a.blobs.Remove(q.ctx, id)
		}
		return err
	}
	a.removeBlobs(q, old)
	return nil
}

func (a *API) removeBlobs(q *request, o *meta.Object) {
	if o == nil {
		return
	}
	for _, id := range o.BlobIDs() {
		if err := a.blobs.Remove(q.ctx, id); err != nil {
			a.log.Warn("s3: removing replaced blob failed; the start-up sweep will retry", "request_id", q.id, "err", err)
		}
	}
}
