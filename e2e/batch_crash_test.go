package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// batchPutObjects writes n objects "obj/<i>" into bucket, 16 at a time: body(i), or when
// body is nil the small "body of <key>".
func batchPutObjects(t testing.TB, c *s3.Client, bucket string, n int, body func(i int) []byte) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("obj/%05d", i)
	}
	if body == nil {
		body = func(i int) []byte { return []byte("body of " + keys[i]) }
	}
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(keys[i]),
					Body: bytes.NewReader(body(i))})
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range keys {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		t.Fatalf("PutObject: %v", firstErr)
	}
	return keys
}

// batchManifest uploads a Batch Operations CSV manifest (bucket,key URL-encoded) of keys
// and returns its location for CreateJob.
func batchManifest(t testing.TB, c *s3.Client, manifestBucket, key, bucket string, keys []string) *ctypes.JobManifest {
	t.Helper()
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s,%s\n", bucket, url.QueryEscape(k))
	}
	out := mustPut(t, c, manifestBucket, key, []byte(b.String()))
	return &ctypes.JobManifest{
		Spec: &ctypes.JobManifestSpec{Format: ctypes.JobManifestFormatS3BatchOperationsCsv20180820,
			Fields: []ctypes.JobManifestFieldName{ctypes.JobManifestFieldNameBucket, ctypes.JobManifestFieldNameKey}},
		Location: &ctypes.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::" + manifestBucket + "/" + key), ETag: out.ETag},
	}
}

// waitJob polls DescribeJob until done says so; it fails on a terminal status done does
// not accept. (The bound only keeps a hung job from hanging the suite.)
func waitJob(t testing.TB, cc *s3control.Client, account, id string, done func(*ctypes.JobDescriptor) bool) *ctypes.JobDescriptor {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		out, err := cc.DescribeJob(context.Background(), &s3control.DescribeJobInput{AccountId: aws.String(account), JobId: aws.String(id)})
		if err != nil {
			t.Fatalf("DescribeJob: %v", err)
		}
		j := out.Job
		if done(j) {
			return j
		}
		switch j.Status {
		case ctypes.JobStatusFailed, ctypes.JobStatusCancelled, ctypes.JobStatusComplete:
			t.Fatalf("job %s ended %s before the awaited state: %+v", id, j.Status, j.FailureReasons)
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, j.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readBatchReport reads a completion report's manifest.json and returns every CSV row of
// its result files.
func readBatchReport(t testing.TB, c *s3.Client, bucket, manifestKey string) [][]string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(manifestKey)})
	if err != nil {
		t.Fatalf("report manifest %s: %v", manifestKey, err)
	}
	if out.ServerSideEncryption == "" {
		t.Errorf("report manifest %s is not encrypted", manifestKey)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	var man struct {
		Format       string
		ReportSchema string
		Results      []struct{ TaskExecutionStatus, Bucket, MD5Checksum, Key string }
	}
	if err := json.Unmarshal(body, &man); err != nil {
		t.Fatalf("report manifest: %v\n%s", err, body)
	}
	if man.Format != "Report_CSV_20180820" {
		t.Errorf("report format %q", man.Format)
	}
	var rows [][]string
	for _, r := range man.Results {
		o, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(r.Bucket), Key: aws.String(r.Key)})
		if err != nil {
			t.Fatalf("report file %s: %v", r.Key, err)
		}
		if o.ServerSideEncryption == "" {
			t.Errorf("report file %s is not encrypted", r.Key)
		}
		recs, err := csv.NewReader(o.Body).ReadAll()
		o.Body.Close()
		if err != nil {
			t.Fatalf("report file %s: %v", r.Key, err)
		}
		rows = append(rows, recs...)
	}
	return rows
}

