package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// connFlags say where S3 and KMS are. Anything not given comes from the standard AWS
// environment and profile, as for the aws CLI.
type connFlags struct {
	endpoint, region, profile, caBundle string
	noVerify                            bool
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.endpoint, "endpoint-url", "", "S3 and KMS endpoint `URL` (default: AWS_ENDPOINT_URL or AWS)")
	fs.StringVar(&c.region, "region", "", "AWS region (default: AWS_REGION or the profile's)")
	fs.StringVar(&c.profile, "profile", "", "shared config profile (default: AWS_PROFILE)")
	fs.StringVar(&c.caBundle, "ca-bundle", "", "PEM `FILE` of CA certificates to trust (default: AWS_CA_BUNDLE)")
	fs.BoolVar(&c.noVerify, "no-verify-ssl", false, "do not verify the endpoint's TLS certificate (self-signed test servers only)")
}

type awsClients struct {
	s3  *s3.Client
	kms *kms.Client
}

// awsConfig loads the standard AWS configuration (credentials from the default chain, as
// for the aws CLI) with the connection flags applied; tune, if not nil, adjusts the HTTP
// transport. It is the one loader of every AWS-facing command.
func (c *connFlags) awsConfig(ctx context.Context, tune func(*http.Transport)) (aws.Config, error) {
	transport := func(tr *http.Transport) {
		if tune != nil {
			tune(tr)
		}
		if c.noVerify {
			if tr.TLSClientConfig == nil {
				tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			}
			tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // opt-in (--no-verify-ssl), as in the aws CLI
		}
	}
	load := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(transport)),
	}
	if c.region != "" {
		load = append(load, config.WithRegion(c.region))
	}
	if c.profile != "" {
		load = append(load, config.WithSharedConfigProfile(c.profile))
	}
	if c.endpoint != "" {
		load = append(load, config.WithBaseEndpoint(c.endpoint))
	}
	if c.caBundle != "" {
		f, err := os.Open(c.caBundle)
		if err != nil {
			return aws.Config{}, &usageError{msg: fmt.Sprintf("--ca-bundle: %v", err), hint: "give a PEM file of CA certificates"}
		}
		defer f.Close()
		load = append(load, config.WithCustomCABundle(f))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, &usageError{msg: "no AWS region configured", hint: "set AWS_REGION or pass --region (us-east-1 for Arca)"}
	}
	return cfg, nil
}

// clients builds the S3 and KMS clients on one tuned transport: enough keep-alive
// connections for concurrency parallel parts, HTTP/1.1 (one TCP connection per part, not
// all multiplexed on one), no transparent gzip.
func (c *connFlags) clients(ctx context.Context, concurrency int) (*awsClients, error) {
	cfg, err := c.awsConfig(ctx, func(tr *http.Transport) {
		tr.MaxIdleConns = 2*concurrency + 4
		tr.MaxIdleConnsPerHost = 2*concurrency + 4
		tr.DisableCompression = true
		tr.ForceAttemptHTTP2 = false
		var protos http.Protocols
		protos.SetHTTP1(true)
		tr.Protocols = &protos
		tr.ReadBufferSize, tr.WriteBufferSize = 256<<10, 256<<10
	})
	if err != nil {
		return nil, err
	}
	custom := cfg.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	return &awsClients{
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			// A custom endpoint is usually a single host without wildcard DNS for
			// virtual-hosted buckets.
			o.UsePathStyle = custom
			// Large PUTs would wait a round trip for 100-continue before each part.
			o.ContinueHeaderThresholdBytes = -1
		}),
		kms: kms.NewFromConfig(cfg),
	}, nil
}
