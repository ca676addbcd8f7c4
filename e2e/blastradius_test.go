package e2e

// The blast radius of a KMS key (ArcaGetKeyBlastRadius, `arca kms blast-radius`) and the
// deletion guard (--kms-deletion-guard) driven by a real server, aws-sdk-go-v2 and the aws
// CLI (docs/BLAST-RADIUS.md).

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// brReport is the part of `arca kms blast-radius --json` the tests read.
type brReport struct {
	KeyId, KeyArn, KeyState string
	DeletionDate            float64
	Objects, Bytes, Uploads int64
	Buckets                 []struct {
		Name                             string
		Objects, Bytes, BucketKeyObjects int64
	}
	DefaultEncryption []struct {
		Bucket    string
		BucketKey bool
	}
	Trails      []struct{ Name, Bucket string }
	Inventories []struct{ Bucket, Id, DestinationBucket, Via string }
	AccessLogs  []struct{ SourceBucket, TargetBucket string }
}

// blastRadiusJSON runs `arca kms blast-radius KEY --json` as the root.
func blastRadiusJSON(t *testing.T, srv *Server, key string) brReport {
	t.Helper()
	out, err := arcaAs(testAccessKey, testSecretKey, "kms", "blast-radius", key, "--endpoint", srv.HTTPURL, "--json")
	if err != nil {
		t.Fatalf("arca kms blast-radius %s: %v\n%s", key, err, out)
	}
	var r brReport
	if err := json.Unmarshal([]byte(out), &r); err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("arca kms blast-radius --json printed %q, not one JSON object (%v)", out, err)
	}
	return r
}

// brPut writes one object with the given SSE-KMS key ("" = the bucket default).
func brPut(t *testing.T, c *s3.Client, bucket, key, kmsKey string, size int) {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(randBytes(size, int64(size)))}
	if kmsKey != "" {
		in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(kmsKey)
	}
	if _, err := c.PutObject(context.Background(), in); err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
}

