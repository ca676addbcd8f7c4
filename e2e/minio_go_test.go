package e2e

// A third real client against Arca (issue 15: every common client works unmodified): the
// Apache-2.0 MinIO Go SDK, github.com/minio/minio-go/v7, used the way its README shows a
// newcomer, over HTTPS with path-style addressing. (The MinIO CLI mc is AGPL and is not used.)

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/cors"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
	"github.com/minio/minio-go/v7/pkg/sse"
	"github.com/minio/minio-go/v7/pkg/tags"
)

// newMinioGo returns a minio-go client for srv's HTTPS endpoint, path-style, trusting the
// server's self-signed certificate. Options are the README's plus what the test names.
func newMinioGo(t testing.TB, srv *Server, opts ...func(*minio.Options)) *minio.Client {
	t.Helper()
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	o := &minio.Options{
		Creds:        credentials.NewStaticV4(testAccessKey, testSecretKey, ""),
		Secure:       true,
		Transport:    hc.Transport,
		Region:       testRegion,
		BucketLookup: minio.BucketLookupPath,
		MaxRetries:   1,
	}
	for _, f := range opts {
		f(o)
	}
	c, err := minio.New(strings.TrimPrefix(srv.HTTPSURL, "https://"), o)
	if err != nil {
		t.Fatalf("minio.New: %v", err)
	}
	return c
}

// mgoCode is the S3 error code of a minio-go error ("" when it is none).
func mgoCode(err error) string {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code
	}
	return ""
}

func mgoWantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want %s", what, code)
	}
	if got := mgoCode(err); got != code {
		t.Fatalf("%s: %v (code %q), want %s", what, err, got, code)
	}
}

func mgoWantStatus(t testing.TB, what string, err error, status int) {
	t.Helper()
	var er minio.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != status {
		t.Fatalf("%s: %v, want an HTTP %d error", what, err, status)
	}
}

func mgoMakeBucket(t testing.TB, c *minio.Client, bucket string) {
	t.Helper()
	if err := c.MakeBucket(context.Background(), bucket, minio.MakeBucketOptions{Region: testRegion}); err != nil {
		t.Fatalf("MakeBucket %s: %v", bucket, err)
	}
}

func mgoPut(t testing.TB, c *minio.Client, bucket, key string, body []byte, opts minio.PutObjectOptions) minio.UploadInfo {
	t.Helper()
	info, err := c.PutObject(context.Background(), bucket, key, bytes.NewReader(body), int64(len(body)), opts)
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return info
}

// mgoGet reads an object whole (or the range opts names) and returns its bytes.
func mgoGet(t testing.TB, c *minio.Client, bucket, key string, opts minio.GetObjectOptions) []byte {
	t.Helper()
	obj, err := c.GetObject(context.Background(), bucket, key, opts)
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("GetObject %s/%s: reading: %v", bucket, key, err)
	}
	return b
}

// mgoList lists bucket with opts and returns "key" (or "key@versionId[ DM]" with versions).
func mgoList(t testing.TB, c *minio.Client, bucket string, opts minio.ListObjectsOptions) []string {
	t.Helper()
	var out []string
	for o := range c.ListObjects(context.Background(), bucket, opts) {
		if o.Err != nil {
			t.Fatalf("ListObjects %s %+v: %v", bucket, opts, o.Err)
		}
		s := o.Key
		if opts.WithVersions {
			s += "@" + o.VersionID
			if o.IsDeleteMarker {
				s += " DM"
			}
		}
		out = append(out, s)
	}
	return out
}

func mgoSame(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes (md5 %s), want %d bytes (md5 %s)", what, len(got), md5Hex(got), len(want), md5Hex(want))
	}
}

