package e2e

// The blast radius figure: time of `arca kms blast-radius` (one full metadata scan) over N
// object versions under one key, among as many under another key (docs/BLAST-RADIUS.md).

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestBlastRadiusFigure: ARCA_BLAST_FIGURE=N writes N small SSE-KMS objects under the
// measured key and N under another (so the scan reads 2N versions), then times the
// command three times and logs each run.
func TestBlastRadiusFigure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ARCA_BLAST_FIGURE"))
	if n <= 0 {
		t.Skip("set ARCA_BLAST_FIGURE=N (objects under the key) to measure")
	}
	srv := StartServer(t)
	kc := sseKMS(t, srv)
	c := sdk(t, srv, srv.HTTPURL)
	keyID, _ := sseCreateKey(t, kc, "figure")
	otherID, _ := sseCreateKey(t, kc, "figure-other")
	mustCreateBucket(t, c, "fig-a")
	mustCreateBucket(t, c, "fig-b")
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, 1)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				bucket, key := "fig-a", keyID
				if i%2 == 1 {
					bucket, key = "fig-b", otherID
				}
				_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("o%08d", i)),
					Body: bytes.NewReader([]byte("x")), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(key),
					BucketKeyEnabled: aws.Bool(true)})
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := 0; i < 2*n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	t.Logf("wrote %d objects in %v", 2*n, time.Since(start).Round(time.Millisecond))
	for run := 0; run < 3; run++ {
		t0 := time.Now()
		r := blastRadiusJSON(t, srv, keyID)
		d := time.Since(t0)
		if r.Objects != int64(n) {
			t.Fatalf("Objects %d, want %d", r.Objects, n)
		}
		t.Logf("blast radius over %d versions (%d under the key): %v (%.0f versions/s)", 2*n, n, d.Round(time.Millisecond), float64(2*n)/d.Seconds())
	}
}
