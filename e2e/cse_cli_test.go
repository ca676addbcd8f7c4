package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// cseCLI runs 'arca cse' against srv with the test credentials in the environment, as a
// user would, and returns stdout, stderr and the exit code.
type cseCLI struct {
	t        *testing.T
	endpoint string
	stdin    []byte
}

func (c cseCLI) run(args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, arcaBin, append([]string{"cse"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey,
		"AWS_REGION="+testRegion, "AWS_ENDPOINT_URL="+c.endpoint, "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errb, bytes.NewReader(c.stdin)
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("arca cse %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// ok runs and fails the test unless arca exits 0.
func (c cseCLI) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("arca cse %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// fails runs, wants exit code and an error and a hint containing the given texts.
func (c cseCLI) fails(code int, errWant, hintWant string, args ...string) {
	c.t.Helper()
	_, errs, got := c.run(args...)
	if got != code || !strings.Contains(errs, "arca: error: ") || !strings.Contains(errs, errWant) ||
		!strings.Contains(errs, "arca: hint: ") || !strings.Contains(errs, hintWant) {
		c.t.Errorf("arca cse %s: exit %d, want %d with %q / %q:\n%s", strings.Join(args, " "), got, code, errWant, hintWant, errs)
	}
}

func TestCSECLI(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	s3c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, s3c, "vault")
	kmsc := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	keyID := *must[*kms.CreateKeyOutput](t, "CreateKey")(kmsc.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId
	dir := t.TempDir()
	master, other := filepath.Join(dir, "master.key"), filepath.Join(dir, "other.key")
	writeKeyFile(t, master)
	writeKeyFile(t, other)
	plain := filepath.Join(dir, "report.txt")
	pt := bytes.Repeat([]byte("quarterly numbers, strictly confidential\n"), 300000) // about 12 MiB: multipart
	if err := os.WriteFile(plain, pt, 0o600); err != nil {
		t.Fatal(err)
	}
	cli := cseCLI{t: t, endpoint: srv.HTTPURL}
	same := func(path string) {
		t.Helper()
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("%s: %d bytes, %v", path, len(got), err)
		}
	}
	stored := func(key string) ([]byte, *s3.GetObjectOutput) {
		return mustGet(t, s3c, &s3.GetObjectInput{Bucket: aws.String("vault"), Key: aws.String(key)})
	}

	// KMS, V3 (the default), multipart, with a progress bar.
	if _, errs, code := cli.run("put", plain, "s3://vault/kms.txt", "--kms-key-id", keyID, "--progress", "--part-size", "5MiB"); code != 0 ||
		!strings.Contains(errs, "100%") {
		t.Fatalf("put: exit %d\n%s", code, errs)
	}
	body, out := stored("kms.txt")
	if bytes.Contains(body, pt[:40]) || out.Metadata["x-amz-c"] != "115" || out.Metadata["x-amz-w"] != "12" {
		t.Fatalf("stored object: plaintext visible %v, metadata %v", bytes.Contains(body, pt[:40]), out.Metadata)
	}
	cli.ok("get", "s3://vault/kms.txt", filepath.Join(dir, "kms.out"), "--kms-key-id", keyID)
	same(filepath.Join(dir, "kms.out"))
	cli.ok("get", "s3://vault/kms.txt", filepath.Join(dir, "any.out"), "--kms-any-key")
	same(filepath.Join(dir, "any.out"))

	// Raw AES key, V2, instruction file, over HTTPS; flags after the arguments.
	https := cseCLI{t: t, endpoint: srv.HTTPSURL}
	https.ok("cp", plain, "s3://vault/aes/", "--master-key-file", master, "--commitment-policy", "FORBID_ENCRYPT_ALLOW_DECRYPT",
		"--instruction-file", "--no-verify-ssl")
	if _, out := stored("aes/report.txt"); out.Metadata["x-amz-key-v2"] != "" {
		t.Fatalf("data key in object metadata despite --instruction-file: %v", out.Metadata)
	}
	dl := filepath.Join(dir, "dl")
	os.Mkdir(dl, 0o700)
	https.ok("cp", "s3://vault/aes/report.txt", dl, "--master-key-file", master, "--no-verify-ssl")
	same(filepath.Join(dl, "report.txt"))

	// stdin to stdout.
	piped := cseCLI{t: t, endpoint: srv.HTTPURL, stdin: pt}
	piped.ok("put", "-", "s3://vault/piped", "--master-key-file", master)
	if got := cli.ok("get", "s3://vault/piped", "-", "--master-key-file", master); got != string(pt) {
		t.Fatalf("stdout: %d bytes", len(got))
	}

	// Rotation: re-encrypt the AES object under KMS, reading with both keys.
	cli.ok("cp", "s3://vault/aes/report.txt", "s3://vault/aes/report.txt", "--kms-key-id", keyID, "--master-key-file", master)
	cli.ok("get", "s3://vault/aes/report.txt", filepath.Join(dir, "rotated.out"), "--kms-key-id", keyID)
	same(filepath.Join(dir, "rotated.out"))

	// Errors, each explained.
	cli.ok("put", plain, "s3://vault/aes.txt", "--master-key-file", master)
	cli.fails(1, "none of the given keys can unwrap its data key", "--master-key-file",
		"get", "s3://vault/aes.txt", filepath.Join(dir, "x"), "--master-key-file", other)
	cli.fails(1, "none of the given keys can unwrap its data key", "--kms-key-id",
		"get", "s3://vault/kms.txt", filepath.Join(dir, "x"), "--kms-key-id",
		*must[*kms.CreateKeyOutput](t, "CreateKey")(kmsc.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId)
	mustPut(t, s3c, "vault", "plain.txt", []byte("not encrypted"))
	cli.fails(1, "is not a client-side encrypted object", "aws s3 cp", "get", "s3://vault/plain.txt", filepath.Join(dir, "x"), "--master-key-file", master)
	cli.ok("put", plain, "s3://vault/v2.txt", "--master-key-file", master, "--commitment-policy", "FORBID_ENCRYPT_ALLOW_DECRYPT")
	cli.fails(1, "without key commitment", "REQUIRE_ENCRYPT_ALLOW_DECRYPT",
		"get", "s3://vault/v2.txt", filepath.Join(dir, "x"), "--master-key-file", master, "--commitment-policy", "REQUIRE_ENCRYPT_REQUIRE_DECRYPT")
	cli.fails(1, "does not exist", "check the bucket and key", "get", "s3://vault/nope", filepath.Join(dir, "x"), "--master-key-file", master)
	cli.fails(2, "no key to encrypt with", "--kms-key-id", "put", plain, "s3://vault/y")
	cli.fails(2, "takes two arguments", "--help", "get", "s3://vault/aes.txt")

	// Tampering: body, wrapped key, message ID, commitment (V3) and IV (V2). The target
	// file is never created.
	tamper := []struct {
		key  string
		body func([]byte)
		md   func(map[string]string)
	}{
		{"aes.txt", func(b []byte) { b[len(b)/2] ^= 1 }, nil},
		{"aes.txt", nil, func(m map[string]string) { m["x-amz-3"] = flipBase64(t, m["x-amz-3"]) }},
		{"aes.txt", nil, func(m map[string]string) { m["x-amz-i"] = flipBase64(t, m["x-amz-i"]) }},
		{"aes.txt", nil, func(m map[string]string) { m["x-amz-d"] = flipBase64(t, m["x-amz-d"]) }},
		{"kms.txt", nil, func(m map[string]string) { m["x-amz-3"] = flipBase64(t, m["x-amz-3"]) }},
		{"v2.txt", nil, func(m map[string]string) { m["x-amz-iv"] = flipBase64(t, m["x-amz-iv"]) }},
		{"v2.txt", nil, func(m map[string]string) { m["x-amz-key-v2"] = flipBase64(t, m["x-amz-key-v2"]) }},
	}
	for i, tc := range tamper {
		body, out := stored(tc.key)
		md := map[string]string{}
		for k, v := range out.Metadata {
			md[k] = v
		}
		if tc.body != nil {
			tc.body(body)
		}
		if tc.md != nil {
			tc.md(md)
		}
		key := "tampered-" + tc.key
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String(key),
			Body: bytes.NewReader(body), Metadata: md}); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, "tampered.out")
		cli.fails(1, "failed authentication: the object or its encryption metadata was altered", target+" was not written",
			"get", "s3://vault/"+key, target, "--kms-key-id", keyID, "--master-key-file", master)
		if _, err := os.Stat(target); err == nil {
			t.Fatalf("case %d: tampered object written to %s", i, target)
		}
	}
	var names []string
	for _, d := range []string{dir, dl} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			names = append(names, e.Name())
		}
	}
	if got := strings.Join(names, " "); got != "any.out dl kms.out master.key other.key report.txt rotated.out report.txt" {
		t.Errorf("files left behind: %s", got)
	}
}

func flipBase64(t *testing.T, v string) string {
	t.Helper()
	b, err := base64Std.DecodeString(v)
	if err != nil || len(b) == 0 {
		t.Fatalf("metadata value %q is not base64", v)
	}
	b[len(b)/2] ^= 1
	return base64Std.EncodeToString(b)
}

var base64Std = base64.StdEncoding
