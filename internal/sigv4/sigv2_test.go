package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// v2Now is the clock botocore's signatures below were made at (2026-11-23T12:30:00Z); its
// presigned URLs expire an hour later.
var v2Now = time.Unix(1795437000, 0).UTC()

func v2Verifier() *Verifier {
	v := newVerifier()
	v.SigV2 = true
	v.Domains = []string{"localhost"}
	v.Now = func() time.Time { return v2Now }
	return v
}

// v2Sign signs a string to sign the documented way, independently of the package.
func v2Sign(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

const v2Date = "Mon, 23 Nov 2026 12:30:00 GMT"

// Requests signed by botocore 1.43's HmacV1Auth / HmacV1QueryAuth (the signers boto3 uses
// with signature_version "s3"), clock fixed at v2Now; key testAK/testSecret, or
// ASIATEMP/temp-secret with session token "the-token".
var botocoreV2Tests = []struct {
	name, method, url string
	headers           map[string]string
	ak                string
	mode              AuthMethod
}{
	{name: "get", method: "GET", url: "http://localhost:9000/bucket/photos/puppy.jpg",
		headers: map[string]string{"Date": v2Date, "Authorization": "AWS AKIDEXAMPLE:D2Av2uLsTUbnm6Sr9/QOpYV+KJM="}},
	{name: "put with metadata", method: "PUT", url: "http://localhost:9000/bucket/dir/my%20file%2Bx.txt",
		headers: map[string]string{"Content-Type": "text/plain", "Content-MD5": "XUFAKrxLKna5cZ2REBfFkg==", "x-amz-meta-Color": "blue",
			"X-Amz-Meta-Size": " big ", "x-amz-server-side-encryption": "AES256", "Date": v2Date, "Authorization": "AWS AKIDEXAMPLE:QiPIMxOpT+cS553DdGofeMcVZKQ="}},
	{name: "virtual host with sub-resources", method: "GET", url: "http://bucket.localhost:9000/photos/puppy.jpg?versionId=v1&response-content-type=text%2Fhtml&foo=bar",
		headers: map[string]string{"Date": v2Date, "Authorization": "AWS AKIDEXAMPLE:C5lWmJj1G7QYbzXciJqBoWQGOCU="}},
	{name: "acl", method: "PUT", url: "http://localhost:9000/bucket?acl",
		headers: map[string]string{"x-amz-acl": "private", "Date": v2Date, "Authorization": "AWS AKIDEXAMPLE:ISMzKMBdlK+VzKvBcTPVirY9zWU="}},
	{name: "upload part, session token", method: "PUT", url: "http://localhost:9000/bucket/k?partNumber=2&uploadId=abc", ak: "ASIATEMP",
		headers: map[string]string{"x-amz-security-token": "the-token", "Date": v2Date, "Authorization": "AWS ASIATEMP:gX6P4boqQw1ghkJUssq++ZexP90="}},
	{name: "virtual host bucket listing", method: "GET", url: "http://bucket.localhost:9000/?list-type=2&prefix=a",
		headers: map[string]string{"Date": v2Date, "Authorization": "AWS AKIDEXAMPLE:SKTCCTT2beHv79fTgJrOxx4ZreM="}},
	{name: "presigned get", method: "GET", mode: AuthQuery,
		url: "http://localhost:9000/bucket/photos/puppy.jpg?AWSAccessKeyId=AKIDEXAMPLE&Signature=YiDCJyEeC2NE3gwcTtLxGnvcE0s%3D&Expires=1795440600"},
	{name: "presigned get, response override", method: "GET", mode: AuthQuery,
		url: "http://localhost:9000/bucket/photos/puppy.jpg?response-content-disposition=attachment%3B%20filename%3D%22a.txt%22&AWSAccessKeyId=AKIDEXAMPLE&Signature=Sbd5m7281bPxb8LssWCyBeMZ0ek%3D&Expires=1795440600"},
	{name: "presigned put, headers in the query", method: "PUT", mode: AuthQuery,
		url: "http://localhost:9000/bucket/up.txt?AWSAccessKeyId=AKIDEXAMPLE&Signature=TuaCle9obhP3dSu9va1U%2BEPFXzY%3D&content-type=text%2Fplain&x-amz-server-side-encryption=aws%3Akms&Expires=1795440600"},
	{name: "presigned virtual host, session token", method: "GET", mode: AuthQuery, ak: "ASIATEMP",
		url: "http://bucket.localhost:9000/k?AWSAccessKeyId=ASIATEMP&Signature=CPl7oDy5%2BgkvhwkJ9cMsRn1evsk%3D&x-amz-security-token=the-token&Expires=1795440600"},
	// botocore signs a path-style bucket's resource as "/bucket/" but sends "/bucket".
	{name: "path-style bucket listing", method: "GET", url: "http://localhost:9000/bucket?list-type=2&prefix=a",
		headers: map[string]string{"Date": v2Date, "Authorization": "AWS AKIDEXAMPLE:SKTCCTT2beHv79fTgJrOxx4ZreM="}},
}

func newV2Request(method, url string, headers map[string]string) *http.Request {
	r := httptest.NewRequest(method, url, nil)
	for k, v := range headers {
		r.Header[http.CanonicalHeaderKey(k)] = append(r.Header[http.CanonicalHeaderKey(k)], v)
	}
	return r
}

func TestVerifyV2Botocore(t *testing.T) {
	for _, tt := range botocoreV2Tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := v2Verifier().Verify(newV2Request(tt.method, tt.url, tt.headers))
			if err != nil {
				t.Fatal(err)
			}
			ak, mode := tt.ak, tt.mode
			if ak == "" {
				ak = testAK
			}
			if mode == AuthNone {
				mode = AuthHeader
			}
			if res.Version != SigV2 || res.Method != mode || res.AccessKeyID != ak || res.Service != "s3" || res.Payload != PayloadUnsigned {
				t.Fatalf("result %+v", res)
			}
			if ak == "ASIATEMP" && res.SecurityToken != "the-token" {
				t.Fatalf("token %q", res.SecurityToken)
			}
		})
	}
}

