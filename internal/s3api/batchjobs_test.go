package s3api

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/batch"
)

// The job API's rows: S3 Control's paths with a job id, each method to its operation, other
// methods MethodNotAllowed, unknown paths NotImplemented.
func TestRouteControlJobs(t *testing.T) {
	a := &API{cfg: Config{Domains: []string{"localhost"}}}
	for _, tc := range []struct {
		method, path string
		op, code     string
	}{
		{http.MethodPost, "/v20180820/jobs", "CreateJob", ""},
		{http.MethodGet, "/v20180820/jobs", "ListJobs", ""},
		{http.MethodGet, "/v20180820/jobs/0f3a-job_1", "DescribeJob", ""},
		{http.MethodPost, "/v20180820/jobs/0f3a-job_1/priority", "UpdateJobPriority", ""},
		{http.MethodPost, "/v20180820/jobs/0f3a-job_1/status", "UpdateJobStatus", ""},
		{http.MethodGet, "/v20180820/jobs/0f3a-job_1/tagging", "GetJobTagging", ""},
		{http.MethodPut, "/v20180820/jobs/0f3a-job_1/tagging", "PutJobTagging", ""},
		{http.MethodDelete, "/v20180820/jobs/0f3a-job_1/tagging", "DeleteJobTagging", ""},
		{http.MethodDelete, "/v20180820/jobs", "", "MethodNotAllowed"},
		{http.MethodPut, "/v20180820/jobs/0f3a-job_1", "", "MethodNotAllowed"},
		{http.MethodGet, "/v20180820/jobs//tagging", "Unsupported", "NotImplemented"},
		{http.MethodGet, "/v20180820/jobs/x/y/z", "Unsupported", "NotImplemented"},
	} {
		r := httptest.NewRequest(tc.method, "http://123456789012.localhost:9000"+tc.path, nil)
		r.Header.Set("x-amz-account-id", "123456789012")
		q := &request{r: r}
		q.bucket, q.key = a.bucketAndKey(r)
		name, _, err := route(q)
		code := ""
		if err != nil {
			code = apierr.S3(err).Code
		}
		if name != tc.op || code != tc.code {
			t.Errorf("%s %s: op %q code %q; want %q %q", tc.method, tc.path, name, code, tc.op, tc.code)
		}
	}
}

const cjHead = `<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">`

// cjBody is a valid CreateJob body with parts replaced: each key of repl present in the
// base body is swapped for its value.
func cjBody(repl ...string) string {
	s := cjHead + `<ClientRequestToken>tok-1</ClientRequestToken><ConfirmationRequired>true</ConfirmationRequired>` +
		`<Description>re-encrypt</Description>` +
		`<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>` +
		`<Location><ObjectArn>arn:aws:s3:::manifests/m.csv</ObjectArn><ETag>abc</ETag></Location></Manifest>` +
		`<Operation>` + copyOpXML + `</Operation>` +
		`<Priority>10</Priority>` +
		`<Report><Bucket>arn:aws:s3:::reports</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>r</Prefix><ReportScope>AllTasks</ReportScope></Report>` +
		`<RoleArn>arn:aws:iam::123456789012:role/batch</RoleArn>` +
		`<Tags><member><Key>team</Key><Value>storage</Value></member></Tags>` +
		`</CreateJobRequest>`
	for i := 0; i+1 < len(repl); i += 2 {
		if !strings.Contains(s, repl[i]) {
			panic("cjBody: no " + repl[i])
		}
		s = strings.Replace(s, repl[i], repl[i+1], 1)
	}
	return s
}

const copyOpXML = `<S3PutObjectCopy><TargetResource>arn:aws:s3:::data</TargetResource><SSEAwsKmsKeyId>arn:aws:kms:us-east-1:123456789012:key/k1</SSEAwsKmsKeyId><BucketKeyEnabled>true</BucketKeyEnabled><MetadataDirective>COPY</MetadataDirective></S3PutObjectCopy>`

const genXML = `<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::data</SourceBucket><EnableManifestOutput>false</EnableManifestOutput>` +
	`<Filter><MatchAnyObjectEncryption><ObjectEncryption><SSE-S3/></ObjectEncryption></MatchAnyObjectEncryption><KeyNameConstraint><MatchAnyPrefix><member>logs/</member></MatchAnyPrefix></KeyNameConstraint></Filter>` +
	`</S3JobManifestGenerator></ManifestGenerator>`

