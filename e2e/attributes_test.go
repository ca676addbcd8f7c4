package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// GetObjectAttributes (docs/CHECKSUMS.md): ETag, Checksum, ObjectParts with paging,
// StorageClass and ObjectSize, of simple and multipart objects, versions and delete
// markers, in every SSE mode, and who may ask.

var allAttributes = []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum,
	types.ObjectAttributesObjectParts, types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}

// TestGetObjectAttributes: a simple object and a COMPOSITE multipart one (parts paged with
// x-amz-max-parts and x-amz-part-number-marker), a FULL_OBJECT one (parts counted only), a
// selection of attributes, versions and delete markers, and the errors.
func TestGetObjectAttributes(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL, withSDKChecksums)
	const bucket = "attrs"
	mustCreateBucket(t, c, bucket)
	enableVersioning(t, c, bucket, types.BucketVersioningStatusEnabled)

	data := randBytes(1234, 1)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("simple"), Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha1})
	if err != nil {
		t.Fatal(err)
	}
	ga, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("simple"), ObjectAttributes: allAttributes})
	if err != nil {
		t.Fatalf("GetObjectAttributes simple: %v", err)
	}
	if aws.ToString(ga.ETag) != md5Hex(data) || aws.ToInt64(ga.ObjectSize) != int64(len(data)) || ga.StorageClass != types.StorageClassStandard ||
		ga.Checksum == nil || aws.ToString(ga.Checksum.ChecksumSHA1) != ckOf(types.ChecksumAlgorithmSha1, data) ||
		ga.Checksum.ChecksumType != types.ChecksumTypeFullObject || ga.ObjectParts != nil {
		t.Errorf("simple: %+v checksum %+v parts %+v", ga, ga.Checksum, ga.ObjectParts)
	}
	if aws.ToString(ga.VersionId) != aws.ToString(put.VersionId) || ga.LastModified == nil {
		t.Errorf("simple: version %q (want %q), last modified %v", aws.ToString(ga.VersionId), aws.ToString(put.VersionId), ga.LastModified)
	}
	// Only what was asked for.
	ga, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("simple"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
	if err != nil || ga.ETag != nil || ga.Checksum != nil || ga.StorageClass != "" || aws.ToInt64(ga.ObjectSize) != int64(len(data)) {
		t.Errorf("ObjectSize alone: %+v, %v", ga, err)
	}

	// COMPOSITE multipart: parts listed with their checksums, a page at a time.
	u := ckMultipart(t, c, bucket, "composite", types.ChecksumAlgorithmSha256, "", []int{5 << 20, 5 << 20, 3}, sseMode{})
	co, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("composite"),
		UploadId: aws.String(u.ID), MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}})
	if err != nil {
		t.Fatal(err)
	}
	comp := ckComposite(types.ChecksumAlgorithmSha256, u.Parts)
	var got []types.ObjectPart
	marker := ""
	for page := 0; page < 5; page++ {
		in := &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("composite"), ObjectAttributes: allAttributes, MaxParts: aws.Int32(2)}
		if marker != "" {
			in.PartNumberMarker = aws.String(marker)
		}
		ga, err := c.GetObjectAttributes(ctx, in)
		if err != nil {
			t.Fatalf("GetObjectAttributes composite page %d: %v", page, err)
		}
		if page == 0 && (aws.ToString(ga.ETag) != strings.Trim(aws.ToString(co.ETag), `"`) || aws.ToInt64(ga.ObjectSize) != int64(len(u.Whole)) ||
			ga.Checksum == nil || aws.ToString(ga.Checksum.ChecksumSHA256) != strings.Split(comp, "-")[0] || ga.Checksum.ChecksumType != types.ChecksumTypeComposite) {
			t.Errorf("composite: ETag %q size %d checksum %+v; want %s %d %s", aws.ToString(ga.ETag), aws.ToInt64(ga.ObjectSize), ga.Checksum, aws.ToString(co.ETag), len(u.Whole), comp)
		}
		p := ga.ObjectParts
		if p == nil || aws.ToInt32(p.TotalPartsCount) != 3 || aws.ToInt32(p.MaxParts) != 2 {
			t.Fatalf("composite page %d: ObjectParts %+v", page, p)
		}
		got = append(got, p.Parts...)
		if !aws.ToBool(p.IsTruncated) {
			break
		}
		marker = aws.ToString(p.NextPartNumberMarker)
	}
	if len(got) != 3 {
		t.Fatalf("composite: %d parts over the pages, want 3", len(got))
	}
	for i, p := range got {
		if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != int64(len(u.Parts[i])) || aws.ToString(p.ChecksumSHA256) != ckOf(types.ChecksumAlgorithmSha256, u.Parts[i]) {
			t.Errorf("composite part %d: %d %d %s", i+1, aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size), aws.ToString(p.ChecksumSHA256))
		}
	}

	// FULL_OBJECT multipart: the parts are counted only.
	u = ckMultipart(t, c, bucket, "full", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, []int{5 << 20, 1}, sseMode{})
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("full"),
		UploadId: aws.String(u.ID), MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}}); err != nil {
		t.Fatal(err)
	}
	ga, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("full"), ObjectAttributes: allAttributes})
	if err != nil {
		t.Fatal(err)
	}
	if ga.ObjectParts == nil || aws.ToInt32(ga.ObjectParts.TotalPartsCount) != 2 || len(ga.ObjectParts.Parts) != 0 ||
		ga.Checksum == nil || aws.ToString(ga.Checksum.ChecksumCRC32) != ckOf(types.ChecksumAlgorithmCrc32, u.Whole) {
		t.Errorf("full: parts %+v checksum %+v", ga.ObjectParts, ga.Checksum)
	}

	// Versions and delete markers.
	v1 := aws.ToString(put.VersionId)
	mustPut(t, c, bucket, "simple", []byte("second"))
	ga, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("simple"), VersionId: aws.String(v1),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
	if err != nil || aws.ToInt64(ga.ObjectSize) != int64(len(data)) || aws.ToString(ga.VersionId) != v1 {
		t.Errorf("version %s: %+v, %v", v1, ga, err)
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("simple")})
	if err != nil {
		t.Fatal(err)
	}
	resp := do(t, srv.HTTPURL, rawReq{Method: http.MethodGet, Path: "/" + bucket + "/simple", Query: "attributes",
		Header: http.Header{"X-Amz-Object-Attributes": {"ETag"}}})
	wantXMLError(t, resp, 404, "NoSuchKey")
	if resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("x-amz-version-id") != aws.ToString(del.VersionId) {
		t.Errorf("delete marker: headers %v", resp.Header)
	}
	resp = do(t, srv.HTTPURL, rawReq{Method: http.MethodGet, Path: "/" + bucket + "/simple", Query: "attributes&versionId=" + aws.ToString(del.VersionId),
		Header: http.Header{"X-Amz-Object-Attributes": {"ETag"}}})
	wantXMLError(t, resp, 405, "MethodNotAllowed")
	if resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("Last-Modified") == "" {
		t.Errorf("delete marker version: headers %v", resp.Header)
	}

	// Errors.
	for _, h := range []http.Header{{}, {"X-Amz-Object-Attributes": {"Owner"}}, {"X-Amz-Object-Attributes": {"ETag,etag"}}} {
		resp := do(t, srv.HTTPURL, rawReq{Method: http.MethodGet, Path: "/" + bucket + "/composite", Query: "attributes", Header: h})
		if e := wantXMLError(t, resp, 400, "InvalidArgument"); e.Message != "Invalid attribute name specified." {
			t.Errorf("attributes %v: message %q", h, e.Message)
		}
	}
	resp = do(t, srv.HTTPURL, rawReq{Method: http.MethodGet, Path: "/" + bucket + "/composite", Query: "attributes",
		Header: http.Header{"X-Amz-Object-Attributes": {"ObjectParts"}, "X-Amz-Max-Parts": {"many"}}})
	wantXMLError(t, resp, 400, "InvalidArgument")
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("nothing"), ObjectAttributes: allAttributes})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("no-such-bucket-attrs"), Key: aws.String("k"), ObjectAttributes: allAttributes})
	wantAPIError(t, err, "NoSuchBucket", 404)
}

