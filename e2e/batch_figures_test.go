package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// TestBatchFigures measures the figures on a quiet machine (skipped unless
// ARCA_BATCH_FIGURES is set, e.g. "objects=100000,size=4096" or "objects=1024,size=10485760"
// for 10 GiB): the raw PUT rate of the objects (16 clients), then a self-copy job to SSE-KMS
// and an UpdateObjectEncryption job over all of them, each as objects/s, MiB/s and a share
// of the PUT rate. Run:
//
//	ARCA_BATCH_FIGURES=objects=100000,size=4096 go test ./e2e/ -run TestBatchFigures -v -timeout 2h
func TestBatchFigures(t *testing.T) {
	spec := os.Getenv("ARCA_BATCH_FIGURES")
	if spec == "" {
		t.Skip("set ARCA_BATCH_FIGURES=objects=N,size=BYTES to measure")
	}
	n, size := 1000, 4096
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(kv, "=")
		var x int
		if _, err := fmt.Sscan(v, &x); err != nil || x <= 0 {
			t.Fatalf("ARCA_BATCH_FIGURES: bad %q", kv)
		}
		switch k {
		case "objects":
			n = x
		case "size":
			size = x
		default:
			t.Fatalf("ARCA_BATCH_FIGURES: unknown %q", k)
		}
	}
	e := newBatchEnv(t)
	mustCreateBucket(t, e.c, "data")
	base := randBytes(size, 1)
	start := time.Now()
	keys := batchPutObjects(t, e.c, "data", n, func(i int) []byte {
		body := append([]byte(nil), base...)
		body[0], body[len(body)-1] = byte(i), byte(i>>8)
		return body
	})
	put := time.Since(start)
	mib := float64(n) * float64(size) / (1 << 20)
	report := func(what string, d time.Duration) {
		line := fmt.Sprintf("%-24s %d objects of %d bytes in %s: %.0f objects/s, %.1f MiB/s (%.0f%% of the PUT rate)",
			what, n, size, d.Round(time.Millisecond), float64(n)/d.Seconds(), mib/d.Seconds(), 100*put.Seconds()/d.Seconds())
		t.Log(line)
		fmt.Println(line)
	}
	report("PUT (16 clients)", put)
	manifest := e.csvManifest(t, "all.csv", "data", keys)
	run := func(what string, op *ctypes.JobOperation) {
		start := time.Now()
		id := e.create(t, e.ctl, &s3control.CreateJobInput{ConfirmationRequired: aws.Bool(false), Priority: aws.Int32(1), Operation: op,
			Manifest: manifest, Report: batchReport("figures", ctypes.JobReportScopeFailedTasksOnly)})
		deadline := time.Now().Add(2 * time.Hour)
		for {
			j := e.describe(t, id)
			if j.Status == ctypes.JobStatusComplete {
				if f := aws.ToInt64(j.ProgressSummary.NumberOfTasksFailed); f != 0 {
					t.Errorf("%s: %d tasks failed", what, f)
				}
				break
			}
			if j.Status == ctypes.JobStatusFailed || j.Status == ctypes.JobStatusCancelled || time.Now().After(deadline) {
				t.Fatalf("%s: job %s", what, j.Status)
			}
			time.Sleep(200 * time.Millisecond)
		}
		report(what, time.Since(start))
	}
	run("self-copy job (SSE-KMS)", &ctypes.JobOperation{S3PutObjectCopy: &ctypes.S3CopyObjectOperation{
		TargetResource: aws.String("arn:aws:s3:::data"), SSEAwsKmsKeyId: aws.String(e.k1)}})
	run("UpdateObjectEncryption job", &ctypes.JobOperation{S3UpdateObjectEncryption: &ctypes.S3UpdateObjectEncryptionOperation{
		ObjectEncryption: &ctypes.ObjectEncryption{SSEKMS: &ctypes.S3UpdateObjectEncryptionSSEKMS{KMSKeyArn: aws.String(e.k2)}}}})
}
