package main

import (
	"context"
	"flag"
	"io"
	"os"
	"os/signal"

	"github.com/arcastore/arca/internal/bench"
)

const benchKMSUsage = `Usage: arca bench kms [flags]

Load-tests a KMS endpoint (Arca's built-in KMS or AWS KMS) with GenerateDataKey or Decrypt
through aws-sdk-go-v2's KMS client, every request SigV4-signed, at a fixed concurrency for a
fixed time, and prints ops/s and p50/p90/p99 latency. Without --key-id a key is created for
the run and scheduled for deletion (7 days) afterwards.

Example:
  arca bench kms --endpoint http://127.0.0.1:9000 --op generate-data-key --concurrency 16 --duration 20s

Flags:
`

func runBenchKMS(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench kms", flag.ContinueOnError)
	get := bench.RegisterKMSFlags(fs)
	if err := parseFlags(fs, args, benchKMSUsage, stdout); err != nil {
		return err
	}
	opts, asJSON, err := get()
	if err != nil {
		return &usageError{msg: err.Error(), hint: "run 'arca bench kms --help' to see the flags"}
	}
	if !asJSON {
		opts.Progress = stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := bench.RunKMS(ctx, opts)
	if err != nil {
		return err
	}
	if asJSON {
		return res.WriteJSON(stdout)
	}
	return res.WriteText(stdout)
}
