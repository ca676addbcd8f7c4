package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

var sentinels = []error{
	ErrInvalidAccessKeyID, ErrSignatureDoesNotMatch, ErrRequestTimeTooSkewed, ErrRequestExpired,
	ErrAuthorizationHeaderMalformed, ErrAuthorizationQueryParametersError, ErrMissingSecurityHeader,
	ErrMissingContentSHA256, ErrContentSHA256Mismatch, ErrInvalidContentSHA256, ErrMalformedChunk,
	ErrIncompleteBody, ErrUnsupportedAlgorithm, ErrHeadersNotSigned, ErrInvalidChunkSize,
}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func FuzzParseAuthorization(f *testing.F) {
	for _, tc := range parseAuthorizationTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAuthorization(s)
		if err != nil {
			if !errors.Is(err, ErrAuthorizationHeaderMalformed) && !errors.Is(err, ErrUnsupportedAlgorithm) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for _, c := range []string{a.credential, a.signedHeaders, a.signature} {
			if c == "" || strings.ContainsAny(c, " ,\t") || !strings.Contains(s, c) {
				t.Fatalf("bad component %q of %q", c, s)
			}
		}
		if cs, reason := parseCredential(a.credential); reason == "" {
			if cs.accessKey+"/"+cs.scope != a.credential || len(cs.date) != 8 {
				t.Fatalf("credential %q parsed as %+v", a.credential, cs)
			}
		}
		if names, ok := parseSignedHeaders(a.signedHeaders); ok {
			for _, n := range names {
				if n == "" || strings.ContainsAny(n, ";: ") {
					t.Fatalf("bad name %q", n)
				}
			}
		}
	})
}

// fuzzChunkKey etc. are fixed so the seeds carry valid signatures.
var (
	fuzzKey   = SigningKey(testSecret, "20261122", testRegion, "s3")
	fuzzDate  = "20261122T123000Z"
	fuzzScope = "20261122/us-east-1/s3/aws4_request"
	fuzzSeed  = strings.Repeat("ab", 32)
)

const fuzzMinChunk = 64

var fuzzModes = []PayloadMode{PayloadStreamingSigned, PayloadStreamingSignedTrailer, PayloadStreamingUnsignedTrailer}

func FuzzChunkedReader(f *testing.F) {
	data := testPayload(300)
	signer := func() *chunkSigner {
		return &chunkSigner{key: fuzzKey, amzDate: fuzzDate, scope: fuzzScope, prev: fuzzSeed}
	}
	f.Add(bytes.Join(signedFrames(signer(), data, 100, nil), nil), uint8(0), int64(300), uint8(0))
	f.Add(bytes.Join(signedFrames(signer(), data, 128, []string{crc}), nil), uint8(1), int64(300), uint8(3))
	f.Add(encodeUnsigned(data, 64, []string{crc, "x-amz-meta-a:b"}), uint8(2), int64(300), uint8(7))
	f.Add(encodeUnsigned(data, 1000, nil), uint8(2), int64(-1), uint8(1))
	f.Add(bytes.Join(signedFrames(signer(), data, 50, nil), nil), uint8(0), int64(300), uint8(0)) // short chunks
	f.Add(encodeUnsigned(data, 10, []string{crc}), uint8(2), int64(300), uint8(5))
	f.Add([]byte("0\r\n\r\n"), uint8(2), int64(0), uint8(0))
	f.Add(append(bytes.TrimSuffix(encodeUnsigned(data, 64, nil), []byte("\r\n")), crc+"\n\r\n\r\n"...), uint8(2), int64(300), uint8(7)) // minio-go's LF-ended trailer
	f.Add([]byte("ffffffffffffffff\r\n"), uint8(2), int64(-1), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, declared int64, readSize uint8) {
		// A smaller chunk minimum than S3's keeps the inputs small (the fuzzer
		// minimizes every new one) while exercising the same rule.
		cfg := chunkConfig{
			mode: fuzzModes[int(mode)%len(fuzzModes)], decoded: declared, min: fuzzMinChunk,
			key: fuzzKey, amzDate: fuzzDate, scope: fuzzScope, seed: fuzzSeed,
		}
		if declared < 0 {
			cfg.decoded = -1
		}
		cr := newChunkedReader(io.NopCloser(iotest.HalfReader(bytes.NewReader(body))), cfg)
		var out []byte
		buf := make([]byte, int(readSize)+1)
		var err error
		for {
			var n int
			n, err = cr.Read(buf)
			if n > len(buf) || n < 0 {
				t.Fatalf("n=%d", n)
			}
			out = append(out, buf[:n]...)
			if err != nil {
				break
			}
		}
		if len(out) > len(body) || cfg.decoded >= 0 && int64(len(out)) > cfg.decoded {
			t.Fatalf("returned %d bytes from %d framed, declared %d", len(out), len(body), cfg.decoded)
		}
		if err == io.EOF {
			if cfg.decoded >= 0 && int64(len(out)) != cfg.decoded {
				t.Fatalf("EOF after %d bytes, declared %d", len(out), cfg.decoded)
			}
		} else if !isSentinel(err) {
			t.Fatalf("unexpected error %v", err)
		}
		var ce *ChunkSizeError
		if errors.Is(err, ErrInvalidChunkSize) && (!errors.As(err, &ce) || ce.Chunk < 2 || ce.BadChunkSize < 1 || ce.BadChunkSize >= fuzzMinChunk) {
			t.Fatalf("chunk size error %v", err)
		}
		if err != io.EOF && cr.Trailers() != nil {
			t.Fatal("trailer exposed after a failure")
		}
		// Payload bytes are a subsequence of the input, in order.
		rest := body
		for len(out) > 0 {
			i := bytes.IndexByte(rest, out[0])
			if i < 0 {
				t.Fatal("returned a byte not in the input")
			}
			rest, out = rest[i+1:], out[1:]
		}
	})
}

