package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

var objectSizeTests = []struct {
	name string
	size int
}{
	{"0B", 0},
	{"1B", 1},
	{"4KiB", 4 << 10},
	{"64KiB-1", 64<<10 - 1},
	{"64KiB", 64 << 10},
	{"64KiB+1", 64<<10 + 1},
	{"1MiB+3", 1<<20 + 3},
	{"8MiB+3", 8<<20 + 3},
}

// TestObjectRoundTripSizes: PUT, HEAD, GET, DELETE at sizes around Arca's inline/file
// boundary (64 KiB), over both listeners (HTTP: checksum in a header, signed payload;
// HTTPS: aws-chunked with a CRC32 trailer).
func TestObjectRoundTripSizes(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		for _, mode := range []string{"plain", "crc32"} {
			c := sdk(t, srv, ep.URL)
			if mode == "crc32" {
				c = sdk(t, srv, ep.URL, withSDKChecksums)
			}
			bucket := "sizes-" + ep.Name + "-" + mode
			mustCreateBucket(t, c, bucket)
			for i, tc := range objectSizeTests {
				t.Run(ep.Name+"/"+mode+"/"+tc.name, func(t *testing.T) {
					data := randBytes(tc.size, int64(i+1))
					key := "obj/" + tc.name
					put := mustPut(t, c, bucket, key, data)
					if got := aws.ToString(put.ETag); got != quotedMD5(data) {
						t.Errorf("PUT ETag %s, want %s", got, quotedMD5(data))
					}
					head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
					if err != nil {
						t.Fatalf("HeadObject: %v", err)
					}
					if aws.ToInt64(head.ContentLength) != int64(tc.size) || aws.ToString(head.ETag) != quotedMD5(data) {
						t.Errorf("HEAD: length %d ETag %s, want %d %s", aws.ToInt64(head.ContentLength),
							aws.ToString(head.ETag), tc.size, quotedMD5(data))
					}
					if head.LastModified == nil || time.Since(*head.LastModified) > time.Minute {
						t.Errorf("HEAD: LastModified %v, want about now", head.LastModified)
					}
					got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
					if !bytes.Equal(got, data) {
						t.Errorf("GET: %d bytes differ from the %d put", len(got), len(data))
					}
					if aws.ToString(out.ETag) != quotedMD5(data) || aws.ToInt64(out.ContentLength) != int64(tc.size) {
						t.Errorf("GET: ETag %s length %d", aws.ToString(out.ETag), aws.ToInt64(out.ContentLength))
					}
					if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key}); err != nil {
						t.Fatalf("DeleteObject: %v", err)
					}
					_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
					wantAPIError(t, err, "", 404)
					_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
					wantAPIError(t, err, "NoSuchKey", 404)
				})
			}
		}
	}
}

var objectKeyTests = []struct {
	name string
	key  string
}{
	{"unicode", "ünïcödé/日本語/😀.txt"},
	{"spaces", "with some  spaces .txt"},
	{"plus", "a+b+c"},
	{"percent", "100%/50%25"},
	{"question", "what?x=1&y=2"},
	{"hash", "tag#fragment"},
	{"double-slash", "a//b///c"},
	{"leading-slash", "/leading"},
	{"dot-slash", "./dot/./x"},
	{"dot-dot", "../up/../x"},
	{"trailing-slash", "dir/"},
	{"punctuation", "!$&'()*,;=:@[]{}^`|~\"<>\\"},
	{"1024-bytes", strings.Repeat("k", 1024)},
	{"1024-bytes-multibyte", strings.Repeat("é", 512)},
}

// TestObjectKeys: keys that need escaping, or that path cleaning would change, round trip
// exactly and list under their own name.
func TestObjectKeys(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		c := sdk(t, srv, ep.URL)
		bucket := "keys-" + ep.Name
		mustCreateBucket(t, c, bucket)
		for _, tc := range objectKeyTests {
			t.Run(ep.Name+"/"+tc.name, func(t *testing.T) {
				data := []byte("body of " + tc.key)
				mustPut(t, c, bucket, tc.key, data)
				got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(tc.key)})
				if !bytes.Equal(got, data) {
					t.Errorf("GET %q: got %q", tc.key, got)
				}
				if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(tc.key)}); err != nil {
					t.Errorf("HEAD %q: %v", tc.key, err)
				}
				list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String(tc.key)})
				if err != nil {
					t.Fatalf("ListObjectsV2 prefix %q: %v", tc.key, err)
				}
				if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != tc.key {
					var keys []string
					for _, o := range list.Contents {
						keys = append(keys, aws.ToString(o.Key))
					}
					t.Errorf("list prefix %q: got keys %q, want exactly the key", tc.key, keys)
				}
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(tc.key)}); err != nil {
					t.Errorf("DELETE %q: %v", tc.key, err)
				}
				_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(tc.key)})
				wantAPIError(t, err, "", 404)
			})
		}
	}
	t.Run("1025-bytes", func(t *testing.T) {
		c := sdk(t, srv, srv.HTTPURL)
		for _, key := range []string{strings.Repeat("k", 1025), strings.Repeat("é", 512) + "k"} {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keys-http"), Key: aws.String(key),
				Body: strings.NewReader("x")})
			wantAPIError(t, err, "KeyTooLongError", 400)
		}
	})
}

