package e2e

// A third real client against Arca (issue 15: every common client works unmodified): the
// Apache-2.0 MinIO Go SDK, github.com/minio/minio-go/v7, used the way its README shows a
// newcomer, over HTTPS with path-style addressing. (The MinIO CLI mc is AGPL and is not used.)

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
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