func FuzzPresignQuery(f *testing.F) {
	v := newVerifier()
	req := httptest.NewRequest("GET", "http://bucket.example/key?versionId=1", nil)
	good := presign(f, req, testCreds, "s3", unsignedPayload, testRegion, "3600", testNow)
	f.Add(good.URL.RawQuery, "", "")
	f.Add(good.URL.RawQuery, "X-Amz-Copy-Source", "/bucket/secret")
	f.Add(good.URL.RawQuery, "x-amz-content-sha256", unsignedPayload)
	f.Add(good.URL.RawQuery, "X-Amz-Meta-X", "1")
	f.Add(good.URL.RawQuery+"&x-amz-acl=private", "X-Amz-Acl", "private")
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1", "", "")
	f.Add("X-Amz-Credential=a%2Fb&X-Amz-Expires=604801&X-Amz-Date=x", "", "")
	f.Add("AWSAccessKeyId=a&Signature=b", "", "")
	f.Add("a=%zz&b=+&&=", "", "")
	f.Fuzz(func(t *testing.T, q, hname, hvalue string) {
		r := &http.Request{
			Method: "GET",
			URL:    &url.URL{Path: "/key", RawQuery: q},
			Host:   "bucket.example",
			Header: http.Header{},
			Body:   http.NoBody,
		}
		if hname != "" {
			r.Header[hname] = []string{hvalue}
		}
		res, err := v.Verify(r)
		var hns *HeadersNotSignedError
		if errors.As(err, &hns) {
			// Only x-amz-* headers are listed, lowercase, sorted, each once.
			if len(hns.Names) == 0 || !slices.IsSorted(hns.Names) || len(slices.Compact(slices.Clone(hns.Names))) != len(hns.Names) {
				t.Fatalf("listed %q", hns.Names)
			}
			for _, n := range hns.Names {
				if !strings.HasPrefix(n, "x-amz-") || n != strings.ToLower(n) {
					t.Fatalf("listed %q", n)
				}
			}
		}
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("unexpected error %v", err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatal("secret in error")
			}
			return
		}
		if res.Method != AuthNone {
			// Every x-amz-* header of an accepted signed request is signed
			// (x-amz-content-sha256 excepted on a presigned one).
			names, _ := parseSignedHeaders(parseQueryValue(q, "X-Amz-SignedHeaders"))
			for name := range r.Header {
				l := strings.ToLower(name)
				if strings.HasPrefix(l, "x-amz-") && !hasName(names, l) && l != "x-amz-content-sha256" {
					t.Fatalf("accepted unsigned header %q", name)
				}
			}
		}
		if res.Method == AuthQuery {
			// Only the seed's own parameters can verify.
			p := parseQuery(q)
			sortQuery(p)
			g := parseQuery(good.URL.RawQuery)
			sortQuery(g)
			if string(appendCanonicalQuery(nil, p, true)) != string(appendCanonicalQuery(nil, g, true)) {
				t.Fatalf("accepted a different query %q", q)
			}
		}
	})
}

// parseQueryValue returns the decoded value of the first parameter named key.
func parseQueryValue(raw, key string) string {
	for _, p := range parseQuery(raw) {
		if p.key == key {
			return p.value
		}
	}
	return ""
}
