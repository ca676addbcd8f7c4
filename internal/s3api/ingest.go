package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/object"
)

// maxPutSize is the largest single PUT (and part) S3 accepts.
const maxPutSize = object.MaxPutSize

func checksumValueError(alg string) error {
	return apierr.InvalidRequest.Msg("Value for %s header is invalid.", checksum.Header(alg))
}

// readDigestSpec parses Content-MD5 and the flexible checksum headers.
func readDigestSpec(h http.Header) (object.Digests, error) {
	var d object.Digests
	if v := h.Get("Content-Md5"); v != "" || len(h.Values("Content-Md5")) > 0 {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			return d, apierr.InvalidDigest
		}
		d.MD5 = b
	}
	for name, vals := range h {
		alg := checksum.FromHeader(name)
		if alg == "" || strings.EqualFold(name, "x-amz-checksum-type") {
			continue
		}
		if d.Algorithm != "" {
			return d, apierr.InvalidRequest.Msg("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		d.Algorithm, d.Value = alg, vals[0]
		if !checksum.ValidValue(alg, d.Value) {
			return d, checksumValueError(alg)
		}
	}
	if t := h.Get("X-Amz-Trailer"); t != "" {
		alg := checksum.FromHeader(strings.TrimSpace(t))
		if alg == "" {
			return d, apierr.InvalidRequest.Msg("The value specified in the x-amz-trailer header is not supported")
		}
		if d.Algorithm != "" && d.Algorithm != alg {
			return d, apierr.InvalidRequest.Msg("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		d.Algorithm, d.Trailer = alg, true
	}
	if sdk := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" {
		alg := strings.ToUpper(sdk)
		if !checksum.Valid(alg) {
			return d, apierr.InvalidRequest.Msg("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		if d.Algorithm == "" {
			return d, apierr.InvalidRequest.Msg("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
		}
		if d.Algorithm != alg {
			return d, apierr.InvalidRequest.Msg("Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
	}
	return d, nil
}

// trailerFunc reads the request's trailing headers once the body reached EOF.
func trailerFunc(q *request) object.TrailerFunc {
	return func(name string) string {
		if q.caller == nil || q.caller.Trailer == nil {
			return ""
		}
		return trailerValue(q.caller.Trailer(), name)
	}
}

// payloadBody is the request's verified payload as the engine reads it: its declared
// length, the digests the client sent and the bytes read counted for metrics.
func payloadBody(q *request) (object.Body, error) {
	n, err := payloadLength(q)
	if err != nil {
		return object.Body{}, err
	}
	d, err := readDigestSpec(q.r.Header)
	if err != nil {
		return object.Body{}, err
	}
	return object.Body{R: q.caller.Body, Size: n, Digests: d, Trailer: trailerFunc(q), Read: &q.bytesIn}, nil
}

// payloadLength is the decoded payload length the request declares.
func payloadLength(q *request) (int64, error) {
	n := q.caller.ContentLength
	if n < 0 || n == 0 && noContentLength(q.r) {
		return 0, apierr.MissingContentLength
	}
	if n > maxPutSize {
		return 0, apierr.EntityTooLarge.With("ProposedSize", itoa64(n)).With("MaxSizeAllowed", itoa64(maxPutSize))
	}
	return n, nil
}

// noContentLength reports an HTTP/1 request that sent neither Content-Length nor a
// Transfer-Encoding: net/http reads its body as empty, but S3 refuses a write that does not
// state its length (curl -X PUT with no data sends none) with 411 MissingContentLength.
func noContentLength(r *http.Request) bool {
	return r.ProtoMajor == 1 && len(r.TransferEncoding) == 0 && len(r.Header["Content-Length"]) == 0
}

// verifyBodyDigests checks Content-MD5 and checksum headers of a small, fully read body.
func verifyBodyDigests(q *request, data []byte) error {
	spec, err := readDigestSpec(q.r.Header)
	if err != nil {
		return err
	}
	return object.VerifyDigests(data, spec, trailerFunc(q))
}

// trailerValue reads a trailing header; sigv4 keys trailers by their lowercase wire name.
func trailerValue(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return h.Get(name)
}
