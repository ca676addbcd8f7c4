package e2e

// S3 Batch Operations through S3 Control (docs/BATCH.md, "API"), driven with aws-sdk-go-v2's
// s3control, the aws CLI, boto3 and `arca batch status`: jobs from a CSV manifest, an
// inventory report and a manifest generator; self-copy re-encryption and
// UpdateObjectEncryption; confirmation, priority, cancel, listing, tagging, idempotency;
// completion reports read back; every task's audit record; authorization of the API and of
// the tasks (which run as the job's creator).

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// batchEnv is one server with the buckets and keys the batch tests share.
type batchEnv struct {
	srv     *Server
	account string
	c       *s3.Client
	ctl     *s3control.Client
	role    string
	k1, k2  string // KMS key ARNs
}

func newBatchEnv(t *testing.T) *batchEnv {
	t.Helper()
	srv := StartServer(t)
	e := &batchEnv{srv: srv, account: authzAccount(t, srv), c: srv.S3(srv.HTTPURL)}
	e.ctl = bpaControl(t, srv, authzRoot(e.account))
	e.role = "arn:aws:iam::" + e.account + ":role/batch-operations"
	kc := sseKMS(t, srv)
	_, e.k1 = sseCreateKey(t, kc, "batch one")
	_, e.k2 = sseCreateKey(t, kc, "batch two")
	for _, b := range []string{"manifests", "reports"} {
		mustCreateBucket(t, e.c, b)
	}
	return e
}

// putObjects writes n objects "<prefix>NN" into bucket (its default encryption, SSE-S3)
// and returns their bodies by key.
func (e *batchEnv) putObjects(t *testing.T, bucket, prefix string, n int) map[string][]byte {
	t.Helper()
	bodies := map[string][]byte{}
	for i := range n {
		k := fmt.Sprintf("%s%02d", prefix, i)
		bodies[k] = randBytes(1000+i*37, int64(i+len(prefix)))
		mustPut(t, e.c, bucket, k, bodies[k])
	}
	return bodies
}

// csvManifest stores a Bucket,Key manifest of keys in "manifests" and returns its location.
func (e *batchEnv) csvManifest(t *testing.T, name, bucket string, keys []string) *ctypes.JobManifest {
	t.Helper()
	return batchManifest(t, e.c, "manifests", name, bucket, keys)
}

func batchReport(prefix string, scope ctypes.JobReportScope) *ctypes.JobReport {
	return &ctypes.JobReport{Enabled: true, Bucket: aws.String("arn:aws:s3:::reports"), Format: ctypes.JobReportFormatReportCsv20180820,
		Prefix: aws.String(prefix), ReportScope: scope}
}

func (e *batchEnv) create(t *testing.T, ctl *s3control.Client, in *s3control.CreateJobInput) string {
	t.Helper()
	in.AccountId = aws.String(e.account)
	if in.RoleArn == nil {
		in.RoleArn = aws.String(e.role)
	}
	if in.ClientRequestToken == nil {
		in.ClientRequestToken = aws.String(fmt.Sprintf("tok-%d", time.Now().UnixNano()))
	}
	out, err := ctl.CreateJob(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return aws.ToString(out.JobId)
}

func (e *batchEnv) describe(t *testing.T, id string) *ctypes.JobDescriptor {
	t.Helper()
	out, err := e.ctl.DescribeJob(context.Background(), &s3control.DescribeJobInput{AccountId: aws.String(e.account), JobId: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeJob %s: %v", id, err)
	}
	return out.Job
}

// wait polls DescribeJob until the job's status is one of want (a job that ends otherwise
// fails the test); the deadline only bounds a hung test.
func (e *batchEnv) wait(t *testing.T, id string, want ...ctypes.JobStatus) *ctypes.JobDescriptor {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		j := e.describe(t, id)
		if slices.Contains(want, j.Status) {
			return j
		}
		switch j.Status {
		case ctypes.JobStatusComplete, ctypes.JobStatusFailed, ctypes.JobStatusCancelled:
			t.Fatalf("job %s ended %s (reasons %+v), want %v", id, j.Status, j.FailureReasons, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s, want %v", id, j.Status, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// reportRows reads a job's completion report: manifest.json (each file's MD5 checked),
// then every results file's rows. Reading decrypts; each file is encrypted at rest.
func (e *batchEnv) reportRows(t *testing.T, prefix, id string) [][]string {
	t.Helper()
	ctx := context.Background()
	base := prefix + "/job-" + id + "/"
	body, _ := mustGet(t, e.c, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String(base + "manifest.json")})
	var m struct {
		Format, ReportCreationDate, ReportSchema, ReportVersion string
		Results                                                 []struct {
			TaskExecutionStatus, Bucket, MD5Checksum, Key string
		}
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("report manifest: %v\n%s", err, body)
	}
	if m.Format != "Report_CSV_20180820" || m.ReportSchema != "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage" {
		t.Errorf("report manifest %s", body)
	}
	var rows [][]string
	for _, r := range m.Results {
		data, _ := mustGet(t, e.c, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String(r.Key)})
		if md5Hex(data) != r.MD5Checksum {
			t.Errorf("report file %s: MD5 %s, manifest says %s", r.Key, md5Hex(data), r.MD5Checksum)
		}
		h, err := e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("reports"), Key: aws.String(r.Key)})
		if err != nil || h.ServerSideEncryption == "" {
			t.Errorf("report file %s not encrypted at rest: %v", r.Key, err)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("report file %s: %v", r.Key, err)
		}
		rows = append(rows, recs...)
	}
	return rows
}

// headEnc is HEAD's encryption of bucket/key: mode and KMS key.
func (e *batchEnv) headEnc(t *testing.T, bucket, key string) (s3types.ServerSideEncryption, string, string) {
	t.Helper()
	h, err := e.c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HEAD %s/%s: %v", bucket, key, err)
	}
	return h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), aws.ToString(h.ETag)
}

