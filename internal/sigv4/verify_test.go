package sigv4

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
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

func TestSkewBoundaries(t *testing.T) {
	for _, tc := range []struct {
		skew, at time.Duration
		ok       bool
	}{
		{0, 14*time.Minute + 59*time.Second, true},
		{0, -15 * time.Minute, true},
		{0, -15*time.Minute - time.Second, false},
		{time.Minute, 61 * time.Second, false},
		{time.Minute, -59 * time.Second, true},
	} {
		v := newVerifier()
		v.MaxSkew = tc.skew
		req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
		signS3(t, req, testCreds, emptySHA256, testRegion, testNow.Add(tc.at))
		_, err := v.Verify(req)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrRequestTimeTooSkewed) {
			t.Errorf("skew %v at %v: %v", tc.skew, tc.at, err)
		}
	}
}

// Services other than S3 sign the real body and send no x-amz-content-sha256.
var otherServiceTests = []struct {
	name, service, method, contentType, body string
	headers                                  map[string]string
}{
	{"kms", "kms", "POST", "application/x-amz-json-1.1", `{"KeyId":"alias/k","Plaintext":"aGVsbG8="}`, map[string]string{"X-Amz-Target": "TrentService.Encrypt"}},
	{"iam", "iam", "POST", "application/x-www-form-urlencoded; charset=utf-8", "Action=ListUsers&Version=2010-05-08", nil},
	{"sts", "sts", "POST", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15", nil},
	{"empty", "cloudtrail", "GET", "", "", nil},
}

func TestOtherServices(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	for _, tc := range otherServiceTests {
		for _, tamper := range []bool{false, true} {
			req, _ := http.NewRequest(tc.method, ts.URL+"/", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			creds := testCreds
			creds.SessionToken = "token/with+chars="
			if err := plainSigner.SignHTTP(context.Background(), creds, req, sha256Hex([]byte(tc.body)), tc.service, testRegion, testNow); err != nil {
				t.Fatal(err)
			}
			if tamper {
				req.Body = io.NopCloser(strings.NewReader(strings.ToUpper(tc.body) + " "))
				req.ContentLength = int64(len(tc.body) + 1)
			}
			o := ts.do(t, req)
			if tamper {
				checkErr(t, o.err, ErrSignatureDoesNotMatch, "")
				continue
			}
			if o.err != nil || string(o.body) != tc.body || o.res.Service != tc.service || o.res.Payload != PayloadSigned ||
				o.res.SecurityToken != creds.SessionToken || o.res.ContentLength != int64(len(tc.body)) {
				t.Fatalf("%s: %v %q %+v", tc.name, o.err, o.body, o.res)
			}
		}
	}
}

func TestOtherServiceBodyTooLarge(t *testing.T) {
	body := strings.Repeat("x", maxBufferedBody+1)
	req := httptest.NewRequest("POST", "http://kms.example/", strings.NewReader(body))
	if err := plainSigner.SignHTTP(context.Background(), testCreds, req, sha256Hex([]byte(body)), "kms", testRegion, testNow); err != nil {
		t.Fatal(err)
	}
	_, err := newVerifier().Verify(req)
	checkErr(t, err, ErrMissingContentSHA256, "")
}

// Published AWS examples.
var vectorTests = []struct {
	name, secret, method, target, amzDate string
	headers                               map[string]string
	now                                   time.Time
	region                                string
}{
	{
		// SigV4 test suite, get-vanilla.
		name: "get-vanilla", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", method: "GET",
		target: "http://example.amazonaws.com/",
		headers: map[string]string{
			"X-Amz-Date":    "20150830T123600Z",
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		now: time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC), region: "us-east-1",
	},
	{
		// S3 documentation, GET object with a Range header.
		name: "s3-get-object", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", method: "GET",
		target: "http://examplebucket.s3.amazonaws.com/test.txt",
		headers: map[string]string{
			"Range":                "bytes=0-9",
			"X-Amz-Content-Sha256": emptySHA256,
			"X-Amz-Date":           "20130524T000000Z",
			"Authorization":        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		now: time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC), region: "us-east-1",
	},
	{
		// S3 documentation, presigned GET object.
		name: "s3-presigned", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", method: "GET",
		target: "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
		now:    time.Date(2013, 5, 24, 1, 0, 0, 0, time.UTC), region: "us-east-1",
	},
}

func TestPublishedVectors(t *testing.T) {
	for _, tc := range vectorTests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			v := &Verifier{
				Creds:  credMap{"AKIDEXAMPLE": tc.secret, "AKIAIOSFODNN7EXAMPLE": tc.secret},
				Region: tc.region,
				Now:    func() time.Time { return tc.now },
			}
			if _, err := v.Verify(req); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A request signed with the Date header instead of X-Amz-Date. The
// canonical request is written out by hand.
func TestDateHeader(t *testing.T) {
	const date = "Sun, 22 Nov 2026 12:30:00 GMT"
	canonical := "GET\n/bucket/key\n\ndate:" + date + "\nhost:bucket.example\nx-amz-content-sha256:" + emptySHA256 +
		"\n\ndate;host;x-amz-content-sha256\n" + emptySHA256
	sts := "AWS4-HMAC-SHA256\n20261122T123000Z\n20261122/us-east-1/s3/aws4_request\n" + sha256Hex([]byte(canonical))
	sig := hmacHex(SigningKey(testSecret, "20261122", "us-east-1", "s3"), sts)
	req := httptest.NewRequest("GET", "http://bucket.example/bucket/key", nil)
	req.Header.Set("Date", date)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20261122/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256,Signature="+sig)
	res, err := newVerifier().Verify(req)
	if err != nil || !res.SignedAt.Equal(testNow) {
		t.Fatalf("%v %+v", err, res)
	}
}

// Clients that sign the Host without its default port but send it with one.
func TestHostDefaultPort(t *testing.T) {
	for _, port := range []string{":80", ":443"} {
		req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
		signS3(t, req, testCreds, emptySHA256, testRegion, testNow)
		req.Host += port
		if _, err := newVerifier().Verify(req); err != nil {
			t.Errorf("%s: %v", port, err)
		}
	}
	req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
	signS3(t, req, testCreds, emptySHA256, testRegion, testNow)
	req.Host += ":8080"
	_, err := newVerifier().Verify(req)
	checkErr(t, err, ErrSignatureDoesNotMatch, "")
}

func TestAnonymous(t *testing.T) {
	v := newVerifier()
	for _, tc := range []struct {
		name    string
		sha     string
		body    string
		want    error
		bodyErr error
		mode    PayloadMode
	}{
		{name: "plain", body: "abc", mode: PayloadNone},
		{name: "hex", sha: sha256Hex([]byte("abc")), body: "abc", mode: PayloadSigned},
		{name: "hex-mismatch", sha: emptySHA256, body: "abc", mode: PayloadSigned, bodyErr: ErrContentSHA256Mismatch},
		{name: "unsigned", sha: unsignedPayload, body: "abc", mode: PayloadUnsigned},
		{name: "signed-streaming", sha: streamingSigned, want: ErrMissingSecurityHeader},
		{name: "garbage", sha: "nope", want: ErrInvalidContentSHA256},
	} {
		req := httptest.NewRequest("PUT", "http://bucket.example/key?X-Amz-Foo=1&Signature=x", strings.NewReader(tc.body))
		if tc.sha != "" {
			req.Header.Set("X-Amz-Content-Sha256", tc.sha)
		}
		res, err := v.Verify(req)
		if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err != nil {
			continue
		}
		if res.Method != AuthNone || res.Payload != tc.mode || res.Service != "" {
			t.Fatalf("%s: %+v", tc.name, res)
		}
		b, err := io.ReadAll(res.Body)
		if !errors.Is(err, tc.bodyErr) || tc.bodyErr == nil && string(b) != tc.body {
			t.Fatalf("%s: %q %v", tc.name, b, err)
		}
	}
	req := httptest.NewRequest("GET", "http://bucket.example/key?AWSAccessKeyId=AK&Signature=x&Expires=1", nil)
	_, err := v.Verify(req)
	checkErr(t, err, ErrUnsupportedAlgorithm, "")
}

type failingCreds struct{ err error }

func (f failingCreds) Lookup(context.Context, string) (string, error) { return "", f.err }

func TestLookupErrorPassesThrough(t *testing.T) {
	boom := errors.New("database down")
	v := newVerifier()
	v.Creds = failingCreds{boom}
	req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
	signS3(t, req, testCreds, emptySHA256, testRegion, testNow)
	if _, err := v.Verify(req); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	v.Creds = nil
	if _, err := v.Verify(req); !errors.Is(err, ErrInvalidAccessKeyID) {
		t.Fatal(err)
	}
}