// TestObjectMetadata: x-amz-meta-* round trip; names come back lowercased; non-ASCII values
// come back RFC 2047-encoded (mail-safe), decoding to what was sent.
func TestObjectMetadata(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	const nonASCII = "héllo wörld, 日本語 ✓"
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			c := sdk(t, srv, ep.URL)
			bucket := "meta-" + ep.Name
			mustCreateBucket(t, c, bucket)
			sent := map[string]string{
				"Mixed-Case-Name": "Value With Case",
				"lower":           "plain value",
				"utf8":            nonASCII,
				"pre-encoded":     mime.BEncoding.Encode("UTF-8", nonASCII),
			}
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"),
				Body: strings.NewReader("data"), Metadata: sent}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			// User metadata is limited to 2 KB (names and values together).
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("too-much"),
				Body: strings.NewReader("data"), Metadata: map[string]string{"big": strings.Repeat("v", 2100)}})
			wantAPIError(t, err, "MetadataTooLarge", 400)
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("k")})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			_, get := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("k")})
			for name, md := range map[string]map[string]string{"HEAD": head.Metadata, "GET": get.Metadata} {
				if len(md) != len(sent) {
					t.Errorf("%s: metadata %q, want %d entries", name, md, len(sent))
				}
				if got := md["mixed-case-name"]; got != "Value With Case" {
					t.Errorf("%s: mixed-case-name = %q (metadata %q)", name, got, md)
				}
				if got := md["lower"]; got != "plain value" {
					t.Errorf("%s: lower = %q", name, got)
				}
				for _, k := range []string{"utf8", "pre-encoded"} {
					got, ok := md[k]
					if !ok {
						t.Errorf("%s: metadata %q missing", name, k)
						continue
					}
					for _, r := range got {
						if r > 0x7e {
							t.Errorf("%s: %s = %q is not mail-safe ASCII (S3 RFC 2047-encodes non-ASCII values)", name, k, got)
							break
						}
					}
					if k == "utf8" && !strings.HasPrefix(got, "=?UTF-8?B?") {
						t.Errorf("%s: %s = %q, want S3's form =?UTF-8?B?...?=", name, k, got)
					}
					dec, err := new(mime.WordDecoder).DecodeHeader(got)
					if err != nil || dec != nonASCII {
						t.Errorf("%s: %s = %q decodes to %q (%v), want %q", name, k, got, dec, err, nonASCII)
					}
				}
			}
		})
	}
}

// TestObjectContentHeaders: the standard entity headers round trip; the default type is
// binary/octet-stream.
func TestObjectContentHeaders(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			c := sdk(t, srv, ep.URL)
			bucket := "hdr-" + ep.Name
			mustCreateBucket(t, c, bucket)
			in := &s3.PutObjectInput{
				Bucket: &bucket, Key: aws.String("k"), Body: strings.NewReader("<p>hi</p>"),
				ContentType:        aws.String("text/html; charset=utf-8"),
				ContentEncoding:    aws.String("gzip"),
				ContentDisposition: aws.String(`attachment; filename="rep ort.pdf"`),
				ContentLanguage:    aws.String("de-CH"),
				CacheControl:       aws.String("max-age=3600, must-revalidate"),
				Expires:            &expires,
			}
			if _, err := c.PutObject(ctx, in); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("k")})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			_, get := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("k")})
			type hdrs struct{ ct, ce, cd, cl, cc, exp string }
			want := hdrs{"text/html; charset=utf-8", "gzip", `attachment; filename="rep ort.pdf"`, "de-CH",
				"max-age=3600, must-revalidate", expires.Format(http.TimeFormat)}
			for name, got := range map[string]hdrs{
				"HEAD": {aws.ToString(head.ContentType), aws.ToString(head.ContentEncoding), aws.ToString(head.ContentDisposition),
					aws.ToString(head.ContentLanguage), aws.ToString(head.CacheControl), aws.ToString(head.ExpiresString)},
				"GET": {aws.ToString(get.ContentType), aws.ToString(get.ContentEncoding), aws.ToString(get.ContentDisposition),
					aws.ToString(get.ContentLanguage), aws.ToString(get.CacheControl), aws.ToString(get.ExpiresString)},
			} {
				if got != want {
					t.Errorf("%s: got %+v\nwant %+v", name, got, want)
				}
			}

			// Default type, for a PUT without Content-Type (the SDK always sends one).
			resp := do(t, ep.URL, rawReq{Method: "PUT", Path: "/" + bucket + "/untyped", Body: []byte("y")})
			if resp.Status != 200 {
				t.Fatalf("raw PUT without Content-Type: %d\n%s", resp.Status, resp.Body)
			}
			for _, key := range []string{"untyped"} {
				h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key)})
				if err != nil {
					t.Fatalf("HeadObject %s: %v", key, err)
				}
				if got := aws.ToString(h.ContentType); got != "binary/octet-stream" {
					t.Errorf("%s: Content-Type %q, want binary/octet-stream", key, got)
				}
			}
		})
	}
}