// TestBlastRadiusAndGuard: objects under a key in two buckets (SSE-KMS named per request,
// and by the bucket default with a bucket key; noncurrent versions; a multipart object; an
// in-progress upload) give exact counts and bytes, with the bucket default, a trail and an
// inventory configuration naming the key; objects under other keys and SSE-S3, and delete
// markers, are not counted. With the guard on, the aws CLI's schedule-key-deletion and
// disable-key are refused naming the count, then allowed once the key carries the force tag.
func TestBlastRadiusAndGuard(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t, "--kms-deletion-guard")
	ctx := context.Background()
	kc := sseKMS(t, srv)
	c := sdk(t, srv, srv.HTTPURL)
	keyID, keyARN := sseCreateKey(t, kc, "blast radius")
	sseCreateAlias(t, kc, "alias/br-key", keyID)
	otherID, _ := sseCreateKey(t, kc, "another key")

	// br-one: versioned; two versions under the key, one under another key, one SSE-S3,
	// a delete marker, an in-progress upload under the key.
	mustCreateBucket(t, c, "br-one")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("br-one"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	brPut(t, c, "br-one", "doc", keyARN, 100)
	brPut(t, c, "br-one", "doc", keyID, 200)
	brPut(t, c, "br-one", "other", otherID, 50)
	brPut(t, c, "br-one", "plain", "", 70)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("br-one"), Key: aws.String("doc")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("br-one"), Key: aws.String("pending"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/br-key")}); err != nil {
		t.Fatal(err)
	}

	// br-two: default SSE-KMS under the alias with a bucket key; three objects by default,
	// one multipart object (5 MiB + 3 bytes) under the key (the bucket key wraps all four).
	mustCreateBucket(t, c, "br-two")
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("br-two"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String("alias/br-key")}, BucketKeyEnabled: aws.Bool(true)}}}}); err != nil {
		t.Fatal(err)
	}
	for i, n := range []int{10, 20, 30} {
		brPut(t, c, "br-two", "d"+string(rune('a'+i)), "", n)
	}
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("br-two"), Key: aws.String("big"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyARN)})
	if err != nil {
		t.Fatal(err)
	}
	var parts []s3types.CompletedPart
	for i, n := range []int{5 << 20, 3} {
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("br-two"), Key: aws.String("big"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(randBytes(n, int64(i)))})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("br-two"), Key: aws.String("big"),
		UploadId: mp.UploadId, MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}

	// br-logs: a trail (not logging, so it writes nothing) and a disabled inventory
	// configuration of br-one whose reports are SSE-KMS under the key.
	mustCreateBucket(t, c, "br-logs")
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "create-trail", "--name", "br-trail", "--s3-bucket-name", "br-logs", "--kms-key-id", "alias/br-key")
	inv := minInventory("br-inv")
	inv.Destination.S3BucketDestination.Bucket = aws.String("arn:aws:s3:::br-logs")
	inv.Destination.S3BucketDestination.Encryption = &s3types.InventoryEncryption{SSEKMS: &s3types.SSEKMS{KeyId: aws.String(keyARN)}}
	if err := putInventory(c, "br-one", "br-inv", inv); err != nil {
		t.Fatal(err)
	}

	const big = 5<<20 + 3
	wantObjects, wantBytes := int64(2+3+1), int64(100+200+10+20+30+big)
	for _, ref := range []string{"alias/br-key", keyID, keyARN} {
		r := blastRadiusJSON(t, srv, ref)
		if r.KeyArn != keyARN || r.KeyId != keyID || r.KeyState != "Enabled" {
			t.Errorf("%s: key %s %s %s", ref, r.KeyId, r.KeyArn, r.KeyState)
		}
		if r.Objects != wantObjects || r.Bytes != wantBytes || r.Uploads != 1 {
			t.Errorf("%s: Objects %d Bytes %d Uploads %d, want %d %d 1", ref, r.Objects, r.Bytes, r.Uploads, wantObjects, wantBytes)
		}
		if len(r.Buckets) != 2 || r.Buckets[0].Name != "br-one" || r.Buckets[0].Objects != 2 || r.Buckets[0].Bytes != 300 ||
			r.Buckets[1].Name != "br-two" || r.Buckets[1].Objects != 4 || r.Buckets[1].Bytes != 60+big || r.Buckets[1].BucketKeyObjects != 4 {
			t.Errorf("%s: Buckets %+v", ref, r.Buckets)
		}
		if len(r.DefaultEncryption) != 1 || r.DefaultEncryption[0].Bucket != "br-two" || !r.DefaultEncryption[0].BucketKey {
			t.Errorf("%s: DefaultEncryption %+v", ref, r.DefaultEncryption)
		}
		if len(r.Trails) != 1 || r.Trails[0].Name != "br-trail" || r.Trails[0].Bucket != "br-logs" {
			t.Errorf("%s: Trails %+v", ref, r.Trails)
		}
		if len(r.Inventories) != 1 || r.Inventories[0].Bucket != "br-one" || r.Inventories[0].Id != "br-inv" ||
			r.Inventories[0].DestinationBucket != "br-logs" || r.Inventories[0].Via != "InventoryEncryption" {
			t.Errorf("%s: Inventories %+v", ref, r.Inventories)
		}
	}
	// The table names the buckets and the totals.
	table, err := arcaAs(testAccessKey, testSecretKey, "kms", "blast-radius", "alias/br-key", "--endpoint", srv.HTTPURL)
	if err != nil || !strings.Contains(table, "Protects 6 object versions") || !strings.Contains(table, "br-two") || !strings.Contains(table, "br-trail") {
		t.Errorf("table: %v\n%s", err, table)
	}

	// The guard refuses, naming the count, with KMSInvalidStateException.
	refusal := "still protects 6 objects"
	out := srv.AWS(t, srv.HTTPURL, true, "kms", "schedule-key-deletion", "--key-id", keyID, "--pending-window-in-days", "7")
	if !strings.Contains(out, "(KMSInvalidStateException)") || !strings.Contains(out, refusal) || !strings.Contains(out, "arca:allow-deletion=true") {
		t.Errorf("schedule-key-deletion under the guard: %s", out)
	}
	// Input errors come first, as on AWS: a window out of range is a ValidationException.
	if out := srv.AWS(t, srv.HTTPURL, true, "kms", "schedule-key-deletion", "--key-id", keyID, "--pending-window-in-days", "3"); !strings.Contains(out, "(ValidationException)") {
		t.Errorf("schedule-key-deletion with a 3-day window: %s", out)
	}
	out = srv.AWS(t, srv.HTTPURL, true, "kms", "disable-key", "--key-id", keyARN)
	if !strings.Contains(out, "(KMSInvalidStateException)") || !strings.Contains(out, refusal) {
		t.Errorf("disable-key under the guard: %s", out)
	}
	if d, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)}); err != nil || string(d.KeyMetadata.KeyState) != "Enabled" {
		t.Fatalf("after the refusals: %v %+v", err, d)
	}
	// The refusals and the blast radius calls are on record as KMS calls.
	recs := srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "lookup-events", "--lookup-attributes",
		"AttributeKey=EventSource,AttributeValue=kms.amazonaws.com", "--max-results", "50", "--output", "json")
	for _, want := range []string{`\"eventName\":\"ArcaGetKeyBlastRadius\"`, `\"eventName\":\"ScheduleKeyDeletion\"`,
		`\"eventName\":\"DisableKey\"`, `\"errorCode\":\"KMSInvalidStateException\"`} {
		if !strings.Contains(recs, want) {
			t.Errorf("KMS records lack %s:\n%s", want, recs)
		}
	}
	// An AWS managed key is refused by KMS itself, never by the guard.
	managed := sseAWSManagedKey(t, kc)
	brPut(t, c, "br-logs", "managed", managed, 5)
	if out := srv.AWS(t, srv.HTTPURL, true, "kms", "disable-key", "--key-id", managed); strings.Contains(out, "still protects") {
		t.Errorf("disable-key of aws/s3: %s", out)
	}
	// A key that protects nothing is not guarded.
	srv.AWS(t, srv.HTTPURL, false, "kms", "disable-key", "--key-id", mustKey(t, kc))

	// The force: tag the key, then both go through (crypto-shredding on purpose).
	srv.AWS(t, srv.HTTPURL, false, "kms", "tag-resource", "--key-id", keyID, "--tags", "TagKey=arca:allow-deletion,TagValue=true")
	srv.AWS(t, srv.HTTPURL, false, "kms", "disable-key", "--key-id", keyID)
	srv.AWS(t, srv.HTTPURL, false, "kms", "schedule-key-deletion", "--key-id", keyID, "--pending-window-in-days", "7")
	r := blastRadiusJSON(t, srv, keyID)
	if r.KeyState != "PendingDeletion" || r.DeletionDate == 0 || r.Objects != wantObjects {
		t.Errorf("after scheduling: %+v", r)
	}
}

