package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// SSE-C is blocked on new buckets, as on S3 since April 2026 (docs/SSE.md): a test that
// writes SSE-C objects first allows SSE-C on its bucket with allowSSEC (the aws CLI form is
// allowSSECArgs), as a client of S3 must.

// allowSSECRule is a PutBucketEncryption rule that only sets BlockedEncryptionTypes NONE
// (the bucket's default encryption stays as it is).
func allowSSECRule() types.ServerSideEncryptionRule {
	return types.ServerSideEncryptionRule{BlockedEncryptionTypes: &types.BlockedEncryptionTypes{
		EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}}}
}

// allowSSEC allows SSE-C writes to bucket (PutBucketEncryption, BlockedEncryptionTypes NONE).
func allowSSEC(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	_, err := c.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{allowSSECRule()}}})
	if err != nil {
		t.Fatalf("allowing SSE-C on %s: %v", bucket, err)
	}
}

// allowSSECArgs is the aws CLI command that allows SSE-C writes to bucket.
func allowSSECArgs(bucket string) []string {
	return []string{"s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration",
		`{"Rules":[{"BlockedEncryptionTypes":{"EncryptionType":["NONE"]}}]}`}
}

// mustCreateSSECBucket creates bucket and allows SSE-C writes to it.
func mustCreateSSECBucket(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	mustCreateBucket(t, c, bucket)
	allowSSEC(t, c, bucket)
}

// ssecBlockedMsg is S3's answer to an SSE-C write on a bucket that blocks SSE-C: 403
// AccessDenied in S3's generic words.
const ssecBlockedMsg = "Access Denied"

// blockedTypes returns the BlockedEncryptionTypes GetBucketEncryption shows for bucket
// (nil: the element is absent).
func blockedTypes(t testing.TB, c *s3.Client, bucket string) (alg types.ServerSideEncryption, blocked []types.EncryptionType) {
	t.Helper()
	got, err := c.GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("GetBucketEncryption %s: %v", bucket, err)
	}
	rules := got.ServerSideEncryptionConfiguration.Rules
	if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault == nil {
		t.Fatalf("GetBucketEncryption %s: %d rules, want 1 with a default", bucket, len(rules))
	}
	r := rules[0]
	if r.BlockedEncryptionTypes != nil {
		blocked = r.BlockedEncryptionTypes.EncryptionType
		if blocked == nil {
			blocked = []types.EncryptionType{}
		}
	}
	return r.ApplyServerSideEncryptionByDefault.SSEAlgorithm, blocked
}

func wantBlocked(t testing.TB, what string, c *s3.Client, bucket string, wantAlg types.ServerSideEncryption, want ...types.EncryptionType) {
	t.Helper()
	alg, got := blockedTypes(t, c, bucket)
	if alg != wantAlg {
		t.Errorf("%s: GetBucketEncryption SSEAlgorithm %q, want %q", what, alg, wantAlg)
	}
	if want == nil {
		if got != nil {
			t.Errorf("%s: GetBucketEncryption BlockedEncryptionTypes %v, want none", what, got)
		}
		return
	}
	if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
		t.Errorf("%s: GetBucketEncryption BlockedEncryptionTypes %v, want %v", what, got, want)
	}
}

// ssecWrites tries every SSE-C write on bucket (PutObject, CopyObject to an SSE-C
// destination, CreateMultipartUpload) and returns their errors by name; "plain" must hold
// an object to copy from.
func ssecWrites(c *s3.Client, bucket, key string) map[string]error {
	ctx := context.Background()
	mc := sseMode{C: &sseCK1}
	errs := map[string]error{}
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("ssec")}
	mc.put(in)
	_, errs["PutObject"] = c.PutObject(ctx, in)
	cp := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + "-copy"), CopySource: aws.String(bucket + "/plain")}
	mc.copyDst(cp)
	_, errs["CopyObject"] = c.CopyObject(ctx, cp)
	cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key + "-mpu")}
	mc.create(cin)
	out, err := c.CreateMultipartUpload(ctx, cin)
	errs["CreateMultipartUpload"] = err
	if err == nil {
		c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key + "-mpu"), UploadId: out.UploadId})
	}
	return errs
}

