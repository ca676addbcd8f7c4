package sigv4

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// s3Key escapes an object key the way S3 clients put it in the path.
func s3Key(key string) string {
	return string(appendCanonicalURI(nil, strings.ReplaceAll(key, "%", "%25")))
}

// newS3Request builds a request for /bucket/key with the given raw query.
func newS3Request(t testing.TB, method, base, key, rawQuery, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Path = "/bucket/" + key
	req.URL.RawPath = "/bucket/" + s3Key(key)
	req.URL.RawQuery = rawQuery
	return req
}

func signS3(t testing.TB, req *http.Request, creds aws.Credentials, payload, region string, at time.Time) {
	t.Helper()
	if payload != "" {
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	hash := payload
	if hash == "" {
		hash = unsignedPayload
	}
	// A fresh signer: the SDK caches derived keys by access key id, not secret.
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds, req, hash, "s3", region, at); err != nil {
		t.Fatal(err)
	}
}

var testKeys = []string{
	"plain.txt",
	"with space/and more  spaces",
	"ünïcødé/日本語/ファイル",
	"a+b+c",
	"100%/%2F/%zz",
	"~tilde~",
	"k=v&x=y",
	"dir/sub/dir/file",
	"dots/../and/./more//slashes/",
	"sub-delims!$&'()*,;:@",
	"emoji-😀",
	"question?mark#hash",
}

var headerAcceptTests = []struct {
	name    string
	method  string
	query   string
	headers map[string][]string
	body    string
}{
	{name: "get", method: "GET"},
	{name: "list", method: "GET", query: url.Values{"list-type": {"2"}, "prefix": {"a b/ü+~*=%"}, "delimiter": {"/"}}.Encode()},
	{name: "subresource", method: "GET", query: "acl"},
	{name: "repeated-params", method: "GET", query: "b=2&a=3&a=1&a=a-b&a=a/b"},
	{name: "put", method: "PUT", body: "hello, world", headers: map[string][]string{
		"Content-Type":     {"text/plain; charset=utf-8"},
		"X-Amz-Meta-Spacy": {"  lots   of    spaces  "},
		"X-Amz-Meta-Multi": {"one", "two  three"},
		"X-Amz-Tagging":    {"a=b&c=d"},
	}},
	{name: "range", method: "GET", headers: map[string][]string{"Range": {"bytes=0-9"}}},
	{name: "delete", method: "DELETE"},
	{name: "head", method: "HEAD"},
}

func TestHeaderAuthAccepts(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	for _, tc := range headerAcceptTests {
		for _, key := range testKeys {
			for _, payload := range []string{"hex", unsignedPayload} {
				t.Run(tc.name+"/"+key+"/"+payload, func(t *testing.T) {
					req := newS3Request(t, tc.method, ts.URL, key, tc.query, tc.body)
					for k, vs := range tc.headers {
						req.Header[k] = vs
					}
					p := payload
					if p == "hex" {
						p = sha256Hex([]byte(tc.body))
					}
					signS3(t, req, testCreds, p, testRegion, testNow.Add(-time.Minute))
					o := ts.do(t, req)
					if o.err != nil {
						t.Fatalf("Verify: %v", o.err)
					}
					if o.bodyErr != nil || string(o.body) != tc.body {
						t.Fatalf("body %q, %v; want %q", o.body, o.bodyErr, tc.body)
					}
					r := o.res
					if r.Method != AuthHeader || r.AccessKeyID != testAK || r.Service != "s3" || r.Region != testRegion ||
						!r.SignedAt.Equal(testNow.Add(-time.Minute)) {
						t.Fatalf("result %+v", r)
					}
					wantMode := PayloadSigned
					if payload == unsignedPayload {
						wantMode = PayloadUnsigned
					}
					if r.Payload != wantMode {
						t.Fatalf("payload mode %v, want %v", r.Payload, wantMode)
					}
				})
			}
		}
	}
}

