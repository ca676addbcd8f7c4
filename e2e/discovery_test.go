package e2e

// Sensitive-data discovery (docs/DISCOVERY.md) against a real server: objects with
// planted identifiers and near misses in every SSE mode, a classification job run as an
// IAM user that may use one KMS key but not another, findings read with aws-sdk-go-v2's
// macie2 client and the aws CLI, counts and byte offsets checked, the unreadable objects
// counted, no planted value anywhere (findings, server log, audit trail, data directory),
// callers without permission refused.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	mtypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func macieClient(endpoint, ak, sk string) *macie2.Client {
	return macie2.NewFromConfig(aws.Config{Region: testRegion, HTTPClient: HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, "")},
		func(o *macie2.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// macieRaw makes a signed macie2 call and returns the raw JSON body (to see Arca's
// additions the SDK does not parse, and to grep the exact bytes sent).
func macieRaw(t *testing.T, endpoint, ak, sk, method, path, body string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, endpoint+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk},
		req, hex.EncodeToString(sum[:]), "macie2", testRegion, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

// The planted values: each true positive appears once in plantedText; the near misses
// must not be reported.
var planted = map[string]string{
	"CREDIT_CARD_NUMBER":                "4111 1111 1111 1111",
	"USA_SOCIAL_SECURITY_NUMBER":        "123-45-6789",
	"INTERNATIONAL_BANK_ACCOUNT_NUMBER": "GB82 WEST 1234 5698 7654 32",
	"EMAIL_ADDRESS":                     "jane.doe@example.org",
	"AWS_CREDENTIALS":                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"PKCS":                              "-----BEGIN RSA PRIVATE KEY-----",
	"PHONE_NUMBER":                      "(206) 555-0123",
}

var nearMisses = []string{"4111 1111 1111 1112", "000-12-3456", "666-12-3456", "GB83 WEST 1234 5698 7654 32"}

const employeeID = "EMP-424242"

func plantedText() string {
	return "Customer record\n" +
		"credit card: " + planted["CREDIT_CARD_NUMBER"] + "\n" +
		"credit card (typo): " + nearMisses[0] + "\n" +
		"ssn: " + planted["USA_SOCIAL_SECURITY_NUMBER"] + "\n" +
		"ssn: " + nearMisses[1] + " and ssn " + nearMisses[2] + "\n" +
		"iban " + planted["INTERNATIONAL_BANK_ACCOUNT_NUMBER"] + "\n" +
		"iban " + nearMisses[3] + "\n" +
		"contact " + planted["EMAIL_ADDRESS"] + ", phone: " + planted["PHONE_NUMBER"] + "\n" +
		"aws_secret_access_key = " + planted["AWS_CREDENTIALS"] + "\n" +
		planted["PKCS"] + "\nMIIEabc\n-----END RSA PRIVATE KEY-----\n" +
		"employee " + employeeID + "\n"
}

func TestDiscoveryJob(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	root := srv.S3(srv.HTTPSURL) // SSE-C needs TLS
	account := authzAccount(t, srv)
	newKey := func() string {
		return strings.TrimSpace(srv.AWS(t, srv.HTTPURL, false, "kms", "create-key", "--query", "KeyMetadata.KeyId", "--output", "text"))
	}
	keyA, keyB := newKey(), newKey()
	arn := func(k string) string { return "arn:aws:kms:" + testRegion + ":" + account + ":key/" + k }

	text := plantedText()
	// A big object whose planted SSN straddles the scanner's first chunk boundary.
	big := strings.Repeat("filler line without anything sensitive in it at all\n", 5100) + "ssn " + planted["USA_SOCIAL_SECURITY_NUMBER"] + "\n"
	put := func(bucket, key, body string, mod func(*s3.PutObjectInput)) {
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}
		if mod != nil {
			mod(in)
		}
		if _, err := root.PutObject(ctx, in); err != nil {
			t.Fatalf("put %s/%s: %v", bucket, key, err)
		}
	}
	mustCreateBucket(t, root, "disc-s3")
	put("disc-s3", "planted.txt", text, nil)
	put("disc-s3", "clean.txt", "nothing to see here, just words and 42 numbers\n", nil)
	put("disc-s3", "big.log", big, nil)
	mustCreateBucket(t, root, "disc-kms")
	put("disc-kms", "planted.txt", text, func(in *s3.PutObjectInput) {
		in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(keyA)
	})
	mustCreateBucket(t, root, "disc-denied")
	put("disc-denied", "planted.txt", text, func(in *s3.PutObjectInput) {
		in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(keyB)
	})
	mustCreateBucket(t, root, "disc-ssec")
	allowSSEC(t, root, "disc-ssec")
	put("disc-ssec", "planted.txt", text, func(in *s3.PutObjectInput) {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(sseCK1.B64), aws.String(sseCK1.MD5)
	})

	iamc := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	scanner := authzUser(t, iamc, "scanner", authzAllow(`["macie2:*"]`, `"*"`), authzAllow(`["kms:Decrypt"]`, `"`+arn(keyA)+`"`))
	nobody := authzUser(t, iamc, "nobody")
	mc := macieClient(srv.HTTPURL, scanner.AK, scanner.SK)

	// Refused callers.
	_, err := macieClient(srv.HTTPURL, nobody.AK, nobody.SK).CreateClassificationJob(ctx, &macie2.CreateClassificationJobInput{
		ClientToken: aws.String("t0"), Name: aws.String("x"), JobType: mtypes.JobTypeOneTime,
		S3JobDefinition: &mtypes.S3JobDefinition{BucketDefinitions: []mtypes.S3BucketDefinitionForJob{{AccountId: aws.String(account), Buckets: []string{"disc-s3"}}}}})
	wantAPIError(t, err, "AccessDeniedException", 403)
	_, err = macieClient(srv.HTTPURL, nobody.AK, nobody.SK).ListFindings(ctx, &macie2.ListFindingsInput{})
	wantAPIError(t, err, "AccessDeniedException", 403)

	cdi, err := mc.CreateCustomDataIdentifier(ctx, &macie2.CreateCustomDataIdentifierInput{Name: aws.String("employee-id"),
		Regex: aws.String(`EMP-[0-9]{6}`), Keywords: []string{"employee"}, MaximumMatchDistance: aws.Int32(20), ClientToken: aws.String("c1")})
	if err != nil {
		t.Fatalf("CreateCustomDataIdentifier: %v", err)
	}
	got, err := mc.GetCustomDataIdentifier(ctx, &macie2.GetCustomDataIdentifierInput{Id: cdi.CustomDataIdentifierId})
	if err != nil || aws.ToString(got.Regex) != `EMP-[0-9]{6}` || aws.ToInt32(got.MaximumMatchDistance) != 20 {
		t.Fatalf("GetCustomDataIdentifier: %+v %v", got, err)
	}
	_, err = mc.CreateCustomDataIdentifier(ctx, &macie2.CreateCustomDataIdentifierInput{Name: aws.String("bad"), Regex: aws.String(`(`)})
	wantAPIError(t, err, "ValidationException", 400)

	jobIn := &macie2.CreateClassificationJobInput{ClientToken: aws.String("job-1"), Name: aws.String("all-sse-modes"),
		JobType: mtypes.JobTypeOneTime, CustomDataIdentifierIds: []string{aws.ToString(cdi.CustomDataIdentifierId)},
		S3JobDefinition: &mtypes.S3JobDefinition{BucketDefinitions: []mtypes.S3BucketDefinitionForJob{{AccountId: aws.String(account),
			Buckets: []string{"disc-s3", "disc-kms", "disc-denied", "disc-ssec"}}}}}
	job, err := mc.CreateClassificationJob(ctx, jobIn)
	if err != nil {
		t.Fatalf("CreateClassificationJob: %v", err)
	}
	// clientToken: the same request again is the same job; other parameters conflict.
	again, err := mc.CreateClassificationJob(ctx, jobIn)
	if err != nil || aws.ToString(again.JobId) != aws.ToString(job.JobId) {
		t.Fatalf("retry: %v %v", again, err)
	}
	conflict := *jobIn
	conflict.Name = aws.String("other")
	_, err = mc.CreateClassificationJob(ctx, &conflict)
	wantAPIError(t, err, "ConflictException", 409)
	_, err = mc.DescribeClassificationJob(ctx, &macie2.DescribeClassificationJobInput{JobId: aws.String("0000")})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	bad := *jobIn
	bad.ClientToken, bad.SamplingPercentage = aws.String("job-bad"), aws.Int32(101)
	_, err = mc.CreateClassificationJob(ctx, &bad)
	wantAPIError(t, err, "ValidationException", 400)

	// Wait for the run (in the background; a generous deadline, no timing asserted).
	var desc *macie2.DescribeClassificationJobOutput
	for deadline := time.Now().Add(60 * time.Second); ; {
		desc, err = mc.DescribeClassificationJob(ctx, &macie2.DescribeClassificationJobInput{JobId: job.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if desc.JobStatus == mtypes.JobStatusComplete {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s", desc.JobStatus)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if desc.LastRunErrorStatus == nil || desc.LastRunErrorStatus.Code != mtypes.LastRunErrorStatusCodeError {
		t.Errorf("lastRunErrorStatus = %+v, want ERROR (unreadable objects)", desc.LastRunErrorStatus)
	}
	var raw struct {
		Statistics struct {
			Scanned    int64 `json:"arcaObjectsScanned"`
			Unreadable int64 `json:"arcaObjectsUnreadable"`
		} `json:"statistics"`
		Reasons map[string]int64 `json:"arcaLastRunUnreadableByReason"`
	}
	json.Unmarshal(macieRaw(t, srv.HTTPURL, scanner.AK, scanner.SK, "GET", "/jobs/"+aws.ToString(job.JobId), ""), &raw)
	if raw.Statistics.Scanned != 4 || raw.Statistics.Unreadable != 2 || raw.Reasons["SSE_C_ENCRYPTED"] != 1 || raw.Reasons["KMS_ACCESS_DENIED_OR_KEY_UNUSABLE"] != 1 {
		t.Errorf("statistics = %+v, reasons %v: want 4 scanned, 2 unreadable (SSE-C, KMS key denied)", raw.Statistics, raw.Reasons)
	}

	lf, err := mc.ListFindings(ctx, &macie2.ListFindingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.FindingIds) != 3 {
		t.Fatalf("findings = %d, want 3 (planted.txt under SSE-S3 and SSE-KMS, big.log)", len(lf.FindingIds))
	}
	gf, err := mc.GetFindings(ctx, &macie2.GetFindingsInput{FindingIds: lf.FindingIds})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range gf.Findings {
		obj := f.ResourcesAffected.S3Object
		key, bucket := aws.ToString(obj.Key), aws.ToString(f.ResourcesAffected.S3Bucket.Name)
		body := text
		if key == "big.log" {
			body = big
		}
		wantEnc := mtypes.EncryptionTypeAes256
		if bucket == "disc-kms" {
			wantEnc = mtypes.EncryptionTypeAwsKms
			if aws.ToString(obj.ServerSideEncryption.KmsMasterKeyId) != arn(keyA) {
				t.Errorf("%s/%s: kmsMasterKeyId %q", bucket, key, aws.ToString(obj.ServerSideEncryption.KmsMasterKeyId))
			}
		}
		if obj.ServerSideEncryption.EncryptionType != wantEnc {
			t.Errorf("%s/%s: encryption %s, want %s", bucket, key, obj.ServerSideEncryption.EncryptionType, wantEnc)
		}
		seen := map[string]bool{}
		res := f.ClassificationDetails.Result
		for _, sd := range res.SensitiveData {
			for _, d := range sd.Detections {
				id := aws.ToString(d.Type)
				seen[id] = true
				val := planted[id]
				if aws.ToInt64(d.Count) != 1 || len(d.Occurrences.OffsetRanges) != 1 {
					t.Errorf("%s/%s %s: count %d, want 1", bucket, key, id, aws.ToInt64(d.Count))
					continue
				}
				off := int64(strings.Index(body, val))
				r := d.Occurrences.OffsetRanges[0]
				if aws.ToInt64(r.Start) != off || aws.ToInt64(r.End) != off+int64(len(val)) {
					t.Errorf("%s/%s %s: offsets [%d,%d), want [%d,%d)", bucket, key, id, aws.ToInt64(r.Start), aws.ToInt64(r.End), off, off+int64(len(val)))
				}
				line := int64(strings.Count(body[:off], "\n") + 1)
				if l := d.Occurrences.LineRanges[0]; aws.ToInt64(l.Start) != line {
					t.Errorf("%s/%s %s: line %d, want %d", bucket, key, id, aws.ToInt64(l.Start), line)
				}
			}
		}
		if key == "big.log" {
			if len(seen) != 1 || !seen["USA_SOCIAL_SECURITY_NUMBER"] || string(f.Type) != "SensitiveData:S3Object/Personal" {
				t.Errorf("big.log: %v %s", seen, f.Type)
			}
			continue
		}
		for id := range planted {
			if !seen[id] {
				t.Errorf("%s/%s: %s not detected", bucket, key, id)
			}
		}
		if f.Type != mtypes.FindingTypeSensitiveDataS3ObjectMultiple || f.Severity.Description != mtypes.SeverityDescriptionHigh {
			t.Errorf("%s/%s: type %s severity %s", bucket, key, f.Type, f.Severity.Description)
		}
		if cd := res.CustomDataIdentifiers; cd == nil || aws.ToInt64(cd.TotalCount) != 1 {
			t.Errorf("%s/%s: custom detections %+v", bucket, key, cd)
		}
	}

	// Sensitive data under SSE-S3 only: one filter.
	sses3, err := mc.ListFindings(ctx, &macie2.ListFindingsInput{FindingCriteria: &mtypes.FindingCriteria{Criterion: map[string]mtypes.CriterionAdditionalProperties{
		"resourcesAffected.s3Object.serverSideEncryption.encryptionType": {Eq: []string{"AES256"}}}}})
	if err != nil || len(sses3.FindingIds) != 2 {
		t.Fatalf("SSE-S3 findings: %v %v", sses3, err)
	}
	_, err = mc.ListFindings(ctx, &macie2.ListFindingsInput{FindingCriteria: &mtypes.FindingCriteria{Criterion: map[string]mtypes.CriterionAdditionalProperties{
		"no.such.field": {Eq: []string{"x"}}}}})
	wantAPIError(t, err, "ValidationException", 400)
	// The aws CLI, unchanged.
	cli := awsCLIAs(t, srv.HTTPURL, scanner.AK, scanner.SK, false, "macie2", "list-findings", "--finding-criteria",
		`{"criterion":{"resourcesAffected.s3Object.serverSideEncryption.encryptionType":{"eq":["aws:kms"]}}}`)
	if strings.Count(cli, `"`) < 2 || !strings.Contains(cli, "findingIds") {
		t.Errorf("aws macie2 list-findings: %s", cli)
	}

	bs, err := mc.GetBucketStatistics(ctx, &macie2.GetBucketStatisticsInput{})
	if err != nil || aws.ToInt64(bs.BucketCount) != 4 || aws.ToInt64(bs.ObjectCount) != 6 || aws.ToInt64(bs.UnclassifiableObjectCount.Total) != 1 {
		t.Fatalf("GetBucketStatistics: %+v %v", bs, err)
	}
	var st struct {
		ByEnc map[string]int64 `json:"objectCountByEncryptionType"`
	}
	json.Unmarshal(macieRaw(t, srv.HTTPURL, scanner.AK, scanner.SK, "POST", "/datasources/s3/statistics", "{}"), &st)
	if st.ByEnc["s3Managed"] != 3 || st.ByEnc["kmsManaged"] != 2 || st.ByEnc["customerManaged"] != 1 || st.ByEnc["unencrypted"] != 0 {
		t.Errorf("objectCountByEncryptionType = %v", st.ByEnc)
	}

	// A scheduled job with an initial run: it runs now, then waits for its day.
	sj, err := mc.CreateClassificationJob(ctx, &macie2.CreateClassificationJobInput{ClientToken: aws.String("job-2"), Name: aws.String("weekly"),
		JobType: mtypes.JobTypeScheduled, InitialRun: aws.Bool(true), SamplingPercentage: aws.Int32(100),
		ScheduleFrequency:             &mtypes.JobScheduleFrequency{WeeklySchedule: &mtypes.WeeklySchedule{DayOfWeek: mtypes.DayOfWeekMonday}},
		ManagedDataIdentifierSelector: mtypes.ManagedDataIdentifierSelectorInclude, ManagedDataIdentifierIds: []string{"USA_SOCIAL_SECURITY_NUMBER"},
		S3JobDefinition: &mtypes.S3JobDefinition{BucketDefinitions: []mtypes.S3BucketDefinitionForJob{{AccountId: aws.String(account), Buckets: []string{"disc-s3"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		d, err := mc.DescribeClassificationJob(ctx, &macie2.DescribeClassificationJobInput{JobId: sj.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if d.JobStatus == mtypes.JobStatusIdle && d.Statistics != nil && aws.ToFloat64(d.Statistics.NumberOfRuns) == 1 {
			if d.ScheduleFrequency == nil || d.ScheduleFrequency.WeeklySchedule == nil || d.ScheduleFrequency.WeeklySchedule.DayOfWeek != mtypes.DayOfWeekMonday {
				t.Errorf("scheduleFrequency = %+v", d.ScheduleFrequency)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scheduled job: %s", d.JobStatus)
		}
	}
	lj, err := mc.ListClassificationJobs(ctx, &macie2.ListClassificationJobsInput{})
	if err != nil || len(lj.Items) != 2 {
		t.Fatalf("ListClassificationJobs: %+v %v", lj, err)
	}

	// No planted value anywhere: findings (raw bytes), the server's log, the audit trail,
	// the data directory (objects are encrypted; findings hold offsets only).
	var haystacks = map[string][]byte{
		"findings": macieRaw(t, srv.HTTPURL, scanner.AK, scanner.SK, "POST", "/findings/describe", `{"findingIds":["`+strings.Join(lf.FindingIds, `","`)+`"]}`),
		"trail":    []byte(srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "lookup-events", "--max-results", "50")),
		"log":      []byte(srv.Output()),
	}
	filepath.WalkDir(srv.DataDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			haystacks["data:"+p] = b
		}
		return nil
	})
	if !bytes.Contains(haystacks["trail"], []byte("macie2.amazonaws.com")) {
		t.Errorf("the trail has no macie2 events")
	}
	values := append([]string{employeeID}, nearMisses...)
	for _, v := range planted {
		values = append(values, v)
	}
	for name, h := range haystacks {
		for _, v := range values {
			if strings.HasPrefix(name, "data:") && v == planted["PKCS"] {
				continue // the server's own TLS key file may start so
			}
			if bytes.Contains(h, []byte(v)) {
				t.Errorf("%s contains a planted value", name)
			}
		}
	}
}