func (e *batchEnv) wantBodies(t *testing.T, bucket string, bodies map[string][]byte) {
	t.Helper()
	for k, want := range bodies {
		got, _ := mustGet(t, e.c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if !bytes.Equal(got, want) {
			t.Errorf("%s/%s: bytes changed", bucket, k)
		}
	}
}

func sortedKeys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestBatchCopyReencrypt: a CSV-manifest job of S3PutObjectCopy onto each object itself
// with SSE-KMS moves SSE-S3 objects under one KMS key, bytes unchanged; its AllTasks report
// lists every task succeeded; every task is one CopyObject record of the job's creator
// invoked by Batch Operations.
func TestBatchCopyReencrypt(t *testing.T) {
	e := newBatchEnv(t)
	mustCreateBucket(t, e.c, "data")
	bodies := e.putObjects(t, "data", "dir/obj ", 5) // keys with a space and a slash
	keys := sortedKeys(bodies)
	id := e.create(t, e.ctl, &s3control.CreateJobInput{
		ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(10), Description: aws.String("re-encrypt data"),
		Operation: &ctypes.JobOperation{S3PutObjectCopy: &ctypes.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::data"),
			SSEAwsKmsKeyId: aws.String(e.k1), BucketKeyEnabled: true, MetadataDirective: ctypes.S3MetadataDirectiveCopy}},
		Manifest: e.csvManifest(t, "copy.csv", "data", keys),
		Report:   batchReport("copy", ctypes.JobReportScopeAllTasks),
	})
	j := e.wait(t, id, ctypes.JobStatusComplete)
	ps := j.ProgressSummary
	if aws.ToInt64(ps.TotalNumberOfTasks) != 5 || aws.ToInt64(ps.NumberOfTasksSucceeded) != 5 || aws.ToInt64(ps.NumberOfTasksFailed) != 0 {
		t.Errorf("progress %+v", *ps)
	}
	if aws.ToString(j.JobArn) != "arn:aws:s3:"+testRegion+":"+e.account+":job/"+id || aws.ToString(j.RoleArn) != e.role ||
		j.Operation.S3PutObjectCopy == nil || aws.ToString(j.Operation.S3PutObjectCopy.SSEAwsKmsKeyId) != e.k1 || j.TerminationDate == nil {
		t.Errorf("DescribeJob: %+v", *j)
	}
	for _, k := range keys {
		if mode, key, _ := e.headEnc(t, "data", k); mode != s3types.ServerSideEncryptionAwsKms || key != e.k1 {
			t.Errorf("%s: %s %s, want aws:kms under %s", k, mode, key, e.k1)
		}
	}
	e.wantBodies(t, "data", bodies)
	rows := e.reportRows(t, "copy", id)
	if len(rows) != 5 {
		t.Fatalf("report rows %v", rows)
	}
	for _, r := range rows {
		k, _ := url.QueryUnescape(r[1])
		if r[0] != "data" || bodies[k] == nil || r[3] != "succeeded" || r[4] != "200" {
			t.Errorf("report row %v", r)
		}
	}
	// Every task's record: CopyObject by the root, invoked by Batch Operations.
	recs := auditLookup(t, cloudTrailClient(e.srv.HTTPURL, testAccessKey, testSecretKey), "EventName", "CopyObject")
	seen := map[string]bool{}
	for _, r := range recs {
		if field(r, "userIdentity.invokedBy") != "batchoperations.s3.amazonaws.com" {
			continue
		}
		wantFields(t, "CopyObject", r, map[string]any{"sourceIPAddress": "batchoperations.s3.amazonaws.com",
			"userAgent": "batchoperations.s3.amazonaws.com", "userIdentity.arn": "arn:aws:iam::" + e.account + ":root",
			"requestParameters.bucketName": "data", "requestParameters.x-amz-server-side-encryption-aws-kms-key-id": e.k1,
			"managementEvent": false})
		seen[fmt.Sprint(field(r, "requestParameters.key"))] = true
	}
	for _, k := range keys {
		if !seen[k] {
			t.Errorf("no CopyObject record invoked by Batch Operations for %q", k)
		}
	}
	create := findRecord(auditLookup(t, cloudTrailClient(e.srv.HTTPURL, testAccessKey, testSecretKey), "EventName", "CreateJob"), "CreateJob", nil)
	wantFields(t, "CreateJob", create, map[string]any{"managementEvent": true, "readOnly": false, "eventSource": "s3.amazonaws.com"})
}

