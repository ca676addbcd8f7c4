package bench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// tuneTransport adapts the SDK's default transport to concurrency parallel
// requests: enough idle keep-alive connections per host that no worker ever
// dials a new one in steady state, HTTP/1.1 only (HTTP/2 would multiplex
// every worker onto one TCP connection), no transparent gzip (GET bodies
// are counted as sent), and 64 KiB socket buffers to cut syscalls for large
// objects. The SDK's own settings, such as AWS_CA_BUNDLE, apply on top.
func tuneTransport(o *Options) func(*http.Transport) {
	return func(tr *http.Transport) {
		idle := 2*o.Concurrency + 4
		tr.MaxIdleConns = idle
		tr.MaxIdleConnsPerHost = idle
		tr.MaxConnsPerHost = 0
		tr.DisableKeepAlives = false
		tr.DisableCompression = true
		tr.ForceAttemptHTTP2 = false
		var protos http.Protocols
		protos.SetHTTP1(true)
		tr.Protocols = &protos
		tr.ReadBufferSize = 64 << 10
		tr.WriteBufferSize = 64 << 10
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.InsecureSkipVerify = o.Insecure //nolint:gosec // opt-in (--insecure) for self-signed dev certificates
	}
}

// newS3Client builds the S3 client for a run. Retries are off (NopRetryer)
// so every failure is counted instead of being hidden as extra latency.
func newS3Client(ctx context.Context, o *Options) (*s3.Client, error) {
	load := []func(*config.LoadOptions) error{
		config.WithRegion(o.Region),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(tuneTransport(o))),
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
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
		so.Retryer = aws.NopRetryer{}
		so.RetryMaxAttempts = 0
		// Large PUTs would otherwise carry Expect: 100-continue and pay a
		// round trip before sending the body.
		so.ContinueHeaderThresholdBytes = -1
		so.DisableLogOutputChecksumValidationSkipped = true
		if !o.Checksum {
			so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	}), nil
}

// unsignedPayload is the per-call API option for PutObject. SigV4 normally
// signs the SHA-256 of the body on plain http (over https the SDK already
// sends UNSIGNED-PAYLOAD). Hashing every byte a second time costs the client
// CPU it shares with the server under test and would make throughput depend
// on the client's hash speed, so we send x-amz-content-sha256:
// UNSIGNED-PAYLOAD instead. S3 (and S3-compatible servers) accept it; the
// headers are still signed, only the body is not covered by the signature,
// which is an acceptable trade for a load generator sending random bytes.
func unsignedPayload(stack *middleware.Stack) error {
	if err := v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware(stack); err != nil {
		return err
	}
	// With --checksum on plain http, the SDK's checksum middleware (which
	// runs earlier) would also fold a SHA-256 of the body into its CRC pass;
	// setting the payload hash first tells it not to.
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("ArcaBenchUnsignedPayload",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
			middleware.FinalizeOutput, middleware.Metadata, error,
		) {
			if v4.GetPayloadHash(ctx) == "" {
				ctx = v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD")
			}
			return next.HandleFinalize(ctx, in)
		}), "ResolveEndpointV2", middleware.After)
}
