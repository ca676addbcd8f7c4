package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testOptions(endpoint string) Options {
	o := DefaultOptions()
	o.Endpoint = endpoint
	o.AccessKey, o.SecretKey = "AKIDBENCHTEST", "benchsecret"
	o.Bucket = "bench-test"
	o.Concurrency = 2
	o.Size = 10_000 // deliberately not a power of two
	o.Objects = 8
	return o
}

func checkCounts(t *testing.T, r *Result, size int64) {
	t.Helper()
	if r.Ops == 0 {
		t.Fatalf("no operations completed: %+v", r)
	}
	if r.Errors != 0 {
		t.Fatalf("%d errors, first: %s", r.Errors, r.FirstError)
	}
	if r.Bytes != r.Ops*size {
		t.Errorf("bytes = %d, want ops*size = %d", r.Bytes, r.Ops*size)
	}
	if r.OpsPerSec <= 0 || r.MiBPerSec <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Max < r.P99 {
		t.Errorf("implausible rates or latencies: %+v", r)
	}
}

func TestRunMixedSSEKMSAndCleanup(t *testing.T) {
	f := newFakeS3()
	srv := httptest.NewServer(f)
	defer srv.Close()

	o := testOptions(srv.URL)
	o.Op = OpMixed
	o.Duration = time.Second
	o.SSE, o.KMSKeyID, o.BucketKey = "aws:kms", "bench-key", true
	var progress bytes.Buffer
	o.Progress = &progress

	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, r, o.Size)
	if r.Op != OpMixed || r.Concurrency != 2 || r.Size != o.Size || r.Interrupted {
		t.Errorf("result header wrong: %+v", r)
	}
	if d := r.Duration; d < 900*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("duration = %s, want about 1s", d)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gets == 0 || f.puts <= o.Objects {
		t.Errorf("mixed run did %d GETs and %d PUTs (%d of them pre-population)", f.gets, f.puts, o.Objects)
	}
	if len(f.badPuts) > 0 {
		t.Errorf("bad PUT bodies: %v", f.badPuts)
	}
	for _, h := range f.putHeaders {
		if h.Get("X-Amz-Server-Side-Encryption") != "aws:kms" ||
			h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id") != "bench-key" ||
			h.Get("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled") != "true" {
			t.Fatalf("PUT without the SSE-KMS headers: %v", h)
		}
		if got := h.Get("X-Amz-Content-Sha256"); got != "UNSIGNED-PAYLOAD" {
			t.Fatalf("PUT over http signed its payload as %q, want UNSIGNED-PAYLOAD", got)
		}
		for k := range h {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
				t.Fatalf("PUT carries %s although checksums are off", k)
			}
		}
	}
	if len(f.objects) != 0 {
		t.Errorf("cleanup left %d objects behind", len(f.objects))
	}
	if r.CleanupError != "" {
		t.Errorf("cleanup error: %s", r.CleanupError)
	}
	p := progress.String()
	if !strings.Contains(p, "\r") || !strings.Contains(p, "MiB/s") || !strings.HasSuffix(p, "\n") {
		t.Errorf("progress output looks wrong: %q", p)
	}
}

func TestRunGetSSECOverTLS(t *testing.T) {
	f := newFakeS3()
	srv := httptest.NewTLSServer(f)
	defer srv.Close()

	o := testOptions(srv.URL)
	o.Op = OpGet
	o.Insecure = true // httptest's certificate is self-signed
	o.Duration = 700 * time.Millisecond
	o.SSECKey = bytes.Repeat([]byte{7}, 32)
	o.Cleanup = false

	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	// The stand-in refuses GETs without the SSE-C key the object was
	// written with, and the client fails GETs of the wrong length, so
	// zero errors means every GET sent SSE-C and read Size bytes.
	checkCounts(t, r, o.Size)
	f.mu.Lock()
	defer f.mu.Unlock()
	if int64(f.gets) < r.Ops {
		t.Errorf("server saw %d GETs, result counts %d", f.gets, r.Ops)
	}
	if f.puts != o.Objects || len(f.objects) != o.Objects {
		t.Errorf("want exactly %d pre-populated objects left (no cleanup), got %d PUTs, %d objects", o.Objects, f.puts, len(f.objects))
	}
	for _, h := range f.putHeaders {
		if h.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "AES256" || h.Get("X-Amz-Server-Side-Encryption-Customer-Key-Md5") == "" {
			t.Fatalf("PUT without SSE-C headers: %v", h)
		}
	}
}

func TestRunPutWithChecksums(t *testing.T) {
	f := newFakeS3()
	srv := httptest.NewServer(f)
	defer srv.Close()

	o := testOptions(srv.URL)
	o.Duration = 300 * time.Millisecond
	o.Checksum = true
	o.SSE = "AES256"
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	checkCounts(t, r, o.Size)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.putHeaders {
		if h.Get("X-Amz-Server-Side-Encryption") != "AES256" {
			t.Fatalf("PUT without SSE-S3 header: %v", h)
		}
		if h.Get("X-Amz-Checksum-Crc32") == "" {
			t.Fatalf("PUT without a CRC32 although --checksum is on: %v", h)
		}
		if got := h.Get("X-Amz-Content-Sha256"); got != "UNSIGNED-PAYLOAD" {
			t.Fatalf("PUT payload signed as %q, want UNSIGNED-PAYLOAD", got)
		}
	}
	if len(f.objects) != 0 {
		t.Errorf("cleanup left %d objects behind", len(f.objects))
	}
}

func TestRunCancelled(t *testing.T) {
	f := newFakeS3()
	srv := httptest.NewServer(f)
	defer srv.Close()

	o := testOptions(srv.URL)
	o.Duration = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	r, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("Run took %s after cancellation", time.Since(start))
	}
	if !r.Interrupted || r.Duration > time.Second {
		t.Errorf("want an interrupted run of about 300ms, got %+v", r)
	}
	if n := f.objectCount(); n != 0 {
		t.Errorf("cleanup after cancellation left %d objects", n)
	}
}

func TestRunSetupFailure(t *testing.T) {
	srv := httptest.NewServer(newFakeS3())
	url := srv.URL
	srv.Close() // nothing listens there any more
	o := testOptions(url)
	o.Duration = time.Second
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "bench-test") {
		t.Fatalf("want a bucket error naming the bucket, got %v", err)
	}
	o.Size = 0
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "--size") {
		t.Fatalf("want a size error, got %v", err)
	}
}

func TestRunLoadCountsErrors(t *testing.T) {
	var calls atomic.Int64
	op := func(ctx context.Context, worker int, i int64) (int64, error) {
		if worker < 0 || worker > 2 {
			t.Errorf("worker %d out of range", worker)
		}
		time.Sleep(time.Millisecond)
		if calls.Add(1)%3 == 0 {
			return 0, errors.New("boom")
		}
		return 100, nil
	}
	st := runLoad(context.Background(), loadConfig{Concurrency: 3, Duration: 200 * time.Millisecond}, op)
	if st.Ops == 0 || st.Errors == 0 || st.FirstError != "boom" {
		t.Fatalf("ops %d errors %d first %q", st.Ops, st.Errors, st.FirstError)
	}
	if st.Bytes != 100*st.Ops || int64(st.Hist.total) != st.Ops {
		t.Errorf("bytes %d, histogram %d, ops %d", st.Bytes, st.Hist.total, st.Ops)
	}
	if st.Ops+st.Errors > calls.Load() || st.Interrupted {
		t.Errorf("counted %d of %d calls, interrupted %v", st.Ops+st.Errors, calls.Load(), st.Interrupted)
	}
}
