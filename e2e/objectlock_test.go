package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Object Lock (docs/VERSIONS.md, "Object Lock"): WORM versions as S3 keeps them.

// lockBucket creates a bucket with Object Lock enabled.
func lockBucket(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket),
		ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatalf("CreateBucket %s with Object Lock: %v", bucket, err)
	}
}

func lockPut(t testing.TB, c *s3.Client, in *s3.PutObjectInput) string {
	t.Helper()
	if in.Body == nil {
		in.Body = bytes.NewReader([]byte("locked " + aws.ToString(in.Key)))
	}
	out, err := c.PutObject(context.Background(), in)
	if err != nil {
		t.Fatalf("PutObject %s: %v", aws.ToString(in.Key), err)
	}
	return aws.ToString(out.VersionId)
}

func deleteVersion(c *s3.Client, bucket, key, vid string, bypass bool) error {
	in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := c.DeleteObject(context.Background(), in)
	return err
}

func putRetention(c *s3.Client, bucket, key, vid string, mode types.ObjectLockRetentionMode, until time.Time, bypass bool) error {
	in := &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid),
		Retention: &types.ObjectLockRetention{Mode: mode, RetainUntilDate: aws.Time(until)}}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := c.PutObjectRetention(context.Background(), in)
	return err
}

