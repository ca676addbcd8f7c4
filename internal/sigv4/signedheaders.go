package sigv4

import (
	"net/http"
	"slices"
	"strings"
)

// maxListedHeaders bounds the names a HeadersNotSignedError carries, so that
// a request with thousands of headers cannot make a huge error.
const (
	maxListedHeaders = 32
	maxListedName    = 128
)

// checkSignedHeaders enforces S3's rule that every x-amz-* header a signed
// request carries is covered by the signature: listed in SignedHeaders (the
// Authorization header's or the presigned URL's X-Amz-SignedHeaders). Without
// it, whoever holds a presigned URL, or sits on the path of a plain-HTTP
// request, could add x-amz-copy-source, SSE or metadata headers that the
// server acts on with the signer's rights.
//
// The one exception is x-amz-content-sha256 on a presigned request: its value
// is the payload hash the canonical request ends with, so the signature covers
// it whether or not it is listed. A parameter in a presigned URL's query is
// signed as part of the query, but it does not sign a header of the same name:
// a header sent alongside it must be listed too. docs/AUTH.md has the rule as
// clients see it.
func (a *authState) checkSignedHeaders(h http.Header) error {
	var missing []string
	for name := range h {
		if len(name) < len("x-amz-") || !strings.EqualFold(name[:len("x-amz-")], "x-amz-") {
			continue
		}
		lname := strings.ToLower(name)
		if hasName(a.names, lname) || a.method == AuthQuery && lname == "x-amz-content-sha256" {
			continue
		}
		if len(lname) > maxListedName {
			lname = lname[:maxListedName] + "..."
		}
		missing = append(missing, lname)
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	if len(missing) > maxListedHeaders {
		missing = missing[:maxListedHeaders]
	}
	return &HeadersNotSignedError{Names: missing}
}
