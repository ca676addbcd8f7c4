package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// The worked example in the S3 documentation ("Signature calculation:
// transfer payload in multiple chunks"): 65536 + 1024 bytes of 'a'.
func TestAWSChunkedExample(t *testing.T) {
	const (
		seed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
		first  = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
		second = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
		final  = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	)
	var body bytes.Buffer
	fmt.Fprintf(&body, "10000;chunk-signature=%s\r\n%s\r\n", first, strings.Repeat("a", 65536))
	fmt.Fprintf(&body, "400;chunk-signature=%s\r\n%s\r\n", second, strings.Repeat("a", 1024))
	fmt.Fprintf(&body, "0;chunk-signature=%s\r\n\r\n", final)
	if body.Len() != 66824 {
		t.Fatalf("encoded length %d", body.Len())
	}
	req := httptest.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", &body)
	for k, v := range map[string]string{
		"X-Amz-Date":                   "20130524T000000Z",
		"X-Amz-Storage-Class":          "REDUCED_REDUNDANCY",
		"Content-Encoding":             "aws-chunked",
		"Content-Length":               "66824",
		"X-Amz-Decoded-Content-Length": "66560",
		"X-Amz-Content-Sha256":         streamingSigned,
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
			"Signature=" + seed,
	} {
		req.Header.Set(k, v)
	}
	v := &Verifier{
		Creds:  credMap{"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		Region: "us-east-1",
		Now:    func() time.Time { return time.Date(2013, 5, 24, 0, 5, 0, 0, time.UTC) },
	}
	res, err := v.Verify(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Payload != PayloadStreamingSigned || res.ContentLength != 66560 {
		t.Fatalf("%+v", res)
	}
	got, err := io.ReadAll(res.Body)
	if err != nil || string(got) != strings.Repeat("a", 66560) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
}

type streamSpec struct {
	mode      string   // x-amz-content-sha256
	trailers  []string // "name:value" sent in the trailer
	announce  string   // x-amz-trailer
	declared  int64    // x-amz-decoded-content-length delta from the real length
	chunkSize int
	sizes     []int // the data chunks' sizes, instead of chunkSize
}

// streamingRequest signs a streaming upload of data with the SDK signer
// (seed signature) and frames the body with the test encoder; mutate may
// change the frames before they are joined.
func streamingRequest(t testing.TB, sp streamSpec, data []byte, mutate func([][]byte) [][]byte) *http.Request {
	t.Helper()
	req := httptest.NewRequest("PUT", "http://bucket.example/bucket/key", nil)
	req.Header.Set("X-Amz-Content-Sha256", sp.mode)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)+int(sp.declared)))
	if sp.announce != "" {
		req.Header.Set("X-Amz-Trailer", sp.announce)
	}
	amzDate := testNow.Format(amzDateForm)
	scope := amzDate[:8] + "/" + testRegion + "/s3/aws4_request"
	frame := func(seed string) [][]byte {
		var chunks [][]byte
		if sp.sizes != nil {
			chunks = splitSizes(data, sp.sizes)
		} else {
			chunks = split(data, sp.chunkSize)
		}
		if sp.mode == streamingUnsignedTrailer {
			return [][]byte{encodeUnsignedChunks(chunks, sp.trailers)}
		}
		s := &chunkSigner{key: SigningKey(testSecret, amzDate[:8], testRegion, "s3"), amzDate: amzDate, scope: scope, prev: seed}
		return signedChunkFrames(s, chunks, sp.trailers)
	}
	req.ContentLength = int64(len(bytes.Join(frame(strings.Repeat("0", 64)), nil)))
	signS3(t, req, testCreds, sp.mode, testRegion, testNow)
	_, seed, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	frames := frame(seed)
	if mutate != nil {
		frames = mutate(frames)
	}
	req.Body = io.NopCloser(bytes.NewReader(bytes.Join(frames, nil)))
	return req
}

func flipByte(i, off int) func([][]byte) [][]byte {
	return func(f [][]byte) [][]byte {
		f[i] = bytes.Clone(f[i])
		f[i][off] ^= 1
		return f
	}
}

func dataOffset(f []byte) int { return bytes.Index(f, []byte("\r\n")) + 2 }

const crc = "x-amz-checksum-crc32:sOO8/Q=="

