package s3api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/object"
)

// Conditional deletes (docs/TAGGING.md, "Conditional requests"): If-Match,
// x-amz-if-match-last-modified-time and x-amz-if-match-size on DeleteObject, and ETag,
// LastModifiedTime and Size per <Object> of DeleteObjects.

// deleteConditions reads a DeleteObject's conditional headers.
func deleteConditions(h http.Header) (object.DeleteConditions, error) {
	c := object.DeleteConditions{IfMatch: h.Get("If-Match")}
	if v := h.Get("x-amz-if-match-last-modified-time"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, v); err != nil {
				return c, apierr.InvalidArgument.Msg("Invalid value for x-amz-if-match-last-modified-time").Arg("x-amz-if-match-last-modified-time", v)
			}
		}
		c.LastModified = t
	}
	if v := h.Get("x-amz-if-match-size"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return c, apierr.InvalidArgument.Msg("Invalid value for x-amz-if-match-size").Arg("x-amz-if-match-size", v)
		}
		c.Size, c.HasSize = n, true
	}
	return c, nil
}

// objectConditions reads the conditions of one <Object> of DeleteObjects.
func objectConditions(etag, lastModified, size string) (object.DeleteConditions, error) {
	c := object.DeleteConditions{IfMatch: etag}
	if lastModified != "" {
		t, err := http.ParseTime(lastModified) // as the SDKs send it
		if err != nil {
			if t, err = time.Parse(time.RFC3339Nano, lastModified); err != nil {
				return c, apierr.MalformedXML
			}
		}
		c.LastModified = t
	}
	if size != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(size), 10, 64)
		if err != nil || n < 0 {
			return c, apierr.MalformedXML
		}
		c.Size, c.HasSize = n, true
	}
	return c, nil
}

// authorizeETagRead: a delete that names an ETag (If-Match other than "*", or an <ETag>
// in DeleteObjects) tells its caller whether the object's ETag is that one, so AWS asks
// for s3:GetObject on the key as well as the delete action.
func (a *API) authorizeETagRead(q *request, key string, c object.DeleteConditions) error {
	if m := strings.TrimSpace(c.IfMatch); m == "" || m == "*" {
		return nil
	}
	return a.authorizeOn(q, q.bucket, "s3:GetObject", objectARN(q.bucket, key))
}
