package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/arcastore/arca/internal/invreport"
)

const inventorySummaryUsage = `Usage: arca inventory summary --endpoint URL [--bucket B [--id ID]] [flags]

The compliance view: for each bucket, how many objects (every version a report lists,
without delete markers) and bytes there are by encryption status (SSE-S3, SSE-KMS, SSE-C,
NOT-SSE) and by KMS key. It reads the newest complete report (manifest.json whose
manifest.checksum matches) of each inventory configuration, from the destination bucket
with GetObject like any client, and checks every data file's MD5 against the manifest.
The configuration must list the optional fields Size, EncryptionStatus and KMSKeyArn.
Without --bucket, every bucket's configurations; without --id, each of the bucket's.
--run writes a report of each configuration first (arca inventory run).

Example:
  arca inventory summary --endpoint http://127.0.0.1:9000 --bucket photos --id compliance --run

Flags:
`

func runInventorySummary(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inventory summary", flag.ContinueOnError)
	var conn connFlags
	registerEndpoint(fs, &conn)
	bucket := fs.String("bucket", "", "only this source `bucket` (default: every bucket with inventory configurations)")
	id := fs.String("id", "", "only this inventory configuration `id` (needs --bucket)")
	asJSON := fs.Bool("json", false, "print a JSON array of summaries")
	run := fs.Bool("run", false, "write a report of each configuration first")
	if err := parseFlags(fs, args, inventorySummaryUsage, stdout); err != nil {
		return err
	}
	if *id != "" && *bucket == "" {
		return &usageError{msg: "--id needs --bucket", hint: "name the bucket the configuration belongs to"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Hour)
	defer cancel()
	cfg, err := conn.awsConfig(ctx, nil)
	if err != nil {
		return err
	}
	endpoint := conn.endpoint
	if endpoint == "" && cfg.BaseEndpoint != nil {
		endpoint = *cfg.BaseEndpoint
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = endpoint != "" })
	targets, err := inventoryTargets(ctx, client, *bucket, *id)
	if err != nil {
		return err
	}
	var out []*invreport.Summary
	failed := 0
	for _, t := range targets {
		if *run {
			if _, err := inventoryRunCall(ctx, cfg, endpoint, t.bucket, t.id); err != nil {
				return fmt.Errorf("running inventory %s of %s: %w", t.id, t.bucket, err)
			}
		}
		s, err := summarize(ctx, client, t)
		if err != nil {
			if *bucket != "" && *id != "" {
				return err
			}
			failed++
			fmt.Fprintf(stderr, "arca: inventory %s of %s: %v\n", t.id, t.bucket, err)
			continue
		}
		out = append(out, s)
	}
	if *asJSON {
		if out == nil {
			out = []*invreport.Summary{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		printSummaries(stdout, out)
	}
	if failed > 0 && len(out) == 0 {
		return fmt.Errorf("no inventory report could be summarized")
	}
	return nil
}

// inventoryTarget is one configuration to summarize: its bucket and id and where its
// reports are.
type inventoryTarget struct {
	bucket, id         string
	destBucket, prefix string // prefix: "<destination prefix>/<bucket>/<id>/"
}

func inventoryTargets(ctx context.Context, c *s3.Client, bucket, id string) ([]inventoryTarget, error) {
	var buckets []string
	if bucket != "" {
		buckets = []string{bucket}
	} else {
		p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing buckets: %w", err)
			}
			for _, b := range page.Buckets {
				buckets = append(buckets, aws.ToString(b.Name))
			}
		}
	}
	var out []inventoryTarget
	for _, b := range buckets {
		var cfgs []s3types.InventoryConfiguration
		if id != "" {
			r, err := c.GetBucketInventoryConfiguration(ctx, &s3.GetBucketInventoryConfigurationInput{Bucket: aws.String(b), Id: aws.String(id)})
			if err != nil {
				return nil, fmt.Errorf("inventory configuration %s of %s: %w", id, b, err)
			}
			cfgs = append(cfgs, *r.InventoryConfiguration)
		} else {
			var token *string
			for {
				r, err := c.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: aws.String(b), ContinuationToken: token})
				if err != nil {
					if bucket == "" {
						break // a bucket we may not read the configurations of: skipped
					}
					return nil, fmt.Errorf("inventory configurations of %s: %w", b, err)
				}
				cfgs = append(cfgs, r.InventoryConfigurationList...)
				if !aws.ToBool(r.IsTruncated) {
					break
				}
				token = r.NextContinuationToken
			}
		}
		for _, ic := range cfgs {
			d := ic.Destination.S3BucketDestination
			p := aws.ToString(d.Prefix)
			if p != "" && !strings.HasSuffix(p, "/") {
				p += "/"
			}
			out = append(out, inventoryTarget{bucket: b, id: aws.ToString(ic.Id),
				destBucket: strings.TrimPrefix(aws.ToString(d.Bucket), "arn:aws:s3:::"), prefix: p + b + "/" + aws.ToString(ic.Id) + "/"})
		}
	}
	if len(out) == 0 {
		return nil, &usageError{msg: "no inventory configurations found", hint: "put one with aws s3api put-bucket-inventory-configuration"}
	}
	return out, nil
}

