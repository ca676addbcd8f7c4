package cors

import (
	"slices"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/errs"
)

// Answer is what the rule that matched lets a browser know: the CORS response headers.
type Answer struct {
	// AllowOrigin is the request's origin, or "*" when the rule allows every origin.
	AllowOrigin string
	// AllowMethods are the rule's methods, in its order.
	AllowMethods []string
	// AllowHeaders are the headers the preflight asked for, lowercase (preflight only).
	AllowHeaders  []string
	ExposeHeaders []string
	// MaxAge is the rule's MaxAgeSeconds ("" when it has none).
	MaxAge string
}

// Headers are the answer's response headers in the order S3 writes them:
// Access-Control-Allow-Origin, -Allow-Methods, -Allow-Headers, -Expose-Headers, -Max-Age,
// -Allow-Credentials ("true" unless the origin is "*"), and Vary.
func (a *Answer) Headers() [][2]string {
	h := [][2]string{
		{"Access-Control-Allow-Origin", a.AllowOrigin},
		{"Access-Control-Allow-Methods", strings.Join(a.AllowMethods, ", ")},
	}
	if len(a.AllowHeaders) > 0 {
		h = append(h, [2]string{"Access-Control-Allow-Headers", strings.Join(a.AllowHeaders, ", ")})
	}
	if len(a.ExposeHeaders) > 0 {
		h = append(h, [2]string{"Access-Control-Expose-Headers", strings.Join(a.ExposeHeaders, ", ")})
	}
	if a.MaxAge != "" {
		h = append(h, [2]string{"Access-Control-Max-Age", a.MaxAge})
	}
	if a.AllowOrigin != "*" {
		h = append(h, [2]string{"Access-Control-Allow-Credentials", "true"})
	}
	return append(h, [2]string{"Vary", Vary})
}

// Preflight decides an OPTIONS request: origin is its Origin header, method its
// Access-Control-Request-Method (hasMethod false when it sent none) and requestHeaders its
// Access-Control-Request-Headers (a comma-separated list, possibly empty). c is the
// bucket's configuration, nil when it has none. The checks are S3's, in its order: no
// origin is ErrNoOrigin; a missing method or one outside Methods is ErrBadMethod; no
// configuration is ErrNotEnabled; no rule allowing the origin, the method and every
// requested header is ErrNotAllowed.
func Preflight(c *Config, origin, method string, hasMethod bool, requestHeaders string) (*Answer, error) {
	if origin == "" {
		return nil, ErrNoOrigin
	}
	if !hasMethod {
		method = "null"
	}
	if !hasMethod || !slices.Contains(Methods, method) {
		return nil, errs.Newf(ErrBadMethod, "Invalid Access-Control-Request-Method: %s", method)
	}
	if c == nil {
		return nil, ErrNotEnabled
	}
	headers := SplitHeaders(requestHeaders)
	a := c.match(origin, method, headers)
	if a == nil {
		return nil, ErrNotAllowed
	}
	a.AllowHeaders = headers
	return a, nil
}

// Actual is the answer to a request other than a preflight that names an Origin (a GET,
// PUT, POST, DELETE or HEAD from a browser): the first rule that allows its origin and
// method, whatever headers it carries; nil when none does (the response then carries no
// CORS header).
func (c *Config) Actual(origin, method string) *Answer {
	if c == nil || origin == "" {
		return nil
	}
	return c.match(origin, method, nil)
}

// SplitHeaders splits an Access-Control-Request-Headers value into lowercase names,
// without spaces, leaving out empty ones.
func SplitHeaders(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// match is the answer of the first rule that allows origin, method and every one of
// headers (lowercase), or nil.
func (c *Config) match(origin, method string, headers []string) *Answer {
	for i := range c.Rules {
		r := &c.Rules[i]
		if !slices.Contains(r.AllowedMethods, method) {
			continue
		}
		allowOrigin, ok := r.allowOrigin(origin)
		if !ok || !r.allowsHeaders(headers) {
			continue
		}
		a := &Answer{AllowOrigin: allowOrigin, AllowMethods: r.AllowedMethods, ExposeHeaders: r.ExposeHeaders}
		if r.HasMaxAge {
			a.MaxAge = strconv.Itoa(r.MaxAgeSeconds)
		}
		return a
	}
	return nil
}

// allowOrigin reports whether one of the rule's origins matches origin (case-sensitive,
// "*" standing for any run of characters), and what Access-Control-Allow-Origin is then:
// "*" when the rule lists the literal "*", else the origin itself.
func (r *Rule) allowOrigin(origin string) (string, bool) {
	ok := false
	for _, o := range r.AllowedOrigins {
		if o == "*" {
			return "*", true
		}
		ok = ok || Wildcard(o, origin)
	}
	return origin, ok
}

// allowsHeaders reports whether every one of headers (lowercase) matches one of the rule's
// AllowedHeader patterns, compared without case.
func (r *Rule) allowsHeaders(headers []string) bool {
	for _, h := range headers {
		ok := false
		for _, p := range r.AllowedHeaders {
			if Wildcard(strings.ToLower(p), h) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Wildcard reports whether s matches pattern, in which one "*" stands for any run of
// characters (possibly none); a pattern without one must equal s. The text before and
// after the wildcard must not overlap in s. Patterns are validated to hold at most one
// wildcard; should one hold more, the first is the wildcard and the others are literal.
func Wildcard(pattern, s string) bool {
	before, after, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}
