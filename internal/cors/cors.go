// Package cors is S3's cross-origin resource sharing: a bucket's CORS configuration (the
// CORSConfiguration document of PutBucketCors, parsed and validated as S3 does), and the
// decisions made from it: which rule answers a preflight (OPTIONS) request, and which CORS
// headers an actual request from a browser gets (docs/CORS.md).
//
// Entry points: Parse turns a PutBucketCors body into a *Config (or ErrMalformed /
// ErrInvalid with S3's message); Config.XML is the GetBucketCors body; Preflight decides an
// OPTIONS request and Actual the headers of any other request that names an Origin. The
// answers are plain header name/value pairs; nothing here knows HTTP.
package cors

import (
	"errors"
	"slices"
	"strings"

	"github.com/arcastore/arca/internal/errs"
)

// Sentinel errors; internal/apierr maps them to S3's codes. Those marked "with a message"
// come as an *errs.E carrying S3's words for the case.
var (
	// ErrMalformed: the document is not a CORSConfiguration S3 accepts (MalformedXML).
	ErrMalformed = errors.New("cors: malformed configuration")
	// ErrInvalid: a value S3 refuses (InvalidRequest, with a message).
	ErrInvalid = errors.New("cors: invalid configuration")
	// ErrNoOrigin: a preflight request without an Origin (BadRequest).
	ErrNoOrigin = errors.New("cors: preflight request without an origin")
	// ErrBadMethod: a preflight request whose Access-Control-Request-Method is missing or not
	// one a rule may allow (BadRequest, with a message).
	ErrBadMethod = errors.New("cors: preflight request names an invalid method")
	// ErrNotEnabled: a preflight request to a bucket without a CORS configuration
	// (AccessForbidden).
	ErrNotEnabled = errors.New("cors: not enabled for this bucket")
	// ErrNotAllowed: no rule allows the preflight request's origin, method and headers
	// (AccessForbidden).
	ErrNotAllowed = errors.New("cors: request not allowed")
)

// Limits S3 sets on a configuration.
const (
	MaxRules    = 100
	MaxIDLength = 255
	// MaxDocument is the largest PutBucketCors body S3 takes (64 KB).
	MaxDocument = 64 << 10
)

// Vary is what every CORS answer varies on.
const Vary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// Methods are the methods a rule may allow, and a preflight may ask for.
var Methods = []string{"GET", "PUT", "POST", "DELETE", "HEAD"}

// Rule is one CORSRule. Values are kept exactly as given (case and spaces included).
type Rule struct {
	ID             string   `json:"id,omitempty"`
	AllowedOrigins []string `json:"origins"`
	AllowedMethods []string `json:"methods"`
	AllowedHeaders []string `json:"headers,omitempty"`
	ExposeHeaders  []string `json:"expose,omitempty"`
	// MaxAgeSeconds is meaningful when HasMaxAge (0 is a value S3 keeps and sends).
	MaxAgeSeconds int  `json:"maxage,omitempty"`
	HasMaxAge     bool `json:"hasmaxage,omitempty"`
	// HasID distinguishes an empty <ID></ID> from none.
	HasID bool `json:"hasid,omitempty"`
}

// Config is a bucket's CORS configuration: its rules in the order given, the first that
// matches a request deciding it.
type Config struct {
	Rules []Rule `json:"rules"`
}

// Clone is a deep copy (nil for nil).
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	d := &Config{Rules: slices.Clone(c.Rules)}
	for i := range d.Rules {
		r := &d.Rules[i]
		r.AllowedOrigins = slices.Clone(r.AllowedOrigins)
		r.AllowedMethods = slices.Clone(r.AllowedMethods)
		r.AllowedHeaders = slices.Clone(r.AllowedHeaders)
		r.ExposeHeaders = slices.Clone(r.ExposeHeaders)
	}
	return d
}

// validate checks the values S3 refuses with InvalidRequest, rule by rule, in S3's order
// within a rule: methods, origins, allowed headers, exposed headers.
func (c *Config) validate() error {
	for _, r := range c.Rules {
		for _, m := range r.AllowedMethods {
			if !slices.Contains(Methods, m) {
				return errs.Newf(ErrInvalid, "Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return errs.Newf(ErrInvalid, "AllowedOrigin \"%s\" can not have more than one wildcard.", o)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return errs.Newf(ErrInvalid, "AllowedHeader \"%s\" can not have more than one wildcard.", h)
			}
		}
		for _, h := range r.ExposeHeaders {
			if strings.Contains(h, "*") {
				return errs.Newf(ErrInvalid, "ExposeHeader \"%s\" contains wildcard. We currently do not support wildcard for ExposeHeader.", h)
			}
		}
	}
	return nil
}
