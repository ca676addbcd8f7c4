package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options says how to copy.
type Options struct {
	// SrcPrefix is cut from each source key and DstPrefix put in its place.
	SrcPrefix, DstPrefix string
	// Versions copies every version and delete marker, oldest first (both sides versioned).
	Versions bool
	// Concurrency is the number of objects copied at once (default 8).
	Concurrency int
	// PartSize is the multipart part size and the largest object sent in one PUT (default
	// 8 MiB, at least 5 MiB). Memory is at most 2 x Concurrency x PartSize: a buffer per
	// object being copied, and as many again for parts of large objects uploaded while
	// their next part is read.
	PartSize int64
	// Attempts is how many times an object is tried before it is reported failed (default 3).
	Attempts int
	// DryRun lists and checks the journal and the destination but copies nothing.
	DryRun bool
	// CheckETag compares the MD5 of the bytes read with a source ETag that is a plain MD5
	// (default on; off for sources whose ETags are not MD5s though they look it).
	CheckETag bool
	// OnFailure, if set, is called for each failed object (from several goroutines).
	OnFailure func(Failure)
	// OnPlan, if set, is called in a dry run for each object that would be copied.
	OnPlan func(o Object, destKey string)
}

// Failure is an object that was not copied.
type Failure struct {
	Key, VersionID string
	Err            error
}

// Progress is updated as the run goes; read it with its Snapshot while Run runs.
type Progress struct {
	listed, listedBytes, copied, skipped, failed, bytes atomic.Int64
	listingDone                                         atomic.Bool
}

// Counts is a snapshot of Progress.
type Counts struct {
	Listed, ListedBytes, Copied, Skipped, Failed, Bytes int64
	ListingDone                                         bool
}

// Snapshot reads the counters.
func (p *Progress) Snapshot() Counts {
	return Counts{Listed: p.listed.Load(), ListedBytes: p.listedBytes.Load(), Copied: p.copied.Load(),
		Skipped: p.skipped.Load(), Failed: p.failed.Load(), Bytes: p.bytes.Load(), ListingDone: p.listingDone.Load()}
}

// Report is the outcome of a run.
type Report struct {
	Counts
	Elapsed time.Duration
}

// String is the final line: "N copied, M skipped, K failed (X bytes in Ys, Z MiB/s)".
func (r Report) String() string {
	secs := r.Elapsed.Seconds()
	rate := float64(r.Bytes) / (1 << 20) / max(secs, 1e-3)
	return fmt.Sprintf("%d copied, %d skipped, %d failed (%d bytes in %.1fs, %.1f MiB/s)",
		r.Copied, r.Skipped, r.Failed, r.Bytes, secs, rate)
}

// MinPartSize is S3's smallest part but the last.
const MinPartSize = 5 << 20

// Run copies everything src lists into dst. It returns an error only when the run could
// not go on (the listing failed, the journal could not be written, ctx ended); objects that
// fail are counted, passed to OnFailure, and the run goes on.
func Run(ctx context.Context, src Source, dst Dest, j *Journal, o Options, p *Progress) (Report, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.PartSize == 0 {
		o.PartSize = 8 << 20
	}
	if o.PartSize < MinPartSize {
		return Report{}, fmt.Errorf("part size %d is below S3's minimum of 5 MiB", o.PartSize)
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if p == nil {
		p = new(Progress)
	}
	begin := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c := &copier{src: src, dst: dst, j: j, o: o, p: p, pool: sync.Pool{New: func() any { return new([]byte) }},
		spare: make(chan struct{}, o.Concurrency)}
	tasks := make(chan []Object, o.Concurrency)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				if err := c.key(ctx, t); err != nil {
					cancel(err)
				}
			}
		}()
	}
	werr := src.Walk(ctx, o.Versions, func(objs []Object) error {
		for _, ob := range objs {
			p.listed.Add(1)
			p.listedBytes.Add(ob.Size)
		}
		select {
		case tasks <- objs:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	p.listingDone.Store(true)
	close(tasks)
	wg.Wait()
	rep := Report{Counts: p.Snapshot(), Elapsed: time.Since(begin)}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return rep, err
	}
	if werr != nil {
		return rep, fmt.Errorf("listing %s: %w", src.Name(), werr)
	}
	return rep, ctx.Err()
}

// destKey maps a source key into the destination.
func (o *Options) destKey(key string) string {
	return o.DstPrefix + strings.TrimPrefix(key, o.SrcPrefix)
}