// TestBatchGeneratedAndInventory: a job whose manifest is generated (MatchAnyObjectEncryption
// SSE-S3) re-encrypts only the SSE-S3 objects; a job whose manifest is an S3 Inventory
// report tags every object it lists; an S3UpdateObjectEncryption job rewraps objects under
// another key without changing their ETags or bytes.
func TestBatchGeneratedAndInventory(t *testing.T) {
	e := newBatchEnv(t)
	ctx := context.Background()
	mustCreateBucket(t, e.c, "gen")
	mustCreateBucket(t, e.c, "inv-reports")
	s3Bodies := e.putObjects(t, "gen", "s3-", 3)
	kmsBodies := map[string][]byte{}
	for i := range 2 {
		k := fmt.Sprintf("kms-%d", i)
		kmsBodies[k] = randBytes(500, int64(90+i))
		if _, err := e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("gen"), Key: aws.String(k), Body: bytes.NewReader(kmsBodies[k]),
			ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.k1)}); err != nil {
			t.Fatal(err)
		}
	}
	id := e.create(t, e.ctl, &s3control.CreateJobInput{
		ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(5),
		Operation: &ctypes.JobOperation{S3PutObjectCopy: &ctypes.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::gen"),
			SSEAwsKmsKeyId: aws.String(e.k2)}},
		ManifestGenerator: &ctypes.JobManifestGeneratorMemberS3JobManifestGenerator{Value: ctypes.S3JobManifestGenerator{
			SourceBucket: aws.String("arn:aws:s3:::gen"), EnableManifestOutput: true,
			ManifestOutputLocation: &ctypes.S3ManifestOutputLocation{Bucket: aws.String("arn:aws:s3:::manifests"),
				ManifestPrefix: aws.String("generated"), ManifestFormat: ctypes.GeneratedManifestFormatS3InventoryReportCsv20211130},
			Filter: &ctypes.JobManifestGeneratorFilter{MatchAnyObjectEncryption: []ctypes.ObjectEncryptionFilter{
				&ctypes.ObjectEncryptionFilterMemberSSES3{Value: ctypes.SSES3Filter{}}}},
		}},
		Report: batchReport("gen", ctypes.JobReportScopeFailedTasksOnly),
	})
	j := e.wait(t, id, ctypes.JobStatusComplete)
	if ps := j.ProgressSummary; aws.ToInt64(ps.TotalNumberOfTasks) != 3 || aws.ToInt64(ps.NumberOfTasksSucceeded) != 3 {
		t.Errorf("generated job progress %+v, want the 3 SSE-S3 objects", *ps)
	}
	if j.ManifestGenerator == nil {
		t.Errorf("DescribeJob lost the ManifestGenerator")
	}
	for k := range s3Bodies {
		if mode, key, _ := e.headEnc(t, "gen", k); mode != s3types.ServerSideEncryptionAwsKms || key != e.k2 {
			t.Errorf("%s: %s %s, want aws:kms under k2", k, mode, key)
		}
	}
	for k := range kmsBodies {
		if _, key, _ := e.headEnc(t, "gen", k); key != e.k1 {
			t.Errorf("%s: under %s, the filter should have left it under k1", k, key)
		}
	}
	if rows := e.reportRows(t, "gen", id); len(rows) != 0 {
		t.Errorf("FailedTasksOnly report of a job without failures: %v", rows)
	}
	// The generator's listing is one ListObjectVersions of the creator, invoked by Batch
	// Operations.
	list := findRecord(auditLookup(t, cloudTrailClient(e.srv.HTTPURL, testAccessKey, testSecretKey), "EventName", "ListObjectVersions"),
		"ListObjectVersions", func(r map[string]any) bool {
			return field(r, "userIdentity.invokedBy") == "batchoperations.s3.amazonaws.com"
		})
	wantFields(t, "generator's ListObjectVersions", list, map[string]any{"requestParameters.bucketName": "gen",
		"userIdentity.arn": "arn:aws:iam::" + e.account + ":root", "readOnly": true, "managementEvent": false})

	// An inventory report as the manifest: tag every object it lists.
	invrPut(t, e.c, "gen", invrConfig("all", s3types.InventoryFormatCsv, nil))
	resp, run := invrRun(t, e.srv.HTTPURL, "gen", "all", testAccessKey, testSecretKey)
	if resp.Status != 200 {
		t.Fatalf("RunInventoryConfiguration: %d %s", resp.Status, resp.Body)
	}
	h, err := e.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("inv-reports"), Key: aws.String(run.ManifestKey)})
	if err != nil {
		t.Fatal(err)
	}
	id = e.create(t, e.ctl, &s3control.CreateJobInput{
		ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(5),
		Operation: &ctypes.JobOperation{S3PutObjectTagging: &ctypes.S3SetObjectTaggingOperation{TagSet: []ctypes.S3Tag{{Key: aws.String("audited"), Value: aws.String("yes")}}}},
		Manifest: &ctypes.JobManifest{Spec: &ctypes.JobManifestSpec{Format: ctypes.JobManifestFormatS3InventoryReportCsv20161130},
			Location: &ctypes.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::inv-reports/" + run.ManifestKey), ETag: h.ETag}},
		Report: batchReport("inv", ctypes.JobReportScopeAllTasks),
	})
	j = e.wait(t, id, ctypes.JobStatusComplete)
	if n := aws.ToInt64(j.ProgressSummary.NumberOfTasksSucceeded); n != 5 {
		t.Errorf("inventory job: %d tasks succeeded, want 5 (%+v)", n, *j.ProgressSummary)
	}
	tagged := 0
	for _, r := range auditLookup(t, cloudTrailClient(e.srv.HTTPURL, testAccessKey, testSecretKey), "EventName", "PutObjectTagging") {
		if field(r, "userIdentity.invokedBy") == "batchoperations.s3.amazonaws.com" && field(r, "requestParameters.bucketName") == "gen" {
			tagged++
		}
	}
	if tagged != 5 {
		t.Errorf("%d PutObjectTagging records invoked by Batch Operations, want 5", tagged)
	}
	for _, k := range append(sortedKeys(s3Bodies), sortedKeys(kmsBodies)...) {
		tg, err := e.c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("gen"), Key: aws.String(k)})
		if err != nil || len(tg.TagSet) != 1 || aws.ToString(tg.TagSet[0].Key) != "audited" {
			t.Errorf("%s tags: %v %+v", k, err, tg)
		}
	}

	// UpdateObjectEncryption: every object under k1, ETags and bytes as they were.
	keys := append(sortedKeys(s3Bodies), sortedKeys(kmsBodies)...)
	etags := map[string]string{}
	for _, k := range keys {
		_, _, etags[k] = e.headEnc(t, "gen", k)
	}
	id = e.create(t, e.ctl, &s3control.CreateJobInput{
		ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(5),
		Operation: &ctypes.JobOperation{S3UpdateObjectEncryption: &ctypes.S3UpdateObjectEncryptionOperation{
			ObjectEncryption: &ctypes.ObjectEncryption{SSEKMS: &ctypes.S3UpdateObjectEncryptionSSEKMS{KMSKeyArn: aws.String(e.k1), BucketKeyEnabled: aws.Bool(true)}}}},
		Manifest: e.csvManifest(t, "rewrap.csv", "gen", keys),
		Report:   batchReport("rewrap", ctypes.JobReportScopeAllTasks),
	})
	j = e.wait(t, id, ctypes.JobStatusComplete)
	if n := aws.ToInt64(j.ProgressSummary.NumberOfTasksSucceeded); n != int64(len(keys)) {
		t.Errorf("UpdateObjectEncryption job: %d succeeded (%v)", n, e.reportRows(t, "rewrap", id))
	}
	for _, k := range keys {
		if mode, key, etag := e.headEnc(t, "gen", k); mode != s3types.ServerSideEncryptionAwsKms || key != e.k1 || etag != etags[k] {
			t.Errorf("%s after rewrap: %s %s %s, want aws:kms %s %s", k, mode, key, etag, e.k1, etags[k])
		}
	}
	e.wantBodies(t, "gen", s3Bodies)
	e.wantBodies(t, "gen", kmsBodies)
}

