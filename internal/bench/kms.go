package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/middleware"
)

// KMS benchmark operations (KMSOptions.Op).
const (
	OpKMSGenerateDataKey = "generate-data-key" // GenerateDataKey AES_256 with an encryption context
	OpKMSDecrypt         = "decrypt"           // Decrypt of one data key made before timing starts
)

// KMSOptions configures `arca bench kms`: a closed loop of KMS calls through
// aws-sdk-go-v2's KMS client, every request SigV4-signed (the server verifies each).
type KMSOptions struct {
	Endpoint, Region     string
	AccessKey, SecretKey string
	Insecure             bool
	Op                   string // OpKMSGenerateDataKey or OpKMSDecrypt
	KeyID                string // "" = create a key for the run and schedule its deletion after
	Concurrency          int
	Duration             time.Duration
	Progress             io.Writer
}

// RegisterKMSFlags defines the `arca bench kms` flags on fs; call the returned
// function after fs.Parse.
func RegisterKMSFlags(fs *flag.FlagSet) func() (KMSOptions, bool, error) {
	endpoint := fs.String("endpoint", "", "KMS endpoint `URL`, e.g. http://127.0.0.1:9000 (empty: AWS KMS in --region)")
	region := fs.String("region", "us-east-1", "`region` to sign requests for")
	accessKey := fs.String("access-key", "", "access key `id` (empty: AWS_ACCESS_KEY_ID or the AWS profile)")
	secretKey := fs.String("secret-key", "", "secret access `key` (empty: AWS_SECRET_ACCESS_KEY or the AWS profile)")
	insecure := fs.Bool("insecure", false, "skip TLS certificate verification (for self-signed development certificates)")
	op := fs.String("op", OpKMSGenerateDataKey, "`operation`: generate-data-key (GenerateDataKey AES_256) or decrypt (Decrypt of a data key)")
	keyID := fs.String("key-id", "", "KMS `key` id, ARN or alias to use (default: create one for the run and schedule its deletion afterwards)")
	conc := fs.Int("concurrency", 8, "`number` of requests in flight at once")
	dur := fs.Duration("duration", 20*time.Second, "how long to measure, e.g. 20s or 2m")
	asJSON := fs.Bool("json", false, "print the result as JSON instead of a table")
	return func() (KMSOptions, bool, error) {
		o := KMSOptions{Endpoint: strings.TrimRight(strings.TrimSpace(*endpoint), "/"), Region: *region,
			AccessKey: *accessKey, SecretKey: *secretKey, Insecure: *insecure, Op: strings.ToLower(*op),
			KeyID: *keyID, Concurrency: *conc, Duration: *dur}
		return o, *asJSON, o.validate()
	}
}

func (o *KMSOptions) validate() error {
	switch o.Op {
	case OpKMSGenerateDataKey, OpKMSDecrypt:
	default:
		return fmt.Errorf("--op %q is not a KMS benchmark operation: use generate-data-key or decrypt", o.Op)
	}
	if o.Concurrency < 1 {
		return fmt.Errorf("--concurrency must be at least 1 (got %d)", o.Concurrency)
	}
	if o.Duration <= 0 {
		return fmt.Errorf("--duration must be positive, e.g. 20s (got %s)", o.Duration)
	}
	if o.Region == "" {
		return errors.New("--region cannot be empty (the default is us-east-1)")
	}
	if (o.AccessKey == "") != (o.SecretKey == "") {
		return errors.New("give both --access-key and --secret-key, or neither")
	}
	if o.Endpoint != "" && !strings.HasPrefix(o.Endpoint, "http://") && !strings.HasPrefix(o.Endpoint, "https://") {
		return fmt.Errorf("--endpoint %q is not a URL like http://127.0.0.1:9000", o.Endpoint)
	}
	return nil
}

