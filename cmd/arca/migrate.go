package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/logging"

	"github.com/arcastore/arca/internal/bench"
	"github.com/arcastore/arca/internal/migrate"
)

const migrateUsage = `Usage:
  arca migrate [flags] SRC DST

Copies objects into Arca from any S3 endpoint (MinIO, AWS, Ceph, ...) or a directory:
SRC is s3://BUCKET[/PREFIX] or a local directory, DST is s3://BUCKET[/PREFIX] on Arca.
Keys, user metadata, Content-Type/-Encoding/-Disposition/-Language, Cache-Control,
Expires and tags are kept; with --versions every version, oldest first. Copies are
encrypted under the destination bucket's default encryption, or as --sse says.

Every object is verified end to end: the CRC64NVME of the bytes read from the source is
sent with them (Arca checks it on arrival) and compared with what a HEAD of the copy
states; a source ETag that is a plain MD5 is compared with the MD5 of the bytes read.
A re-run skips what the journal (--state) records as copied and the destination still
holds with the same size and checksum, so an interrupted migration resumes.

Credentials and region come from the standard AWS configuration: --profile (or the
environment) for Arca, --source-profile for the source. See docs/MIGRATION.md.

Flags:
`

type migrateFlags struct {
	srcEndpoint, srcProfile, srcRegion string
	endpoint, profile, region          string
	caBundle                           string
	noVerify, pathStyle                bool
	sse, kmsKeyID                      string
	bucketKey                          bool
	concurrency                        int
	partSize                           string
	versions, dryRun, noETagCheck      bool
	state                              string
	progress, noProgress               bool
	interval                           time.Duration
}

func (f *migrateFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.srcEndpoint, "source-endpoint", "", "source S3 endpoint `URL` (default: AWS)")
	fs.StringVar(&f.srcProfile, "source-profile", "", "shared config profile of the source's credentials and region")
	fs.StringVar(&f.srcRegion, "source-region", "", "source region (default: the source profile's, else us-east-1)")
	fs.StringVar(&f.endpoint, "endpoint", "", "Arca's endpoint `URL` (default: AWS_ENDPOINT_URL)")
	fs.StringVar(&f.profile, "profile", "", "shared config profile for Arca (default: AWS_PROFILE)")
	fs.StringVar(&f.region, "region", "", "Arca's region (default: the profile's, else us-east-1)")
	fs.StringVar(&f.caBundle, "ca-bundle", "", "PEM `FILE` of CA certificates to trust (both endpoints)")
	fs.BoolVar(&f.noVerify, "no-verify-ssl", false, "do not verify TLS certificates (self-signed test servers only)")
	fs.BoolVar(&f.pathStyle, "path-style", true, "path-style bucket addressing on custom endpoints (false: virtual-hosted)")
	fs.StringVar(&f.sse, "sse", "", "encrypt copies with AES256 or aws:kms (default: the destination bucket's default)")
	fs.StringVar(&f.kmsKeyID, "sse-kms-key-id", "", "KMS key (ARN, id or alias) for --sse aws:kms")
	fs.BoolVar(&f.bucketKey, "bucket-key", false, "use an S3 Bucket Key for --sse aws:kms")
	fs.IntVar(&f.concurrency, "concurrency", 8, "objects copied at once; memory is at most 2 x concurrency x part size")
	fs.StringVar(&f.partSize, "part-size", "8MiB", "multipart part size, and the largest object sent in one PUT (at least 5MiB)")
	fs.BoolVar(&f.versions, "versions", false, "copy every version and delete marker, oldest first (destination versioning enabled)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "list what would be copied, copy nothing")
	fs.BoolVar(&f.noETagCheck, "no-etag-check", false, "do not compare MD5-looking source ETags with the bytes read (sources whose ETags are not MD5s)")
	fs.StringVar(&f.state, "state", "", "resume journal `FILE` (default: in the user cache directory, named by SRC, DST and endpoints)")
	fs.BoolVar(&f.progress, "progress", false, "show the progress bar even when stderr is not a terminal")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress output at all")
	fs.DurationVar(&f.interval, "progress-interval", 10*time.Second, "how often a progress line is printed when stderr is not a terminal")
}

