package e2e

// `arca posture` against a real server: every section is either answered or shown as not
// available, and the sections of the services that have landed carry what was set up
// (docs/BLAST-RADIUS.md, "arca posture").

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	mtypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// postureOut is the part of `arca posture --json` the test reads.
type postureOut struct {
	Buckets struct {
		Available bool
		Error     string
		Items     []struct{ Name, Encryption, KMSKeyId string }
	}
	Rules struct {
		Available bool
		Error     string
		Items     []struct{ ConfigRuleName, ComplianceType string }
	}
	AccessFindings struct {
		Available bool
		Error     string
		Analyzers []string
		Items     []struct{ Resource, ResourceType string }
	}
	SensitiveData struct {
		Available    bool
		Error        string
		ByEncryption map[string]int
	}
	Keys struct {
		Available bool
		Error     string
		Items     []struct {
			KeyId, KeyState string
			BlastRadius     *struct {
				Objects, Bytes int64
				Buckets        []struct {
					Name    string
					Objects int64
				}
			}
		}
	}
}

func postureCfg(endpoint string) aws.Config {
	return aws.Config{Region: testRegion, HTTPClient: HTTPClient(), RetryMaxAttempts: 1, BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")}
}

// TestPosture: buckets with their default encryption, a key pending deletion with its blast
// radius, and the Config, Access Analyzer and Macie sections: answered with what was set
// up where that API answers, else "not available" (the command does not fail).
func TestPosture(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	kc := sseKMS(t, srv)
	c := sdk(t, srv, srv.HTTPURL)
	keyID, _ := sseCreateKey(t, kc, "posture")
	mustCreateBucket(t, c, "posture-kms")
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("posture-kms"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(keyID)}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("posture-kms"), Key: aws.String(k),
			Body: bytes.NewReader([]byte("twelve bytes"))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}

	// A key another account may use: an access finding once an analyzer looks.
	account := authzAccount(t, srv)
	shared, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("shared"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	sharedARN := aws.ToString(shared.KeyMetadata.Arn)

	cfg := postureCfg(srv.HTTPURL)
	_, ruleErr := configservice.NewFromConfig(cfg).PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &cstypes.ConfigRule{
		ConfigRuleName: aws.String("posture-sse"),
		Source:         &cstypes.Source{Owner: cstypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED")}}})
	analyzer, analyzerErr := accessanalyzer.NewFromConfig(cfg).CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{
		AnalyzerName: aws.String("posture-analyzer"), Type: aatypes.TypeAccount})
	if analyzerErr == nil { // wait for the analyzer's first findings (a generous deadline; no timing asserted)
		aa := accessanalyzer.NewFromConfig(cfg)
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
			f, err := aa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: analyzer.Arn})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Findings) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the analyzer found nothing")
			}
		}
	}
	_, macieErr := macie2.NewFromConfig(cfg).GetBucketStatistics(ctx, &macie2.GetBucketStatisticsInput{})
	t.Logf("services: config %v; access analyzer %v; macie %v", ruleErr, analyzerErr, macieErr)

	if macieErr == nil { // a sensitive-data finding in an SSE-S3 object
		postureMacieFinding(t, srv, c, cfg)
	}

	out, err := arcaAs(testAccessKey, testSecretKey, "posture", "--endpoint", srv.HTTPURL, "--json")
	if err != nil {
		t.Fatalf("arca posture --json: %v\n%s", err, out)
	}
	var p postureOut
	if err := json.Unmarshal([]byte(out), &p); err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("arca posture --json printed %q, not one JSON object (%v)", out, err)
	}

	if !p.Buckets.Available || len(p.Buckets.Items) == 0 || p.Buckets.Items[0].Name != "posture-kms" ||
		p.Buckets.Items[0].Encryption != "aws:kms" || p.Buckets.Items[0].KMSKeyId != keyID {
		t.Errorf("Buckets %+v", p.Buckets)
	}
	if !p.Keys.Available || len(p.Keys.Items) != 1 || p.Keys.Items[0].KeyId != keyID || p.Keys.Items[0].KeyState != "PendingDeletion" {
		t.Fatalf("Keys %+v", p.Keys)
	}
	if br := p.Keys.Items[0].BlastRadius; br == nil || br.Objects != 2 || br.Bytes != 24 || len(br.Buckets) != 1 || br.Buckets[0].Name != "posture-kms" {
		t.Errorf("blast radius of the key pending deletion: %+v", br)
	}
	// Each of the other sections: answered where its API answers, else not available.
	if ruleErr == nil {
		if !p.Rules.Available || len(p.Rules.Items) != 1 || p.Rules.Items[0].ConfigRuleName != "posture-sse" {
			t.Errorf("Rules %+v", p.Rules)
		}
	} else if p.Rules.Available || !strings.HasPrefix(p.Rules.Error, "not available") {
		t.Errorf("Rules without the Config API: %+v", p.Rules)
	}
	if analyzerErr == nil {
		if !p.AccessFindings.Available || len(p.AccessFindings.Analyzers) != 1 || p.AccessFindings.Analyzers[0] != "posture-analyzer" ||
			len(p.AccessFindings.Items) != 1 || p.AccessFindings.Items[0].Resource != sharedARN || p.AccessFindings.Items[0].ResourceType != "AWS::KMS::Key" {
			t.Errorf("AccessFindings %+v", p.AccessFindings)
		}
	} else if p.AccessFindings.Available || !strings.HasPrefix(p.AccessFindings.Error, "not available") {
		t.Errorf("AccessFindings without the Access Analyzer API: %+v", p.AccessFindings)
	}
	if macieErr == nil {
		if !p.SensitiveData.Available || p.SensitiveData.ByEncryption["AES256"] != 1 || len(p.SensitiveData.ByEncryption) != 1 {
			t.Errorf("SensitiveData %+v", p.SensitiveData)
		}
	} else if p.SensitiveData.Available || !strings.HasPrefix(p.SensitiveData.Error, "not available") {
		t.Errorf("SensitiveData without the Macie API: %+v", p.SensitiveData)
	}

	// The table prints every section, the key with its objects.
	table, err := arcaAs(testAccessKey, testSecretKey, "posture", "--endpoint", srv.HTTPURL)
	t.Logf("table:\n%s", table)
	if err != nil {
		t.Fatalf("arca posture: %v\n%s", err, table)
	}
	for _, want := range []string{"== Buckets", "== Config rules", "== Access findings", "== Sensitive data", "== KMS keys", keyID, "posture-kms(2)"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

// postureMacieFinding writes an object holding an email address to an SSE-S3 bucket and runs
// a one-time classification job over it to completion (a generous deadline; no timing is
// asserted).
func postureMacieFinding(t *testing.T, srv *Server, c *s3.Client, cfg aws.Config) {
	t.Helper()
	ctx := context.Background()
	mustCreateBucket(t, c, "posture-s3")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("posture-s3"), Key: aws.String("contacts.txt"),
		Body: strings.NewReader("write to alice.example@example.com about the invoice\n")}); err != nil {
		t.Fatal(err)
	}
	mc := macie2.NewFromConfig(cfg)
	job, err := mc.CreateClassificationJob(ctx, &macie2.CreateClassificationJobInput{ClientToken: aws.String("posture"), Name: aws.String("posture"),
		JobType: mtypes.JobTypeOneTime, S3JobDefinition: &mtypes.S3JobDefinition{BucketDefinitions: []mtypes.S3BucketDefinitionForJob{{
			AccountId: aws.String(authzAccount(t, srv)), Buckets: []string{"posture-s3"}}}}})
	if err != nil {
		t.Fatalf("CreateClassificationJob: %v", err)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		d, err := mc.DescribeClassificationJob(ctx, &macie2.DescribeClassificationJobInput{JobId: job.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if d.JobStatus == mtypes.JobStatusComplete {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("classification job still %s", d.JobStatus)
		}
	}
}

// TestPostureUnreachable: with nothing answering at the endpoint, every section says
// not available and the command still prints one JSON object and succeeds; a usage error
// (a stray argument) is refused.
func TestPostureUnreachable(t *testing.T) {
	t.Parallel()
	out, err := arcaAs(testAccessKey, testSecretKey, "posture", "--endpoint", "http://127.0.0.1:1", "--json")
	if err != nil {
		t.Fatalf("arca posture against nothing: %v\n%s", err, out)
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, name := range []string{"Buckets", "Rules", "AccessFindings", "SensitiveData", "Keys"} {
		var s struct {
			Available bool
			Error     string
		}
		if err := json.Unmarshal(p[name], &s); err != nil || s.Available || !strings.HasPrefix(s.Error, "not available") {
			t.Errorf("%s: %+v %v", name, s, err)
		}
	}
	if out, err := arcaAs(testAccessKey, testSecretKey, "posture", "--endpoint", "http://127.0.0.1:1", "extra"); err == nil || !strings.Contains(out, `unexpected argument "extra"`) {
		t.Errorf("stray argument: %v\n%s", err, out)
	}
	if out, err := arcaAs(testAccessKey, testSecretKey, "kms", "blast-radius", "--endpoint", "http://127.0.0.1:1"); err == nil || !strings.Contains(out, "needs one KEY") {
		t.Errorf("blast-radius without KEY: %v\n%s", err, out)
	}
	// KEY may also come after the flags (then the answer is the unreachable endpoint's).
	if out, err := arcaAs(testAccessKey, testSecretKey, "kms", "blast-radius", "--endpoint", "http://127.0.0.1:1", "--json", "alias/x"); err == nil || !strings.Contains(out, "connection refused") {
		t.Errorf("blast-radius with KEY last: %v\n%s", err, out)
	}
}
