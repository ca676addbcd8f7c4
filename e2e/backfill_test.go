package e2e

// The backfill walkthrough of issue 17 end to end (docs/GOVERNANCE.md runs the same aws CLI
// commands): a versioned bucket mixing SSE-S3, SSE-KMS under two keys with and without
// bucket keys and SSE-C, single-part and multipart; an S3 Inventory of every version that
// says what HEAD says; a Batch Operations job built from that inventory's manifest.json
// that rewraps everything it can under one KMS key by S3UpdateObjectEncryption (the aws
// CLI through an HTTP proxy), then a second job from a current-versions inventory that
// self-copies under another key by S3PutObjectCopy (aws-sdk-go-v2 with the account-id host
// prefix off); the completion reports; `arca batch status`; and `arca inventory summary`
// of fresh inventories, which is the compliance answer: everything under the target keys
// but SSE-C, whose tasks fail as AWS says they must.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// The walkthrough's names. The inventory destination and prefix are the ones
// invrConfig/invrReport (inventory_report_test.go) read reports from.
const (
	bfBucket  = "bf-data"
	bfInv     = "inv-reports"
	bfJobs    = "bf-job-reports"
	bfInvPref = "reports"
)

// bfVersion is one object version as a client sees it before and after a job.
type bfVersion struct {
	key, versionID string
	latest         bool
	etag           string
	lastModified   time.Time
	sse            s3types.ServerSideEncryption // "" for SSE-C
	ssec           bool
	kmsKey         string
	bucketKey      bool
	sha            string // SHA-256 of the bytes GetObject returns
	size           int64
	contentType    string
	meta           map[string]string
}

// bfSSEC adds the SSE-C key to requests of keys under "ssec/" (the key invrHead uses too).
func bfSSEC(key string) (alg, k, md5 *string) {
	if strings.HasPrefix(key, "ssec/") {
		return aws.String("AES256"), aws.String(sseCK1.B64), aws.String(sseCK1.MD5)
	}
	return nil, nil, nil
}

// bfState lists every version of bucket (delete markers left out) and reads each one
// through GetObject and HEAD (which must agree on ETag, Last-Modified and encryption),
// SSE-C ones with their key.
func bfState(t *testing.T, c *s3.Client, bucket string) map[string]bfVersion {
	t.Helper()
	ctx := context.Background()
	out := map[string]bfVersion{}
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectVersions %s: %v", bucket, err)
		}
		for _, v := range page.Versions {
			key, vid := aws.ToString(v.Key), aws.ToString(v.VersionId)
			in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId}
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = bfSSEC(key)
			g, err := c.GetObject(ctx, in)
			if err != nil {
				t.Fatalf("GET %s@%s: %v", key, vid, err)
			}
			h := sha256.New()
			_, err = io.Copy(h, g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatalf("reading %s@%s: %v", key, vid, err)
			}
			hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId}
			hin.SSECustomerAlgorithm, hin.SSECustomerKey, hin.SSECustomerKeyMD5 = bfSSEC(key)
			hd, err := c.HeadObject(ctx, hin)
			if err != nil {
				t.Fatalf("HEAD %s@%s: %v", key, vid, err)
			}
			head := [...]any{aws.ToString(hd.ETag), hd.LastModified.UTC(), hd.ServerSideEncryption, hd.SSECustomerAlgorithm != nil, aws.ToString(hd.SSEKMSKeyId), aws.ToBool(hd.BucketKeyEnabled)}
			get := [...]any{aws.ToString(g.ETag), g.LastModified.UTC(), g.ServerSideEncryption, g.SSECustomerAlgorithm != nil, aws.ToString(g.SSEKMSKeyId), aws.ToBool(g.BucketKeyEnabled)}
			if fmt.Sprint(head) != fmt.Sprint(get) {
				t.Errorf("%s@%s: HEAD says %v, GET %v", key, vid, head, get)
			}
			out[key+"@"+vid] = bfVersion{key: key, versionID: vid, latest: aws.ToBool(v.IsLatest),
				etag: aws.ToString(g.ETag), lastModified: aws.ToTime(g.LastModified), sse: g.ServerSideEncryption,
				ssec: g.SSECustomerAlgorithm != nil, kmsKey: aws.ToString(g.SSEKMSKeyId), bucketKey: aws.ToBool(g.BucketKeyEnabled),
				sha: hex.EncodeToString(h.Sum(nil)), size: aws.ToInt64(g.ContentLength), contentType: aws.ToString(g.ContentType), meta: g.Metadata}
		}
	}
	return out
}

