package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Rotating the SSE-S3 master key never rewrites data: objects sealed under the old version
// keep opening, new objects use the new version.
func TestRotateSSES3KeyKeepsOldObjects(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := srv.S3(srv.HTTPURL)
	bucket := "rotate-sse-s3"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	put := func(c *s3.Client, key string, body []byte) {
		t.Helper()
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(c *s3.Client, key string) []byte {
		t.Helper()
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GET %s: %v", key, err)
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return b
	}
	oldBody := bytes.Repeat([]byte("sealed under version one "), 5000)
	put(c, "old", oldBody)
	srv.Stop()

	cmd := exec.Command(arcaBin, "admin", "rotate-sse-s3-key", "--data", srv.DataDir)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "version 2 is now current") {
		t.Fatalf("rotate-sse-s3-key: %v\n%s", err, out)
	}
	srv2 := StartServerAt(t, srv.DataDir)
	c2 := srv2.S3(srv2.HTTPURL)
	if !bytes.Equal(get(c2, "old"), oldBody) {
		t.Fatal("object sealed under the old master key no longer reads back")
	}
	newBody := []byte("sealed under version two")
	put(c2, "new", newBody)
	if !bytes.Equal(get(c2, "new"), newBody) {
		t.Fatal("new object does not read back")
	}
	// A running server holds the metadata file: rotation refuses with a hint.
	cmd = exec.Command(arcaBin, "admin", "rotate-sse-s3-key", "--data", srv.DataDir)
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "stop the server first") {
		t.Fatalf("rotation while running: %v\n%s", err, out)
	}
}