// TestBatchLifecycle: confirmation (Suspended until UpdateJobStatus Ready), priority,
// ListJobs filters, cancel, a status change a job cannot make, job tags, idempotent
// CreateJob, and AWS's refusals.
func TestBatchLifecycle(t *testing.T) {
	e := newBatchEnv(t)
	ctx := context.Background()
	acct := aws.String(e.account)
	mustCreateBucket(t, e.c, "data")
	bodies := e.putObjects(t, "data", "k", 3)
	for k := range bodies {
		if _, err := e.c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String(k), Tagging: tagSet("a", "1")}); err != nil {
			t.Fatal(err)
		}
	}
	manifest := e.csvManifest(t, "all.csv", "data", sortedKeys(bodies))
	in := func(token string, prio int32) *s3control.CreateJobInput {
		return &s3control.CreateJobInput{ClientRequestToken: aws.String(token), ConfirmationRequired: aws.Bool(true), Priority: aws.Int32(prio),
			Operation: &ctypes.JobOperation{S3DeleteObjectTagging: &ctypes.S3DeleteObjectTaggingOperation{}},
			Manifest:  manifest, Report: &ctypes.JobReport{Enabled: false},
			Tags: []ctypes.S3Tag{{Key: aws.String("team"), Value: aws.String("storage")}}}
	}
	id := e.create(t, e.ctl, in("confirm-me", 1))
	// Idempotent: the same token and body give the same job; another body is refused.
	if again := e.create(t, e.ctl, in("confirm-me", 1)); again != id {
		t.Errorf("CreateJob with the same token: %s, want %s", again, id)
	}
	other := in("confirm-me", 2)
	other.AccountId, other.RoleArn = acct, aws.String(e.role)
	_, err := e.ctl.CreateJob(ctx, other)
	wantAPIError(t, err, "IdempotencyException", 400)

	j := e.wait(t, id, ctypes.JobStatusSuspended)
	if !aws.ToBool(j.ConfirmationRequired) {
		t.Errorf("ConfirmationRequired lost: %+v", *j)
	}
	pr, err := e.ctl.UpdateJobPriority(ctx, &s3control.UpdateJobPriorityInput{AccountId: acct, JobId: aws.String(id), Priority: 42})
	if err != nil || pr.Priority != 42 || aws.ToString(pr.JobId) != id {
		t.Fatalf("UpdateJobPriority: %v %+v", err, pr)
	}
	if j := e.describe(t, id); j.Priority != 42 {
		t.Errorf("priority after update: %d", j.Priority)
	}
	list := func(statuses ...ctypes.JobStatus) []string {
		out, err := e.ctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: acct, JobStatuses: statuses})
		if err != nil {
			t.Fatalf("ListJobs %v: %v", statuses, err)
		}
		var ids []string
		for _, j := range out.Jobs {
			ids = append(ids, aws.ToString(j.JobId))
		}
		return ids
	}
	if ids := list(ctypes.JobStatusSuspended); !slices.Contains(ids, id) {
		t.Errorf("ListJobs Suspended: %v", ids)
	}
	if ids := list(ctypes.JobStatusComplete, ctypes.JobStatusActive); slices.Contains(ids, id) {
		t.Errorf("ListJobs Complete,Active lists a suspended job: %v", ids)
	}
	// Tagging of the job.
	tg, err := e.ctl.GetJobTagging(ctx, &s3control.GetJobTaggingInput{AccountId: acct, JobId: aws.String(id)})
	if err != nil || len(tg.Tags) != 1 || aws.ToString(tg.Tags[0].Key) != "team" {
		t.Errorf("GetJobTagging: %v %+v", err, tg)
	}
	if _, err := e.ctl.PutJobTagging(ctx, &s3control.PutJobTaggingInput{AccountId: acct, JobId: aws.String(id),
		Tags: []ctypes.S3Tag{{Key: aws.String("x"), Value: aws.String("1")}, {Key: aws.String("y"), Value: aws.String("")}}}); err != nil {
		t.Fatalf("PutJobTagging: %v", err)
	}
	if tg, _ := e.ctl.GetJobTagging(ctx, &s3control.GetJobTaggingInput{AccountId: acct, JobId: aws.String(id)}); len(tg.Tags) != 2 {
		t.Errorf("tags after put: %+v", tg.Tags)
	}
	if _, err := e.ctl.DeleteJobTagging(ctx, &s3control.DeleteJobTaggingInput{AccountId: acct, JobId: aws.String(id)}); err != nil {
		t.Fatalf("DeleteJobTagging: %v", err)
	}
	if tg, _ := e.ctl.GetJobTagging(ctx, &s3control.GetJobTaggingInput{AccountId: acct, JobId: aws.String(id)}); len(tg.Tags) != 0 {
		t.Errorf("tags after delete: %+v", tg.Tags)
	}
	// Confirm: the job runs.
	st, err := e.ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(id),
		RequestedJobStatus: ctypes.RequestedJobStatusReady, StatusUpdateReason: aws.String("looks right")})
	if err != nil || aws.ToString(st.JobId) != id {
		t.Fatalf("UpdateJobStatus Ready: %v", err)
	}
	e.wait(t, id, ctypes.JobStatusComplete)
	for k := range bodies {
		if tg, err := e.c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String(k)}); err != nil || len(tg.TagSet) != 0 {
			t.Errorf("%s still tagged: %v %+v", k, err, tg)
		}
	}
	if ids := list(ctypes.JobStatusComplete); !slices.Contains(ids, id) {
		t.Errorf("ListJobs Complete: %v", ids)
	}
	// A finished job cannot be made Ready again.
	_, err = e.ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(id), RequestedJobStatus: ctypes.RequestedJobStatusReady})
	wantAPIError(t, err, "JobStatusException", 400)

	// Cancel a suspended job.
	id2 := e.create(t, e.ctl, in("cancel-me", 3))
	e.wait(t, id2, ctypes.JobStatusSuspended)
	if _, err := e.ctl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(id2),
		RequestedJobStatus: ctypes.RequestedJobStatusCancelled}); err != nil {
		t.Fatalf("UpdateJobStatus Cancelled: %v", err)
	}
	deadline := time.Now().Add(time.Minute)
	for e.describe(t, id2).Status != ctypes.JobStatusCancelled {
		if time.Now().After(deadline) {
			t.Fatalf("job %s not Cancelled: %s", id2, e.describe(t, id2).Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ids := list(ctypes.JobStatusCancelled); !slices.Equal(ids, []string{id2}) {
		t.Errorf("ListJobs Cancelled: %v", ids)
	}

	// Pages of one job each, then a token the listing never gave.
	var paged []string
	pages := s3control.NewListJobsPaginator(e.ctl, &s3control.ListJobsInput{AccountId: acct, MaxResults: aws.Int32(1)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListJobs page: %v", err)
		}
		if len(page.Jobs) > 1 {
			t.Errorf("ListJobs maxResults 1 gave %d jobs", len(page.Jobs))
		}
		for _, j := range page.Jobs {
			paged = append(paged, aws.ToString(j.JobId))
		}
	}
	if slices.Sort(paged); !slices.Equal(paged, sortedCopy([]string{id, id2})) {
		t.Errorf("ListJobs pages: %v, want %s and %s", paged, id, id2)
	}
	_, err = e.ctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: acct, NextToken: aws.String("not-a-token")})
	wantAPIError(t, err, "InvalidNextTokenException", 400)

	// AWS's refusals.
	_, err = e.ctl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: acct, JobId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantAPIError(t, err, "NotFoundException", 404)
	bad := in("bad-role", 1)
	bad.AccountId, bad.RoleArn = acct, aws.String("arn:aws:iam::"+e.account+":user/someone")
	_, err = e.ctl.CreateJob(ctx, bad)
	wantAPIError(t, err, "BadRequestException", 400)
	_, err = e.ctl.UpdateJobPriority(ctx, &s3control.UpdateJobPriorityInput{AccountId: acct, JobId: aws.String(id), Priority: -1})
	wantAPIError(t, err, "BadRequestException", 400)
	// Another account's id in x-amz-account-id.
	_, err = e.ctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: aws.String("111122223333")})
	wantAPIError(t, err, "AccessDenied", 403)
}

