package cors

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: any body is either refused with ErrMalformed or ErrInvalid, or it is a
// configuration that passes S3's limits and reads back identically from its GetBucketCors
// XML.
func FuzzParse(f *testing.F) {
	for _, tt := range malformedTests {
		if len(tt.doc) < 4096 {
			f.Add([]byte(tt.doc))
		}
	}
	for _, tt := range invalidTests {
		f.Add([]byte(tt.doc))
	}
	f.Add([]byte(doc(minimal+"<ID>a</ID><MaxAgeSeconds>3000</MaxAgeSeconds><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>", "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>")))
	f.Add([]byte("<CORSConfiguration><CORSRule><AllowedOrigin>a\r\nb</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := Parse(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if n := len(c.Rules); n < 1 || n > MaxRules {
			t.Fatalf("%d rules", n)
		}
		for _, r := range c.Rules {
			if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
				t.Fatalf("rule without origin or method: %+v", r)
			}
			for _, h := range r.ExposeHeaders {
				if strings.Contains(h, "*") {
					t.Fatalf("wildcard expose header %q", h)
				}
			}
		}
		out, err := c.XML()
		if err != nil {
			t.Fatal(err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip:\n%+v\n%+v", c, c2)
		}
		out2, _ := c2.XML()
		if !bytes.Equal(out, out2) {
			t.Fatalf("XML not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzMatch: whatever the request, a preflight is either refused with one of the
// preflight sentinels or answered by a rule that allows its origin and method; the answer
// echoes the origin unless it is "*", and credentials go with any origin but "*".
func FuzzMatch(f *testing.F) {
	f.Add("https://example.com", "PUT", "content-type, x-amz-date", "https://*.example.com", "x-amz-*")
	f.Add("https://a.example.com", "GET", "", "*", "*")
	f.Add("null", "HEAD", ",,", "n*l", "")
	f.Add("", "PATCH", "x", "", "**")
	f.Fuzz(func(t *testing.T, origin, method, reqHeaders, allowedOrigin, allowedHeader string) {
		c := &Config{Rules: []Rule{{AllowedOrigins: []string{allowedOrigin}, AllowedMethods: []string{"GET", "PUT", "HEAD"}, AllowedHeaders: []string{allowedHeader}}}}
		a, err := Preflight(c, origin, method, true, reqHeaders)
		if err != nil {
			if !errors.Is(err, ErrNoOrigin) && !errors.Is(err, ErrBadMethod) && !errors.Is(err, ErrNotAllowed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if origin == "" || (method != "GET" && method != "PUT" && method != "HEAD") {
			t.Fatalf("answered %q %q", origin, method)
		}
		if !Wildcard(allowedOrigin, origin) && allowedOrigin != "*" {
			t.Fatalf("origin %q allowed by %q", origin, allowedOrigin)
		}
		if a.AllowOrigin != origin && a.AllowOrigin != "*" {
			t.Fatalf("Allow-Origin %q for %q", a.AllowOrigin, origin)
		}
		creds := false
		for _, h := range a.Headers() {
			if h[0] == "Access-Control-Allow-Credentials" {
				creds = true
			}
		}
		if creds != (a.AllowOrigin != "*") {
			t.Fatalf("credentials %v with origin %q", creds, a.AllowOrigin)
		}
		for _, h := range a.AllowHeaders {
			if !Wildcard(strings.ToLower(allowedHeader), h) {
				t.Fatalf("header %q allowed by %q", h, allowedHeader)
			}
		}
		if act := c.Actual(origin, method); act == nil || act.AllowOrigin != a.AllowOrigin {
			t.Fatalf("actual request disagrees with preflight: %+v", act)
		}
	})
}