var (
	signedSpec        = streamSpec{mode: streamingSigned, chunkSize: cs}
	signedTrailerSpec = streamSpec{mode: streamingSignedTrailer, chunkSize: cs, trailers: []string{crc}, announce: "x-amz-checksum-crc32"}
	unsignedSpec      = streamSpec{mode: streamingUnsignedTrailer, chunkSize: cs, trailers: []string{crc}, announce: "x-amz-checksum-crc32"}
)

// cs is the chunk size of the tests: S3's minimum for every chunk but the last.
const (
	cs      = minChunk
	dataLen = 4*cs + 500
)

// Data is dataLen bytes: chunks 0-3 of cs bytes, chunk 4 of 500, then
// frame 5 is the final chunk; for the trailer mode frame 6 is the trailer and
// frame 7 the closing CRLF (frame 6 otherwise).
var chunkedTests = []struct {
	name      string
	spec      streamSpec
	mutate    func([][]byte) [][]byte
	verifyErr error
	want      error // from reading the body; nil = success
	released  int   // bytes that must have been handed out
}{
	{name: "signed-ok", spec: signedSpec, released: dataLen},
	{name: "signed-trailer-ok", spec: signedTrailerSpec, released: dataLen},
	{name: "signed-no-final-crlf", spec: signedSpec, mutate: drop(6), released: dataLen},
	{name: "signed-trailer-no-final-crlf", spec: signedTrailerSpec, mutate: drop(7), released: dataLen},
	{name: "flipped-data", spec: signedSpec, mutate: func(f [][]byte) [][]byte { return flipByte(2, dataOffset(f[2])+7)(f) },
		want: ErrSignatureDoesNotMatch, released: 2 * cs},
	{name: "flipped-signature", spec: signedSpec, mutate: func(f [][]byte) [][]byte { return flipByte(2, dataOffset(f[2])-5)(f) },
		want: ErrSignatureDoesNotMatch, released: 2 * cs},
	{name: "flipped-final-signature", spec: signedSpec, mutate: func(f [][]byte) [][]byte { return flipByte(5, 23)(f) },
		want: ErrSignatureDoesNotMatch, released: dataLen},
	{name: "reordered", spec: signedSpec, mutate: func(f [][]byte) [][]byte { f[1], f[2] = f[2], f[1]; return f },
		want: ErrSignatureDoesNotMatch, released: cs},
	{name: "dropped-chunk", spec: signedSpec, mutate: drop(3), want: ErrSignatureDoesNotMatch, released: 3 * cs},
	{name: "duplicated-chunk", spec: signedSpec, mutate: func(f [][]byte) [][]byte { return append(f[:2], f[1:]...) },
		want: ErrSignatureDoesNotMatch, released: 2 * cs},
	{name: "truncated-in-data", spec: signedSpec, mutate: func(f [][]byte) [][]byte { f[3] = f[3][:500]; return f[:4] },
		want: ErrIncompleteBody, released: 3 * cs},
	{name: "truncated-before-final", spec: signedSpec, mutate: func(f [][]byte) [][]byte { return f[:5] },
		want: ErrIncompleteBody, released: dataLen},
	{name: "truncated-in-header", spec: signedSpec, mutate: func(f [][]byte) [][]byte { f[3] = f[3][:30]; return f[:4] },
		want: ErrIncompleteBody, released: 3 * cs},
	{name: "missing-data-crlf", spec: signedSpec, mutate: func(f [][]byte) [][]byte { f[1] = f[1][:len(f[1])-2]; return f },
		want: ErrMalformedChunk, released: cs},
	{name: "declared-longer", spec: streamSpec{mode: streamingSigned, chunkSize: cs, declared: 1}, want: ErrIncompleteBody, released: dataLen},
	{name: "declared-shorter", spec: streamSpec{mode: streamingSigned, chunkSize: cs, declared: -1}, want: ErrMalformedChunk, released: 4 * cs},
	{name: "bad-trailer-signature", spec: signedTrailerSpec, mutate: func(f [][]byte) [][]byte { return flipByte(6, len(f[6])-4)(f) },
		want: ErrSignatureDoesNotMatch, released: dataLen},
	{name: "tampered-trailer", spec: signedTrailerSpec, mutate: func(f [][]byte) [][]byte { return flipByte(6, 25)(f) },
		want: ErrSignatureDoesNotMatch, released: dataLen},
	{name: "missing-trailer-signature", spec: signedTrailerSpec,
		mutate: func(f [][]byte) [][]byte { f[6] = []byte(crc + "\r\n"); return f }, want: ErrMalformedChunk, released: dataLen},
	{name: "truncated-trailer", spec: signedTrailerSpec, mutate: func(f [][]byte) [][]byte { return f[:6] }, want: ErrIncompleteBody, released: dataLen},
	{name: "announced-trailer-missing", spec: streamSpec{mode: streamingSignedTrailer, chunkSize: cs, trailers: []string{}, announce: "x-amz-checksum-crc32"},
		want: ErrMalformedChunk, released: dataLen},
	{name: "trailer-in-signed-mode", spec: signedSpec, mutate: func(f [][]byte) [][]byte { f[6] = []byte(crc + "\r\n\r\n"); return f },
		want: ErrMalformedChunk, released: dataLen},
	{name: "data-after-end", spec: signedSpec, mutate: func(f [][]byte) [][]byte { return append(f, []byte("x")) },
		want: ErrMalformedChunk, released: dataLen},
	{name: "oversized-chunk", spec: signedSpec, mutate: func(f [][]byte) [][]byte {
		f[0] = append([]byte("1000001;chunk-signature="+strings.Repeat("0", 64)+"\r\n"), make([]byte, 100)...)
		return f[:1]
	}, want: ErrMalformedChunk},
	{name: "long-size", spec: signedSpec, mutate: func(f [][]byte) [][]byte {
		f[0] = []byte("00000000000000001;chunk-signature=" + strings.Repeat("0", 64) + "\r\n")
		return f[:1]
	}, want: ErrMalformedChunk},
	{name: "no-signature-ext", spec: signedSpec, mutate: func(f [][]byte) [][]byte { f[0] = []byte("3e8\r\n"); return f },
		want: ErrMalformedChunk},
	{name: "unsigned-ok", spec: unsignedSpec, released: dataLen},
	{name: "unsigned-no-trailer", spec: streamSpec{mode: streamingUnsignedTrailer, chunkSize: 2 * cs}, released: dataLen},
	{name: "unsigned-one-chunk", spec: streamSpec{mode: streamingUnsignedTrailer, chunkSize: 1 << 30}, released: dataLen},
	{name: "unsigned-truncated", spec: unsignedSpec, mutate: func(f [][]byte) [][]byte { f[0] = f[0][:2000]; return f },
		want: ErrIncompleteBody, released: 2000 - len("2000\r\n")},
	{name: "unsigned-declared-shorter", spec: streamSpec{mode: streamingUnsignedTrailer, chunkSize: cs, declared: -1},
		want: ErrMalformedChunk, released: 4 * cs},
	{name: "unsigned-declared-longer", spec: streamSpec{mode: streamingUnsignedTrailer, chunkSize: cs, declared: 1},
		want: ErrIncompleteBody, released: dataLen},
	{name: "unsigned-bad-size", spec: unsignedSpec, mutate: func(f [][]byte) [][]byte { f[0] = append([]byte("zz\r\n"), f[0]...); return f },
		want: ErrMalformedChunk},
	// Only the last data chunk may be short; the chunk after a short one fails.
	{name: "signed-short-chunk", spec: streamSpec{mode: streamingSigned, chunkSize: cs - 1}, want: ErrInvalidChunkSize, released: cs - 1},
	{name: "signed-trailer-short-chunk", spec: streamSpec{mode: streamingSignedTrailer, chunkSize: cs - 1, trailers: []string{crc}, announce: "x-amz-checksum-crc32"},
		want: ErrInvalidChunkSize, released: cs - 1},
	{name: "unsigned-short-chunk", spec: streamSpec{mode: streamingUnsignedTrailer, chunkSize: 100}, want: ErrInvalidChunkSize, released: 100},
	{name: "unsigned-bad-trailer", spec: unsignedSpec, mutate: func(f [][]byte) [][]byte {
		f[0] = bytes.Replace(f[0], []byte(crc), []byte("no colon here"), 1)
		return f
	}, want: ErrMalformedChunk, released: dataLen},
}