var rangeTests = []struct {
	name       string
	rng        func(n int) string
	start, end func(n int) int // expected slice [start, end) of the object
	status     int
	code       string
}{
	{"first-10", func(n int) string { return "bytes=0-9" }, fixed(0), fixed(10), 206, ""},
	{"middle", func(n int) string { return "bytes=100-199" }, fixed(100), fixed(200), 206, ""},
	{"open-end", func(n int) string { return "bytes=10-" }, fixed(10), whole, 206, ""},
	{"suffix", func(n int) string { return "bytes=-10" }, func(n int) int { return n - 10 }, whole, 206, ""},
	{"suffix-larger-than-object", func(n int) string { return fmt.Sprintf("bytes=-%d", n+100) }, fixed(0), whole, 206, ""},
	{"end-beyond-size-clamps", func(n int) string { return fmt.Sprintf("bytes=%d-%d", n-5, n+1000) },
		func(n int) int { return n - 5 }, whole, 206, ""},
	{"last-byte", func(n int) string { return fmt.Sprintf("bytes=%d-%d", n-1, n-1) }, func(n int) int { return n - 1 }, whole, 206, ""},
	{"start-at-size", func(n int) string { return fmt.Sprintf("bytes=%d-", n) }, nil, nil, 416, "InvalidRange"},
	{"start-beyond-size", func(n int) string { return fmt.Sprintf("bytes=%d-%d", n+10, n+20) }, nil, nil, 416, "InvalidRange"},
}

func fixed(v int) func(int) int { return func(int) int { return v } }
func whole(n int) int           { return n }

// TestObjectRangeGet: single byte ranges, on an inline object and a file-backed one.
func TestObjectRangeGet(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "ranges")
	for _, size := range []int{1000, 200<<10 + 7} {
		data := randBytes(size, int64(size))
		key := fmt.Sprintf("obj-%d", size)
		mustPut(t, c, "ranges", key, data)
		for _, tc := range rangeTests {
			t.Run(fmt.Sprintf("%d/%s", size, tc.name), func(t *testing.T) {
				rng := tc.rng(size)
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: &key, Range: &rng})
				if tc.status != 206 {
					wantAPIError(t, err, tc.code, tc.status)
					if out != nil {
						out.Body.Close()
					}
					return
				}
				if err != nil {
					t.Fatalf("GET Range %s: %v", rng, err)
				}
				body, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				s, e := tc.start(size), tc.end(size)
				if !bytes.Equal(body, data[s:e]) {
					t.Errorf("Range %s: got %d bytes, want bytes [%d,%d)", rng, len(body), s, e)
				}
				wantCR := fmt.Sprintf("bytes %d-%d/%d", s, e-1, size)
				if got := aws.ToString(out.ContentRange); got != wantCR {
					t.Errorf("Range %s: Content-Range %q, want %q", rng, got, wantCR)
				}
				if aws.ToInt64(out.ContentLength) != int64(e-s) {
					t.Errorf("Range %s: Content-Length %d, want %d", rng, aws.ToInt64(out.ContentLength), e-s)
				}
			})
		}
		t.Run(fmt.Sprintf("%d/raw-status", size), func(t *testing.T) {
			resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/ranges/" + key,
				Header: http.Header{"Range": {"bytes=1-2"}}})
			if resp.Status != 206 || !bytes.Equal(resp.Body, data[1:3]) {
				t.Errorf("GET Range bytes=1-2: status %d body %d bytes, want 206 and 2 bytes", resp.Status, len(resp.Body))
			}
			if got := resp.Header.Get("Accept-Ranges"); got != "bytes" {
				t.Errorf("Accept-Ranges %q, want bytes", got)
			}
			resp = do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/ranges/" + key,
				Header: http.Header{"Range": {fmt.Sprintf("bytes=%d-", size)}}})
			wantXMLError(t, resp, 416, "InvalidRange")
			resp = do(t, srv.HTTPURL, rawReq{Method: "HEAD", Path: "/ranges/" + key,
				Header: http.Header{"Range": {"bytes=0-99"}}})
			if resp.Status != 206 || resp.Header.Get("Content-Length") != "100" ||
				resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-99/%d", size) {
				t.Errorf("HEAD Range bytes=0-99: status %d Content-Length %s Content-Range %s",
					resp.Status, resp.Header.Get("Content-Length"), resp.Header.Get("Content-Range"))
			}
		})
	}
}

