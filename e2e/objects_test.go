package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
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
