package main

import (
	"context"
	"flag"
	"io"
	"os"
	"os/signal"

	"github.com/arcastore/arca/internal/bench"
)

const benchUsage = `Usage: arca bench [flags]

Load-tests an S3 endpoint (Arca, MinIO or AWS) with PUT, GET or a mix, at a fixed object
size and concurrency for a fixed time, and prints MiB/s, ops/s and p50/p90/p99 latency.
Credentials default to the standard AWS environment and profile. 'arca bench kms' load-tests
a KMS endpoint instead (see 'arca bench kms --help').

Flags:
`

func runBench(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "kms" {
		return runBenchKMS(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	get := bench.RegisterFlags(fs)
	if err := parseFlags(fs, args, benchUsage, stdout); err != nil {
		return err
	}
	opts, asJSON, err := get()
	if err != nil {
		return &usageError{msg: err.Error(), hint: "run 'arca bench --help' to see the flags"}
	}
	if !asJSON {
		opts.Progress = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	if asJSON {
		return res.WriteJSON(stdout)
	}
	return res.WriteText(stdout)
}
