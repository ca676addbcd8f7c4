package e2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// presigned sends a presigned request with a plain http.Client.
func presigned(t *testing.T, ps *v4.PresignedHTTPRequest, body []byte) rawResp {
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
	return doReq(t, req)
}

// TestAuthPresigned: presigned PUT, GET, HEAD and DELETE URLs work from a plain HTTP client;
// tampered, expired and too-long-lived ones are refused.
func TestAuthPresigned(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			c := sdk(t, srv, ep.URL)
			bucket := "presign-" + ep.Name
			mustCreateBucket(t, c, bucket)
			pc := s3.NewPresignClient(c)
			key := "pre signed/ü+key.txt"
			body := []byte("uploaded through a presigned URL")

			put, err := pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatal(err)
			}
			if resp := presigned(t, put, body); resp.Status != 200 || resp.Header.Get("ETag") != quotedMD5(body) {
				t.Fatalf("presigned PUT: %d ETag %q\n%s", resp.Status, resp.Header.Get("ETag"), resp.Body)
			}
			get, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatal(err)
			}
			if resp := presigned(t, get, nil); resp.Status != 200 || !bytes.Equal(resp.Body, body) {
				t.Errorf("presigned GET: %d %q", resp.Status, resp.Body)
			}
			head, err := pc.PresignHeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatal(err)
			}
			if resp := presigned(t, head, nil); resp.Status != 200 || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("presigned HEAD: %d Content-Length %q", resp.Status, resp.Header.Get("Content-Length"))
			}

			// Tampering with the signed URL: another key, or another method.
			tampered := *get
			tampered.URL = strings.Replace(get.URL, "signed/", "signed2/", 1)
			wantXMLError(t, presigned(t, &tampered, nil), 403, "SignatureDoesNotMatch")
			tampered = *get
			tampered.Method = "DELETE"
			wantXMLError(t, presigned(t, &tampered, nil), 403, "SignatureDoesNotMatch")

			del, err := pc.PresignDeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatal(err)
			}
			if resp := presigned(t, del, nil); resp.Status != 204 {
				t.Errorf("presigned DELETE: %d\n%s", resp.Status, resp.Body)
			}
			if resp := presigned(t, get, nil); resp.Status != 404 {
				t.Errorf("presigned GET after DELETE: %d, want 404", resp.Status)
			}

			// Seven days is the longest validity S3 accepts.
			week, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("missing")},
				s3.WithPresignExpires(7*24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			wantXMLError(t, presigned(t, week, nil), 404, "NoSuchKey")
			long, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key},
				s3.WithPresignExpires(7*24*time.Hour+time.Second))
			if err != nil {
				t.Fatal(err)
			}
			wantXMLError(t, presigned(t, long, nil), 400, "AuthorizationQueryParametersError")
		})
	}
	t.Run("expired", func(t *testing.T) {
		c := sdk(t, srv, srv.HTTPURL)
		mustCreateBucket(t, c, "expiry")
		mustPut(t, c, "expiry", "k", []byte("x"))
		ps, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("expiry"), Key: aws.String("k")},
			s3.WithPresignExpires(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if resp := presigned(t, ps, nil); resp.Status != 200 {
			t.Errorf("fresh 1 s URL: %d, want 200", resp.Status)
		}
		time.Sleep(2100 * time.Millisecond)
		e := wantXMLError(t, presigned(t, ps, nil), 403, "AccessDenied")
		if e.Message != "Request has expired" {
			t.Errorf("Message %q, want %q", e.Message, "Request has expired")
		}
	})
}

