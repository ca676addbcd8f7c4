package sigv4

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// signedHeaderTests add headers after signing: x-amz-* ones the signature
// does not list are refused whatever the signature says, others pass.
var signedHeaderTests = []struct {
	name    string
	presign bool
	add     map[string]string
	want    []string // HeadersNotSigned; nil = accepted
}{
	{name: "header/copy-source", add: map[string]string{"X-Amz-Copy-Source": "/bucket/secret"}, want: []string{"x-amz-copy-source"}},
	{name: "header/sse-and-meta", add: map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms", "X-Amz-Meta-X": "1"},
		want: []string{"x-amz-meta-x", "x-amz-server-side-encryption"}},
	{name: "header/lowercase-name", add: map[string]string{"x-amz-acl": "public-read"}, want: []string{"x-amz-acl"}},
	// Header auth has no exception, not even for the payload hash.
	{name: "header/content-sha256", add: map[string]string{"X-Amz-Content-Sha256": unsignedPayload}, want: []string{"x-amz-content-sha256"}},
	{name: "header/checksum", add: map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA==", "X-Amz-Sdk-Checksum-Algorithm": "CRC32"},
		want: []string{"x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm"}},
	{name: "header/not-amz", add: map[string]string{"X-Amzn-Trace-Id": "Root=1", "X-Custom": "v", "Cache-Control": "no-cache"}},

	{name: "presign/copy-source", presign: true, add: map[string]string{"X-Amz-Copy-Source": "/bucket/secret"}, want: []string{"x-amz-copy-source"}},
	{name: "presign/sse", presign: true, add: map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms"}, want: []string{"x-amz-server-side-encryption"}},
	{name: "presign/sse-c", presign: true, add: map[string]string{"X-Amz-Server-Side-Encryption-Customer-Algorithm": "AES256"},
		want: []string{"x-amz-server-side-encryption-customer-algorithm"}},
	{name: "presign/date", presign: true, add: map[string]string{"X-Amz-Date": "20261122T123000Z"}, want: []string{"x-amz-date"}},
	{name: "presign/token", presign: true, add: map[string]string{"X-Amz-Security-Token": "t"}, want: []string{"x-amz-security-token"}},
	// Signed as a query parameter, sent again as a header: the header is not signed.
	{name: "presign/hoisted-and-header", presign: true, add: map[string]string{"X-Amz-Expected-Bucket-Owner": "123"},
		want: []string{"x-amz-expected-bucket-owner"}},
	// The payload hash is what the canonical request ends with: covered anyway.
	{name: "presign/content-sha256", presign: true, add: map[string]string{"X-Amz-Content-Sha256": unsignedPayload}},
	{name: "presign/not-amz", presign: true, add: map[string]string{"X-Amzn-Trace-Id": "Root=1", "Content-Type": "text/plain"}},
}

func TestSignedHeadersRule(t *testing.T) {
	v := newVerifier()
	for _, tc := range signedHeaderTests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("PUT", "http://bucket.example/key", strings.NewReader("body"))
			req.Header.Set("X-Amz-Meta-Signed", "yes") // a signed x-amz-* header is fine
			if tc.presign {
				req.Header.Set("X-Amz-Expected-Bucket-Owner", "123") // hoisted into the query
				sreq := presign(t, req, testCreds, "s3", unsignedPayload, testRegion, "60", testNow)
				sreq.Host, sreq.Body = req.Host, req.Body
				req = sreq
			} else {
				payload := unsignedPayload
				if _, ok := tc.add["X-Amz-Content-Sha256"]; ok {
					payload = "" // signed over UNSIGNED-PAYLOAD without the header, which comes later
				}
				signS3(t, req, testCreds, payload, testRegion, testNow)
			}
			for k, v := range tc.add {
				req.Header[k] = []string{v}
			}
			_, err := v.Verify(req)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var hns *HeadersNotSignedError
			if !errors.As(err, &hns) || !errors.Is(err, ErrHeadersNotSigned) || !slices.Equal(hns.Names, tc.want) {
				t.Fatalf("error %v, want HeadersNotSigned %q", err, tc.want)
			}
			if hns.List() != strings.Join(tc.want, ", ") || hns.Detail() != "There were headers present in the request which were not signed" {
				t.Fatalf("list %q detail %q", hns.List(), hns.Detail())
			}
		})
	}
}

// The rule holds before the signature is checked: a wrong secret with an
// added header is still refused for the header, an expired URL for its age.
func TestSignedHeadersOrder(t *testing.T) {
	v := newVerifier()
	req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
	signS3(t, req, aws.Credentials{AccessKeyID: testAK, SecretAccessKey: "wrong"}, "", testRegion, testNow)
	req.Header.Set("X-Amz-Meta-X", "1")
	if _, err := v.Verify(req); !errors.Is(err, ErrHeadersNotSigned) {
		t.Fatalf("wrong secret: %v", err)
	}
	old := presign(t, httptest.NewRequest("GET", "http://bucket.example/key", nil), testCreds, "s3", unsignedPayload, testRegion, "60", testNow.Add(-time.Hour))
	old.Host = "bucket.example"
	old.Header.Set("X-Amz-Meta-X", "1")
	if _, err := v.Verify(old); !errors.Is(err, ErrRequestExpired) {
		t.Fatalf("expired: %v", err)
	}
	anon := httptest.NewRequest("PUT", "http://bucket.example/key", nil)
	anon.Header.Set("X-Amz-Copy-Source", "/bucket/secret")
	if res, err := v.Verify(anon); err != nil || res.Method != AuthNone {
		t.Fatalf("anonymous: %v", err)
	}
}

// A request naming thousands of headers gets a bounded list.
func TestSignedHeadersBounded(t *testing.T) {
	req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
	signS3(t, req, testCreds, "", testRegion, testNow)
	for i := 0; i < 1000; i++ {
		req.Header.Set(fmt.Sprintf("X-Amz-Meta-%04d-%s", i, strings.Repeat("n", 200)), "v")
	}
	var hns *HeadersNotSignedError
	if _, err := newVerifier().Verify(req); !errors.As(err, &hns) || len(hns.Names) != maxListedHeaders {
		t.Fatalf("%v", err)
	}
	for _, n := range hns.Names {
		if len(n) > maxListedName+3 {
			t.Fatalf("name of %d bytes", len(n))
		}
	}
}