func wantSSECRefused(t testing.TB, what string, c *s3.Client, bucket, key string) {
	t.Helper()
	for op, err := range ssecWrites(c, bucket, key) {
		sseSDKError(t, what+": SSE-C "+op, err, 403, "AccessDenied", ssecBlockedMsg)
	}
	ctx := context.Background()
	for _, k := range []string{key, key + "-copy"} {
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err == nil {
			t.Errorf("%s: a refused SSE-C write created %s", what, k)
		}
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Errorf("%s: a refused SSE-C CreateMultipartUpload left %d uploads", what, len(ups.Uploads))
	}
}

func wantSSECAllowed(t testing.TB, what string, c *s3.Client, bucket, key string) {
	t.Helper()
	for op, err := range ssecWrites(c, bucket, key) {
		if err != nil {
			t.Errorf("%s: SSE-C %s: %v", what, op, err)
		}
	}
}

// TestSSECBlockedOnNewBucket: a new bucket shows BlockedEncryptionTypes SSE-C and refuses
// every SSE-C write with 403 AccessDenied, writing nothing; other writes go through; NONE
// allows SSE-C; a rule without the element keeps the setting, DeleteBucketEncryption too;
// blocking again keeps existing SSE-C objects readable (and copyable); the refusals are
// audited.
func TestSSECBlockedOnNewBucket(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	const bucket = "ssec-new"
	mustCreateBucket(t, c, bucket)
	wantBlocked(t, "new bucket", c, bucket, types.ServerSideEncryptionAes256, types.EncryptionTypeSseC)
	mustPut(t, c, bucket, "plain", []byte("plain"))
	wantSSECRefused(t, "new bucket", c, bucket, "refused")

	// The exact error document, over a raw request.
	resp := sseRaw(t, srv.HTTPSURL, http.MethodPut, "/"+bucket+"/raw", "", sseCK1.header(), []byte("x"))
	sseCheckError(t, "raw SSE-C PUT on a new bucket", http.MethodPut, resp, sseWant{Status: 403, Code: "AccessDenied", Msg: ssecBlockedMsg})
	// Other encryption is not blocked.
	sin := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("s3"), Body: strings.NewReader("x"), ServerSideEncryption: types.ServerSideEncryptionAes256}
	if _, err := c.PutObject(ctx, sin); err != nil {
		t.Errorf("SSE-S3 PUT on a new bucket: %v", err)
	}
	kin := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("kms"), Body: strings.NewReader("x"), ServerSideEncryption: types.ServerSideEncryptionAwsKms}
	if _, err := c.PutObject(ctx, kin); err != nil {
		t.Errorf("SSE-KMS PUT on a new bucket: %v", err)
	}

	// NONE allows SSE-C; the default stays SSE-S3.
	allowSSEC(t, c, bucket)
	wantBlocked(t, "after NONE", c, bucket, types.ServerSideEncryptionAes256, types.EncryptionTypeNone)
	wantSSECAllowed(t, "after NONE", c, bucket, "allowed")
	// A rule without BlockedEncryptionTypes changes the default and keeps the setting.
	ssePutBucketEncryption(t, c, bucket, sseKMSRule("", false))
	wantBlocked(t, "aws:kms rule without BlockedEncryptionTypes", c, bucket, types.ServerSideEncryptionAwsKms, types.EncryptionTypeNone)
	wantSSECAllowed(t, "aws:kms rule without BlockedEncryptionTypes", c, bucket, "allowed2")

	// An SSE-C multipart upload begun while SSE-C is allowed.
	mc := sseMode{C: &sseCK1}
	cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu-open")}
	mc.create(cin)
	up, err := c.CreateMultipartUpload(ctx, cin)
	if err != nil {
		t.Fatal(err)
	}

	// Blocking again: writes refused, SSE-C objects written before still read and copy, and
	// the upload begun before goes on (S3 blocks the upload's creation).
	rule := sseS3Rule()
	rule.BlockedEncryptionTypes = &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeSseC}}
	ssePutBucketEncryption(t, c, bucket, rule)
	wantBlocked(t, "blocked again", c, bucket, types.ServerSideEncryptionAes256, types.EncryptionTypeSseC)
	wantSSECRefused(t, "blocked again", c, bucket, "refused2")
	pin := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mpu-open"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part one")}
	mc.part(pin)
	part, err := c.UploadPart(ctx, pin)
	if err != nil {
		t.Fatalf("UploadPart of an SSE-C upload begun before the block: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu-open"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
		t.Errorf("completing an SSE-C upload begun before the block: %v", err)
	}
	gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("allowed")}
	mc.get(gin)
	if b, _ := mustGet(t, c, gin); string(b) != "ssec" {
		t.Errorf("SSE-C object written before the block reads %q", b)
	}
	hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("allowed")}
	mc.head(hin)
	if _, err := c.HeadObject(ctx, hin); err != nil {
		t.Errorf("HEAD of an SSE-C object on a blocking bucket: %v", err)
	}
	cp := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("from-ssec"), CopySource: aws.String(bucket + "/allowed")}
	mc.copySrc(cp)
	if _, err := c.CopyObject(ctx, cp); err != nil {
		t.Errorf("copying an SSE-C object to SSE-S3 on a blocking bucket: %v", err)
	}

	// DeleteBucketEncryption resets the default, not the block.
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	wantBlocked(t, "after DeleteBucketEncryption", c, bucket, types.ServerSideEncryptionAes256, types.EncryptionTypeSseC)
	wantSSECRefused(t, "after DeleteBucketEncryption", c, bucket, "refused3")

	// Invalid lists: MalformedXML, and nothing changes.
	for _, bad := range [][]types.EncryptionType{{"SSE-KMS"}, {"sse-c"}, {types.EncryptionTypeNone, types.EncryptionTypeSseC}} {
		r := allowSSECRule()
		r.BlockedEncryptionTypes.EncryptionType = bad
		_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{r}}})
		sseSDKError(t, "BlockedEncryptionTypes "+strings.Join(encTypes(bad), ","), err, 400, "MalformedXML", "")
	}
	wantBlocked(t, "after refused configurations", c, bucket, types.ServerSideEncryptionAes256, types.EncryptionTypeSseC)

	// The refusals are in the audit trail as denied writes.
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "PutObject")
	rec := findRecord(recs, "PutObject", func(r map[string]any) bool { return field(r, "requestParameters.key") == "refused" })
	wantFields(t, "audit record of a refused SSE-C PutObject", rec, map[string]any{
		"errorCode": "AccessDenied", "errorMessage": ssecBlockedMsg, "requestParameters.bucketName": bucket,
	})
	recs = auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "CreateMultipartUpload")
	rec = findRecord(recs, "CreateMultipartUpload", func(r map[string]any) bool { return field(r, "requestParameters.key") == "refused-mpu" })
	wantFields(t, "audit record of a refused SSE-C CreateMultipartUpload", rec, map[string]any{"errorCode": "AccessDenied"})
	recs = auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "PutBucketEncryption")
	if len(recs) < 4 {
		t.Errorf("%d PutBucketEncryption records, want at least 4", len(recs))
	}
}

