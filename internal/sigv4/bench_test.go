package sigv4

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func benchVerify(b *testing.B, req *http.Request) {
	v := newVerifier()
	if _, err := v.Verify(req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := v.Verify(req); err != nil {
			b.Fatal(err)
		}
	}
}

// A typical small S3 request: GET object with a few signed headers.
func BenchmarkVerifyHeader(b *testing.B) {
	req := httptest.NewRequest("GET", "http://bucket.s3.example.com/photos/2026/a%20picture.jpg?versionId=3", nil)
	req.Header.Set("Range", "bytes=0-1023")
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.0")
	signS3(b, req, testCreds, emptySHA256, testRegion, testNow)
	benchVerify(b, req)
}

func BenchmarkVerifyHeaderList(b *testing.B) {
	req := httptest.NewRequest("GET", "http://s3.example.com/bucket?list-type=2&prefix=photos%2F2026%2F&delimiter=%2F&max-keys=1000&encoding-type=url", nil)
	signS3(b, req, testCreds, emptySHA256, testRegion, testNow)
	benchVerify(b, req)
}

func BenchmarkVerifyPresigned(b *testing.B) {
	req := httptest.NewRequest("GET", "http://bucket.s3.example.com/photos/a.jpg", nil)
	sreq := presign(b, req, testCreds, "s3", unsignedPayload, testRegion, "3600", testNow)
	sreq.Host = req.Host
	benchVerify(b, sreq)
}

// Verify plus reading a small KMS body that is hashed in Verify.
func BenchmarkVerifyKMS(b *testing.B) {
	body := `{"KeyId":"alias/app","Plaintext":"aGVsbG8gd29ybGQ="}`
	req := httptest.NewRequest("POST", "http://kms.example.com/", nil)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.Encrypt")
	req.ContentLength = int64(len(body))
	if err := plainSigner.SignHTTP(b.Context(), testCreds, req, sha256Hex([]byte(body)), "kms", testRegion, testNow); err != nil {
		b.Fatal(err)
	}
	v := newVerifier()
	b.ReportAllocs()
	for range b.N {
		req.Body = io.NopCloser(strings.NewReader(body))
		if _, err := v.Verify(req); err != nil {
			b.Fatal(err)
		}
	}
}

func benchBody(b *testing.B, size int, mk func() *http.Request) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	v := newVerifier()
	for range b.N {
		res, err := v.Verify(mk())
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, res.Body); err != nil || n != int64(size) {
			b.Fatal(n, err)
		}
	}
}

const benchSize = 64 << 20

func benchStreaming(b *testing.B, sp streamSpec) {
	data := testPayload(benchSize)
	tmpl := streamingRequest(b, sp, data, nil)
	enc, _ := io.ReadAll(tmpl.Body)
	b.ResetTimer()
	benchBody(b, benchSize, func() *http.Request {
		r := tmpl.Clone(tmpl.Context())
		r.Body = io.NopCloser(bytes.NewReader(enc))
		return r
	})
}

func BenchmarkChunkedSigned64MiB_64KiBChunks(b *testing.B) {
	benchStreaming(b, streamSpec{mode: streamingSigned, chunkSize: 64 << 10})
}

func BenchmarkChunkedSigned64MiB_8MiBChunks(b *testing.B) {
	benchStreaming(b, streamSpec{mode: streamingSignedTrailer, chunkSize: 8 << 20, trailers: []string{crc}})
}

func BenchmarkChunkedUnsigned64MiB(b *testing.B) {
	benchStreaming(b, streamSpec{mode: streamingUnsignedTrailer, chunkSize: 1 << 20, trailers: []string{crc}})
}

func BenchmarkSHA256Body64MiB(b *testing.B) {
	data := testPayload(benchSize)
	sum := sha256.Sum256(data)
	req := httptest.NewRequest("PUT", "http://bucket.example/key", nil)
	signS3(b, req, testCreds, sha256Hex(data), testRegion, testNow)
	_ = sum
	b.ResetTimer()
	benchBody(b, benchSize, func() *http.Request {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(data))
		return r
	})
}

func BenchmarkKeyCacheParallel(b *testing.B) {
	c := NewKeyCache(1024)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.SigningKey(testSecret, "20261122", testRegion, "s3")
		}
	})
}

// SigV2, header-signed: the same GET as BenchmarkVerifyHeader, to compare the versions.
func BenchmarkVerifyV2(b *testing.B) {
	req := httptest.NewRequest("GET", "http://bucket.s3.example.com/photos/2026/a%20picture.jpg?versionId=3", nil)
	req.Header.Set("Range", "bytes=0-1023")
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.0")
	date := testNow.Format(http.TimeFormat)
	req.Header.Set("Date", date)
	req.Header.Set("Authorization", "AWS "+testAK+":"+v2Sign(testSecret, "GET\n\n\n"+date+"\n/bucket/photos/2026/a%20picture.jpg?versionId=3"))
	benchVerifyV2(b, req)
}

// SigV2 presigned: the same GET as BenchmarkVerifyPresigned.
func BenchmarkVerifyV2Presigned(b *testing.B) {
	exp := strconv.FormatInt(testNow.Add(time.Hour).Unix(), 10)
	sig := v2Sign(testSecret, "GET\n\n\n"+exp+"\n/bucket/photos/a.jpg")
	req := httptest.NewRequest("GET", "http://bucket.s3.example.com/photos/a.jpg?AWSAccessKeyId="+testAK+
		"&Expires="+exp+"&Signature="+url.QueryEscape(sig), nil)
	benchVerifyV2(b, req)
}

func benchVerifyV2(b *testing.B, req *http.Request) {
	v := newVerifier()
	v.SigV2, v.Domains = true, []string{"s3.example.com"}
	if res, err := v.Verify(req); err != nil || res.Version != SigV2 {
		b.Fatal(res, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := v.Verify(req); err != nil {
			b.Fatal(err)
		}
	}
}
