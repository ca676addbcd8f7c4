package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// validateLogs runs the aws CLI's own validator against srv and returns its combined
// output and whether it exited 0. Its S3 clients ignore --endpoint-url, so
// AWS_ENDPOINT_URL_S3 points them at Arca.
func validateLogs(t *testing.T, srv *Server, trailARN, start string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", "--endpoint-url", srv.HTTPURL, "cloudtrail", "validate-logs",
		"--trail-arn", trailARN, "--start-time", start, "--verbose")
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_DEFAULT_REGION="+testRegion, "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "PYTHONWARNINGS=ignore", "AWS_ENDPOINT_URL_S3="+srv.HTTPURL)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running validate-logs: %v\n%s", err, out)
	}
	return string(out), err == nil
}

// flushTrail runs `arca audit flush` against srv.
func flushTrail(t *testing.T, srv *Server, trail string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, arcaBin, "audit", "flush", "--endpoint", srv.HTTPURL, "--trail", trail)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_REGION="+testRegion, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("arca audit flush: %v\n%s", err, out)
	}
	return string(out)
}

func gunzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// trailObjects lists a bucket's keys containing sub, sorted.
func trailObjects(t *testing.T, c *s3.Client, bucket, sub string) []string {
	t.Helper()
	var out []string
	for _, k := range listAll(t, c, bucket, "") {
		if strings.Contains(k, sub) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// storedObject is an object's bytes and what is needed to put it back unchanged.
type storedObject struct {
	body []byte
	meta map[string]string
	enc  s3types.ServerSideEncryption
	kms  string
}

func getObject(t *testing.T, c *s3.Client, bucket, key string) storedObject {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return storedObject{body: b, meta: out.Metadata, enc: out.ServerSideEncryption, kms: aws.ToString(out.SSEKMSKeyId)}
}

func putObject(t *testing.T, c *s3.Client, bucket, key string, o storedObject) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(o.body), Metadata: o.meta, ContentEncoding: aws.String("gzip")})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

// digestDoc is the part of a digest file the tests read.
type digestDoc struct {
	DigestS3Object             string
	DigestPublicKeyFingerprint string
	PreviousDigestS3Object     *string
	LogFiles                   []struct{ S3Object string }
}

func readDigest(t *testing.T, c *s3.Client, bucket, key string) digestDoc {
	t.Helper()
	var d digestDoc
	if err := json.Unmarshal(gunzipBytes(t, getObject(t, c, bucket, key).body), &d); err != nil {
		t.Fatalf("digest %s: %v", key, err)
	}
	return d
}

var validRE = regexp.MustCompile(`(\d+)/(\d+) (digest|log) files valid`)

// wantAllValid checks that validate-logs passed and vouched for exactly digests and logs.
func wantAllValid(t *testing.T, what, out string, ok bool, bucket string, digests, logs []string) {
	t.Helper()
	if !ok {
		t.Fatalf("%s: validate-logs failed:\n%s", what, out)
	}
	for _, k := range digests {
		if !strings.Contains(out, "Digest file\ts3://"+bucket+"/"+k+"\tvalid") {
			t.Fatalf("%s: digest %s not reported valid:\n%s", what, k, out)
		}
	}
	for _, k := range logs {
		if !strings.Contains(out, "Log file\ts3://"+bucket+"/"+k+"\tvalid") {
			t.Fatalf("%s: log %s not reported valid:\n%s", what, k, out)
		}
	}
	for _, m := range validRE.FindAllStringSubmatch(out, -1) {
		n := len(digests)
		if m[3] == "log" {
			n = len(logs)
		}
		if m[1] != m[2] || m[1] != strconv.Itoa(n) {
			t.Fatalf("%s: summary %q, want %d valid:\n%s", what, m[0], n, out)
		}
	}
	if strings.Contains(out, "INVALID") {
		t.Fatalf("%s: something reported INVALID:\n%s", what, out)
	}
}

// wantInvalid checks that validate-logs failed and reported exactly line (a file and why).
func wantInvalid(t *testing.T, what, out string, ok bool, line string) {
	t.Helper()
	if ok {
		t.Fatalf("%s: validate-logs passed:\n%s", what, out)
	}
	if !strings.Contains(out, line) {
		t.Fatalf("%s: want %q in:\n%s", what, line, out)
	}
}