// TestGetObjectAttributesSSE: the attributes of SSE-S3, SSE-KMS and SSE-C objects; SSE-C
// needs the key (refused without it, as HEAD is), and the sealed checksums come back.
func TestGetObjectAttributesSSE(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL, withSDKChecksums)
	const bucket = "attrsse"
	mustCreateBucket(t, c, bucket)
	ssecAllowed(t, c, bucket)
	kmsID, _ := sseCreateKey(t, sseKMS(t, srv), "attributes")
	for _, m := range []sseMode{
		{Name: "s3", SSE: types.ServerSideEncryptionAes256, WantSSE: types.ServerSideEncryptionAes256},
		{Name: "kms", SSE: types.ServerSideEncryptionAwsKms, KeyID: kmsID, WantSSE: types.ServerSideEncryptionAwsKms},
		sseMode{Name: "c"}.withC(sseCK1),
	} {
		key := "mpu-" + m.Name
		u := ckMultipart(t, c, bucket, key, types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite, []int{5 << 20, 9}, m)
		in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(u.ID),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}}
		if m.isC() {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
		}
		co, err := c.CompleteMultipartUpload(ctx, in)
		if err != nil {
			t.Fatalf("%s: Complete: %v", key, err)
		}
		gin := &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String(key), ObjectAttributes: allAttributes}
		if m.isC() {
			_, err := c.GetObjectAttributes(ctx, gin)
			wantAPIError(t, err, "InvalidRequest", 400)
			wrong := *gin
			wrong.SSECustomerAlgorithm, wrong.SSECustomerKey, wrong.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(sseCK2.B64), aws.String(sseCK2.MD5)
			_, err = c.GetObjectAttributes(ctx, &wrong)
			wantAPIError(t, err, "AccessDenied", 403)
			gin.SSECustomerAlgorithm, gin.SSECustomerKey, gin.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
		}
		ga, err := c.GetObjectAttributes(ctx, gin)
		if err != nil {
			t.Fatalf("%s: GetObjectAttributes: %v", key, err)
		}
		if aws.ToString(ga.ETag) != strings.Trim(aws.ToString(co.ETag), `"`) || ga.Checksum == nil ||
			aws.ToString(ga.Checksum.ChecksumCRC32C) != strings.Split(ckComposite(types.ChecksumAlgorithmCrc32c, u.Parts), "-")[0] ||
			ga.ObjectParts == nil || len(ga.ObjectParts.Parts) != 2 || aws.ToString(ga.ObjectParts.Parts[1].ChecksumCRC32C) != ckOf(types.ChecksumAlgorithmCrc32c, u.Parts[1]) {
			t.Errorf("%s: %+v checksum %+v parts %+v", key, ga, ga.Checksum, ga.ObjectParts)
		}
	}
}

