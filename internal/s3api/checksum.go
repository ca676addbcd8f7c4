package s3api

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/object"
)

// checksumModeEnabled: the request asks for the object's checksum (x-amz-checksum-mode:
// ENABLED) on GET and HEAD.
func checksumModeEnabled(q *request) bool {
	return strings.EqualFold(q.header("x-amz-checksum-mode"), "ENABLED")
}

// completeChecksumHeaders checks the checksum headers of a CompleteMultipartUpload: each
// x-amz-checksum-<alg> value well formed (a COMPOSITE value may carry its "-N" suffix) and
// x-amz-checksum-type, returned upper case ("" if absent), FULL_OBJECT or COMPOSITE.
func completeChecksumHeaders(h http.Header) (string, error) {
	for name, vals := range h {
		alg := checksum.FromHeader(name)
		if alg == "" || len(vals) == 0 {
			continue
		}
		if !checksum.ValidValue(alg, trimPartCount(vals[0])) {
			return "", checksumValueError(alg)
		}
	}
	typ := strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	switch typ {
	case "", "FULL_OBJECT", "COMPOSITE":
		return typ, nil
	}
	return "", apierr.InvalidRequest.Msg("Value for x-amz-checksum-type header is invalid.")
}

// trimPartCount drops a composite checksum's "-N" suffix (N a part count).
func trimPartCount(v string) string {
	i := strings.LastIndexByte(v, '-')
	if i < 0 {
		return v
	}
	if n, err := strconv.Atoi(v[i+1:]); err != nil || n < 1 || n > maxPartNumber {
		return v
	}
	return v[:i]
}

// readCompleteXML reads a CompleteMultipartUpload body as readXML does, except that its
// x-amz-checksum-* headers are the new object's checksum, not the body's: only Content-MD5
// is checked against the body.
func readCompleteXML(q *request, v any) error {
	data, err := io.ReadAll(io.LimitReader(q.caller.Body, maxXMLBody+1))
	if err != nil {
		return err
	}
	q.bytesIn += int64(len(data))
	if len(data) > maxXMLBody {
		return apierr.MaxMessageLengthExceeded
	}
	if vals := q.r.Header.Values("Content-Md5"); len(vals) > 0 {
		spec, err := readDigestSpec(http.Header{"Content-Md5": vals})
		if err != nil {
			return err
		}
		if err := object.VerifyDigests(data, spec, nil); err != nil {
			return err
		}
	}
	if len(data) == 0 {
		return io.EOF
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return apierr.MalformedXML
	}
	return nil
}
