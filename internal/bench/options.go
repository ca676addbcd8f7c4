package bench

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Benchmark operations accepted in Options.Op.
const (
	OpPut   = "put"   // PutObject of new keys
	OpGet   = "get"   // GetObject of pre-populated keys
	OpMixed = "mixed" // GETs and PUTs, MixRatio of them GETs
)

// Server-side encryption modes accepted in Options.SSE.
const (
	SSES3  = "AES256"
	SSEKMS = "aws:kms"
)

const (
	// MaxSize is the largest object size: one PutObject request.
	MaxSize = 5 << 30
	// prepopulateBudget caps the data uploaded before a get/mixed run when
	// Options.Objects is left at zero.
	prepopulateBudget = 1 << 30
	defaultObjects    = 64
)

// Options configures a benchmark run. Start from DefaultOptions (or
// RegisterFlags); zero fields are filled with the defaults noted below, except
// Cleanup, whose zero value (false) is honoured.
type Options struct {
	Endpoint  string // e.g. http://127.0.0.1:9000 or https://…; "" = AWS S3 for Region
	Region    string // signing region; default us-east-1
	AccessKey string // "" (with SecretKey "") = standard AWS env/profile chain
	SecretKey string
	Insecure  bool // skip TLS verification (self-signed dev certs)
	PathStyle bool // path-style addressing; always used when Endpoint != ""

	Bucket      string        // default "arca-bench"; created if missing
	Op          string        // OpPut, OpGet or OpMixed; default OpPut
	MixRatio    float64       // OpMixed: fraction of GETs; 0 = default 0.7
	Size        int64         // object size in bytes, 1..MaxSize
	Concurrency int           // parallel requests; default 8
	Duration    time.Duration // timed phase; default 20s
	Objects     int           // distinct keys for get/mixed; 0 = 64, capped so they total ~1 GiB
	Prefix      string        // key prefix; default "bench/<random>/"

	SSE       string // "", SSES3 ("AES256") or SSEKMS ("aws:kms"), sent on PUT
	KMSKeyID  string // with SSEKMS: key id or ARN; "" = server default key
	BucketKey bool   // with SSEKMS: x-amz-server-side-encryption-bucket-key-enabled
	SSECKey   []byte // 32 bytes => SSE-C headers on PUT and GET (needs https)

	// Checksum false sets the SDK's RequestChecksumCalculation and
	// ResponseChecksumValidation to WhenRequired, so the client spends no
	// CPU on CRCs (it shares the machine with the server); true keeps the
	// SDK defaults.
	Checksum bool
	Cleanup  bool      // delete the benchmark objects afterwards
	Progress io.Writer // if non-nil, a progress line rewritten about every second
}

// DefaultOptions returns the defaults used by RegisterFlags: a 20 s, 8-way
// PUT benchmark of 1 MiB objects in bucket "arca-bench", cleaning up after.
func DefaultOptions() Options {
	return Options{
		Region:      "us-east-1",
		Bucket:      "arca-bench",
		Op:          OpPut,
		MixRatio:    0.7,
		Size:        1 << 20,
		Concurrency: 8,
		Duration:    20 * time.Second,
		Cleanup:     true,
	}
}

// withDefaults fills the empty fields of o. Size is left alone: a zero size
// is a mistake to report, not a default to guess.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Region == "" {
		o.Region = d.Region
	}
	if o.Bucket == "" {
		o.Bucket = d.Bucket
	}
	if o.Op == "" {
		o.Op = d.Op
	}
	o.Op = strings.ToLower(o.Op)
	if o.MixRatio == 0 {
		o.MixRatio = d.MixRatio
	}
	if o.Concurrency == 0 {
		o.Concurrency = d.Concurrency
	}
	if o.Duration == 0 {
		o.Duration = d.Duration
	}
	if o.Objects == 0 && o.Size > 0 {
		o.Objects = int(max(1, min(defaultObjects, prepopulateBudget/o.Size)))
	}
	if o.Prefix == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.Prefix = "bench/" + hex.EncodeToString(b[:]) + "/"
	}
	switch {
	case strings.EqualFold(o.SSE, SSES3):
		o.SSE = SSES3
	case strings.EqualFold(o.SSE, SSEKMS):
		o.SSE = SSEKMS
	}
	o.PathStyle = o.PathStyle || o.Endpoint != ""
	return o
}

// isHTTPS reports whether requests go over TLS (AWS itself always does).
func (o *Options) isHTTPS() bool {
	return o.Endpoint == "" || strings.HasPrefix(strings.ToLower(o.Endpoint), "https://")
}

// validate reports the first problem with o (after withDefaults) in words
// meant for the person who typed the flags.
func (o *Options) validate() error {
	switch o.Op {
	case OpPut, OpGet, OpMixed:
	default:
		return fmt.Errorf("--op %q is not a benchmark operation: use put, get or mixed", o.Op)
	}
	if o.Size <= 0 {
		return fmt.Errorf("--size must be greater than zero (got %d bytes)", o.Size)
	}
	if o.Size > MaxSize {
		return fmt.Errorf("--size %s is over 5GiB: each object is sent as a single PutObject, which S3 caps at 5GiB", FormatSize(o.Size))
	}
	if o.Concurrency < 1 {
		return fmt.Errorf("--concurrency must be at least 1 (got %d)", o.Concurrency)
	}
	if o.Duration < 0 {
		return fmt.Errorf("--duration must be positive (got %s)", o.Duration)
	}
	if o.Objects < 0 {
		return fmt.Errorf("--objects cannot be negative (got %d)", o.Objects)
	}
	if o.MixRatio < 0 || o.MixRatio > 1 {
		return fmt.Errorf("--mix is the fraction of GETs and must be between 0 and 1 (got %g)", o.MixRatio)
	}
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--endpoint %q is not a URL like http://127.0.0.1:9000 or https://s3.example.com", o.Endpoint)
		}
	}
	if (o.AccessKey == "") != (o.SecretKey == "") {
		return errors.New("give both --access-key and --secret-key, or neither to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the AWS profile")
	}
	switch o.SSE {
	case "", SSES3, SSEKMS:
	default:
		return fmt.Errorf("--sse %q is not supported: use AES256 (SSE-S3) or aws:kms (SSE-KMS)", o.SSE)
	}
	if o.KMSKeyID != "" && o.SSE != SSEKMS {
		return errors.New("--sse-kms-key-id only applies with --sse aws:kms")
	}
	if o.BucketKey && o.SSE != SSEKMS {
		return errors.New("--bucket-key only applies with --sse aws:kms")
	}
	if o.SSECKey != nil {
		if len(o.SSECKey) != 32 {
			return fmt.Errorf("--sse-c-key must be exactly 32 bytes (AES-256), got %d", len(o.SSECKey))
		}
		if o.SSE != "" {
			return fmt.Errorf("--sse-c-key cannot be combined with --sse %s: pick one kind of encryption", o.SSE)
		}
		if !o.isHTTPS() {
			return errors.New("--sse-c-key needs an https:// endpoint: S3 refuses customer keys over plain HTTP (add --insecure for a self-signed certificate)")
		}
	}
	return nil
}

// cleanupTimeout bounds the deletes after a run.
const cleanupTimeout = 2 * time.Minute