// The example of S3's Signature Version 2 documentation.
func TestVerifyV2DocumentationExample(t *testing.T) {
	v := v2Verifier()
	v.Creds = credMap{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	v.Domains = []string{"us-west-1.s3.amazonaws.com"}
	v.Now = func() time.Time { return time.Date(2007, 3, 27, 19, 40, 0, 0, time.UTC) }
	r := newV2Request("GET", "https://awsexamplebucket1.us-west-1.s3.amazonaws.com/photos/puppy.jpg", map[string]string{
		"Date": "Tue, 27 Mar 2007 19:36:42 +0000", "Authorization": "AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g="})
	if _, err := v.Verify(r); err != nil {
		t.Fatal(err)
	}
}

// s3cmd signs with x-amz-date (in RFC 1123 with "+0000") and an empty Date line.
func TestVerifyV2AmzDatePrecedence(t *testing.T) {
	xd := "Mon, 23 Nov 2026 12:31:00 +0000"
	sts := "PUT\n\nimage/png\n\nx-amz-date:" + xd + "\nx-amz-meta-a:1,2\n/bucket/pic.png"
	h := map[string]string{"Content-Type": "image/png", "X-Amz-Date": xd, "Authorization": "AWS " + testAK + ":" + v2Sign(testSecret, sts)}
	r := newV2Request("PUT", "http://localhost:9000/bucket/pic.png", h)
	r.Header.Add("X-Amz-Meta-A", "1")
	r.Header.Add("X-Amz-Meta-A", " 2")
	r.Header.Set("Date", "Mon, 01 Jan 2001 00:00:00 GMT") // ignored: x-amz-date wins
	if _, err := v2Verifier().Verify(r); err != nil {
		t.Fatal(err)
	}
	// The same signature with the date in the Date line does not verify.
	sts2 := "PUT\n\nimage/png\n" + xd + "\nx-amz-date:" + xd + "\nx-amz-meta-a:1,2\n/bucket/pic.png"
	r.Header.Set("Authorization", "AWS "+testAK+":"+v2Sign(testSecret, sts2))
	if _, err := v2Verifier().Verify(r); !errors.Is(err, ErrSignatureDoesNotMatch) {
		t.Fatalf("date line signed: %v", err)
	}
}

func TestVerifyV2PostedContentSHA256(t *testing.T) {
	body := "hello"
	sts := "PUT\n\n\n" + v2Date + "\nx-amz-content-sha256:" + sha256Hex([]byte(body)) + "\n/bucket/k"
	r := newV2Request("PUT", "http://localhost:9000/bucket/k", map[string]string{"Date": v2Date,
		"X-Amz-Content-Sha256": sha256Hex([]byte(body)), "Authorization": "AWS " + testAK + ":" + v2Sign(testSecret, sts)})
	r.Body = http.NoBody
	res, err := v2Verifier().Verify(r)
	if err != nil || res.Payload != PayloadSigned {
		t.Fatalf("res %+v err %v", res, err)
	}
}

// mutation turns one of botocoreV2Tests into a request that must fail.
var v2FailTests = []struct {
	name   string
	base   int // index into botocoreV2Tests
	mutate func(r *http.Request)
	v      func(v *Verifier)
	err    error
}{
	{name: "injected copy source on presigned put", base: 8, mutate: setHeader("X-Amz-Copy-Source", "/bucket/secret"), err: ErrSignatureDoesNotMatch},
	{name: "injected sse on presigned get", base: 6, mutate: setHeader("X-Amz-Server-Side-Encryption", "AES256"), err: ErrSignatureDoesNotMatch},
	{name: "sse header changed", base: 1, mutate: setHeader("X-Amz-Server-Side-Encryption", "aws:kms"), err: ErrSignatureDoesNotMatch},
	{name: "metadata added", base: 1, mutate: setHeader("X-Amz-Meta-Extra", "1"), err: ErrSignatureDoesNotMatch},
	{name: "content type changed", base: 1, mutate: setHeader("Content-Type", "text/html"), err: ErrSignatureDoesNotMatch},
	{name: "sub-resource added", base: 6, mutate: addQuery("acl", ""), err: ErrSignatureDoesNotMatch},
	{name: "tagging added", base: 0, mutate: addQuery("tagging", ""), err: ErrSignatureDoesNotMatch},
	{name: "attributes added", base: 0, mutate: addQuery("attributes", ""), err: ErrSignatureDoesNotMatch},
	{name: "retention added", base: 6, mutate: addQuery("retention", ""), err: ErrSignatureDoesNotMatch},
	{name: "method changed", base: 6, mutate: func(r *http.Request) { r.Method = "DELETE" }, err: ErrSignatureDoesNotMatch},
	{name: "other key", base: 6, mutate: func(r *http.Request) { r.URL.Path = "/bucket/photos/other.jpg" }, err: ErrSignatureDoesNotMatch},
	{name: "other bucket by host", base: 5, mutate: func(r *http.Request) { r.Host = "other.localhost:9000" }, err: ErrSignatureDoesNotMatch},
	{name: "wrong secret", base: 0, v: func(v *Verifier) { v.Creds = credMap{testAK: "not-the-secret"} }, err: ErrSignatureDoesNotMatch},
	{name: "unknown key", base: 0, v: func(v *Verifier) { v.Creds = credMap{} }, err: ErrInvalidAccessKeyID},
	{name: "expired", base: 6, v: func(v *Verifier) { v.Now = func() time.Time { return v2Now.Add(time.Hour + time.Second) } }, err: ErrRequestExpired},
	{name: "skewed", base: 0, v: func(v *Verifier) { v.Now = func() time.Time { return v2Now.Add(16 * time.Minute) } }, err: ErrRequestTimeTooSkewed},
	{name: "skewed ahead", base: 0, v: func(v *Verifier) { v.Now = func() time.Time { return v2Now.Add(-16 * time.Minute) } }, err: ErrRequestTimeTooSkewed},
	{name: "no date", base: 0, mutate: func(r *http.Request) { r.Header.Del("Date") }, err: ErrDateRequired},
	{name: "bad date", base: 0, mutate: setHeader("Date", "yesterday"), err: ErrDateRequired},
	{name: "bad x-amz-date", base: 0, mutate: setHeader("X-Amz-Date", "yesterday"), err: ErrDateRequired},
	{name: "malformed header", base: 0, mutate: setHeader("Authorization", "AWS AKIDEXAMPLE"), err: ErrInvalidArgument},
	{name: "empty signature", base: 0, mutate: setHeader("Authorization", "AWS AKIDEXAMPLE:"), err: ErrInvalidArgument},
	{name: "truncated signature", base: 0, mutate: setHeader("Authorization", "AWS AKIDEXAMPLE:D2Av2uLsTUbnm6Sr9/QOpYV+KJ=="), err: ErrSignatureDoesNotMatch},
	{name: "no expires", base: 6, mutate: delQuery("Expires"), err: ErrQueryAuthV2},
	{name: "no key", base: 6, mutate: delQuery("AWSAccessKeyId"), err: ErrQueryAuthV2},
	{name: "expires not a number", base: 6, mutate: setQuery("Expires", "soon"), err: ErrQueryAuthV2},
	{name: "header and query", base: 6, mutate: setHeader("Authorization", "AWS AKIDEXAMPLE:D2Av2uLsTUbnm6Sr9/QOpYV+KJM="), err: ErrMultipleAuth},
	{name: "v2 off: header", base: 0, v: func(v *Verifier) { v.SigV2 = false }, err: ErrUnsupportedAlgorithm},
	{name: "v2 off: query", base: 6, v: func(v *Verifier) { v.SigV2 = false }, err: ErrUnsupportedAlgorithm},
	{name: "a KMS request", base: 0, mutate: setHeader("X-Amz-Target", "TrentService.ListKeys"), err: ErrUnsupportedAlgorithm},
	{name: "streaming payload", base: 0, mutate: setHeader("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), err: ErrInvalidContentSHA256},
}

func setHeader(k, val string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(k, val) }
}

func addQuery(k, val string) func(*http.Request) {
	return func(r *http.Request) {
		if r.URL.RawQuery != "" {
			r.URL.RawQuery += "&"
		}
		r.URL.RawQuery += k
		if val != "" {
			r.URL.RawQuery += "=" + val
		}
	}
}

func TestVerifyV2Failures(t *testing.T) {
	for _, tt := range v2FailTests {
		t.Run(tt.name, func(t *testing.T) {
			b := botocoreV2Tests[tt.base]
			r := newV2Request(b.method, b.url, b.headers)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			v := v2Verifier()
			if tt.v != nil {
				tt.v(v)
			}
			res, err := v.Verify(r)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v (res %+v)", err, tt.err, res)
			}
		})
	}
}

// A query parameter that is not a sub-resource is not signed in SigV2.
func TestVerifyV2UnsignedParameter(t *testing.T) {
	b := botocoreV2Tests[6]
	r := newV2Request(b.method, b.url+"&x-id=GetObject", b.headers)
	if _, err := v2Verifier().Verify(r); err != nil {
		t.Fatal(err)
	}
}

// With SigV2 off, only one of the two query parameters stays anonymous, as before.
func TestVerifyV2OffAnonymous(t *testing.T) {
	v := v2Verifier()
	v.SigV2 = false
	res, err := v.Verify(httptest.NewRequest("GET", "http://localhost/b/k?Signature=x", nil))
	if err != nil || res.Method != AuthNone {
		t.Fatalf("res %+v err %v", res, err)
	}
}
