package sigv4

import (
	"strings"
	"time"
)

const (
	algorithm   = "AWS4-HMAC-SHA256"
	terminator  = "aws4_request"
	amzDateForm = "20060102T150405Z"
)

// authHeader holds the three components of a SigV4 Authorization header.
type authHeader struct {
	credential, signedHeaders, signature string
}

// parseAuthorization parses
//
//	AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex
//
// accepting any run of spaces and commas between components and components
// in any order. Any other scheme (SigV2 "AWS ", SigV4A, ...) gives
// ErrUnsupportedAlgorithm; anything else wrong gives
// ErrAuthorizationHeaderMalformed.
func parseAuthorization(h string) (authHeader, error) {
	var a authHeader
	h = strings.TrimLeft(h, " \t")
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		return a, ErrUnsupportedAlgorithm
	}
	for {
		rest = strings.TrimLeft(rest, " ,\t")
		if rest == "" {
			break
		}
		end := strings.IndexAny(rest, " ,\t")
		if end < 0 {
			end = len(rest)
		}
		tok := rest[:end]
		rest = rest[end:]
		k, v, ok := strings.Cut(tok, "=")
		if !ok || v == "" {
			return a, malformedHeader("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
		}
		var dst *string
		switch k {
		case "Credential":
			dst = &a.credential
		case "SignedHeaders":
			dst = &a.signedHeaders
		case "Signature":
			dst = &a.signature
		default:
			return a, malformedHeader("unknown component " + quote(k) + ".")
		}
		if *dst != "" {
			return a, malformedHeader("duplicate component " + quote(k) + ".")
		}
		*dst = v
	}
	if a.credential == "" || a.signedHeaders == "" || a.signature == "" {
		return a, malformedHeader("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
	}
	return a, nil
}

func malformedHeader(reason string) error {
	return detail(ErrAuthorizationHeaderMalformed, msgHeaderPrefix+reason)
}

// quote wraps s in double quotes, cutting it short and dropping control
// characters so that hostile input cannot bloat or break an error message.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, s)
	return `"` + s + `"`
}

// credScope is a parsed credential: AK/date/region/service/aws4_request.
type credScope struct {
	accessKey, date, region, service string
	scope                            string // date/region/service/aws4_request
}

// parseCredential splits a credential from the right, so an access key may
// itself contain '/'. The error is AWS's reason text, without prefix.
func parseCredential(c string) (credScope, string) {
	var s credScope
	i4 := strings.LastIndexByte(c, '/')
	if i4 < 0 {
		return s, msgCredMalformed
	}
	i3 := strings.LastIndexByte(c[:i4], '/')
	if i3 < 0 {
		return s, msgCredMalformed
	}
	i2 := strings.LastIndexByte(c[:i3], '/')
	if i2 < 0 {
		return s, msgCredMalformed
	}
	i1 := strings.LastIndexByte(c[:i2], '/')
	if i1 <= 0 {
		return s, msgCredMalformed
	}
	s.accessKey = c[:i1]
	s.date = c[i1+1 : i2]
	s.region = c[i2+1 : i3]
	s.service = c[i3+1 : i4]
	term := c[i4+1:]
	s.scope = c[i1+1:]
	if _, ok := parseScopeDate(s.date); !ok {
		return s, "incorrect date format " + quote(s.date) + `. This date in the credential must be in the format "yyyyMMdd".`
	}
	if s.region == "" || s.service == "" {
		return s, msgCredMalformed
	}
	if term != terminator {
		return s, "incorrect terminal " + quote(term) + `. This endpoint uses "aws4_request".`
	}
	return s, ""
}

// parseSignedHeaders splits "a;b;c" into lowercase names. It reports false
// on an empty name or a byte that cannot be in a header name.
func parseSignedHeaders(s string) ([]string, bool) {
	names := make([]string, 0, strings.Count(s, ";")+1)
	for {
		n, rest, more := strings.Cut(s, ";")
		if n == "" {
			return nil, false
		}
		for i := 0; i < len(n); i++ {
			if !isTokenByte(n[i]) {
				return nil, false
			}
		}
		names = append(names, strings.ToLower(n))
		if !more {
			return names, true
		}
		s = rest
	}
}

func isTokenByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	return !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, rune(c))
}

func hasName(names []string, want string) bool {
	for _, n := range names {
		if n == want {
			return true
		}
	}
	return false
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1 {
		return false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() == d
}

// parseScopeDate parses YYYYMMDD.
func parseScopeDate(s string) (time.Time, bool) {
	if len(s) != 8 {
		return time.Time{}, false
	}
	y, ok1 := digits(s[:4])
	m, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:])
	if !ok1 || !ok2 || !ok3 || !validDate(y, m, d) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// parseAmzDate parses the ISO 8601 basic form YYYYMMDD'T'HHMMSS'Z'.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	day, ok := parseScopeDate(s[:8])
	hh, ok1 := digits(s[9:11])
	mm, ok2 := digits(s[11:13])
	ss, ok3 := digits(s[13:15])
	if !ok || !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false
	}
	return day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(ss)*time.Second), true
}
