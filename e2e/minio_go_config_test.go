package e2e

// minio-go (see minio_go_test.go): bucket configuration and Object Lock, conditional
// requests and parts, and minio-go as a limited IAM user.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
	"github.com/minio/minio-go/v7/pkg/sse"
)

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