func encTypes(ts []types.EncryptionType) []string {
	var s []string
	for _, t := range ts {
		s = append(s, string(t))
	}
	return s
}

// TestSSECAllowedOnBucketsFromBeforeTheUpgrade: a bucket whose record was written without
// the block (here by a server with --compat-ssec-allowed-by-default, which writes the record
// exactly as Arca did before new buckets blocked SSE-C) keeps accepting SSE-C after a restart
// without the flag, while buckets created from then on block it. With the flag, new buckets
// accept SSE-C and GetBucketEncryption shows no block.
func TestSSECAllowedOnBucketsFromBeforeTheUpgrade(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := StartServerAt(t, dir, "--compat-ssec-allowed-by-default")
	c := sdk(t, srv, srv.HTTPSURL)
	const old = "ssec-old"
	mustCreateBucket(t, c, old)
	wantBlocked(t, "bucket created with the compat flag", c, old, types.ServerSideEncryptionAes256)
	mustPut(t, c, old, "plain", []byte("plain"))
	wantSSECAllowed(t, "bucket created with the compat flag", c, old, "before")
	srv.Stop()

	srv = StartServerAt(t, dir)
	c = sdk(t, srv, srv.HTTPSURL)
	wantBlocked(t, "old bucket after the upgrade", c, old, types.ServerSideEncryptionAes256)
	wantSSECAllowed(t, "old bucket after the upgrade", c, old, "after")
	mc := sseMode{C: &sseCK1}
	gin := &s3.GetObjectInput{Bucket: aws.String(old), Key: aws.String("before")}
	mc.get(gin)
	if b, _ := mustGet(t, c, gin); !bytes.Equal(b, []byte("ssec")) {
		t.Errorf("SSE-C object from before the upgrade reads %q", b)
	}
	const fresh = "ssec-fresh"
	mustCreateBucket(t, c, fresh)
	mustPut(t, c, fresh, "plain", []byte("plain"))
	wantBlocked(t, "bucket created after the upgrade", c, fresh, types.ServerSideEncryptionAes256, types.EncryptionTypeSseC)
	wantSSECRefused(t, "bucket created after the upgrade", c, fresh, "x")
}

