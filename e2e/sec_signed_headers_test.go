package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// headersNotSigned reads the HeadersNotSigned element of an S3 error body.
func headersNotSigned(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		HeadersNotSigned string `xml:"HeadersNotSigned"`
	}
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("not S3 XML (%v):\n%s", err, body)
	}
	return e.HeadersNotSigned
}

// wantNoObject fails if bucket/key exists.
func wantNoObject(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	wantAPIError(t, err, "", 404)
}

// sendPresigned sends a presigned request as a client would, plus extra headers the
// signature does not cover.
func sendPresigned(t *testing.T, ps *v4.PresignedHTTPRequest, body []byte, extra map[string]string) rawResp {
	t.Helper()
	req, err := http.NewRequest(ps.Method, ps.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range ps.SignedHeader {
		if !strings.EqualFold(k, "host") {
			req.Header[k] = vs
		}
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	return doReq(t, req)
}

// TestSecSignedHeadersPresigned: whoever holds a presigned PUT URL (or sits on the path of a
// plain-HTTP one) cannot add x-amz-* headers to it: a copy from another object, another
// encryption or metadata are refused with S3's HeadersNotSigned error, and nothing is
// written. The URL itself still works, also with an unsigned x-amz-content-sha256.
func TestSecSignedHeadersPresigned(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			c := sdk(t, srv, ep.URL)
			bucket := "sec-presign-" + ep.Name
			mustCreateBucket(t, c, bucket)
			secret := []byte("SECRET-SOURCE-BYTES-" + ep.Name + "-never-copied-0123456789")
			mustPut(t, c, bucket, "secret", secret)

			ps, err := s3.NewPresignClient(c).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("target")})
			if err != nil {
				t.Fatal(err)
			}
			body := []byte("what the URL was made for")
			for _, tc := range []struct {
				name  string
				extra map[string]string
				want  string
			}{
				{"copy-source", map[string]string{"X-Amz-Copy-Source": "/" + bucket + "/secret"}, "x-amz-copy-source"},
				{"copy-source-bare", map[string]string{"X-Amz-Copy-Source": bucket + "/secret", "X-Amz-Metadata-Directive": "REPLACE"},
					"x-amz-copy-source, x-amz-metadata-directive"},
				{"sse-kms", map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms"}, "x-amz-server-side-encryption"},
				{"meta", map[string]string{"X-Amz-Meta-X": "injected"}, "x-amz-meta-x"},
				{"all", map[string]string{"X-Amz-Meta-X": "injected", "X-Amz-Server-Side-Encryption": "aws:kms",
					"X-Amz-Copy-Source": "/" + bucket + "/secret"}, "x-amz-copy-source, x-amz-meta-x, x-amz-server-side-encryption"},
			} {
				resp := sendPresigned(t, ps, body, tc.extra)
				wantXMLError(t, resp, 403, "AccessDenied")
				if got := headersNotSigned(t, resp.Body); got != tc.want {
					t.Errorf("%s: HeadersNotSigned %q, want %q", tc.name, got, tc.want)
				}
				if !strings.Contains(string(resp.Body), "There were headers present in the request which were not signed") ||
					bytes.Contains(resp.Body, secret) || strings.Contains(string(resp.Body), md5Hex(secret)) {
					t.Errorf("%s: body\n%s", tc.name, resp.Body)
				}
				wantNoObject(t, c, bucket, "target")
			}

			// The URL as made works; x-amz-content-sha256 may come unsigned (the
			// signature covers the payload hash anyway).
			if resp := sendPresigned(t, ps, body, map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}); resp.Status != 200 {
				t.Fatalf("presigned PUT with x-amz-content-sha256: %d\n%s", resp.Status, resp.Body)
			}
			got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("target")})
			if !bytes.Equal(got, body) || out.ServerSideEncryption != s3types.ServerSideEncryptionAes256 || len(out.Metadata) != 0 {
				t.Errorf("target: %q %s %v", got, out.ServerSideEncryption, out.Metadata)
			}
			if resp := sendPresigned(t, ps, body, nil); resp.Status != 200 {
				t.Fatalf("presigned PUT: %d\n%s", resp.Status, resp.Body)
			}
		})
	}
}