// TestGetObjectAttributesAuthz: S3 authorizes s3:GetObjectAttributes and s3:GetObject (for a
// version, s3:GetObjectVersionAttributes and s3:GetObjectVersion); a caller with one but not
// the other is refused.
func TestGetObjectAttributesAuthz(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	const bucket = "attrauthz"
	mustCreateBucket(t, c, bucket)
	enableVersioning(t, c, bucket, types.BucketVersioningStatusEnabled)
	put := mustPut(t, c, bucket, "k", []byte("data"))
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	res := `"arn:aws:s3:::` + bucket + `/*"`
	users := map[string]authzCreds{
		"none":      authzUser(t, rootIAM, "attr-none", authzAllow(`["s3:ListBucket"]`, `"*"`)),
		"attrsonly": authzUser(t, rootIAM, "attr-only", authzAllow(`["s3:GetObjectAttributes"]`, res)),
		"getonly":   authzUser(t, rootIAM, "attr-get", authzAllow(`["s3:GetObject"]`, res)),
		"both":      authzUser(t, rootIAM, "attr-both", authzAllow(`["s3:GetObject","s3:GetObjectAttributes"]`, res)),
		"versions":  authzUser(t, rootIAM, "attr-ver", authzAllow(`["s3:GetObjectVersion","s3:GetObjectVersionAttributes"]`, res)),
	}
	for name, creds := range users {
		uc := authzS3(t, srv.HTTPURL, creds)
		_, err := uc.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("k"), ObjectAttributes: allAttributes})
		if name == "both" {
			wantOK(t, name+" current", err)
		} else {
			wantAPIError(t, err, "AccessDenied", 403)
		}
		_, err = uc.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: put.VersionId, ObjectAttributes: allAttributes})
		if name == "versions" {
			wantOK(t, name+" version", err)
		} else {
			wantAPIError(t, err, "AccessDenied", 403)
		}
	}
}

