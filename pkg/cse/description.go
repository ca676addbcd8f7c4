package cse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"strings"
	"unicode/utf8"
)

// encodeDescription writes a material description or encryption context as a JSON
// object with sorted keys. Non-ASCII characters are written as \u escapes, so the value
// is plain US-ASCII and no server has to re-encode it in a header.
func encodeDescription(d map[string]string) (string, error) {
	if d == nil {
		d = map[string]string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return "", err
	}
	s := strings.TrimSuffix(buf.String(), "\n")
	var out strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			out.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
	}
	return out.String(), nil
}

var wordDecoder mime.WordDecoder

// decodeS3Header undoes what S3 does to non-ASCII metadata: it returns such values
// RFC 2047-encoded and, having read the original UTF-8 bytes as ISO-8859-1, encodes each
// byte as its own character ("double encoding"). Arca sends plain RFC 2047 UTF-8; both
// decode here. A value that is not encoded is returned untouched.
func decodeS3Header(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	b := make([]byte, 0, len(d))
	high := false
	for _, r := range d {
		if r > 0xff {
			return d
		}
		high = high || r >= 0x80
		b = append(b, byte(r))
	}
	if high && utf8.Valid(b) {
		return string(b)
	}
	return d
}

// decodeDescription reads a stored material description or encryption context: a JSON
// object of strings; an absent value means {}.
func decodeDescription(v string) (map[string]string, error) {
	v = decodeS3Header(v)
	if v == "" {
		return map[string]string{}, nil
	}
	var d map[string]string
	dec := json.NewDecoder(strings.NewReader(v))
	if err := dec.Decode(&d); err != nil || dec.More() {
		return nil, fmt.Errorf("%w: material description is not a JSON object of strings", ErrMalformed)
	}
	if d == nil { // "null"
		return nil, fmt.Errorf("%w: material description is not a JSON object of strings", ErrMalformed)
	}
	return d, nil
}

// reservedContext are the encryption context keys the client, not the caller, owns.
var reservedContext = []string{"aws:x-amz-cek-alg", "kms_cmk_id"}

const cekContextKey = "aws:x-amz-cek-alg"

// contextMatches compares a stored KMS encryption context, minus the reserved keys,
// with the one a caller requires.
func contextMatches(stored, want map[string]string) bool {
	s := maps.Clone(stored)
	for _, k := range reservedContext {
		delete(s, k)
	}
	return maps.Equal(s, want)
}