// A COMPLIANCE version: nobody, the account root included, removes it or shortens its
// retention, bypass or not; it can be extended; a delete without a version id only adds a
// delete marker; once the date passes, the version can be deleted.
func TestObjectLockCompliance(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	const bucket, key = "vault", "ledger.csv"
	lockBucket(t, c, bucket)
	if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning of a lock bucket: %+v %v", v, err)
	}
	cfg, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil || cfg.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.ObjectLockConfiguration.Rule != nil {
		t.Fatalf("GetObjectLockConfiguration: %+v %v", cfg, err)
	}
	until := time.Now().Add(3 * time.Second).UTC().Truncate(time.Millisecond)
	vid := lockPut(t, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(until)})
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil || h.ObjectLockMode != types.ObjectLockModeCompliance || !aws.ToTime(h.ObjectLockRetainUntilDate).Equal(until) {
		t.Fatalf("HEAD lock headers: mode %q until %v (want %v) %v", h.ObjectLockMode, h.ObjectLockRetainUntilDate, until, err)
	}
	for _, bypass := range []bool{false, true} {
		wantAPIError(t, deleteVersion(c, bucket, key, vid, bypass), "AccessDenied", 403)
	}
	d, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), BypassGovernanceRetention: aws.Bool(true),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String(key), VersionId: aws.String(vid)}}}})
	if err != nil || len(d.Errors) != 1 || aws.ToString(d.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("DeleteObjects of a COMPLIANCE version: %+v %v", d, err)
	}
	wantAPIError(t, putRetention(c, bucket, key, vid, types.ObjectLockRetentionModeCompliance, until.Add(-time.Second), true), "AccessDenied", 403)
	wantAPIError(t, putRetention(c, bucket, key, vid, types.ObjectLockRetentionModeGovernance, until.Add(time.Hour), true), "AccessDenied", 403)
	_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key),
		VersionId: aws.String(vid), BypassGovernanceRetention: aws.Bool(true), Retention: &types.ObjectLockRetention{}})
	wantAPIError(t, err, "AccessDenied", 403)
	until = until.Add(2 * time.Second)
	if err := putRetention(c, bucket, key, vid, types.ObjectLockRetentionModeCompliance, until, false); err != nil {
		t.Fatalf("extending COMPLIANCE: %v", err)
	}
	r, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)})
	if err != nil || r.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(r.Retention.RetainUntilDate).Equal(until) {
		t.Fatalf("GetObjectRetention after extending: %+v %v", r, err)
	}
	// A delete without a version id is a delete marker; the locked version stays.
	dm, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil || !aws.ToBool(dm.DeleteMarker) {
		t.Fatalf("DeleteObject without a version: %+v %v", dm, err)
	}
	if body, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)}); string(body) != "locked "+key {
		t.Fatalf("locked version after the delete marker: %q", body)
	}
	// The delete marker itself is not locked.
	if err := deleteVersion(c, bucket, key, aws.ToString(dm.VersionId), false); err != nil {
		t.Fatalf("deleting the delete marker: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := deleteVersion(c, bucket, key, vid, false)
		if err == nil {
			break
		}
		if time.Now().Before(until) {
			wantAPIError(t, err, "AccessDenied", 403)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the version is still locked long after its date: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	if time.Now().Before(until) {
		t.Fatalf("the version was deleted before its retain-until date %v", until)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(vid)})
	wantAPIError(t, err, "", 404)
}

// GOVERNANCE gives way only to a caller allowed s3:BypassGovernanceRetention who asks to
// bypass it; the bucket's default retention applies to new versions.
func TestObjectLockGovernanceBypass(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	account := authzAccount(t, srv)
	root := authzS3(t, srv.HTTPURL, authzRoot(account))
	const bucket = "records"
	lockBucket(t, root, bucket)
	days := int32(1)
	if _, err := root.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: &days}}}}); err != nil {
		t.Fatalf("PutObjectLockConfiguration: %v", err)
	}
	cfg, err := root.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil || cfg.ObjectLockConfiguration.Rule == nil || cfg.ObjectLockConfiguration.Rule.DefaultRetention.Mode != types.ObjectLockRetentionModeGovernance ||
		aws.ToInt32(cfg.ObjectLockConfiguration.Rule.DefaultRetention.Days) != 1 {
		t.Fatalf("GetObjectLockConfiguration: %+v %v", cfg, err)
	}
	// The audit record carries the configuration.
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "PutObjectLockConfiguration")
	if len(recs) != 1 || field(recs[0], "requestParameters.ObjectLockConfiguration.Rule.DefaultRetention.Mode") != "GOVERNANCE" ||
		field(recs[0], "requestParameters.ObjectLockConfiguration.Rule.DefaultRetention.Days") != float64(1) {
		t.Fatalf("PutObjectLockConfiguration records: %v", recs)
	}
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	base := `"s3:PutObject","s3:GetObject","s3:GetObjectVersion","s3:DeleteObject","s3:DeleteObjectVersion","s3:PutObjectRetention","s3:GetObjectRetention"`
	res := `"arn:aws:s3:::` + bucket + `/*"`
	clerk := authzS3(t, srv.HTTPURL, authzUser(t, rootIAM, "clerk", authzAllow("["+base+"]", res)))
	officer := authzS3(t, srv.HTTPURL, authzUser(t, rootIAM, "officer", authzAllow("["+base+`,"s3:BypassGovernanceRetention"]`, res)))

	vids := map[string]string{}
	for _, k := range []string{"a", "b", "c"} {
		before := time.Now()
		vids[k] = lockPut(t, clerk, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		r, err := clerk.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil || r.Retention.Mode != types.ObjectLockRetentionModeGovernance ||
			aws.ToTime(r.Retention.RetainUntilDate).Before(before.Add(24*time.Hour-time.Second)) {
			t.Fatalf("default retention of %s: %+v %v", k, r, err)
		}
	}
	// Without the permission, asking to bypass changes nothing.
	wantAPIError(t, deleteVersion(clerk, bucket, "a", vids["a"], true), "AccessDenied", 403)
	wantAPIError(t, putRetention(clerk, bucket, "a", vids["a"], types.ObjectLockRetentionModeGovernance, time.Now().Add(time.Hour), true), "AccessDenied", 403)
	// With it, but without asking, neither.
	wantAPIError(t, deleteVersion(officer, bucket, "a", vids["a"], false), "AccessDenied", 403)
	wantAPIError(t, putRetention(officer, bucket, "a", vids["a"], types.ObjectLockRetentionModeGovernance, time.Now().Add(time.Hour), false), "AccessDenied", 403)
	// Extending needs no bypass.
	if err := putRetention(clerk, bucket, "a", vids["a"], types.ObjectLockRetentionModeGovernance, time.Now().Add(48*time.Hour), false); err != nil {
		t.Fatalf("extending GOVERNANCE: %v", err)
	}
	// Asking with the permission: shorten, then delete.
	if err := putRetention(officer, bucket, "a", vids["a"], types.ObjectLockRetentionModeGovernance, time.Now().Add(time.Hour), true); err != nil {
		t.Fatalf("shortening GOVERNANCE with bypass: %v", err)
	}
	if err := deleteVersion(officer, bucket, "a", vids["a"], true); err != nil {
		t.Fatalf("deleting a GOVERNANCE version with bypass: %v", err)
	}
	// DeleteObjects: the bypass applies per key, for the caller allowed it.
	del := &s3.DeleteObjectsInput{Bucket: aws.String(bucket), BypassGovernanceRetention: aws.Bool(true),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("b"), VersionId: aws.String(vids["b"])}}}}
	d, err := clerk.DeleteObjects(ctx, del)
	if err != nil || len(d.Errors) != 1 || aws.ToString(d.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("clerk's DeleteObjects with bypass: %+v %v", d, err)
	}
	d, err = officer.DeleteObjects(ctx, del)
	if err != nil || len(d.Errors) != 0 || len(d.Deleted) != 1 {
		t.Fatalf("officer's DeleteObjects with bypass: %+v %v", d, err)
	}
	// The account root is allowed the bypass.
	if err := deleteVersion(root, bucket, "c", vids["c"], true); err != nil {
		t.Fatalf("root deleting a GOVERNANCE version with bypass: %v", err)
	}
}

