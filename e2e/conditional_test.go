package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestConditionalDelete: If-Match, x-amz-if-match-last-modified-time and
// x-amz-if-match-size on DeleteObject, each hit and miss, on an unversioned and a versioned
// bucket; a condition on a key with no current version is 404 NoSuchKey.
func TestConditionalDelete(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	for _, versioned := range []bool{false, true} {
		b := "cond-plain"
		if versioned {
			b = "cond-versioned"
		}
		mustCreateBucket(t, c, b)
		if versioned {
			enableVersioning(t, c, b, types.BucketVersioningStatusEnabled)
		}
		put := func(key string) *s3.HeadObjectOutput {
			t.Helper()
			mustPut(t, c, b, key, []byte("conditional "+key))
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		gone := func(key string) {
			t.Helper()
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
			wantAPIError(t, err, "NotFound", 404)
		}
		h := put("etag")
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("etag"), IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
		wantAPIError(t, err, "PreconditionFailed", 412)
		d, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("etag"), IfMatch: h.ETag})
		if err != nil {
			t.Fatalf("%s: DeleteObject If-Match hit: %v", b, err)
		}
		if versioned != aws.ToBool(d.DeleteMarker) {
			t.Errorf("%s: delete marker %v", b, aws.ToBool(d.DeleteMarker))
		}
		gone("etag")
		// Nothing current (none, or a delete marker): 404.
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("etag"), IfMatch: aws.String("*")})
		wantAPIError(t, err, "NoSuchKey", 404)

		h = put("star")
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("star"), IfMatch: aws.String("*")}); err != nil {
			t.Fatalf("%s: If-Match * on an existing key: %v", b, err)
		}
		gone("star")

		h = put("mtime")
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("mtime"), IfMatchLastModifiedTime: aws.Time(h.LastModified.Add(-time.Hour))})
		wantAPIError(t, err, "PreconditionFailed", 412)
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("mtime"), IfMatchLastModifiedTime: h.LastModified}); err != nil {
			t.Fatalf("%s: x-amz-if-match-last-modified-time hit: %v", b, err)
		}
		gone("mtime")

		h = put("size")
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("size"), IfMatchSize: aws.Int64(aws.ToInt64(h.ContentLength) + 1)})
		wantAPIError(t, err, "PreconditionFailed", 412)
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("size"), IfMatchSize: h.ContentLength,
			IfMatch: h.ETag, IfMatchLastModifiedTime: h.LastModified}); err != nil {
			t.Fatalf("%s: all three conditions hit: %v", b, err)
		}
		gone("size")
		raw := do(t, srv.HTTPURL, rawReq{Method: "DELETE", Path: "/" + b + "/size", Header: map[string][]string{"X-Amz-If-Match-Size": {"many"}}})
		wantXMLError(t, raw, 400, "InvalidArgument")
	}
}

// TestConditionalDeleteObjects: ETag, LastModifiedTime and Size per <Object> of
// DeleteObjects; a miss is that key's PreconditionFailed, the others are deleted.
func TestConditionalDeleteObjects(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "cond-multi"
	mustCreateBucket(t, c, b)
	heads := map[string]*s3.HeadObjectOutput{}
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		mustPut(t, c, b, k, []byte("object "+k))
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		heads[k] = h
	}
	res, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), ETag: heads["a"].ETag},
		{Key: aws.String("b"), ETag: heads["a"].ETag},
		{Key: aws.String("c"), Size: aws.Int64(1)},
		{Key: aws.String("d"), Size: heads["d"].ContentLength, LastModifiedTime: heads["d"].LastModified},
		{Key: aws.String("e"), LastModifiedTime: aws.Time(heads["e"].LastModified.Add(time.Hour))},
	}}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	var deleted, failed []string
	for _, d := range res.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	for _, e := range res.Errors {
		failed = append(failed, aws.ToString(e.Key)+":"+aws.ToString(e.Code))
	}
	if strings.Join(deleted, ",") != "a,d" || strings.Join(failed, ",") != "b:PreconditionFailed,c:PreconditionFailed,e:PreconditionFailed" {
		t.Errorf("DeleteObjects: deleted %v, errors %v", deleted, failed)
	}
	for k, want := range map[string]bool{"a": false, "b": true, "c": true, "d": false, "e": true} {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		if (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", k, err == nil, want)
		}
	}
}

