package s3api

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/accesslog"
	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
)

// accessLogFields adds to the audit record of a request on a bucket with logging enabled
// the Details its access log line needs (accesslog.DetailsKey in additionalEventData):
// the audit record is the durable journal the lines are delivered from
// (docs/ACCESS-LOGS.md).
func (a *API) accessLogFields(q *request, resp *response, err error, rec *audit.Record, add map[string]any) {
	if q.bucket == "" || a.meta == nil || q.ctx == nil {
		return
	}
	b, gerr := a.meta.GetBucket(q.ctx, q.bucket)
	if gerr != nil || b.Logging == nil {
		return
	}
	d := accesslog.Details{
		Target: *b.Logging, Owner: a.bucketOwnerID(&b), OwnerAcct: a.bucketOwnerAccount(&b), Region: a.cfg.Region,
		Operation:  accesslog.Operation(q.op, q.r.Method, sortedKeys(q.query), q.key != ""),
		RequestURI: q.r.Method + " " + redactedURI(q.r) + " " + q.r.Proto,
		Status:     http.StatusOK, ObjectSize: objectSizeOf(q, resp), TotalMs: -1, TurnMs: -1,
		Referer: q.r.Referer(), Host: q.r.Host, VersionID: q.qget("versionId"),
	}
	switch {
	case err != nil:
		d.Status = apierr.S3(err).StatusCode()
	case resp != nil && resp.status != 0:
		d.Status = resp.status
	}
	if !q.start.IsZero() {
		d.TotalMs = time.Since(q.start).Milliseconds()
		d.TurnMs = d.TotalMs
	}
	if rec.TLSDetails != nil {
		d.TLSVersion = rec.TLSDetails.TLSVersion
	}
	add[accesslog.DetailsKey] = d
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// redactedURI is the request's target as sent, with the values of the query parameters
// that are credentials (a presigned URL's signature and session token) replaced.
func redactedURI(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	path, query, ok := strings.Cut(uri, "?")
	if !ok {
		return uri
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		name, _ := url.QueryUnescape(k)
		switch strings.ToLower(name) {
		case "x-amz-signature", "x-amz-security-token", "signature":
			parts[i] = k + "=REDACTED"
		}
	}
	return path + "?" + strings.Join(parts, "&")
}

// objectSizeOf is the Object Size field: the size of the object a request wrote or read
// (-1 when it names none).
func objectSizeOf(q *request, resp *response) int64 {
	if q.key == "" {
		return -1
	}
	switch q.op {
	case "PutObject", "UploadPart", "PostObject":
		return q.bytesIn
	case "GetObject", "HeadObject":
		if resp == nil {
			return -1
		}
		if cr := resp.header.Get("Content-Range"); cr != "" {
			if _, total, ok := strings.Cut(cr, "/"); ok {
				if n, err := strconv.ParseInt(total, 10, 64); err == nil {
					return n
				}
			}
		}
		if n, err := strconv.ParseInt(resp.header.Get("Content-Length"), 10, 64); err == nil {
			return n
		}
	}
	return -1
}