// TestBatchAuthz: the job API needs its actions; a job's tasks run as its creator, so a
// creator without s3:PutObject on the objects gets failed tasks (AccessDenied) in the
// report, and those refusals are audited as the creator's, invoked by Batch Operations.
func TestBatchAuthz(t *testing.T) {
	e := newBatchEnv(t)
	ctx := context.Background()
	root := iamClient(e.srv.HTTPURL, testAccessKey, testSecretKey)
	mustCreateBucket(t, e.c, "data")
	bodies := e.putObjects(t, "data", "k", 3)
	manifest := e.csvManifest(t, "denied.csv", "data", sortedKeys(bodies))

	nobody := authzUser(t, root, "nobody", authzAllow(`"s3:ListJobs"`, `"*"`))
	nctl := bpaControl(t, e.srv, nobody)
	_, err := nctl.CreateJob(ctx, &s3control.CreateJobInput{AccountId: aws.String(e.account), ClientRequestToken: aws.String("n"),
		Priority: aws.Int32(1), RoleArn: aws.String(e.role), Operation: &ctypes.JobOperation{S3DeleteObjectTagging: &ctypes.S3DeleteObjectTaggingOperation{}},
		Manifest: manifest, Report: &ctypes.JobReport{Enabled: false}})
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := nctl.ListJobs(ctx, &s3control.ListJobsInput{AccountId: aws.String(e.account)}); err != nil {
		t.Errorf("ListJobs with s3:ListJobs: %v", err)
	}

	// The creator may create and describe jobs, read the manifest, read the data and write
	// reports, but not write the data.
	batcher := authzUser(t, root, "batcher",
		authzAllow(`["s3:CreateJob","s3:DescribeJob","s3:UpdateJobStatus"]`, `"*"`),
		authzAllow(`["s3:GetObject","s3:GetObjectVersion"]`, `["arn:aws:s3:::manifests/*","arn:aws:s3:::data/*"]`),
		authzAllow(`"s3:PutObject"`, `"arn:aws:s3:::reports/*"`))
	bctl := bpaControl(t, e.srv, batcher)
	id := e.create(t, bctl, &s3control.CreateJobInput{ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(1),
		Operation: &ctypes.JobOperation{S3PutObjectCopy: &ctypes.S3CopyObjectOperation{TargetResource: aws.String("arn:aws:s3:::data"), SSEAwsKmsKeyId: aws.String(e.k1)}},
		Manifest:  manifest, Report: batchReport("denied", ctypes.JobReportScopeFailedTasksOnly)})
	// Another identity of the account without s3:DescribeJob is refused the job.
	_, err = nctl.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(e.account), JobId: aws.String(id)})
	wantAPIError(t, err, "AccessDenied", 403)

	j := e.wait(t, id, ctypes.JobStatusComplete, ctypes.JobStatusFailed)
	if aws.ToInt64(j.ProgressSummary.NumberOfTasksFailed) != 3 {
		t.Errorf("progress %+v, want 3 failed tasks", *j.ProgressSummary)
	}
	rows := e.reportRows(t, "denied", id)
	if len(rows) != 3 {
		t.Fatalf("FailedTasksOnly report: %v", rows)
	}
	for _, r := range rows {
		if r[3] != "failed" || r[4] != "403" || r[5] != "AccessDenied" {
			t.Errorf("report row %v, want failed 403 AccessDenied", r)
		}
	}
	for k := range bodies {
		if mode, _, _ := e.headEnc(t, "data", k); mode == s3types.ServerSideEncryptionAwsKms {
			t.Errorf("%s was re-encrypted by a job whose creator may not write it", k)
		}
	}
	recs := auditLookup(t, cloudTrailClient(e.srv.HTTPURL, testAccessKey, testSecretKey), "EventName", "CopyObject")
	n := 0
	for _, r := range recs {
		if field(r, "userIdentity.invokedBy") == "batchoperations.s3.amazonaws.com" {
			wantFields(t, "denied CopyObject", r, map[string]any{"userIdentity.arn": batcher.ARN, "errorCode": "AccessDenied"})
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d CopyObject records invoked by Batch Operations, want 3", n)
	}
}

