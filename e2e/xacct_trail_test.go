package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// xtAWS runs the aws CLI against srv's HTTP endpoint with the given credentials; it fails
// the test if the command's failure is not wantErr.
func xtAWS(t *testing.T, srv *Server, ak, sk string, wantErr bool, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", srv.HTTPURL, "--cli-read-timeout", "60"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+ak, "AWS_SECRET_ACCESS_KEY="+sk,
		"AWS_DEFAULT_REGION="+testRegion, "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "PYTHONWARNINGS=ignore", "AWS_ENDPOINT_URL_S3="+srv.HTTPURL)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running aws: %v\n%s", err, out)
	}
	if (err != nil) != wantErr {
		t.Fatalf("aws %s: err=%v wantErr=%v\n%s", strings.Join(args, " "), err, wantErr, out)
	}
	return string(out)
}

// xtFlush runs `arca audit flush` as the given credentials' account.
func xtFlush(t *testing.T, srv *Server, ak, sk, trail string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, arcaBin, "audit", "flush", "--endpoint", srv.HTTPURL, "--trail", trail)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+ak, "AWS_SECRET_ACCESS_KEY="+sk,
		"AWS_REGION="+testRegion, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("arca audit flush as %s: %v\n%s", ak, err, out)
	}
	return string(out)
}

// xtLookupAll returns every record ct's account sees in LookupEvents (no attribute).
func xtLookupAll(t *testing.T, ct *cloudtrail.Client) []map[string]any {
	t.Helper()
	var out []map[string]any
	p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("LookupEvents: %v", err)
		}
		for _, e := range page.Events {
			var rec map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
				t.Fatal(err)
			}
			out = append(out, rec)
		}
	}
	return out
}

