package cse

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"

	"github.com/arcastore/arca/internal/config"
	"github.com/arcastore/arca/internal/server"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The tests and examples run against a real Arca (S3 and KMS on one endpoint) started in
// this process on fresh data. Its endpoint and credentials are also put in the standard
// AWS environment variables, which is how the examples find it.
var arcaURL string

const (
	testAccessKey = "AKIACSETESTKEY000001"
	testSecretKey = "cse-test-secret-key-0123456789abcdefghij"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cse-arca")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := config.Default()
	cfg.DataDir, cfg.Listen, cfg.TLSListen, cfg.Domains = dir, "127.0.0.1:0", "", nil
	cfg.RootAccessKey, cfg.RootSecretKey = testAccessKey, testSecretKey
	srv, err := server.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		err = srv.Listen()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting arca:", err)
		os.Exit(1)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	arcaURL = srv.Endpoints()[0]
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": arcaURL, "AWS_ACCESS_KEY_ID": testAccessKey, "AWS_SECRET_ACCESS_KEY": testSecretKey,
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		os.Setenv(k, v)
	}
	if _, err := testS3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("example-bucket")}); err != nil {
		fmt.Fprintln(os.Stderr, "creating the example bucket:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	<-served
	os.RemoveAll(dir)
	os.Exit(code)
}

func testConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")}
}

func testS3() *s3.Client {
	return s3.NewFromConfig(testConfig(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(arcaURL)
		o.UsePathStyle = true
	})
}

func testKMS() *kms.Client {
	return kms.NewFromConfig(testConfig(), func(o *kms.Options) { o.BaseEndpoint = aws.String(arcaURL) })
}

var bucketSeq atomic.Int64

// newBucket creates a fresh bucket for one test.
func newBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("cse-test-%d", bucketSeq.Add(1))
	if _, err := testS3().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	return name
}

// newKMSKey creates a symmetric KMS key and returns its ID.
func newKMSKey(t testing.TB) string {
	t.Helper()
	out, err := testKMS().CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return *out.KeyMetadata.KeyId
}
