package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// UpdateObjectEncryption (docs/SSE.md, "Changing an existing object's encryption"): the
// data key of an object version is rewrapped under a KMS key; nothing else about the
// version changes.

// AWS's messages for UpdateObjectEncryption's refusals (the API reference's Errors).
const (
	msgUEUnencrypted = "The UpdateObjectEncryption operation doesn't supported unencrypted source objects. Only source objects encrypted with SSE-S3 or SSE-KMS are supported."
	msgUESourceType  = "The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported."
	msgUETargetType  = "The UpdateObjectEncryption operation doesn't support updating the encryption type to DSSE-KMS or SSE-C. Modify the request to specify SSE-KMS for the updated encryption type, and then try again."
	msgUESigV4       = "Requests that modify an object encryption configuration require AWS Signature Version 4. Modify the request to use AWS Signature Version 4, and then try again."
	msgUENoType      = "Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then try again."
	msgUENoKeyARN    = "Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key Amazon Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try again."
	msgUEBadKeyARN   = "Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in your request, and then try again."
	msgUEBucketKey   = "The BucketKeyEnabled value isn't valid. Valid values are true or false. Modify the request to specify a valid value, and then try again."
	msgUEKeyAccount  = "The AWS KMS key in the request must be owned by the same account as the bucket. Modify the request to specify a KMS key from the same account, and then try again."
	msgUELocked      = "The encryption type for the specified object can’t be updated because that object is protected by S3 Object Lock. If the object has a governance-mode retention period or a legal hold, you must first remove the Object Lock status on the object before you issue your UpdateObjectEncryption request. You can't use the UpdateObjectEncryption operation with objects that have an Object Lock compliance mode retention period applied to them."
)

// ueState is everything UpdateObjectEncryption must leave as it was, as clients see it.
type ueState struct {
	ETag, LastModified, ContentType, StorageClass, VersionID string
	Size                                                     int64
	Meta                                                     map[string]string
	Checksums                                                []string
	ChecksumType                                             string
	Attributes                                               string // GetObjectAttributes (all), as JSON
	Tags                                                     string
	BodyMD5                                                  string
}

// ueSSE is how a version is encrypted, as HEAD states it.
type ueSSE struct {
	SSE       string
	KeyID     string
	BucketKey bool
}

// ueSnapshot reads a version's state and encryption (vid "" = the current version) with
// HEAD (checksum mode on), GetObjectAttributes, GetObjectTagging and GET.
func ueSnapshot(t testing.TB, c *s3.Client, bucket, key, vid string) (ueState, ueSSE) {
	t.Helper()
	ctx := context.Background()
	var v *string
	if vid != "" {
		v = aws.String(vid)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: v, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("HEAD %s/%s@%s: %v", bucket, key, vid, err)
	}
	st := ueState{ETag: aws.ToString(h.ETag), LastModified: aws.ToTime(h.LastModified).String(), ContentType: aws.ToString(h.ContentType),
		StorageClass: string(h.StorageClass), VersionID: aws.ToString(h.VersionId), Size: aws.ToInt64(h.ContentLength), Meta: h.Metadata,
		Checksums: []string{aws.ToString(h.ChecksumCRC32), aws.ToString(h.ChecksumCRC32C), aws.ToString(h.ChecksumCRC64NVME),
			aws.ToString(h.ChecksumSHA1), aws.ToString(h.ChecksumSHA256)}, ChecksumType: string(h.ChecksumType)}
	sse := ueSSE{SSE: string(h.ServerSideEncryption), KeyID: aws.ToString(h.SSEKMSKeyId), BucketKey: aws.ToBool(h.BucketKeyEnabled)}
	ga, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: v, ObjectAttributes: allAttributes})
	if err != nil {
		t.Fatalf("GetObjectAttributes %s@%s: %v", key, vid, err)
	}
	ab, _ := json.Marshal(struct {
		ETag         *string
		StorageClass string
		Size         *int64
		Checksum     *types.Checksum
		Parts        *types.GetObjectAttributesParts
	}{ga.ETag, string(ga.StorageClass), ga.ObjectSize, ga.Checksum, ga.ObjectParts})
	st.Attributes = string(ab)
	tg, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: v})
	if err != nil {
		t.Fatalf("GetObjectTagging %s@%s: %v", key, vid, err)
	}
	tb, _ := json.Marshal(tg.TagSet)
	st.Tags = string(tb)
	body, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: v})
	st.BodyMD5 = md5Hex(body)
	return st, sse
}

