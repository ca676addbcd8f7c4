package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	bolt "go.etcd.io/bbolt"
)

// arcaExit runs arca and returns its combined output and exit status.
func arcaExit(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := runArca(args...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &exit):
		return out, exit.ExitCode()
	}
	t.Fatalf("running arca %v: %v", args, err)
	return "", 0
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// flipStoredByte changes one byte in the middle of the stored (encrypted) bytes of
// bucket/key in a stopped server's data directory: the blob file, or the small blob kept
// in meta.db.
func flipStoredByte(t *testing.T, dir, bucket, key string) {
	t.Helper()
	sseWithBolt(t, dir, func(tx *bolt.Tx) {
		v := tx.Bucket([]byte("objects")).Bucket([]byte(bucket)).Get([]byte(key))
		var rec struct {
			Pieces []struct{ Blob string }
		}
		_, body := splitRecord(t, v)
		if err := json.Unmarshal(body, &rec); err != nil || len(rec.Pieces) != 1 || len(rec.Pieces[0].Blob) != 32 {
			t.Fatalf("record of %s/%s: %v %s", bucket, key, err, v)
		}
		id := rec.Pieces[0].Blob
		if p := filepath.Join(dir, "blobs", id[:2], id); fileExists(p) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x01
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
		small := tx.Bucket([]byte("blobs"))
		b := append([]byte(nil), small.Get([]byte(id))...)
		if len(b) == 0 {
			t.Fatalf("blob %s of %s/%s is neither a file nor in meta.db", id, bucket, key)
		}
		sseCheckStream(t, key, b)
		b[len(b)/2] ^= 0x01
		if err := small.Put([]byte(id), b); err != nil {
			t.Fatal(err)
		}
	})
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestTrailVerifyOffline: two trails with validation, one SSE-S3 and one under a KMS key,
// flushed twice; with the server stopped `arca audit verify --data` vouches for every
// digest and log (and changes nothing); a log rewritten with one byte changed and a
// deleted digest are named; a flipped byte of a log's stored blob is that file invalid.
func TestTrailVerifyOffline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "root-key")
	writeKeyFile(t, keyFile)
	srv := StartServerAt(t, dir, "--root-key-file", keyFile)
	c := srv.S3(srv.HTTPURL)
	mustCreateBucket(t, c, "trail-s3")
	mustCreateBucket(t, c, "trail-kms")
	mustCreateBucket(t, c, "work")
	kc := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	for _, tr := range []struct{ name, bucket, kms string }{{"verify-s3", "trail-s3", ""}, {"verify-kms", "trail-kms", aws.ToString(key.KeyMetadata.Arn)}} {
		in := &cloudtrail.CreateTrailInput{Name: aws.String(tr.name), S3BucketName: aws.String(tr.bucket), EnableLogFileValidation: aws.Bool(true)}
		if tr.kms != "" {
			in.KmsKeyId = aws.String(tr.kms)
		}
		if _, err := ct.CreateTrail(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(tr.name)}); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range []string{"a.txt", "b.txt"} {
		mustPut(t, c, "work", k, []byte(strings.Repeat("x", 100*(i+1))))
		mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("work"), Key: aws.String(k)})
		flushTrail(t, srv, "verify-s3")
		flushTrail(t, srv, "verify-kms")
	}
	files := map[string][]string{}
	for _, b := range []string{"trail-s3", "trail-kms"} {
		files[b+" digests"] = trailObjects(t, c, b, "/CloudTrail-Digest/")
		files[b+" logs"] = trailObjects(t, c, b, "/CloudTrail/")
		if len(files[b+" digests"]) != 2 || len(files[b+" logs"]) != 2 {
			t.Fatalf("%s: want 2 digests and 2 logs: %v", b, files)
		}
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-kms"), Key: aws.String(files["trail-kms logs"][0])}); err != nil ||
		aws.ToString(h.SSEKMSKeyId) != aws.ToString(key.KeyMetadata.Arn) {
		t.Fatalf("the KMS trail's log is not SSE-KMS: %v", err)
	}
	verify := []string{"audit", "verify", "--data", dir, "--root-key-file", keyFile, "--verbose"}
	if out, code := arcaExit(t, verify...); code != 1 || !strings.Contains(out, "is the server still running?") {
		t.Fatalf("verify while the server runs: exit %d\n%s", code, out)
	}
	srv.Stop()

	// Untouched: everything valid, and the data directory is not changed.
	before := fileSum(t, filepath.Join(dir, "meta.db"))
	out, code := arcaExit(t, verify...)
	if code != 0 || !strings.Contains(out, "arca: audit trail intact:") || strings.Count(out, "2/2 digest files valid\n2/2 log files valid") != 2 || strings.Contains(out, "INVALID") {
		t.Fatalf("untouched: exit %d\n%s", code, out)
	}
	for _, b := range []string{"trail-s3", "trail-kms"} {
		for _, k := range append(files[b+" digests"], files[b+" logs"]...) {
			kind := "Log file"
			if strings.Contains(k, "/CloudTrail-Digest/") {
				kind = "Digest file"
			}
			if !strings.Contains(out, kind+"\ts3://"+b+"/"+k+"\tvalid\n") {
				t.Fatalf("untouched: %s/%s not reported valid:\n%s", b, k, out)
			}
		}
	}
	if fileSum(t, filepath.Join(dir, "meta.db")) != before || fileExists(filepath.Join(dir, "kms-root-key")) {
		t.Fatal("verify changed the data directory")
	}
	if out, code := arcaExit(t, "audit", "verify", "--data", dir); code != 1 || !strings.Contains(out, "root key") {
		t.Fatalf("verify without the root key: exit %d\n%s", code, out)
	}
	if out, code := arcaExit(t, "audit", "verify", "--data", dir, "--root-key-file", keyFile, "--trail", "nope"); code != 2 || !strings.Contains(out, `no trail "nope"`) {
		t.Fatalf("verify of an unknown trail: exit %d\n%s", code, out)
	}

	// A log rewritten through S3 with one byte changed, and a digest deleted.
	srv = StartServerAt(t, dir, "--root-key-file", keyFile)
	c = srv.S3(srv.HTTPURL)
	changedLog := files["trail-s3 logs"][1]
	orig := getObject(t, c, "trail-s3", changedLog)
	plain := gunzipBytes(t, orig.body)
	plain[len(plain)/2] ^= 0x01
	putObject(t, c, "trail-s3", changedLog, storedObject{body: gzipBytes(t, plain), meta: orig.meta})
	deletedDigest := files["trail-kms digests"][0]
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("trail-kms"), Key: aws.String(deletedDigest)}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	out, code = arcaExit(t, verify[:6]...) // without --verbose: only the invalid files
	wantLines := []string{
		"Log file\ts3://trail-s3/" + changedLog + "\tINVALID: hash value doesn't match\n",
		"Digest file\ts3://trail-kms/" + deletedDigest + "\tINVALID: not found\n",
	}
	for _, l := range wantLines {
		if !strings.Contains(out, l) {
			t.Fatalf("changed log and deleted digest: want %q (exit %d):\n%s", l, code, out)
		}
	}
	if code != 1 || strings.Count(out, "\tINVALID") != 2 || !strings.Contains(out, "1/2 digest files valid, 1/2 digest files INVALID") {
		t.Fatalf("changed log and deleted digest: exit %d, want exactly the two files:\n%s", code, out)
	}

	// One byte of another log's stored (encrypted) bytes flipped on disk.
	damaged := files["trail-s3 logs"][0]
	flipStoredByte(t, dir, "trail-s3", damaged)
	out, code = arcaExit(t, verify[:6]...)
	if code != 1 || !strings.Contains(out, "Log file\ts3://trail-s3/"+damaged+"\tINVALID: unreadable") || strings.Contains(out, "panic") ||
		strings.Count(out, "\tINVALID") != 3 {
		t.Fatalf("flipped stored byte: exit %d\n%s", code, out)
	}
}