// TestGetObjectAttributesCLI: the aws CLI v1's s3api get-object-attributes, with paging of
// the parts.
func TestGetObjectAttributesCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL, withSDKChecksums)
	const bucket = "attrcli"
	mustCreateBucket(t, c, bucket)
	u := ckMultipart(t, c, bucket, "obj", types.ChecksumAlgorithmSha256, "", []int{5 << 20, 5 << 20, 4}, sseMode{})
	if _, err := c.CompleteMultipartUpload(context.Background(), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("obj"),
		UploadId: aws.String(u.ID), MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}}); err != nil {
		t.Fatal(err)
	}
	out := srv.AWS(t, srv.HTTPURL, false, "s3api", "get-object-attributes", "--bucket", bucket, "--key", "obj",
		"--object-attributes", "ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize", "--max-parts", "2", "--part-number-marker", "1")
	var res struct {
		ETag     string
		Checksum struct {
			ChecksumSHA256 string
			ChecksumType   string
		}
		ObjectParts struct {
			TotalPartsCount, PartNumberMarker, NextPartNumberMarker, MaxParts int
			IsTruncated                                                       bool
			Parts                                                             []struct {
				PartNumber     int
				Size           int64
				ChecksumSHA256 string
			}
		}
		StorageClass string
		ObjectSize   int64
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &res); err != nil {
		t.Fatalf("get-object-attributes output: %v\n%s", err, out)
	}
	p := res.ObjectParts
	if res.ObjectSize != int64(len(u.Whole)) || res.StorageClass != "STANDARD" || res.Checksum.ChecksumType != "COMPOSITE" ||
		res.Checksum.ChecksumSHA256 != strings.Split(ckComposite(types.ChecksumAlgorithmSha256, u.Parts), "-")[0] ||
		p.TotalPartsCount != 3 || p.PartNumberMarker != 1 || p.NextPartNumberMarker != 3 || p.MaxParts != 2 || p.IsTruncated ||
		len(p.Parts) != 2 || p.Parts[0].PartNumber != 2 || p.Parts[1].ChecksumSHA256 != ckOf(types.ChecksumAlgorithmSha256, u.Parts[2]) {
		t.Errorf("get-object-attributes:\n%s", out)
	}
	// An unknown attribute name is the server's error.
	out = srv.AWS(t, srv.HTTPURL, true, "s3api", "get-object-attributes", "--bucket", bucket, "--key", "obj", "--object-attributes", "Owner")
	if !strings.Contains(out, "InvalidArgument") {
		t.Errorf("unknown attribute: %s", out)
	}
}

// TestChecksumNeedsKMSDecrypt: the sealed checksum of an SSE-KMS object opens only through the
// KMS as the caller, as S3 asks kms:Decrypt of checksum mode: a caller with s3 permissions but
// no kms:Decrypt reads the object's metadata and ETag, not its checksum.
func TestChecksumNeedsKMSDecrypt(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	const bucket = "ckkmsperm"
	mustCreateBucket(t, c, bucket)
	kmsID, _ := sseCreateKey(t, sseKMS(t, srv), "checksum permission")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("secret")),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(kmsID)}); err != nil {
		t.Fatal(err)
	}
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	reader := authzS3(t, srv.HTTPURL, authzUser(t, rootIAM, "ck-reader", authzAllow(`["s3:GetObject","s3:GetObjectAttributes"]`, `"*"`)))
	if _, err := reader.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")}); err != nil {
		t.Errorf("HEAD without checksum mode: %v", err)
	}
	_, err := reader.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	wantAPIError(t, err, "", 403)
	if _, err := reader.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize}}); err != nil {
		t.Errorf("GetObjectAttributes ETag: %v", err)
	}
	_, err = reader.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum}})
	wantAPIError(t, err, "AccessDenied", 403)
	// The root (kms:Decrypt through the key policy) reads it.
	ho, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(ho.ChecksumCRC64NVME) != ckOf(types.ChecksumAlgorithmCrc64nvme, []byte("secret")) {
		t.Errorf("root HEAD with checksum mode: %v %q", err, aws.ToString(ho.ChecksumCRC64NVME))
	}
}
