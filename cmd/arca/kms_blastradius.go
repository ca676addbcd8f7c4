package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const kmsBlastRadiusUsage = `Usage: arca kms blast-radius KEY --endpoint URL [--json]

Prints what depends on the KMS key KEY (key id, key ARN, alias name or alias ARN) of the
caller's account: the object versions encrypted under it (SSE-KMS, with or without a bucket
key; every version, not only current ones) with their bytes per bucket, in-progress multipart
uploads, buckets whose default encryption names it, trails, inventory configurations and
server access logs that encrypt under it, and the key's state. The caller needs
kms:DescribeKey on the key. --json prints the server's answer as one JSON object
(docs/BLAST-RADIUS.md).

Example:
  arca kms blast-radius alias/payments --endpoint http://127.0.0.1:9000

Flags:
`

// blastRadiusTarget is the X-Amz-Target of Arca's KMS extension.
const blastRadiusTarget = "TrentService.ArcaGetKeyBlastRadius"

// blastRadius is ArcaGetKeyBlastRadius's answer.
type blastRadius struct {
	KeyId, KeyArn, KeyState string
	DeletionDate            float64 `json:",omitempty"`
	Objects, Bytes          int64
	Buckets                 []struct {
		Name             string
		Owner            string `json:",omitempty"`
		Objects, Bytes   int64
		BucketKeyObjects int64
	}
	Uploads           int64
	DefaultEncryption []struct {
		Bucket    string
		BucketKey bool
	}
	Trails          []struct{ Name, TrailARN, Bucket string }
	Inventories     []struct{ Bucket, Id, DestinationBucket, Via string }
	AccessLogs      []struct{ SourceBucket, TargetBucket string }
	DamagedRecords  int64 `json:",omitempty"`
	ScannedVersions int64
}

func runKMSBlastRadius(args []string, stdout io.Writer) error {
	newFlags := func() (*flag.FlagSet, *connFlags, *bool) {
		fs := flag.NewFlagSet("kms blast-radius", flag.ContinueOnError)
		var conn connFlags
		registerEndpoint(fs, &conn)
		return fs, &conn, fs.Bool("json", false, "print the answer as one JSON object")
	}
	fs, conn, asJSON := newFlags()
	// KEY comes first or last: last when everything before it parses as flags.
	var key string
	if n := len(args); n > 0 && !strings.HasPrefix(args[0], "-") {
		key, args = args[0], args[1:]
	} else if n > 0 && !strings.HasPrefix(args[n-1], "-") {
		probe, _, _ := newFlags()
		probe.SetOutput(io.Discard)
		if probe.Parse(args[:n-1]) == nil && probe.NArg() == 0 {
			key, args = args[n-1], args[:n-1]
		}
	}
	if err := parseFlags(fs, args, kmsBlastRadiusUsage, stdout); err != nil {
		return err
	}
	if key == "" {
		return &usageError{msg: "arca kms blast-radius needs one KEY", hint: "give a key id, key ARN or alias name, e.g. alias/payments"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cfg, err := conn.awsConfig(ctx, nil)
	if err != nil {
		return err
	}
	data, err := callBlastRadius(ctx, cfg, conn.endpoint, key)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err = fmt.Fprintf(stdout, "%s\n", data)
		return err
	}
	var r blastRadius
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("the server's answer is not ArcaGetKeyBlastRadius's: %w", err)
	}
	return printBlastRadius(stdout, &r)
}

// callBlastRadius asks the server for key's blast radius and returns its JSON answer.
func callBlastRadius(ctx context.Context, cfg aws.Config, endpoint, key string) ([]byte, error) {
	body, _ := json.Marshal(struct{ KeyId string }{key})
	return signedCall{verb: "arca kms blast-radius", method: http.MethodPost, path: "/", body: body, service: "kms",
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": blastRadiusTarget}}.do(ctx, cfg, endpoint)
}

// printBlastRadius prints r as a table.
func printBlastRadius(w io.Writer, r *blastRadius) error {
	fmt.Fprintf(w, "Key %s (%s)\n", r.KeyArn, r.KeyState)
	if r.DeletionDate != 0 {
		fmt.Fprintf(w, "Deletion date: %s\n", time.Unix(int64(r.DeletionDate), 0).UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(w, "Protects %d object versions, %d bytes, in %d buckets; %d in-progress multipart uploads\n",
		r.Objects, r.Bytes, len(r.Buckets), r.Uploads)
	if r.DamagedRecords > 0 {
		fmt.Fprintf(w, "Warning: %d damaged records could not be read; counts may be low\n", r.DamagedRecords)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if len(r.Buckets) > 0 {
		fmt.Fprintln(tw, "\nBUCKET\tOBJECTS\tBYTES\tBUCKET-KEY OBJECTS")
		for _, b := range r.Buckets {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", b.Name, b.Objects, b.Bytes, b.BucketKeyObjects)
		}
	}
	if len(r.DefaultEncryption) > 0 {
		fmt.Fprintln(tw, "\nDEFAULT ENCRYPTION OF BUCKET\tBUCKET KEY")
		for _, d := range r.DefaultEncryption {
			fmt.Fprintf(tw, "%s\t%v\n", d.Bucket, d.BucketKey)
		}
	}
	if len(r.Trails) > 0 {
		fmt.Fprintln(tw, "\nTRAIL\tBUCKET\tARN")
		for _, t := range r.Trails {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.Bucket, t.TrailARN)
		}
	}
	if len(r.Inventories) > 0 {
		fmt.Fprintln(tw, "\nINVENTORY OF BUCKET\tID\tDESTINATION\tVIA")
		for _, c := range r.Inventories {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Bucket, c.Id, c.DestinationBucket, c.Via)
		}
	}
	if len(r.AccessLogs) > 0 {
		fmt.Fprintln(tw, "\nACCESS LOGS OF BUCKET\tTARGET BUCKET")
		for _, l := range r.AccessLogs {
			fmt.Fprintf(tw, "%s\t%s\n", l.SourceBucket, l.TargetBucket)
		}
	}
	return tw.Flush()
}