// Query encodings that differ from the canonical one but mean the same.
var equivalentQueryTests = []struct {
	name, from, to string
}{
	{"plus-for-space", "%20", "+"},
	{"raw-slash", "%2F", "/"},
	{"lowercase-hex", "%C3%BC", "%c3%bc"},
	{"raw-tilde-escaped", "~", "%7E"},
}

func TestHeaderAuthEquivalentQueryEncodings(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	for _, tc := range equivalentQueryTests {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"prefix": {"a b/ü~"}, "list-type": {"2"}}.Encode()
			req := newS3Request(t, "GET", ts.URL, "k", q, "")
			signS3(t, req, testCreds, emptySHA256, testRegion, testNow)
			if !strings.Contains(req.URL.RawQuery, tc.from) {
				t.Fatalf("query %q lacks %q", req.URL.RawQuery, tc.from)
			}
			req.URL.RawQuery = strings.ReplaceAll(req.URL.RawQuery, tc.from, tc.to)
			if o := ts.do(t, req); o.err != nil {
				t.Fatalf("Verify: %v (query %q)", o.err, req.URL.RawQuery)
			}
		})
	}
}

var headerRejectTests = []struct {
	name    string
	creds   aws.Credentials
	region  string
	at      time.Duration // signing time relative to testNow
	payload string        // "" = hex of body; "-" = no header
	mutate  func(*http.Request)
	want    error
	detail  string // exact DetailError.Detail when set
	bodyErr error  // want Verify to pass and reading the body to fail
}{
	{name: "wrong-secret", creds: aws.Credentials{AccessKeyID: testAK, SecretAccessKey: "nope"}, want: ErrSignatureDoesNotMatch},
	{name: "unknown-key", creds: aws.Credentials{AccessKeyID: "AKUNKNOWN", SecretAccessKey: testSecret}, want: ErrInvalidAccessKeyID},
	{name: "wrong-region", region: "us-west-2", want: ErrAuthorizationHeaderMalformed,
		detail: "The authorization header is malformed; the region 'us-west-2' is wrong; expecting 'us-east-1'"},
	{name: "skew-past", at: -16 * time.Minute, want: ErrRequestTimeTooSkewed},
	{name: "skew-future", at: 16 * time.Minute, want: ErrRequestTimeTooSkewed},
	{name: "tampered-path", mutate: func(r *http.Request) { r.URL.Path += "x"; r.URL.RawPath += "x" }, want: ErrSignatureDoesNotMatch},
	{name: "tampered-query", mutate: func(r *http.Request) { r.URL.RawQuery += "&versionId=1" }, want: ErrSignatureDoesNotMatch},
	{name: "tampered-header", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "evil") }, want: ErrSignatureDoesNotMatch},
	{name: "dropped-header", mutate: func(r *http.Request) { r.Header.Del("X-Amz-Meta-A") }, want: ErrSignatureDoesNotMatch},
	{name: "tampered-method", mutate: func(r *http.Request) { r.Method = "POST" }, want: ErrSignatureDoesNotMatch},
	{name: "tampered-host", mutate: func(r *http.Request) { r.Host = "other.example" }, want: ErrSignatureDoesNotMatch},
	{name: "tampered-signature", mutate: func(r *http.Request) { editAuth(r, "Signature=", "Signature=0") }, want: ErrSignatureDoesNotMatch},
	{name: "non-hex-signature", mutate: func(r *http.Request) { editAuth(r, "Signature=", "Signature=zz") }, want: ErrSignatureDoesNotMatch},
	{name: "unsigned-host", mutate: func(r *http.Request) { editAuth(r, "host;", "") },
		want: ErrAuthorizationHeaderMalformed},
	{name: "empty-signed-header", mutate: func(r *http.Request) { editAuth(r, "host;", "host;;") },
		want: ErrAuthorizationHeaderMalformed},
	{name: "no-date", mutate: func(r *http.Request) { r.Header.Del("X-Amz-Date") }, want: ErrMissingSecurityHeader,
		detail: "AWS authentication requires a valid Date or x-amz-date header"},
	{name: "bad-date", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-11-22T12:30:00Z") }, want: ErrMissingSecurityHeader},
	{name: "scope-date-mismatch", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Date", "20261123T001000Z") },
		want:   ErrAuthorizationHeaderMalformed,
		detail: "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."},
	{name: "bad-terminator", mutate: func(r *http.Request) { editAuth(r, "/aws4_request", "/aws4_reques") }, want: ErrAuthorizationHeaderMalformed,
		detail: `The authorization header is malformed; incorrect terminal "aws4_reques". This endpoint uses "aws4_request".`},
	{name: "short-credential", mutate: func(r *http.Request) { editAuth(r, "/us-east-1/s3/", "/s3/") }, want: ErrAuthorizationHeaderMalformed,
		detail: `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
	{name: "missing-content-sha256", payload: "-", want: ErrMissingContentSHA256,
		detail: "Missing required header for this request: x-amz-content-sha256"},
	{name: "invalid-content-sha256", payload: "abc", want: ErrInvalidContentSHA256},
	{name: "uppercase-literal", payload: "unsigned-payload", want: ErrInvalidContentSHA256},
	{name: "ecdsa-streaming", payload: "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", want: ErrUnsupportedAlgorithm},
	{name: "sigv2", mutate: func(r *http.Request) { r.Header.Set("Authorization", "AWS "+testAK+":frJIUN8DYpKDtOLCwo//yllqDzg=") },
		want: ErrUnsupportedAlgorithm},
	{name: "sigv4a", mutate: func(r *http.Request) { editAuth(r, "AWS4-HMAC-SHA256 ", "AWS4-ECDSA-P256-SHA256 ") }, want: ErrUnsupportedAlgorithm},
	{name: "empty-authorization", mutate: func(r *http.Request) { r.Header.Set("Authorization", "") }, want: ErrUnsupportedAlgorithm},
	{name: "two-authorizations", mutate: func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
		want: ErrAuthorizationHeaderMalformed},
	{name: "header-and-query", mutate: func(r *http.Request) { r.URL.RawQuery = "X-Amz-Signature=00" }, want: ErrAuthorizationQueryParametersError,
		detail: msgOneAuth},
	{name: "body-mismatch", mutate: func(r *http.Request) { r.Body = io.NopCloser(strings.NewReader("hellx")) }, bodyErr: ErrContentSHA256Mismatch},
	{name: "body-mismatch-sha-changed", payload: sha256Hex([]byte("other")), mutate: nil, want: nil, bodyErr: ErrContentSHA256Mismatch},
}

// editAuth replaces old with new in the Authorization header.
func editAuth(r *http.Request, old, new string) {
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
}

func TestHeaderAuthRejects(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	for _, tc := range headerRejectTests {
		t.Run(tc.name, func(t *testing.T) {
			req := newS3Request(t, "PUT", ts.URL, "some key", "", "hello")
			req.Header.Set("X-Amz-Meta-A", "b")
			creds := tc.creds
			if creds.AccessKeyID == "" {
				creds = testCreds
			}
			region := tc.region
			if region == "" {
				region = testRegion
			}
			payload := tc.payload
			switch payload {
			case "":
				payload = sha256Hex([]byte("hello"))
			case "-":
				payload = ""
			}
			signS3(t, req, creds, payload, region, testNow.Add(tc.at))
			if tc.mutate != nil {
				tc.mutate(req)
			}
			o := ts.do(t, req)
			checkErr(t, o.err, tc.want, tc.detail)
			if tc.want == nil && !errors.Is(o.bodyErr, tc.bodyErr) {
				t.Fatalf("body error %v, want %v", o.bodyErr, tc.bodyErr)
			}
		})
	}
}

func checkErr(t *testing.T, err, want error, wantDetail string) {
	t.Helper()
	if !errors.Is(err, want) || (want == nil) != (err == nil) {
		t.Fatalf("error %v, want %v", err, want)
	}
	if wantDetail != "" {
		var de *DetailError
		if !errors.As(err, &de) || de.Detail != wantDetail {
			t.Fatalf("error %v, want detail %q", err, wantDetail)
		}
	}
	if err != nil && strings.Contains(err.Error(), testSecret) {
		t.Fatalf("error leaks the secret: %v", err)
	}
}
