package sigv4

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// presign presigns req with the SDK and returns the request a client would
// send for the resulting URL.
func presign(t testing.TB, req *http.Request, creds aws.Credentials, service, payload, region, expires string, at time.Time) *http.Request {
	t.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", expires)
	req.URL.RawQuery = q.Encode()
	opt := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" }
	u, hdr, err := v4.NewSigner(opt).PresignHTTP(context.Background(), creds, req, payload, service, region, at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(req.Method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k != "Host" {
			out.Header[k] = v
		}
	}
	return out
}

func TestPresignAccepts(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	for _, key := range testKeys {
		for _, query := range []string{"", "versionId=v1", "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&x-id=GetObject"} {
			req := newS3Request(t, "GET", ts.URL, key, query, "")
			req.Header.Set("X-Amz-Meta-A", "  b  c ")
			req.Header.Set("X-Amz-Expected-Bucket-Owner", "123") // hoisted into the query
			creds := testCreds
			creds.SessionToken = "session token/+="
			sreq := presign(t, req, creds, "s3", unsignedPayload, testRegion, "3600", testNow.Add(-time.Hour))
			if !strings.Contains(strings.ToLower(sreq.URL.RawQuery), "x-amz-expected-bucket-owner") {
				t.Fatalf("header not hoisted: %s", sreq.URL.RawQuery)
			}
			o := ts.do(t, sreq)
			if o.err != nil {
				t.Fatalf("%q %q: %v", key, query, o.err)
			}
			r := o.res
			if r.Method != AuthQuery || r.Payload != PayloadUnsigned || r.SecurityToken != creds.SessionToken || r.Service != "s3" {
				t.Fatalf("%+v", r)
			}
		}
	}
}

// STS presigned GetCallerIdentity, as EKS tokens use: aws-sdk-go-v2 signs
// the empty body's hash, botocore signs UNSIGNED-PAYLOAD.
func TestPresignOtherService(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	for _, payload := range []string{emptySHA256, unsignedPayload, sha256Hex([]byte("x"))} {
		req, _ := http.NewRequest("GET", ts.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		req.Header.Set("X-K8s-Aws-Id", "cluster")
		sreq := presign(t, req, testCreds, "sts", payload, testRegion, "60", testNow)
		o := ts.do(t, sreq)
		if payload == sha256Hex([]byte("x")) {
			checkErr(t, o.err, ErrSignatureDoesNotMatch, "")
			continue
		}
		if o.err != nil || o.res.Service != "sts" {
			t.Fatalf("%s: %v", payload, o.err)
		}
	}
}

var presignRejectTests = []struct {
	name    string
	creds   aws.Credentials
	region  string
	expires string
	at      time.Duration
	mutate  func(*http.Request)
	want    error
	detail  string
}{
	{name: "expired", at: -time.Hour - time.Second, want: ErrRequestExpired},
	{name: "not-yet-valid", at: 16 * time.Minute, want: ErrRequestExpired, detail: "Request is not valid yet"},
	{name: "expires-too-long", expires: "604801", want: ErrAuthorizationQueryParametersError,
		detail: "X-Amz-Expires must be less than a week (in seconds) that is; 604800"},
	{name: "expires-huge", expires: "99999999999999999999", want: ErrAuthorizationQueryParametersError,
		detail: "X-Amz-Expires must be less than a week (in seconds) that is; 604800"},
	{name: "expires-negative", expires: "-1", want: ErrAuthorizationQueryParametersError, detail: "X-Amz-Expires must be non-negative"},
	{name: "expires-nan", expires: "soon", want: ErrAuthorizationQueryParametersError, detail: "X-Amz-Expires should be a number"},
	{name: "expires-zero", expires: "0", at: -time.Second, want: ErrRequestExpired},
	{name: "wrong-secret", creds: aws.Credentials{AccessKeyID: testAK, SecretAccessKey: "nope"}, want: ErrSignatureDoesNotMatch},
	{name: "unknown-key", creds: aws.Credentials{AccessKeyID: "AKNOBODY", SecretAccessKey: "x"}, want: ErrInvalidAccessKeyID},
	{name: "wrong-region", region: "eu-west-1", want: ErrAuthorizationQueryParametersError,
		detail: "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'"},
	{name: "tampered-param", mutate: setQuery("versionId", "v2"), want: ErrSignatureDoesNotMatch},
	{name: "added-param", mutate: func(r *http.Request) { r.URL.RawQuery += "&acl=" }, want: ErrSignatureDoesNotMatch},
	{name: "tampered-expires", mutate: setQuery("X-Amz-Expires", "7200"), want: ErrSignatureDoesNotMatch},
	{name: "tampered-signature", mutate: setQuery("X-Amz-Signature", strings.Repeat("0", 64)), want: ErrSignatureDoesNotMatch},
	{name: "tampered-path", mutate: func(r *http.Request) { r.URL.Path += "2"; r.URL.RawPath = "" }, want: ErrSignatureDoesNotMatch},
	{name: "tampered-header", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "evil") }, want: ErrSignatureDoesNotMatch},
	{name: "unsigned-host", mutate: setQuery("X-Amz-SignedHeaders", "x-amz-meta-a"), want: ErrAuthorizationQueryParametersError,
		detail: "X-Amz-SignedHeaders must include host."},
	{name: "missing-signature", mutate: delQuery("X-Amz-Signature"), want: ErrAuthorizationQueryParametersError, detail: msgQueryMissing},
	{name: "missing-date", mutate: delQuery("X-Amz-Date"), want: ErrAuthorizationQueryParametersError, detail: msgQueryMissing},
	{name: "bad-date", mutate: setQuery("X-Amz-Date", "20261122T123000"), want: ErrAuthorizationQueryParametersError,
		detail: `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`},
	{name: "scope-date-mismatch", mutate: setQuery("X-Amz-Date", "20261123T000000Z"), want: ErrAuthorizationQueryParametersError,
		detail: "Invalid credential date. Date is not the same as X-Amz-Date."},
	{name: "duplicate-date", mutate: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Date=20261122T123000Z" },
		want: ErrAuthorizationQueryParametersError},
	{name: "sigv4a", mutate: setQuery("X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256"), want: ErrUnsupportedAlgorithm},
	{name: "bad-credential", mutate: setQuery("X-Amz-Credential", testAK+"/20261122/us-east-1/s3"), want: ErrAuthorizationQueryParametersError,
		detail: `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
	{name: "with-authorization", mutate: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 x") },
		want: ErrAuthorizationQueryParametersError, detail: msgOneAuth},
	{name: "wrong-content-sha256", mutate: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", emptySHA256) }, want: ErrSignatureDoesNotMatch},
}

func setQuery(k, v string) func(*http.Request) {
	return func(r *http.Request) {
		q := r.URL.Query()
		q.Set(k, v)
		r.URL.RawQuery = q.Encode()
	}
}

func delQuery(k string) func(*http.Request) {
	return func(r *http.Request) {
		q := r.URL.Query()
		q.Del(k)
		r.URL.RawQuery = q.Encode()
	}
}

func TestPresignRejects(t *testing.T) {
	v := newVerifier()
	for _, tc := range presignRejectTests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://bucket.example/k%20ey?versionId=v1", nil)
			req.Header.Set("X-Amz-Meta-A", "b")
			creds, region, expires := tc.creds, tc.region, tc.expires
			if creds.AccessKeyID == "" {
				creds = testCreds
			}
			if region == "" {
				region = testRegion
			}
			if expires == "" {
				expires = "3600"
			}
			sreq := presign(t, req, creds, "s3", unsignedPayload, region, expires, testNow.Add(tc.at))
			sreq.Host = req.Host
			if tc.mutate != nil {
				tc.mutate(sreq)
			}
			_, err := v.Verify(sreq)
			checkErr(t, err, tc.want, tc.detail)
		})
	}
}

func TestPresignExpiryBoundary(t *testing.T) {
	v := newVerifier()
	for _, tc := range []struct {
		at time.Duration
		ok bool
	}{{-time.Hour, true}, {-time.Hour - time.Second, false}, {15 * time.Minute, true}, {0, true}} {
		req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
		sreq := presign(t, req, testCreds, "s3", unsignedPayload, testRegion, "3600", testNow.Add(tc.at))
		sreq.Host = req.Host
		_, err := v.Verify(sreq)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrRequestExpired) {
			t.Errorf("at %v: %v", tc.at, err)
		}
	}
}

// A presigned PUT whose client also sends x-amz-content-sha256: the header
// value is the payload hash and the body is checked against it.
func TestPresignWithContentSHA256(t *testing.T) {
	body := "presigned body"
	req := httptest.NewRequest("PUT", "http://bucket.example/key", strings.NewReader(body))
	req.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte(body)))
	sreq := presign(t, req, testCreds, "s3", sha256Hex([]byte(body)), testRegion, "60", testNow)
	sreq.Host = req.Host
	sreq.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte(body)))
	sreq.Body = http.NoBody
	res, err := newVerifier().Verify(sreq)
	if err != nil || res.Payload != PayloadSigned {
		t.Fatal(err)
	}
	if u, _ := url.Parse(sreq.URL.String()); !u.Query().Has("X-Amz-Signature") {
		t.Fatal("not presigned")
	}
	buf := make([]byte, 64)
	if _, err := res.Body.Read(buf); !errors.Is(err, ErrContentSHA256Mismatch) {
		t.Fatalf("empty body read: %v", err)
	}
}