const updateEncOpXML = `<S3UpdateObjectEncryption><ObjectEncryption><SSE-KMS><KMSKeyArn>arn:aws:kms:us-east-1:123456789012:key/k2</KMSKeyArn><BucketKeyEnabled>true</BucketKeyEnabled></SSE-KMS></ObjectEncryption></S3UpdateObjectEncryption>`

var manifestXMLPart = `<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>` +
	`<Location><ObjectArn>arn:aws:s3:::manifests/m.csv</ObjectArn><ETag>abc</ETag></Location></Manifest>`

var createJobTests = []struct {
	name string
	body string
	code string // "" = accepted
}{
	{"valid", cjBody(), ""},
	{"generator", cjBody(manifestXMLPart, genXML), ""},
	{"both manifest and generator", cjBody("<Priority>", genXML+"<Priority>"), "BadRequestException"},
	{"neither", cjBody(manifestXMLPart, ""), "BadRequestException"},
	{"no role", cjBody("<RoleArn>arn:aws:iam::123456789012:role/batch</RoleArn>", ""), "BadRequestException"},
	{"user, not role", cjBody("role/batch", "user/batch"), "BadRequestException"},
	{"role without account", cjBody("iam::123456789012:", "iam:::"), "BadRequestException"},
	{"negative priority", cjBody("<Priority>10</Priority>", "<Priority>-1</Priority>"), "BadRequestException"},
	{"priority too big", cjBody("<Priority>10</Priority>", "<Priority>2147483648</Priority>"), "BadRequestException"},
	{"no priority", cjBody("<Priority>10</Priority>", ""), "BadRequestException"},
	{"no token", cjBody("<ClientRequestToken>tok-1</ClientRequestToken>", ""), "BadRequestException"},
	{"long token", cjBody("tok-1", strings.Repeat("t", 65)), "BadRequestException"},
	{"no report", cjBody("<Report><Bucket>arn:aws:s3:::reports</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>r</Prefix><ReportScope>AllTasks</ReportScope></Report>", ""), "BadRequestException"},
	{"report disabled", cjBody("<Report><Bucket>arn:aws:s3:::reports</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled>", "<Report><Enabled>false</Enabled>"), ""},
	{"report bad scope", cjBody("AllTasks", "SomeTasks"), "BadRequestException"},
	{"two operations", cjBody("</S3PutObjectCopy>", "</S3PutObjectCopy><S3DeleteObjectTagging/>"), "BadRequestException"},
	{"no operation", cjBody("<Operation>", "<Operation><x/>"), "BadRequestException"},
	{"lambda and copy", cjBody(copyOpXML, `<LambdaInvoke><FunctionArn>f</FunctionArn></LambdaInvoke>`+copyOpXML), "BadRequestException"},
	{"lambda alone", cjBody(copyOpXML, `<LambdaInvoke><FunctionArn>f</FunctionArn></LambdaInvoke>`), "NotImplemented"},
	{"unknown operation", cjBody(copyOpXML, `<S3Teleport/>`), "BadRequestException"},
	{"update encryption", cjBody(copyOpXML, updateEncOpXML), ""},
	{"update encryption alias", cjBody(copyOpXML, strings.Replace(updateEncOpXML, "arn:aws:kms:us-east-1:123456789012:key/k2", "alias/k", 1)), "BadRequestException"},
	{"update encryption no key", cjBody(copyOpXML, `<S3UpdateObjectEncryption><ObjectEncryption></ObjectEncryption></S3UpdateObjectEncryption>`), "BadRequestException"},
	{"tagging", cjBody(copyOpXML, `<S3PutObjectTagging><TagSet><member><Key>class</Key><Value>fixed</Value></member></TagSet></S3PutObjectTagging>`), ""},
	{"delete tagging", cjBody(copyOpXML, `<S3DeleteObjectTagging/>`), ""},
	{"csv without key field", cjBody("<member>Key</member>", "<member>VersionId</member>"), "BadRequestException"},
	{"manifest without etag", cjBody("<ETag>abc</ETag>", ""), "BadRequestException"},
	{"manifest bucket arn only", cjBody("arn:aws:s3:::manifests/m.csv", "arn:aws:s3:::manifests"), "BadRequestException"},
	{"bad storage class", cjBody("<MetadataDirective>", "<StorageClass>COLD</StorageClass><MetadataDirective>"), "BadRequestException"},
	{"too many tags", cjBody("<Tags>", "<Tags>"+strings.Repeat("<member><Key>k</Key><Value>v</Value></member>", 51)), "TooManyTagsException"},
	{"duplicate tags", cjBody("<Tags>", "<Tags><member><Key>team</Key><Value>x</Value></member>"), "BadRequestException"},
	{"two encryption filters", cjBody(manifestXMLPart, strings.Replace(genXML, "<ObjectEncryption><SSE-S3/></ObjectEncryption>",
		"<ObjectEncryption><SSE-S3/></ObjectEncryption><ObjectEncryption><NOT-SSE/></ObjectEncryption>", 1)), "BadRequestException"},
	{"filter with two kinds", cjBody(manifestXMLPart, strings.Replace(genXML, "<SSE-S3/>", "<SSE-S3/><SSE-C/>", 1)), "BadRequestException"},
	{"output without location", cjBody(manifestXMLPart, strings.Replace(genXML, "<EnableManifestOutput>false", "<EnableManifestOutput>true", 1)), "BadRequestException"},
}

