package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSSECLI drives server-side encryption with the aws CLI as users type it.
func TestSSECLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t)
	S := srv.HTTPSURL
	kc := sseKMS(t, srv)
	keyID, keyARN := sseCreateKey(t, kc, "cli")
	sseCreateAlias(t, kc, "alias/sse-cli", keyID)
	dir := t.TempDir()
	small := sseBody(10<<10, 7, sseMarker("cli"))
	writeFile(t, filepath.Join(dir, "small.bin"), small)
	quiet := "--only-show-errors"
	srv.AWS(t, S, false, "s3", "mb", "s3://sse-cli")
	srv.AWS(t, S, false, allowSSECArgs("sse-cli")...) // new buckets block SSE-C

	head := func(t *testing.T, key string, extra ...string) map[string]any {
		t.Helper()
		args := append([]string{"s3api", "head-object", "--bucket", "sse-cli", "--key", key}, extra...)
		return cliJSON(t, srv.AWS(t, S, false, args...))
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	roundTrip := func(t *testing.T, key string, want []byte, extra ...string) {
		t.Helper()
		out := filepath.Join(dir, "dl", strings.ReplaceAll(key, "/", "_"))
		args := append([]string{"s3", "cp", quiet, "s3://sse-cli/" + key, out}, extra...)
		srv.AWS(t, S, false, args...)
		if got := readFile(t, out); !bytes.Equal(got, want) {
			t.Errorf("%s: downloaded %d bytes that differ from the %d uploaded", key, len(got), len(want))
		}
	}

	t.Run("sse AES256", func(t *testing.T) {
		t.Parallel()
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "small.bin"), "s3://sse-cli/aes", "--sse", "AES256")
		h := head(t, "aes")
		if str(h, "ServerSideEncryption") != "AES256" || str(h, "ETag") != quotedMD5(small) || h["SSEKMSKeyId"] != nil {
			t.Errorf("head-object: %v", h)
		}
		roundTrip(t, "aes", small)
	})

	t.Run("sse aws:kms with an alias", func(t *testing.T) {
		t.Parallel()
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "small.bin"), "s3://sse-cli/kms-alias", "--sse", "aws:kms", "--sse-kms-key-id", "alias/sse-cli")
		h := head(t, "kms-alias")
		if str(h, "ServerSideEncryption") != "aws:kms" || str(h, "SSEKMSKeyId") != keyARN || str(h, "ETag") == quotedMD5(small) {
			t.Errorf("head-object: %v; want aws:kms under %s with a non-MD5 ETag", h, keyARN)
		}
		roundTrip(t, "kms-alias", small)
	})

	t.Run("sse aws:kms alone uses aws/s3", func(t *testing.T) {
		t.Parallel()
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "small.bin"), "s3://sse-cli/kms-default", "--sse", "aws:kms")
		awsS3 := sseAWSManagedKey(t, kc)
		h := head(t, "kms-default")
		if str(h, "ServerSideEncryption") != "aws:kms" || str(h, "SSEKMSKeyId") != awsS3 {
			t.Errorf("head-object: %v; want aws:kms under aws/s3 %s", h, awsS3)
		}
		roundTrip(t, "kms-default", small)
	})

	t.Run("sse-c", func(t *testing.T) {
		t.Parallel()
		const key = "0123456789abcdefghijklmnopqrstuv" // 32 characters, as users type it
		sum := md5.Sum([]byte(key))
		keyMD5 := base64.StdEncoding.EncodeToString(sum[:])
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "small.bin"), "s3://sse-cli/ssec", "--sse-c", "AES256", "--sse-c-key", key)
		roundTrip(t, "ssec", small, "--sse-c", "AES256", "--sse-c-key", key)
		h := head(t, "ssec", "--sse-customer-algorithm", "AES256", "--sse-customer-key", key)
		if str(h, "SSECustomerAlgorithm") != "AES256" || str(h, "SSECustomerKeyMD5") != keyMD5 || h["ServerSideEncryption"] != nil {
			t.Errorf("head-object with the key: %v; want SSECustomerAlgorithm AES256, SSECustomerKeyMD5 %s", h, keyMD5)
		}
		// Without the key, or with another, nothing is served.
		out := srv.AWS(t, S, true, "s3api", "head-object", "--bucket", "sse-cli", "--key", "ssec")
		if !strings.Contains(out, "400") {
			t.Errorf("head-object without the key: %s", out)
		}
		out = srv.AWS(t, S, true, "s3api", "head-object", "--bucket", "sse-cli", "--key", "ssec",
			"--sse-customer-algorithm", "AES256", "--sse-customer-key", strings.ToUpper(key))
		if !strings.Contains(out, "403") {
			t.Errorf("head-object with another key: %s", out)
		}
		out = srv.AWS(t, S, true, "s3", "cp", "s3://sse-cli/ssec", filepath.Join(dir, "dl", "nokey"))
		if !strings.Contains(out, "400") && !strings.Contains(out, "Bad Request") {
			t.Errorf("download without the key: %s", out)
		}
	})

	t.Run("bucket default encryption", func(t *testing.T) {
		t.Parallel()
		srv.AWS(t, S, false, "s3", "mb", "s3://sse-cli-default")
		out := cliJSON(t, srv.AWS(t, S, false, "s3api", "get-bucket-encryption", "--bucket", "sse-cli-default"))
		if !strings.Contains(sseJSON(out), `"SSEAlgorithm":"AES256"`) {
			t.Errorf("get-bucket-encryption of a new bucket: %s", sseJSON(out))
		}
		srv.AWS(t, S, false, "s3api", "put-bucket-encryption", "--bucket", "sse-cli-default", "--server-side-encryption-configuration",
			`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"`+keyARN+`"},"BucketKeyEnabled":true}]}`)
		out = cliJSON(t, srv.AWS(t, S, false, "s3api", "get-bucket-encryption", "--bucket", "sse-cli-default"))
		if got := sseJSON(out); !strings.Contains(got, `"SSEAlgorithm":"aws:kms"`) || !strings.Contains(got, `"KMSMasterKeyID":"`+keyARN+`"`) ||
			!strings.Contains(got, `"BucketKeyEnabled":true`) {
			t.Errorf("get-bucket-encryption: %s", got)
		}
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "small.bin"), "s3://sse-cli-default/plain")
		h := cliJSON(t, srv.AWS(t, S, false, "s3api", "head-object", "--bucket", "sse-cli-default", "--key", "plain"))
		if str(h, "ServerSideEncryption") != "aws:kms" || str(h, "SSEKMSKeyId") != keyARN || h["BucketKeyEnabled"] != true {
			t.Errorf("header-less upload to a KMS-default bucket: %v; want aws:kms under %s with a bucket key", h, keyARN)
		}
		srv.AWS(t, S, false, "s3api", "delete-bucket-encryption", "--bucket", "sse-cli-default")
		out = cliJSON(t, srv.AWS(t, S, false, "s3api", "get-bucket-encryption", "--bucket", "sse-cli-default"))
		if !strings.Contains(sseJSON(out), `"SSEAlgorithm":"AES256"`) {
			t.Errorf("get-bucket-encryption after delete: %s", sseJSON(out))
		}
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "small.bin"), "s3://sse-cli-default/after-delete")
		h = cliJSON(t, srv.AWS(t, S, false, "s3api", "head-object", "--bucket", "sse-cli-default", "--key", "after-delete"))
		if str(h, "ServerSideEncryption") != "AES256" {
			t.Errorf("upload after delete-bucket-encryption: %v", h)
		}
	})

	t.Run("multipart with sse aws:kms", func(t *testing.T) {
		t.Parallel()
		big := sseBody(20<<20, 8, sseMarker("cli"))
		writeFile(t, filepath.Join(dir, "big.bin"), big)
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "big.bin"), "s3://sse-cli/big", "--sse", "aws:kms", "--sse-kms-key-id", keyID)
		h := head(t, "big")
		if str(h, "ServerSideEncryption") != "aws:kms" || str(h, "SSEKMSKeyId") != keyARN || !regexp.MustCompile(`^"[0-9a-f]{32}-\d+"$`).MatchString(str(h, "ETag")) {
			t.Errorf("head-object: %v; want aws:kms under %s with a multipart ETag", h, keyARN)
		}
		roundTrip(t, "big", big)
	})
}

// sseJSON re-encodes a parsed CLI document compactly.
func sseJSON(m map[string]any) string {
	b, _ := json.Marshal(m)
	return string(b)
}
