package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAK     = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
)

var testNow = time.Date(2026, 11, 22, 12, 30, 0, 0, time.UTC)

type credMap map[string]string

func (m credMap) Lookup(_ context.Context, ak string) (string, error) {
	s, ok := m[ak]
	if !ok {
		return "", fmt.Errorf("lookup %q: %w", ak, ErrInvalidAccessKeyID)
	}
	return s, nil
}

func newVerifier() *Verifier {
	return &Verifier{
		Creds:  credMap{testAK: testSecret, "AKOTHER": "another-secret", "ASIATEMP": "temp-secret"},
		Region: testRegion,
		Now:    func() time.Time { return testNow },
	}
}

var testCreds = aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSecret}

// plainSigner signs like the other service clients.
var plainSigner = v4.NewSigner()

// outcome is what the test server saw for one request.
type outcome struct {
	res     *Result
	err     error
	body    []byte
	bodyErr error
	trailer http.Header
}

// testServer runs Verify in its handler and reports every outcome.
type testServer struct {
	*httptest.Server
	out chan outcome
}

func newTestServer(t testing.TB, v *Verifier, tls bool) *testServer {
	ts := &testServer{out: make(chan outcome, 16)}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var o outcome
		o.res, o.err = v.Verify(r)
		if o.err == nil {
			o.body, o.bodyErr = io.ReadAll(o.res.Body)
			o.trailer = o.res.Trailer()
			o.res.Body.Close()
		}
		ts.out <- o
		switch {
		case o.err != nil || o.bodyErr != nil:
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>`)
		case r.Method == http.MethodGet && r.URL.Query().Has("list-type"):
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`)
		case r.Method == http.MethodGet:
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		}
	})
	if tls {
		ts.Server = httptest.NewTLSServer(h)
	} else {
		ts.Server = httptest.NewServer(h)
	}
	t.Cleanup(ts.Close)
	return ts
}

// do sends req and returns what the handler saw.
func (ts *testServer) do(t testing.TB, req *http.Request) outcome {
	t.Helper()
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("request failed: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	select {
	case o := <-ts.out:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("handler did not report")
	}
	return outcome{}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func hmacHex(key []byte, s string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// chunkSigner is a test-only aws-chunked encoder, written from the S3
// documentation of STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER).
type chunkSigner struct {
	key            []byte
	amzDate, scope string
	prev           string
}

func (s *chunkSigner) chunkSig(data []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" +
		sha256Hex(nil) + "\n" + sha256Hex(data)
	s.prev = hmacHex(s.key, sts)
	return s.prev
}

func (s *chunkSigner) trailerSig(lines string) string {
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" + sha256Hex([]byte(lines))
	s.prev = hmacHex(s.key, sts)
	return s.prev
}

func split(data []byte, size int) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		n := min(size, len(data))
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

// splitSizes cuts data into chunks of the given sizes, which must add up to
// len(data).
func splitSizes(data []byte, sizes []int) [][]byte {
	var out [][]byte
	for _, n := range sizes {
		out, data = append(out, data[:n]), data[n:]
	}
	return out
}

// signedFrames frames data in signed chunks of chunkSize: one element per
// data chunk, then the final chunk, then (with trailers, "name:value") the
// signed trailer section, then the closing CRLF.
func signedFrames(s *chunkSigner, data []byte, chunkSize int, trailers []string) [][]byte {
	return signedChunkFrames(s, split(data, chunkSize), trailers)
}

// signedChunkFrames is signedFrames with the data already cut into chunks.
func signedChunkFrames(s *chunkSigner, chunks [][]byte, trailers []string) [][]byte {
	var frames [][]byte
	for _, c := range chunks {
		frames = append(frames, fmt.Appendf(nil, "%x;chunk-signature=%s\r\n%s\r\n", len(c), s.chunkSig(c), c))
	}
	frames = append(frames, fmt.Appendf(nil, "0;chunk-signature=%s\r\n", s.chunkSig(nil)))
	if trailers != nil {
		var lines, wire string
		for _, t := range trailers {
			wire += t + "\r\n"
			lines += t + "\n"
		}
		frames = append(frames, fmt.Appendf(nil, "%sx-amz-trailer-signature:%s\r\n", wire, s.trailerSig(lines)))
	}
	return append(frames, []byte("\r\n"))
}

// encodeUnsigned frames data like STREAMING-UNSIGNED-PAYLOAD-TRAILER.
func encodeUnsigned(data []byte, chunkSize int, trailers []string) []byte {
	return encodeUnsignedChunks(split(data, chunkSize), trailers)
}

// encodeUnsignedChunks is encodeUnsigned with the data already cut into chunks.
func encodeUnsignedChunks(chunks [][]byte, trailers []string) []byte {
	var b bytes.Buffer
	for _, c := range chunks {
		b.WriteString(strconv.FormatInt(int64(len(c)), 16) + "\r\n")
		b.Write(c)
		b.WriteString("\r\n")
	}
	b.WriteString("0\r\n")
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// testPayload returns n deterministic bytes.
func testPayload(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}