// bfControl is an S3 Control client of aws-sdk-go-v2 that sends its calls to endpoint as
// given: the SDK's endpoint rules would put the account id in front of the host
// (<account>.127.0.0.1), so the resolver returns the endpoint itself, which is how an SDK
// client reaches Arca without a wildcard DNS name (docs/BATCH.md).
func bfControl(endpoint string) *s3control.Client {
	cfg := aws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		HTTPClient: HTTPClient(), RetryMaxAttempts: 1}
	u, _ := url.Parse(endpoint)
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.EndpointResolverV2 = bfEndpoint{*u} })
}

type bfEndpoint struct{ u url.URL }

func (e bfEndpoint) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{URI: e.u}, nil
}

// bfInventoryConfig is the walkthrough's inventory configuration (aws CLI JSON): CSV,
// the fields the checks need, versions as given.
func bfInventoryConfig(id, versions string) string {
	return fmt.Sprintf(`{"Id":%q,"IsEnabled":true,"IncludedObjectVersions":%q,"Schedule":{"Frequency":"Daily"},`+
		`"OptionalFields":["Size","LastModifiedDate","ETag","IsMultipartUploaded","EncryptionStatus","BucketKeyStatus","KMSKeyArn"],`+
		`"Destination":{"S3BucketDestination":{"Bucket":"arn:aws:s3:::%s","Format":"CSV","Prefix":%q,"Encryption":{"SSES3":{}}}}}`,
		id, versions, bfInv, bfInvPref)
}

var bfManifestRE = regexp.MustCompile(`manifest s3://` + bfInv + `/(` + bfInvPref + `/` + bfBucket + `/[a-z]+/\d{4}-\d\d-\d\dT\d\d-\d\dZ/manifest\.json)`)

// bfInventoryRun runs configuration id now with `arca inventory run` and returns its
// manifest's key.
func bfInventoryRun(t *testing.T, endpoint, id string) string {
	t.Helper()
	out, err := arcaAs(testAccessKey, testSecretKey, "inventory", "run", "--endpoint", endpoint, "--bucket", bfBucket, "--id", id)
	if err != nil {
		t.Fatalf("arca inventory run --id %s: %v\n%s", id, err, out)
	}
	m := bfManifestRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("arca inventory run --id %s printed %q", id, out)
	}
	return m[1]
}

// bfSummary is one bucket of `arca inventory summary --json`.
type bfSummary struct {
	Bucket   string
	Total    struct{ Objects, Bytes int64 }
	ByStatus map[string]struct{ Objects, Bytes int64 } `json:"byEncryptionStatus"`
	ByKMSKey map[string]struct{ Objects, Bytes int64 } `json:"byKmsKey"`
}

func bfSummaryOf(t *testing.T, endpoint, id string) bfSummary {
	t.Helper()
	out, err := arcaAs(testAccessKey, testSecretKey, "inventory", "summary", "--endpoint", endpoint, "--bucket", bfBucket, "--id", id, "--json")
	if err != nil {
		t.Fatalf("arca inventory summary --id %s: %v\n%s", id, err, out)
	}
	var sums []bfSummary
	if err := json.Unmarshal([]byte(out), &sums); err != nil || len(sums) != 1 || sums[0].Bucket != bfBucket {
		t.Fatalf("arca inventory summary --id %s: %v\n%s", id, err, out)
	}
	return sums[0]
}