// A legal hold protects a version whatever its retention, until it is turned off.
func TestObjectLockLegalHold(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	const bucket = "evidence"
	lockBucket(t, c, bucket)
	plain := lockPut(t, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("plain")})
	_, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String("plain")})
	wantAPIError(t, err, "NoSuchObjectLockConfiguration", 404)
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String("plain")})
	wantAPIError(t, err, "NoSuchObjectLockConfiguration", 404)

	vid := lockPut(t, c, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("held"), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("held")})
	if err != nil || h.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn || h.ObjectLockMode != "" {
		t.Fatalf("HEAD of a held version: %+v %v", h, err)
	}
	wantAPIError(t, deleteVersion(c, bucket, "held", vid, true), "AccessDenied", 403)
	// A hold put on an existing version.
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String("plain"), VersionId: aws.String(plain),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatalf("PutObjectLegalHold ON: %v", err)
	}
	wantAPIError(t, deleteVersion(c, bucket, "plain", plain, false), "AccessDenied", 403)
	for _, k := range []struct{ key, vid string }{{"held", vid}, {"plain", plain}} {
		if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String(k.key), VersionId: aws.String(k.vid),
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
			t.Fatalf("PutObjectLegalHold OFF %s: %v", k.key, err)
		}
		g, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String(k.key), VersionId: aws.String(k.vid)})
		if err != nil || g.LegalHold.Status != types.ObjectLockLegalHoldStatusOff {
			t.Fatalf("GetObjectLegalHold %s: %+v %v", k.key, g, err)
		}
		if err := deleteVersion(c, bucket, k.key, k.vid, false); err != nil {
			t.Fatalf("deleting %s once its hold is off: %v", k.key, err)
		}
	}
}

// Lock headers and configurations are validated as S3 does, and refused on a bucket
// without Object Lock; Object Lock can be enabled on a versioned bucket; multipart uploads
// and copies carry the headers.
func TestObjectLockValidation(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	future := time.Now().Add(time.Hour)
	mustCreateBucket(t, c, "plain")
	mustPut(t, c, "plain", "src", []byte("source"))
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(future)})
	wantAPIError(t, err, "InvalidRequest", 400)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	wantAPIError(t, err, "InvalidRequest", 400)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), CopySource: aws.String("plain/src"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	wantAPIError(t, err, "InvalidRequest", 400)
	_, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("plain")})
	wantAPIError(t, err, "ObjectLockConfigurationNotFoundError", 404)
	_, err = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("plain"), Key: aws.String("src"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	wantAPIError(t, err, "InvalidRequest", 400)
	enable := &s3.PutObjectLockConfigurationInput{Bucket: aws.String("plain"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}}
	_, err = c.PutObjectLockConfiguration(ctx, enable)
	wantAPIError(t, err, "InvalidBucketState", 409)
	// Enabling on a versioned bucket is allowed (as AWS now does); versioning then stays.
	enableVersioning(t, c, "plain", types.BucketVersioningStatusEnabled)
	if _, err := c.PutObjectLockConfiguration(ctx, enable); err != nil {
		t.Fatalf("PutObjectLockConfiguration on a versioned bucket: %v", err)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("plain"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantAPIError(t, err, "InvalidBucketState", 409)

	bad := []struct {
		name       string
		days, yrs  *int32
		mode       types.ObjectLockRetentionMode
		code       string
		statusCode int
	}{
		{"zero days", aws.Int32(0), nil, types.ObjectLockRetentionModeGovernance, "InvalidArgument", 400},
		{"days and years", aws.Int32(1), aws.Int32(1), types.ObjectLockRetentionModeGovernance, "MalformedXML", 400},
		{"neither", nil, nil, types.ObjectLockRetentionModeGovernance, "MalformedXML", 400},
		{"bad mode", aws.Int32(1), nil, "FOREVER", "MalformedXML", 400},
	}
	for _, b := range bad {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("plain"),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: b.mode, Days: b.days, Years: b.yrs}}}})
		t.Run(b.name, func(t *testing.T) { wantAPIError(t, err, b.code, b.statusCode) })
	}

	headers := []struct {
		name string
		in   s3.PutObjectInput
	}{
		{"mode without date", s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeGovernance}},
		{"date without mode", s3.PutObjectInput{ObjectLockRetainUntilDate: aws.Time(future)}},
		{"date in the past", s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(-time.Minute))}},
		{"unknown mode", s3.PutObjectInput{ObjectLockMode: "FOREVER", ObjectLockRetainUntilDate: aws.Time(future)}},
		{"unknown legal hold", s3.PutObjectInput{ObjectLockLegalHoldStatus: "MAYBE"}},
	}
	for _, h := range headers {
		in := h.in
		in.Bucket, in.Key, in.Body = aws.String("plain"), aws.String("k"), strings.NewReader("x")
		_, err := c.PutObject(ctx, &in)
		t.Run(h.name, func(t *testing.T) { wantAPIError(t, err, "InvalidArgument", 400) })
	}
	err = putRetention(c, "plain", "src", "null", types.ObjectLockRetentionModeGovernance, time.Now().Add(-time.Minute), false)
	wantAPIError(t, err, "InvalidArgument", 400)

	// A multipart upload and a copy carry their lock headers into the new version.
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("plain"), Key: aws.String("mp"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(future)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload with lock headers: %v", err)
	}
	p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("plain"), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("plain"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("plain"), Key: aws.String("copy"), CopySource: aws.String("plain/src"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}); err != nil {
		t.Fatalf("CopyObject with a legal hold: %v", err)
	}
	r, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("plain"), Key: aws.String("mp")})
	if err != nil || r.Retention.Mode != types.ObjectLockRetentionModeGovernance {
		t.Fatalf("retention of the multipart object: %+v %v", r, err)
	}
	g, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("plain"), Key: aws.String("copy")})
	if err != nil || g.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("legal hold of the copy: %+v %v", g, err)
	}
}