// ueUpdate calls UpdateObjectEncryption with the SDK.
func ueUpdate(c *s3.Client, bucket, key, vid, keyARN string, bucketKey bool) error {
	in := &s3.UpdateObjectEncryptionInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ObjectEncryption: &types.ObjectEncryptionMemberSSEKMS{Value: types.SSEKMSEncryption{KMSKeyArn: aws.String(keyARN), BucketKeyEnabled: aws.Bool(bucketKey)}}}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	_, err := c.UpdateObjectEncryption(context.Background(), in)
	return err
}

// ueCheck updates (bucket, key, vid) to keyARN and checks the version's state is unchanged
// and its encryption is the new one.
func ueCheck(t *testing.T, c *s3.Client, bucket, key, vid, keyARN string, bucketKey bool) {
	t.Helper()
	before, _ := ueSnapshot(t, c, bucket, key, vid)
	if err := ueUpdate(c, bucket, key, vid, keyARN, bucketKey); err != nil {
		t.Fatalf("UpdateObjectEncryption %s@%s -> %s (bucket key %v): %v", key, vid, keyARN, bucketKey, err)
	}
	after, sse := ueSnapshot(t, c, bucket, key, vid)
	ueSameState(t, key, before, after)
	if want := (ueSSE{SSE: "aws:kms", KeyID: keyARN, BucketKey: bucketKey}); sse != want {
		t.Errorf("%s@%s: encryption after update %+v, want %+v", key, vid, sse, want)
	}
}

func ueSameState(t *testing.T, what string, before, after ueState) {
	t.Helper()
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if !bytes.Equal(a, b) {
		t.Errorf("%s changed:\nbefore %s\nafter  %s", what, b, a)
	}
}

func ueSSEOf(t testing.TB, c *s3.Client, bucket, key, vid string) ueSSE {
	t.Helper()
	_, s := ueSnapshot(t, c, bucket, key, vid)
	return s
}