// TestObjectConditionalGet: If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since
// and their combinations (RFC 7232 section 6 order, as S3 documents it), on GET and HEAD.
func TestObjectConditionalGet(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "cond")
	data := []byte("conditional body")
	put := mustPut(t, c, "cond", "k", data)
	etag := aws.ToString(put.ETag)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	lm := *head.LastModified
	before := lm.Add(-time.Hour)
	tests := []struct {
		name            string
		ifMatch, ifNone string
		ifMod, ifUnmod  *time.Time
		status          int
		code            string
	}{
		{name: "if-match-ok", ifMatch: etag, status: 200},
		{name: "if-match-mismatch", ifMatch: `"00000000000000000000000000000000"`, status: 412, code: "PreconditionFailed"},
		{name: "if-none-match-hit", ifNone: etag, status: 304, code: "NotModified"},
		{name: "if-none-match-other", ifNone: `"00000000000000000000000000000000"`, status: 200},
		{name: "if-modified-since-lm", ifMod: &lm, status: 304, code: "NotModified"},
		{name: "if-modified-since-before", ifMod: &before, status: 200},
		{name: "if-unmodified-since-before", ifUnmod: &before, status: 412, code: "PreconditionFailed"},
		{name: "if-unmodified-since-lm", ifUnmod: &lm, status: 200},
		// If-Match true takes precedence over If-Unmodified-Since false.
		{name: "if-match-true+unmodified-false", ifMatch: etag, ifUnmod: &before, status: 200},
		// If-None-Match false and If-Modified-Since true: 304.
		{name: "if-none-match-false+modified-true", ifNone: etag, ifMod: &before, status: 304, code: "NotModified"},
		// If-Match is evaluated first.
		{name: "if-match-false+if-none-match-false", ifMatch: `"0000"`, ifNone: etag, status: 412, code: "PreconditionFailed"},
		{name: "if-match-false+modified-true", ifMatch: `"0000"`, ifMod: &before, status: 412, code: "PreconditionFailed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gin := &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"),
				IfModifiedSince: tc.ifMod, IfUnmodifiedSince: tc.ifUnmod}
			hin := &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"),
				IfModifiedSince: tc.ifMod, IfUnmodifiedSince: tc.ifUnmod}
			if tc.ifMatch != "" {
				gin.IfMatch, hin.IfMatch = &tc.ifMatch, &tc.ifMatch
			}
			if tc.ifNone != "" {
				gin.IfNoneMatch, hin.IfNoneMatch = &tc.ifNone, &tc.ifNone
			}
			out, err := c.GetObject(ctx, gin)
			if tc.status == 200 {
				if err != nil {
					t.Fatalf("GET: %v, want 200", err)
				}
				b, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if !bytes.Equal(b, data) {
					t.Errorf("GET body %q", b)
				}
			} else {
				wantAPIError(t, err, "", tc.status)
				if tc.status == 412 {
					wantAPIError(t, err, tc.code, tc.status)
				}
			}
			_, err = c.HeadObject(ctx, hin)
			if tc.status == 200 {
				if err != nil {
					t.Errorf("HEAD: %v, want 200", err)
				}
			} else {
				wantAPIError(t, err, "", tc.status)
			}
		})
	}
	t.Run("304-headers", func(t *testing.T) {
		resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/cond/k", Header: http.Header{"If-None-Match": {etag}}})
		if resp.Status != 304 || len(resp.Body) != 0 {
			t.Errorf("status %d body %q, want 304 and no body", resp.Status, resp.Body)
		}
		if got := resp.Header.Get("ETag"); got != etag {
			t.Errorf("304 ETag %q, want %q", got, etag)
		}
		resp = do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/cond/k", Header: http.Header{"If-Match": {`"nope"`}}})
		wantXMLError(t, resp, 412, "PreconditionFailed")
	})
}

// TestObjectResponseOverrides: response-content-type and friends, on a presigned GET used by
// a plain HTTP client and on a signed SDK GET.
func TestObjectResponseOverrides(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			c := sdk(t, srv, ep.URL)
			bucket := "ovr-" + ep.Name
			mustCreateBucket(t, c, bucket)
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"),
				Body: strings.NewReader("override me"), ContentType: aws.String("text/plain")}); err != nil {
				t.Fatal(err)
			}
			exp := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
			in := &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("k"),
				ResponseContentType:        aws.String("application/x-arca-test"),
				ResponseContentDisposition: aws.String(`attachment; filename="dl name.txt"`),
				ResponseCacheControl:       aws.String("no-cache"),
				ResponseContentLanguage:    aws.String("fr-CA"),
				ResponseContentEncoding:    aws.String("identity"),
				ResponseExpires:            &exp,
			}
			want := map[string]string{
				"Content-Type":        "application/x-arca-test",
				"Content-Disposition": `attachment; filename="dl name.txt"`,
				"Cache-Control":       "no-cache",
				"Content-Language":    "fr-CA",
				"Content-Encoding":    "identity",
				"Expires":             exp.Format(http.TimeFormat),
			}
			ps, err := s3.NewPresignClient(c).PresignGetObject(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(ps.Method, ps.URL, nil)
			for k, vs := range ps.SignedHeader {
				if !strings.EqualFold(k, "host") {
					req.Header[k] = vs
				}
			}
			resp := doReq(t, req)
			if resp.Status != 200 || string(resp.Body) != "override me" {
				t.Fatalf("presigned GET: %d %s", resp.Status, resp.Body)
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("presigned GET: %s = %q, want %q", k, got, v)
				}
			}
			_, out := mustGet(t, c, in)
			got := map[string]string{
				"Content-Type": aws.ToString(out.ContentType), "Content-Disposition": aws.ToString(out.ContentDisposition),
				"Cache-Control": aws.ToString(out.CacheControl), "Content-Language": aws.ToString(out.ContentLanguage),
				"Content-Encoding": aws.ToString(out.ContentEncoding), "Expires": aws.ToString(out.ExpiresString),
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("SDK GET: %s = %q, want %q", k, got[k], v)
				}
			}
			// The stored object keeps its own headers.
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("k")})
			if err != nil || aws.ToString(h.ContentType) != "text/plain" {
				t.Errorf("after overrides: Content-Type %q (%v), want text/plain", aws.ToString(h.ContentType), err)
			}
		})
	}
}

