package s3api

import (
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/meta"
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

// copySource resolves the copy source and checks its x-amz-copy-source-if-* conditions.
func (a *API) copySource(q *request) (*meta.Object, string, error) {
	b, k, err := parseCopySource(q.header("x-amz-copy-source"))
	if err != nil {
		return nil, "", err
	}
	src, err := a.meta.GetObject(q.ctx, b, k)
	if err != nil {
		return nil, "", err
	}
	failed := apierr.PreconditionFailed
	if err := checkConditions(q.r.Header, "x-amz-copy-source-", &src, failed); err != nil {
		return nil, "", err
	}
	return &src, b, nil
}

// copyData writes [start, start+length) of src into a new blob, hashing it on the way.
// A vanished source blob (a concurrent overwrite) is reported as blob.ErrNotFound.
func (a *API) copyData(q *request, src *meta.Object, start, length int64, alg string) (*storedData, error) {
	d := newDigester(digestSpec{}, alg)
	w, err := a.blobs.Create(q.ctx)
	if err != nil {
		return nil, err
	}
	if length > 0 {
		stream, err := a.openRange(q, src, start, length)
		if err != nil {
			w.Abort()
			return nil, err
		}
		if _, err := stream(multiWriter{w, d}); err != nil {
			w.Abort()
			return nil, err
		}
	}
	md5sum, ck, _ := d.verify(nil)
	id, err := w.Commit(q.ctx)
	if err != nil {
		return nil, err
	}
	return &storedData{blobID: id, size: length, md5: md5sum, alg: d.alg, ck: ck}, nil
}

type multiWriter struct {
	w   interface{ Write([]byte) (int, error) }
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
	if _, err := a.meta.GetBucket(q.ctx, q.bucket); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		resp, err := a.copyObjectOnce(q, directive)
		if errors.Is(err, blob.ErrNotFound) && attempt < 3 {
			continue
		}
		return resp, err
	}
}

func (a *API) copyObjectOnce(q *request, directive string) (*response, error) {
	src, srcBucket, err := a.copySource(q)
	if err != nil {
		return nil, err
	}
	if srcBucket == q.bucket && src.Key == q.key && directive != "REPLACE" {
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
	alg := strings.ToUpper(q.header("x-amz-checksum-algorithm"))
	if alg == "" && src.Checksum != nil {
		alg = src.Checksum.Algorithm
	}
	if alg == "" {
		alg = defaultChecksum
	}
	sd, err := a.copyData(q, src, 0, src.Size, alg)
	if err != nil {
		return nil, err
	}
	o.Size = sd.size
	o.ETag = hex.EncodeToString(sd.md5)
	o.LastModified = time.Now().UTC()
	o.Pieces = []meta.Piece{{BlobID: sd.blobID, Size: sd.size}}
	o.Checksum = &meta.Checksum{Algorithm: sd.alg, Value: sd.ck, Type: "FULL_OBJECT"}
	if err := a.commitObject(q, o, writeCondition(q.r.Header), sd.blobID); err != nil {
		return nil, err
	}
	res := copyObjectResult{NS: s3NS, LastModified: s3Time(o.LastModified), ETag: quote(o.ETag)}
	res.set(sd.alg, sd.ck)
	resp := newResponse()
	resp.xml = res
	return resp, nil
}