// TestBatchJobCrashResume: a self-copy job over 2000 objects of a versioned bucket is
// killed (SIGKILL) mid-job; after the restart it completes, and every task took effect
// exactly once: each object has exactly one new version, made by the job; no object was
// copied twice according to the audit trail; the completion report lists each task once.
func TestBatchJobCrashResume(t *testing.T) {
	const n = 2000
	srv := StartServer(t)
	dir := srv.DataDir
	ctx := context.Background()
	account := authzAccount(t, srv)
	c := sdk(t, srv, srv.HTTPURL)
	const bucket, manifests, reports = "batch-crash", "batch-crash-manifests", "batch-crash-reports"
	for _, b := range []string{bucket, manifests, reports} {
		mustCreateBucket(t, c, b)
	}
	enableVersioning(t, c, bucket, types.BucketVersioningStatusEnabled)
	keys := batchPutObjects(t, c, bucket, n, nil)
	manifest := batchManifest(t, c, manifests, "self-copy.csv", bucket, keys)

	cc := bpaControl(t, srv, authzRoot(account))
	created, err := cc.CreateJob(ctx, &s3control.CreateJobInput{
		AccountId: aws.String(account), ClientRequestToken: aws.String("crash-1"), Priority: aws.Int32(10),
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/batch"), ConfirmationRequired: aws.Bool(false),
		Operation: &ctypes.JobOperation{S3PutObjectCopy: &ctypes.S3CopyObjectOperation{
			TargetResource:    aws.String("arn:aws:s3:::" + bucket),
			MetadataDirective: ctypes.S3MetadataDirectiveCopy,
			NewObjectMetadata: &ctypes.S3ObjectMetadata{SSEAlgorithm: ctypes.S3SSEAlgorithmAes256},
		}},
		Manifest: manifest,
		Report: &ctypes.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::" + reports),
			Format: ctypes.JobReportFormatReportCsv20180820, Prefix: aws.String("reports"), ReportScope: ctypes.JobReportScopeAllTasks},
		// A rate cap keeps the job running long enough to be killed in the middle.
		Tags: []ctypes.S3Tag{{Key: aws.String("arca:max-tasks-per-second"), Value: aws.String("250")}},
	})
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	id := aws.ToString(created.JobId)

	// Kill once a good part of the tasks is done, but not all.
	j := waitJob(t, cc, account, id, func(j *ctypes.JobDescriptor) bool {
		return j.ProgressSummary != nil && aws.ToInt64(j.ProgressSummary.NumberOfTasksSucceeded) >= n/4
	})
	// Progress is as of the last checkpoint (every 200 ms): killing a little after one
	// leaves tasks done but not yet checkpointed, which the restart must not redo.
	time.Sleep(120 * time.Millisecond)
	srv.Kill()
	if j.Status != ctypes.JobStatusActive {
		t.Fatalf("job was %s at the kill, want Active", j.Status)
	}
	t.Logf("killed at %d of %d tasks", aws.ToInt64(j.ProgressSummary.NumberOfTasksSucceeded), n)

	srv = StartServerAt(t, dir, "--log-level", "info")
	c = sdk(t, srv, srv.HTTPURL)
	cc = bpaControl(t, srv, authzRoot(account))
	j = waitJob(t, cc, account, id, func(j *ctypes.JobDescriptor) bool { return j.Status == ctypes.JobStatusComplete })
	// The resume went through the marker check (the kill leaves tasks dispatched without
	// a stored result: the watermark runs up to 1,024 tasks ahead of the checkpoint).
	if out := srv.Output(); !strings.Contains(out, "batch: resumed a job") {
		t.Errorf("the restarted server did not check dispatched tasks by their marker:\n%s", lastLines(out, 20))
	} else {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "batch: resumed a job") {
				t.Log(l)
			}
		}
	}
	p := j.ProgressSummary
	if aws.ToInt64(p.TotalNumberOfTasks) != n || aws.ToInt64(p.NumberOfTasksSucceeded) != n || aws.ToInt64(p.NumberOfTasksFailed) != 0 {
		t.Fatalf("progress total %d succeeded %d failed %d", aws.ToInt64(p.TotalNumberOfTasks),
			aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed))
	}

	// Exactly one copy per object: two versions each, the original and the job's.
	versions := map[string]int{}
	for _, v := range allVersions(t, c, bucket, 1000) {
		key, _, _ := strings.Cut(v, "@")
		versions[key]++
	}
	for _, k := range keys {
		if versions[k] != 2 {
			t.Errorf("%s has %d versions, want 2 (the original and one copy)", k, versions[k])
		}
	}
	if len(versions) != n {
		t.Errorf("%d keys listed, want %d", len(versions), n)
	}

	// The report lists every task once, succeeded.
	rows := readBatchReport(t, c, reports, "reports/job-"+id+"/manifest.json")
	listed := map[string]int{}
	for _, r := range rows {
		if len(r) != 7 || r[0] != bucket || r[3] != "succeeded" {
			t.Fatalf("report row %q", r)
		}
		k, err := url.QueryUnescape(r[1])
		if err != nil {
			t.Fatalf("report key %q: %v", r[1], err)
		}
		listed[k]++
	}
	for _, k := range keys {
		if listed[k] != 1 {
			t.Errorf("report lists %s %d times", k, listed[k])
		}
	}

	// The audit trail never shows an object copied twice by the job. (S3 data events
	// are committed up to 1 s after their call, so a kill can lose the records of the
	// copies made in its last second: those objects have none.)
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	copies := map[string]int{}
	pg := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CopyObject")}}})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatalf("LookupEvents: %v", err)
		}
		for _, e := range page.Events {
			var rec struct {
				UserIdentity struct {
					InvokedBy string `json:"invokedBy"`
				} `json:"userIdentity"`
				RequestParameters struct {
					BucketName string `json:"bucketName"`
					Key        string `json:"key"`
				} `json:"requestParameters"`
				ErrorCode string `json:"errorCode"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.RequestParameters.BucketName == bucket && rec.ErrorCode == "" {
				if rec.UserIdentity.InvokedBy != "batchoperations.s3.amazonaws.com" {
					t.Errorf("a copy of %s was not invoked by Batch Operations: %q", rec.RequestParameters.Key, rec.UserIdentity.InvokedBy)
				}
				copies[rec.RequestParameters.Key]++
			}
		}
	}
	missing := 0
	for _, k := range keys {
		switch copies[k] {
		case 0:
			missing++
		case 1:
		default:
			t.Errorf("the audit trail shows %s copied %d times", k, copies[k])
		}
	}
	t.Logf("audit: %d of %d copies recorded (%d lost with the kill's last second)", n-missing, n, missing)
	if missing > n/2 {
		t.Errorf("%d copies have no audit record", missing)
	}
}
