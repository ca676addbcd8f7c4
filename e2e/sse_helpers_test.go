package e2e

// Shared helpers of the server-side encryption suites (sse_*_test.go): SSE modes as the SDK
// sends them, SSE-C keys, raw signed requests with exact error checks, KMS and metrics
// access, and the data-directory scan.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// sseCKey is an SSE-C customer key with its header forms.
type sseCKey struct {
	Raw []byte
	B64 string // x-amz-server-side-encryption-customer-key
	MD5 string // x-amz-server-side-encryption-customer-key-MD5
}

// sseCKeyOf wraps raw key bytes (any length, for the error tests).
func sseCKeyOf(raw []byte) sseCKey {
	sum := md5.Sum(raw)
	return sseCKey{Raw: raw, B64: base64.StdEncoding.EncodeToString(raw), MD5: base64.StdEncoding.EncodeToString(sum[:])}
}

// sseCKeyFrom derives a deterministic 32-byte key from a name.
func sseCKeyFrom(name string) sseCKey {
	sum := sha256.Sum256([]byte("arca e2e sse-c key: " + name))
	return sseCKeyOf(sum[:])
}

var (
	sseCK1 = sseCKeyFrom("one")
	sseCK2 = sseCKeyFrom("two")
)

// header returns the SSE-C trio of the target: x-amz-server-side-encryption-customer-*.
func (k sseCKey) header() http.Header { return k.headerAs("x-amz-", "AES256") }

// srcHeader returns the trio for a copy source:
// x-amz-copy-source-server-side-encryption-customer-*.
func (k sseCKey) srcHeader() http.Header { return k.headerAs("x-amz-copy-source-", "AES256") }

// headerAs returns the trio with prefix ("x-amz-" or "x-amz-copy-source-") and algorithm.
func (k sseCKey) headerAs(prefix, alg string) http.Header {
	h := http.Header{}
	h.Set(prefix+"server-side-encryption-customer-algorithm", alg)
	h.Set(prefix+"server-side-encryption-customer-key", k.B64)
	h.Set(prefix+"server-side-encryption-customer-key-MD5", k.MD5)
	return h
}

// sseHdr builds a header from name, value pairs.
func sseHdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// sseMerge returns the union of headers.
func sseMerge(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		for k, vs := range h {
			for _, v := range vs {
				out.Add(k, v)
			}
		}
	}
	return out
}

// sseMode is one way to ask for encryption, and what S3 must answer for it.
type sseMode struct {
	Name      string
	SSE       types.ServerSideEncryption // request header; "" = none
	KeyID     string                     // request key id as sent ("" = none)
	BucketKey *bool                      // x-amz-server-side-encryption-bucket-key-enabled
	C         *sseCKey                   // SSE-C

	WantSSE types.ServerSideEncryption // AES256 or aws:kms ("" for SSE-C)
	WantARN string                     // key ARN for aws:kms
	WantBK  bool
}

func (m sseMode) isC() bool   { return m.C != nil }
func (m sseMode) isKMS() bool { return m.WantSSE == types.ServerSideEncryptionAwsKms }

// md5ETag reports whether objects of this mode (single PUT or copy) have the MD5 as ETag.
func (m sseMode) md5ETag() bool { return m.WantSSE == types.ServerSideEncryptionAes256 }

func (m sseMode) withC(k sseCKey) sseMode {
	m.C = &k
	return m
}

