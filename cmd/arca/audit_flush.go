package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

const auditFlushUsage = `Usage: arca audit flush --endpoint URL [flags]

Makes a running server deliver every trail's pending records now and, for trails with log
file validation, write a signed digest now, instead of waiting for the delivery and digest
intervals (docs/AUDIT.md). Credentials, region and profile come from the standard AWS
environment and configuration, as for the aws CLI; the caller needs cloudtrail:FlushTrail
(the root always has it).

Example:
  arca audit flush --endpoint http://127.0.0.1:9000 --trail my-trail
  aws cloudtrail validate-logs --trail-arn arn:aws:cloudtrail:us-east-1:…:trail/my-trail \
      --start-time 2025-01-01T00:00:00Z --endpoint-url http://127.0.0.1:9000

Flags:
`

// flushTarget is the X-Amz-Target of Arca's FlushTrail extension.
const flushTarget = "ArcaCloudTrail.FlushTrail"

type flushTrailOut struct {
	Trails []struct {
		Name              string
		S3BucketName      string
		LogFilesDelivered int
		RecordsDelivered  int
		DigestS3Object    string
		DeliveryError     string
	}
}

func runAuditFlush(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit flush", flag.ContinueOnError)
	var conn connFlags
	registerEndpoint(fs, &conn)
	trail := fs.String("trail", "", "flush only this trail (name or ARN; default: every trail)")
	if err := parseFlags(fs, args, auditFlushUsage, stdout); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg, err := conn.awsConfig(ctx, nil)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(struct {
		Name string `json:",omitempty"`
	}{*trail})
	data, err := signedCall{verb: "arca audit flush", method: http.MethodPost, path: "/", body: body, service: "cloudtrail",
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": flushTarget}}.do(ctx, cfg, conn.endpoint)
	if err != nil {
		return err
	}
	var out flushTrailOut
	if err := json.Unmarshal(data, &out); err != nil {
		return fmt.Errorf("the server's answer is not FlushTrail's: %w", err)
	}
	failed := 0
	for _, t := range out.Trails {
		switch {
		case t.DeliveryError != "":
			failed++
			fmt.Fprintf(stdout, "arca: trail %s: delivery failed: %s\n", t.Name, t.DeliveryError)
		case t.S3BucketName == "":
			fmt.Fprintf(stdout, "arca: trail %s: records committed (it has no bucket)\n", t.Name)
		default:
			fmt.Fprintf(stdout, "arca: trail %s: %d records in %d log files delivered to s3://%s", t.Name, t.RecordsDelivered, t.LogFilesDelivered, t.S3BucketName)
			if t.DigestS3Object != "" {
				fmt.Fprintf(stdout, "; digest s3://%s/%s", t.S3BucketName, t.DigestS3Object)
			}
			fmt.Fprintln(stdout)
		}
	}
	if len(out.Trails) == 0 {
		fmt.Fprintln(stdout, "arca: records committed; no trail has a bucket to deliver to")
	}
	if failed > 0 {
		return errors.New("delivery failed for some trails; the server retries at the next interval (see GetTrailStatus)")
	}
	return nil
}
