package s3api

import (
	"net/http"

	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

func quote(etag string) string { return `"` + etag + `"` }

// writeConditions reads If-Match / If-None-Match of a write.
func writeConditions(h http.Header) object.WriteConditions {
	return object.WriteConditions{IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match")}
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
	var tmpl meta.Object
	err := readObjectHeaders(q.r.Header, &tmpl)
	if err != nil {
		return nil, err
	}
	if tmpl.Tags, err = q.requestTags(); err != nil {
		return nil, err
	}
	sw, err := parseSSEWrite(q) // header errors come before the bucket lookup
	if err != nil {
		return nil, err
	}
	if err := a.readLock(q, &tmpl.Retention, &tmpl.LegalHold); err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if tmpl.ACL, err = a.objectWriteACL(q, &b); err != nil {
		return nil, err
	}
	body, err := payloadBody(q)
	if err != nil {
		return nil, err
	}
	o, err := a.objects.Put(q.ctx, object.PutInput{Bucket: q.bucket, Key: q.key, Template: tmpl, SSE: sw, KMS: a.kmsFor(q), BucketRecord: &b,
		Body: body, DefaultChecksum: object.DefaultChecksum, Cond: writeConditions(q.r.Header)})
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.header.Set("ETag", quote(o.ETag))
	writeEncryptionResponse(resp.header, o.Enc)
	setVersionHeader(resp.header, o.VersionID, false)
	q.enc, q.versionID = o.Enc, wireVersion(o.VersionID)
	if o.Checksum != nil { // the client's, or the CRC64NVME S3 adds to an object sent without one
		resp.header.Set(checksum.Header(o.Checksum.Algorithm), o.Checksum.Value)
		resp.header.Set("x-amz-checksum-type", o.Checksum.Type)
	}
	return resp, nil
}
