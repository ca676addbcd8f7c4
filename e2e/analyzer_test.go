package e2e

// IAM Access Analyzer (docs/ACCESS-ANALYZER.md) against a real server: findings for a
// table of bucket and key policies (public, cross-account, bounded to the account by a
// condition, neutralised by Block Public Access), each checked against what the server
// actually lets the outside principal do; findings recomputed on a policy change
// (RESOLVED); archive and unarchive with the aws CLI; a caller without permission refused;
// bad input refused with Access Analyzer's errors.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"
)

func analyzerClient(t testing.TB, endpoint, ak, sk string) *accessanalyzer.Client {
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	return accessanalyzer.NewFromConfig(aws.Config{Region: testRegion, HTTPClient: hc, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, "")},
		func(o *accessanalyzer.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func wantAnalyzerErr(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// findingsFor is the analyzer's findings on resource (status "" = any).
func findingsFor(t *testing.T, aa *accessanalyzer.Client, analyzerARN, resource, status string) []aatypes.FindingSummary {
	t.Helper()
	in := &accessanalyzer.ListFindingsInput{AnalyzerArn: aws.String(analyzerARN),
		Filter: map[string]aatypes.Criterion{"resource": {Eq: []string{resource}}}}
	if status != "" {
		in.Filter["status"] = aatypes.Criterion{Eq: []string{status}}
	}
	var out []aatypes.FindingSummary
	p := accessanalyzer.NewListFindingsPaginator(aa, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListFindings: %v", err)
		}
		out = append(out, page.Findings...)
	}
	return out
}

func TestAccessAnalyzer(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	own := authzAccount(t, srv)
	other, otherAK, otherSK := createAccount(t, srv, "outside")
	root := authzS3(t, srv.HTTPURL, authzRoot(own))
	outside := authzS3(t, srv.HTTPURL, authzCreds{ARN: "arn:aws:iam::" + other + ":root", AK: otherAK, SK: otherSK})
	aa := analyzerClient(t, srv.HTTPURL, testAccessKey, testSecretKey)

	policies := []struct {
		bucket, policy string
		restrict       bool
		// want: the finding's principal and whether it is public; "" = no finding.
		principal string
		public    bool
		// reader: who tries GetObject to check the finding against the server's decision.
		anonymous bool
	}{
		{bucket: "aa-public", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aa-public/*"}]}`,
			principal: "*", public: true, anonymous: true},
		{bucket: "aa-xacct", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::aa-xacct","arn:aws:s3:::aa-xacct/*"]}]}`,
			principal: "arn:aws:iam::" + other + ":root"},
		{bucket: "aa-inside", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aa-inside/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + own + `"}}}]}`},
		{bucket: "aa-pinned", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aa-pinned/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + other + `"}}}]}`,
			principal: "*"},
		{bucket: "aa-restricted", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aa-restricted/*"}]}`,
			restrict: true, anonymous: true},
		{bucket: "aa-denied", policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::aa-denied/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::aa-denied/*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + own + `"}}}]}`},
	}
	for _, p := range policies {
		mustCreateBucket(t, root, p.bucket)
		mustPut(t, root, p.bucket, "k", []byte("data"))
		// New buckets block public access (as S3's since 2023): lift it, but for
		// RestrictPublicBuckets where the case wants it.
		if _, err := root.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(p.bucket),
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false),
				IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(p.restrict)}}); err != nil {
			t.Fatalf("PutPublicAccessBlock %s: %v", p.bucket, err)
		}
		if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(p.bucket), Policy: aws.String(p.policy)}); err != nil {
			t.Fatalf("PutBucketPolicy %s: %v", p.bucket, err)
		}
	}
	// A key whose policy lets the other account decrypt.
	kc := authzKMS(t, srv.HTTPURL, authzRoot(own))
	keyPolicy := `{"Version":"2012-10-17","Statement":[{"Sid":"own","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + own + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}]}`
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(keyPolicy)})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	privateKey, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}

	created, err := aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("acct"), Type: aatypes.TypeAccount})
	if err != nil {
		t.Fatalf("CreateAnalyzer: %v", err)
	}
	arn := aws.ToString(created.Arn)
	if arn != "arn:aws:access-analyzer:"+testRegion+":"+own+":analyzer/acct" {
		t.Fatalf("analyzer ARN %s", arn)
	}

	for _, p := range policies {
		fs := findingsFor(t, aa, arn, "arn:aws:s3:::"+p.bucket, "ACTIVE")
		if p.principal == "" {
			if len(fs) != 0 {
				t.Errorf("%s: findings %+v, want none", p.bucket, fs)
			}
		} else {
			if len(fs) != 1 || fs[0].Principal["AWS"] != p.principal || aws.ToBool(fs[0].IsPublic) != p.public ||
				!slices.Contains(fs[0].Action, "s3:GetObject") || fs[0].ResourceType != aatypes.ResourceTypeAwsS3Bucket ||
				aws.ToString(fs[0].ResourceOwnerAccount) != own || len(fs[0].Sources) != 1 || fs[0].Sources[0].Type != aatypes.FindingSourceTypePolicy {
				t.Errorf("%s: findings %+v, want one on principal %s public %v", p.bucket, fs, p.principal, p.public)
			}
		}
		// The finding agrees with the server's own decision for the outside principal.
		var getErr error
		if p.anonymous {
			resp, err := HTTPClient().Get(srv.HTTPURL + "/" + p.bucket + "/k")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				getErr = errors.New(resp.Status)
			}
		} else {
			_, getErr = outside.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(p.bucket), Key: aws.String("k")})
		}
		if (p.principal != "") != (getErr == nil) {
			t.Errorf("%s: finding %v but outside GetObject error %v", p.bucket, p.principal != "", getErr)
		}
	}
	if fs := findingsFor(t, aa, arn, "arn:aws:s3:::aa-pinned", ""); len(fs) == 1 && fs[0].Condition["aws:PrincipalAccount"] != other {
		t.Errorf("pinned finding condition %v", fs[0].Condition)
	}
	kf := findingsFor(t, aa, arn, keyARN, "ACTIVE")
	if len(kf) != 1 || kf[0].Principal["AWS"] != "arn:aws:iam::"+other+":root" || !slices.Equal(kf[0].Action, []string{"kms:Decrypt", "kms:DescribeKey"}) {
		t.Errorf("key findings %+v", kf)
	}
	if fs := findingsFor(t, aa, arn, aws.ToString(privateKey.KeyMetadata.Arn), ""); len(fs) != 0 {
		t.Errorf("private key findings %+v", fs)
	}
	okc := authzKMS(t, srv.HTTPURL, authzCreds{AK: otherAK, SK: otherSK})
	if _, err := okc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)}); err != nil {
		t.Errorf("the finding says the other account may DescribeKey, KMS says %v", err)
	}
	if _, err := okc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: privateKey.KeyMetadata.Arn}); err == nil {
		t.Errorf("no finding, yet the other account may DescribeKey the private key")
	}

	// A grant to the other account is a finding of its own.
	if _, err := kc.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: privateKey.KeyMetadata.Arn,
		GranteePrincipal: aws.String("arn:aws:iam::" + other + ":root"), Operations: []kmstypes.GrantOperation{"Decrypt"}}); err != nil {
		t.Fatalf("CreateGrant: %v", err)
	}
	if fs := findingsFor(t, aa, arn, aws.ToString(privateKey.KeyMetadata.Arn), "ACTIVE"); len(fs) != 1 || fs[0].Action[0] != "kms:Decrypt" {
		t.Errorf("grant findings %+v", fs)
	}

	// A policy change re-analyses the bucket before the call is answered.
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("aa-xacct")}); err != nil {
		t.Fatal(err)
	}
	if fs := findingsFor(t, aa, arn, "arn:aws:s3:::aa-xacct", ""); len(fs) != 1 || fs[0].Status != aatypes.FindingStatusResolved {
		t.Errorf("after DeleteBucketPolicy: %+v, want one RESOLVED", fs)
	}

	// Account-level RestrictPublicBuckets resolves the public finding (and anonymous reads
	// stop); removing it brings the finding back, ACTIVE.
	ctl := bpaControl(t, srv, authzRoot(own))
	if _, err := ctl.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(own),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		t.Fatalf("account PutPublicAccessBlock: %v", err)
	}
	if fs := findingsFor(t, aa, arn, "arn:aws:s3:::aa-public", ""); len(fs) != 1 || fs[0].Status != aatypes.FindingStatusResolved {
		t.Errorf("after account RestrictPublicBuckets: %+v, want one RESOLVED", fs)
	}
	if resp, err := HTTPClient().Get(srv.HTTPURL + "/aa-public/k"); err != nil || resp.StatusCode == http.StatusOK {
		t.Errorf("anonymous GET under account RestrictPublicBuckets: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if _, err := ctl.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(own)}); err != nil {
		t.Fatalf("account DeletePublicAccessBlock: %v", err)
	}
	if fs := findingsFor(t, aa, arn, "arn:aws:s3:::aa-public", ""); len(fs) != 1 || fs[0].Status != aatypes.FindingStatusActive {
		t.Errorf("after account block removed: %+v, want one ACTIVE", fs)
	}

	// Archive and unarchive with the aws CLI; GetFinding shows the status.
	pub := findingsFor(t, aa, arn, "arn:aws:s3:::aa-public", "")
	if len(pub) != 1 {
		t.Fatalf("public findings %+v", pub)
	}
	id := aws.ToString(pub[0].Id)
	srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "update-findings", "--analyzer-arn", arn, "--ids", id, "--status", "ARCHIVED")
	got, err := aa.GetFinding(ctx, &accessanalyzer.GetFindingInput{AnalyzerArn: aws.String(arn), Id: aws.String(id)})
	if err != nil || got.Finding.Status != aatypes.FindingStatusArchived {
		t.Fatalf("GetFinding after archive: %+v %v", got, err)
	}
	out := srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "list-findings", "--analyzer-arn", arn, "--filter", `{"status":{"eq":["ARCHIVED"]}}`)
	if !strings.Contains(out, id) {
		t.Errorf("list-findings ARCHIVED: %s", out)
	}
	srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "update-findings", "--analyzer-arn", arn, "--resource-arn", "arn:aws:s3:::aa-public", "--status", "ACTIVE")
	if got, _ := aa.GetFinding(ctx, &accessanalyzer.GetFindingInput{AnalyzerArn: aws.String(arn), Id: aws.String(id)}); got == nil || got.Finding.Status != aatypes.FindingStatusActive {
		t.Errorf("after unarchive: %+v", got)
	}
	out = srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "get-analyzer", "--analyzer-name", "acct")
	if !strings.Contains(out, `"status": "ACTIVE"`) || !strings.Contains(out, arn) {
		t.Errorf("get-analyzer: %s", out)
	}

	// Bad input and missing things, with Access Analyzer's errors.
	_, err = aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aatypes.TypeOrganization})
	wantAnalyzerErr(t, err, "ValidationException")
	_, err = aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("acct"), Type: aatypes.TypeAccount})
	wantAnalyzerErr(t, err, "ConflictException")
	_, err = aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("1bad"), Type: aatypes.TypeAccount})
	wantAnalyzerErr(t, err, "ValidationException")
	_, err = aa.GetAnalyzer(ctx, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("nope")})
	wantAnalyzerErr(t, err, "ResourceNotFoundException")
	_, err = aa.GetFinding(ctx, &accessanalyzer.GetFindingInput{AnalyzerArn: aws.String(arn), Id: aws.String("00000000-0000-0000-0000-000000000000")})
	wantAnalyzerErr(t, err, "ResourceNotFoundException")
	_, err = aa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: aws.String(arn), NextToken: aws.String("!!")})
	wantAnalyzerErr(t, err, "ValidationException")

	// Another account sees none of it; a user without permission is refused.
	oaa := analyzerClient(t, srv.HTTPURL, otherAK, otherSK)
	_, err = oaa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: aws.String(arn)})
	wantAnalyzerErr(t, err, "ResourceNotFoundException")
	if l, err := oaa.ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{}); err != nil || len(l.Analyzers) != 0 {
		t.Errorf("other account's ListAnalyzers: %+v %v", l, err)
	}
	user := authzUser(t, iamClient(srv.HTTPURL, testAccessKey, testSecretKey), "nobody")
	uaa := analyzerClient(t, srv.HTTPURL, user.AK, user.SK)
	_, err = uaa.ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{})
	wantAnalyzerErr(t, err, "AccessDeniedException")
	_, err = uaa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: aws.String(arn)})
	wantAnalyzerErr(t, err, "AccessDeniedException")
	bad := analyzerClient(t, srv.HTTPURL, testAccessKey, "wrong-secret")
	_, err = bad.ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{})
	wantAnalyzerErr(t, err, "UnrecognizedClientException")

	// A public-read bucket ACL is a BUCKET_ACL finding, and anonymous listing works.
	mustCreateBucket(t, root, "aa-acl")
	if _, err := root.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("aa-acl"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false),
			IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("aa-acl"),
		OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerPreferred}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("aa-acl"), ACL: s3types.BucketCannedACLPublicRead}); err != nil {
		t.Fatalf("PutBucketAcl: %v", err)
	}
	af := findingsFor(t, aa, arn, "arn:aws:s3:::aa-acl", "ACTIVE")
	if len(af) != 1 || af[0].Sources[0].Type != aatypes.FindingSourceTypeBucketAcl || !aws.ToBool(af[0].IsPublic) || !slices.Contains(af[0].Action, "s3:ListBucket") {
		t.Errorf("ACL findings %+v", af)
	}
	if resp, err := HTTPClient().Get(srv.HTTPURL + "/aa-acl"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous ListObjects on a public-read bucket: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// The policy checks through the aws CLI.
	out = srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "validate-policy", "--policy-type", "IDENTITY_POLICY",
		"--policy-document", `{"Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:GetObject"],"Resource":"*"}]}`)
	if !strings.Contains(out, `"issueCode": "MISSING_VERSION"`) || !strings.Contains(out, `"issueCode": "REDUNDANT_ACTION"`) || !strings.Contains(out, `"span"`) {
		t.Errorf("validate-policy: %s", out)
	}
	out = srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "check-no-public-access", "--resource-type", "AWS::S3::Bucket",
		"--policy-document", policies[0].policy)
	if !strings.Contains(out, `"result": "FAIL"`) {
		t.Errorf("check-no-public-access on a public policy: %s", out)
	}
	out = srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "check-no-public-access", "--resource-type", "AWS::KMS::Key",
		"--policy-document", keyPolicy)
	if !strings.Contains(out, `"result": "PASS"`) {
		t.Errorf("check-no-public-access on a cross-account key policy: %s", out)
	}
	out = srv.AWS(t, srv.HTTPURL, false, "accessanalyzer", "check-access-not-granted", "--policy-type", "RESOURCE_POLICY",
		"--policy-document", keyPolicy, "--access", `[{"actions":["kms:Decrypt"]}]`)
	if !strings.Contains(out, `"result": "FAIL"`) {
		t.Errorf("check-access-not-granted kms:Decrypt: %s", out)
	}
	out = srv.AWS(t, srv.HTTPURL, true, "accessanalyzer", "check-no-public-access", "--resource-type", "AWS::S3::Bucket",
		"--policy-document", `{"Statement":`)
	if !strings.Contains(out, "UnprocessableEntityException") {
		t.Errorf("check-no-public-access on a malformed policy: %s", out)
	}
	_, err = uaa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(keyPolicy), PolicyType: aatypes.PolicyTypeResourcePolicy})
	wantAnalyzerErr(t, err, "AccessDeniedException")

	if _, err := aa.DeleteAnalyzer(ctx, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("acct")}); err != nil {
		t.Fatalf("DeleteAnalyzer: %v", err)
	}
	_, err = aa.ListFindings(ctx, &accessanalyzer.ListFindingsInput{AnalyzerArn: aws.String(arn)})
	wantAnalyzerErr(t, err, "ResourceNotFoundException")
}

// TestAccessAnalyzerRestart: findings and their statuses survive a restart, a change made
// while auditing was off (--no-audit, so no re-analysis) is reflected at the next start,
// and the analyzer's calls are in the trail with Access Analyzer's event source.
func TestAccessAnalyzerRestart(t *testing.T) {
	dir := t.TempDir()
	srv := StartServerAt(t, dir)
	ctx := context.Background()
	root := authzS3(t, srv.HTTPURL, authzRoot(authzAccount(t, srv)))
	mustCreateBucket(t, root, "aa-keep")
	if _, err := root.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("aa-keep"),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false),
			IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::aa-keep/*"}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("aa-keep"), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	aa := analyzerClient(t, srv.HTTPURL, testAccessKey, testSecretKey)
	created, err := aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("keep"), Type: aatypes.TypeAccount})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.Arn)
	fs := findingsFor(t, aa, arn, "arn:aws:s3:::aa-keep", "")
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	id := aws.ToString(fs[0].Id)
	if _, err := aa.UpdateFindings(ctx, &accessanalyzer.UpdateFindingsInput{AnalyzerArn: aws.String(arn), Ids: []string{id}, Status: aatypes.FindingStatusUpdateArchived}); err != nil {
		t.Fatal(err)
	}
	evs, err := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("access-analyzer.amazonaws.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range evs.Events {
		names = append(names, aws.ToString(e.EventName))
	}
	if !slices.Contains(names, "CreateAnalyzer") || !slices.Contains(names, "UpdateFindings") {
		t.Errorf("trail has %v", names)
	}
	srv.Stop()

	srv = StartServerAt(t, dir)
	aa = analyzerClient(t, srv.HTTPURL, testAccessKey, testSecretKey)
	if f, err := aa.GetFinding(ctx, &accessanalyzer.GetFindingInput{AnalyzerArn: aws.String(arn), Id: aws.String(id)}); err != nil || f.Finding.Status != aatypes.FindingStatusArchived {
		t.Fatalf("after restart: %+v %v", f, err)
	}
	// Without the audit chain the policy's removal is not seen until the next start.
	srv.Stop()
	srv = StartServerAt(t, dir, "--no-audit")
	root = authzS3(t, srv.HTTPURL, authzRoot(authzAccount(t, srv)))
	if _, err := root.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("aa-keep")}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	srv = StartServerAt(t, dir)
	aa = analyzerClient(t, srv.HTTPURL, testAccessKey, testSecretKey)
	if f, err := aa.GetFinding(ctx, &accessanalyzer.GetFindingInput{AnalyzerArn: aws.String(arn), Id: aws.String(id)}); err != nil || f.Finding.Status != aatypes.FindingStatusResolved {
		t.Fatalf("after a change made without auditing and a restart: %+v %v", f, err)
	}
}
