package object

import (
	"strings"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

func trimSpace(s string) string { return strings.TrimSpace(s) }

// ETagMatches reports whether an If-Match/If-None-Match list names etag (or is "*").
func ETagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || strings.Trim(t, `"`) == etag {
			return true
		}
	}
	return false
}

// Conditions are a read's (or a copy source's) conditional headers; zero values are absent.
// Prefix names them in errors: "" for a read, "x-amz-copy-source-" for a copy source.
type Conditions struct {
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince time.Time
	Prefix                             string
}

// Check applies the conditions to o in RFC 7232's order, as S3 does: If-Match, else
// If-Unmodified-Since (ErrPreconditionFailed), then If-None-Match, else If-Modified-Since
// (notModified: ErrNotModified for reads, ErrPreconditionFailed for copy sources).
func (c Conditions) Check(o *meta.Object, notModified error) error {
	mod := o.LastModified.Truncate(time.Second)
	if c.IfMatch != "" {
		if !ETagMatches(c.IfMatch, o.ETag) {
			return fail(ErrPreconditionFailed, "Condition", c.Prefix+"If-Match")
		}
	} else if !c.IfUnmodifiedSince.IsZero() && mod.After(c.IfUnmodifiedSince) {
		return fail(ErrPreconditionFailed, "Condition", c.Prefix+"If-Unmodified-Since")
	}
	if c.IfNoneMatch != "" {
		if ETagMatches(c.IfNoneMatch, o.ETag) {
			return notModified
		}
	} else if !c.IfModifiedSince.IsZero() && !mod.After(c.IfModifiedSince) {
		return notModified
	}
	return nil
}