func (m sseMode) put(in *s3.PutObjectInput) {
	in.ServerSideEncryption, in.BucketKeyEnabled = m.SSE, m.BucketKey
	if m.KeyID != "" {
		in.SSEKMSKeyId = aws.String(m.KeyID)
	}
	if m.C != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) copyDst(in *s3.CopyObjectInput) {
	in.ServerSideEncryption, in.BucketKeyEnabled = m.SSE, m.BucketKey
	if m.KeyID != "" {
		in.SSEKMSKeyId = aws.String(m.KeyID)
	}
	if m.C != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) copySrc(in *s3.CopyObjectInput) {
	if m.C != nil {
		in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) create(in *s3.CreateMultipartUploadInput) {
	in.ServerSideEncryption, in.BucketKeyEnabled = m.SSE, m.BucketKey
	if m.KeyID != "" {
		in.SSEKMSKeyId = aws.String(m.KeyID)
	}
	if m.C != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) part(in *s3.UploadPartInput) {
	if m.C != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) partCopyDst(in *s3.UploadPartCopyInput) {
	if m.C != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) partCopySrc(in *s3.UploadPartCopyInput) {
	if m.C != nil {
		in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) get(in *s3.GetObjectInput) {
	if m.C != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

func (m sseMode) head(in *s3.HeadObjectInput) {
	if m.C != nil {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
	}
}

// sseGot is the encryption a response stated.
type sseGot struct {
	SSE    types.ServerSideEncryption
	KeyID  *string
	BK     *bool
	CAlg   *string
	CKeyMD *string
}

// check fails unless got is what S3 answers for an object of mode m (reference §1.3).
func (m sseMode) check(t testing.TB, what string, got sseGot) {
	t.Helper()
	if m.isC() {
		if got.SSE != "" || got.KeyID != nil || aws.ToBool(got.BK) {
			t.Errorf("%s: SSE-C object answered SSE %q key %q bucket-key %v; want none", what, got.SSE, aws.ToString(got.KeyID), aws.ToBool(got.BK))
		}
		if aws.ToString(got.CAlg) != "AES256" || aws.ToString(got.CKeyMD) != m.C.MD5 {
			t.Errorf("%s: SSECustomerAlgorithm %q KeyMD5 %q, want AES256 %q", what, aws.ToString(got.CAlg), aws.ToString(got.CKeyMD), m.C.MD5)
		}
		return
	}
	if got.SSE != m.WantSSE {
		t.Errorf("%s: ServerSideEncryption %q, want %q", what, got.SSE, m.WantSSE)
	}
	if m.isKMS() {
		if aws.ToString(got.KeyID) != m.WantARN {
			t.Errorf("%s: SSEKMSKeyId %q, want the key ARN %q", what, aws.ToString(got.KeyID), m.WantARN)
		}
	} else if got.KeyID != nil {
		t.Errorf("%s: SSEKMSKeyId %q on a %s object", what, *got.KeyID, m.WantSSE)
	}
	if aws.ToBool(got.BK) != m.WantBK {
		t.Errorf("%s: BucketKeyEnabled %v, want %v", what, aws.ToBool(got.BK), m.WantBK)
	}
	if got.CAlg != nil || got.CKeyMD != nil {
		t.Errorf("%s: SSE-C headers %q %q on a non-SSE-C object", what, aws.ToString(got.CAlg), aws.ToString(got.CKeyMD))
	}
}

// checkETag checks a single-PUT (or copy) ETag: the MD5 for SSE-S3, an opaque 32-hex value
// otherwise (reference §1.3).
func (m sseMode) checkETag(t testing.TB, what string, etag *string, body []byte) {
	t.Helper()
	e := aws.ToString(etag)
	if !sseETagRE.MatchString(e) {
		t.Errorf("%s: ETag %q is not a quoted 32-hex value", what, e)
		return
	}
	if m.md5ETag() && e != quotedMD5(body) {
		t.Errorf("%s: ETag %s, want the MD5 %s (SSE-S3)", what, e, quotedMD5(body))
	}
	if !m.md5ETag() && e == quotedMD5(body) {
		t.Errorf("%s: ETag %s is the MD5 of the content; S3 never uses the MD5 for %s", what, e, m.Name)
	}
}

var (
	sseETagRE          = regexp.MustCompile(`^"[0-9a-f]{32}"$`)
	sseMultipartETagRE = regexp.MustCompile(`^"[0-9a-f]{32}-(\d+)"$`)
)

// sseMarker is a recognisable 32-byte plaintext marker.
func sseMarker(name string) []byte {
	m := fmt.Sprintf("%-32s", "<ARCA-PLAINTEXT:"+name+">")
	return []byte(m[:32])
}

// sseBody is n pseudo-random bytes with marker written every KiB.
func sseBody(n int, seed int64, marker []byte) []byte {
	b := randBytes(n, seed)
	for off := 0; off+len(marker) <= n; off += 1024 {
		copy(b[off:], marker)
	}
	return b
}

// sseKMS is an aws-sdk-go-v2 KMS client for the server's HTTPS endpoint.
func sseKMS(t testing.TB, srv *Server) *kms.Client {
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	cfg := aws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		HTTPClient: hc, RetryMaxAttempts: 1}
	return kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(srv.HTTPSURL) })
}