func newKMSClient(ctx context.Context, o *KMSOptions) (*kms.Client, error) {
	tuned := &Options{Concurrency: o.Concurrency, Insecure: o.Insecure}
	load := []func(*config.LoadOptions) error{
		config.WithRegion(o.Region),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(tuneTransport(tuned))),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if o.AccessKey != "" {
		load = append(load, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	var fixed *url.URL
	if o.Endpoint != "" {
		if fixed, err = url.Parse(o.Endpoint); err != nil {
			return nil, fmt.Errorf("--endpoint: %w", err)
		}
	}
	return kms.NewFromConfig(cfg, func(ko *kms.Options) {
		if fixed != nil {
			ko.BaseEndpoint = aws.String(o.Endpoint)
			ko.EndpointResolverV2 = fixedEndpoint{*fixed}
		}
		ko.Retryer = aws.NopRetryer{}
		ko.APIOptions = append(ko.APIOptions, trimStack)
	}), nil
}

// fixedEndpoint resolves every request to --endpoint without evaluating the SDK's
// endpoint rule set per request (which costs the client CPU it shares with the server).
type fixedEndpoint struct{ u url.URL }

func (f fixedEndpoint) ResolveEndpoint(context.Context, kms.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{URI: f.u}, nil
}

// trimStack drops client-side bookkeeping middleware that adds headers (User-Agent,
// amz-sdk-invocation-id, amz-sdk-request, X-Amzn-Trace-Id) or clock reads per request. The
// request that remains is a complete, SigV4-signed KMS call that the server verifies; only
// the client's own overhead shrinks.
func trimStack(s *middleware.Stack) error {
	s.Build.Remove((&awsmw.RequestUserAgent{}).ID())
	s.Build.Remove("ClientRequestID")
	s.Build.Remove("RecursionDetection")
	s.Deserialize.Remove("RecordResponseTiming")
	return nil
}

// RunKMS runs one KMS benchmark and returns what it measured.
func RunKMS(ctx context.Context, o KMSOptions) (*Result, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	c, err := newKMSClient(ctx, &o)
	if err != nil {
		return nil, err
	}
	keyID := o.KeyID
	if keyID == "" {
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("arca bench kms (scheduled for deletion)")})
		if err != nil {
			return nil, fmt.Errorf("creating a key for the run: %w", err)
		}
		keyID = *out.KeyMetadata.KeyId
		defer func() {
			cctx, cancel := cleanupContext(ctx)
			c.ScheduleKeyDeletion(cctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})
			cancel()
		}()
	}
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::arca-bench/object"}
	gdk := &kms.GenerateDataKeyInput{KeyId: aws.String(keyID), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec}
	var op opFunc
	switch o.Op {
	case OpKMSGenerateDataKey:
		op = func(ctx context.Context, _ int, _ int64) (int64, error) {
			out, err := c.GenerateDataKey(ctx, gdk)
			if err != nil {
				return 0, err
			}
			return int64(len(out.Plaintext)), nil
		}
	case OpKMSDecrypt:
		dk, err := c.GenerateDataKey(ctx, gdk)
		if err != nil {
			return nil, fmt.Errorf("making the data key to decrypt: %w", err)
		}
		in := &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec}
		op = func(ctx context.Context, _ int, _ int64) (int64, error) {
			out, err := c.Decrypt(ctx, in)
			if err != nil {
				return 0, err
			}
			return int64(len(out.Plaintext)), nil
		}
	}
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, "kms %s, concurrency %d, for %s, key %s\n", o.Op, o.Concurrency, o.Duration, keyID)
	}
	// KMS calls are small and many: at the default GOGC the client spends a good share of
	// the CPU it shares with the server on garbage collection. A larger GC target for the
	// timed phase costs some tens of MiB and nothing else.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	st := runLoad(ctx, loadConfig{Concurrency: o.Concurrency, Duration: o.Duration, Progress: o.Progress}, op)
	return newResult(&Options{Op: "kms-" + o.Op, Size: 32, Concurrency: o.Concurrency}, st), nil
}