func drop(i int) func([][]byte) [][]byte {
	return func(f [][]byte) [][]byte { return append(f[:i], f[i+1:]...) }
}

// readers are the ways a handler may consume Result.Body.
var readers = []struct {
	name string
	read func(io.Reader) ([]byte, error)
}{
	{"ReadAll", io.ReadAll},
	{"OneByte", func(r io.Reader) ([]byte, error) { return io.ReadAll(iotest.OneByteReader(r)) }},
	{"WriteTo", func(r io.Reader) ([]byte, error) {
		var b bytes.Buffer
		_, err := r.(io.WriterTo).WriteTo(&b)
		if err == nil {
			err = io.EOF
		}
		return b.Bytes(), err
	}},
}

func TestChunked(t *testing.T) {
	data := testPayload(dataLen)
	v := newVerifier()
	for _, tc := range chunkedTests {
		for _, rd := range readers {
			for _, slow := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/slow=%v", tc.name, rd.name, slow), func(t *testing.T) {
					req := streamingRequest(t, tc.spec, data, tc.mutate)
					if slow {
						req.Body = io.NopCloser(iotest.HalfReader(iotest.OneByteReader(req.Body)))
					}
					res, err := v.Verify(req)
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					got, err := rd.read(res.Body)
					if tc.want == nil && err != nil && err != io.EOF {
						t.Fatalf("read: %v", err)
					}
					if tc.want != nil && !errors.Is(err, tc.want) {
						t.Fatalf("read error %v, want %v", err, tc.want)
					}
					if !bytes.Equal(got, data[:tc.released]) {
						t.Fatalf("released %d bytes (equal prefix: %v), want %d", len(got), bytes.Equal(got, data[:min(len(got), len(data))]), tc.released)
					}
					tr := res.Trailer()
					wantTrailer := tc.want == nil && len(tc.spec.trailers) > 0
					if wantTrailer != (tr != nil) || wantTrailer && trailerValue(tr) != "sOO8/Q==" {
						t.Fatalf("trailer %v", tr)
					}
				})
			}
		}
	}
}