// TestObjectConditionalPut: If-None-Match: * creates only; If-Match writes only over the
// given ETag.
func TestObjectConditionalPut(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			c := sdk(t, srv, ep.URL)
			bucket := "cput-" + ep.Name
			mustCreateBucket(t, c, bucket)
			put := func(body string, ifNone, ifMatch *string) error {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"),
					Body: strings.NewReader(body), IfNoneMatch: ifNone, IfMatch: ifMatch})
				return err
			}
			if err := put("first", aws.String("*"), nil); err != nil {
				t.Fatalf("If-None-Match * on a new key: %v", err)
			}
			wantAPIError(t, put("second", aws.String("*"), nil), "PreconditionFailed", 412)
			wantAPIError(t, put("third", nil, aws.String(`"00000000000000000000000000000000"`)), "PreconditionFailed", 412)
			got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("k")})
			if string(got) != "first" {
				t.Errorf("after refused conditional PUTs: body %q, want first", got)
			}
			if err := put("fourth", nil, aws.String(quotedMD5([]byte("first")))); err != nil {
				t.Errorf("If-Match with the current ETag: %v", err)
			}
			got, _ = mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("k")})
			if string(got) != "fourth" {
				t.Errorf("after If-Match PUT: body %q, want fourth", got)
			}
		})
	}
}

type checksumAlgo struct {
	algo types.ChecksumAlgorithm
	sum  func([]byte) string
	// fields pick the checksum out of PutObject / GetObject / HeadObject outputs.
	put  func(*s3.PutObjectOutput) *string
	get  func(*s3.GetObjectOutput) *string
	head func(*s3.HeadObjectOutput) *string
	// set sets a precomputed value on a PutObjectInput.
	set func(*s3.PutObjectInput, string)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func hashB64(h hash.Hash, b []byte) string { h.Write(b); return b64(h.Sum(nil)) }

func crc32B64(tab *crc32.Table, b []byte) string {
	return b64(binary.BigEndian.AppendUint32(nil, crc32.Checksum(b, tab)))
}

var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

var checksumAlgos = []checksumAlgo{
	{types.ChecksumAlgorithmCrc32, func(b []byte) string { return crc32B64(crc32.IEEETable, b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumCRC32 },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC32 },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumCRC32 },
		func(in *s3.PutObjectInput, v string) { in.ChecksumCRC32 = &v }},
	{types.ChecksumAlgorithmCrc32c, func(b []byte) string { return crc32B64(crc32.MakeTable(crc32.Castagnoli), b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumCRC32C },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC32C },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumCRC32C },
		func(in *s3.PutObjectInput, v string) { in.ChecksumCRC32C = &v }},
	{types.ChecksumAlgorithmCrc64nvme, func(b []byte) string {
		return b64(binary.BigEndian.AppendUint64(nil, crc64.Checksum(b, crc64NVME)))
	},
		func(o *s3.PutObjectOutput) *string { return o.ChecksumCRC64NVME },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC64NVME },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumCRC64NVME },
		func(in *s3.PutObjectInput, v string) { in.ChecksumCRC64NVME = &v }},
	{types.ChecksumAlgorithmSha1, func(b []byte) string { return hashB64(sha1.New(), b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumSHA1 },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumSHA1 },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumSHA1 },
		func(in *s3.PutObjectInput, v string) { in.ChecksumSHA1 = &v }},
	{types.ChecksumAlgorithmSha256, func(b []byte) string { return hashB64(sha256.New(), b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumSHA256 },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumSHA256 },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumSHA256 },
		func(in *s3.PutObjectInput, v string) { in.ChecksumSHA256 = &v }},
}