// bfReport reads job id's completion report under prefix: manifest.json (schema, each
// results file's MD5, SSE-S3 at rest as AWS writes reports) and every row.
func bfReport(t *testing.T, c *s3.Client, prefix, id string) (statuses []string, rows [][]string) {
	t.Helper()
	body, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bfJobs), Key: aws.String(prefix + "/job-" + id + "/manifest.json")})
	var m struct {
		Format, ReportCreationDate, ReportSchema string
		Results                                  []struct{ TaskExecutionStatus, Bucket, MD5Checksum, Key string }
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("report manifest of job %s: %v\n%s", id, err, body)
	}
	if m.Format != "Report_CSV_20180820" || m.ReportSchema != "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage" {
		t.Errorf("report manifest of job %s: %s", id, body)
	}
	if _, err := time.Parse(time.RFC3339, m.ReportCreationDate); err != nil {
		t.Errorf("ReportCreationDate %q: %v", m.ReportCreationDate, err)
	}
	for _, r := range m.Results {
		statuses = append(statuses, r.TaskExecutionStatus)
		if r.Bucket != bfJobs || !strings.HasPrefix(r.Key, prefix+"/job-"+id+"/results/") {
			t.Errorf("report file %s/%s", r.Bucket, r.Key)
		}
		data, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bfJobs), Key: aws.String(r.Key)})
		if md5Hex(data) != r.MD5Checksum {
			t.Errorf("report file %s: MD5 %s, manifest says %s", r.Key, md5Hex(data), r.MD5Checksum)
		}
		if out.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
			t.Errorf("report file %s encrypted %q, want SSE-S3", r.Key, out.ServerSideEncryption)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("report file %s: %v", r.Key, err)
		}
		for _, rec := range recs {
			if len(rec) != 7 {
				t.Errorf("report row %q: %d columns, want 7", rec, len(rec))
				continue
			}
			if rec[3] != r.TaskExecutionStatus {
				t.Errorf("row %q in the %s file", rec, r.TaskExecutionStatus)
			}
			rows = append(rows, rec)
		}
	}
	slices.Sort(statuses)
	return statuses, rows
}

// bfWait polls DescribeJob until the job ends; the deadline only bounds a hung test.
func bfWait(t *testing.T, ctl *s3control.Client, account, id string) *ctypes.JobDescriptor {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := ctl.DescribeJob(context.Background(), &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
		if err != nil {
			t.Fatalf("DescribeJob %s: %v", id, err)
		}
		switch out.Job.Status {
		case ctypes.JobStatusComplete, ctypes.JobStatusFailed, ctypes.JobStatusCancelled:
			return out.Job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, out.Job.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// bfWriteMix writes the bucket's mix with the SDK (the walkthrough's CLI writes two more):
// SSE-S3 by default, SSE-KMS under k1 and k2 with and without bucket keys, SSE-C,
// multipart under each kind, several versions of one key and a delete marker.
func bfWriteMix(t *testing.T, c *s3.Client, k1, k2 string) {
	t.Helper()
	ctx := context.Background()
	kms := func(key string, bk bool) func(*s3.PutObjectInput) {
		return func(in *s3.PutObjectInput) {
			in.ServerSideEncryption, in.SSEKMSKeyId, in.BucketKeyEnabled = s3types.ServerSideEncryptionAwsKms, aws.String(key), aws.Bool(bk)
		}
	}
	put := func(key string, body []byte, f func(*s3.PutObjectInput)) {
		in := &s3.PutObjectInput{Bucket: aws.String(bfBucket), Key: aws.String(key), Body: bytes.NewReader(body)}
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = bfSSEC(key)
		if f != nil {
			f(in)
		}
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
	}
	put("s3/default", randBytes(100, 101), nil)
	put("s3/default", randBytes(120, 102), nil)
	put("kms/k1", randBytes(300, 103), kms(k1, false))
	put("kms/k2", randBytes(302, 104), kms(k2, false))
	put("kms/k2-bucket-key", randBytes(303, 105), kms(k2, true))
	put("ssec/one", randBytes(400, 106), nil)
	put("dir/a b+ü,\"q\".txt", randBytes(5, 107), func(in *s3.PutObjectInput) {
		in.ContentType, in.Metadata = aws.String("text/plain; charset=utf-8"), map[string]string{"origin": "minio"}
	})
	put("versions/k", randBytes(10, 108), kms(k2, false))
	put("versions/k", randBytes(11, 109), func(in *s3.PutObjectInput) { in.ServerSideEncryption = s3types.ServerSideEncryptionAes256 })
	put("versions/k", randBytes(12, 110), kms(k1, true))
	put("deleted", randBytes(13, 111), nil)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bfBucket), Key: aws.String("deleted")}); err != nil {
		t.Fatal(err)
	}
	mp := func(key string, seed int64, set func(*s3.CreateMultipartUploadInput)) {
		in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bfBucket), Key: aws.String(key)}
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = bfSSEC(key)
		if set != nil {
			set(in)
		}
		up, err := c.CreateMultipartUpload(ctx, in)
		if err != nil {
			t.Fatalf("CreateMultipartUpload %s: %v", key, err)
		}
		var parts []s3types.CompletedPart
		for i, n := range []int{5 << 20, 1000} {
			pin := &s3.UploadPartInput{Bucket: aws.String(bfBucket), Key: aws.String(key), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(randBytes(n, seed+int64(i)))}
			pin.SSECustomerAlgorithm, pin.SSECustomerKey, pin.SSECustomerKeyMD5 = bfSSEC(key)
			p, err := c.UploadPart(ctx, pin)
			if err != nil {
				t.Fatalf("UploadPart %s: %v", key, err)
			}
			parts = append(parts, s3types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(int32(i + 1))})
		}
		cin := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bfBucket), Key: aws.String(key), UploadId: up.UploadId,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}}
		cin.SSECustomerAlgorithm, cin.SSECustomerKey, cin.SSECustomerKeyMD5 = bfSSEC(key)
		if _, err := c.CompleteMultipartUpload(ctx, cin); err != nil {
			t.Fatalf("CompleteMultipartUpload %s: %v", key, err)
		}
	}
	mp("mp/s3", 120, nil)
	mp("mp/kms-k1-bucket-key", 130, func(in *s3.CreateMultipartUploadInput) {
		in.ServerSideEncryption, in.SSEKMSKeyId, in.BucketKeyEnabled = s3types.ServerSideEncryptionAwsKms, aws.String(k1), aws.Bool(true)
	})
	mp("ssec/mp", 140, nil)
}