func TestCreateJobDecode(t *testing.T) {
	for _, tc := range createJobTests {
		var in createJobRequestXML
		if err := xml.Unmarshal([]byte(tc.body), &in); err != nil {
			t.Fatalf("%s: unmarshal: %v", tc.name, err)
		}
		_, err := jobFromXML(&in)
		code := ""
		if err != nil {
			code = apierr.S3(err).Code
		}
		if code != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, code, err, tc.code)
		}
	}
}

// What CreateJob accepted, DescribeJob states back with the same members.
func TestCreateJobRoundTrip(t *testing.T) {
	for _, body := range []string{cjBody(), cjBody(manifestXMLPart, genXML), cjBody(copyOpXML, updateEncOpXML)} {
		var in createJobRequestXML
		if err := xml.Unmarshal([]byte(body), &in); err != nil {
			t.Fatal(err)
		}
		j, err := jobFromXML(&in)
		if err != nil {
			t.Fatal(err)
		}
		j.ID, j.AccountID, j.Status = "job-12345", "123456789012", batch.StatusSuspended
		out, err := xml.Marshal(describeJobResultXML{NS: controlNS, Job: jobToXML(j, "us-east-1")})
		if err != nil {
			t.Fatal(err)
		}
		var back describeJobResultXML
		if err := xml.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		again := createJobRequestXML{Operation: back.Job.Operation, Manifest: back.Job.Manifest, ManifestGenerator: back.Job.ManifestGenerator,
			Report: back.Job.Report, ClientRequestToken: ptr(j.ClientRequestToken), Priority: ptr(int64(back.Job.Priority)),
			RoleArn: ptr(back.Job.RoleArn), Description: optStr(back.Job.Description)}
		j2, err := jobFromXML(&again)
		if err != nil {
			t.Fatalf("DescribeJob's members do not decode: %v\n%s", err, out)
		}
		j2.ID, j2.AccountID, j2.Status, j2.Tags, j2.ConfirmationRequired = j.ID, j.AccountID, j.Status, j.Tags, j.ConfirmationRequired
		if !reflect.DeepEqual(j, j2) {
			t.Errorf("round trip differs:\n%+v\n%+v\n%s", j, j2, out)
		}
		if !strings.Contains(string(out), "<JobArn>arn:aws:s3:us-east-1:123456789012:job/job-12345</JobArn>") {
			t.Errorf("JobArn missing: %s", out)
		}
	}
}

func TestControlPathMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{controlJobsPath, "/v20180820/jobs", true},
		{controlJobsPath, "/v20180820/jobs/", false},
		{controlJobPath, "/v20180820/jobs/abc", true},
		{controlJobPath, "/v20180820/jobs/", false},
		{controlJobPath + "/status", "/v20180820/jobs/abc/status", true},
		{controlJobPath + "/status", "/v20180820/jobs/abc/priority", false},
		{controlPABPath, controlPABPath, true},
	} {
		if got := controlPathMatches(tc.pattern, tc.path); got != tc.want {
			t.Errorf("controlPathMatches(%q, %q) = %v", tc.pattern, tc.path, got)
		}
	}
}
