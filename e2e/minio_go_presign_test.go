package e2e

// minio-go (see minio_go_test.go): presigned URLs, POST policies, versioning and tagging.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/cors"
	"github.com/minio/minio-go/v7/pkg/tags"
)

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