// TestBatchConditionKeys: the job calls' condition keys: s3:RequestJobPriority bounds
// UpdateJobPriority, aws:ResourceTag/<key> (the job's tags) and s3:ExistingJobOperation
// select the jobs an identity may confirm or cancel.
func TestBatchConditionKeys(t *testing.T) {
	e := newBatchEnv(t)
	ctx := context.Background()
	root := iamClient(e.srv.HTTPURL, testAccessKey, testSecretKey)
	mustCreateBucket(t, e.c, "data")
	bodies := e.putObjects(t, "data", "k", 1)
	manifest := e.csvManifest(t, "m.csv", "data", sortedKeys(bodies))
	job := func(team string) string {
		return e.create(t, e.ctl, &s3control.CreateJobInput{ConfirmationRequired: aws.Bool(true), Priority: aws.Int32(1),
			Operation: &ctypes.JobOperation{S3DeleteObjectTagging: &ctypes.S3DeleteObjectTaggingOperation{}},
			Manifest:  manifest, Report: &ctypes.JobReport{Enabled: false}, Tags: []ctypes.S3Tag{{Key: aws.String("team"), Value: aws.String(team)}}})
	}
	ours, theirs := job("storage"), job("web")
	e.wait(t, ours, ctypes.JobStatusSuspended)
	e.wait(t, theirs, ctypes.JobStatusSuspended)
	op := authzUser(t, root, "operator",
		`{"Version":"2012-10-17","Statement":[`+
			`{"Effect":"Allow","Action":"s3:UpdateJobPriority","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:RequestJobPriority":"100"}}},`+
			`{"Effect":"Allow","Action":"s3:UpdateJobStatus","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"storage","s3:ExistingJobOperation":"S3DeleteObjectTagging"}}}]}`)
	octl := bpaControl(t, e.srv, op)
	acct := aws.String(e.account)
	if _, err := octl.UpdateJobPriority(ctx, &s3control.UpdateJobPriorityInput{AccountId: acct, JobId: aws.String(ours), Priority: 50}); err != nil {
		t.Errorf("UpdateJobPriority 50: %v", err)
	}
	_, err := octl.UpdateJobPriority(ctx, &s3control.UpdateJobPriorityInput{AccountId: acct, JobId: aws.String(ours), Priority: 500})
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := octl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(ours),
		RequestedJobStatus: ctypes.RequestedJobStatusCancelled}); err != nil {
		t.Errorf("UpdateJobStatus of a job tagged team=storage: %v", err)
	}
	_, err = octl.UpdateJobStatus(ctx, &s3control.UpdateJobStatusInput{AccountId: acct, JobId: aws.String(theirs), RequestedJobStatus: ctypes.RequestedJobStatusCancelled})
	wantAPIError(t, err, "AccessDenied", 403)
	if j := e.describe(t, theirs); j.Status != ctypes.JobStatusSuspended || j.Priority != 1 {
		t.Errorf("the other team's job changed: %s %d", j.Status, j.Priority)
	}

	// CreateJob's keys: only tagging jobs, at priority 10 or less, tagged with a team.
	creator := authzUser(t, root, "tagger",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:CreateJob","Resource":"*","Condition":{`+
			`"StringEquals":{"s3:RequestJobOperation":"S3PutObjectTagging"},"NumericLessThanEquals":{"s3:RequestJobPriority":"10"},`+
			`"Null":{"aws:RequestTag/team":"false"}}},`+
			`{"Effect":"Allow","Action":"s3:PutJobTagging","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}`)
	cctl := bpaControl(t, e.srv, creator)
	in := func(prio int32, op *ctypes.JobOperation, tags ...ctypes.S3Tag) *s3control.CreateJobInput {
		return &s3control.CreateJobInput{AccountId: acct, RoleArn: aws.String(e.role), ClientRequestToken: aws.String(fmt.Sprint("c", prio, len(tags), op.S3DeleteObjectTagging != nil)),
			ConfirmationRequired: aws.Bool(true), Priority: aws.Int32(prio), Operation: op, Manifest: manifest, Report: &ctypes.JobReport{Enabled: false}, Tags: tags}
	}
	tagOp := &ctypes.JobOperation{S3PutObjectTagging: &ctypes.S3SetObjectTaggingOperation{TagSet: []ctypes.S3Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}
	team := ctypes.S3Tag{Key: aws.String("team"), Value: aws.String("storage")}
	out, err := cctl.CreateJob(ctx, in(10, tagOp, team))
	if err != nil {
		t.Fatalf("CreateJob within the conditions: %v", err)
	}
	for what, bad := range map[string]*s3control.CreateJobInput{
		"priority 11":        in(11, tagOp, team),
		"another operation":  in(5, &ctypes.JobOperation{S3DeleteObjectTagging: &ctypes.S3DeleteObjectTaggingOperation{}}, team),
		"without a team tag": in(5, tagOp),
	} {
		_, err := cctl.CreateJob(ctx, bad)
		if code, _ := errInfo(err); code != "AccessDenied" {
			t.Errorf("CreateJob %s: %v, want AccessDenied", what, err)
		}
	}
	if _, err := cctl.PutJobTagging(ctx, &s3control.PutJobTaggingInput{AccountId: acct, JobId: out.JobId, Tags: []ctypes.S3Tag{team}}); err != nil {
		t.Errorf("PutJobTagging with team only: %v", err)
	}
	_, err = cctl.PutJobTagging(ctx, &s3control.PutJobTaggingInput{AccountId: acct, JobId: out.JobId, Tags: []ctypes.S3Tag{team,
		{Key: aws.String("cost"), Value: aws.String("x")}}})
	wantAPIError(t, err, "AccessDenied", 403)
}

