package e2e

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestSmokeBothListeners(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range []string{srv.HTTPURL, srv.HTTPSURL} {
		c := srv.S3(ep)
		bucket := "smoke-" + map[bool]string{true: "tls", false: "plain"}[ep == srv.HTTPSURL]
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
		body := []byte("hello, arca")
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, body) {
			t.Fatalf("%s: got %q", ep, got)
		}
	}
}