// TestSecSignedHeadersHeaderAuth: a request signed in the Authorization header gets the same
// refusal for an x-amz-* header added after signing; signed, the same headers work, and the
// audit record of a copy names its source.
func TestSecSignedHeadersHeaderAuth(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	bucket := "sec-header-auth"
	mustCreateBucket(t, c, bucket)
	secret := []byte("SECRET-FOR-HEADER-AUTH-0123456789")
	mustPut(t, c, bucket, "secret", secret)

	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   []byte
		extra  map[string]string
		want   string
	}{
		{"put-copy-source", "PUT", "/" + bucket + "/target", []byte("x"), map[string]string{"X-Amz-Copy-Source": "/" + bucket + "/secret"}, "x-amz-copy-source"},
		{"put-sse", "PUT", "/" + bucket + "/target", []byte("x"), map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms"}, "x-amz-server-side-encryption"},
		{"put-meta", "PUT", "/" + bucket + "/target", []byte("x"), map[string]string{"X-Amz-Meta-X": "1", "X-Amz-Tagging": "a=b"}, "x-amz-meta-x, x-amz-tagging"},
		{"get", "GET", "/" + bucket + "/secret", nil, map[string]string{"X-Amz-Checksum-Mode": "ENABLED"}, "x-amz-checksum-mode"},
	} {
		req := newRawRequest(t, ep, rawReq{Method: tc.method, Path: tc.path, Body: tc.body})
		for k, v := range tc.extra {
			req.Header.Set(k, v)
		}
		resp := doReq(t, req)
		wantXMLError(t, resp, 403, "AccessDenied")
		if got := headersNotSigned(t, resp.Body); got != tc.want {
			t.Errorf("%s: HeadersNotSigned %q, want %q\n%s", tc.name, got, tc.want, resp.Body)
		}
		if bytes.Contains(resp.Body, secret) {
			t.Errorf("%s: the secret came back", tc.name)
		}
	}
	wantNoObject(t, c, bucket, "target")

	// Signed, a copy works, and its record names the source as sent.
	resp := do(t, ep, rawReq{Method: "PUT", Path: "/" + bucket + "/copy",
		Header: http.Header{"X-Amz-Copy-Source": {"/" + bucket + "/secret"}, "X-Amz-Meta-X": {"ignored"}}})
	if resp.Status != 200 {
		t.Fatalf("signed copy: %d\n%s", resp.Status, resp.Body)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("joined")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("joined"),
		UploadId: up.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String(bucket + "/secret")}); err != nil {
		t.Fatal(err)
	}
	ct := cloudTrailClient(ep, testAccessKey, testSecretKey)
	var recs []map[string]any
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		recs = auditLookup(t, ct, "", "")
		if findRecord(recs, "UploadPartCopy", nil) != nil || time.Now().After(deadline) {
			break
		}
	}
	wantFields(t, "CopyObject", findRecord(recs, "CopyObject", func(r map[string]any) bool { return field(r, "errorCode") == nil }),
		map[string]any{"requestParameters.x-amz-copy-source": "/" + bucket + "/secret", "requestParameters.key": "copy"})
	wantFields(t, "UploadPartCopy", findRecord(recs, "UploadPartCopy", nil),
		map[string]any{"requestParameters.x-amz-copy-source": bucket + "/secret", "requestParameters.key": "joined"})
	// The refused injection is on record too, as the copy it tried to be.
	wantFields(t, "refused CopyObject", findRecord(recs, "CopyObject", func(r map[string]any) bool { return field(r, "errorCode") != nil }),
		map[string]any{"errorCode": "AccessDenied", "requestParameters.x-amz-copy-source": "/" + bucket + "/secret"})
}