func mgoStrings(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

func TestMinioGoBasics(t *testing.T) {
	srv := StartServer(t)
	c := newMinioGo(t, srv)
	ctx := context.Background()
	const b = "mgo-basics"
	mgoMakeBucket(t, c, b)
	if ok, err := c.BucketExists(ctx, b); err != nil || !ok {
		t.Fatalf("BucketExists: %v %v", ok, err)
	}
	if ok, err := c.BucketExists(ctx, "mgo-absent"); err != nil || ok {
		t.Fatalf("BucketExists of a missing bucket: %v %v, want false nil", ok, err)
	}
	mgoWantCode(t, "MakeBucket twice", c.MakeBucket(ctx, b, minio.MakeBucketOptions{Region: testRegion}), "BucketAlreadyOwnedByYou")
	buckets, err := c.ListBuckets(ctx)
	if err != nil || len(buckets) != 1 || buckets[0].Name != b {
		t.Fatalf("ListBuckets: %+v %v", buckets, err)
	}

	body := []byte("hello, minio-go over https")
	info := mgoPut(t, c, b, "dir/hello.txt", body, minio.PutObjectOptions{ContentType: "text/plain",
		UserMetadata: map[string]string{"Color": "blue", "x-amz-meta-shape": "round"}, CacheControl: "max-age=60"})
	if info.ETag != md5Hex(body) || info.Size != int64(len(body)) {
		t.Fatalf("PutObject: ETag %q size %d, want %s %d", info.ETag, info.Size, md5Hex(body), len(body))
	}
	st, err := c.StatObject(ctx, b, "dir/hello.txt", minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("StatObject: %v", err)
	}
	if st.Size != int64(len(body)) || st.ETag != md5Hex(body) || st.ContentType != "text/plain" ||
		st.UserMetadata["Color"] != "blue" || st.UserMetadata["Shape"] != "round" || st.Metadata.Get("Cache-Control") != "max-age=60" {
		t.Fatalf("StatObject: %+v", st)
	}
	mgoSame(t, "GetObject", mgoGet(t, c, b, "dir/hello.txt", minio.GetObjectOptions{}), body)
	for _, r := range []struct {
		start, end int64
		want       string
	}{{0, 4, "hello"}, {7, 0, string(body[7:])}, {0, -6, ""}, {7, 13, "minio-g"}} {
		var o minio.GetObjectOptions
		if err := o.SetRange(r.start, r.end); err != nil {
			t.Fatal(err)
		}
		want := r.want
		if r.end < 0 {
			want = string(body[len(body)+int(r.end):])
		}
		if got := string(mgoGet(t, c, b, "dir/hello.txt", o)); got != want {
			t.Fatalf("GetObject range %d,%d: %q, want %q", r.start, r.end, got, want)
		}
	}
	// The Object reader's own ReadAt and Seek issue ranged GETs.
	obj, err := c.GetObject(ctx, b, "dir/hello.txt", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if n, err := obj.ReadAt(buf, 21); err != nil || string(buf[:n]) != "https" {
		t.Fatalf("Object.ReadAt: %q %v", buf[:n], err)
	}
	obj.Close()

	_, err = c.StatObject(ctx, b, "dir/missing", minio.StatObjectOptions{})
	mgoWantCode(t, "StatObject of a missing key", err, "NoSuchKey")
	obj, err = c.GetObject(ctx, b, "dir/missing", minio.GetObjectOptions{})
	if err == nil {
		_, err = io.ReadAll(obj)
	}
	mgoWantCode(t, "GetObject of a missing key", err, "NoSuchKey")
	var bad minio.GetObjectOptions
	bad.SetRange(1000, 2000)
	obj, err = c.GetObject(ctx, b, "dir/hello.txt", bad)
	if err == nil {
		_, err = io.ReadAll(obj)
	}
	mgoWantCode(t, "GetObject of an unsatisfiable range", err, "InvalidRange")

	for _, k := range []string{"a.txt", "dir/sub/deep.txt", "dir/two.txt", "other/x", "sp ace+plus%.txt", "ünï/çødé"} {
		mgoPut(t, c, b, k, []byte(k), minio.PutObjectOptions{})
	}
	mgoStrings(t, "ListObjects recursive", mgoList(t, c, b, minio.ListObjectsOptions{Recursive: true}),
		"a.txt", "dir/hello.txt", "dir/sub/deep.txt", "dir/two.txt", "other/x", "sp ace+plus%.txt", "ünï/çødé")
	// minio-go yields a page's keys, then its common prefixes (S3 sends them as separate lists).
	mgoStrings(t, "ListObjects top level", sortedCopy(mgoList(t, c, b, minio.ListObjectsOptions{})),
		"a.txt", "dir/", "other/", "sp ace+plus%.txt", "ünï/")
	mgoStrings(t, "ListObjects prefix dir/", sortedCopy(mgoList(t, c, b, minio.ListObjectsOptions{Prefix: "dir/"})),
		"dir/hello.txt", "dir/sub/", "dir/two.txt")
	mgoStrings(t, "ListObjects prefix dir/ recursive, V1", mgoList(t, c, b, minio.ListObjectsOptions{Prefix: "dir/", Recursive: true, UseV1: true}),
		"dir/hello.txt", "dir/sub/deep.txt", "dir/two.txt")
	mgoStrings(t, "ListObjects StartAfter, MaxKeys 2 (pages)", mgoList(t, c, b, minio.ListObjectsOptions{Recursive: true, StartAfter: "dir/two.txt", MaxKeys: 2}),
		"other/x", "sp ace+plus%.txt", "ünï/çødé")
	mgoSame(t, "GetObject of an odd key", mgoGet(t, c, b, "sp ace+plus%.txt", minio.GetObjectOptions{}), []byte("sp ace+plus%.txt"))

	mgoWantCode(t, "RemoveBucket of a non-empty bucket", c.RemoveBucket(ctx, b), "BucketNotEmpty")
	if err := c.RemoveObject(ctx, b, "a.txt", minio.RemoveObjectOptions{}); err != nil {
		t.Fatalf("RemoveObject: %v", err)
	}
	if err := c.RemoveObject(ctx, b, "never-was", minio.RemoveObjectOptions{}); err != nil {
		t.Fatalf("RemoveObject of a missing key (S3 answers 204): %v", err)
	}
	ch := make(chan minio.ObjectInfo)
	go func() {
		defer close(ch)
		for o := range c.ListObjects(ctx, b, minio.ListObjectsOptions{Recursive: true}) {
			ch <- o
		}
	}()
	for e := range c.RemoveObjects(ctx, b, ch, minio.RemoveObjectsOptions{}) {
		t.Fatalf("RemoveObjects: %s: %v", e.ObjectName, e.Err)
	}
	mgoStrings(t, "ListObjects after RemoveObjects", mgoList(t, c, b, minio.ListObjectsOptions{Recursive: true}))
	if err := c.RemoveBucket(ctx, b); err != nil {
		t.Fatalf("RemoveBucket: %v", err)
	}
	if ok, err := c.BucketExists(ctx, b); err != nil || ok {
		t.Fatalf("BucketExists after RemoveBucket: %v %v", ok, err)
	}
}

func TestMinioGoMultipart(t *testing.T) {
	srv := StartServer(t)
	c := newMinioGo(t, srv)
	ctx := context.Background()
	const b = "mgo-multipart"
	mgoMakeBucket(t, c, b)
	const part = 5 << 20
	big := randBytes(2*part+12345, 15)

	// A known size over the part size: minio-go uploads parts in parallel from a ReaderAt.
	info := mgoPut(t, c, b, "sized", big, minio.PutObjectOptions{PartSize: part, ContentType: "application/x-test",
		UserMetadata: map[string]string{"Kind": "sized"}})
	if !strings.HasSuffix(info.ETag, "-3") {
		t.Fatalf("multipart PutObject ETag %q, want a 3-part ETag", info.ETag)
	}
	mgoSame(t, "GetObject sized", mgoGet(t, c, b, "sized", minio.GetObjectOptions{}), big)
	st, err := c.StatObject(ctx, b, "sized", minio.StatObjectOptions{})
	if err != nil || st.Size != int64(len(big)) || st.ContentType != "application/x-test" || st.UserMetadata["Kind"] != "sized" {
		t.Fatalf("StatObject sized: %+v %v", st, err)
	}
	var ro minio.GetObjectOptions
	ro.SetRange(part-10, part+9)
	mgoSame(t, "GetObject across a part boundary", mgoGet(t, c, b, "sized", ro), big[part-10:part+10])
	var pn minio.GetObjectOptions
	pn.PartNumber = 2
	mgoSame(t, "GetObject partNumber 2", mgoGet(t, c, b, "sized", pn), big[part:2*part])

	// Size -1: minio-go streams an unknown length in parts read serially.
	info, err = c.PutObject(ctx, b, "streamed", io.MultiReader(bytes.NewReader(big)), -1, minio.PutObjectOptions{PartSize: part})
	if err != nil {
		t.Fatalf("PutObject size -1: %v", err)
	}
	if info.Size != int64(len(big)) || !strings.HasSuffix(info.ETag, "-3") {
		t.Fatalf("PutObject size -1: %+v", info)
	}
	mgoSame(t, "GetObject streamed", mgoGet(t, c, b, "streamed", minio.GetObjectOptions{}), big)
	// Size -1 and a body smaller than one part: still a (one-part) multipart upload.
	info, err = c.PutObject(ctx, b, "streamed-small", strings.NewReader("tiny"), -1, minio.PutObjectOptions{PartSize: part})
	if err != nil {
		t.Fatalf("PutObject size -1, small: %v", err)
	}
	mgoSame(t, "GetObject streamed-small", mgoGet(t, c, b, "streamed-small", minio.GetObjectOptions{}), []byte("tiny"))
	// Concurrent stream parts.
	info, err = c.PutObject(ctx, b, "streamed-concurrent", io.MultiReader(bytes.NewReader(big)), -1,
		minio.PutObjectOptions{PartSize: part, ConcurrentStreamParts: true, NumThreads: 2})
	if err != nil {
		t.Fatalf("PutObject size -1, concurrent parts: %v", err)
	}
	mgoSame(t, "GetObject streamed-concurrent", mgoGet(t, c, b, "streamed-concurrent", minio.GetObjectOptions{}), big)
	// Incomplete uploads are listed and removed.
	for u := range c.ListIncompleteUploads(ctx, b, "", true) {
		if u.Err != nil {
			t.Fatalf("ListIncompleteUploads: %v", u.Err)
		}
		t.Fatalf("ListIncompleteUploads: %s left behind", u.Key)
	}

	// CopyObject: same bytes, metadata replaced.
	if _, err := c.CopyObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "copy", ReplaceMetadata: true,
		UserMetadata: map[string]string{"Kind": "copy"}}, minio.CopySrcOptions{Bucket: b, Object: "sized"}); err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	mgoSame(t, "GetObject copy", mgoGet(t, c, b, "copy", minio.GetObjectOptions{}), big)
	st, err = c.StatObject(ctx, b, "copy", minio.StatObjectOptions{})
	if err != nil || st.UserMetadata["Kind"] != "copy" {
		t.Fatalf("StatObject copy: %+v %v", st.UserMetadata, err)
	}
	// ComposeObject: UploadPartCopy of whole objects and of a range.
	mgoPut(t, c, b, "tail", []byte("-the-end"), minio.PutObjectOptions{})
	srcs := []minio.CopySrcOptions{
		{Bucket: b, Object: "sized"},
		{Bucket: b, Object: "streamed", MatchRange: true, Start: 0, End: part - 1},
		{Bucket: b, Object: "tail"},
	}
	info, err = c.ComposeObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "composed"}, srcs...)
	if err != nil {
		t.Fatalf("ComposeObject: %v", err)
	}
	want := append(append(append([]byte(nil), big...), big[:part]...), "-the-end"...)
	mgoSame(t, "GetObject composed", mgoGet(t, c, b, "composed", minio.GetObjectOptions{}), want)
}