func runMigrate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var f migrateFlags
	f.register(fs)
	flagArgs, pos := interleaved(fs, args)
	if err := parseFlags(fs, flagArgs, migrateUsage, stdout); err != nil {
		return err
	}
	if len(pos) != 2 {
		return &usageError{msg: fmt.Sprintf("arca migrate takes two arguments, SRC and DST, got %d", len(pos)),
			hint: "run 'arca migrate --help'"}
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	src, srcPrefix, err := f.source(ctx, pos[0])
	if err != nil {
		return err
	}
	dst, dstPrefix, err := f.dest(ctx, pos[1])
	if err != nil {
		return err
	}
	opts.SrcPrefix, opts.DstPrefix = srcPrefix, dstPrefix
	if _, dir := src.(*migrate.DirSource); dir && f.versions {
		return &usageError{msg: "--versions needs an s3:// source", hint: "a directory has one version of each file; drop --versions"}
	}
	if err := f.checkDest(ctx, dst); err != nil {
		return err
	}
	state := f.state
	if state == "" {
		if state, err = migrate.DefaultJournalPath(pos[0], f.srcEndpoint, pos[1], f.endpoint, fmt.Sprint(f.versions)); err != nil {
			return &usageError{msg: fmt.Sprintf("no place for the resume journal: %v", err), hint: "give one with --state FILE"}
		}
	}
	j, err := migrate.OpenJournal(state)
	if err != nil {
		return err
	}
	pr := newMigrateProgress(stderr, f.progress, f.noProgress, f.interval)
	opts.OnFailure = func(fl migrate.Failure) {
		v := ""
		if fl.VersionID != "" {
			v = " (version " + fl.VersionID + ")"
		}
		pr.println(fmt.Sprintf("arca: failed: %s%s: %v", fl.Key, v, fl.Err))
	}
	if f.dryRun {
		opts.OnPlan = func(o migrate.Object, destKey string) {
			pr.println(fmt.Sprintf("would copy %s -> %s (%s)", o.Key, destKey, bench.FormatSize(o.Size)))
		}
	}
	var p migrate.Progress
	pr.start(&p)
	rep, err := migrate.Run(ctx, src, dst, j, opts, &p)
	pr.finish()
	if cerr := j.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the journal: %w", cerr)
	}
	if f.dryRun {
		fmt.Fprintf(stdout, "dry run: %d to copy (%s listed), %d skipped\n", rep.Copied, bench.FormatSize(rep.ListedBytes), rep.Skipped)
	} else {
		fmt.Fprintln(stdout, rep.String())
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("interrupted; what was copied is in the journal %s: run the same command again to go on", state)
	}
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%d objects failed; run the same command again to retry them (the journal is %s)", rep.Failed, state)
	}
	return nil
}

func (f *migrateFlags) options() (migrate.Options, error) {
	o := migrate.Options{Versions: f.versions, Concurrency: f.concurrency, DryRun: f.dryRun, CheckETag: !f.noETagCheck}
	if f.concurrency < 1 {
		return o, &usageError{msg: "--concurrency must be at least 1"}
	}
	ps, err := bench.ParseSize(f.partSize)
	if err != nil || ps < migrate.MinPartSize || ps > 5<<30 {
		return o, &usageError{msg: fmt.Sprintf("--part-size %q is not a size between 5MiB and 5GiB", f.partSize)}
	}
	o.PartSize = ps
	switch f.sse {
	case "", "AES256":
		if f.kmsKeyID != "" || f.bucketKey {
			return o, &usageError{msg: "--sse-kms-key-id and --bucket-key need --sse aws:kms"}
		}
	case "aws:kms":
	default:
		return o, &usageError{msg: fmt.Sprintf("--sse %q is not AES256 or aws:kms", f.sse)}
	}
	return o, nil
}