// TestObjectChecksums: the SDK's default CRC32 (trailer over HTTPS, header over HTTP),
// each explicit algorithm, precomputed values; stored checksums come back with
// ChecksumMode ENABLED; wrong checksums and Content-MD5 are refused and store nothing.
func TestObjectChecksums(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	data := randBytes(100<<10+11, 42)
	small := []byte("small checksummed body")
	for _, ep := range bothEndpoints(srv) {
		c := sdk(t, srv, ep.URL, withSDKChecksums)
		bucket := "sums-" + ep.Name
		mustCreateBucket(t, c, bucket)

		t.Run(ep.Name+"/default-crc32", func(t *testing.T) {
			put := mustPut(t, c, bucket, "default", data)
			want := crc32B64(crc32.IEEETable, data)
			if got := aws.ToString(put.ChecksumCRC32); got != want {
				t.Errorf("PUT x-amz-checksum-crc32 %q, want %q", got, want)
			}
			_, out := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("default"), ChecksumMode: types.ChecksumModeEnabled})
			if got := aws.ToString(out.ChecksumCRC32); got != want {
				t.Errorf("GET x-amz-checksum-crc32 %q, want %q", got, want)
			}
		})
		for _, ca := range checksumAlgos {
			for _, body := range [][]byte{small, data} {
				name := fmt.Sprintf("%s/%s/%d", ep.Name, ca.algo, len(body))
				t.Run(name, func(t *testing.T) {
					key := fmt.Sprintf("%s-%d", ca.algo, len(body))
					want := ca.sum(body)
					put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key,
						Body: bytes.NewReader(body), ChecksumAlgorithm: ca.algo})
					if err != nil {
						t.Fatalf("PutObject: %v", err)
					}
					if got := aws.ToString(ca.put(put)); got != want {
						t.Errorf("PUT checksum %q, want %q", got, want)
					}
					got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
					if !bytes.Equal(got, body) {
						t.Errorf("GET body differs")
					}
					if got := aws.ToString(ca.get(out)); got != want {
						t.Errorf("GET checksum %q, want %q", got, want)
					}
					if out.ChecksumType != "" && out.ChecksumType != types.ChecksumTypeFullObject {
						t.Errorf("GET ChecksumType %q, want FULL_OBJECT", out.ChecksumType)
					}
					head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
					if err != nil {
						t.Fatalf("HeadObject: %v", err)
					}
					if got := aws.ToString(ca.head(head)); got != want {
						t.Errorf("HEAD checksum %q, want %q", got, want)
					}

					// Precomputed, sent as a header.
					pin := &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key + "-pre"), Body: bytes.NewReader(body)}
					ca.set(pin, want)
					if _, err := c.PutObject(ctx, pin); err != nil {
						t.Errorf("PutObject with a correct precomputed %s: %v", ca.algo, err)
					}
					// Wrong value: BadDigest, and nothing stored.
					wrong := ca.sum(append([]byte("x"), body...))
					win := &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key + "-bad"), Body: bytes.NewReader(body)}
					ca.set(win, wrong)
					_, err = c.PutObject(ctx, win)
					wantAPIError(t, err, "BadDigest", 400)
					_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key + "-bad")})
					wantAPIError(t, err, "", 404)
				})
			}
		}
		t.Run(ep.Name+"/content-md5", func(t *testing.T) {
			sum := md5.Sum(small)
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("md5-ok"),
				Body: bytes.NewReader(small), ContentMD5: aws.String(b64(sum[:]))}); err != nil {
				t.Errorf("correct Content-MD5: %v", err)
			}
			other := md5.Sum([]byte("other"))
			for _, tc := range []struct{ name, md5, code string }{
				{"wrong", b64(other[:]), "BadDigest"},
				{"not-base64", "not base64!!", "InvalidDigest"},
				{"short", b64(sum[:15]), "InvalidDigest"},
			} {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("md5-" + tc.name),
					Body: bytes.NewReader(small), ContentMD5: aws.String(tc.md5)})
				if code, _ := errInfo(err); code != tc.code {
					t.Errorf("Content-MD5 %s (%q): got %v, want 400 %s", tc.name, tc.md5, err, tc.code)
				}
				wantAPIError(t, err, tc.code, 400)
				_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("md5-" + tc.name)})
				wantAPIError(t, err, "", 404)
			}
		})
	}
	t.Run("https/raw-trailer", func(t *testing.T) {
		// aws-chunked with an unsigned payload and a CRC32 trailer, framed by hand.
		body := []byte("trailer framed body")
		frame := func(sum string) []byte {
			return []byte(fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(body), body, sum))
		}
		for _, tc := range []struct {
			name, sum string
			status    int
		}{
			{"good", crc32B64(crc32.IEEETable, body), 200},
			{"bad", crc32B64(crc32.IEEETable, []byte("something else")), 400},
		} {
			resp := do(t, srv.HTTPSURL, rawReq{Method: "PUT", Path: "/sums-https/trailer-" + tc.name, Body: frame(tc.sum),
				PayloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
				Header: http.Header{
					"Content-Encoding":             {"aws-chunked"},
					"X-Amz-Decoded-Content-Length": {strconv.Itoa(len(body))},
					"X-Amz-Trailer":                {"x-amz-checksum-crc32"},
				}})
			if tc.status == 200 {
				if resp.Status != 200 {
					t.Fatalf("good trailer: %d\n%s", resp.Status, resp.Body)
				}
				got, out := mustGet(t, sdk(t, srv, srv.HTTPSURL), &s3.GetObjectInput{Bucket: aws.String("sums-https"),
					Key: aws.String("trailer-good"), ChecksumMode: types.ChecksumModeEnabled})
				if !bytes.Equal(got, body) || aws.ToString(out.ChecksumCRC32) != tc.sum {
					t.Errorf("GET after trailer PUT: body %q crc32 %q", got, aws.ToString(out.ChecksumCRC32))
				}
				if aws.ToString(out.ContentEncoding) != "" {
					t.Errorf("aws-chunked leaked into the stored Content-Encoding: %q", aws.ToString(out.ContentEncoding))
				}
				continue
			}
			wantXMLError(t, resp, 400, "BadDigest")
			_, err := sdk(t, srv, srv.HTTPSURL).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums-https"), Key: aws.String("trailer-bad")})
			wantAPIError(t, err, "", 404)
		}
	})
}

