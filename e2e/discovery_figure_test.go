package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	mtypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// mixedBody is one of four kinds of 16 MiB-ish content: prose with a planted identifier
// every few KiB, CSV records of contacts, JSON log lines, and base64 of random bytes.
func mixedBody(kind, size int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	var b bytes.Buffer
	words := []string{"the", "account", "ledger", "was", "reviewed", "by", "finance", "on", "tuesday", "and", "found", "in", "order", "total", "amount", "2024", "ref", "42"}
	for b.Len() < size {
		switch kind {
		case 0:
			for i := 0; i < 60; i++ {
				b.WriteString(words[r.Intn(len(words))] + " ")
			}
			if r.Intn(8) == 0 {
				b.WriteString("ssn 123-45-6789 ")
			}
			b.WriteString("\n")
		case 1:
			fmt.Fprintf(&b, "%d,user%d@example.com,phone: (206) 555-%04d,%d.%02d,ok\n", r.Intn(1e6), r.Intn(1e6), r.Intn(1e4), r.Intn(1e5), r.Intn(100))
		case 2:
			fmt.Fprintf(&b, `{"ts":"2026-12-06T13:%02d:%02dZ","level":"info","msg":"request served","status":200,"bytes":%d,"latency_ms":%d,"path":"/api/v1/items/%d"}`+"\n",
				r.Intn(60), r.Intn(60), r.Intn(1e6), r.Intn(500), r.Intn(1e6))
		default:
			raw := make([]byte, 57*64)
			r.Read(raw)
			enc := base64.StdEncoding.EncodeToString(raw)
			for len(enc) > 76 {
				b.WriteString(enc[:76] + "\n")
				enc = enc[76:]
			}
		}
	}
	return b.Bytes()[:size]
}

// TestDiscoveryFigure measures discovery throughput over mixed objects (skipped unless
// ARCA_DISCOVERY_FIGURE is set to the total MiB, e.g. 1024): the objects (16 MiB each,
// four kinds of content, half SSE-S3 and half SSE-KMS) are read once with plain GETs
// (one client, sequential, as a job reads) and then by a ONE_TIME job with every managed
// identifier; both as MiB/s, the job as a share of the GET rate. Run:
//
//	ARCA_DISCOVERY_FIGURE=1024 go test ./e2e/ -run TestDiscoveryFigure -v -timeout 1h
func TestDiscoveryFigure(t *testing.T) {
	spec := os.Getenv("ARCA_DISCOVERY_FIGURE")
	if spec == "" {
		t.Skip("set ARCA_DISCOVERY_FIGURE=<total MiB> to measure")
	}
	totalMiB, err := strconv.Atoi(spec)
	if err != nil || totalMiB < 16 {
		t.Fatalf("ARCA_DISCOVERY_FIGURE: %q", spec)
	}
	const size = 16 << 20
	n := totalMiB / 16
	srv := StartServer(t)
	ctx := context.Background()
	c := srv.S3(srv.HTTPURL)
	mustCreateBucket(t, c, "fig")
	key := srv.AWS(t, srv.HTTPURL, false, "kms", "create-key", "--query", "KeyMetadata.KeyId", "--output", "text")
	bodies := make([][]byte, 4)
	for k := range bodies {
		bodies[k] = mixedBody(k, size, int64(k))
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			in := &s3.PutObjectInput{Bucket: aws.String("fig"), Key: aws.String(fmt.Sprintf("obj-%04d", i)), Body: bytes.NewReader(bodies[i%4])}
			if i%2 == 1 {
				in.ServerSideEncryption, in.SSEKMSKeyId = s3types.ServerSideEncryptionAwsKms, aws.String(key[:len(key)-1])
			}
			if _, err := c.PutObject(ctx, in); err != nil {
				t.Errorf("put %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	mib := float64(n) * size / (1 << 20)

	start := time.Now()
	for i := 0; i < n; i++ {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("fig"), Key: aws.String(fmt.Sprintf("obj-%04d", i))})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
	get := time.Since(start)

	account := authzAccount(t, srv)
	mc := macieClient(srv.HTTPURL, testAccessKey, testSecretKey)
	start = time.Now()
	job, err := mc.CreateClassificationJob(ctx, &macie2.CreateClassificationJobInput{ClientToken: aws.String("fig"), Name: aws.String("fig"),
		JobType: mtypes.JobTypeOneTime, ManagedDataIdentifierSelector: mtypes.ManagedDataIdentifierSelectorAll,
		S3JobDefinition: &mtypes.S3JobDefinition{BucketDefinitions: []mtypes.S3BucketDefinitionForJob{{AccountId: aws.String(account), Buckets: []string{"fig"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		d, err := mc.DescribeClassificationJob(ctx, &macie2.DescribeClassificationJobInput{JobId: job.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if d.JobStatus == mtypes.JobStatusComplete {
			if d.LastRunErrorStatus.Code != mtypes.LastRunErrorStatusCodeNone {
				t.Fatalf("the job could not read every object")
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	scan := time.Since(start)
	for _, line := range []string{
		fmt.Sprintf("plain GET (1 client)   %.0f MiB in %s: %.1f MiB/s", mib, get.Round(time.Millisecond), mib/get.Seconds()),
		fmt.Sprintf("discovery job (ALL)    %.0f MiB in %s: %.1f MiB/s (%.0f%% of the GET rate)", mib, scan.Round(time.Millisecond), mib/scan.Seconds(), 100*get.Seconds()/scan.Seconds()),
	} {
		t.Log(line)
		fmt.Println(line)
	}
}