func TestMinioGoSSE(t *testing.T) {
	srv := StartServer(t)
	c := newMinioGo(t, srv)
	ctx := context.Background()
	const b = "mgo-sse"
	mgoMakeBucket(t, c, b)
	body := []byte("secret bytes for server-side encryption")
	big := randBytes(11<<20+7, 16)
	kmsID, _ := sseCreateKey(t, sseKMS(t, srv), "minio-go")

	awsKMS, err := encrypt.NewSSEKMS("", nil)
	if err != nil {
		t.Fatal(err)
	}
	ownKMS, err := encrypt.NewSSEKMS(kmsID, map[string]string{"app": "minio-go"})
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{0x42}, 32)
	ssec, err := encrypt.NewSSEC(key)
	if err != nil {
		t.Fatal(err)
	}
	otherC, _ := encrypt.NewSSEC(bytes.Repeat([]byte{0x43}, 32))

	// New buckets block SSE-C, as on S3 since April 2026: an SSE-C write is refused until the
	// bucket allows it.
	_, err = c.PutObject(ctx, b, "ssec-blocked", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{ServerSideEncryption: ssec})
	mgoWantCode(t, "SSE-C PutObject on a bucket that blocks SSE-C", err, "AccessDenied")
	// minio-go's sse.Configuration has no BlockedEncryptionTypes element, so the bucket is
	// unblocked with aws-sdk-go-v2 as a minio-go user would with another tool.
	allowSSEC(t, sdk(t, srv, srv.HTTPSURL), b)

	for _, m := range []struct {
		name    string
		sse     encrypt.ServerSide
		wantHdr string
		wantKey string
	}{
		{"sse-s3", encrypt.NewSSE(), "AES256", ""},
		{"sse-kms-default", awsKMS, "aws:kms", ""},
		{"sse-kms-own", ownKMS, "aws:kms", kmsID},
		{"sse-c", ssec, "", ""},
	} {
		t.Run(m.name, func(t *testing.T) {
			get := minio.GetObjectOptions{}
			if m.sse.Type() == encrypt.SSEC {
				get.ServerSideEncryption = m.sse
			}
			for _, o := range []struct {
				key  string
				body []byte
				size int64
			}{{m.name + "/small", body, int64(len(body))}, {m.name + "/multipart", big, int64(len(big))}, {m.name + "/streamed", big, -1}} {
				info, err := c.PutObject(ctx, b, o.key, io.MultiReader(bytes.NewReader(o.body)), o.size,
					minio.PutObjectOptions{ServerSideEncryption: m.sse, PartSize: 5 << 20, UserMetadata: map[string]string{"Mode": m.name}})
				if err != nil {
					t.Fatalf("PutObject %s: %v", o.key, err)
				}
				if info.Size != int64(len(o.body)) {
					t.Fatalf("PutObject %s: size %d", o.key, info.Size)
				}
				mgoSame(t, "GetObject "+o.key, mgoGet(t, c, b, o.key, get), o.body)
				st, err := c.StatObject(ctx, b, o.key, get)
				if err != nil {
					t.Fatalf("StatObject %s: %v", o.key, err)
				}
				if got := st.Metadata.Get("X-Amz-Server-Side-Encryption"); got != m.wantHdr {
					t.Fatalf("StatObject %s: x-amz-server-side-encryption %q, want %q", o.key, got, m.wantHdr)
				}
				if m.wantKey != "" && !strings.HasSuffix(st.Metadata.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"), m.wantKey) {
					t.Fatalf("StatObject %s: KMS key %q, want %s", o.key, st.Metadata.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"), m.wantKey)
				}
				if m.sse.Type() == encrypt.SSEC && st.Metadata.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "AES256" {
					t.Fatalf("StatObject %s: SSE-C algorithm %q", o.key, st.Metadata.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm"))
				}
				if st.UserMetadata["Mode"] != m.name {
					t.Fatalf("StatObject %s: metadata %v", o.key, st.UserMetadata)
				}
				var r minio.GetObjectOptions = get
				r.SetRange(3, 9)
				mgoSame(t, "ranged GetObject "+o.key, mgoGet(t, c, b, o.key, r), o.body[3:10])
			}
			if m.sse.Type() != encrypt.SSEC {
				return
			}
			// A HEAD answer has no body: minio-go names the error by the status (S3 answers 400
			// without the key and 403 with another key).
			_, err := c.StatObject(ctx, b, m.name+"/small", minio.StatObjectOptions{})
			mgoWantStatus(t, "StatObject of an SSE-C object without the key", err, 400)
			_, err = c.StatObject(ctx, b, m.name+"/small", minio.StatObjectOptions{ServerSideEncryption: otherC})
			mgoWantStatus(t, "StatObject of an SSE-C object with another key", err, 403)
			obj, err := c.GetObject(ctx, b, m.name+"/small", minio.GetObjectOptions{})
			if err == nil {
				_, err = io.ReadAll(obj)
			}
			mgoWantCode(t, "GetObject of an SSE-C object without the key", err, "InvalidRequest")
			obj, err = c.GetObject(ctx, b, m.name+"/small", minio.GetObjectOptions{ServerSideEncryption: otherC})
			if err == nil {
				_, err = io.ReadAll(obj)
			}
			mgoWantCode(t, "GetObject of an SSE-C object with another key", err, "AccessDenied")
		})
	}

	// Copies between the modes: SSE-C to SSE-S3, SSE-KMS to SSE-C (key rotation), and a
	// ComposeObject of SSE-C parts into an SSE-KMS object.
	if _, err := c.CopyObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "copy-c-to-s3", Encryption: encrypt.NewSSE()},
		minio.CopySrcOptions{Bucket: b, Object: "sse-c/small", Encryption: ssec}); err != nil {
		t.Fatalf("CopyObject SSE-C to SSE-S3: %v", err)
	}
	mgoSame(t, "GetObject copy-c-to-s3", mgoGet(t, c, b, "copy-c-to-s3", minio.GetObjectOptions{}), body)
	if _, err := c.CopyObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "copy-kms-to-c", Encryption: otherC},
		minio.CopySrcOptions{Bucket: b, Object: "sse-kms-own/multipart"}); err != nil {
		t.Fatalf("CopyObject SSE-KMS to SSE-C: %v", err)
	}
	mgoSame(t, "GetObject copy-kms-to-c", mgoGet(t, c, b, "copy-kms-to-c", minio.GetObjectOptions{ServerSideEncryption: otherC}), big)
	if _, err := c.ComposeObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "composed-kms", Encryption: ownKMS},
		minio.CopySrcOptions{Bucket: b, Object: "sse-c/multipart", Encryption: ssec},
		minio.CopySrcOptions{Bucket: b, Object: "sse-s3/small"}); err != nil {
		t.Fatalf("ComposeObject SSE-C + SSE-S3 into SSE-KMS: %v", err)
	}
	mgoSame(t, "GetObject composed-kms", mgoGet(t, c, b, "composed-kms", minio.GetObjectOptions{}), append(append([]byte(nil), big...), body...))
}