// TestBatchCLI: the aws CLI's s3control job commands (through an HTTP proxy for the
// account-id host prefix), boto3 with inject_host_prefix=False, and `arca batch status`.
func TestBatchCLI(t *testing.T) {
	requireAWSCLI(t)
	e := newBatchEnv(t)
	mustCreateBucket(t, e.c, "data")
	bodies := e.putObjects(t, "data", "k", 4)
	m := e.csvManifest(t, "cli.csv", "data", sortedKeys(bodies))
	manifest := fmt.Sprintf(`{"Spec":{"Format":"S3BatchOperations_CSV_20180820","Fields":["Bucket","Key"]},"Location":{"ObjectArn":"arn:aws:s3:::manifests/cli.csv","ETag":%q}}`, aws.ToString(m.Location.ETag))
	out := bpaCLI(t, e.srv, false, "s3control", "create-job", "--account-id", e.account, "--confirmation-required",
		"--operation", fmt.Sprintf(`{"S3PutObjectCopy":{"TargetResource":"arn:aws:s3:::data","SSEAwsKmsKeyId":%q}}`, e.k2),
		"--manifest", manifest, "--priority", "7", "--role-arn", e.role, "--client-request-token", "cli-1",
		"--report", `{"Bucket":"arn:aws:s3:::reports","Format":"Report_CSV_20180820","Enabled":true,"Prefix":"cli","ReportScope":"AllTasks"}`)
	var created struct{ JobId string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.JobId == "" {
		t.Fatalf("create-job: %v\n%s", err, out)
	}
	id := created.JobId
	e.wait(t, id, ctypes.JobStatusSuspended)
	out = bpaCLI(t, e.srv, false, "s3control", "list-jobs", "--account-id", e.account, "--job-statuses", "Suspended")
	if !strings.Contains(out, id) {
		t.Errorf("list-jobs Suspended:\n%s", out)
	}
	bpaCLI(t, e.srv, false, "s3control", "update-job-priority", "--account-id", e.account, "--job-id", id, "--priority", "99")
	bpaCLI(t, e.srv, false, "s3control", "put-job-tagging", "--account-id", e.account, "--job-id", id, "--tags", "Key=owner,Value=cli")
	if out := bpaCLI(t, e.srv, false, "s3control", "get-job-tagging", "--account-id", e.account, "--job-id", id); !strings.Contains(out, `"Value": "cli"`) {
		t.Errorf("get-job-tagging:\n%s", out)
	}
	bpaCLI(t, e.srv, false, "s3control", "delete-job-tagging", "--account-id", e.account, "--job-id", id)
	if out := bpaCLI(t, e.srv, true, "s3control", "describe-job", "--account-id", e.account, "--job-id", "no-such-job"); !strings.Contains(out, "NotFoundException") {
		t.Errorf("describe-job of an unknown job:\n%s", out)
	}
	out = bpaCLI(t, e.srv, false, "s3control", "describe-job", "--account-id", e.account, "--job-id", id)
	if !strings.Contains(out, `"Priority": 99`) || !strings.Contains(out, `"Status": "Suspended"`) {
		t.Errorf("describe-job:\n%s", out)
	}

	// boto3: botocore's endpoint rules put the account id in front of the endpoint's host
	// whatever inject_host_prefix says, so a client reaches Arca through a proxy (as the
	// CLI above), with a hook that takes the label off before signing, or with a localhost
	// endpoint whose <account>.localhost resolves to loopback (docs/BATCH.md;
	// scripts/install-test-deps.sh makes sure it does).
	py := `import boto3, json, sys, urllib.parse
from botocore.config import Config
endpoint, account, job = sys.argv[1:4]
proxied = boto3.client("s3control", endpoint_url=endpoint, region_name="us-east-1",
    config=Config(inject_host_prefix=False, proxies={"http": endpoint}, retries={"max_attempts": 1}))
proxied.update_job_status(AccountId=account, JobId=job, RequestedJobStatus="Ready", StatusUpdateReason="boto3")
direct = boto3.client("s3control", endpoint_url=endpoint, region_name="us-east-1",
    config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
def strip_account(request, **kwargs):
    u = urllib.parse.urlsplit(request.url)
    if u.netloc.startswith(account + "."):
        request.url = urllib.parse.urlunsplit(u._replace(netloc=u.netloc[len(account) + 1:]))
direct.meta.events.register("before-sign.s3-control", strip_account)
# With a localhost endpoint nothing else is needed: <account>.localhost is loopback (RFC 6761).
local = boto3.client("s3control", endpoint_url=endpoint.replace("127.0.0.1", "localhost"), region_name="us-east-1",
    config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
assert local.describe_job(AccountId=account, JobId=job)["Job"]["Priority"] == 99
print(json.dumps(direct.describe_job(AccountId=account, JobId=job)["Job"]["Priority"]))
`
	script := filepath.Join(t.TempDir(), "confirm.py")
	if err := os.WriteFile(script, []byte(py), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", script, e.srv.HTTPURL, e.account, id)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "NO_PROXY=", "no_proxy=", "HTTP_PROXY=", "http_proxy=")
	if b, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(b)) != "99" {
		t.Fatalf("boto3: %v\n%s", err, b)
	}

	// arca batch status --watch follows the job to its end and prints the summary.
	out, err := arcaAs(testAccessKey, testSecretKey, "batch", "status", "--endpoint", e.srv.HTTPURL, id, "--watch", "--interval", "100ms")
	if err != nil {
		t.Fatalf("arca batch status --watch: %v\n%s", err, out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Status Complete", "Priority 99", "Operation S3PutObjectCopy",
		"[==============================] 100% 4/4", "Tasks 4 succeeded, 0 failed, 4 total"} {
		if !strings.Contains(flat, want) {
			t.Errorf("arca batch status: no %q in\n%s", want, out)
		}
	}
	for k := range bodies {
		if _, key, _ := e.headEnc(t, "data", k); key != e.k2 {
			t.Errorf("%s under %s after the CLI's job", k, key)
		}
	}
	out, err = arcaAs(testAccessKey, testSecretKey, "batch", "status", "--endpoint", e.srv.HTTPURL)
	if err != nil || !strings.Contains(out, id) || !strings.Contains(out, "Complete") {
		t.Errorf("arca batch status (list): %v\n%s", err, out)
	}
	out, err = arcaAs(testAccessKey, testSecretKey, "batch", "status", "--endpoint", e.srv.HTTPURL, "no-such-job")
	if err == nil || !strings.Contains(out, "NotFoundException") {
		t.Errorf("arca batch status of an unknown job: %v\n%s", err, out)
	}
}

// TestBatchManifestETag: a job reads its manifest's ETag from the response and compares it
// with the one its manifest location names, so an SSE-KMS manifest (whose ETag is no MD5
// of its bytes) that was replaced after the job was described fails the job rather than
// running the other list.
func TestBatchManifestETag(t *testing.T) {
	e := newBatchEnv(t)
	ctx := context.Background()
	mustCreateBucket(t, e.c, "data")
	bodies := e.putObjects(t, "data", "k", 2)
	put := func(name, body string) *string {
		out, err := e.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("manifests"), Key: aws.String(name), Body: strings.NewReader(body),
			ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(e.k1)})
		if err != nil {
			t.Fatal(err)
		}
		return out.ETag
	}
	job := func(etag *string) string {
		return e.create(t, e.ctl, &s3control.CreateJobInput{ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(1),
			Operation: &ctypes.JobOperation{S3PutObjectTagging: &ctypes.S3SetObjectTaggingOperation{TagSet: []ctypes.S3Tag{{Key: aws.String("t"), Value: aws.String("1")}}}},
			Manifest: &ctypes.JobManifest{
				Spec:     &ctypes.JobManifestSpec{Format: ctypes.JobManifestFormatS3BatchOperationsCsv20180820, Fields: []ctypes.JobManifestFieldName{"Bucket", "Key"}},
				Location: &ctypes.JobManifestLocation{ObjectArn: aws.String("arn:aws:s3:::manifests/kms.csv"), ETag: etag}},
			Report: &ctypes.JobReport{Enabled: false}})
	}
	first := put("kms.csv", "data,k00\ndata,k01\n")
	if j := e.wait(t, job(first), ctypes.JobStatusComplete); aws.ToInt64(j.ProgressSummary.NumberOfTasksSucceeded) != int64(len(bodies)) {
		t.Fatalf("job with the manifest's ETag: %+v", j.ProgressSummary)
	}
	put("kms.csv", "data,k00\n")
	id := job(first)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		j := e.describe(t, id)
		if j.Status == ctypes.JobStatusFailed {
			if len(j.FailureReasons) == 0 || !strings.Contains(aws.ToString(j.FailureReasons[0].FailureReason), "ETag") {
				t.Fatalf("failure reasons %+v, want the ETag mismatch named", j.FailureReasons)
			}
			return
		}
		if j.Status == ctypes.JobStatusComplete || time.Now().After(deadline) {
			t.Fatalf("job with a stale manifest ETag: %s %+v, want Failed", j.Status, j.ProgressSummary)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
