package invreport

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// peakRSS is the process's peak resident set (VmHWM) in KiB; resetPeak restarts it
// (Linux: clear_refs 5).
func peakRSS() int64 {
	raw, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// sampleHeap records the largest live Go heap until stop is called.
func sampleHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }, peak
}

func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// TestReportScale is the figure of issue 17: a report of N objects (ARCA_INVENTORY_SCALE,
// default 20,000 so that CI runs it quickly), records written straight into the metadata
// store (no object data), with the time and the peak RSS of the report alone.
func TestReportScale(t *testing.T) {
	n := 20000
	if v := os.Getenv("ARCA_INVENTORY_SCALE"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t)
	e.bucket(t, "reports", "")
	c := config("scale", inventory.FormatCSV, inventory.VersionsCurrent)
	c.OptionalFields = []string{"Size", "LastModifiedDate", "ETag", "EncryptionStatus", "BucketKeyStatus", FieldKMSKeyArn}
	pq := c
	pq.ID, pq.Destination.Format = "scale-parquet", inventory.FormatParquet
	e.bucket(t, "big", "", c, pq)
	ctx := context.Background()
	start := time.Now()
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += writers {
				o := meta.Object{Key: fmt.Sprintf("k/%09d", i), Size: int64(i % 4096), ETag: "0123456789abcdef0123456789abcdef",
					LastModified: e.now, Enc: &meta.Encryption{Mode: sse.ModeS3, MasterVersion: 1}}
				if i%3 == 0 {
					o.Enc = &meta.Encryption{Mode: sse.ModeKMS, KMSKeyARN: "arn:aws:kms:us-east-1:111122223333:key/k" + strconv.Itoa(i%5), BucketKey: i%2 == 0}
				}
				if _, err := e.meta.PutObject(ctx, "big", o, nil); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records written in %v", n, time.Since(start).Round(time.Millisecond))
	for _, id := range []string{"scale", "scale-parquet"} {
		resetPeak()
		runtime.GC()
		stop, heap := sampleHeap()
		start = time.Now()
		res, err := e.svc.Run(ctx, "big", id)
		stop()
		if err != nil {
			t.Fatal(err)
		}
		d := time.Since(start)
		var size int64
		for _, f := range res.Files {
			size += f.Size
		}
		t.Logf("%s report of %d objects: %v (%.0f objects/s), %d files, %d bytes; peak RSS during the report %d MiB (with the metadata file's mapped pages), peak Go heap %d MiB",
			id, res.Rows, d.Round(time.Millisecond), float64(res.Rows)/d.Seconds(), len(res.Files), size, peakRSS()>>10, *heap>>20)
		if res.Rows != int64(n) {
			t.Errorf("%d rows, want %d", res.Rows, n)
		}
	}
}
