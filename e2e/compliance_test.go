package e2e

// Config rules (docs/COMPLIANCE.md) against a real server: every managed rule driven
// NON_COMPLIANT and back to COMPLIANT with the aws CLI, results read with aws-sdk-go-v2's
// configservice client, the compliance-change records in LookupEvents, an alarm firing on
// one, a caller without permission refused, bad input refused with AWS Config's errors.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

func configClient(endpoint, ak, sk string) *configservice.Client {
	return configservice.NewFromConfig(aws.Config{Region: testRegion, HTTPClient: HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, "")},
		func(o *configservice.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// complianceOf is rule's stored result for one resource ("" when there is none).
func complianceOf(t *testing.T, cs *configservice.Client, rule, typ, id string) string {
	t.Helper()
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(cs, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String(rule)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("GetComplianceDetailsByConfigRule %s: %v", rule, err)
		}
		for _, r := range out.EvaluationResults {
			q := r.EvaluationResultIdentifier.EvaluationResultQualifier
			if aws.ToString(q.ResourceType) == typ && aws.ToString(q.ResourceId) == id {
				return string(r.ComplianceType)
			}
		}
	}
	return ""
}

// waitCompliance polls until rule's result for the resource is want (evaluation runs off
// the request path); generous deadline, no timing asserted.
func waitCompliance(t *testing.T, cs *configservice.Client, rule, typ, id, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	got := ""
	for time.Now().Before(deadline) {
		if got = complianceOf(t, cs, rule, typ, id); got == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("rule %s on %s %s: %q, want %q", rule, typ, id, got, want)
}

func putRule(t *testing.T, srv *Server, name, ident, input string) {
	t.Helper()
	rule := map[string]any{"ConfigRuleName": name, "Source": map[string]string{"Owner": "AWS", "SourceIdentifier": ident}}
	if strings.HasPrefix(ident, "ARCA_") {
		rule["Source"] = map[string]string{"Owner": "ARCA", "SourceIdentifier": ident}
	}
	if input != "" {
		rule["InputParameters"] = input
	}
	b, _ := json.Marshal(rule)
	srv.AWS(t, srv.HTTPURL, false, "configservice", "put-config-rule", "--config-rule", string(b))
}

func TestComplianceRules(t *testing.T) {
	requireAWSCLI(t)
	dir := t.TempDir()
	rules := filepath.Join(dir, "alarms.yaml")
	os.WriteFile(rules, []byte("rules:\n  - name: compliance-lost\n    match:\n      eventSource: config\n      eventName: ComplianceChange\n      resource: cfg-bucket-a\n    actions: [record]\n"), 0o600)
	srv := StartServer(t, "--alarm-rules", rules)
	ctx := context.Background()
	cs := configClient(srv.HTTPURL, testAccessKey, testSecretKey)
	c := srv.S3(srv.HTTPURL)
	account := authzAccount(t, srv)
	const b = "cfg-bucket-a"
	mustCreateBucket(t, c, b)
	mustCreateBucket(t, c, "cfg-trail-logs")
	key := strings.TrimSpace(srv.AWS(t, srv.HTTPURL, false, "kms", "create-key", "--query", "KeyMetadata.KeyId", "--output", "text"))
	keyARN := "arn:aws:kms:" + testRegion + ":" + account + ":key/" + key

	putRule(t, srv, "kms-default", "S3_DEFAULT_ENCRYPTION_KMS", `{"kmsKeyArns":"`+keyARN+`"}`)
	putRule(t, srv, "ssl-only", "S3_BUCKET_SSL_REQUESTS_ONLY", "")
	putRule(t, srv, "bucket-public", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", "")
	putRule(t, srv, "ssec-blocked", "ARCA_S3_SSEC_BLOCKED", "")
	putRule(t, srv, "sse-enabled", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", "")
	putRule(t, srv, "logging", "S3_BUCKET_LOGGING_ENABLED", "")
	putRule(t, srv, "logging-b", "S3_BUCKET_LOGGING_ENABLED", `{"targetBucket":"cfg-logs","targetPrefix":"b/"}`)
	putRule(t, srv, "not-deleted", "KMS_CMK_NOT_SCHEDULED_FOR_DELETION", `{"kmsKeyIds":"`+key+`"}`)
	putRule(t, srv, "rotation", "CMK_BACKING_KEY_ROTATION_ENABLED", "")
	putRule(t, srv, "trail-encrypted", "CLOUD_TRAIL_ENCRYPTION_ENABLED", "")
	putRule(t, srv, "trail-validated", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "")
	putRule(t, srv, "cloudtrail-enabled", "CLOUD_TRAIL_ENABLED", `{"s3BucketName":"cfg-trail-logs"}`)

	const B, K, T, A = "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::CloudTrail::Trail", "AWS::::Account"
	// S3_DEFAULT_ENCRYPTION_KMS: SSE-S3 by default, then SSE-KMS under the listed key.
	waitCompliance(t, cs, "kms-default", B, b, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-encryption", "--bucket", b, "--server-side-encryption-configuration",
		`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"`+key+`"}}]}`)
	waitCompliance(t, cs, "kms-default", B, b, "COMPLIANT")
	// Modern S3 encrypts every bucket by default: COMPLIANT (the legacy server's test drives it).
	waitCompliance(t, cs, "sse-enabled", B, b, "COMPLIANT")

	// S3_BUCKET_SSL_REQUESTS_ONLY: the policy engine decides.
	waitCompliance(t, cs, "ssl-only", B, b, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-policy", "--bucket", b, "--policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::`+b+`","arn:aws:s3:::`+b+`/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
	waitCompliance(t, cs, "ssl-only", B, b, "COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "delete-bucket-policy", "--bucket", b)
	waitCompliance(t, cs, "ssl-only", B, b, "NON_COMPLIANT")

	// S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: new buckets block public access.
	waitCompliance(t, cs, "bucket-public", B, b, "COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "delete-public-access-block", "--bucket", b)
	waitCompliance(t, cs, "bucket-public", B, b, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-public-access-block", "--bucket", b, "--public-access-block-configuration",
		"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true")
	waitCompliance(t, cs, "bucket-public", B, b, "COMPLIANT")

	// ARCA_S3_SSEC_BLOCKED: new buckets block SSE-C.
	waitCompliance(t, cs, "ssec-blocked", B, b, "COMPLIANT")
	allowSSEC(t, c, b)
	waitCompliance(t, cs, "ssec-blocked", B, b, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-encryption", "--bucket", b, "--server-side-encryption-configuration",
		`{"Rules":[{"BlockedEncryptionTypes":{"EncryptionType":["SSE-C"]}}]}`)
	waitCompliance(t, cs, "ssec-blocked", B, b, "COMPLIANT")

	// S3_BUCKET_LOGGING_ENABLED (and with targetPrefix): off, on, off again.
	waitCompliance(t, cs, "logging", B, b, "NON_COMPLIANT")
	mustCreateBucket(t, c, "cfg-logs")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-policy", "--bucket", "cfg-logs", "--policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::cfg-logs/*"}]}`)
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-logging", "--bucket", b, "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"cfg-logs","TargetPrefix":"a/"}}`)
	waitCompliance(t, cs, "logging", B, b, "COMPLIANT")
	waitCompliance(t, cs, "logging-b", B, b, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-logging", "--bucket", b, "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"cfg-logs","TargetPrefix":"b/"}}`)
	waitCompliance(t, cs, "logging-b", B, b, "COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-logging", "--bucket", b, "--bucket-logging-status", "{}")
	waitCompliance(t, cs, "logging", B, b, "NON_COMPLIANT")

	// KMS_CMK_NOT_SCHEDULED_FOR_DELETION and CMK_BACKING_KEY_ROTATION_ENABLED.
	waitCompliance(t, cs, "not-deleted", K, key, "COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "kms", "schedule-key-deletion", "--key-id", key, "--pending-window-in-days", "7")
	waitCompliance(t, cs, "not-deleted", K, key, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "kms", "cancel-key-deletion", "--key-id", key)
	waitCompliance(t, cs, "not-deleted", K, key, "COMPLIANT")
	waitCompliance(t, cs, "rotation", K, key, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "kms", "enable-key", "--key-id", key)
	srv.AWS(t, srv.HTTPURL, false, "kms", "enable-key-rotation", "--key-id", key)
	waitCompliance(t, cs, "rotation", K, key, "COMPLIANT")

	// The CloudTrail rules: no trail, a bare trail, then logging, encrypted, validated.
	waitCompliance(t, cs, "cloudtrail-enabled", A, account, "NON_COMPLIANT")
	waitCompliance(t, cs, "trail-encrypted", A, account, "NOT_APPLICABLE")
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "create-trail", "--name", "cfg-trail", "--s3-bucket-name", "cfg-trail-logs")
	waitCompliance(t, cs, "trail-encrypted", T, "cfg-trail", "NON_COMPLIANT")
	waitCompliance(t, cs, "trail-validated", T, "cfg-trail", "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "start-logging", "--name", "cfg-trail")
	waitCompliance(t, cs, "cloudtrail-enabled", A, account, "COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "update-trail", "--name", "cfg-trail", "--kms-key-id", key, "--enable-log-file-validation")
	waitCompliance(t, cs, "trail-encrypted", T, "cfg-trail", "COMPLIANT")
	waitCompliance(t, cs, "trail-validated", T, "cfg-trail", "COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "stop-logging", "--name", "cfg-trail")
	waitCompliance(t, cs, "cloudtrail-enabled", A, account, "NON_COMPLIANT")

	// Summaries, as the CLI shows them.
	out := srv.AWS(t, srv.HTTPURL, false, "configservice", "describe-compliance-by-resource", "--resource-type", B, "--resource-id", b)
	if !strings.Contains(out, `"ComplianceType": "NON_COMPLIANT"`) { // ssl-only and logging
		t.Errorf("describe-compliance-by-resource: %s", out)
	}
	byRule, err := cs.DescribeComplianceByConfigRule(ctx, &configservice.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{"ssec-blocked", "ssl-only"}})
	if err != nil || len(byRule.ComplianceByConfigRules) != 2 || byRule.ComplianceByConfigRules[0].Compliance.ComplianceType != cstypes.ComplianceTypeCompliant ||
		byRule.ComplianceByConfigRules[1].Compliance.ComplianceType != cstypes.ComplianceTypeNonCompliant {
		t.Errorf("DescribeComplianceByConfigRule: %+v %v", byRule, err)
	}
	det, err := cs.GetComplianceDetailsByResource(ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceType: aws.String(K), ResourceId: aws.String(key)})
	if err != nil || len(det.EvaluationResults) != 2 || det.EvaluationResults[0].ResultRecordedTime == nil {
		t.Errorf("GetComplianceDetailsByResource: %+v %v", det, err)
	}
	rulesOut, err := cs.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"kms-default"}})
	if err != nil || len(rulesOut.ConfigRules) != 1 || !strings.Contains(aws.ToString(rulesOut.ConfigRules[0].InputParameters), keyARN) ||
		!strings.HasPrefix(aws.ToString(rulesOut.ConfigRules[0].ConfigRuleArn), "arn:aws:config:"+testRegion+":"+account+":config-rule/config-rule-") {
		t.Errorf("DescribeConfigRules: %+v %v", rulesOut, err)
	}
	if _, err := cs.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"ssl-only"}}); err != nil {
		t.Errorf("StartConfigRulesEvaluation: %v", err)
	}

	// The compliance changes are in the trail, and the alarm fired on the bucket's.
	ct := cloudtrail.NewFromConfig(aws.Config{Region: testRegion, HTTPClient: HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")},
		func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(srv.HTTPURL) })
	ev, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ComplianceChange")}}, MaxResults: aws.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range ev.Events {
		var rec struct {
			EventSource, EventType string
			ServiceEventDetails    map[string]string
		}
		json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec)
		d := rec.ServiceEventDetails
		if rec.EventSource == "config.amazonaws.com" && rec.EventType == "AwsServiceEvent" && d["configRuleName"] == "not-deleted" &&
			d["resourceId"] == key && d["oldComplianceType"] == "COMPLIANT" && d["newComplianceType"] == "NON_COMPLIANT" {
			found = true
		}
	}
	if !found {
		t.Errorf("no ComplianceChange record of not-deleted going NON_COMPLIANT among %d", len(ev.Events))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		al, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("AlarmTriggered")}}})
		fired := false
		for _, e := range al.Events {
			fired = fired || strings.Contains(aws.ToString(e.CloudTrailEvent), `"compliance-lost"`)
		}
		if err == nil && fired {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the compliance-lost alarm did not fire (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The API's own calls are recorded with eventSource config.amazonaws.com.
	own, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("PutConfigRule")}}})
	if err != nil || len(own.Events) < 12 || aws.ToString(own.Events[0].EventSource) != "config.amazonaws.com" {
		t.Errorf("PutConfigRule records: %d, %v", len(own.Events), err)
	}

	// Deleting a rule removes it and its results.
	srv.AWS(t, srv.HTTPURL, false, "configservice", "delete-config-rule", "--config-rule-name", "logging")
	_, err = cs.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("logging")})
	wantConfigError(t, err, "NoSuchConfigRuleException", "The ConfigRule 'logging' provided in the request is invalid. Please check the configRule name.")
}

func wantConfigError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("err %v, want %s %q", err, code, msg)
	}
}

// TestComplianceSSEEnabledLegacy: with pre-2023 bucket encryption a never-configured bucket
// has no default; a policy denying unencrypted PutObject, or a default, makes it compliant.
func TestComplianceSSEEnabledLegacy(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t, "--compat-legacy-bucket-encryption")
	cs := configClient(srv.HTTPURL, testAccessKey, testSecretKey)
	c := srv.S3(srv.HTTPURL)
	const b = "cfg-legacy"
	mustCreateBucket(t, c, b)
	putRule(t, srv, "sse-enabled", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", "")
	waitCompliance(t, cs, "sse-enabled", "AWS::S3::Bucket", b, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-policy", "--bucket", b, "--policy",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::`+b+`/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`)
	waitCompliance(t, cs, "sse-enabled", "AWS::S3::Bucket", b, "COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "delete-bucket-policy", "--bucket", b)
	waitCompliance(t, cs, "sse-enabled", "AWS::S3::Bucket", b, "NON_COMPLIANT")
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-encryption", "--bucket", b, "--server-side-encryption-configuration",
		`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}`)
	waitCompliance(t, cs, "sse-enabled", "AWS::S3::Bucket", b, "COMPLIANT")
}

// TestComplianceRefusedAndBadInput: a user without config permissions is refused; bad
// rules get AWS Config's errors.
func TestComplianceRefusedAndBadInput(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	cs := configClient(srv.HTTPURL, testAccessKey, testSecretKey)
	u := authzUser(t, root, "no-config", authzAllow(`"s3:*"`, `"*"`))
	us := configClient(srv.HTTPURL, u.AK, u.SK)
	rule := &cstypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: &cstypes.Source{Owner: cstypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_SSL_REQUESTS_ONLY")}}
	_, err := us.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: rule})
	wantConfigError(t, err, "AccessDeniedException", "")
	_, err = us.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
	wantConfigError(t, err, "AccessDeniedException", "")
	out := awsCLIAs(t, srv.HTTPURL, u.AK, u.SK, true, "configservice", "describe-compliance-by-resource")
	if !strings.Contains(out, "AccessDeniedException") {
		t.Errorf("CLI refusal: %s", out)
	}
	if _, err := cs.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: rule}); err != nil {
		t.Fatal(err)
	}

	out = srv.AWS(t, srv.HTTPURL, true, "configservice", "put-config-rule", "--config-rule",
		`{"ConfigRuleName":"x","Source":{"Owner":"AWS","SourceIdentifier":"S3_NO_SUCH_RULE"}}`)
	if !strings.Contains(out, "InvalidParameterValueException") || !strings.Contains(out, "The sourceIdentifier S3_NO_SUCH_RULE is invalid.") {
		t.Errorf("unknown identifier: %s", out)
	}
	out = srv.AWS(t, srv.HTTPURL, true, "configservice", "put-config-rule", "--config-rule",
		`{"ConfigRuleName":"x","Source":{"Owner":"AWS","SourceIdentifier":"S3_DEFAULT_ENCRYPTION_KMS"},"InputParameters":"{not json"}`)
	if !strings.Contains(out, "InvalidParameterValueException") {
		t.Errorf("bad InputParameters: %s", out)
	}
	_, err = cs.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &cstypes.ConfigRule{ConfigRuleName: aws.String("x"),
		Source: &cstypes.Source{Owner: cstypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_LOGGING_ENABLED")}, InputParameters: aws.String(`{"bucket":"x"}`)}})
	wantConfigError(t, err, "InvalidParameterValueException", "")
	_, err = cs.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &cstypes.ConfigRule{ConfigRuleName: aws.String("x"),
		Source:                    &cstypes.Source{Owner: cstypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_SSL_REQUESTS_ONLY")},
		MaximumExecutionFrequency: cstypes.MaximumExecutionFrequencyOneHour}})
	wantConfigError(t, err, "InvalidParameterValueException", "A maximum execution frequency for this rule is not allowed because only a change in resources triggers this managed rule.")
	_, err = cs.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("nope")})
	wantConfigError(t, err, "NoSuchConfigRuleException", "")
	_, err = cs.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"nope"}})
	wantConfigError(t, err, "NoSuchConfigRuleException", "")

	// Unsigned and badly signed requests are refused in AWS Config's shape.
	for _, signed := range []bool{false, true} {
		req, _ := http.NewRequest(http.MethodPost, srv.HTTPURL+"/", strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", "StarlingDoveService.DescribeConfigRules")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		want := "MissingAuthenticationTokenException"
		if signed {
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIANOSUCHKEY0000000/20260101/us-east-1/config/aws4_request, SignedHeaders=host, Signature=00")
			req.Header.Set("X-Amz-Date", "20260101T000000Z")
			want = "UnrecognizedClientException"
		}
		resp, err := HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Type string `json:"__type"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 400 || body.Type != want {
			t.Errorf("signed=%v: %d %q, want 400 %s", signed, resp.StatusCode, body.Type, want)
		}
	}

	// Another account has its own rules and sees only its own buckets' results.
	mustCreateBucket(t, srv.S3(srv.HTTPURL), "cfg-primary-bucket")
	other, oak, osk := createAccount(t, srv, "cfg-other")
	os3 := s3As(srv.HTTPURL, oak, osk)
	mustCreateBucket(t, os3, "cfg-other-bucket")
	ocs := configClient(srv.HTTPURL, oak, osk)
	if got, err := ocs.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{}); err != nil || len(got.ConfigRules) != 0 {
		t.Fatalf("other account's rules before it put any: %+v %v", got, err)
	}
	_, err = ocs.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"r"}})
	wantConfigError(t, err, "NoSuchConfigRuleException", "")
	if _, err := ocs.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: rule}); err != nil {
		t.Fatal(err)
	}
	got, err := ocs.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{})
	if err != nil || len(got.ConfigRules) != 1 || !strings.Contains(aws.ToString(got.ConfigRules[0].ConfigRuleArn), ":"+other+":config-rule/") {
		t.Fatalf("other account's rule: %+v %v", got, err)
	}
	waitCompliance(t, ocs, "r", "AWS::S3::Bucket", "cfg-other-bucket", "NON_COMPLIANT")
	waitCompliance(t, cs, "r", "AWS::S3::Bucket", "cfg-primary-bucket", "NON_COMPLIANT")
	if complianceOf(t, ocs, "r", "AWS::S3::Bucket", "cfg-primary-bucket") != "" || complianceOf(t, cs, "r", "AWS::S3::Bucket", "cfg-other-bucket") != "" {
		t.Errorf("an account sees another account's bucket results")
	}

	// Results come in pages of 10 by default (AWS Config's Limit default), at most 100.
	for i := 0; i < 11; i++ {
		mustCreateBucket(t, srv.S3(srv.HTTPURL), fmt.Sprintf("cfg-page-%02d", i))
	}
	waitCompliance(t, cs, "r", "AWS::S3::Bucket", "cfg-page-10", "NON_COMPLIANT")
	first, err := cs.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("r")})
	if err != nil || len(first.EvaluationResults) != 10 || first.NextToken == nil {
		t.Fatalf("first page: %d results, %v", len(first.EvaluationResults), err)
	}
	all, err := cs.GetComplianceDetailsByConfigRule(ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("r"), Limit: 100})
	if err != nil || len(all.EvaluationResults) != 12 || all.NextToken != nil {
		t.Fatalf("Limit 100: %d results, %v", len(all.EvaluationResults), err)
	}
	out = srv.AWS(t, srv.HTTPURL, false, "configservice", "get-compliance-details-by-config-rule", "--config-rule-name", "r")
	if n := strings.Count(out, `"ConfigRuleName": "r"`); n != 12 { // the CLI follows NextToken
		t.Errorf("CLI listed %d results, want 12", n)
	}
}

// TestComplianceLatencyFigure measures rule evaluation latency after a change: from the
// PutBucketPolicy / DeleteBucketPolicy response to the new result being readable through
// GetComplianceDetailsByConfigRule (polled every millisecond, so the figure includes up to
// one poll). It only logs; run with ARCA_FIGURES=1.
func TestComplianceLatencyFigure(t *testing.T) {
	if os.Getenv("ARCA_FIGURES") == "" {
		t.Skip("set ARCA_FIGURES=1 to measure")
	}
	srv := StartServer(t)
	ctx := context.Background()
	cs := configClient(srv.HTTPURL, testAccessKey, testSecretKey)
	c := srv.S3(srv.HTTPURL)
	const b = "cfg-latency"
	mustCreateBucket(t, c, b)
	for i := 0; i < 20; i++ { // other buckets the rule does not need to look at
		mustCreateBucket(t, c, "cfg-other-"+strconv.Itoa(i))
	}
	putRule(t, srv, "ssl-only", "S3_BUCKET_SSL_REQUESTS_ONLY", "")
	waitCompliance(t, cs, "ssl-only", "AWS::S3::Bucket", b, "NON_COMPLIANT")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::` + b + `","arn:aws:s3:::` + b + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	var lat []time.Duration
	for i := 0; i < 40; i++ {
		want := "COMPLIANT"
		var err error
		if i%2 == 0 {
			_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(policy)})
		} else {
			want = "NON_COMPLIANT"
			_, err = c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)})
		}
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for complianceOf(t, cs, "ssl-only", "AWS::S3::Bucket", b) != want {
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	t.Logf("FIGURE rule evaluation latency after a change (%d changes): median %v, p90 %v, max %v",
		len(lat), lat[len(lat)/2], lat[len(lat)*9/10], lat[len(lat)-1])
}

// TestComplianceEncryptionDrift: ARCA_S3_OBJECT_ENCRYPTION_DRIFT reads the latest inventory
// report (through the object engine): INSUFFICIENT_DATA without one, COMPLIANT while every
// object has the default's encryption, NON_COMPLIANT once the default moves to SSE-KMS and
// the reported objects are SSE-S3, COMPLIANT again when they are rewritten and reported.
func TestComplianceEncryptionDrift(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	cs := configClient(srv.HTTPURL, testAccessKey, testSecretKey)
	c := srv.S3(srv.HTTPURL)
	const src, dst = "drift-src", "drift-reports"
	mustCreateBucket(t, c, src)
	mustCreateBucket(t, c, dst)
	keys := []string{"a", "b/c", "d"}
	for i, k := range keys {
		mustPut(t, c, src, k, randBytes(100, int64(i)))
	}
	putRule(t, srv, "drift", "ARCA_S3_OBJECT_ENCRYPTION_DRIFT", "")
	waitCompliance(t, cs, "drift", "AWS::S3::Bucket", src, "INSUFFICIENT_DATA")

	cfg := &s3types.InventoryConfiguration{Id: aws.String("enc"), IsEnabled: aws.Bool(true),
		IncludedObjectVersions: s3types.InventoryIncludedObjectVersionsCurrent,
		Schedule:               &s3types.InventorySchedule{Frequency: s3types.InventoryFrequencyDaily},
		OptionalFields:         []s3types.InventoryOptionalField{"EncryptionStatus", "KMSKeyArn"},
		Destination: &s3types.InventoryDestination{S3BucketDestination: &s3types.InventoryS3BucketDestination{
			Bucket: aws.String("arn:aws:s3:::" + dst), Format: s3types.InventoryFormatCsv, Prefix: aws.String("inv")}}}
	invrPut(t, c, src, cfg)
	report := func() {
		t.Helper()
		if resp, _ := invrRun(t, srv.HTTPURL, src, "enc", testAccessKey, testSecretKey); resp.Status != 200 {
			t.Fatalf("inventory run: %d %s", resp.Status, resp.Body)
		}
		srv.AWS(t, srv.HTTPURL, false, "configservice", "start-config-rules-evaluation", "--config-rule-names", "drift")
	}
	report()
	waitCompliance(t, cs, "drift", "AWS::S3::Bucket", src, "COMPLIANT")

	key := strings.TrimSpace(srv.AWS(t, srv.HTTPURL, false, "kms", "create-key", "--query", "KeyMetadata.KeyId", "--output", "text"))
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-encryption", "--bucket", src, "--server-side-encryption-configuration",
		`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"`+key+`"}}]}`)
	waitCompliance(t, cs, "drift", "AWS::S3::Bucket", src, "NON_COMPLIANT")
	det, err := cs.GetComplianceDetailsByResource(ctx, &configservice.GetComplianceDetailsByResourceInput{
		ResourceType: aws.String("AWS::S3::Bucket"), ResourceId: aws.String(src)})
	if err != nil || len(det.EvaluationResults) != 1 || !strings.Contains(aws.ToString(det.EvaluationResults[0].Annotation), "3 of 3 objects") {
		t.Fatalf("drift details: %+v %v", det, err)
	}

	for i, k := range keys { // rewritten under the new default, then reported again
		mustPut(t, c, src, k, randBytes(100, int64(i)))
	}
	report()
	waitCompliance(t, cs, "drift", "AWS::S3::Bucket", src, "COMPLIANT")
}