// TestUpdateObjectEncryption: SSE-S3 to SSE-KMS, KMS key to KMS key, a bucket key added and
// removed, for a single-part object with a checksum, tags and metadata, a multipart object
// with part checksums, and one version of a versioned key; everything but the encryption
// stays as it was, and the bytes read back the same.
func TestUpdateObjectEncryption(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	_, key1 := sseCreateKey(t, kc, "ue one")
	_, key2 := sseCreateKey(t, kc, "ue two")
	bucket := "ue-objects"
	mustCreateBucket(t, c, bucket)

	body := sseBody(70_000, 1, sseMarker("ue-single"))
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("single"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/x-ue"), Metadata: map[string]string{"origin": "test"}, Tagging: aws.String("a=1&b=2"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}); err != nil {
		t.Fatal(err)
	}
	if s := ueSSEOf(t, c, bucket, "single", ""); s.SSE != "AES256" {
		t.Fatalf("fresh object: %+v", s)
	}
	t.Run("sse-s3 to kms", func(t *testing.T) { ueCheck(t, c, bucket, "single", "", key1, false) })
	t.Run("kms key to another with a bucket key", func(t *testing.T) { ueCheck(t, c, bucket, "single", "", key2, true) })
	t.Run("bucket key removed", func(t *testing.T) { ueCheck(t, c, bucket, "single", "", key2, false) })
	t.Run("back to the first key", func(t *testing.T) { ueCheck(t, c, bucket, "single", "", key1, false) })

	// A multipart object with COMPOSITE CRC32 checksums: the part checksums are sealed
	// under the new key and still read back.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("multi"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	var parts []types.CompletedPart
	for i, n := range []int{5 << 20, 1234} {
		pn := int32(i + 1)
		pb := sseBody(n, int64(10+i), sseMarker("ue-multi"))
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("multi"), UploadId: up.UploadId,
			PartNumber: aws.Int32(pn), Body: bytes.NewReader(pb), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(pn), ETag: p.ETag, ChecksumCRC32: p.ChecksumCRC32})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("multi"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	t.Run("multipart sse-s3 to kms with a bucket key", func(t *testing.T) { ueCheck(t, c, bucket, "multi", "", key1, true) })
	t.Run("multipart kms key to another", func(t *testing.T) { ueCheck(t, c, bucket, "multi", "", key2, false) })
	t.Run("multipart part reads", func(t *testing.T) {
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("multi"), PartNumber: aws.Int32(2), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		g.Body.Close()
		if aws.ToString(g.ChecksumCRC32) != aws.ToString(parts[1].ChecksumCRC32) {
			t.Errorf("part 2 checksum %q, want %q", aws.ToString(g.ChecksumCRC32), aws.ToString(parts[1].ChecksumCRC32))
		}
	})

	// One version of a versioned key: the others, and which one is current, are untouched.
	vb := "ue-versions"
	mustCreateBucket(t, c, vb)
	enableVersioning(t, c, vb, types.BucketVersioningStatusEnabled)
	v1, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(vb), Key: aws.String("k"), Body: strings.NewReader("version one")})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(vb), Key: aws.String("k"), Body: strings.NewReader("version two"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(key1)})
	if err != nil {
		t.Fatal(err)
	}
	cur, curSSE := ueSnapshot(t, c, vb, "k", "")
	t.Run("noncurrent version", func(t *testing.T) { ueCheck(t, c, vb, "k", aws.ToString(v1.VersionId), key2, true) })
	after, afterSSE := ueSnapshot(t, c, vb, "k", "")
	ueSameState(t, "current version", cur, after)
	if afterSSE != curSSE || after.VersionID != aws.ToString(v2.VersionId) {
		t.Errorf("current version changed: %+v %s", afterSSE, after.VersionID)
	}
	t.Run("current version by id", func(t *testing.T) { ueCheck(t, c, vb, "k", aws.ToString(v2.VersionId), key2, false) })

	// A KMS object written with a user encryption context keeps it.
	ctxHdr := base64.StdEncoding.EncodeToString([]byte(`{"project":"ue"}`))
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("with-context"), Body: strings.NewReader("ctx"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(key1), SSEKMSEncryptionContext: aws.String(ctxHdr)}); err != nil {
		t.Fatal(err)
	}
	t.Run("user encryption context kept", func(t *testing.T) {
		// HEAD does not state the context; the GenerateDataKey the rewrap made does.
		ueCheck(t, c, bucket, "with-context", "", key2, false)
		all := auditLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), "", "")
		gdk := findRecord(all, "GenerateDataKey", func(r map[string]any) bool {
			return field(r, "requestParameters.keyId") == key2 && field(r, "requestParameters.encryptionContext.project") != nil
		})
		wantFields(t, "GenerateDataKey of the rewrap", gdk, map[string]any{"requestParameters.encryptionContext.project": "ue",
			"requestParameters.encryptionContext.aws:s3:arn": "arn:aws:s3:::" + bucket + "/with-context", "userIdentity.invokedBy": "s3.amazonaws.com"})
	})
}