// Two accounts, each with its own trail of the same name: each account's event history
// and trail hold only the records whose recipient it is; a call by B on A's KMS key is in
// both, as two records with one sharedEventID; B cannot see or change A's trails; both
// trails' digest chains pass the aws CLI's validate-logs; and an alarm B's action fires
// is recorded in the operator's (primary) account only.
func TestCrossAccountTrails(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	start := time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04:05Z")
	id, err := stsClient(srv.HTTPURL, testAccessKey, testSecretKey, testRegion).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	acctA := aws.ToString(id.Account)
	acctB, akB, skB := createAccount(t, srv, "team-b")
	if acctB == acctA {
		t.Fatalf("B has A's account id %s", acctA)
	}

	// Each account: a bucket and a trail named "audit" with validation, logging.
	s3A, s3B := srv.S3(srv.HTTPURL), s3As(srv.HTTPURL, akB, skB)
	mustCreateBucket(t, s3A, "xa-logs")
	mustCreateBucket(t, s3A, "xa-data")
	mustCreateBucket(t, s3B, "xb-logs")
	arns := map[string]string{}
	for _, who := range []struct{ acct, ak, sk, bucket string }{{acctA, testAccessKey, testSecretKey, "xa-logs"}, {acctB, akB, skB, "xb-logs"}} {
		out := xtAWS(t, srv, who.ak, who.sk, false, "cloudtrail", "create-trail", "--name", "audit",
			"--s3-bucket-name", who.bucket, "--enable-log-file-validation")
		var created struct{ TrailARN string }
		if err := json.Unmarshal([]byte(out), &created); err != nil || created.TrailARN != "arn:aws:cloudtrail:"+testRegion+":"+who.acct+":trail/audit" {
			t.Fatalf("create-trail in %s: %v\n%s", who.acct, err, out)
		}
		arns[who.acct] = created.TrailARN
		xtAWS(t, srv, who.ak, who.sk, false, "cloudtrail", "start-logging", "--name", "audit")
	}

	// A's private work; B's private work.
	mustPut(t, s3A, "xa-data", "a-secret.txt", []byte("A only"))
	mustPut(t, s3B, "xb-logs", "b-private.txt", []byte("B only"))

	// A shares a bucket read-only with B by bucket policy; B reads from it.
	mustCreateBucket(t, s3A, "xa-shared")
	mustPut(t, s3A, "xa-shared", "report.txt", []byte("for B"))
	bp := `{"Version":"2012-10-17","Statement":[{"Sid":"TeamBReads","Effect":"Allow",
	 "Principal":{"AWS":"arn:aws:iam::` + acctB + `:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::xa-shared/*"}]}`
	if _, err := s3A.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("xa-shared"), Policy: aws.String(bp)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := mustGet(t, s3B, &s3.GetObjectInput{Bucket: aws.String("xa-shared"), Key: aws.String("report.txt")}); string(got) != "for B" {
		t.Fatalf("B read %q from A's shared bucket", got)
	}

	// B cannot make a trail deliver into A's bucket.
	out := xtAWS(t, srv, akB, skB, true, "cloudtrail", "create-trail", "--name", "steal", "--s3-bucket-name", "xa-logs")
	if !strings.Contains(out, "InsufficientS3BucketPolicyException") {
		t.Fatalf("B's trail into A's bucket:\n%s", out)
	}

	// A's key, whose policy lets B's root encrypt; A's other key lets B do nothing.
	kmsA, kmsB := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey), kmsClient(srv.HTTPURL, akB, skB)
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctA + `:root"},"Action":"kms:*","Resource":"*"},
	 {"Sid":"TeamB","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctB + `:root"},"Action":["kms:Encrypt","kms:DescribeKey"],"Resource":"*"}]}`
	shared, err := kmsA.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(policy), Description: aws.String("shared with B")})
	if err != nil {
		t.Fatal(err)
	}
	private, err := kmsA.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("A only")})
	if err != nil {
		t.Fatal(err)
	}
	sharedARN, privateARN := aws.ToString(shared.KeyMetadata.Arn), aws.ToString(private.KeyMetadata.Arn)
	if _, err := kmsB.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(sharedARN), Plaintext: []byte("by B")}); err != nil {
		t.Fatalf("B encrypts with A's shared key: %v", err)
	}
	if _, err := kmsB.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(privateARN), Plaintext: []byte("by B")}); err == nil {
		t.Fatal("B encrypted with A's private key")
	}

	// Event history: each account sees exactly the records whose recipient it is.
	ctA, ctB := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), cloudTrailClient(srv.HTTPURL, akB, skB)
	histA, histB := xtLookupAll(t, ctA), xtLookupAll(t, ctB)
	encrypts, reads := map[string][]map[string]any{}, map[string][]map[string]any{}
	for acct, hist := range map[string][]map[string]any{acctA: histA, acctB: histB} {
		other := acctB
		if acct == acctB {
			other = acctA
		}
		for _, r := range hist {
			raw, _ := json.Marshal(r)
			if r["recipientAccountId"] != acct {
				t.Errorf("%s's history holds a record for %v: %s", acct, r["recipientAccountId"], raw)
			}
			if acct == acctB && field(r, "userIdentity.accountId") == acctA || strings.Contains(string(raw), "a-secret.txt") && acct == acctB ||
				acct == acctA && strings.Contains(string(raw), "b-private.txt") {
				t.Errorf("%s sees %s's private event: %s", acct, other, raw)
			}
			if r["eventName"] == "GetObject" && field(r, "requestParameters.key") == "report.txt" {
				reads[acct] = append(reads[acct], r)
			}
			if r["eventName"] == "Encrypt" && field(r, "userIdentity.accountId") == acctB {
				encrypts[acct] = append(encrypts[acct], r)
			}
		}
	}
	if len(encrypts[acctA]) != 2 || len(encrypts[acctB]) != 2 {
		t.Fatalf("B's two Encrypts on A's keys: A sees %d, B sees %d", len(encrypts[acctA]), len(encrypts[acctB]))
	}
	if len(reads[acctA]) != 1 || len(reads[acctB]) != 1 || reads[acctA][0]["sharedEventID"] == nil ||
		reads[acctA][0]["sharedEventID"] != reads[acctB][0]["sharedEventID"] || reads[acctA][0]["eventID"] == reads[acctB][0]["eventID"] ||
		field(reads[acctA][0], "userIdentity.accountId") != acctB || xtBucketAccount(reads[acctA][0]) != acctA {
		t.Fatalf("B's read of A's shared object: A sees %v, B sees %v", reads[acctA], reads[acctB])
	}
	for _, a := range encrypts[acctA] {
		var twin map[string]any
		for _, b := range encrypts[acctB] {
			if b["sharedEventID"] == a["sharedEventID"] {
				twin = b
			}
		}
		if a["sharedEventID"] == nil || twin == nil || twin["eventID"] == a["eventID"] || twin["errorCode"] != a["errorCode"] {
			t.Errorf("A's record %v has no twin in B's history %v", a, encrypts[acctB])
		}
	}
	for _, r := range histB {
		if r["eventName"] == "CreateBucket" && field(r, "requestParameters.bucketName") == "xb-logs" && r["sharedEventID"] != nil {
			t.Errorf("B's call on its own bucket carries a sharedEventID: %v", r)
		}
	}

	// B cannot see or change A's trails.
	out = xtAWS(t, srv, akB, skB, false, "cloudtrail", "describe-trails")
	if strings.Contains(out, acctA) || !strings.Contains(out, arns[acctB]) {
		t.Fatalf("B's describe-trails:\n%s", out)
	}
	out = xtAWS(t, srv, akB, skB, false, "cloudtrail", "list-trails")
	if strings.Contains(out, acctA) {
		t.Fatalf("B's list-trails:\n%s", out)
	}
	for _, args := range [][]string{{"get-trail", "--name", arns[acctA]}, {"get-trail-status", "--name", arns[acctA]},
		{"stop-logging", "--name", arns[acctA]}, {"delete-trail", "--name", arns[acctA]},
		{"update-trail", "--name", arns[acctA], "--s3-bucket-name", "xb-logs"}} {
		out := xtAWS(t, srv, akB, skB, true, append([]string{"cloudtrail"}, args...)...)
		if !strings.Contains(out, "TrailNotFoundException") {
			t.Errorf("B's %s of A's trail:\n%s", args[0], out)
		}
	}
	st, err := ctA.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Fatalf("A's trail after B's attempts: %+v %v", st, err)
	}

	// Each trail delivers its account's records only, under its account's path, and
	// validate-logs passes for both.
	xtFlush(t, srv, testAccessKey, testSecretKey, "audit")
	xtFlush(t, srv, akB, skB, "audit")
	for _, who := range []struct {
		acct, bucket, ak, sk string
		c                    *s3.Client
	}{{acctA, "xa-logs", testAccessKey, testSecretKey, s3A}, {acctB, "xb-logs", akB, skB, s3B}} {
		logs := trailObjects(t, who.c, who.bucket, "/CloudTrail/")
		if len(logs) == 0 {
			t.Fatalf("no log files in %s", who.bucket)
		}
		sawShared := false
		for _, k := range logs {
			if !strings.HasPrefix(k, "AWSLogs/"+who.acct+"/CloudTrail/") {
				t.Errorf("%s's log file at %s", who.acct, k)
			}
		}
		for _, raw := range logRecords(t, who.c, who.bucket) {
			var r map[string]any
			json.Unmarshal(raw, &r)
			if r["recipientAccountId"] != who.acct {
				t.Errorf("%s's trail delivered a record for %v: %s", who.acct, r["recipientAccountId"], raw)
			}
			if r["eventName"] == "Encrypt" && r["sharedEventID"] != nil {
				sawShared = true
			}
		}
		if !sawShared {
			t.Errorf("%s's trail lacks B's cross-account Encrypt", who.acct)
		}
		for _, k := range trailObjects(t, who.c, who.bucket, "/CloudTrail-Digest/") {
			if !strings.HasPrefix(k, "AWSLogs/"+who.acct+"/CloudTrail-Digest/") {
				t.Errorf("%s's digest at %s", who.acct, k)
			}
		}
		out := xtAWS(t, srv, who.ak, who.sk, false, "cloudtrail", "validate-logs", "--trail-arn", arns[who.acct],
			"--start-time", start, "--verbose")
		if strings.Contains(out, "INVALID") || !strings.Contains(out, "digest files valid") {
			t.Fatalf("validate-logs of %s:\n%s", arns[who.acct], out)
		}
	}

	// Alarms are the operator's: B disabling its own key fires the built-in
	// kms-key-disabled rule, whose record only the primary account sees.
	own, err := kmsB.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("B's own")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kmsB.DisableKey(ctx, &kms.DisableKeyInput{KeyId: own.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the kms-key-disabled alarm in A's history", func() bool { return len(alarmRecords(t, ctA, "kms-key-disabled")) > 0 })
	if recs := auditLookup(t, ctB, cttypes.LookupAttributeKeyEventName, "AlarmTriggered"); len(recs) != 0 {
		t.Fatalf("B sees the operator's alarm records: %v", recs)
	}
}

// xtBucketAccount is the accountId of a record's AWS::S3::Bucket resource.
func xtBucketAccount(r map[string]any) any {
	res, _ := r["resources"].([]any)
	for _, x := range res {
		if m, _ := x.(map[string]any); m["type"] == "AWS::S3::Bucket" {
			return m["accountId"]
		}
	}
	return nil
}