// logRecords returns every record in the trail's delivered log files, raw, by eventID.
func logRecords(t *testing.T, c *s3.Client, bucket string) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	for _, k := range trailObjects(t, c, bucket, "/CloudTrail/") {
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(gunzipBytes(t, getObject(t, c, bucket, k).body), &doc); err != nil {
			t.Fatalf("log %s is not {\"Records\":[…]}: %v", k, err)
		}
		for _, r := range doc.Records {
			var id struct{ EventID string }
			json.Unmarshal(r, &id)
			out[id.EventID] = r
		}
	}
	return out
}

// The walkthrough of docs/AUDIT.md: a trail with log file validation, work, three flushes
// (so three chained digests), and the aws CLI's validator passes; then each kind of
// tampering is reported for the exact file, and undoing it makes the trail valid again.
func TestTrailValidateLogs(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	start := time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05Z")
	c := srv.S3(srv.HTTPURL)
	const bucket, trail = "trail-logs", "e2e-trail"
	mustCreateBucket(t, c, bucket)
	mustCreateBucket(t, c, "work")
	var created struct {
		TrailARN                 string
		S3BucketName             string
		LogFileValidationEnabled bool
	}
	out := srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "create-trail", "--name", trail, "--s3-bucket-name", bucket, "--enable-log-file-validation")
	if err := json.Unmarshal([]byte(out), &created); err != nil || !created.LogFileValidationEnabled || created.S3BucketName != bucket ||
		!strings.HasSuffix(created.TrailARN, ":trail/"+trail) {
		t.Fatalf("create-trail: %v\n%s", err, out)
	}
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "start-logging", "--name", trail)

	kc := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	if _, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("trail e2e")}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "work", "one.txt", []byte("first"))
	if out := flushTrail(t, srv, trail); !strings.Contains(out, "digest s3://"+bucket+"/AWSLogs/") {
		t.Fatalf("first flush: %s", out)
	}
	mustPut(t, c, "work", "two.txt", []byte("second"))
	mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("work"), Key: aws.String("one.txt")})
	flushTrail(t, srv, trail)
	mustPut(t, c, "work", "three.txt", []byte("third"))
	flushTrail(t, srv, created.TrailARN) // by ARN too

	digests := trailObjects(t, c, bucket, "/CloudTrail-Digest/")
	logs := trailObjects(t, c, bucket, "/CloudTrail/")
	if len(digests) != 3 || len(logs) != 3 {
		t.Fatalf("want 3 digests and 3 log files, got %d and %d:\n%s\n%s", len(digests), len(logs), digests, logs)
	}
	d := make([]digestDoc, len(digests))
	listed := map[string]bool{}
	for i, k := range digests {
		d[i] = readDigest(t, c, bucket, k)
		for _, lf := range d[i].LogFiles {
			listed[lf.S3Object] = true
		}
	}
	if d[0].PreviousDigestS3Object != nil || aws.ToString(d[1].PreviousDigestS3Object) != digests[0] || aws.ToString(d[2].PreviousDigestS3Object) != digests[1] {
		t.Fatalf("digests do not chain: %+v", d)
	}
	for _, k := range logs {
		if !listed[k] || !strings.HasPrefix(k, "AWSLogs/") || !strings.HasSuffix(k, ".json.gz") {
			t.Fatalf("log %s is not in exactly the CloudTrail layout or in no digest", k)
		}
	}
	// The records in the logs are the stored records, byte for byte.
	recs := logRecords(t, c, bucket)
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	for _, q := range []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateKey")},
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("StartLogging")},
		{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String("work/one.txt")}, // PutObject, GetObject
		{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String("work/three.txt")},
	} {
		name := aws.ToString(q.AttributeValue)
		ev, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{q}})
		if err != nil || len(ev.Events) == 0 {
			t.Fatalf("LookupEvents %s: %v", name, err)
		}
		for _, e := range ev.Events {
			if string(recs[aws.ToString(e.EventId)]) != aws.ToString(e.CloudTrailEvent) {
				t.Fatalf("%s record %s is not in the logs as stored", name, aws.ToString(e.EventId))
			}
		}
	}
	for _, k := range []string{logs[0], digests[0]} {
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAes256 || aws.ToString(h.ContentType) != "application/json" {
			t.Fatalf("HeadObject %s: %v %+v", k, err, h)
		}
	}

	vout, ok := validateLogs(t, srv, created.TrailARN, start)
	wantAllValid(t, "untouched", vout, ok, bucket, digests, logs)

	// (a) One byte of a log file changed (the object rewritten through S3).
	victim := d[1].LogFiles[0].S3Object
	orig := getObject(t, c, bucket, victim)
	plain := gunzipBytes(t, orig.body)
	plain[len(plain)/2] ^= 0x01
	putObject(t, c, bucket, victim, storedObject{body: gzipBytes(t, plain), meta: orig.meta})
	vout, ok = validateLogs(t, srv, created.TrailARN, start)
	wantInvalid(t, "log byte changed", vout, ok, "Log file\ts3://"+bucket+"/"+victim+"\tINVALID: hash value doesn't match")
	if n := strings.Count(vout, "INVALID"); n != 2 { // the line and the summary
		t.Fatalf("log byte changed: want only %s reported:\n%s", victim, vout)
	}
	putObject(t, c, bucket, victim, orig)
	vout, ok = validateLogs(t, srv, created.TrailARN, start)
	wantAllValid(t, "log restored", vout, ok, bucket, digests, logs)

	// (b) A log file deleted.
	victim = d[0].LogFiles[0].S3Object
	orig = getObject(t, c, bucket, victim)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(victim)}); err != nil {
		t.Fatal(err)
	}
	vout, ok = validateLogs(t, srv, created.TrailARN, start)
	wantInvalid(t, "log deleted", vout, ok, "Log file\ts3://"+bucket+"/"+victim+"\tINVALID: not found")
	putObject(t, c, bucket, victim, orig)

	// (c) One byte of a digest changed, re-put with its signature metadata.
	victim = digests[1]
	orig = getObject(t, c, bucket, victim)
	raw := gunzipBytes(t, orig.body)
	i := bytes.Index(raw, []byte(`"hashValue":"`)) + len(`"hashValue":"`)
	if raw[i] == 'a' {
		raw[i] = 'b'
	} else {
		raw[i] = 'a'
	}
	putObject(t, c, bucket, victim, storedObject{body: gzipBytes(t, raw), meta: orig.meta})
	vout, ok = validateLogs(t, srv, created.TrailARN, start)
	wantInvalid(t, "digest byte changed", vout, ok, "Digest file\ts3://"+bucket+"/"+victim+"\tINVALID: signature verification failed")
	putObject(t, c, bucket, victim, orig)
	vout, ok = validateLogs(t, srv, created.TrailARN, start)
	wantAllValid(t, "digest restored", vout, ok, bucket, digests, logs)

	// (d) A digest deleted: the next digest's link to it is reported.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(victim)}); err != nil {
		t.Fatal(err)
	}
	vout, ok = validateLogs(t, srv, created.TrailARN, start)
	wantInvalid(t, "digest deleted", vout, ok, "Digest file\ts3://"+bucket+"/"+victim+"\tINVALID: not found")
}