// TestObjectCopy: CopyObject with COPY and REPLACE, conditions, copy onto itself, escaped
// source keys.
func TestObjectCopy(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "dst")
	data := randBytes(70<<10, 7)
	srcKey := "src dir/ünï +%?#&=.txt"
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey),
		Body: bytes.NewReader(data), ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=1"),
		Metadata: map[string]string{"color": "blue", "shape": "round"}})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(put.ETag)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey)})
	if err != nil {
		t.Fatal(err)
	}
	lm := *head.LastModified
	before := lm.Add(-time.Hour)
	source := "src/" + s3Escape(srcKey)

	check := func(t *testing.T, key string, wantType string, wantMeta map[string]string) {
		t.Helper()
		got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String(key)})
		if !bytes.Equal(got, data) {
			t.Errorf("copy %s: body differs", key)
		}
		if aws.ToString(out.ETag) != etag {
			t.Errorf("copy %s: ETag %s, want the source's %s", key, aws.ToString(out.ETag), etag)
		}
		if aws.ToString(out.ContentType) != wantType {
			t.Errorf("copy %s: Content-Type %q, want %q", key, aws.ToString(out.ContentType), wantType)
		}
		if fmt.Sprint(out.Metadata) != fmt.Sprint(wantMeta) {
			t.Errorf("copy %s: metadata %v, want %v", key, out.Metadata, wantMeta)
		}
	}

	t.Run("copy-directive", func(t *testing.T) {
		for i, src := range []string{source, "/" + source} {
			key := fmt.Sprintf("dst ✓/copied+%d", i)
			out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String(key), CopySource: aws.String(src)})
			if err != nil {
				t.Fatalf("CopyObject from %q: %v", src, err)
			}
			if out.CopyObjectResult == nil || aws.ToString(out.CopyObjectResult.ETag) != etag || out.CopyObjectResult.LastModified == nil {
				t.Errorf("CopyObjectResult %+v, want ETag %s and LastModified", out.CopyObjectResult, etag)
			}
			check(t, key, "text/plain", map[string]string{"color": "blue", "shape": "round"})
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String(key)})
			if err != nil || aws.ToString(h.CacheControl) != "max-age=1" {
				t.Errorf("COPY directive: Cache-Control %q (%v), want the source's", aws.ToString(h.CacheControl), err)
			}
		}
	})
	t.Run("replace-directive", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"),
			CopySource: aws.String(source), MetadataDirective: types.MetadataDirectiveReplace,
			ContentType: aws.String("application/json"), Metadata: map[string]string{"size": "big"}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "replaced", "application/json", map[string]string{"size": "big"})
	})
	condTests := []struct {
		name string
		in   s3.CopyObjectInput
		ok   bool
	}{
		{"if-match-ok", s3.CopyObjectInput{CopySourceIfMatch: &etag}, true},
		{"if-match-wrong", s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"0000"`)}, false},
		{"if-none-match-same", s3.CopyObjectInput{CopySourceIfNoneMatch: &etag}, false},
		{"if-none-match-other", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"0000"`)}, true},
		{"if-modified-since-lm", s3.CopyObjectInput{CopySourceIfModifiedSince: &lm}, false},
		{"if-modified-since-before", s3.CopyObjectInput{CopySourceIfModifiedSince: &before}, true},
		{"if-unmodified-since-before", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: &before}, false},
		{"if-unmodified-since-lm", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: &lm}, true},
		// S3: if-match true and if-unmodified-since false: the copy happens.
		{"if-match-true+unmodified-false", s3.CopyObjectInput{CopySourceIfMatch: &etag, CopySourceIfUnmodifiedSince: &before}, true},
		// S3: if-none-match false and if-modified-since true: 412.
		{"if-none-match-false+modified-true", s3.CopyObjectInput{CopySourceIfNoneMatch: &etag, CopySourceIfModifiedSince: &before}, false},
	}
	for _, tc := range condTests {
		t.Run("cond/"+tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key, in.CopySource = aws.String("dst"), aws.String("cond-"+tc.name), aws.String(source)
			_, err := c.CopyObject(ctx, &in)
			if tc.ok {
				if err != nil {
					t.Fatalf("CopyObject: %v, want success", err)
				}
				check(t, "cond-"+tc.name, "text/plain", map[string]string{"color": "blue", "shape": "round"})
				return
			}
			wantAPIError(t, err, "PreconditionFailed", 412)
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("cond-" + tc.name)})
			wantAPIError(t, err, "", 404)
		})
	}
	t.Run("onto-itself", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source)})
		wantAPIError(t, err, "InvalidRequest", 400)
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/csv"),
			Metadata: map[string]string{"color": "red"}})
		if err != nil {
			t.Fatalf("copy onto itself with REPLACE: %v", err)
		}
		got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey)})
		if !bytes.Equal(got, data) || aws.ToString(out.ContentType) != "text/csv" || fmt.Sprint(out.Metadata) != "map[color:red]" {
			t.Errorf("after REPLACE onto itself: body equal %v, type %q, metadata %v",
				bytes.Equal(got, data), aws.ToString(out.ContentType), out.Metadata)
		}
	})
	t.Run("missing-source", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/nope")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("nobucket/nope")})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})
}

