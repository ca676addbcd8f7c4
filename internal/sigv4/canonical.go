package sigv4

import (
	"cmp"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

const upperHex = "0123456789ABCDEF"

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendEscaped appends s with every byte outside the unreserved set
// percent-encoded (uppercase hex), as SigV4 requires.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = appendEscapedByte(dst, s[i])
	}
	return dst
}

func appendEscapedByte(dst []byte, c byte) []byte {
	if isUnreserved(c) {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// appendCanonicalURI appends the S3-style canonical URI for an escaped path:
// each byte is decoded once and re-encoded strictly; '/' separators stay, an
// escaped slash (%2F) stays escaped, nothing is normalised. An empty path is
// "/". A '%' not followed by two hex digits is taken literally.
func appendCanonicalURI(dst []byte, p string) []byte {
	if p == "" {
		return append(dst, '/')
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) {
			hi, ok1 := unhex(p[i+1])
			lo, ok2 := unhex(p[i+2])
			if ok1 && ok2 {
				dst = appendEscapedByte(dst, hi<<4|lo)
				i += 2
				continue
			}
		}
		if c == '/' {
			dst = append(dst, '/')
		} else {
			dst = appendEscapedByte(dst, c)
		}
	}
	return dst
}

// queryParam is one name=value pair of a query string: decoded, and encoded
// canonically.
type queryParam struct {
	key, value   string // decoded ('+' is a space)
	ekey, evalue string // canonical encoding
}

// parseQuery splits a raw query on '&' and canonicalises each pair. Empty
// segments are skipped; a missing '=' means an empty value; ';' is literal.
// Decoding is lenient: a '%' without two hex digits stays a literal '%'.
func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		var p queryParam
		p.key, p.ekey = canonicalComponent(k)
		p.value, p.evalue = canonicalComponent(v)
		params = append(params, p)
	}
	return params
}

// canonicalComponent decodes one raw query component and re-encodes it.
func canonicalComponent(raw string) (decoded, encoded string) {
	plain := true
	for i := 0; i < len(raw); i++ {
		if !isUnreserved(raw[i]) {
			plain = false
			break
		}
	}
	if plain {
		return raw, raw
	}
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(raw):
			hi, ok1 := unhex(raw[i+1])
			lo, ok2 := unhex(raw[i+2])
			if ok1 && ok2 {
				c = hi<<4 | lo
				i += 2
			}
		}
		b = append(b, c)
	}
	decoded = string(b)
	return decoded, string(appendEscaped(make([]byte, 0, len(b)*3/2+8), decoded))
}

// sortQuery orders params by encoded key, then encoded value.
func sortQuery(params []queryParam) {
	slices.SortFunc(params, func(a, b queryParam) int {
		if c := strings.Compare(a.ekey, b.ekey); c != 0 {
			return c
		}
		return cmp.Compare(a.evalue, b.evalue)
	})
}

// appendCanonicalQuery appends the sorted params, skipping X-Amz-Signature
// when skipSignature is set (presigned requests).
func appendCanonicalQuery(dst []byte, params []queryParam, skipSignature bool) []byte {
	first := true
	for i := range params {
		p := &params[i]
		if skipSignature && p.key == "X-Amz-Signature" {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = append(dst, p.ekey...)
		dst = append(dst, '=')
		dst = append(dst, p.evalue...)
	}
	return dst
}

// appendHeaderValue appends v trimmed of spaces with inner runs of spaces
// collapsed to one.
func appendHeaderValue(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if !space {
				dst = append(dst, ' ')
			}
			space = true
			continue
		}
		space = false
		dst = append(dst, c)
	}
	return dst
}

// headerValues returns the values the client sent for the lowercase header
// name, undoing what net/http moved out of r.Header.
func headerValues(r *http.Request, name string) []string {
	switch name {
	case "content-length":
		if v := r.Header["Content-Length"]; len(v) > 0 {
			return v
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if v := r.Header["Transfer-Encoding"]; len(v) > 0 {
			return v
		}
		return r.TransferEncoding
	case "x-amz-content-sha256":
		return r.Header["X-Amz-Content-Sha256"]
	case "x-amz-date":
		return r.Header["X-Amz-Date"]
	case "content-type":
		return r.Header["Content-Type"]
	case "content-md5":
		return r.Header["Content-Md5"]
	case "x-amz-security-token":
		return r.Header["X-Amz-Security-Token"]
	}
	return r.Header[textproto.CanonicalMIMEHeaderKey(name)]
}

// appendCanonicalHeaders appends "name:value\n" for every signed header name,
// taking host from the host argument.
func appendCanonicalHeaders(dst []byte, r *http.Request, names []string, host string) []byte {
	for _, name := range names {
		dst = append(dst, name...)
		dst = append(dst, ':')
		if name == "host" {
			dst = appendHeaderValue(dst, host)
		} else {
			for i, v := range headerValues(r, name) {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendHeaderValue(dst, v)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}