// summarize reads the newest complete report of t and counts it.
func summarize(ctx context.Context, c *s3.Client, t inventoryTarget) (*invreport.Summary, error) {
	var stamps []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(t.destBucket), Prefix: aws.String(t.prefix), Delimiter: aws.String("/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the reports in s3://%s/%s: %w", t.destBucket, t.prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			s := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), t.prefix), "/")
			if _, err := time.Parse("2006-01-02T15-04Z", s); err == nil {
				stamps = append(stamps, s)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(stamps)))
	for _, s := range stamps {
		key := t.prefix + s + "/manifest.json"
		raw, err := getAll(ctx, c, t.destBucket, key, 16<<20)
		if err != nil {
			continue // not there (yet)
		}
		sum, err := getAll(ctx, c, t.destBucket, t.prefix+s+"/manifest.checksum", 1<<10)
		if err != nil {
			continue // incomplete: the checksum is written last
		}
		m5 := md5.Sum(raw)
		if strings.TrimSpace(string(sum)) != hex.EncodeToString(m5[:]) {
			return nil, fmt.Errorf("s3://%s/%s does not match its manifest.checksum", t.destBucket, key)
		}
		m, err := invreport.ParseManifest(raw)
		if err != nil {
			return nil, fmt.Errorf("s3://%s/%s: %w", t.destBucket, key, err)
		}
		if err := invreport.CheckSummaryFields(m); err != nil {
			return nil, fmt.Errorf("%w; add them to the configuration's OptionalFields", err)
		}
		ms, _ := strconv.ParseInt(m.CreationTimestamp, 10, 64)
		out := invreport.NewSummary(t.bucket, t.id, "s3://"+t.destBucket+"/"+key, time.UnixMilli(ms).UTC().Format(time.RFC3339))
		for _, f := range m.Files {
			if err := readDataFile(ctx, c, t.destBucket, m, f, out.Add); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("no complete report in s3://%s/%s yet", t.destBucket, t.prefix)
}

func getAll(ctx context.Context, c *s3.Client, bucket, key string, max int64) ([]byte, error) {
	r, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()
	return io.ReadAll(io.LimitReader(r.Body, max))
}

// readDataFile streams one data file through its MD5 check into fn (a Parquet file is
// spooled to a temporary file first: its footer comes last).
func readDataFile(ctx context.Context, c *s3.Client, bucket string, m *invreport.Manifest, f invreport.File, fn func(*invreport.Row) error) error {
	r, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(f.Key)})
	if err != nil {
		return fmt.Errorf("reading s3://%s/%s: %w", bucket, f.Key, err)
	}
	defer r.Body.Close()
	h := md5.New()
	body := io.TeeReader(r.Body, h)
	check := func() error {
		if got := hex.EncodeToString(h.Sum(nil)); got != f.MD5 {
			return fmt.Errorf("s3://%s/%s: MD5 %s, the manifest says %s", bucket, f.Key, got, f.MD5)
		}
		return nil
	}
	if m.FileFormat == "CSV" {
		// The rows are counted while read; a mismatch fails the whole summary.
		if err := invreport.ReadCSV(body, m.Columns(), fn); err != nil {
			return fmt.Errorf("s3://%s/%s: %w", bucket, f.Key, err)
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return err
		}
		return check()
	}
	tmp, err := os.CreateTemp("", "arca-inventory-*.parquet")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, body)
	if err != nil {
		return fmt.Errorf("reading s3://%s/%s: %w", bucket, f.Key, err)
	}
	if err := check(); err != nil {
		return err
	}
	if err := invreport.ReadParquet(tmp, n, fn); err != nil {
		return fmt.Errorf("s3://%s/%s: %w", bucket, f.Key, err)
	}
	return nil
}

func printSummaries(w io.Writer, out []*invreport.Summary) {
	for i, s := range out {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "bucket %s (inventory %s, report of %s: %s)\n", s.Bucket, s.ID, s.Created, s.ManifestKey)
		type line struct {
			label string
			c     invreport.Count
		}
		lines := []line{{"total", s.Total}}
		for _, k := range invreport.Keys(s.ByStatus) {
			lines = append(lines, line{k, s.ByStatus[k]})
		}
		for _, k := range invreport.Keys(s.ByKMSKey) {
			lines = append(lines, line{"SSE-KMS " + k, s.ByKMSKey[k]})
		}
		width := len("encryption")
		for _, l := range lines {
			width = max(width, len(l.label))
		}
		fmt.Fprintf(w, "  %-*s %12s %16s\n", width, "encryption", "objects", "bytes")
		for _, l := range lines {
			fmt.Fprintf(w, "  %-*s %12d %16d\n", width, l.label, l.c.Objects, l.c.Bytes)
		}
		if s.DeleteMarkers > 0 {
			fmt.Fprintf(w, "  (%d delete markers not counted)\n", s.DeleteMarkers)
		}
	}
}