func wantTrailError(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("%s: want %s, got %v", what, code, err)
	}
}

// A trail encrypted with its KMS key, delivered by the server's own loop (short
// intervals, no flush), managed with the SDK: errors as AWS answers them, status,
// public keys, stop/start skipping the stopped period, delete.
func TestTrailKMSDeliveryLoop(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t, "--trail-delivery-interval", "1s", "--trail-digest-interval", "2s")
	ctx := context.Background()
	start := time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05Z")
	c := srv.S3(srv.HTTPURL)
	const bucket, trail = "kms-trail-logs", "kms-trail"
	mustCreateBucket(t, c, bucket)
	mustCreateBucket(t, c, "work")
	kc := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/trail-key"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)

	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(trail), S3BucketName: aws.String("no-such-bucket")})
	wantTrailError(t, "missing bucket", err, "S3BucketDoesNotExistException")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(trail), S3BucketName: aws.String(bucket), KmsKeyId: aws.String("alias/missing")})
	wantTrailError(t, "missing key", err, "KmsKeyNotFoundException")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("a--b"), S3BucketName: aws.String(bucket)})
	wantTrailError(t, "bad name", err, "InvalidTrailNameException")
	_, err = ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("arca-default")})
	wantTrailError(t, "delete the default trail", err, "OperationNotPermittedException")
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(trail)})
	wantTrailError(t, "get before create", err, "TrailNotFoundException")

	cr, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(trail), S3BucketName: aws.String(bucket),
		S3KeyPrefix: aws.String("audit"), KmsKeyId: aws.String("alias/trail-key"), EnableLogFileValidation: aws.Bool(true)})
	if err != nil || aws.ToString(cr.KmsKeyId) != keyARN || aws.ToString(cr.S3KeyPrefix) != "audit" {
		t.Fatalf("CreateTrail: %v %+v", err, cr)
	}
	arn := aws.ToString(cr.TrailARN)
	// Trail changes are durable management records with their parameters; failures too.
	var okRec, failRec map[string]any
	for _, r := range auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "CreateTrail") {
		switch field(r, "errorCode") {
		case nil:
			okRec = r
		case "KmsKeyNotFoundException":
			failRec = r
		}
	}
	if okRec == nil || failRec == nil || field(okRec, "requestParameters.name") != trail || field(okRec, "requestParameters.kmsKeyId") != "alias/trail-key" ||
		field(okRec, "readOnly") != false || field(okRec, "eventSource") != "cloudtrail.amazonaws.com" {
		t.Fatalf("CreateTrail records: ok %v, failed %v", okRec, failRec)
	}
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(trail), S3BucketName: aws.String(bucket)})
	wantTrailError(t, "create twice", err, "TrailAlreadyExistsException")
	dt, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(dt.TrailList) != 2 || aws.ToString(dt.TrailList[0].Name) != "arca-default" ||
		aws.ToString(dt.TrailList[1].KmsKeyId) != keyARN || !aws.ToBool(dt.TrailList[1].LogFileValidationEnabled) {
		t.Fatalf("DescribeTrails: %v %+v", err, dt)
	}
	if st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trail)}); err != nil || aws.ToBool(st.IsLogging) {
		t.Fatalf("status of a new trail: %v %+v", err, st)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}

	// The loop delivers the marker and a digest lists it, without any flush.
	mustPut(t, c, "work", "logged-1", []byte("x"))
	var digestKey string
	waitForTrail(t, "a digest listing the delivered PutObject", func() bool {
		for _, k := range trailObjects(t, c, bucket, "/CloudTrail-Digest/") {
			for _, lf := range readDigest(t, c, bucket, k).LogFiles {
				if bytes.Contains(gunzipBytes(t, getObject(t, c, bucket, lf.S3Object).body), []byte(`"key":"logged-1"`)) {
					digestKey = k
					return true
				}
			}
		}
		return false
	})
	for _, k := range append(trailObjects(t, c, bucket, "/CloudTrail/")[:1], digestKey) {
		if !strings.HasPrefix(k, "audit/AWSLogs/") {
			t.Fatalf("%s is not under the trail's prefix", k)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != keyARN {
			t.Fatalf("HeadObject %s: %v %+v", k, err, h)
		}
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trail)})
	if err != nil || !aws.ToBool(st.IsLogging) || st.LatestDeliveryTime == nil || st.LatestDigestDeliveryTime == nil || st.StartLoggingTime == nil {
		t.Fatalf("GetTrailStatus: %v %+v", err, st)
	}
	pk, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(pk.PublicKeyList) != 1 || aws.ToString(pk.PublicKeyList[0].Fingerprint) != readDigest(t, c, bucket, digestKey).DigestPublicKeyFingerprint {
		t.Fatalf("ListPublicKeys: %v %+v", err, pk)
	}
	if _, err := x509.ParsePKCS1PublicKey(pk.PublicKeyList[0].Value); err != nil {
		t.Fatalf("ListPublicKeys Value is not a DER PKCS#1 key: %v", err)
	}
	vout, ok := validateLogs(t, srv, arn, start)
	if !ok || strings.Contains(vout, "INVALID") || !strings.Contains(vout, "Digest file\ts3://"+bucket+"/"+digestKey+"\tvalid") {
		t.Fatalf("validate-logs of the KMS trail:\n%s", vout)
	}

	// Stopped: what happens meanwhile is never delivered; after StartLogging it is again.
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(trail)}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "work", "while-stopped", []byte("x"))
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trail)}); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "work", "logged-2", []byte("x"))
	waitForTrail(t, "the PutObject after StartLogging delivered", func() bool {
		for _, r := range logRecords(t, c, bucket) {
			if bytes.Contains(r, []byte(`"key":"logged-2"`)) {
				return true
			}
		}
		return false
	})
	for _, r := range logRecords(t, c, bucket) {
		if bytes.Contains(r, []byte(`"key":"while-stopped"`)) {
			t.Fatalf("a record made while the trail was stopped was delivered: %s", r)
		}
	}

	if _, err := ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(trail)}); err != nil {
		t.Fatal(err)
	}
	_, err = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	wantTrailError(t, "status after delete", err, "TrailNotFoundException")
	if len(trailObjects(t, c, bucket, "/CloudTrail/")) == 0 {
		t.Fatal("delivered files disappeared with the trail")
	}
}

