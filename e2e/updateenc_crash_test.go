package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestUpdateObjectEncryptionCrash: workers rewrap objects back and forth between two KMS
// keys (with and without a bucket key) while the server is killed with SIGKILL. After the
// restart every object reads back its exact bytes with its ETag and checksum, and HEAD
// shows either the last acknowledged wrapping or the one in flight at the kill; a rewrap
// still works on each; arca admin check finds nothing wrong.
func TestUpdateObjectEncryptionCrash(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	dir := srv.DataDir
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	kc := sseKMS(t, srv)
	_, key1 := sseCreateKey(t, kc, "ue crash one")
	_, key2 := sseCreateKey(t, kc, "ue crash two")
	const bucket = "ue-crash"
	mustCreateBucket(t, c, bucket)

	const objects, workers = 24, 4
	type obj struct {
		key, etag, checksum string
		body                []byte
	}
	objs := make([]obj, objects)
	for i := range objs {
		o := obj{key: fmt.Sprintf("o/%02d", i), body: sseBody(1000+i*997, int64(i), sseMarker("ue-crash"))}
		p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.key), Body: bytes.NewReader(o.body),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		if err != nil {
			t.Fatal(err)
		}
		o.etag, o.checksum = aws.ToString(p.ETag), aws.ToString(p.ChecksumCRC32C)
		objs[i] = o
	}

	// The wrappings a worker cycles through.
	targets := []ueSSE{{"aws:kms", key1, false}, {"aws:kms", key2, true}, {"aws:kms", key1, true}, {"aws:kms", key2, false}}
	var mu sync.Mutex
	acked := make([]ueSSE, objects)     // the last acknowledged wrapping ("" SSE: none yet)
	inflight := make([]*ueSSE, objects) // the wrapping sent and not yet answered
	for i := range acked {
		acked[i] = ueSSE{SSE: "AES256"}
	}
	ackedCalls := make(chan struct{}, 1<<16)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				i := w + workers*(n%(objects/workers)) // each worker owns its objects: one call in flight per object
				tg := targets[(n+w)%len(targets)]
				mu.Lock()
				inflight[i] = &tg
				mu.Unlock()
				err := ueUpdate(c, bucket, objs[i].key, "", tg.KeyID, tg.BucketKey)
				mu.Lock()
				if err == nil {
					acked[i], inflight[i] = tg, nil
				}
				mu.Unlock()
				if err != nil {
					select {
					case <-stop:
						return // the kill cut it
					default:
						t.Errorf("UpdateObjectEncryption %s before the kill: %v", objs[i].key, err)
						return
					}
				}
				ackedCalls <- struct{}{}
			}
		}()
	}
	for range 150 { // let enough rewraps complete, then kill mid-stream
		<-ackedCalls
	}
	close(stop)
	srv.Kill()
	wg.Wait()

	cut := 0
	for _, f := range inflight {
		if f != nil {
			cut++
		}
	}
	t.Logf("killed with %d rewraps in flight", cut)
	srv = StartServerAt(t, dir)
	c = sdk(t, srv, srv.HTTPURL, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	for i, o := range objs {
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Errorf("GET %s after the crash: %v", o.key, err)
			continue
		}
		got, err := io.ReadAll(g.Body)
		g.Body.Close()
		if err != nil {
			t.Errorf("GET %s after the crash: %v", o.key, err)
		}
		if !bytes.Equal(got, o.body) || aws.ToString(g.ETag) != o.etag || aws.ToString(g.ChecksumCRC32C) != o.checksum {
			t.Errorf("%s after the crash: %d bytes (equal %v), ETag %s (was %s), CRC32C %s (was %s)", o.key, len(got), bytes.Equal(got, o.body),
				aws.ToString(g.ETag), o.etag, aws.ToString(g.ChecksumCRC32C), o.checksum)
		}
		sse := ueSSE{SSE: string(g.ServerSideEncryption), KeyID: aws.ToString(g.SSEKMSKeyId), BucketKey: aws.ToBool(g.BucketKeyEnabled)}
		if sse != acked[i] && (inflight[i] == nil || sse != *inflight[i]) {
			t.Errorf("%s after the crash is wrapped as %+v: neither the acknowledged %+v nor the one in flight %+v", o.key, sse, acked[i], inflight[i])
		}
		if err := ueUpdate(c, bucket, o.key, "", key2, false); err != nil {
			t.Errorf("UpdateObjectEncryption %s after the crash: %v", o.key, err)
		}
	}
	srv.Stop()
	if out, err := exec.Command(arcaBin, "admin", "check", "--data", dir).CombinedOutput(); err != nil {
		t.Errorf("arca admin check after the crash: %v\n%s", err, out)
	}
}