// TestSSECBlockedCLI: the aws CLI's SSE-C upload to a new bucket is refused until the
// bucket allows SSE-C with the command the README gives.
func TestSSECBlockedCLI(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	srv := StartServer(t)
	ep := srv.HTTPSURL
	srv.AWS(t, ep, false, "s3", "mb", "s3://ssec-cli")
	out := srv.AWS(t, ep, false, "s3api", "get-bucket-encryption", "--bucket", "ssec-cli")
	if !strings.Contains(out, `"SSE-C"`) {
		t.Errorf("get-bucket-encryption on a new bucket:\n%s\nwant BlockedEncryptionTypes SSE-C", out)
	}
	key := strings.Repeat("k", 32)
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("ssec"), 0o600); err != nil {
		t.Fatal(err)
	}
	out = srv.AWS(t, ep, true, "s3api", "put-object", "--bucket", "ssec-cli", "--key", "a", "--body", body,
		"--sse-customer-algorithm", "AES256", "--sse-customer-key", key)
	if !strings.Contains(out, "AccessDenied") {
		t.Errorf("SSE-C put-object on a new bucket:\n%s\nwant AccessDenied", out)
	}
	srv.AWS(t, ep, false, allowSSECArgs("ssec-cli")...)
	srv.AWS(t, ep, false, "s3api", "put-object", "--bucket", "ssec-cli", "--key", "a", "--body", body,
		"--sse-customer-algorithm", "AES256", "--sse-customer-key", key)
	out = srv.AWS(t, ep, false, "s3api", "get-bucket-encryption", "--bucket", "ssec-cli")
	if !strings.Contains(out, `"NONE"`) {
		t.Errorf("get-bucket-encryption after allowing SSE-C:\n%s\nwant BlockedEncryptionTypes NONE", out)
	}
}

// TestSSECBlockedLegacyEncryption: with --compat-legacy-bucket-encryption alone a new
// bucket's GetBucketEncryption is the pre-2023 404 (its configuration only blocks SSE-C),
// and SSE-C writes are still refused; with both compat flags SSE-C is accepted.
func TestSSECBlockedLegacyEncryption(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args    []string
		blocked bool
	}{
		{[]string{"--compat-legacy-bucket-encryption"}, true},
		{[]string{"--compat-legacy-bucket-encryption", "--compat-ssec-allowed-by-default"}, false},
	} {
		srv := StartServer(t, tc.args...)
		c := sdk(t, srv, srv.HTTPSURL)
		const bucket = "ssec-legacy"
		mustCreateBucket(t, c, bucket)
		_, err := c.GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		sseSDKError(t, strings.Join(tc.args, " ")+": GetBucketEncryption of a new bucket", err, 404, "ServerSideEncryptionConfigurationNotFoundError", "")
		mustPut(t, c, bucket, "plain", []byte("plain"))
		if tc.blocked {
			wantSSECRefused(t, strings.Join(tc.args, " "), c, bucket, "x")
		} else {
			wantSSECAllowed(t, strings.Join(tc.args, " "), c, bucket, "x")
		}
		srv.Stop()
	}
}