// TestConditionalPutRace: 16 writers race If-None-Match: * on one key; exactly one wins and
// the others get 412 PreconditionFailed (Arca checks the condition in the commit's own
// transaction, so the loser always sees the winner: never 409). CompleteMultipartUpload
// with If-None-Match: * over an existing key is 412 too.
func TestConditionalPutRace(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "cond-race"
	mustCreateBucket(t, c, b)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, fails := 0, 0
	var others []string
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("once"),
				Body: strings.NewReader(strings.Repeat("w", i+1)), IfNoneMatch: aws.String("*")})
			mu.Lock()
			defer mu.Unlock()
			code, status := errInfo(err)
			switch {
			case err == nil:
				wins++
			case code == "PreconditionFailed" && status == 412:
				fails++
			default:
				others = append(others, err.Error())
			}
		}(i)
	}
	wg.Wait()
	if wins != 1 || fails != 15 || len(others) > 0 {
		t.Errorf("16 racing If-None-Match: * writers: %d won, %d got 412, others %v", wins, fails, others)
	}
	cu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("once")})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("once"), UploadId: cu.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("once"), UploadId: cu.UploadId,
		IfNoneMatch: aws.String("*"), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}}})
	wantAPIError(t, err, "PreconditionFailed", 412)
}

// TestConditionalPolicy: a bucket policy that requires If-None-Match on object creation
// (s3:if-none-match with s3:ObjectCreationOperation, so multipart parts still pass) and
// If-Match on deletes (s3:if-match), for an IAM user allowed s3:*.
func TestConditionalPolicy(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	bob := authzUser(t, rootIAM, "bob", authzAllow(`"s3:*"`, `"*"`))
	root := sdk(t, srv, srv.HTTPURL)
	bc := authzS3(t, srv.HTTPURL, bob)
	b := "cond-policy"
	mustCreateBucket(t, root, b)
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Deny","Principal":{"AWS":"` + bob.ARN + `"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + b + `/*",
	  "Condition":{"Null":{"s3:if-none-match":"true"},"Bool":{"s3:ObjectCreationOperation":"true"}}},
	 {"Effect":"Deny","Principal":{"AWS":"` + bob.ARN + `"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::` + b + `/*",
	  "Condition":{"Null":{"s3:if-match":"true"}}}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	_, err := bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantS3Denied(t, "unconditional PutObject", err, "")
	p, err := bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
	wantOK(t, "PutObject with If-None-Match", err)
	// Multipart: creating the upload and its parts takes no conditional header.
	cu, err := bc.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp")})
	wantOK(t, "CreateMultipartUpload", err)
	if err != nil {
		return
	}
	up, err := bc.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: cu.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	wantOK(t, "UploadPart", err)
	complete := &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: cu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}}}
	_, err = bc.CompleteMultipartUpload(ctx, complete)
	wantS3Denied(t, "unconditional CompleteMultipartUpload", err, "")
	complete.IfNoneMatch = aws.String("*")
	_, err = bc.CompleteMultipartUpload(ctx, complete)
	wantOK(t, "CompleteMultipartUpload with If-None-Match", err)
	_, err = bc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
	wantS3Denied(t, "unconditional DeleteObject", err, "")
	_, err = bc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k"), IfMatch: p.ETag})
	wantOK(t, "DeleteObject with If-Match", err)
	// DeleteObjects: s3:if-match is each key's <ETag>.
	x, err := bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("x"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
	wantOK(t, "PutObject x", err)
	_, err = bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("y"), Body: strings.NewReader("y"), IfNoneMatch: aws.String("*")})
	wantOK(t, "PutObject y", err)
	if x == nil {
		return
	}
	res, err := bc.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("x"), ETag: x.ETag}, {Key: aws.String("y")}}}})
	if err != nil || len(res.Deleted) != 1 || aws.ToString(res.Deleted[0].Key) != "x" ||
		len(res.Errors) != 1 || aws.ToString(res.Errors[0].Key) != "y" || aws.ToString(res.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects under a policy requiring s3:if-match: %+v %v", res, err)
	}
}

// TestConditionalDeleteNeedsRead: a delete naming an ETag also needs s3:GetObject (its
// answer tells whether the ETag is that one); If-Match: * needs the delete action only.
func TestConditionalDeleteNeedsRead(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	carol := authzUser(t, rootIAM, "carol", authzAllow(`["s3:DeleteObject","s3:PutObject"]`, `"*"`))
	root := sdk(t, srv, srv.HTTPURL)
	cc := authzS3(t, srv.HTTPURL, carol)
	b := "cond-read"
	mustCreateBucket(t, root, b)
	p := mustPut(t, root, b, "k", []byte("x"))
	_, err := cc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k"), IfMatch: p.ETag})
	wantS3Denied(t, "DeleteObject If-Match <etag> without s3:GetObject", err, "")
	res, err := cc.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), ETag: p.ETag}}}})
	if err != nil || len(res.Errors) != 1 || aws.ToString(res.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects with <ETag> without s3:GetObject: %+v %v", res, err)
	}
	_, err = cc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k"), IfMatch: aws.String("*")})
	wantOK(t, "DeleteObject If-Match * without s3:GetObject", err)
}
