package bench

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"strings"
)

// RegisterFlags defines the `arca bench` flags on fs. Call the returned
// function after fs.Parse: it turns the flag values into Options (with
// Cleanup on unless --no-cleanup) and reports whether --json was given, or
// returns an error phrased for the person who typed the command.
// Options.Progress is left nil for the caller to set (usually os.Stderr).
func RegisterFlags(fs *flag.FlagSet) func() (Options, bool, error) {
	d := DefaultOptions()
	endpoint := fs.String("endpoint", "", "S3 endpoint `URL`, e.g. http://127.0.0.1:9000 or https://s3.example.com (empty: AWS S3 in --region)")
	region := fs.String("region", d.Region, "`region` to sign requests for")
	accessKey := fs.String("access-key", "", "access key `id` (empty: AWS_ACCESS_KEY_ID or the AWS profile)")
	secretKey := fs.String("secret-key", "", "secret access `key` (empty: AWS_SECRET_ACCESS_KEY or the AWS profile)")
	insecure := fs.Bool("insecure", false, "skip TLS certificate verification (for self-signed development certificates)")
	bucket := fs.String("bucket", d.Bucket, "`bucket` to benchmark in; created if it does not exist")
	prefix := fs.String("prefix", "", "key `prefix` for the benchmark objects (default bench/<random>/)")
	op := fs.String("op", d.Op, "`operation`: put (upload new objects), get (read pre-uploaded objects) or mixed (both, see --mix)")
	mix := fs.Float64("mix", d.MixRatio, "with --op mixed, the `fraction` of operations that are GETs (0 < f <= 1)")
	size := fs.String("size", FormatSize(d.Size), "object `size`, e.g. 4KiB, 1MiB, 64MiB (k, m, g are binary too; at most 5GiB)")
	conc := fs.Int("concurrency", d.Concurrency, "`number` of requests in flight at once")
	dur := fs.Duration("duration", d.Duration, "how long to measure, e.g. 20s or 2m")
	objects := fs.Int("objects", 0, "`number` of distinct objects that get/mixed read, uploaded before timing starts\n(default 64, fewer for large sizes so that at most about 1GiB is uploaded)")
	sse := fs.String("sse", "", "server-side encryption `mode` for uploads: AES256 (SSE-S3) or aws:kms (SSE-KMS)")
	kmsKey := fs.String("sse-kms-key-id", "", "with --sse aws:kms, the KMS `key` id or ARN (empty: the server's default key)")
	bucketKey := fs.Bool("bucket-key", false, "with --sse aws:kms, ask for an S3 Bucket Key (x-amz-server-side-encryption-bucket-key-enabled)")
	ssec := fs.String("sse-c-key", "", "SSE-C: `base64` of a 32-byte key sent with every upload and read, e.g. from 'openssl rand -base64 32' (needs https)")
	checksum := fs.Bool("checksum", false, "let the SDK compute and verify CRC checksums (off by default to save client CPU)")
	noCleanup := fs.Bool("no-cleanup", false, "leave the benchmark objects in the bucket afterwards")
	asJSON := fs.Bool("json", false, "print the result as JSON instead of a table")

	return func() (Options, bool, error) {
		o := DefaultOptions()
		o.Endpoint = strings.TrimRight(strings.TrimSpace(*endpoint), "/")
		o.Region = *region
		o.AccessKey, o.SecretKey = *accessKey, *secretKey
		o.Insecure = *insecure
		o.Bucket = *bucket
		o.Prefix = *prefix
		o.Op = strings.ToLower(strings.TrimSpace(*op))
		o.KMSKeyID = *kmsKey
		o.SSE = *sse
		o.BucketKey = *bucketKey
		o.Checksum = *checksum
		o.Cleanup = !*noCleanup

		if *region == "" {
			return o, false, errors.New("--region cannot be empty (the default is us-east-1)")
		}
		if *bucket == "" {
			return o, false, errors.New("--bucket cannot be empty")
		}
		n, err := ParseSize(*size)
		if err != nil {
			return o, false, fmt.Errorf("--size: %w", err)
		}
		o.Size = n
		// Zero would silently become the default in Options; on the command
		// line it is a mistake.
		if *conc < 1 {
			return o, false, fmt.Errorf("--concurrency must be at least 1 (got %d)", *conc)
		}
		o.Concurrency = *conc
		if *dur <= 0 {
			return o, false, fmt.Errorf("--duration must be positive, e.g. 20s (got %s)", *dur)
		}
		o.Duration = *dur
		if *objects < 0 {
			return o, false, fmt.Errorf("--objects cannot be negative (got %d)", *objects)
		}
		o.Objects = *objects
		if *mix <= 0 || *mix > 1 {
			return o, false, fmt.Errorf("--mix is the fraction of GETs and must be above 0 and at most 1 (got %g); for uploads only use --op put", *mix)
		}
		o.MixRatio = *mix
		if *ssec != "" {
			key, err := decodeKey(*ssec)
			if err != nil {
				return o, false, err
			}
			o.SSECKey = key
		}
		v := o.withDefaults()
		if err := v.validate(); err != nil {
			return o, false, err
		}
		return o, *asJSON, nil
	}
}

// decodeKey reads an SSE-C key given as base64 (padded or not).
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, errors.New("--sse-c-key is not valid base64; make a key with 'openssl rand -base64 32'")
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("--sse-c-key decodes to %d bytes, but SSE-C needs exactly 32 (AES-256); make one with 'openssl rand -base64 32'", len(key))
	}
	return key, nil
}