// TestObjectConcurrentPuts: writers race on one key while readers read it; every read and
// the final state are exactly one writer's whole body.
func TestObjectConcurrentPuts(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "race")
	for _, size := range []int{10 << 10, 300 << 10} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			key := fmt.Sprintf("k-%d", size)
			initial := randBytes(size, 1000)
			mustPut(t, c, "race", key, initial)
			bodies := map[string][]byte{md5Hex(initial): initial}
			const writers = 8
			var ws [][]byte
			for i := 0; i < writers; i++ {
				b := randBytes(size, int64(size+i))
				ws = append(ws, b)
				bodies[md5Hex(b)] = b
			}
			for round := 0; round < 3; round++ {
				var wg sync.WaitGroup
				stop := make(chan struct{})
				var readersWG sync.WaitGroup
				for r := 0; r < 2; r++ {
					readersWG.Add(1)
					go func() {
						defer readersWG.Done()
						for {
							select {
							case <-stop:
								return
							default:
							}
							out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("race"), Key: &key})
							if err != nil {
								t.Errorf("GET during writes: %v", err)
								return
							}
							b, err := io.ReadAll(out.Body)
							out.Body.Close()
							if err != nil {
								t.Errorf("GET during writes: %v", err)
								return
							}
							if _, ok := bodies[md5Hex(b)]; !ok {
								t.Errorf("GET during writes returned %d bytes matching no writer's body", len(b))
								return
							}
							if aws.ToString(out.ETag) != quotedMD5(b) {
								t.Errorf("GET during writes: ETag %s does not match its body %s", aws.ToString(out.ETag), quotedMD5(b))
								return
							}
						}
					}()
				}
				cs := []*s3.Client{c, sdk(t, srv, srv.HTTPSURL)}
				for i, b := range ws {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := cs[i%2].PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: &key,
							Body: bytes.NewReader(b)}); err != nil {
							t.Errorf("concurrent PUT %d: %v", i, err)
						}
					}()
				}
				wg.Wait()
				close(stop)
				readersWG.Wait()
				got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("race"), Key: &key})
				found := -1
				for i, b := range ws {
					if bytes.Equal(got, b) {
						found = i
					}
				}
				if found < 0 {
					t.Fatalf("round %d: final body (%d bytes) is none of the writers' bodies", round, len(got))
				}
				if aws.ToString(out.ETag) != quotedMD5(got) {
					t.Errorf("round %d: ETag %s, body md5 %s", round, aws.ToString(out.ETag), quotedMD5(got))
				}
			}
		})
	}
}

// TestObjectDeleteObjects: multi-object delete, verbose and quiet; missing keys count as
// deleted.
func TestObjectDeleteObjects(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		for _, quiet := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/quiet=%v", ep.Name, quiet), func(t *testing.T) {
				c := sdk(t, srv, ep.URL)
				bucket := fmt.Sprintf("del-%s-%v", ep.Name, quiet)
				mustCreateBucket(t, c, bucket)
				keys := []string{"a", "b c", "d/ü+e", "keep"}
				for _, k := range keys {
					mustPut(t, c, bucket, k, []byte(k))
				}
				del := []string{"a", "b c", "d/ü+e", "missing-1", "missing/2"}
				var ids []types.ObjectIdentifier
				for _, k := range del {
					ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
				}
				out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket,
					Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(quiet)}})
				if err != nil {
					t.Fatalf("DeleteObjects: %v", err)
				}
				if len(out.Errors) != 0 {
					t.Errorf("DeleteObjects errors: %+v", out.Errors)
				}
				var deleted []string
				for _, d := range out.Deleted {
					deleted = append(deleted, aws.ToString(d.Key))
				}
				if quiet {
					if len(deleted) != 0 {
						t.Errorf("quiet DeleteObjects reported %q, want nothing", deleted)
					}
				} else if fmt.Sprint(sortedCopy(deleted)) != fmt.Sprint(sortedCopy(del)) {
					t.Errorf("Deleted %q, want %q", deleted, del)
				}
				list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
				if err != nil {
					t.Fatal(err)
				}
				if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "keep" {
					t.Errorf("after DeleteObjects: %d objects left, want only keep", len(list.Contents))
				}
				// At most 1,000 keys per request.
				var many []types.ObjectIdentifier
				for i := 0; i < 1001; i++ {
					many = append(many, types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("k%d", i))})
				}
				_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: many, Quiet: aws.Bool(quiet)}})
				wantAPIError(t, err, "MalformedXML", 400)
				// DeleteObject of a missing key succeeds too.
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("never-was")}); err != nil {
					t.Errorf("DeleteObject of a missing key: %v", err)
				}
			})
		}
	}
}