// TestAuthFailures: wrong secret, unknown key, anonymous requests, clock skew, a body that
// does not match its signed hash.
func TestAuthFailures(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	good := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, good, "auth")
	mustPut(t, good, "auth", "k", []byte("secret data"))

	clients := []struct {
		name  string
		creds aws.CredentialsProvider
		code  string
	}{
		{"wrong-secret", credentials.NewStaticCredentialsProvider(testAccessKey, "not-the-secret-key-0123456789abcdefghij", ""), "SignatureDoesNotMatch"},
		{"unknown-key", credentials.NewStaticCredentialsProvider("AKIAUNKNOWNKEY000000", testSecretKey, ""), "InvalidAccessKeyId"},
		{"anonymous", aws.AnonymousCredentials{}, "AccessDenied"},
	}
	for _, cl := range clients {
		for _, ep := range bothEndpoints(srv) {
			t.Run(cl.name+"/"+ep.Name, func(t *testing.T) {
				c := sdk(t, srv, ep.URL, withSDKChecksums, func(o *s3.Options) { o.Credentials = cl.creds })
				_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
				wantAPIError(t, err, cl.code, 403)
				_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("auth"), Key: aws.String("k")})
				wantAPIError(t, err, cl.code, 403)
				_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("auth"), Key: aws.String("new"), Body: strings.NewReader("x")})
				wantAPIError(t, err, cl.code, 403)
				_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("auth"), Key: aws.String("k")})
				wantAPIError(t, err, "", 403)
				_, err = good.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("auth"), Key: aws.String("new")})
				wantAPIError(t, err, "", 404)
			})
		}
	}
	t.Run("anonymous-raw", func(t *testing.T) {
		for _, path := range []string{"/", "/auth", "/auth/k", "/auth/missing"} {
			wantXMLError(t, do(t, srv.HTTPURL, rawReq{Method: "GET", Path: path, Anonymous: true}), 403, "AccessDenied")
		}
	})
	for _, tc := range []struct {
		name string
		skew time.Duration
		code string
	}{
		{"20m-behind", -20 * time.Minute, "RequestTimeTooSkewed"},
		{"20m-ahead", 20 * time.Minute, "RequestTimeTooSkewed"},
		{"10m-behind-ok", -10 * time.Minute, ""},
		{"10m-ahead-ok", 10 * time.Minute, ""},
	} {
		t.Run("skew/"+tc.name, func(t *testing.T) {
			resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/auth/k", SignTime: time.Now().Add(tc.skew)})
			if tc.code == "" {
				if resp.Status != 200 || string(resp.Body) != "secret data" {
					t.Errorf("signed %v off: %d %s, want 200", tc.skew, resp.Status, resp.Body)
				}
				return
			}
			wantXMLError(t, resp, 403, tc.code)
		})
	}
	t.Run("wrong-region", func(t *testing.T) {
		resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/auth/k", Region: "eu-west-1"})
		wantXMLError(t, resp, 400, "AuthorizationHeaderMalformed")
	})
	t.Run("content-sha256-mismatch", func(t *testing.T) {
		for _, ep := range bothEndpoints(srv) {
			resp := do(t, ep.URL, rawReq{Method: "PUT", Path: "/auth/mismatch", Body: []byte("the body sent"),
				PayloadHash: sha256Hex([]byte("the body signed"))})
			wantXMLError(t, resp, 400, "XAmzContentSHA256Mismatch")
			_, err := good.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("auth"), Key: aws.String("mismatch")})
			wantAPIError(t, err, "", 404)
		}
		// Large enough to be streamed to a file before the hash is known.
		big := randBytes(300<<10, 3)
		resp := do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/auth/mismatch-big", Body: big,
			PayloadHash: sha256Hex(big[1:])})
		wantXMLError(t, resp, 400, "XAmzContentSHA256Mismatch")
		_, err := good.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("auth"), Key: aws.String("mismatch-big")})
		wantAPIError(t, err, "", 404)
		// An existing object is left alone.
		resp = do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/auth/k", Body: []byte("overwrite"),
			PayloadHash: sha256Hex([]byte("something else"))})
		wantXMLError(t, resp, 400, "XAmzContentSHA256Mismatch")
		got, _ := mustGet(t, good, &s3.GetObjectInput{Bucket: aws.String("auth"), Key: aws.String("k")})
		if string(got) != "secret data" {
			t.Errorf("object after refused overwrite: %q", got)
		}
	})
}