func TestChunkedIOTest(t *testing.T) {
	data := testPayload(70000)
	for _, sp := range []streamSpec{signedSpec, signedTrailerSpec, unsignedSpec} {
		sp.chunkSize = 8192
		res, err := newVerifier().Verify(streamingRequest(t, sp, data, nil))
		if err != nil {
			t.Fatal(err)
		}
		if err := iotest.TestReader(res.Body, data); err != nil {
			t.Fatalf("%s: %v", sp.mode, err)
		}
	}
}

var chunkSizeTests = []struct {
	name  string
	sizes []int // data chunk sizes, in order
	chunk int64 // 0: accepted
	bad   int64
}{
	{"one-short", []int{1}, 0, 0},
	{"last-short", []int{cs, cs, 1}, 0, 0},
	{"all-minimum", []int{cs, cs, cs}, 0, 0},
	{"large-then-short", []int{1 << 20, 10}, 0, 0},
	{"first-short", []int{cs - 1, cs}, 2, cs - 1},
	{"middle-short", []int{cs, 3, cs}, 3, 3},
	{"two-short", []int{3, 2}, 2, 3}, // S3's own example: "hello" in chunks of 3
}

// The chunk-size rule in every streaming mode, with S3's Chunk and
// BadChunkSize: the number of the chunk that showed the short one was not
// the last, and the short one's size.
func TestChunkSizeRule(t *testing.T) {
	for _, tc := range chunkSizeTests {
		var data []byte
		for _, n := range tc.sizes {
			data = append(data, testPayload(n)...)
		}
		for _, mode := range []string{streamingSigned, streamingSignedTrailer, streamingUnsignedTrailer} {
			sp := streamSpec{mode: mode, sizes: tc.sizes}
			if mode != streamingSigned {
				sp.trailers, sp.announce = []string{crc}, "x-amz-checksum-crc32"
			}
			req := streamingRequest(t, sp, data, nil)
			res, err := newVerifier().Verify(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(res.Body)
			var ce *ChunkSizeError
			switch {
			case tc.chunk == 0 && (err != nil || !bytes.Equal(got, data)):
				t.Errorf("%s/%s: %v", tc.name, mode, err)
			case tc.chunk != 0 && (!errors.As(err, &ce) || ce.Chunk != tc.chunk || ce.BadChunkSize != tc.bad):
				t.Errorf("%s/%s: %v, want chunk %d bad size %d", tc.name, mode, err, tc.chunk, tc.bad)
			case tc.chunk != 0 && (ce.Detail() != msgChunkTooSmall || !errors.Is(err, ErrInvalidChunkSize)):
				t.Errorf("%s/%s: %v", tc.name, mode, err)
			}
		}
	}
}

var streamingHeaderTests = []struct {
	name    string
	mode    string
	edit    func(*http.Request)
	want    error
	wantLen int64
}{
	{"signed-no-decoded-length", streamingSigned, func(r *http.Request) { r.Header.Del("X-Amz-Decoded-Content-Length") }, ErrMissingSecurityHeader, 0},
	{"signed-trailer-no-decoded-length", streamingSignedTrailer, func(r *http.Request) { r.Header.Del("X-Amz-Decoded-Content-Length") }, ErrMissingSecurityHeader, 0},
	{"unsigned-no-decoded-length", streamingUnsignedTrailer, func(r *http.Request) { r.Header.Del("X-Amz-Decoded-Content-Length") }, nil, -1},
	{"bad-decoded-length", streamingUnsignedTrailer, func(r *http.Request) { r.Header.Set("X-Amz-Decoded-Content-Length", "-5") }, ErrMalformedChunk, 0},
	{"two-decoded-lengths", streamingUnsignedTrailer, func(r *http.Request) { r.Header.Add("X-Amz-Decoded-Content-Length", "0") }, ErrMalformedChunk, 0},
}

// Header problems of streaming uploads, found after the signature: the
// headers are edited before signing.
func TestStreamingHeaders(t *testing.T) {
	for _, tc := range streamingHeaderTests {
		req := httptest.NewRequest("PUT", "http://bucket.example/key", strings.NewReader("3\r\nabc\r\n0\r\n\r\n"))
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("X-Amz-Decoded-Content-Length", "3")
		tc.edit(req)
		signS3(t, req, testCreds, tc.mode, testRegion, testNow)
		res, err := newVerifier().Verify(req)
		checkErr(t, err, tc.want, "")
		if err == nil {
			b, err := io.ReadAll(res.Body)
			if err != nil || string(b) != "abc" || res.ContentLength != tc.wantLen {
				t.Fatalf("%s: %q %v %d", tc.name, b, err, res.ContentLength)
			}
		}
	}
}

// aws-chunked framing with a plain payload hash: the hash covers the
// encoded body and the framing is removed.
func TestAWSChunkedPlainHash(t *testing.T) {
	data := testPayload(2*cs + 3000)
	enc := encodeUnsigned(data, cs, []string{crc})
	for _, payload := range []string{sha256Hex(enc), unsignedPayload, sha256Hex(data)} {
		req := httptest.NewRequest("PUT", "http://bucket.example/key", bytes.NewReader(enc))
		req.Header.Set("Content-Encoding", "aws-chunked,gzip")
		req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
		signS3(t, req, testCreds, payload, testRegion, testNow)
		res, err := newVerifier().Verify(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(res.Body)
		if payload == sha256Hex(data) {
			if !errors.Is(err, ErrContentSHA256Mismatch) {
				t.Fatalf("want mismatch, got %v", err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, data) || trailerValue(res.Trailer()) == "" {
			t.Fatalf("%s: %v", payload, err)
		}
	}
}

// Streaming uploads through a real server, so net/http's handling of
// Content-Length and Expect applies.
func TestStreamingThroughServer(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	data := testPayload(200000)
	for _, sp := range []streamSpec{signedSpec, signedTrailerSpec, unsignedSpec} {
		sp.chunkSize = 65536
		req := streamingRequest(t, sp, data, nil)
		enc, _ := io.ReadAll(req.Body)
		out, _ := http.NewRequest("PUT", ts.URL+"/bucket/key", bytes.NewReader(enc))
		out.Header = req.Header
		out.Header.Set("Expect", "100-continue")
		out.Host = req.Host
		o := ts.do(t, out)
		if o.err != nil || o.bodyErr != nil || !bytes.Equal(o.body, data) {
			t.Fatalf("%s: %v %v", sp.mode, o.err, o.bodyErr)
		}
		if sp.trailers != nil && trailerValue(o.trailer) != "sOO8/Q==" {
			t.Fatalf("trailer %v", o.trailer)
		}
	}
}

// A hostile chunk header must not make the reader allocate its size.
func TestChunkedNoAllocationAmplification(t *testing.T) {
	body := "ffffff;chunk-signature=" + strings.Repeat("0", 64) + "\r\nshort"
	cr := newChunkedReader(io.NopCloser(strings.NewReader(body)), chunkConfig{
		mode: PayloadStreamingSigned, decoded: 1 << 40, key: []byte("k"), seed: strings.Repeat("0", 64),
	})
	if _, err := io.ReadAll(cr); !errors.Is(err, ErrIncompleteBody) {
		t.Fatal(err)
	}
	if cap(cr.buf) > 2*chunkBufSize {
		t.Fatalf("buffer grew to %d", cap(cr.buf))
	}
}