// s3URL splits s3://BUCKET[/PREFIX]; a prefix is a folder, so it ends in '/' (as for
// aws s3 sync).
func s3URL(s string) (bucket, prefix string, ok bool) {
	rest, found := strings.CutPrefix(s, "s3://")
	if !found {
		return "", "", false
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, bucket != ""
}

func (f *migrateFlags) source(ctx context.Context, arg string) (migrate.Source, string, error) {
	if !strings.HasPrefix(arg, "s3://") {
		if strings.Contains(arg, "://") {
			return nil, "", &usageError{msg: fmt.Sprintf("SRC %q is neither s3://BUCKET[/PREFIX] nor a directory", arg)}
		}
		fi, err := os.Stat(arg)
		if err != nil || !fi.IsDir() {
			return nil, "", &usageError{msg: fmt.Sprintf("SRC %q is not a directory", arg), hint: "give a directory or s3://BUCKET[/PREFIX]"}
		}
		return &migrate.DirSource{Root: arg}, "", nil
	}
	bucket, prefix, ok := s3URL(arg)
	if !ok {
		return nil, "", &usageError{msg: fmt.Sprintf("SRC %q names no bucket", arg), hint: "write s3://BUCKET[/PREFIX]"}
	}
	c, err := f.client(ctx, f.srcEndpoint, f.srcProfile, f.srcRegion, true)
	if err != nil {
		return nil, "", err
	}
	return &s3Source{c: c, bucket: bucket, prefix: prefix}, prefix, nil
}

func (f *migrateFlags) dest(ctx context.Context, arg string) (*s3Dest, string, error) {
	bucket, prefix, ok := s3URL(arg)
	if !ok {
		return nil, "", &usageError{msg: fmt.Sprintf("DST %q is not s3://BUCKET[/PREFIX]", arg), hint: "the destination is a bucket on Arca"}
	}
	c, err := f.client(ctx, f.endpoint, f.profile, f.region, false)
	if err != nil {
		return nil, "", err
	}
	return &s3Dest{c: c, bucket: bucket, sse: types.ServerSideEncryption(f.sse), kmsKeyID: f.kmsKeyID, bucketKey: f.bucketKey}, prefix, nil
}

// checkDest fails early, with a hint, when the destination bucket is missing or (for
// --versions) not versioned.
func (f *migrateFlags) checkDest(ctx context.Context, d *s3Dest) error {
	if f.versions {
		out, err := d.c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &d.bucket})
		if err != nil {
			return fmt.Errorf("the destination bucket %s: %w", d.bucket, err)
		}
		if out.Status != types.BucketVersioningStatusEnabled {
			return &usageError{msg: fmt.Sprintf("--versions needs versioning enabled on the destination bucket %s", d.bucket),
				hint: "aws s3api put-bucket-versioning --bucket " + d.bucket + " --versioning-configuration Status=Enabled"}
		}
		return nil
	}
	if _, err := d.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &d.bucket}); err != nil {
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
			return &usageError{msg: fmt.Sprintf("the destination bucket %s does not exist", d.bucket),
				hint: "create it first, with the default encryption the copies should get"}
		}
		return fmt.Errorf("the destination bucket %s: %w", d.bucket, err)
	}
	return nil
}

// client builds an S3 client from the standard AWS configuration with this side's
// endpoint, profile and region; source clients validate response checksums the source
// states.
func (f *migrateFlags) client(ctx context.Context, endpoint, profile, region string, source bool) (*s3.Client, error) {
	conc := f.concurrency
	tune := func(tr *http.Transport) {
		tr.MaxIdleConns = 2*conc + 4
		tr.MaxIdleConnsPerHost = 2*conc + 4
		tr.DisableCompression = true
		tr.ReadBufferSize, tr.WriteBufferSize = 256<<10, 256<<10
	}
	cf := connFlags{endpoint: endpoint, region: region, profile: profile, caBundle: f.caBundle, noVerify: f.noVerify}
	cfg, err := cf.awsConfig(ctx, tune)
	var ue *usageError
	if errors.As(err, &ue) && cf.region == "" && strings.HasPrefix(ue.msg, "no AWS region") {
		cf.region = "us-east-1"
		cfg, err = cf.awsConfig(ctx, tune)
	}
	if err != nil {
		return nil, err
	}
	custom := endpoint != "" || (!source && cfg.BaseEndpoint != nil)
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if source && endpoint == "" && o.BaseEndpoint != nil &&
			(*o.BaseEndpoint == os.Getenv("AWS_ENDPOINT_URL") || *o.BaseEndpoint == os.Getenv("AWS_ENDPOINT_URL_S3")) {
			o.BaseEndpoint = nil // the environment's endpoint names Arca; a source profile's endpoint_url stays
		}
		o.UsePathStyle = custom && f.pathStyle
		o.ContinueHeaderThresholdBytes = -1
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
		o.Logger = logging.Nop{} // the SDK's notes ("Response has no supported checksum") are not ours to print
	}), nil
}