// TestAuthResponseShape: every S3 response, success or error, carries x-amz-request-id
// and x-amz-id-2; error bodies are S3 XML with Code, Message, Resource and RequestId; HEAD
// errors have no body.
func TestAuthResponseShape(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "shape")
	mustPut(t, c, "shape", "k", []byte("x"))
	tests := []struct {
		name   string
		rr     rawReq
		status int
		code   string // "" for a success or a HEAD error
	}{
		{"get-object", rawReq{Method: "GET", Path: "/shape/k"}, 200, ""},
		{"put-object", rawReq{Method: "PUT", Path: "/shape/k2", Body: []byte("y")}, 200, ""},
		{"head-object", rawReq{Method: "HEAD", Path: "/shape/k"}, 200, ""},
		{"head-bucket", rawReq{Method: "HEAD", Path: "/shape"}, 200, ""},
		{"list-buckets", rawReq{Method: "GET", Path: "/"}, 200, ""},
		{"list-objects", rawReq{Method: "GET", Path: "/shape", Query: "list-type=2"}, 200, ""},
		{"delete-object", rawReq{Method: "DELETE", Path: "/shape/k2"}, 204, ""},
		{"no-such-key", rawReq{Method: "GET", Path: "/shape/missing"}, 404, "NoSuchKey"},
		{"no-such-bucket", rawReq{Method: "GET", Path: "/missing-bucket"}, 404, "NoSuchBucket"},
		{"head-missing", rawReq{Method: "HEAD", Path: "/shape/missing"}, 404, ""},
		{"head-missing-bucket", rawReq{Method: "HEAD", Path: "/missing-bucket"}, 404, ""},
		{"head-anonymous", rawReq{Method: "HEAD", Path: "/shape/k", Anonymous: true}, 403, ""},
		{"anonymous", rawReq{Method: "GET", Path: "/shape/k", Anonymous: true}, 403, "AccessDenied"},
		{"bad-signature", rawReq{Method: "GET", Path: "/shape/k", SecretKey: "wrong-secret"}, 403, "SignatureDoesNotMatch"},
		{"unknown-key", rawReq{Method: "GET", Path: "/shape/k", AccessKey: "AKIANOSUCHKEY0000000"}, 403, "InvalidAccessKeyId"},
		{"skewed", rawReq{Method: "GET", Path: "/shape/k", SignTime: time.Now().Add(-time.Hour)}, 403, "RequestTimeTooSkewed"},
		{"bad-range", rawReq{Method: "GET", Path: "/shape/k", Header: http.Header{"Range": {"bytes=5-"}}}, 416, "InvalidRange"},
		{"bucket-not-empty", rawReq{Method: "DELETE", Path: "/shape"}, 409, "BucketNotEmpty"},
		{"invalid-bucket-name", rawReq{Method: "PUT", Path: "/ab"}, 400, "InvalidBucketName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, srv.HTTPURL, tc.rr)
			if resp.Header.Get("x-amz-request-id") == "" || resp.Header.Get("x-amz-id-2") == "" {
				t.Errorf("x-amz-request-id %q x-amz-id-2 %q, want both", resp.Header.Get("x-amz-request-id"), resp.Header.Get("x-amz-id-2"))
			}
			if tc.code == "" {
				if resp.Status != tc.status {
					t.Errorf("status %d, want %d\n%s", resp.Status, tc.status, resp.Body)
				}
				if tc.rr.Method == "HEAD" && len(resp.Body) != 0 {
					t.Errorf("HEAD response with a body: %q", resp.Body)
				}
				return
			}
			e := wantXMLError(t, resp, tc.status, tc.code)
			if e.Resource == "" {
				t.Errorf("error without Resource:\n%s", resp.Body)
			}
			if !bytes.HasPrefix(resp.Body, []byte("<?xml")) {
				t.Errorf("error body does not start with an XML declaration:\n%s", resp.Body)
			}
		})
	}
	t.Run("head-error-on-kept-alive-connection", func(t *testing.T) {
		// If a HEAD error carried a body, the next response on the connection would be
		// garbage. Send HEAD (404) then GET (200) on one connection.
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.HTTPURL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		for _, step := range []struct {
			method, path string
			status       int
		}{{"HEAD", "/shape/missing", 404}, {"HEAD", "/missing-bucket/x", 404}, {"GET", "/shape/k", 200}} {
			req := newRawRequest(t, srv.HTTPURL, rawReq{Method: step.method, Path: step.path})
			if err := req.Write(conn); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(br, req)
			if err != nil {
				t.Fatalf("%s %s: reading response: %v", step.method, step.path, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != step.status {
				t.Errorf("%s %s: status %d, want %d", step.method, step.path, resp.StatusCode, step.status)
			}
			if step.method == "GET" && string(b) != "x" {
				t.Errorf("GET after HEAD errors: body %q", b)
			}
		}
	})
}