// mustKey creates a key and returns its id.
func mustKey(t *testing.T, kc *kms.Client) string {
	id, _ := sseCreateKey(t, kc, "unused")
	return id
}

// TestBlastRadiusGuardOff: without --kms-deletion-guard a key that protects objects is
// disabled and scheduled for deletion as on AWS.
func TestBlastRadiusGuardOff(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t)
	kc := sseKMS(t, srv)
	c := sdk(t, srv, srv.HTTPURL)
	keyID, _ := sseCreateKey(t, kc, "unguarded")
	mustCreateBucket(t, c, "br-off")
	brPut(t, c, "br-off", "a", keyID, 10)
	if r := blastRadiusJSON(t, srv, keyID); r.Objects != 1 || r.Bytes != 10 {
		t.Fatalf("blast radius %+v", r)
	}
	// A bucket whose access logs go to a bucket whose default encryption is the key.
	if _, err := c.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String("br-off"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(keyID)}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String("br-off"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::br-off/logs/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, c, "br-src")
	if _, err := c.PutBucketLogging(context.Background(), &s3.PutBucketLoggingInput{Bucket: aws.String("br-src"),
		BucketLoggingStatus: &s3types.BucketLoggingStatus{LoggingEnabled: &s3types.LoggingEnabled{
			TargetBucket: aws.String("br-off"), TargetPrefix: aws.String("logs/")}}}); err != nil {
		t.Logf("PutBucketLogging: %v (access logs not available: not checked)", err)
	} else if r := blastRadiusJSON(t, srv, keyID); len(r.AccessLogs) != 1 || r.AccessLogs[0].SourceBucket != "br-src" || r.AccessLogs[0].TargetBucket != "br-off" {
		t.Errorf("AccessLogs %+v", r.AccessLogs)
	}
	srv.AWS(t, srv.HTTPURL, false, "kms", "disable-key", "--key-id", keyID)
	srv.AWS(t, srv.HTTPURL, false, "kms", "schedule-key-deletion", "--key-id", keyID, "--pending-window-in-days", "7")
}

