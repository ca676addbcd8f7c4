package e2e

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	mtypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A job whose server is killed while it runs is still RUNNING after the restart, runs
// again from the start, and completes with one finding per object (replaced, not
// duplicated, each with count 1).
func TestDiscoveryJobSurvivesCrash(t *testing.T) {
	dir := t.TempDir()
	srv := StartServerAt(t, dir)
	ctx := context.Background()
	c := srv.S3(srv.HTTPURL)
	account := authzAccount(t, srv)
	mustCreateBucket(t, c, "crash")
	const n = 24
	body := append(mixedBody(0, 4<<20, 7), []byte("\nssn 123-45-6789\n")...)
	for i := 0; i < n; i++ {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("crash"), Key: aws.String(fmt.Sprintf("o%02d", i)), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	mc := macieClient(srv.HTTPURL, testAccessKey, testSecretKey)
	job, err := mc.CreateClassificationJob(ctx, &macie2.CreateClassificationJobInput{ClientToken: aws.String("crash"), Name: aws.String("crash"),
		JobType: mtypes.JobTypeOneTime, S3JobDefinition: &mtypes.S3JobDefinition{BucketDefinitions: []mtypes.S3BucketDefinitionForJob{{AccountId: aws.String(account), Buckets: []string{"crash"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()

	srv = StartServerAt(t, dir)
	mc = macieClient(srv.HTTPURL, testAccessKey, testSecretKey)
	for deadline := time.Now().Add(120 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		d, err := mc.DescribeClassificationJob(ctx, &macie2.DescribeClassificationJobInput{JobId: job.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if d.JobStatus == mtypes.JobStatusComplete {
			if aws.ToFloat64(d.Statistics.NumberOfRuns) != 1 {
				t.Errorf("numberOfRuns = %v, want 1", aws.ToFloat64(d.Statistics.NumberOfRuns))
			}
			break
		}
		if d.JobStatus != mtypes.JobStatusRunning || time.Now().After(deadline) {
			t.Fatalf("job %s after the restart", d.JobStatus)
		}
	}
	lf, err := mc.ListFindings(ctx, &macie2.ListFindingsInput{})
	if err != nil || len(lf.FindingIds) != n {
		t.Fatalf("findings: %d %v, want %d", len(lf.FindingIds), err, n)
	}
	gf, err := mc.GetFindings(ctx, &macie2.GetFindingsInput{FindingIds: lf.FindingIds})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range gf.Findings {
		if aws.ToInt64(f.Count) != 1 {
			t.Errorf("%s: count %d, want 1", aws.ToString(f.ResourcesAffected.S3Object.Key), aws.ToInt64(f.Count))
		}
	}
}
