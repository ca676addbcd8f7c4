package sigv4

import (
	"errors"
	"strconv"
	"strings"
)

// maxExpires is the longest presigned lifetime AWS allows: one week.
const maxExpires = 7 * 24 * 60 * 60

// presignParams are the authentication parameters of a presigned URL, decoded.
type presignParams struct {
	algorithm, credential, date, expires, signedHeaders, signature, token string
	expiresSec                                                            int64
}

// isQueryAuthKey reports whether a query key starts SigV4 query
// authentication. Any of them present makes the request a presigned one.
func isQueryAuthKey(k string) bool {
	return k == "X-Amz-Algorithm" || k == "X-Amz-Credential" || k == "X-Amz-Signature"
}

func queryError(msg string) error {
	return detail(ErrAuthorizationQueryParametersError, msg)
}

// parsePresign extracts and checks the X-Amz-* authentication parameters.
// It checks, in order: the algorithm, that every required parameter is
// present exactly once, X-Amz-Expires, and X-Amz-Date; the credential and
// signed headers are checked by the caller.
func parsePresign(params []queryParam) (presignParams, error) {
	var p presignParams
	var seen [7]bool
	for i := range params {
		var dst *string
		var idx int
		switch params[i].key {
		case "X-Amz-Algorithm":
			dst, idx = &p.algorithm, 0
		case "X-Amz-Credential":
			dst, idx = &p.credential, 1
		case "X-Amz-Date":
			dst, idx = &p.date, 2
		case "X-Amz-Expires":
			dst, idx = &p.expires, 3
		case "X-Amz-SignedHeaders":
			dst, idx = &p.signedHeaders, 4
		case "X-Amz-Signature":
			dst, idx = &p.signature, 5
		case "X-Amz-Security-Token":
			dst, idx = &p.token, 6
		default:
			continue
		}
		if seen[idx] {
			return p, queryError("Query-string authentication parameter " + params[i].key + " must appear only once.")
		}
		seen[idx] = true
		*dst = params[i].value
	}
	if seen[0] && p.algorithm != algorithm {
		return p, detail(ErrUnsupportedAlgorithm, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	if p.algorithm == "" || p.credential == "" || p.date == "" || p.expires == "" ||
		p.signedHeaders == "" || p.signature == "" {
		return p, queryError(msgQueryMissing)
	}
	n, err := strconv.ParseInt(p.expires, 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		if strings.HasPrefix(p.expires, "-") {
			return p, queryError("X-Amz-Expires must be non-negative")
		}
		return p, queryError("X-Amz-Expires must be less than a week (in seconds) that is; 604800")
	case err != nil:
		return p, queryError("X-Amz-Expires should be a number")
	case n < 0:
		return p, queryError("X-Amz-Expires must be non-negative")
	case n > maxExpires:
		return p, queryError("X-Amz-Expires must be less than a week (in seconds) that is; 604800")
	}
	p.expiresSec = n
	if _, ok := parseAmzDate(p.date); !ok {
		return p, queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	return p, nil
}
