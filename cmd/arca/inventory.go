package main

import (
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const inventoryUsage = `Usage: arca inventory <verb> [flags]

S3 Inventory reports on a running server (docs/INVENTORY.md). Credentials, region and
profile come from the standard AWS environment and configuration, as for the aws CLI.

Verbs:
  run       write a configuration's report now and print where it went
  summary   per bucket, objects and bytes by encryption status and by KMS key, read from
            the newest report of each configuration (--run to write one first)

Run 'arca inventory <verb> --help' for a verb's flags.
`

const inventoryRunUsage = `Usage: arca inventory run --endpoint URL --bucket B --id ID [flags]

Writes the report of bucket B's inventory configuration ID now (Arca's
POST /B?inventory&id=ID; the caller needs s3:PutInventoryConfiguration on the bucket) and
prints where its manifest went. Exits non-zero with the server's error otherwise.

Example:
  arca inventory run --endpoint http://127.0.0.1:9000 --bucket photos --id weekly

Flags:
`

func runInventory(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, inventoryUsage)
		return &usageError{msg: "arca inventory needs a verb", hint: "run 'arca inventory --help'"}
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, inventoryUsage)
		return nil
	case "run":
		return runInventoryRun(args[1:], stdout)
	case "summary":
		return runInventorySummary(args[1:], stdout, stderr)
	}
	return &usageError{msg: fmt.Sprintf("unknown inventory verb %q", args[0]), hint: "run 'arca inventory --help' to see the verbs"}
}

// inventoryRunResult is the answer of RunBucketInventoryConfiguration.
type inventoryRunResult struct {
	ID                string `xml:"Id"`
	Bucket            string `xml:"Bucket"`
	DestinationBucket string `xml:"DestinationBucket"`
	ManifestKey       string `xml:"ManifestKey"`
	CreationTimestamp string `xml:"CreationTimestamp"`
	Files             int    `xml:"Files"`
	Rows              int64  `xml:"Rows"`
	Objects           int64  `xml:"Objects"`
	Bytes             int64  `xml:"Bytes"`
}

func runInventoryRun(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("inventory run", flag.ContinueOnError)
	var conn connFlags
	registerEndpoint(fs, &conn)
	bucket := fs.String("bucket", "", "the source `bucket`")
	id := fs.String("id", "", "the inventory configuration's `id`")
	if err := parseFlags(fs, args, inventoryRunUsage, stdout); err != nil {
		return err
	}
	if *bucket == "" || *id == "" {
		return &usageError{msg: "arca inventory run needs --bucket and --id", hint: "name the bucket and its inventory configuration"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Hour)
	defer cancel()
	cfg, err := conn.awsConfig(ctx, nil)
	if err != nil {
		return err
	}
	res, err := inventoryRunCall(ctx, cfg, conn.endpoint, *bucket, *id)
	if err != nil {
		return err
	}
	dest := strings.TrimPrefix(res.DestinationBucket, "arn:aws:s3:::")
	fmt.Fprintf(stdout, "arca: inventory %s of %s: %d objects (%d rows, %d bytes) in %d files; manifest s3://%s/%s\n",
		res.ID, res.Bucket, res.Objects, res.Rows, res.Bytes, res.Files, dest, res.ManifestKey)
	return nil
}

// inventoryRunCall signs and sends POST /bucket?inventory&id=ID with SigV4 and reads the
// answer, or the S3 error's code and message.
func inventoryRunCall(ctx context.Context, cfg aws.Config, endpoint, bucket, id string) (*inventoryRunResult, error) {
	data, err := signedCall{verb: "arca inventory", method: http.MethodPost, service: "s3",
		path: "/" + url.PathEscape(bucket) + "?id=" + url.QueryEscape(id) + "&inventory="}.do(ctx, cfg, endpoint)
	if err != nil {
		return nil, err
	}
	var out inventoryRunResult
	if err := xml.Unmarshal(data, &out); err != nil || out.ManifestKey == "" {
		return nil, fmt.Errorf("the server's answer is not RunInventoryConfiguration's: %s", data)
	}
	return &out, nil
}