// waitForTrail polls cond until it holds, failing after a generous deadline.
func waitForTrail(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// The digest signing key is sealed by the root key: after `arca admin rotate-root-key` and a
// restart with the new root key, the same key signs the next digest, which chains to the
// one before the restart, and the validator accepts both.
func TestTrailSigningKeyAcrossRootKeyRotation(t *testing.T) {
	requireAWSCLI(t)
	dir := t.TempDir()
	srv := StartServerAt(t, dir)
	ctx := context.Background()
	start := time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05Z")
	c := srv.S3(srv.HTTPURL)
	mustCreateBucket(t, c, "rot-logs")
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	cr, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("rot-trail"), S3BucketName: aws.String("rot-logs"),
		EnableLogFileValidation: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: cr.TrailARN}); err != nil {
		t.Fatal(err)
	}
	flushTrail(t, srv, "rot-trail")
	before, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(before.PublicKeyList) != 1 {
		t.Fatalf("ListPublicKeys: %v %+v", err, before)
	}
	srv.Stop()

	newKey := filepath.Join(t.TempDir(), "new-root-key")
	writeKeyFile(t, newKey)
	if out, err := runArca("admin", "rotate-root-key", "--data", dir, "--new-root-key-file", newKey); err != nil ||
		!strings.Contains(out, "1 CloudTrail digest signing keys") {
		t.Fatalf("rotate-root-key: %v\n%s", err, out)
	}
	srv = StartServerAt(t, dir, "--root-key-file", newKey)
	c = srv.S3(srv.HTTPURL)
	ct = cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	mustPut(t, c, "rot-logs", "after-restart", []byte("x"))
	flushTrail(t, srv, "rot-trail")
	after, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	if err != nil || len(after.PublicKeyList) != 1 || aws.ToString(after.PublicKeyList[0].Fingerprint) != aws.ToString(before.PublicKeyList[0].Fingerprint) {
		t.Fatalf("the signing key changed across the rotation: %+v -> %+v (%v)", before, after, err)
	}
	digests := trailObjects(t, c, "rot-logs", "/CloudTrail-Digest/")
	if len(digests) != 2 || aws.ToString(readDigest(t, c, "rot-logs", digests[1]).PreviousDigestS3Object) != digests[0] {
		t.Fatalf("digests after restart do not chain: %v", digests)
	}
	vout, ok := validateLogs(t, srv, aws.ToString(cr.TrailARN), start)
	wantAllValid(t, "after root key rotation", vout, ok, "rot-logs", digests, trailObjects(t, c, "rot-logs", "/CloudTrail/"))
}