func TestMinioGoPresigned(t *testing.T) {
	srv := StartServer(t)
	c := newMinioGo(t, srv)
	ctx := context.Background()
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	const b = "mgo-presign"
	mgoMakeBucket(t, c, b)
	body := []byte("presigned body")
	mgoPut(t, c, b, "file name.txt", body, minio.PutObjectOptions{ContentType: "text/plain"})

	u, err := c.PresignedGetObject(ctx, b, "file name.txt", 10*time.Minute,
		url.Values{"response-content-disposition": {`attachment; filename="x.txt"`}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, body) || resp.Header.Get("Content-Disposition") != `attachment; filename="x.txt"` {
		t.Fatalf("presigned GET: %d %q %q", resp.StatusCode, got, resp.Header.Get("Content-Disposition"))
	}
	u, err = c.PresignedHeadObject(ctx, b, "file name.txt", time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = hc.Head(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) {
		t.Fatalf("presigned HEAD: %d %d", resp.StatusCode, resp.ContentLength)
	}

	u, err = c.PresignedPutObject(ctx, b, "uploaded/by url", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	put := []byte("put through a presigned URL")
	req, _ := http.NewRequest(http.MethodPut, u.String(), bytes.NewReader(put))
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != quotedMD5(put) {
		t.Fatalf("presigned PUT: %d %s %s", resp.StatusCode, resp.Header.Get("ETag"), msg)
	}
	mgoSame(t, "GetObject of the presigned PUT", mgoGet(t, c, b, "uploaded/by url", minio.GetObjectOptions{}), put)

	// A presigned URL is bound to its method: the GET URL does not PUT.
	u, _ = c.PresignedGetObject(ctx, b, "file name.txt", time.Minute, nil)
	req, _ = http.NewRequest(http.MethodPut, u.String(), strings.NewReader("x"))
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(msg), "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("PUT to a presigned GET URL: %d %s", resp.StatusCode, msg)
	}

	// POST Object with a policy minio-go signs.
	p := minio.NewPostPolicy()
	p.SetBucket(b)
	p.SetKey("posted/form.bin")
	p.SetExpires(time.Now().UTC().Add(10 * time.Minute))
	p.SetContentType("application/octet-stream")
	p.SetContentLengthRange(1, 1<<20)
	p.SetUserMetadata("origin", "form")
	p.SetSuccessStatusAction("201")
	u, form, err := c.PresignedPostPolicy(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	posted := randBytes(70000, 17)
	status, respBody := mgoPostForm(t, hc, u.String(), form, posted)
	if status != 201 || !strings.Contains(respBody, "<Key>posted/form.bin</Key>") {
		t.Fatalf("POST Object: %d %s", status, respBody)
	}
	mgoSame(t, "GetObject of the POSTed object", mgoGet(t, c, b, "posted/form.bin", minio.GetObjectOptions{}), posted)
	st, err := c.StatObject(ctx, b, "posted/form.bin", minio.StatObjectOptions{})
	if err != nil || st.UserMetadata["Origin"] != "form" || st.ContentType != "application/octet-stream" {
		t.Fatalf("StatObject of the POSTed object: %+v %v", st, err)
	}
	// The policy's content-length-range is enforced.
	status, respBody = mgoPostForm(t, hc, u.String(), form, randBytes(1<<20+1, 18))
	if status != 400 || !strings.Contains(respBody, "<Code>EntityTooLarge</Code>") {
		t.Fatalf("POST Object over the policy's length range: %d %s", status, respBody)
	}
	// A field the policy does not allow is refused.
	form2 := map[string]string{}
	for k, v := range form {
		form2[k] = v
	}
	form2["key"] = "posted/elsewhere"
	status, respBody = mgoPostForm(t, hc, u.String(), form2, posted)
	if status != 403 || !strings.Contains(respBody, "<Code>AccessDenied</Code>") {
		t.Fatalf("POST Object with a key outside the policy: %d %s", status, respBody)
	}
}

// mgoPostForm sends a browser-style multipart/form-data POST: the fields, then the file.
func mgoPostForm(t testing.TB, hc *http.Client, u string, form map[string]string, file []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.WriteField(k, form[k])
	}
	if _, ok := form["Content-Type"]; !ok {
		w.WriteField("Content-Type", "application/octet-stream")
	}
	fw, _ := w.CreateFormFile("file", "upload.bin")
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, u, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMinioGoVersioningTagging(t *testing.T) {
	srv := StartServer(t)
	c := newMinioGo(t, srv)
	ctx := context.Background()
	const b = "mgo-versions"
	mgoMakeBucket(t, c, b)

	vc, err := c.GetBucketVersioning(ctx, b)
	if err != nil || vc.Status != "" || vc.Enabled() {
		t.Fatalf("GetBucketVersioning of a new bucket: %+v %v", vc, err)
	}
	if err := c.EnableVersioning(ctx, b); err != nil {
		t.Fatalf("EnableVersioning: %v", err)
	}
	if vc, err = c.GetBucketVersioning(ctx, b); err != nil || !vc.Enabled() {
		t.Fatalf("GetBucketVersioning: %+v %v", vc, err)
	}
	v1 := mgoPut(t, c, b, "doc", []byte("one"), minio.PutObjectOptions{})
	v2 := mgoPut(t, c, b, "doc", []byte("two"), minio.PutObjectOptions{})
	if v1.VersionID == "" || v2.VersionID == "" || v1.VersionID == v2.VersionID {
		t.Fatalf("PutObject version ids %q %q", v1.VersionID, v2.VersionID)
	}
	mgoSame(t, "GetObject v1", mgoGet(t, c, b, "doc", minio.GetObjectOptions{VersionID: v1.VersionID}), []byte("one"))
	mgoSame(t, "GetObject latest", mgoGet(t, c, b, "doc", minio.GetObjectOptions{}), []byte("two"))
	if err := c.RemoveObject(ctx, b, "doc", minio.RemoveObjectOptions{}); err != nil {
		t.Fatalf("RemoveObject on a versioned bucket: %v", err)
	}
	_, err = c.StatObject(ctx, b, "doc", minio.StatObjectOptions{})
	mgoWantCode(t, "StatObject under a delete marker", err, "NoSuchKey")
	vers := mgoList(t, c, b, minio.ListObjectsOptions{WithVersions: true, Recursive: true})
	if len(vers) != 3 || !strings.HasSuffix(vers[0], " DM") || vers[1] != "doc@"+v2.VersionID || vers[2] != "doc@"+v1.VersionID {
		t.Fatalf("ListObjects WithVersions: %q", vers)
	}
	mgoPut(t, c, b, "dir/a", []byte("a"), minio.PutObjectOptions{})
	mgoStrings(t, "ListObjects WithVersions, delimiter", mgoList(t, c, b, minio.ListObjectsOptions{WithVersions: true, Prefix: "dir"}), "dir/@")
	// Removing a version removes it; GetObject of the remaining one still works.
	if err := c.RemoveObject(ctx, b, "doc", minio.RemoveObjectOptions{VersionID: v2.VersionID}); err != nil {
		t.Fatalf("RemoveObject of a version: %v", err)
	}
	mgoSame(t, "GetObject v1 after v2 is gone", mgoGet(t, c, b, "doc", minio.GetObjectOptions{VersionID: v1.VersionID}), []byte("one"))
	if err := c.SuspendVersioning(ctx, b); err != nil {
		t.Fatalf("SuspendVersioning: %v", err)
	}
	if vc, err = c.GetBucketVersioning(ctx, b); err != nil || !vc.Suspended() {
		t.Fatalf("GetBucketVersioning after suspending: %+v %v", vc, err)
	}

	// Bucket tagging.
	_, err = c.GetBucketTagging(ctx, b)
	mgoWantCode(t, "GetBucketTagging of an untagged bucket", err, "NoSuchTagSet")
	bt, err := tags.NewTags(map[string]string{"team": "storage", "env": "test"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetBucketTagging(ctx, b, bt); err != nil {
		t.Fatalf("SetBucketTagging: %v", err)
	}
	got, err := c.GetBucketTagging(ctx, b)
	if err != nil || fmt.Sprint(got.ToMap()) != fmt.Sprint(bt.ToMap()) {
		t.Fatalf("GetBucketTagging: %v %v", got, err)
	}
	if err := c.RemoveBucketTagging(ctx, b); err != nil {
		t.Fatalf("RemoveBucketTagging: %v", err)
	}
	_, err = c.GetBucketTagging(ctx, b)
	mgoWantCode(t, "GetBucketTagging after RemoveBucketTagging", err, "NoSuchTagSet")

	// Object tagging: at upload (x-amz-tagging), then replaced, read, and removed.
	mgoPut(t, c, b, "tagged", []byte("t"), minio.PutObjectOptions{UserTags: map[string]string{"class": "a b", "k": "v=1"}})
	ot, err := c.GetObjectTagging(ctx, b, "tagged", minio.GetObjectTaggingOptions{})
	if err != nil || fmt.Sprint(ot.ToMap()) != fmt.Sprint(map[string]string{"class": "a b", "k": "v=1"}) {
		t.Fatalf("GetObjectTagging: %v %v", ot, err)
	}
	st, err := c.StatObject(ctx, b, "tagged", minio.StatObjectOptions{})
	if err != nil || st.UserTagCount != 2 {
		t.Fatalf("StatObject tag count: %d %v", st.UserTagCount, err)
	}
	nt, _ := tags.NewTags(map[string]string{"class": "z"}, true)
	if err := c.PutObjectTagging(ctx, b, "tagged", nt, minio.PutObjectTaggingOptions{}); err != nil {
		t.Fatalf("PutObjectTagging: %v", err)
	}
	if ot, err = c.GetObjectTagging(ctx, b, "tagged", minio.GetObjectTaggingOptions{}); err != nil || ot.String() != "class=z" {
		t.Fatalf("GetObjectTagging after PutObjectTagging: %v %v", ot, err)
	}
	if err := c.RemoveObjectTagging(ctx, b, "tagged", minio.RemoveObjectTaggingOptions{}); err != nil {
		t.Fatalf("RemoveObjectTagging: %v", err)
	}
	if ot, err = c.GetObjectTagging(ctx, b, "tagged", minio.GetObjectTaggingOptions{}); err != nil || len(ot.ToMap()) != 0 {
		t.Fatalf("GetObjectTagging after RemoveObjectTagging: %v %v", ot, err)
	}

	// CORS.
	cc := cors.NewConfig([]cors.Rule{{AllowedOrigin: []string{"https://app.example"}, AllowedMethod: []string{"GET", "PUT"},
		AllowedHeader: []string{"*"}, ExposeHeader: []string{"ETag"}, MaxAgeSeconds: 300}})
	if err := c.SetBucketCors(ctx, b, cc); err != nil {
		t.Fatalf("SetBucketCors: %v", err)
	}
	gc, err := c.GetBucketCors(ctx, b)
	if err != nil || len(gc.CORSRules) != 1 || gc.CORSRules[0].MaxAgeSeconds != 300 ||
		strings.Join(gc.CORSRules[0].AllowedMethod, ",") != "GET,PUT" {
		t.Fatalf("GetBucketCors: %+v %v", gc, err)
	}
	if err := c.SetBucketCors(ctx, b, nil); err != nil {
		t.Fatalf("SetBucketCors nil (DeleteBucketCors): %v", err)
	}
	if gc, err = c.GetBucketCors(ctx, b); err != nil || gc != nil {
		// minio-go maps NoSuchCORSConfiguration to (nil, nil).
		t.Fatalf("GetBucketCors after removal: %+v %v", gc, err)
	}

	// Emptying a versioned bucket with RemoveObjects over every version, then RemoveBucket.
	ch := make(chan minio.ObjectInfo)
	go func() {
		defer close(ch)
		for o := range c.ListObjects(ctx, b, minio.ListObjectsOptions{WithVersions: true, Recursive: true}) {
			ch <- o
		}
	}()
	for e := range c.RemoveObjects(ctx, b, ch, minio.RemoveObjectsOptions{}) {
		t.Fatalf("RemoveObjects: %s %s: %v", e.ObjectName, e.VersionID, e.Err)
	}
	if err := c.RemoveBucket(ctx, b); err != nil {
		t.Fatalf("RemoveBucket: %v", err)
	}
}

// mgoCRC32C is the base64 CRC32C of b.
func mgoCRC32C(b []byte) string {
	s := crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
	return base64.StdEncoding.EncodeToString([]byte{byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)})
}

func TestMinioGoChecksums(t *testing.T) {
	srv := StartServer(t)
	// Checksum (a trailing checksum over aws-chunked) needs TrailingHeaders, which S3 supports.
	c := newMinioGo(t, srv, func(o *minio.Options) { o.TrailingHeaders = true })
	ctx := context.Background()
	const b = "mgo-checksums"
	mgoMakeBucket(t, c, b)
	small := []byte("checksummed small object")
	const part = 5 << 20
	big := randBytes(2*part+999, 19)

	// A single PUT with a CRC32C checksum: the value is stored and returned.
	info := mgoPut(t, c, b, "small-crc32c", small, minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C})
	if info.ChecksumCRC32C != mgoCRC32C(small) {
		t.Fatalf("PutObject CRC32C: %q, want %q", info.ChecksumCRC32C, mgoCRC32C(small))
	}
	st, err := c.StatObject(ctx, b, "small-crc32c", minio.StatObjectOptions{Checksum: true})
	if err != nil || st.ChecksumCRC32C != mgoCRC32C(small) || st.ChecksumMode != "FULL_OBJECT" {
		t.Fatalf("StatObject with checksum mode: %q %q %v", st.ChecksumCRC32C, st.ChecksumMode, err)
	}
	mgoSame(t, "GetObject with checksum validation", mgoGet(t, c, b, "small-crc32c", minio.GetObjectOptions{Checksum: true}), small)

	for _, m := range []struct {
		name string
		opts minio.PutObjectOptions
		mode string
		get  func(minio.ObjectInfo) string
	}{
		// minio-go's default for a multipart upload: AutoChecksum CRC32C, composite.
		{"auto-crc32c", minio.PutObjectOptions{}, "COMPOSITE", func(o minio.ObjectInfo) string { return o.ChecksumCRC32C }},
		{"checksum-sha256", minio.PutObjectOptions{Checksum: minio.ChecksumSHA256}, "COMPOSITE", func(o minio.ObjectInfo) string { return o.ChecksumSHA256 }},
		{"full-crc32c", minio.PutObjectOptions{Checksum: minio.ChecksumFullObjectCRC32C}, "FULL_OBJECT", func(o minio.ObjectInfo) string { return o.ChecksumCRC32C }},
		{"full-crc32", minio.PutObjectOptions{AutoChecksum: minio.ChecksumFullObjectCRC32}, "FULL_OBJECT", func(o minio.ObjectInfo) string { return o.ChecksumCRC32 }},
		{"crc64nvme", minio.PutObjectOptions{Checksum: minio.ChecksumCRC64NVME}, "FULL_OBJECT", func(o minio.ObjectInfo) string { return o.ChecksumCRC64NVME }},
	} {
		t.Run(m.name, func(t *testing.T) {
			for _, size := range []int64{int64(len(big)), -1} {
				key := fmt.Sprintf("%s/%d", m.name, size)
				o := m.opts
				o.PartSize = part
				info, err := c.PutObject(ctx, b, key, io.MultiReader(bytes.NewReader(big)), size, o)
				if err != nil {
					t.Fatalf("PutObject %s: %v", key, err)
				}
				st, err := c.StatObject(ctx, b, key, minio.StatObjectOptions{Checksum: true})
				if err != nil {
					t.Fatalf("StatObject %s: %v", key, err)
				}
				if m.get(st) == "" || st.ChecksumMode != m.mode {
					t.Fatalf("StatObject %s: checksum %q type %q, want a value of type %s (upload answered %+v)", key, m.get(st), st.ChecksumMode, m.mode, info)
				}
				if m.mode == "FULL_OBJECT" {
					// A full-object checksum is the checksum of the whole body.
					if m.name == "full-crc32c" && st.ChecksumCRC32C != mgoCRC32C(big) {
						t.Fatalf("StatObject %s: CRC32C %q, want %q", key, st.ChecksumCRC32C, mgoCRC32C(big))
					}
					if m.name == "full-crc32" && st.ChecksumCRC32 != minio.ChecksumCRC32.ChecksumBytes(big).Encoded() {
						t.Fatalf("StatObject %s: CRC32 %q", key, st.ChecksumCRC32)
					}
					if m.name == "crc64nvme" && st.ChecksumCRC64NVME != minio.ChecksumCRC64NVME.ChecksumBytes(big).Encoded() {
						t.Fatalf("StatObject %s: CRC64NVME %q", key, st.ChecksumCRC64NVME)
					}
				}
				// GetObject validates a full-object checksum at EOF.
				mgoSame(t, "GetObject with checksum "+key, mgoGet(t, c, b, key, minio.GetObjectOptions{Checksum: true}), big)
				attrs, err := c.GetObjectAttributes(ctx, b, key, minio.ObjectAttributesOptions{MaxParts: 2})
				if err != nil {
					t.Fatalf("GetObjectAttributes %s: %v", key, err)
				}
				if attrs.ObjectSize != len(big) || attrs.ObjectParts.PartsCount != 3 || attrs.Checksum.ChecksumType != m.mode {
					t.Fatalf("GetObjectAttributes %s: %+v", key, attrs.ObjectAttributesResponse)
				}
				// Parts are listed (and paged) for a composite checksum only; a FULL_OBJECT
				// object's parts are counted (docs/CHECKSUMS.md).
				if m.mode == "COMPOSITE" && (len(attrs.ObjectParts.Parts) != 2 || !attrs.ObjectParts.IsTruncated ||
					attrs.ObjectParts.NextPartNumberMarker != 2 || attrs.ObjectParts.Parts[0].Size != part) ||
					m.mode == "FULL_OBJECT" && len(attrs.ObjectParts.Parts) != 0 {
					t.Fatalf("GetObjectAttributes %s parts: %+v", key, attrs.ObjectParts)
				}
			}
		})
	}

	// A wrong checksum is refused with S3's BadDigest.
	hdr := minio.PutObjectOptions{UserMetadata: map[string]string{"x-amz-checksum-crc32c": mgoCRC32C([]byte("other"))}}
	_, err = c.PutObject(ctx, b, "bad", bytes.NewReader(small), int64(len(small)), hdr)
	mgoWantCode(t, "PutObject with a wrong CRC32C", err, "BadDigest")
	// SendContentMd5 sends Content-MD5 (a wrong one is likewise refused; minio-go has no way to
	// send a wrong one, so the right one is checked to be accepted).
	info = mgoPut(t, c, b, "md5", small, minio.PutObjectOptions{SendContentMd5: true})
	sum := md5.Sum(small)
	if info.ETag != hex.EncodeToString(sum[:]) {
		t.Fatalf("PutObject SendContentMd5: ETag %q", info.ETag)
	}
}

// Over plain HTTP minio-go signs every chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), and with
// TrailingHeaders it sends the checksum in a signed trailer (…-PAYLOAD-TRAILER).
func TestMinioGoPlainHTTP(t *testing.T) {
	srv := StartServer(t)
	big := randBytes(6<<20+3, 20)
	for _, trailers := range []bool{false, true} {
		c, err := minio.New(strings.TrimPrefix(srv.HTTPURL, "http://"), &minio.Options{
			Creds: credentials.NewStaticV4(testAccessKey, testSecretKey, ""), Region: testRegion,
			BucketLookup: minio.BucketLookupPath, TrailingHeaders: trailers, MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		b := fmt.Sprintf("mgo-http-%t", trailers)
		mgoMakeBucket(t, c, b)
		for _, o := range []struct {
			key  string
			opts minio.PutObjectOptions
		}{
			{"default", minio.PutObjectOptions{}},
			{"crc32c", minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}},
			{"full-crc64nvme", minio.PutObjectOptions{Checksum: minio.ChecksumCRC64NVME}},
		} {
			if o.opts.Checksum.IsSet() && !trailers {
				continue // minio-go itself requires TrailingHeaders for Checksum
			}
			for _, size := range []int64{17, int64(len(big)), -1} {
				body := big
				if size == 17 {
					body = big[:17]
				}
				key := fmt.Sprintf("%s/%d", o.key, size)
				opts := o.opts
				opts.PartSize = 5 << 20
				if _, err := c.PutObject(context.Background(), b, key, io.MultiReader(bytes.NewReader(body)), size, opts); err != nil {
					t.Fatalf("trailers %t: PutObject %s: %v", trailers, key, err)
				}
				mgoSame(t, "GetObject "+key, mgoGet(t, c, b, key, minio.GetObjectOptions{Checksum: true}), body)
			}
		}
	}
}

func TestMinioGoBucketConfigAndLocks(t *testing.T) {
	srv := StartServer(t)
	c := newMinioGo(t, srv)
	ctx := context.Background()
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	const b = "mgo-config"
	mgoMakeBucket(t, c, b)
	kmsID, _ := sseCreateKey(t, sseKMS(t, srv), "minio-go bucket default")

	// Default encryption through minio-go's sse package.
	for _, cfg := range []*sse.Configuration{sse.NewConfigurationSSEKMS(kmsID), sse.NewConfigurationSSES3()} {
		if err := c.SetBucketEncryption(ctx, b, cfg); err != nil {
			t.Fatalf("SetBucketEncryption %+v: %v", cfg.Rules[0], err)
		}
		got, err := c.GetBucketEncryption(ctx, b)
		if err != nil || len(got.Rules) != 1 || got.Rules[0].Apply.SSEAlgorithm != cfg.Rules[0].Apply.SSEAlgorithm ||
			!strings.HasSuffix(got.Rules[0].Apply.KmsMasterKeyID, cfg.Rules[0].Apply.KmsMasterKeyID) {
			t.Fatalf("GetBucketEncryption after %+v: %+v %v", cfg.Rules[0].Apply, got, err)
		}
		key := "default-" + cfg.Rules[0].Apply.SSEAlgorithm
		mgoPut(t, c, b, key, []byte(key), minio.PutObjectOptions{})
		st, err := c.StatObject(ctx, b, key, minio.StatObjectOptions{})
		if err != nil || st.Metadata.Get("X-Amz-Server-Side-Encryption") != cfg.Rules[0].Apply.SSEAlgorithm {
			t.Fatalf("StatObject %s: %v %v", key, st.Metadata, err)
		}
	}
	// RemoveBucketEncryption returns the bucket to S3's default, SSE-S3.
	if err := c.RemoveBucketEncryption(ctx, b); err != nil {
		t.Fatalf("RemoveBucketEncryption: %v", err)
	}
	if got, err := c.GetBucketEncryption(ctx, b); err != nil || got.Rules[0].Apply.SSEAlgorithm != "AES256" {
		t.Fatalf("GetBucketEncryption after RemoveBucketEncryption: %+v %v", got, err)
	}

	// A bucket policy: anonymous GET of one prefix.
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b + `/public/*"}]}`
	mgoPut(t, c, b, "public/readme", []byte("for everyone"), minio.PutObjectOptions{})
	mgoPut(t, c, b, "private/secret", []byte("not for everyone"), minio.PutObjectOptions{})
	allowPublicPolicies(t, sdk(t, srv, srv.HTTPSURL), b) // minio-go has no Block Public Access call
	if err := c.SetBucketPolicy(ctx, b, pol); err != nil {
		t.Fatalf("SetBucketPolicy: %v", err)
	}
	if got, err := c.GetBucketPolicy(ctx, b); err != nil || !strings.Contains(got, `"s3:GetObject"`) {
		t.Fatalf("GetBucketPolicy: %q %v", got, err)
	}
	anon, err := minio.New(strings.TrimPrefix(srv.HTTPSURL, "https://"), &minio.Options{Secure: true, Transport: hc.Transport,
		Region: testRegion, BucketLookup: minio.BucketLookupPath, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	mgoSame(t, "anonymous GetObject under the policy", mgoGet(t, anon, b, "public/readme", minio.GetObjectOptions{}), []byte("for everyone"))
	obj, err := anon.GetObject(ctx, b, "private/secret", minio.GetObjectOptions{})
	if err == nil {
		_, err = io.ReadAll(obj)
	}
	mgoWantCode(t, "anonymous GetObject outside the policy", err, "AccessDenied")
	if err := c.SetBucketPolicy(ctx, b, ""); err != nil {
		t.Fatalf("SetBucketPolicy empty (DeleteBucketPolicy): %v", err)
	}
	obj, err = anon.GetObject(ctx, b, "public/readme", minio.GetObjectOptions{})
	if err == nil {
		_, err = io.ReadAll(obj)
	}
	mgoWantCode(t, "anonymous GetObject once the policy is gone", err, "AccessDenied")

	// FPutObject / FGetObject.
	dir := t.TempDir()
	src := dir + "/in.bin"
	data := randBytes(6<<20+1, 21)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FPutObject(ctx, b, "file.bin", src, minio.PutObjectOptions{PartSize: 5 << 20}); err != nil {
		t.Fatalf("FPutObject: %v", err)
	}
	if err := c.FGetObject(ctx, b, "file.bin", dir+"/out.bin", minio.GetObjectOptions{}); err != nil {
		t.Fatalf("FGetObject: %v", err)
	}
	got, _ := os.ReadFile(dir + "/out.bin")
	mgoSame(t, "FGetObject", got, data)

	// An upload left incomplete is listed and removed.
	core := &minio.Core{Client: c}
	uid, err := core.NewMultipartUpload(ctx, b, "abandoned", minio.PutObjectOptions{})
	if err != nil {
		t.Fatalf("NewMultipartUpload: %v", err)
	}
	var pending []string
	for u := range c.ListIncompleteUploads(ctx, b, "", true) {
		if u.Err != nil {
			t.Fatalf("ListIncompleteUploads: %v", u.Err)
		}
		pending = append(pending, u.Key+"@"+u.UploadID)
	}
	mgoStrings(t, "ListIncompleteUploads", pending, "abandoned@"+uid)
	if err := c.RemoveIncompleteUpload(ctx, b, "abandoned"); err != nil {
		t.Fatalf("RemoveIncompleteUpload: %v", err)
	}
	for u := range c.ListIncompleteUploads(ctx, b, "", true) {
		t.Fatalf("ListIncompleteUploads after RemoveIncompleteUpload: %+v", u)
	}

	// POST policy with SSE and a checksum. minio-go's SetEncryption adds form fields without
	// policy conditions, and its SetCondition accepts only X-Amz-Credential/Date/Algorithm;
	// S3 refuses a form field the policy does not name ("Invalid according to Policy: Extra
	// input fields: x-amz-server-side-encryption"), so SSE in a minio-go POST policy fails on
	// S3 too, and Arca answers the same. The bucket's default encryption applies instead.
	body := []byte("posted and encrypted")
	newPolicy := func() *minio.PostPolicy {
		p := minio.NewPostPolicy()
		p.SetBucket(b)
		p.SetKey("posted/encrypted")
		p.SetExpires(time.Now().UTC().Add(10 * time.Minute))
		p.SetContentType("application/octet-stream")
		p.SetChecksum(minio.ChecksumCRC32C.ChecksumBytes(body))
		return p
	}
	p := newPolicy()
	p.SetEncryption(encrypt.NewSSE())
	if err := p.SetCondition("eq", "x-amz-server-side-encryption", "AES256"); err == nil {
		t.Fatal("minio-go now accepts an SSE condition: add it and expect the POST to succeed")
	}
	u, form, err := c.PresignedPostPolicy(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	status, resp := mgoPostForm(t, hc, u.String(), form, body)
	if status != 403 || !strings.Contains(resp, "<Message>Invalid according to Policy: Extra input fields: x-amz-server-side-encryption</Message>") {
		t.Fatalf("POST with a field the policy does not name: %d %s", status, resp)
	}
	u, form, err = c.PresignedPostPolicy(ctx, newPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if status, resp = mgoPostForm(t, hc, u.String(), form, body); status != 204 {
		t.Fatalf("POST with CRC32C: %d %s", status, resp)
	}
	st, err := c.StatObject(ctx, b, "posted/encrypted", minio.StatObjectOptions{Checksum: true})
	if err != nil || st.Metadata.Get("X-Amz-Server-Side-Encryption") != "AES256" || st.ChecksumCRC32C != mgoCRC32C(body) {
		t.Fatalf("StatObject of the POSTed object: %v %q %v", st.Metadata, st.ChecksumCRC32C, err)
	}
	// A POSTed body that does not match the signed checksum is refused.
	if status, resp = mgoPostForm(t, hc, u.String(), form, []byte("posted and tampered!")); status != 400 || !strings.Contains(resp, "<Code>BadDigest</Code>") {
		t.Fatalf("POST with a wrong CRC32C: %d %s", status, resp)
	}

	// Object lock: a bucket made with ObjectLocking, a default retention, a legal hold.
	const lb = "mgo-locked"
	if err := c.MakeBucket(ctx, lb, minio.MakeBucketOptions{Region: testRegion, ObjectLocking: true}); err != nil {
		t.Fatalf("MakeBucket with ObjectLocking: %v", err)
	}
	if vc, err := c.GetBucketVersioning(ctx, lb); err != nil || !vc.Enabled() {
		t.Fatalf("GetBucketVersioning of an object-lock bucket: %+v %v", vc, err)
	}
	mode, validity, unit := minio.Governance, uint(1), minio.Days
	if err := c.SetObjectLockConfig(ctx, lb, &mode, &validity, &unit); err != nil {
		t.Fatalf("SetObjectLockConfig: %v", err)
	}
	enabled, gm, gv, gu, err := c.GetObjectLockConfig(ctx, lb)
	if err != nil || enabled != "Enabled" || gm == nil || *gm != minio.Governance || *gv != 1 || *gu != minio.Days {
		t.Fatalf("GetObjectLockConfig: %v %v %v %v %v", enabled, gm, gv, gu, err)
	}
	info := mgoPut(t, c, lb, "kept", []byte("kept"), minio.PutObjectOptions{})
	m, until, err := c.GetObjectRetention(ctx, lb, "kept", info.VersionID)
	if err != nil || m == nil || *m != minio.Governance || until == nil || until.Before(time.Now()) {
		t.Fatalf("GetObjectRetention: %v %v %v", m, until, err)
	}
	err = c.RemoveObject(ctx, lb, "kept", minio.RemoveObjectOptions{VersionID: info.VersionID})
	mgoWantCode(t, "RemoveObject of a retained version", err, "AccessDenied")
	on := minio.LegalHoldEnabled
	if err := c.PutObjectLegalHold(ctx, lb, "kept", minio.PutObjectLegalHoldOptions{VersionID: info.VersionID, Status: &on}); err != nil {
		t.Fatalf("PutObjectLegalHold: %v", err)
	}
	if lh, err := c.GetObjectLegalHold(ctx, lb, "kept", minio.GetObjectLegalHoldOptions{VersionID: info.VersionID}); err != nil || *lh != minio.LegalHoldEnabled {
		t.Fatalf("GetObjectLegalHold: %v %v", lh, err)
	}
	err = c.RemoveObject(ctx, lb, "kept", minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true})
	mgoWantCode(t, "RemoveObject of a version under legal hold, bypassing governance", err, "AccessDenied")
	off := minio.LegalHoldDisabled
	if err := c.PutObjectLegalHold(ctx, lb, "kept", minio.PutObjectLegalHoldOptions{VersionID: info.VersionID, Status: &off}); err != nil {
		t.Fatalf("PutObjectLegalHold OFF: %v", err)
	}
	if err := c.RemoveObject(ctx, lb, "kept", minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true}); err != nil {
		t.Fatalf("RemoveObject bypassing governance: %v", err)
	}
}

func TestMinioGoConditionsAndParts(t *testing.T) {
	srv := StartServer(t)
	c := newMinioGo(t, srv, func(o *minio.Options) { o.TrailingHeaders = true })
	ctx := context.Background()
	const b = "mgo-conditions"
	mgoMakeBucket(t, c, b)
	allowSSEC(t, sdk(t, srv, srv.HTTPSURL), b)
	info := mgoPut(t, c, b, "k", []byte("hello"), minio.PutObjectOptions{ContentDisposition: "inline", ContentLanguage: "en",
		Expires: time.Now().Add(time.Hour).Truncate(time.Second), CacheControl: "no-cache"})
	st, err := c.StatObject(ctx, b, "k", minio.StatObjectOptions{})
	if err != nil || st.Metadata.Get("Content-Disposition") != "inline" || st.Metadata.Get("Content-Language") != "en" || st.Expires.IsZero() {
		t.Fatalf("StatObject: %v %v", st.Metadata, err)
	}

	// Conditional reads and copies.
	var g minio.GetObjectOptions
	g.SetMatchETag(info.ETag)
	if _, err := c.StatObject(ctx, b, "k", g); err != nil {
		t.Fatalf("If-Match the ETag: %v", err)
	}
	g = minio.GetObjectOptions{}
	g.SetMatchETag(`"0123"`)
	_, err = c.StatObject(ctx, b, "k", g)
	mgoWantStatus(t, "If-Match another ETag", err, 412)
	g = minio.GetObjectOptions{}
	g.SetMatchETagExcept(info.ETag)
	_, err = c.StatObject(ctx, b, "k", g)
	mgoWantStatus(t, "If-None-Match the ETag", err, 304)
	g = minio.GetObjectOptions{}
	g.SetModified(time.Now().Add(time.Hour))
	_, err = c.StatObject(ctx, b, "k", g)
	mgoWantStatus(t, "If-Modified-Since the future", err, 304)
	_, err = c.CopyObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "k2"}, minio.CopySrcOptions{Bucket: b, Object: "k", MatchETag: "nope"})
	mgoWantCode(t, "CopyObject x-amz-copy-source-if-match another ETag", err, "PreconditionFailed")
	if _, err := c.CopyObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "k2"}, minio.CopySrcOptions{Bucket: b, Object: "k", MatchETag: info.ETag}); err != nil {
		t.Fatalf("CopyObject if-match the ETag: %v", err)
	}

	// SSE-C with a trailing checksum, read by part number, in parallel, and described by
	// GetObjectAttributes (which needs the key too).
	ssec, _ := encrypt.NewSSEC(bytes.Repeat([]byte{1}, 32))
	big := randBytes(11<<20, 22)
	if _, err := c.PutObject(ctx, b, "ssec-crc", bytes.NewReader(big), int64(len(big)),
		minio.PutObjectOptions{ServerSideEncryption: ssec, Checksum: minio.ChecksumCRC32C, PartSize: 5 << 20}); err != nil {
		t.Fatalf("SSE-C multipart PutObject with CRC32C: %v", err)
	}
	if _, err := c.PutObject(ctx, b, "ssec-sha", bytes.NewReader(big[:100]), 100,
		minio.PutObjectOptions{ServerSideEncryption: ssec, Checksum: minio.ChecksumSHA256}); err != nil {
		t.Fatalf("SSE-C PutObject with SHA256: %v", err)
	}
	st, err = c.StatObject(ctx, b, "ssec-sha", minio.StatObjectOptions{ServerSideEncryption: ssec, Checksum: true})
	if err != nil || st.ChecksumSHA256 != minio.ChecksumSHA256.ChecksumBytes(big[:100]).Encoded() {
		t.Fatalf("StatObject SSE-C SHA256: %q %v", st.ChecksumSHA256, err)
	}
	mgoSame(t, "SSE-C part 2", mgoGet(t, c, b, "ssec-crc", minio.GetObjectOptions{ServerSideEncryption: ssec, PartNumber: 2}), big[5<<20:10<<20])
	mgoSame(t, "SSE-C parallel GET", mgoGet(t, c, b, "ssec-crc", minio.GetObjectOptions{ServerSideEncryption: ssec,
		ParallelWorkers: 2, ParallelChunkSize: 16 << 20}), big)
	attrs, err := c.GetObjectAttributes(ctx, b, "ssec-crc", minio.ObjectAttributesOptions{ServerSideEncryption: ssec})
	if err != nil || attrs.ObjectSize != len(big) || attrs.ObjectParts.PartsCount != 3 || len(attrs.ObjectParts.Parts) != 3 ||
		attrs.Checksum.ChecksumType != "COMPOSITE" || attrs.ObjectParts.Parts[2].ChecksumCRC32C != mgoCRC32C(big[10<<20:]) {
		t.Fatalf("GetObjectAttributes SSE-C: %+v %v", attrs, err)
	}
	_, err = c.GetObjectAttributes(ctx, b, "ssec-crc", minio.ObjectAttributesOptions{})
	mgoWantCode(t, "GetObjectAttributes of an SSE-C object without the key", err, "InvalidRequest")

	// A POST policy with starts-with conditions, tagging, ${filename} and a redirect.
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p := minio.NewPostPolicy()
	p.SetBucket(b)
	p.SetKeyStartsWith("up/")
	p.SetExpires(time.Now().UTC().Add(time.Minute))
	p.SetUserMetadataStartsWith("note", "x")
	p.SetContentTypeStartsWith("image/")
	p.SetTagging("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>")
	p.SetSuccessActionRedirect("https://example.com/done")
	u, form, err := c.PresignedPostPolicy(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	form["key"] = "up/${filename}"
	form["x-amz-meta-note"] = "xyz"
	form["Content-Type"] = "image/png"
	status, resp := mgoPostForm(t, hc, u.String(), form, []byte("img"))
	if status != 303 {
		t.Fatalf("POST with starts-with conditions: %d %s", status, resp)
	}
	st, err = c.StatObject(ctx, b, "up/upload.bin", minio.StatObjectOptions{})
	if err != nil || st.UserMetadata["Note"] != "xyz" || st.ContentType != "image/png" || st.UserTagCount != 1 {
		t.Fatalf("StatObject of the POSTed object: %+v %v", st, err)
	}
	form["x-amz-meta-note"] = "nope"
	if status, resp = mgoPostForm(t, hc, u.String(), form, []byte("img")); status != 403 {
		t.Fatalf("POST breaking a starts-with condition: %d %s", status, resp)
	}
}

// minio-go as an IAM user: the one policy engine decides, with S3's denial message, for
// plain, multipart, presigned and POST uploads alike; bad keys get S3's codes.
func TestMinioGoIAM(t *testing.T) {
	srv := StartServer(t)
	root := newMinioGo(t, srv)
	ctx := context.Background()
	const b = "mgo-iam"
	mgoMakeBucket(t, root, b)
	mgoPut(t, root, b, "doc", []byte("readable"), minio.PutObjectOptions{})
	reader := authzUser(t, iamClient(srv.HTTPURL, testAccessKey, testSecretKey), "mgo-reader",
		authzAllow(`["s3:GetObject","s3:ListBucket"]`, `["arn:aws:s3:::`+b+`","arn:aws:s3:::`+b+`/*"]`))
	c := newMinioGo(t, srv, func(o *minio.Options) { o.Creds = credentials.NewStaticV4(reader.AK, reader.SK, "") })
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)

	mgoSame(t, "GetObject as the reader", mgoGet(t, c, b, "doc", minio.GetObjectOptions{}), []byte("readable"))
	mgoStrings(t, "ListObjects as the reader", mgoList(t, c, b, minio.ListObjectsOptions{}), "doc")
	denied := func(what string, err error, key string) {
		t.Helper()
		mgoWantCode(t, what, err, "AccessDenied")
		if want := s3DenyMsg(reader.ARN, "s3:PutObject", "arn:aws:s3:::"+b+"/"+key, whyNoIdentity("s3:PutObject")); err.Error() != want {
			t.Fatalf("%s: %q, want %q", what, err.Error(), want)
		}
	}
	_, err := c.PutObject(ctx, b, "new", strings.NewReader("x"), 1, minio.PutObjectOptions{})
	denied("PutObject as the reader", err, "new")
	big := randBytes(6<<20, 23)
	_, err = c.PutObject(ctx, b, "big", bytes.NewReader(big), int64(len(big)), minio.PutObjectOptions{PartSize: 5 << 20})
	denied("multipart PutObject as the reader", err, "big")
	_, err = c.CopyObject(ctx, minio.CopyDestOptions{Bucket: b, Object: "copy"}, minio.CopySrcOptions{Bucket: b, Object: "doc"})
	denied("CopyObject as the reader", err, "copy")
	err = c.RemoveObject(ctx, b, "doc", minio.RemoveObjectOptions{})
	mgoWantCode(t, "RemoveObject as the reader", err, "AccessDenied")
	mgoWantCode(t, "MakeBucket as the reader", c.MakeBucket(ctx, "mgo-other", minio.MakeBucketOptions{Region: testRegion}), "AccessDenied")

	u, err := c.PresignedPutObject(ctx, b, "presigned", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, u.String(), strings.NewReader("x"))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(msg), "<Code>AccessDenied</Code>") {
		t.Fatalf("presigned PUT as the reader: %d %s", resp.StatusCode, msg)
	}
	p := minio.NewPostPolicy()
	p.SetBucket(b)
	p.SetKey("posted")
	p.SetExpires(time.Now().UTC().Add(time.Minute))
	u, form, err := c.PresignedPostPolicy(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := mgoPostForm(t, hc, u.String(), form, []byte("x")); status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Fatalf("POST as the reader: %d %s", status, body)
	}
	if _, err := root.StatObject(ctx, b, "posted", minio.StatObjectOptions{}); mgoCode(err) != "NoSuchKey" {
		t.Fatalf("a refused POST stored an object: %v", err)
	}

	wrong := newMinioGo(t, srv, func(o *minio.Options) { o.Creds = credentials.NewStaticV4(reader.AK, "not-the-secret", "") })
	_, err = wrong.ListBuckets(ctx)
	mgoWantCode(t, "ListBuckets with a wrong secret", err, "SignatureDoesNotMatch")
	unknown := newMinioGo(t, srv, func(o *minio.Options) { o.Creds = credentials.NewStaticV4("AKIAUNKNOWNKEY000000", "x", "") })
	_, err = unknown.ListBuckets(ctx)
	mgoWantCode(t, "ListBuckets with an unknown key", err, "InvalidAccessKeyId")
}