// TestBlastRadiusDenied: a caller whose policies do not allow kms:DescribeKey on the key is
// refused the blast radius (AccessDeniedException); one allowed only kms:DescribeKey gets
// it but is refused ScheduleKeyDeletion as AWS refuses it, before the guard says anything.
func TestBlastRadiusDenied(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t, "--kms-deletion-guard")
	kc := sseKMS(t, srv)
	c := sdk(t, srv, srv.HTTPURL)
	keyID, keyARN := sseCreateKey(t, kc, "denied")
	mustCreateBucket(t, c, "br-denied")
	brPut(t, c, "br-denied", "a", keyID, 10)
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	none := authzUser(t, root, "br-none", authzAllow(`"s3:*"`, `"*"`))
	out, err := arcaAs(none.AK, none.SK, "kms", "blast-radius", keyID, "--endpoint", srv.HTTPURL, "--json")
	if err == nil || !strings.Contains(out, "AccessDeniedException") || !strings.Contains(out, "kms:DescribeKey") {
		t.Errorf("blast radius without kms:DescribeKey: %v\n%s", err, out)
	}
	reader := authzUser(t, root, "br-reader", authzAllow(`"kms:DescribeKey"`, `"`+keyARN+`"`))
	out, err = arcaAs(reader.AK, reader.SK, "kms", "blast-radius", keyID, "--endpoint", srv.HTTPURL, "--json")
	if err != nil || !strings.Contains(out, `"Objects":1`) {
		t.Errorf("blast radius with kms:DescribeKey: %v\n%s", err, out)
	}
	out = awsCLIAs(t, srv.HTTPURL, reader.AK, reader.SK, true, "kms", "schedule-key-deletion", "--key-id", keyID)
	if !strings.Contains(out, "AccessDeniedException") || strings.Contains(out, "still protects") {
		t.Errorf("schedule-key-deletion without permission: %s", out)
	}
}

// TestBlastRadiusCrossAccount: objects another account wrote under the key (its bucket's
// default names the key by alias ARN) are in the key owner's blast radius and hold the
// guard; the other account may not ask for the blast radius of a key it does not own.
func TestBlastRadiusCrossAccount(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t, "--kms-deletion-guard")
	ctx := context.Background()
	acctA := authzAccount(t, srv)
	acctB, akB, skB := createAccount(t, srv, "br-bravo")
	rootB := authzCreds{ARN: "arn:aws:iam::" + acctB + ":root", AK: akB, SK: skB}
	kA := sseKMS(t, srv)
	created, err := kA.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("shared"),
		Policy: aws.String(xacctKeyPolicy(acctA, "arn:aws:iam::"+acctB+":root", "kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"))})
	if err != nil {
		t.Fatal(err)
	}
	keyID, keyARN := aws.ToString(created.KeyMetadata.KeyId), aws.ToString(created.KeyMetadata.Arn)
	sseCreateAlias(t, kA, "alias/br-shared", keyID)

	cB := authzS3(t, srv.HTTPURL, rootB)
	mustCreateBucket(t, cB, "br-xb")
	if _, err := cB.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("br-xb"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String("arn:aws:kms:" + testRegion + ":" + acctA + ":alias/br-shared")}}}}}); err != nil {
		t.Fatal(err)
	}
	brPut(t, cB, "br-xb", "one", "", 11)
	brPut(t, cB, "br-xb", "two", "", 22)

	r := blastRadiusJSON(t, srv, keyID)
	if r.Objects != 2 || r.Bytes != 33 || len(r.Buckets) != 1 || r.Buckets[0].Name != "br-xb" ||
		len(r.DefaultEncryption) != 1 || r.DefaultEncryption[0].Bucket != "br-xb" {
		t.Errorf("A's blast radius: %+v", r)
	}
	out, err := arcaAs(akB, skB, "kms", "blast-radius", keyARN, "--endpoint", srv.HTTPURL, "--json")
	if err == nil || strings.Contains(out, `"Objects"`) || !strings.Contains(out, "NotFoundException") {
		t.Errorf("B asking for A's key: %v\n%s", err, out)
	}
	out = srv.AWS(t, srv.HTTPURL, true, "kms", "schedule-key-deletion", "--key-id", keyID)
	if !strings.Contains(out, "(KMSInvalidStateException)") || !strings.Contains(out, "still protects 2 objects (33 bytes) in 1 buckets") {
		t.Errorf("guard over another account's objects: %s", out)
	}
}
