package s3api

import (
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
)

// validBucketName applies S3's general-purpose bucket naming rules.
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	first, last := n[0], n[len(n)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(n, "..") || strings.Contains(n, ".-") || strings.Contains(n, "-.") {
		return false
	}
	if net.ParseIP(n) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	return true
}

const maxKeyLen = 1024

func checkKey(key string) error {
	if len(key) > maxKeyLen {
		return apierr.KeyTooLong
	}
	if !utf8.ValidString(key) {
		return apierr.InvalidObjectName
	}
	return nil
}

// maxUserMeta is S3's limit on the user-defined metadata of one object (names + values).
const maxUserMeta = 2048

var errMetaTooLarge = &apierr.Error{Code: "MetadataTooLarge", Status: 400,
	Message: "Your metadata headers exceed the maximum allowed metadata size."}

// readObjectHeaders fills the standard headers and user metadata of o from a request.
// Values are stored as sent: one that arrives RFC 2047-encoded is US-ASCII and S3 returns
// it as it is; only a value holding non-ASCII bytes is encoded on the way out (see
// writeObjectHeaders).
func readObjectHeaders(h http.Header, o *meta.Object) error {
	o.ContentType = h.Get("Content-Type")
	o.ContentEncoding = stripAWSChunked(h.Get("Content-Encoding"))
	o.ContentDisposition = h.Get("Content-Disposition")
	o.ContentLanguage = h.Get("Content-Language")
	o.CacheControl = h.Get("Cache-Control")
	o.Expires = h.Get("Expires")
	o.UserMeta = nil
	size := 0
	for name, vals := range h {
		lname := strings.ToLower(name)
		if !strings.HasPrefix(lname, "x-amz-meta-") {
			continue
		}
		k := strings.TrimPrefix(lname, "x-amz-meta-")
		v := strings.Join(vals, ",")
		if o.UserMeta == nil {
			o.UserMeta = map[string]string{}
		}
		o.UserMeta[k] = v
		size += len(k) + len(v)
	}
	if size > maxUserMeta {
		return errMetaTooLarge
	}
	return nil
}

// stripAWSChunked removes the aws-chunked transfer coding, which describes the request
// framing, not the object.
func stripAWSChunked(ce string) string {
	if !strings.Contains(ce, "aws-chunked") {
		return ce
	}
	var keep []string
	for _, p := range strings.Split(ce, ",") {
		p = strings.TrimSpace(p)
		if p != "" && p != "aws-chunked" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}

// headerValue makes a stored value safe for an HTTP header: non-ASCII or control
// characters are sent RFC 2047-encoded, as S3 does.
func headerValue(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 || (v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f {
			// S3 spells the encoding "B"; Go's encoder writes "b" (RFC 2047 allows both,
			// but clients match S3's spelling).
			return strings.ReplaceAll(mime.BEncoding.Encode("UTF-8", v), "?b?", "?B?")
		}
	}
	return v
}

func writeObjectHeaders(h http.Header, o *meta.Object) {
	ct := o.ContentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	h.Set("Content-Type", ct)
	set := func(k, v string) {
		if v != "" {
			h.Set(k, headerValue(v))
		}
	}
	set("Content-Encoding", o.ContentEncoding)
	set("Content-Disposition", o.ContentDisposition)
	set("Content-Language", o.ContentLanguage)
	set("Cache-Control", o.CacheControl)
	set("Expires", o.Expires)
	for k, v := range o.UserMeta {
		h["x-amz-meta-"+k] = []string{headerValue(v)}
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
