package s3api

import (
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/pkg/encstream"
)

// parseCopySource reads x-amz-copy-source: "[/]bucket/key[?versionId=…]", URL-encoded.
func parseCopySource(v string) (bucket, key string, err error) {
	bad := apierr.InvalidArgument.Msg("Copy Source must mention the source bucket and key: sourcebucket/sourcekey").Arg("x-amz-copy-source", v)
	src := strings.TrimPrefix(v, "/")
	if i := strings.Index(src, "?"); i >= 0 {
		qv, perr := url.ParseQuery(src[i+1:])
		if perr != nil {
			return "", "", bad
		}
		if vid := qv.Get("versionId"); vid != "" && vid != "null" {
			return "", "", apierr.InvalidArgument.Msg("Invalid version id specified").Arg("x-amz-copy-source", v)
		}
		src = src[:i]
	}
	dec, perr := url.PathUnescape(src)
	if perr != nil {
		return "", "", bad
	}
	bucket, key, ok := strings.Cut(dec, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", bad
	}
	if err := checkKey(key); err != nil {
		return "", "", err
	}
	return bucket, key, nil
}

// copySource resolves the copy source, checks its x-amz-copy-source-if-* conditions and
// opens it for reading with the x-amz-copy-source-…-customer-* headers.
func (a *API) copySource(q *request) (*meta.Object, string, *sse.Wrapper, error) {
	b, k, err := parseCopySource(q.header("x-amz-copy-source"))
	if err != nil {
		return nil, "", nil, err
	}
	if err := a.authorizeOn(q, b, "s3:GetObject", objectARN(b, k)); err != nil {
		return nil, "", nil, err
	}
	src, err := a.meta.GetObject(q.ctx, b, k)
	if err != nil {
		return nil, "", nil, err
	}
	w, err := a.openObject(q, b, k, src.Enc, copySource)
	if err != nil {
		return nil, "", nil, err
	}
	if err := checkConditions(q.r.Header, "x-amz-copy-source-", &src, apierr.PreconditionFailed); err != nil {
		return nil, "", nil, err
	}
	return &src, b, w, nil
}

// copyData decrypts [start, start+length) of src and writes it as a new stream under a key
// from dst, hashing the plaintext on the way. A vanished source blob (a concurrent
// overwrite) is reported as blob.ErrNotFound.
func (a *API) copyData(q *request, src *meta.Object, srcW *sse.Wrapper, start, length int64,
	dst *sse.Wrapper, upload string, part int, alg string) (*storedData, error) {
	d := newDigester(digestSpec{}, alg)
	var stream func(io.Writer) (int64, error)
	if length > 0 {
		var err error
		if stream, err = a.openRange(q, src, srcW, start, length); err != nil {
			return nil, err
		}
	}
	return a.writeStream(q, dst, upload, part, d, func(ew *encstream.Writer) error {
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

func (a *API) copyObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	directive := strings.ToUpper(q.header("x-amz-metadata-directive"))
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return nil, apierr.InvalidArgument.Msg("Unknown metadata directive.").Arg("x-amz-metadata-directive", q.header("x-amz-metadata-directive"))
	}
	sw, err := parseSSEWrite(q)
	if err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		resp, err := a.copyObjectOnce(q, directive, sw, &b)
		if errors.Is(err, blob.ErrNotFound) && attempt < 3 {
			continue
		}
		return resp, err
	}
}

// selfCopyAllowed: S3 lets an object be copied onto itself only when something changes
// (reference §1.6): new metadata, a storage class, a website redirect, an encryption
// header, or a destination bucket whose default encryption was explicitly configured.
func selfCopyAllowed(q *request, directive string, sw sseWrite, b *meta.Bucket) bool {
	return directive == "REPLACE" || sw.alg != "" || sw.customer != nil || b.Encryption != nil ||
		q.header("x-amz-storage-class") != "" || q.header("x-amz-website-redirect-location") != ""
}

func (a *API) copyObjectOnce(q *request, directive string, sw sseWrite, b *meta.Bucket) (*response, error) {
	src, srcBucket, srcW, err := a.copySource(q)
	if err != nil {
		return nil, err
	}
	if srcBucket == q.bucket && src.Key == q.key && !selfCopyAllowed(q, directive, sw, b) {
		return nil, apierr.InvalidRequest.Msg("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	o := meta.Object{Key: q.key}
	if directive == "REPLACE" {
		if err := readObjectHeaders(q.r.Header, &o); err != nil {
			return nil, err
		}
	} else {
		o.ContentType, o.ContentEncoding, o.ContentDisposition = src.ContentType, src.ContentEncoding, src.ContentDisposition
		o.ContentLanguage, o.CacheControl, o.Expires = src.ContentLanguage, src.CacheControl, src.Expires
		o.UserMeta = src.UserMeta
	}
	// The destination's encryption comes from this request and the destination bucket's
	// default only; the source's mode is never inherited.
	enc, dstW, err := a.beginWrite(q, sw, b, q.key)
	if err != nil {
		return nil, err
	}
	alg := strings.ToUpper(q.header("x-amz-checksum-algorithm"))
	if alg == "" && src.Checksum != nil {
		alg = src.Checksum.Algorithm
	}
	if alg == "" {
		alg = defaultChecksum
	}
	sd, err := a.copyData(q, src, srcW, 0, src.Size, dstW, "", 0, alg)
	if err != nil {
		return nil, err
	}
	o.Size = sd.size
	o.ETag = sd.etag
	o.LastModified = time.Now().UTC()
	o.Pieces = []meta.Piece{sd.piece("", 0)}
	o.Enc = enc
	o.Checksum = &meta.Checksum{Algorithm: sd.alg, Value: sd.ck, Type: "FULL_OBJECT"}
	if err := a.commitObject(q, o, writeCondition(q.r.Header), sd.blobID); err != nil {
		return nil, err
	}
	res := copyObjectResult{NS: s3NS, LastModified: s3Time(o.LastModified), ETag: quote(o.ETag)}
	res.set(sd.alg, sd.ck)
	resp := newResponse()
	writeEncryptionResponse(resp.header, enc)
	q.enc = enc
	resp.xml = res
	return resp, nil
}