// sseCreateKey creates a symmetric KMS key and returns its id and ARN.
func sseCreateKey(t testing.TB, kc *kms.Client, desc string) (id, arn string) {
	t.Helper()
	out, err := kc.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String(desc)})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn)
}

func sseCreateAlias(t testing.TB, kc *kms.Client, alias, keyID string) {
	t.Helper()
	if _, err := kc.CreateAlias(context.Background(), &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(keyID)}); err != nil {
		t.Fatalf("CreateAlias %s: %v", alias, err)
	}
}

// sseAWSManagedKey returns the ARN of aws/s3 (DescribeKey creates it on first use, as AWS
// does) and checks it is AWS-managed.
func sseAWSManagedKey(t testing.TB, kc *kms.Client) string {
	t.Helper()
	out, err := kc.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatalf("DescribeKey alias/aws/s3: %v", err)
	}
	if out.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws {
		t.Errorf("aws/s3 KeyManager %q, want AWS", out.KeyMetadata.KeyManager)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// sseDataKeys asks KMS for a data key under each key id and returns the plaintexts (for the
// data directory scan: KMS must never store them).
func sseDataKeys(t testing.TB, kc *kms.Client, keyIDs ...string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, id := range keyIDs {
		dk, err := kc.GenerateDataKey(context.Background(), &kms.GenerateDataKeyInput{KeyId: aws.String(id),
			KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: map[string]string{"aws:s3:arn": "arn:aws:s3:::scan/" + id}})
		if err != nil {
			t.Fatalf("GenerateDataKey %s: %v", id, err)
		}
		if len(dk.Plaintext) != 32 {
			t.Fatalf("GenerateDataKey %s: %d-byte plaintext", id, len(dk.Plaintext))
		}
		out = append(out, dk.Plaintext)
	}
	return out
}

// sseNeedles are byte strings that must never be found at rest.
type sseNeedles map[string][]byte

func (n sseNeedles) addCKey(name string, k sseCKey) {
	n[name+" (raw)"] = k.Raw
	n[name+" (base64)"] = []byte(k.B64)
}

// sseScanDataDir reads every file under dir (recursively, meta.db included) and fails if
// any needle occurs in one. The server must be stopped.
func sseScanDataDir(t testing.TB, dir string, needles sseNeedles) {
	t.Helper()
	files, total := 0, int64(0)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		total += int64(len(b))
		for name, nd := range needles {
			if len(nd) == 0 {
				continue
			}
			if i := bytes.Index(b, nd); i >= 0 {
				rel, _ := filepath.Rel(dir, p)
				t.Errorf("AT REST IN CLEAR: %s found in %s at offset %d", name, rel, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scanning %s: %v", dir, err)
	}
	if files == 0 || total == 0 {
		t.Fatalf("scanning %s: no files", dir)
	}
	t.Logf("scanned %d files, %d bytes, for %d needles", files, total, len(needles))
}

// sseRaw sends one signed request (UNSIGNED-PAYLOAD over HTTPS, the body's hash over HTTP).
func sseRaw(t testing.TB, endpoint, method, path, query string, h http.Header, body []byte) rawResp {
	t.Helper()
	rr := rawReq{Method: method, Path: path, Query: query, Header: h, Body: body}
	if strings.HasPrefix(endpoint, "https:") {
		rr.PayloadHash = "UNSIGNED-PAYLOAD"
	}
	return do(t, endpoint, rr)
}

// sseXMLError is S3's error document with the InvalidArgument extras.
type sseXMLError struct {
	XMLName       xml.Name `xml:"Error"`
	Code          string   `xml:"Code"`
	Message       string   `xml:"Message"`
	ArgumentName  *string  `xml:"ArgumentName"`
	ArgumentValue *string  `xml:"ArgumentValue"`
	BucketName    string   `xml:"BucketName"`
	RequestID     string   `xml:"RequestId"`
}

// sseWant is an expected S3 error. ArgName/ArgValue are checked when not "".
type sseWant struct {
	Status            int
	Code, Msg         string
	ArgName, ArgValue string
}

// sseCheckError fails unless resp is the expected error: for HEAD, the status and an empty
// body; otherwise the XML error with code and exact message.
func sseCheckError(t testing.TB, what, method string, resp rawResp, w sseWant) {
	t.Helper()
	if resp.Status != w.Status {
		t.Errorf("%s: status %d, want %d %s %q; body:\n%s", what, resp.Status, w.Status, w.Code, w.Msg, resp.Body)
		return
	}
	if method == http.MethodHead {
		if len(resp.Body) != 0 {
			t.Errorf("%s: HEAD error has a body: %q", what, resp.Body)
		}
		return
	}
	var e sseXMLError
	if err := xml.Unmarshal(resp.Body, &e); err != nil {
		t.Errorf("%s: error body is not S3 XML (%v):\n%s", what, err, resp.Body)
		return
	}
	if w.Code != "" && e.Code != w.Code {
		t.Errorf("%s: Code %q, want %q (message %q)", what, e.Code, w.Code, e.Message)
	}
	if w.Msg != "" && e.Message != w.Msg {
		t.Errorf("%s: Message %q\n\twant %q", what, e.Message, w.Msg)
	}
	if w.ArgName != "" && aws.ToString(e.ArgumentName) != w.ArgName {
		t.Errorf("%s: ArgumentName %q, want %q", what, aws.ToString(e.ArgumentName), w.ArgName)
	}
	if w.ArgValue != "" && aws.ToString(e.ArgumentValue) != w.ArgValue {
		t.Errorf("%s: ArgumentValue %q, want %q", what, aws.ToString(e.ArgumentValue), w.ArgValue)
	}
	if id := resp.Header.Get("x-amz-request-id"); e.RequestID == "" || e.RequestID != id {
		t.Errorf("%s: RequestId %q, x-amz-request-id %q", what, e.RequestID, id)
	}
}

// sseSDKError fails unless err is an S3 error with status, code and message ("" skips).
func sseSDKError(t testing.TB, what string, err error, status int, code, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want %d %s %q", what, status, code, msg)
		return
	}
	gotCode, gotStatus := errInfo(err)
	var ae smithy.APIError
	gotMsg := ""
	if errors.As(err, &ae) {
		gotMsg = ae.ErrorMessage()
	}
	if gotStatus != status || (code != "" && gotCode != code) || (msg != "" && gotMsg != msg) {
		t.Errorf("%s: got %d %s %q\n\twant %d %s %q", what, gotStatus, gotCode, gotMsg, status, code, msg)
	}
}

// sseMetrics returns arca_kms_key_operations_total by key id and operation.
func sseMetrics(t testing.TB, srv *Server) map[[2]string]float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.HTTPURL+"/metrics", nil)
	req.SetBasicAuth(testAccessKey, testSecretKey)
	req.Close = true
	resp, err := HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	out := map[[2]string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		m := sseMetricRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		labels := map[string]string{}
		for _, l := range sseLabelRE.FindAllStringSubmatch(m[1], -1) {
			labels[l[1]] = l[2]
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		out[[2]string{labels["key_id"], labels["operation"]}] = v
	}
	return out
}

var (
	sseMetricRE = regexp.MustCompile(`^arca_kms_key_operations_total\{([^}]*)\} (\S+)$`)
	sseLabelRE  = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// sseRawGet is a signed GET that reports a broken body instead of failing the test: the
// status, the bytes received and the error that ended the body (nil = complete).
func sseRawGet(t testing.TB, endpoint, path string, h http.Header) (int, []byte, error) {
	t.Helper()
	req := newRawRequest(t, endpoint, rawReq{Method: http.MethodGet, Path: path, Header: h, PayloadHash: "UNSIGNED-PAYLOAD"})
	req.Close = true
	hc := HTTPClient()
	hc.Timeout = time.Minute
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