// A trail delivers into a bucket with Object Lock (created and configured with the aws
// CLI): its log files get the bucket's default retention and cannot be deleted.
func TestObjectLockTrail(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	const bucket, trail = "locked-logs", "locked-trail"
	srv.AWS(t, srv.HTTPURL, false, "s3api", "create-bucket", "--bucket", bucket, "--object-lock-enabled-for-bucket")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-object-lock-configuration", "--bucket", bucket, "--object-lock-configuration",
		`{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Years":1}}}`)
	var cfg struct {
		ObjectLockConfiguration struct {
			ObjectLockEnabled string
			Rule              struct {
				DefaultRetention struct {
					Mode  string
					Years int
				}
			}
		}
	}
	out := srv.AWS(t, srv.HTTPURL, false, "s3api", "get-object-lock-configuration", "--bucket", bucket)
	if err := json.Unmarshal([]byte(out), &cfg); err != nil || cfg.ObjectLockConfiguration.Rule.DefaultRetention.Mode != "COMPLIANCE" ||
		cfg.ObjectLockConfiguration.Rule.DefaultRetention.Years != 1 {
		t.Fatalf("get-object-lock-configuration: %v\n%s", err, out)
	}
	mustCreateBucket(t, c, "work")
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "create-trail", "--name", trail, "--s3-bucket-name", bucket, "--enable-log-file-validation")
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "start-logging", "--name", trail)
	mustPut(t, c, "work", "one.txt", []byte("first"))
	flushTrail(t, srv, trail)
	logs := trailObjects(t, c, bucket, "/CloudTrail/")
	if len(logs) == 0 {
		t.Fatalf("no log file delivered into the locked bucket")
	}
	for _, k := range logs {
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil || h.ObjectLockMode != types.ObjectLockModeCompliance ||
			aws.ToTime(h.ObjectLockRetainUntilDate).Before(time.Now().AddDate(0, 11, 0)) {
			t.Fatalf("log file %s: mode %q until %v %v", k, h.ObjectLockMode, h.ObjectLockRetainUntilDate, err)
		}
		wantAPIError(t, deleteVersion(c, bucket, k, aws.ToString(h.VersionId), true), "AccessDenied", 403)
	}
	out = srv.AWS(t, srv.HTTPURL, false, "s3api", "get-object-retention", "--bucket", bucket, "--key", logs[0])
	if !strings.Contains(out, `"COMPLIANCE"`) {
		t.Fatalf("get-object-retention: %s", out)
	}
}