// TestSecSignedHeadersSSECQuery: SSE-C parameters in a presigned URL's query string are
// refused, never silently replaced by SSE-S3; the same parameters as signed headers work.
func TestSecSignedHeadersSSECQuery(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	ep := srv.HTTPSURL
	c := sdk(t, srv, ep)
	bucket := "sec-ssec-query"
	mustCreateSSECBucket(t, c, bucket)
	mustPut(t, c, bucket, "plain", []byte("plain object"))
	k := sseCKeyFrom("query")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds, _ := credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "").Retrieve(ctx)
	presignWith := func(method, key, prefix string) *v4.PresignedHTTPRequest {
		t.Helper()
		q := "X-Amz-Expires=300&" + prefix + "server-side-encryption-customer-algorithm=AES256&" +
			prefix + "server-side-encryption-customer-key=" + queryEscape(k.B64) + "&" +
			prefix + "server-side-encryption-customer-key-MD5=" + queryEscape(k.MD5)
		req, err := http.NewRequest(method, ep+"/"+bucket+"/"+key+"?"+q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if prefix == "x-amz-copy-source-" {
			req.Header.Set("X-Amz-Copy-Source", "/"+bucket+"/plain")
		}
		u, hdr, err := signer.PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", testRegion, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if pu, _ := url.Parse(u); pu == nil || !pu.Query().Has(prefix+"server-side-encryption-customer-key") {
			t.Fatalf("SSE-C key not in the query: %s", u)
		}
		return &v4.PresignedHTTPRequest{URL: u, Method: method, SignedHeader: hdr}
	}

	resp := sendPresigned(t, presignWith("PUT", "ssec", "x-amz-"), []byte("meant for SSE-C"), nil)
	wantXMLError(t, resp, 501, "NotImplemented")
	wantNoObject(t, c, bucket, "ssec")
	resp = sendPresigned(t, presignWith("GET", "plain", "x-amz-"), nil, nil)
	wantXMLError(t, resp, 501, "NotImplemented")
	resp = sendPresigned(t, presignWith("PUT", "copied", "x-amz-copy-source-"), nil, nil)
	wantXMLError(t, resp, 501, "NotImplemented")
	wantNoObject(t, c, bucket, "copied")

	// SSE-KMS asked for in the query is refused too, never stored as SSE-S3.
	req, err := http.NewRequest("PUT", ep+"/"+bucket+"/kmsq?X-Amz-Expires=300&x-amz-server-side-encryption=aws%3Akms", nil)
	if err != nil {
		t.Fatal(err)
	}
	u, hdr, err := signer.PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", testRegion, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp = sendPresigned(t, &v4.PresignedHTTPRequest{URL: u, Method: "PUT", SignedHeader: hdr}, []byte("meant for SSE-KMS"), nil)
	wantXMLError(t, resp, 501, "NotImplemented")
	wantNoObject(t, c, bucket, "kmsq")

	// As signed headers (the presigner keeps them headers), SSE-C works over HTTPS.
	ps, err := s3.NewPresignClient(c).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("ssec"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.B64), SSECustomerKeyMD5: aws.String(k.MD5)})
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(ps.URL); u == nil || u.Query().Has("x-amz-server-side-encryption-customer-key") {
		t.Fatalf("presigner hoisted the SSE-C key: %s", ps.URL)
	}
	if resp := sendPresigned(t, ps, []byte("meant for SSE-C"), nil); resp.Status != 200 ||
		resp.Header.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "AES256" {
		t.Fatalf("presigned SSE-C PUT: %d %v\n%s", resp.Status, resp.Header, resp.Body)
	}
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("ssec"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.B64), SSECustomerKeyMD5: aws.String(k.MD5)})
	if string(got) != "meant for SSE-C" {
		t.Errorf("SSE-C object: %q", got)
	}
}
