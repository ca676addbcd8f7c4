// Package bench is the engine behind `arca bench`: a closed-loop load
// generator for any S3 endpoint (Arca, MinIO, AWS S3).
//
// Run creates the bucket if needed, uploads the objects that GET
// benchmarks read, drives PutObject/GetObject from Concurrency workers for
// Duration, and reports operations per second, MiB/s and latency
// percentiles; then it deletes what it wrote. RegisterFlags wires all of
// that to a flag.FlagSet.
//
// The client is built to stay cheap, because on a small machine it shares
// the CPU with the server it measures: one random payload buffer is reused
// for every PUT, GET bodies are read into a per-worker buffer and dropped,
// PUT bodies are sent as UNSIGNED-PAYLOAD instead of being SHA-256 hashed
// for SigV4 (see unsignedPayload), CRC checksums are off unless asked for,
// and connections are kept alive. Retries are disabled so that every
// failure is counted.
//
// The timing loop (runLoad) only knows an operation as a
// func(ctx, worker, i) (bytes, error), so other kinds of load, such as a
// KMS GenerateDataKey/Decrypt mode, plug in as another Op.
package bench

import (
	"context"
	"fmt"
)

// Run executes one benchmark as described by o (see Options for defaults)
// and returns what it measured. Errors of individual operations during the
// timed phase are counted in the Result, not returned; Run fails only if the
// options are invalid or the setup (client, bucket, pre-populating objects)
// fails. If ctx is cancelled during the timed phase, Run stops, cleans up
// (with a fresh two-minute budget), and returns the partial Result with
// Interrupted set.
func Run(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	b, err := newS3Bench(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := b.ensureBucket(ctx); err != nil {
		return nil, err
	}
	if len(b.getKeys) > 0 {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "uploading %d objects of %s to read\n", len(b.getKeys), FormatSize(o.Size))
		}
		if err := b.prepopulate(ctx); err != nil {
			if o.Cleanup {
				cctx, cancel := cleanupContext(ctx)
				b.cleanup(cctx)
				cancel()
			}
			return nil, err
		}
	}
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "%s %s objects, concurrency %d, for %s: s3://%s/%s\n",
			o.Op, FormatSize(o.Size), o.Concurrency, o.Duration, o.Bucket, o.Prefix)
	}
	st := runLoad(ctx, loadConfig{Concurrency: o.Concurrency, Duration: o.Duration, Progress: o.Progress}, b.op())
	res := newResult(&o, st)
	if o.Cleanup {
		cctx, cancel := cleanupContext(ctx)
		res.CleanupError = b.cleanup(cctx)
		cancel()
	}
	return res, nil
}

// cleanupContext outlives a cancelled run context, so an interrupted run
// still deletes its objects, but not forever.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}