// bfKeyOf is a report row's key (URL-encoded in reports, as in CSV manifests).
func bfKeyOf(t *testing.T, row []string) string {
	t.Helper()
	k, err := url.QueryUnescape(row[1])
	if err != nil {
		t.Errorf("report row %q: key not URL-encoded: %v", row, err)
	}
	return k
}

// TestBackfillWalkthrough is issue 17's acceptance flow; docs/GOVERNANCE.md has its aws
// CLI commands.
func TestBackfillWalkthrough(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := srv.S3(srv.HTTPSURL) // SSE-C needs TLS
	ctx := context.Background()
	account := authzAccount(t, srv)
	role := "arn:aws:iam::" + account + ":role/batch-operations"
	kc := sseKMS(t, srv)
	_, k1 := sseCreateKey(t, kc, "legacy one")
	_, k2 := sseCreateKey(t, kc, "legacy two")
	_, target1 := sseCreateKey(t, kc, "backfill target (rewrap)")
	_, target2 := sseCreateKey(t, kc, "backfill target (copy)")

	// 1. The buckets and the mix, with the aws CLI and the SDK.
	for _, b := range []string{bfBucket, bfInv, bfJobs} {
		srv.AWS(t, ep, false, "s3api", "create-bucket", "--bucket", b)
	}
	srv.AWS(t, ep, false, "s3api", "put-bucket-versioning", "--bucket", bfBucket, "--versioning-configuration", "Status=Enabled")
	srv.AWS(t, ep, false, allowSSECArgs(bfBucket)...)
	dir := t.TempDir()
	for name, n := range map[string]int{"explicit": 0, "kms": 777} {
		if err := os.WriteFile(filepath.Join(dir, name), randBytes(n, int64(n)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv.AWS(t, ep, false, "s3api", "put-object", "--bucket", bfBucket, "--key", "s3/explicit", "--body", filepath.Join(dir, "explicit"),
		"--server-side-encryption", "AES256")
	srv.AWS(t, ep, false, "s3api", "put-object", "--bucket", bfBucket, "--key", "kms/k1-bucket-key", "--body", filepath.Join(dir, "kms"),
		"--server-side-encryption", "aws:kms", "--ssekms-key-id", k1, "--bucket-key-enabled")
	bfWriteMix(t, c, k1, k2)
	before := bfState(t, c, bfBucket)
	const versions, ssecVersions = 16, 2 // ssec/one and ssec/mp are SSE-C
	if len(before) != versions {
		t.Fatalf("the mix has %d versions, want %d", len(before), versions)
	}

	// 2. Inventory of every version, run now; its rows say what HEAD says.
	srv.AWS(t, ep, false, "s3api", "put-bucket-inventory-configuration", "--bucket", bfBucket, "--id", "all",
		"--inventory-configuration", bfInventoryConfig("all", "All"))
	srv.AWS(t, ep, false, "s3api", "put-bucket-inventory-configuration", "--bucket", bfBucket, "--id", "current",
		"--inventory-configuration", bfInventoryConfig("current", "Current"))
	allManifest := bfInventoryRun(t, ep, "all")
	invManifest, rows := invrReport(t, c, allManifest)
	invrMatch(t, "inventory before the jobs", rows, invrHead(t, c, bfBucket))
	for _, f := range invManifest["files"].([]any) { // encrypted as configured: SSE-S3
		key := f.(map[string]any)["key"].(string)
		if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bfInv), Key: aws.String(key)}); err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
			t.Errorf("inventory file %s: %v, want SSE-S3", key, err)
		}
	}
	sum := bfSummaryOf(t, ep, "all")
	if sum.ByStatus["SSE-S3"].Objects == 0 || sum.ByStatus["SSE-C"].Objects != ssecVersions || len(sum.ByKMSKey) != 2 {
		t.Errorf("summary before the jobs: %+v", sum)
	}

	// 3. Job 1, with the aws CLI through the HTTP proxy: S3UpdateObjectEncryption of every
	// version the inventory lists, under target1 with a bucket key.
	etag := strings.Trim(srv.AWS(t, ep, false, "s3api", "head-object", "--bucket", bfInv, "--key", allManifest, "--query", "ETag", "--output", "text"), "\"\n ")
	out := bpaCLI(t, srv, false, "s3control", "create-job", "--account-id", account, "--no-confirmation-required",
		"--operation", fmt.Sprintf(`{"S3UpdateObjectEncryption":{"ObjectEncryption":{"SSEKMS":{"KMSKeyArn":%q,"BucketKeyEnabled":true}}}}`, target1),
		"--manifest", fmt.Sprintf(`{"Spec":{"Format":"S3InventoryReport_CSV_20161130"},"Location":{"ObjectArn":"arn:aws:s3:::%s/%s","ETag":%q}}`, bfInv, allManifest, etag),
		"--report", fmt.Sprintf(`{"Bucket":"arn:aws:s3:::%s","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"rewrap","ReportScope":"AllTasks"}`, bfJobs),
		"--priority", "10", "--role-arn", role, "--client-request-token", "backfill-rewrap", "--description", "backfill: rewrap under the target key")
	var created struct{ JobId string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.JobId == "" {
		t.Fatalf("create-job: %v\n%s", err, out)
	}
	rewrapJob := created.JobId
	// arca batch status --watch returns when the job has ended.
	out, err := arcaAs(testAccessKey, testSecretKey, "batch", "status", "--endpoint", ep, rewrapJob, "--watch", "--interval", "100ms")
	if err != nil {
		t.Fatalf("arca batch status --watch %s: %v\n%s", rewrapJob, err, out)
	}
	for _, want := range []string{`Status +Complete\n`, `Operation +S3UpdateObjectEncryption\n`, `\] 100% 16/16\n`,
		fmt.Sprintf(`Tasks +%d succeeded, %d failed, %d total\n`, versions-ssecVersions, ssecVersions, versions)} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("arca batch status: no %q in\n%s", want, out)
		}
	}
	out = bpaCLI(t, srv, false, "s3control", "describe-job", "--account-id", account, "--job-id", rewrapJob)
	var described struct {
		Job struct {
			Status          string
			ProgressSummary struct{ TotalNumberOfTasks, NumberOfTasksSucceeded, NumberOfTasksFailed int }
			Operation       struct {
				S3UpdateObjectEncryption struct {
					ObjectEncryption struct{ SSEKMS struct{ KMSKeyArn string } }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &described); err != nil {
		t.Fatalf("describe-job: %v\n%s", err, out)
	}
	if j := described.Job; j.Status != "Complete" || j.ProgressSummary.TotalNumberOfTasks != versions ||
		j.ProgressSummary.NumberOfTasksSucceeded != versions-ssecVersions || j.ProgressSummary.NumberOfTasksFailed != ssecVersions ||
		j.Operation.S3UpdateObjectEncryption.ObjectEncryption.SSEKMS.KMSKeyArn != target1 {
		t.Errorf("describe-job: %+v", j)
	}
	// Every version: the same bytes, ETag, Last-Modified and metadata; under target1 with a
	// bucket key, except SSE-C ones, which are as they were.
	rewrapped := bfState(t, c, bfBucket)
	if len(rewrapped) != versions {
		t.Errorf("%d versions after the rewrap, want %d", len(rewrapped), versions)
	}
	for id, b := range before {
		a, ok := rewrapped[id]
		switch {
		case !ok:
			t.Errorf("%s is gone after the rewrap", id)
		case a.sha != b.sha || a.etag != b.etag || !a.lastModified.Equal(b.lastModified) || a.contentType != b.contentType || fmt.Sprint(a.meta) != fmt.Sprint(b.meta):
			t.Errorf("%s changed by the rewrap: %+v, was %+v", id, a, b)
		case b.ssec && !a.ssec:
			t.Errorf("%s was SSE-C and is now %s", id, a.sse)
		case !b.ssec && (a.sse != s3types.ServerSideEncryptionAwsKms || a.kmsKey != target1 || !a.bucketKey):
			t.Errorf("%s after the rewrap: %s under %q bucket key %v, want aws:kms under %s with a bucket key", id, a.sse, a.kmsKey, a.bucketKey, target1)
		}
	}
	// The AllTasks report: one row per task, SSE-C tasks failed as AWS fails them.
	out = srv.AWS(t, ep, false, "s3", "cp", "s3://"+bfJobs+"/rewrap/job-"+rewrapJob+"/manifest.json", "-")
	if !strings.Contains(out, `"ReportSchema"`) {
		t.Errorf("aws s3 cp of the report manifest:\n%s", out)
	}
	statuses, reportRows := bfReport(t, c, "rewrap", rewrapJob)
	if !slices.Equal(statuses, []string{"failed", "succeeded"}) || len(reportRows) != versions {
		t.Errorf("rewrap report: files %v, %d rows, want a failed and a succeeded file and %d rows", statuses, len(reportRows), versions)
	}
	seen := map[string]bool{}
	for _, r := range reportRows {
		id := bfKeyOf(t, r) + "@" + r[2]
		b, ok := before[id]
		if r[0] != bfBucket || !ok || seen[id] {
			t.Errorf("rewrap report row %q: not one row per task of the manifest", r)
			continue
		}
		seen[id] = true
		if b.ssec {
			if r[3] != "failed" || r[4] != "400" || r[5] != "InvalidRequest" || !strings.Contains(r[6], "SSE-C") {
				t.Errorf("rewrap report row of SSE-C %s: %q, want failed 400 InvalidRequest", id, r)
			}
		} else if r[3] != "succeeded" || r[4] != "200" || r[5] != "" || r[6] == "" {
			t.Errorf("rewrap report row %q, want succeeded 200", r)
		}
	}
	// Every task is one UpdateObjectEncryption record of the job's creator, invoked by Batch
	// Operations, naming the version's key before and the target key.
	ct := cloudTrailClient(ep, testAccessKey, testSecretKey)
	audited := map[string]bool{}
	for _, r := range auditLookup(t, ct, "EventName", "UpdateObjectEncryption") {
		if field(r, "userIdentity.invokedBy") != "batchoperations.s3.amazonaws.com" {
			continue
		}
		id := fmt.Sprint(field(r, "requestParameters.key")) + "@" + fmt.Sprint(field(r, "requestParameters.versionId"))
		b, ok := before[id]
		if !ok || audited[id] {
			t.Errorf("UpdateObjectEncryption record of %s: not one per task\n%v", id, r)
			continue
		}
		audited[id] = true
		want := map[string]any{"userIdentity.arn": "arn:aws:iam::" + account + ":root", "requestParameters.bucketName": bfBucket,
			"requestParameters.ObjectEncryption.SSE-KMS.KMSKeyArn": target1}
		if b.ssec {
			want["errorCode"] = "InvalidRequest"
		} else if b.sse == s3types.ServerSideEncryptionAwsKms {
			want["additionalEventData.previousEncryption.KMSKeyArn"] = b.kmsKey
		}
		wantFields(t, "UpdateObjectEncryption of "+id, r, want)
	}
	if len(audited) != versions {
		t.Errorf("%d UpdateObjectEncryption records invoked by Batch Operations, want %d", len(audited), versions)
	}
	// A fresh inventory says what HEAD says after the rewrap.
	_, rows = invrReport(t, c, bfInventoryRun(t, ep, "all"))
	invrMatch(t, "inventory after the rewrap", rows, invrHead(t, c, bfBucket))

	// 4. Job 2, with aws-sdk-go-v2 (host prefix off): S3PutObjectCopy of each current
	// version onto itself under target2, from the current-versions inventory.
	currentManifest := bfInventoryRun(t, ep, "current")
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bfInv), Key: aws.String(currentManifest)})
	if err != nil {
		t.Fatal(err)
	}
	ctl := bfControl(ep)
	cj, err := ctl.CreateJob(ctx, &s3control.CreateJobInput{AccountId: aws.String(account), ClientRequestToken: aws.String("backfill-copy"),
		ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(20), RoleArn: aws.String(role), Description: aws.String("backfill: self-copy under the second key"),
		Operation: &ctypes.JobOperation{S3PutObjectCopy: &ctypes.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::" + bfBucket),
			MetadataDirective: ctypes.S3MetadataDirectiveCopy, NewObjectMetadata: &ctypes.S3ObjectMetadata{SSEAlgorithm: ctypes.S3SSEAlgorithmKms},
			SSEAwsKmsKeyId: aws.String(target2)}},
		Manifest: &ctypes.JobManifest{Spec: &ctypes.JobManifestSpec{Format: ctypes.JobManifestFormatS3InventoryReportCsv20161130},
			Location: &ctypes.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::" + bfInv + "/" + currentManifest), ETag: h.ETag}},
		Report: &ctypes.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::" + bfJobs), Format: ctypes.JobReportFormatReportCsv20180820,
			Prefix: aws.String("copy"), ReportScope: ctypes.JobReportScopeFailedTasksOnly},
	})
	if err != nil {
		t.Fatalf("CreateJob (SDK): %v", err)
	}
	copyJob := aws.ToString(cj.JobId)
	j := bfWait(t, ctl, account, copyJob)
	current := 0
	for _, v := range rewrapped {
		if v.latest {
			current++
		}
	}
	if ps := j.ProgressSummary; j.Status != ctypes.JobStatusComplete || aws.ToInt64(ps.TotalNumberOfTasks) != int64(current) ||
		aws.ToInt64(ps.NumberOfTasksSucceeded) != int64(current-ssecVersions) || aws.ToInt64(ps.NumberOfTasksFailed) != ssecVersions {
		t.Errorf("copy job %s: %+v", j.Status, *ps)
	}
	out, err = arcaAs(testAccessKey, testSecretKey, "batch", "status", "--endpoint", ep, copyJob)
	if err != nil || !regexp.MustCompile(`Status +Complete\n`).MatchString(out) || !regexp.MustCompile(`Operation +S3PutObjectCopy\n`).MatchString(out) {
		t.Errorf("arca batch status %s: %v\n%s", copyJob, err, out)
	}
	copied := bfState(t, c, bfBucket)
	if len(copied) != versions+current-ssecVersions {
		t.Errorf("%d versions after the copy, want %d", len(copied), versions+current-ssecVersions)
	}
	latest := map[string]bfVersion{}
	for _, v := range copied {
		if v.latest {
			latest[v.key] = v
		}
	}
	for id, b := range rewrapped {
		a, ok := copied[id]
		if !ok || a.sha != b.sha || a.kmsKey != b.kmsKey || a.etag != b.etag {
			t.Errorf("%s changed by the copy (a copy adds a version): %+v, was %+v", id, a, b)
		}
		if !b.latest {
			continue
		}
		n := latest[b.key]
		switch {
		case b.ssec && n.versionID != b.versionID:
			t.Errorf("SSE-C %s was copied: %+v", b.key, n)
		case b.ssec:
		case n.versionID == b.versionID || n.sha != b.sha || n.sse != s3types.ServerSideEncryptionAwsKms || n.kmsKey != target2 || n.bucketKey:
			t.Errorf("%s after the copy: %+v, want the same bytes in a new version under %s", b.key, n, target2)
		case n.contentType != b.contentType || fmt.Sprint(n.meta) != fmt.Sprint(b.meta):
			t.Errorf("%s lost its metadata in the copy: %q %v, was %q %v", b.key, n.contentType, n.meta, b.contentType, b.meta)
		}
	}
	// Every task is one CopyObject record invoked by Batch Operations.
	copies := map[string]int{}
	for _, r := range auditLookup(t, ct, "EventName", "CopyObject") {
		if field(r, "userIdentity.invokedBy") == "batchoperations.s3.amazonaws.com" {
			copies[fmt.Sprint(field(r, "requestParameters.key"))]++
			if k := fmt.Sprint(field(r, "requestParameters.key")); strings.HasPrefix(k, "ssec/") {
				wantFields(t, "CopyObject of "+k, r, map[string]any{"errorCode": "InvalidRequest"})
			} else {
				wantFields(t, "CopyObject of "+k, r, map[string]any{"requestParameters.x-amz-server-side-encryption-aws-kms-key-id": target2})
			}
		}
	}
	if len(copies) != current {
		t.Errorf("CopyObject records invoked by Batch Operations: %v, want one for each of %d keys", copies, current)
	}
	for k, n := range copies {
		if n != 1 {
			t.Errorf("%d CopyObject records of %s", n, k)
		}
	}
	// The FailedTasksOnly report: the SSE-C objects only.
	statuses, reportRows = bfReport(t, c, "copy", copyJob)
	if !slices.Equal(statuses, []string{"failed"}) || len(reportRows) != ssecVersions {
		t.Errorf("copy report: files %v, rows %q, want one failed file of %d rows", statuses, reportRows, ssecVersions)
	}
	for _, r := range reportRows {
		if k := bfKeyOf(t, r); !strings.HasPrefix(k, "ssec/") || r[0] != bfBucket || r[3] != "failed" || r[4] != "400" || r[5] != "InvalidRequest" || r[6] == "" {
			t.Errorf("copy report row %q, want an SSE-C object failed 400 InvalidRequest", r)
		}
	}

	// 5. The compliance view: fresh inventories; everything under the target keys but SSE-C.
	_, rows = invrReport(t, c, bfInventoryRun(t, ep, "all"))
	invrMatch(t, "inventory after both jobs", rows, invrHead(t, c, bfBucket))
	bfInventoryRun(t, ep, "current")
	type count = struct{ Objects, Bytes int64 }
	want := func(current bool) (byStatus, byKey map[string]count) {
		byStatus, byKey = map[string]count{}, map[string]count{}
		for _, v := range copied {
			if current && !v.latest {
				continue
			}
			add := func(m map[string]count, k string) { c := m[k]; c.Objects++; c.Bytes += v.size; m[k] = c }
			if v.ssec {
				add(byStatus, "SSE-C")
				continue
			}
			add(byStatus, "SSE-KMS")
			add(byKey, v.kmsKey)
		}
		return byStatus, byKey
	}
	for _, x := range []struct {
		id       string
		current  bool
		keys     []string
		kmsCount int64
	}{{"current", true, []string{target2}, int64(current - ssecVersions)}, {"all", false, []string{target1, target2}, int64(versions + current - 2*ssecVersions)}} {
		sum := bfSummaryOf(t, ep, x.id)
		byStatus, byKey := want(x.current)
		var keys []string
		for k := range sum.ByKMSKey {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Sort(x.keys)
		if fmt.Sprint(sum.ByStatus) != fmt.Sprint(byStatus) || fmt.Sprint(sum.ByKMSKey) != fmt.Sprint(byKey) ||
			!slices.Equal(keys, x.keys) || sum.ByStatus["SSE-KMS"].Objects != x.kmsCount || sum.ByStatus["SSE-C"].Objects != ssecVersions {
			t.Errorf("summary of %q after both jobs: %+v\nwant by status %v, by key %v", x.id, sum, byStatus, byKey)
		}
	}
}