// ueRaw sends an UpdateObjectEncryption with a hand-made body (Content-MD5 unless noMD5).
func ueRaw(t testing.TB, endpoint, bucket, key, query, body string, noMD5 bool) rawResp {
	t.Helper()
	h := http.Header{}
	if !noMD5 {
		sum := md5.Sum([]byte(body))
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	}
	q := "encryption"
	if query != "" {
		q += "&" + query
	}
	return do(t, endpoint, rawReq{Method: "PUT", Path: "/" + bucket + "/" + s3Escape(key), Query: q, Header: h, Body: []byte(body)})
}

func ueBody(inner string) string {
	return `<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + inner + `</ObjectEncryption>`
}

// TestUpdateObjectEncryptionErrors: AWS's validation, in AWS's words, and that a refused
// request leaves the object as it was.
func TestUpdateObjectEncryptionErrors(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	keyID, key1 := sseCreateKey(t, kc, "ue errors")
	bucket := "ue-errors"
	mustCreateSSECBucket(t, c, bucket)
	mustPut(t, c, bucket, "obj", []byte("data"))
	ep := srv.HTTPSURL
	good := ueBody(`<SSE-KMS><KMSKeyArn>` + key1 + `</KMSKeyArn></SSE-KMS>`)
	account := strings.Split(key1, ":")[4]

	for _, tc := range []struct {
		name, query, body string
		noMD5             bool
		status            int
		code, msg         string
	}{
		{"no Content-MD5", "", good, true, 400, "InvalidRequest", "Missing required header for this request: Content-MD5"},
		{"empty body", "", "", false, 400, "MalformedXML", ""},
		{"not XML", "", "<ObjectEncryption><SSE-KMS>", false, 400, "MalformedXML", ""},
		{"wrong root", "", "<ServerSideEncryptionConfiguration/>", false, 400, "MalformedXML", ""},
		{"no member", "", ueBody(""), false, 400, "InvalidRequest", msgUENoType},
		{"SSE-S3 member", "", ueBody("<SSE-S3/>"), false, 400, "InvalidRequest", msgUENoType},
		{"SSE-C member", "", ueBody("<SSE-C/>"), false, 400, "InvalidRequest", msgUETargetType},
		{"DSSE-KMS member", "", ueBody("<DSSE-KMS><KMSKeyArn>" + key1 + "</KMSKeyArn></DSSE-KMS>"), false, 400, "InvalidRequest", msgUETargetType},
		{"no key ARN", "", ueBody("<SSE-KMS></SSE-KMS>"), false, 400, "InvalidRequest", msgUENoKeyARN},
		{"empty key ARN", "", ueBody("<SSE-KMS><KMSKeyArn></KMSKeyArn></SSE-KMS>"), false, 400, "InvalidRequest", msgUENoKeyARN},
		{"key id", "", ueBody("<SSE-KMS><KMSKeyArn>" + keyID + "</KMSKeyArn></SSE-KMS>"), false, 400, "InvalidRequest", msgUEBadKeyARN},
		{"alias name", "", ueBody("<SSE-KMS><KMSKeyArn>alias/aws/s3</KMSKeyArn></SSE-KMS>"), false, 400, "InvalidRequest", msgUEBadKeyARN},
		{"alias ARN", "", ueBody("<SSE-KMS><KMSKeyArn>arn:aws:kms:" + testRegion + ":" + account + ":alias/x</KMSKeyArn></SSE-KMS>"), false, 400, "InvalidRequest", msgUEBadKeyARN},
		{"bucket key not a boolean", "", ueBody("<SSE-KMS><KMSKeyArn>" + key1 + "</KMSKeyArn><BucketKeyEnabled>yes</BucketKeyEnabled></SSE-KMS>"), false, 400, "InvalidRequest", msgUEBucketKey},
		{"key of another account", "", ueBody("<SSE-KMS><KMSKeyArn>arn:aws:kms:" + testRegion + ":999999999999:key/" + keyID + "</KMSKeyArn></SSE-KMS>"), false, 403, "AccessDenied", msgUEKeyAccount},
		{"no such key", "", ueBody("<SSE-KMS><KMSKeyArn>arn:aws:kms:" + testRegion + ":" + account + ":key/00000000-0000-0000-0000-000000000000</KMSKeyArn></SSE-KMS>"), false, 400, "KMS.NotFoundException", ""},
		{"bad version id", "versionId=nonsense", good, false, 400, "InvalidArgument", "Invalid version id specified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ueRaw(t, ep, bucket, "obj", tc.query, tc.body, tc.noMD5)
			wantS3Error(t, tc.name, r, tc.status, tc.code, tc.msg)
			if s := ueSSEOf(t, c, bucket, "obj", ""); s.SSE != "AES256" {
				t.Errorf("refused request changed the object: %+v", s)
			}
		})
	}

	t.Run("no such object", func(t *testing.T) {
		wantAPIError(t, ueUpdate(c, bucket, "missing", "", key1, false), "NoSuchKey", 404)
		wantAPIError(t, ueUpdate(c, "ue-no-such-bucket", "k", "", key1, false), "NoSuchBucket", 404)
	})

	t.Run("SSE-C source", func(t *testing.T) {
		r := sseRaw(t, ep, "PUT", "/"+bucket+"/ssec", "", sseCK1.header(), []byte("customer keyed"))
		if r.Status != 200 {
			t.Fatalf("SSE-C PUT: %d %s", r.Status, r.Body)
		}
		wantS3Error(t, "SSE-C", ueRaw(t, ep, bucket, "ssec", "", good, false), 400, "InvalidRequest", msgUESourceType)
	})

	t.Run("SigV2", func(t *testing.T) {
		sum := md5.Sum([]byte(good))
		h := http.Header{"Content-MD5": {base64.StdEncoding.EncodeToString(sum[:])}}
		r := doReq(t, v2HeaderRequest(t, "PUT", ep, "/"+bucket+"/obj?encryption", []byte(good), h, testAccessKey, testSecretKey))
		wantS3Error(t, "SigV2", r, 400, "InvalidRequest", msgUESigV4)
	})

	t.Run("delete markers", func(t *testing.T) {
		vb := "ue-markers"
		mustCreateBucket(t, c, vb)
		enableVersioning(t, c, vb, types.BucketVersioningStatusEnabled)
		mustPut(t, c, vb, "k", []byte("x"))
		d, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(vb), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		wantAPIError(t, ueUpdate(c, vb, "k", "", key1, false), "NoSuchKey", 404)
		wantAPIError(t, ueUpdate(c, vb, "k", aws.ToString(d.VersionId), key1, false), "MethodNotAllowed", 405)
		wantAPIError(t, ueUpdate(c, vb, "k", "0123456789abcdef0123456789abcdef", key1, false), "NoSuchVersion", 404)
	})

	t.Run("object lock", func(t *testing.T) {
		lb := "ue-locked"
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(lb), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(lb), Key: aws.String("held"), Body: strings.NewReader("held"),
			ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		vid := aws.ToString(p.VersionId)
		wantUE := func(what string, err error) {
			t.Helper()
			sseSDKError(t, what, err, 403, "AccessDenied", msgUELocked)
		}
		wantUE("legal hold", ueUpdate(c, lb, "held", "", key1, false))
		if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(lb), Key: aws.String("held"), VersionId: aws.String(vid),
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(lb), Key: aws.String("held"), VersionId: aws.String(vid),
			Retention:         &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Hour))},
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
			t.Fatal(err)
		}
		wantUE("governance retention", ueUpdate(c, lb, "held", vid, key1, false))
		if s := ueSSEOf(t, c, lb, "held", vid); s.SSE != "AES256" {
			t.Errorf("locked object changed: %+v", s)
		}
		if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(lb), Key: aws.String("held"), VersionId: aws.String(vid),
			Retention: &types.ObjectLockRetention{}, BypassGovernanceRetention: aws.Bool(true), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}); err != nil {
			t.Fatal(err)
		}
		ueCheck(t, c, lb, "held", vid, key1, false)
	})
}

// TestUpdateObjectEncryptionPermissions: the caller needs s3:UpdateObjectEncryption and
// s3:PutObject on the object, kms:Decrypt on the old key and kms:GenerateDataKey on the
// new one; lacking any one, the call is refused and the object keeps its key. One audit
// record names both keys; the KMS calls S3 made have their own records.
func TestUpdateObjectEncryptionPermissions(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	root := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	_, key1 := sseCreateKey(t, kc, "ue perm one")
	_, key2 := sseCreateKey(t, kc, "ue perm two")
	bucket := "ue-perms"
	mustCreateBucket(t, root, bucket)
	if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("secret"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(key1)}); err != nil {
		t.Fatal(err)
	}
	iamRoot := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	objARN := "arn:aws:s3:::" + bucket + "/k"
	s3All := `["s3:UpdateObjectEncryption","s3:PutObject","s3:GetObject"]`
	for _, tc := range []struct {
		name, s3Actions, kmsActions string
		action, resource            string // the refused action and its resource
		s3Denial                    bool
	}{
		{"no s3:PutObject", `["s3:UpdateObjectEncryption","s3:GetObject"]`, `["kms:Decrypt","kms:GenerateDataKey"]`, "s3:PutObject", objARN, true},
		{"no s3:UpdateObjectEncryption", `["s3:PutObject","s3:GetObject"]`, `["kms:Decrypt","kms:GenerateDataKey"]`, "s3:UpdateObjectEncryption", objARN, true},
		{"no kms:Decrypt on the old key", s3All, `["kms:GenerateDataKey"]`, "kms:Decrypt", key1, false},
		{"no kms:GenerateDataKey on the new key", s3All, `["kms:Decrypt"]`, "kms:GenerateDataKey", key2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := authzUser(t, iamRoot, "ue-"+strings.ReplaceAll(strings.ReplaceAll(tc.name, " ", "-"), ":", ""),
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":`+tc.s3Actions+`,"Resource":"*"},{"Effect":"Allow","Action":`+tc.kmsActions+`,"Resource":"*"}]}`)
			err := ueUpdate(authzS3(t, srv.HTTPSURL, u), bucket, "k", "", key2, false)
			if tc.s3Denial {
				wantS3Denied(t, tc.name, err, s3DenyMsg(u.ARN, tc.action, tc.resource, whyNoIdentity(tc.action)))
			} else {
				wantS3Denied(t, tc.name, err, kmsDenyMsg(u.ARN, tc.action, tc.resource, whyNoIdentity(tc.action)))
			}
			if s := ueSSEOf(t, root, bucket, "k", ""); s.KeyID != key1 {
				t.Errorf("refused update changed the key: %+v", s)
			}
		})
	}

	u := authzUser(t, iamRoot, "ue-allowed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":`+s3All+
		`,"Resource":"*"},{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`)
	if err := ueUpdate(authzS3(t, srv.HTTPSURL, u), bucket, "k", "", key2, true); err != nil {
		t.Fatalf("allowed caller: %v", err)
	}
	if s := ueSSEOf(t, root, bucket, "k", ""); s.KeyID != key2 || !s.BucketKey {
		t.Errorf("after the allowed update: %+v", s)
	}

	all := auditLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), "", "")
	ok := findRecord(all, "UpdateObjectEncryption", func(r map[string]any) bool { return r["errorCode"] == nil })
	wantFields(t, "UpdateObjectEncryption", ok, map[string]any{
		"eventSource": "s3.amazonaws.com", "userIdentity.arn": u.ARN, "managementEvent": false, "readOnly": false,
		"requestParameters.bucketName": bucket, "requestParameters.key": "k",
		"requestParameters.ObjectEncryption.SSE-KMS.KMSKeyArn": key2, "requestParameters.ObjectEncryption.SSE-KMS.BucketKeyEnabled": true,
		"additionalEventData.previousEncryption.SSEAlgorithm": "aws:kms", "additionalEventData.previousEncryption.KMSKeyArn": key1,
		"additionalEventData.previousEncryption.BucketKeyEnabled": false, "additionalEventData.SSEApplied": "SSE_KMS"})
	denied := findRecord(all, "UpdateObjectEncryption", func(r map[string]any) bool { return r["errorCode"] == "AccessDenied" })
	wantFields(t, "refused UpdateObjectEncryption", denied, map[string]any{"errorCode": "AccessDenied"})
	for _, op := range []string{"Decrypt", "GenerateDataKey"} {
		rec := findRecord(all, op, func(r map[string]any) bool {
			return field(r, "userIdentity.arn") == u.ARN && r["errorCode"] == nil
		})
		wantFields(t, "KMS "+op+" made by S3", rec, map[string]any{"eventSource": "kms.amazonaws.com", "userIdentity.invokedBy": "s3.amazonaws.com"})
	}
}

// TestUpdateObjectEncryptionCLI: the aws CLI's update-object-encryption, over HTTP and
// HTTPS, for the current version and for one named by --version-id.
func TestUpdateObjectEncryptionCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	_, key1 := sseCreateKey(t, kc, "ue cli one")
	_, key2 := sseCreateKey(t, kc, "ue cli two")
	bucket := "ue-cli"
	mustCreateBucket(t, c, bucket)
	enableVersioning(t, c, bucket, types.BucketVersioningStatusEnabled)
	p1 := mustPut(t, c, bucket, "doc.txt", []byte("first"))
	mustPut(t, c, bucket, "doc.txt", []byte("second"))
	before, _ := ueSnapshot(t, c, bucket, "doc.txt", "")
	oldBefore, _ := ueSnapshot(t, c, bucket, "doc.txt", aws.ToString(p1.VersionId))

	out := srv.AWS(t, srv.HTTPURL, false, "s3api", "update-object-encryption", "--bucket", bucket, "--key", "doc.txt",
		"--object-encryption", `{"SSEKMS":{"KMSKeyArn":"`+key1+`","BucketKeyEnabled":true}}`)
	if strings.TrimSpace(out) != "" {
		t.Errorf("update-object-encryption printed %q", out)
	}
	after, sse := ueSnapshot(t, c, bucket, "doc.txt", "")
	ueSameState(t, "current version", before, after)
	if sse != (ueSSE{SSE: "aws:kms", KeyID: key1, BucketKey: true}) {
		t.Errorf("current version: %+v", sse)
	}
	srv.AWS(t, srv.HTTPSURL, false, "s3api", "update-object-encryption", "--bucket", bucket, "--key", "doc.txt",
		"--version-id", aws.ToString(p1.VersionId), "--object-encryption", `{"SSEKMS":{"KMSKeyArn":"`+key2+`"}}`)
	oldAfter, sse := ueSnapshot(t, c, bucket, "doc.txt", aws.ToString(p1.VersionId))
	ueSameState(t, "noncurrent version", oldBefore, oldAfter)
	if sse != (ueSSE{SSE: "aws:kms", KeyID: key2}) {
		t.Errorf("noncurrent version: %+v", sse)
	}
	head := srv.AWS(t, srv.HTTPURL, false, "s3api", "head-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", aws.ToString(p1.VersionId))
	if !strings.Contains(head, key2) {
		t.Errorf("head-object does not name the new key:\n%s", head)
	}
	out = srv.AWS(t, srv.HTTPURL, true, "s3api", "update-object-encryption", "--bucket", bucket, "--key", "doc.txt",
		"--object-encryption", `{"SSEKMS":{"KMSKeyArn":"alias/a-key-alias-not-an-arn"}}`)
	if !strings.Contains(out, "InvalidRequest") || !strings.Contains(out, msgUEBadKeyARN) {
		t.Errorf("alias refused with:\n%s", out)
	}
	_ = ctx
}
