package s3api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/object"
)

func (a *API) getObject(q *request) (*response, error)  { return a.readObject(q) }
func (a *API) headObject(q *request) (*response, error) { return a.readObject(q) }

func parseHTTPTime(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}
	}
	return t
}

// readConditions reads the conditional headers of a read (prefix "") or of a copy source
// (prefix "x-amz-copy-source-").
func readConditions(h http.Header, prefix string) object.Conditions {
	return object.Conditions{
		IfMatch: h.Get(prefix + "If-Match"), IfNoneMatch: h.Get(prefix + "If-None-Match"),
		IfModifiedSince: parseHTTPTime(h.Get(prefix + "If-Modified-Since")), IfUnmodifiedSince: parseHTTPTime(h.Get(prefix + "If-Unmodified-Since")),
		Prefix: prefix,
	}
}

var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

func (a *API) readObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	in := object.ReadInput{Bucket: q.bucket, Key: q.key, VersionID: vid, CustomerKey: customerKey(q, ""), KMS: a.kmsFor(q),
		HeadOnly: q.r.Method == http.MethodHead, Conditions: readConditions(q.r.Header, ""), Range: q.header("Range"),
		WantChecksum: checksumModeEnabled(q)}
	if v := q.qget("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > object.MaxPartNumber {
			return nil, apierr.InvalidArgument.Msg("Part number must be an integer between 1 and 10000, inclusive").Arg("partNumber", v)
		}
		if in.Range != "" {
			return nil, apierr.InvalidRequest.Msg("Cannot specify both Range header and partNumber query parameter")
		}
		in.PartNumber = n
	}
	r, err := a.objects.Open(q.ctx, in)
	if (errors.Is(err, object.ErrDeleteMarker) || errors.Is(err, object.ErrVersionIsDeleteMarker)) && r != nil {
		q.markerHeaders(&r.Object)
		if errors.Is(err, object.ErrVersionIsDeleteMarker) {
			q.errHeader.Set("Allow", "DELETE")
		}
		return nil, err
	}
	if errors.Is(err, object.ErrNotModified) && r != nil {
		h := http.Header{}
		h.Set("ETag", quote(r.Object.ETag))
		h.Set("Last-Modified", r.Object.LastModified.UTC().Format(http.TimeFormat))
		return &response{status: http.StatusNotModified, header: h}, nil
	}
	if err != nil {
		return nil, err
	}
	o := &r.Object
	resp := newResponse()
	h := resp.header
	h.Set("ETag", quote(o.ETag))
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	writeObjectHeaders(h, o)
	writeSSEHeaders(h, o.Enc)
	a.writeLockHeaders(q, h, o)
	setTagCount(h, o)
	setVersionHeader(h, o.VersionID, vid != "")
	q.enc, q.versionID = o.Enc, wireVersion(o.VersionID)
	h.Set("Accept-Ranges", "bytes")
	for _, ov := range responseOverrides {
		if v := q.qget(ov.param); v != "" {
			h.Set(ov.header, v)
		}
	}
	if r.PartsCount > 0 {
		h.Set("x-amz-mp-parts-count", strconv.Itoa(r.PartsCount))
	}
	if checksumModeEnabled(q) && r.ChecksumValue != "" && o.Checksum != nil {
		h.Set(checksum.Header(o.Checksum.Algorithm), r.ChecksumValue)
		if r.ChecksumType != "" {
			h.Set("x-amz-checksum-type", r.ChecksumType)
		}
	}
	h.Set("Content-Length", itoa64(r.Length))
	if r.Partial {
		resp.status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", r.Start, r.Start+r.Length-1, o.Size))
	}
	if q.r.Method == http.MethodHead || r.Length == 0 {
		resp.stream = func(io.Writer) (int64, error) { return 0, nil }
		return resp, nil
	}
	resp.stream = r.WriteTo
	return resp, nil
}
