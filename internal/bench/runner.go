package bench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// opFunc performs one operation of a benchmark. worker is the index of the
// calling worker (0..concurrency-1) and i counts that worker's calls from 0,
// so (worker, i) is unique within a run. It returns the payload bytes moved
// by a successful operation. Every benchmark mode (S3 put/get/mixed today, a
// KMS GenerateDataKey/Decrypt mode later) is just an opFunc handed to
// runLoad.
type opFunc func(ctx context.Context, worker int, i int64) (bytes int64, err error)

// loadConfig says how hard and how long runLoad drives an opFunc.
type loadConfig struct {
	Concurrency int
	Duration    time.Duration
	Progress    io.Writer // nil: no progress line
}

// loadStats is what runLoad measured.
type loadStats struct {
	Elapsed     time.Duration // from start until the window closed
	Ops         int64         // successful operations completed in the window
	Errors      int64         // failed operations completed in the window
	Bytes       int64         // payload bytes of the successful operations
	Hist        histogram     // latency of the successful operations
	FirstError  string
	Interrupted bool // ctx was cancelled before Duration elapsed
}

// runLoad calls op from cfg.Concurrency goroutines in a closed loop until
// cfg.Duration has passed or ctx is cancelled. When the window closes, the
// context passed to op is cancelled, so in-flight requests are aborted; an
// operation that returns after that moment is not counted at all, whatever
// its outcome, so the rate covers only work completed inside the window.
func runLoad(ctx context.Context, cfg loadConfig, op opFunc) *loadStats {
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()

	var ops, errs, nbytes atomic.Int64
	var firstErr atomic.Pointer[string]
	hists := make([]histogram, cfg.Concurrency)

	start := time.Now()
	stopped := make(chan time.Time, 1)
	go func() {
		<-runCtx.Done()
		stopped <- time.Now()
	}()

	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Go(func() {
			h := &hists[w]
			for i := int64(0); runCtx.Err() == nil; i++ {
				t0 := time.Now()
				n, err := op(runCtx, w, i)
				d := time.Since(t0)
				if runCtx.Err() != nil {
					return // finished or aborted after the window closed
				}
				if err != nil {
					errs.Add(1)
					if firstErr.Load() == nil {
						msg := err.Error()
						firstErr.CompareAndSwap(nil, &msg)
					}
					continue
				}
				h.record(d)
				ops.Add(1)
				nbytes.Add(n)
			}
		})
	}

	var progressDone chan struct{}
	workersDone := make(chan struct{})
	if cfg.Progress != nil {
		progressDone = make(chan struct{})
		go func() {
			defer close(progressDone)
			showProgress(cfg.Progress, start, workersDone, &ops, &nbytes, &errs)
		}()
	}
	wg.Wait()
	close(workersDone)
	stopAt := <-stopped

	st := &loadStats{
		Elapsed:     stopAt.Sub(start),
		Ops:         ops.Load(),
		Errors:      errs.Load(),
		Bytes:       nbytes.Load(),
		Interrupted: ctx.Err() != nil,
	}
	if p := firstErr.Load(); p != nil {
		st.FirstError = *p
	}
	for i := range hists {
		st.Hist.merge(&hists[i])
	}
	if progressDone != nil {
		<-progressDone
		// Final line: averages over the whole window, then leave the line.
		secs := max(st.Elapsed.Seconds(), 1e-9)
		writeProgress(cfg.Progress, st.Elapsed, st.Ops, st.Errors,
			float64(st.Ops)/secs, float64(st.Bytes)/secs/(1<<20))
		fmt.Fprintln(cfg.Progress)
	}
	return st
}

// showProgress rewrites one status line about every second until done is
// closed. The op and error counts are totals; the rates are over the last
// interval, so slowdowns and stalls show up at once.
func showProgress(w io.Writer, start time.Time, done <-chan struct{}, ops, nbytes, errs *atomic.Int64) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := start
	var lastOps, lastBytes int64
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			o, b := ops.Load(), nbytes.Load()
			secs := now.Sub(last).Seconds()
			writeProgress(w, now.Sub(start), o, errs.Load(),
				float64(o-lastOps)/secs, float64(b-lastBytes)/secs/(1<<20))
			last, lastOps, lastBytes = now, o, b
		}
	}
}

// writeProgress (re)writes the status line: elapsed, total ops, ops/s,
// MiB/s and total errors. The trailing blanks wipe a longer previous line.
func writeProgress(w io.Writer, elapsed time.Duration, ops, errs int64, opsPerSec, mibPerSec float64) {
	fmt.Fprintf(w, "\r%6.1fs  %9d ops  %9.1f ops/s  %9.2f MiB/s  %d errors   ",
		elapsed.Seconds(), ops, opsPerSec, mibPerSec, errs)
}
