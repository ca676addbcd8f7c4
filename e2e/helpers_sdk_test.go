package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// randBytes returns n deterministic pseudo-random bytes for seed.
func randBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// quotedMD5 is the ETag S3 gives an object stored by a single PUT.
func quotedMD5(b []byte) string { return `"` + md5Hex(b) + `"` }

// errInfo returns the S3 error code and HTTP status of an SDK error ("" and 0 if err is not
// an API error).
func errInfo(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// wantAPIError fails unless err is an S3 error with code and status. An empty code checks
// only the status (HEAD responses carry no body, so no code).
func wantAPIError(t testing.TB, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Errorf("got success, want %d %s", status, code)
		return
	}
	gotCode, gotStatus := errInfo(err)
	if gotStatus != status || (code != "" && gotCode != code) {
		t.Errorf("got %d %s (%v), want %d %s", gotStatus, gotCode, err, status, code)
	}
}

func mustCreateBucket(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

func mustPut(t testing.TB, c *s3.Client, bucket, key string, body []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

// mustGet returns the object's body and the GetObject output (Body already consumed).
func mustGet(t testing.TB, c *s3.Client, in *s3.GetObjectInput) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", aws.ToString(in.Bucket), aws.ToString(in.Key), err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject %s/%s: reading body: %v", aws.ToString(in.Bucket), aws.ToString(in.Key), err)
	}
	return b, out
}

// s3Escape percent-encodes a key for a URL path or x-amz-copy-source: everything but
// unreserved characters and '/'.
func s3Escape(key string) string {
	var sb strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			sb.WriteByte(c)
		} else {
			sb.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return sb.String()
}

// rawReq is one hand-made S3 request, SigV4-signed unless Anonymous.
type rawReq struct {
	Method string
	// Path is the path with the key already escaped, e.g. "/bucket/my%20key".
	Path   string
	Query  string // raw query, without '?'
	Header http.Header
	Body   []byte
	// PayloadHash is signed as x-amz-content-sha256; default: the body's SHA-256.
	PayloadHash string
	// SignTime defaults to now.
	SignTime  time.Time
	Region    string // signing region, default testRegion
	AccessKey string // default testAccessKey
	SecretKey string // default testSecretKey
	Anonymous bool
}

type rawResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// newRawRequest builds and signs rr against endpoint.
func newRawRequest(t testing.TB, endpoint string, rr rawReq) *http.Request {
	t.Helper()
	u := endpoint + rr.Path
	if rr.Query != "" {
		u += "?" + rr.Query
	}
	req, err := http.NewRequest(rr.Method, u, bytes.NewReader(rr.Body))
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	if rr.Body == nil {
		req.Body = http.NoBody
		req.ContentLength = 0
	}
	for k, vs := range rr.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if rr.Anonymous {
		return req
	}
	hash := rr.PayloadHash
	if hash == "" {
		hash = sha256Hex(rr.Body)
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	when := rr.SignTime
	if when.IsZero() {
		when = time.Now()
	}
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	if rr.AccessKey != "" {
		creds.AccessKeyID = rr.AccessKey
	}
	if rr.SecretKey != "" {
		creds.SecretAccessKey = rr.SecretKey
	}
	region := testRegion
	if rr.Region != "" {
		region = rr.Region
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds, req, hash, "s3", region, when.UTC()); err != nil {
		t.Fatalf("signing: %v", err)
	}
	return req
}

// do sends rr to endpoint and returns the whole response.
func do(t testing.TB, endpoint string, rr rawReq) rawResp {
	t.Helper()
	return doReq(t, newRawRequest(t, endpoint, rr))
}

func doReq(t testing.TB, req *http.Request) rawResp {
	t.Helper()
	// One connection per request, closed after it: nothing idle is left for the server's
	// graceful stop to wait on.
	req.Close = true
	resp, err := HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// s3XMLError is S3's error document with the fields these tests look at.
type s3XMLError struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	Resource   string   `xml:"Resource"`
	RequestID  string   `xml:"RequestId"`
	HostID     string   `xml:"HostId"`
	Key        string   `xml:"Key"`
	BucketName string   `xml:"BucketName"`
	UploadID   string   `xml:"UploadId"`
	Method     string   `xml:"Method"`
}

// wantXMLError checks that resp is an S3 XML error with status and code, carrying a
// Message and a RequestId equal to the x-amz-request-id header, and returns it.
func wantXMLError(t testing.TB, resp rawResp, status int, code string) s3XMLError {
	t.Helper()
	var e s3XMLError
	if resp.Status != status {
		t.Errorf("status %d, want %d; body:\n%s", resp.Status, status, resp.Body)
	}
	if err := xml.Unmarshal(resp.Body, &e); err != nil {
		t.Errorf("error body is not S3 XML (%v):\n%s", err, resp.Body)
		return e
	}
	if e.Code != code {
		t.Errorf("Code %q, want %q; body:\n%s", e.Code, code, resp.Body)
	}
	if e.Message == "" {
		t.Errorf("error has no Message:\n%s", resp.Body)
	}
	if id := resp.Header.Get("x-amz-request-id"); e.RequestID == "" || e.RequestID != id {
		t.Errorf("RequestId %q, x-amz-request-id header %q", e.RequestID, id)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "xml") {
		t.Errorf("error Content-Type %q, want application/xml", ct)
	}
	return e
}

// bothEndpoints names the server's two listeners for subtests.
func bothEndpoints(srv *Server) []struct{ Name, URL string } {
	return []struct{ Name, URL string }{{"http", srv.HTTPURL}, {"https", srv.HTTPSURL}}
}

// queryEscape is url.QueryEscape with %20 for spaces (as SigV4 canonical queries want).
func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// withSDKChecksums gives a client the checksum behaviour config.LoadDefaultConfig gives
// (the harness builds aws.Config by hand, which leaves it unset, i.e. "when required"):
// a CRC32 on every upload, sent as an aws-chunked trailer over HTTPS and as a header over
// HTTP, and response checksum validation.
func withSDKChecksums(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
}

// sdk returns an S3 client for endpoint like srv.S3, whose idle connections are closed
// when t ends. (Connections a concurrent client dials but never uses stay "new" on the
// server, and net/http's graceful Shutdown waits 5 s for those.)
func sdk(t testing.TB, srv *Server, endpoint string, opts ...func(*s3.Options)) *s3.Client {
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	return srv.S3(endpoint, append([]func(*s3.Options){func(o *s3.Options) { o.HTTPClient = hc }}, opts...)...)
}
