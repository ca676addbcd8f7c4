package s3api

import (
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
)

// defaultChecksum is what S3 computes for objects uploaded without a checksum.
const defaultChecksum = "CRC64NVME"

func quote(etag string) string { return `"` + etag + `"` }

// storedData is a payload written to the blob store and verified.
type storedData struct {
	blobID string
	size   int64
	md5    []byte
	alg    string
	ck     string
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

// storePayload streams the request body into a new blob, verifying every digest the client
// sent, and commits the blob only if all of them hold.
func (a *API) storePayload(q *request, defaultAlg string) (*storedData, error) {
	n, err := payloadLength(q)
	if err != nil {
		return nil, err
	}
	spec, err := readDigestSpec(q.r.Header)
	if err != nil {
		return nil, err
	}
	d := newDigester(spec, defaultAlg)
	w, err := a.blobs.Create(q.ctx)
	if err != nil {
		return nil, err
	}
	got, err := copyBody(w, q.caller.Body, n, d)
	q.bytesIn += got
	if err != nil {
		w.Abort()
		return nil, err
	}
	md5sum, ck, err := d.verify(q.caller.Trailer)
	if err != nil {
		w.Abort()
		return nil, err
	}
	id, err := w.Commit(q.ctx)
	if err != nil {
		return nil, err
	}
	return &storedData{blobID: id, size: n, md5: md5sum, alg: d.alg, ck: ck}, nil
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

func (a *API) putObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	var o meta.Object
	if err := readObjectHeaders(q.r.Header, &o); err != nil {
		return nil, err
	}
	if _, err := a.meta.GetBucket(q.ctx, q.bucket); err != nil {
		return nil, err
	}
	sd, err := a.storePayload(q, defaultChecksum)
	if err != nil {
		return nil, err
	}
	o.Key = q.key
	o.Size = sd.size
	o.ETag = hex.EncodeToString(sd.md5)
	o.LastModified = time.Now().UTC()
	o.Pieces = []meta.Piece{{BlobID: sd.blobID, Size: sd.size}}
	if sd.alg != "" {
		o.Checksum = &meta.Checksum{Algorithm: sd.alg, Value: sd.ck, Type: "FULL_OBJECT"}
	}
	if err := a.commitObject(q, o, writeCondition(q.r.Header), sd.blobID); err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.header.Set("ETag", quote(o.ETag))
	if o.Checksum != nil && q.r.Header.Get(checksum.Header(o.Checksum.Algorithm)) != "" ||
		o.Checksum != nil && q.r.Header.Get("X-Amz-Trailer") != "" {
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
