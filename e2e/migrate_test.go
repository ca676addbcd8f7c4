package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// migrateEnv is the environment of an `arca migrate` run: the test credentials for both
// sides (unless a test gives profiles), no shared config files of the machine's user, and
// a private cache directory.
func migrateEnv(t *testing.T, extra ...string) []string {
	home := t.TempDir()
	env := []string{"AWS_ACCESS_KEY_ID=" + testAccessKey, "AWS_SECRET_ACCESS_KEY=" + testSecretKey,
		"AWS_REGION=" + testRegion, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache")}
	return append(env, extra...)
}

// migrateCmd builds `arca migrate args...` with env (replacing the AWS variables of ours).
func migrateCmd(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(arcaBin, append([]string{"migrate"}, args...)...)
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			base = append(base, kv)
		}
	}
	cmd.Env = append(base, env...)
	return cmd
}

// runMigrate runs arca migrate to its end: stdout, stderr, exit code.
func runMigrate(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := migrateCmd(env, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running arca migrate: %v", err)
	}
	return out.String(), errb.String(), code
}

var migrateReportRE = regexp.MustCompile(`(\d+) copied, (\d+) skipped, (\d+) failed \(\d+ bytes in [0-9.]+s, [0-9.]+ MiB/s\)`)

// wantMigrated checks the final report's counts.
func wantMigrated(t *testing.T, stdout, stderr string, copied, skipped, failed int) {
	t.Helper()
	m := migrateReportRE.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no final report in stdout %q (stderr %q)", stdout, stderr)
	}
	if got := fmt.Sprintf("%s/%s/%s", m[1], m[2], m[3]); got != fmt.Sprintf("%d/%d/%d", copied, skipped, failed) {
		t.Fatalf("report %q: want %d copied, %d skipped, %d failed\nstderr: %s", m[0], copied, skipped, failed, stderr)
	}
}

func sumOf(t testing.TB, c *s3.Client, bucket, key, version string) string {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key}
	if version != "" {
		in.VersionId = &version
	}
	out, err := c.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObject %s/%s@%s: %v", bucket, key, version, err)
	}
	defer out.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		t.Fatalf("reading %s/%s: %v", bucket, key, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// keyHistory is, per key, its versions and delete markers newest first as S3 lists them
// (the raw XML: the SDK splits versions from markers): the first 12 hex digits of the
// SHA-256 of each version's bytes, "DM" for a marker, "*" after the latest. With exact
// false it is only what every source's listing can tell: the versions in order, how many
// markers, and the latest.
func keyHistory(t testing.TB, c *s3.Client, endpoint, bucket string, exact bool) map[string]string {
	t.Helper()
	resp := do(t, endpoint, rawReq{Method: "GET", Path: "/" + bucket, Query: "versions="})
	if resp.Status != 200 {
		t.Fatalf("ListObjectVersions %s: %d %s", bucket, resp.Status, resp.Body)
	}
	var doc struct {
		Entries []struct {
			XMLName        xml.Name
			Key, VersionId string
			IsLatest       bool
		} `xml:",any"`
	}
	if err := xml.Unmarshal(resp.Body, &doc); err != nil {
		t.Fatal(err)
	}
	out, markers := map[string]string{}, map[string]int{}
	for _, e := range doc.Entries {
		var it string
		switch e.XMLName.Local {
		case "Version":
			it = sumOf(t, c, bucket, e.Key, e.VersionId)[:12]
		case "DeleteMarker":
			it = "DM"
			if !exact {
				markers[e.Key]++
				if e.IsLatest {
					markers[e.Key] += 1000
				}
				continue
			}
		default:
			continue
		}
		if e.IsLatest {
			it += "*"
		}
		out[e.Key] += " " + it
	}
	for k, n := range markers {
		out[k] += fmt.Sprintf(" +%d DM (latest: %v)", n%1000, n >= 1000)
	}
	return out
}

func putObj(t testing.TB, c *s3.Client, in *s3.PutObjectInput, body []byte) {
	t.Helper()
	in.Body = bytes.NewReader(body)
	if _, err := c.PutObject(context.Background(), in); err != nil {
		t.Fatalf("PutObject %s: %v", *in.Key, err)
	}
}

// putMultipart uploads body in parts of partSize (a source object whose ETag is not an MD5).
func putMultipart(t testing.TB, c *s3.Client, bucket, key string, body []byte, partSize int) {
	t.Helper()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var parts []types.CompletedPart
	for n, off := int32(1), 0; off < len(body); n, off = n+1, off+partSize {
		end := min(off+partSize, len(body))
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(body[off:end])})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32,
			ChecksumCRC64NVME: out.ChecksumCRC64NVME})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
}

// fillSource writes the mixed set every source test copies: sizes from empty to past the
// 5 MiB part size, one multipart source object, metadata, content headers and tags.
// It returns the keys.
func fillSource(t testing.TB, c *s3.Client, bucket string) []string {
	t.Helper()
	putObj(t, c, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("empty")}, nil)
	putObj(t, c, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("docs/small.txt"), ContentType: aws.String("text/plain"),
		Metadata: map[string]string{"owner": "alice", "project": "arca"}, Tagging: aws.String("team=blue&env=prod"),
		CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String(`attachment; filename="s.txt"`),
		ContentLanguage: aws.String("en"), ContentEncoding: aws.String("identity"),
		Expires: aws.Time(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))}, randBytes(1000, 1))
	putObj(t, c, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("docs/one.json"), ContentType: aws.String("application/json")},
		randBytes(100<<10, 2))
	putObj(t, c, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("big.bin")}, randBytes(13<<20+5, 3))
	putMultipart(t, c, bucket, "mp.bin", randBytes(11<<20, 4), 5<<20)
	return []string{"big.bin", "docs/one.json", "docs/small.txt", "empty", "mp.bin"}
}

// wantSameObjects compares keys' bytes and kept attributes between two buckets.
func wantSameObjects(t *testing.T, sc *s3.Client, sb string, dc *s3.Client, db, dprefix string, keys []string) {
	t.Helper()
	ctx := context.Background()
	for _, k := range keys {
		if a, b := sumOf(t, sc, sb, k, ""), sumOf(t, dc, db, dprefix+k, ""); a != b {
			t.Errorf("%s: destination bytes differ", k)
		}
		sh, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &sb, Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		dh, err := dc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &db, Key: aws.String(dprefix + k), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("HEAD copy of %s: %v", k, err)
		}
		same := func(what string, a, b *string) {
			if aws.ToString(a) != aws.ToString(b) {
				t.Errorf("%s: %s %q at the source, %q in the copy", k, what, aws.ToString(a), aws.ToString(b))
			}
		}
		same("Content-Type", sh.ContentType, dh.ContentType)
		same("Cache-Control", sh.CacheControl, dh.CacheControl)
		same("Content-Disposition", sh.ContentDisposition, dh.ContentDisposition)
		same("Content-Language", sh.ContentLanguage, dh.ContentLanguage)
		same("Content-Encoding", sh.ContentEncoding, dh.ContentEncoding)
		same("Expires", sh.ExpiresString, dh.ExpiresString)
		if fmt.Sprint(sh.Metadata) != fmt.Sprint(dh.Metadata) {
			t.Errorf("%s: metadata %v at the source, %v in the copy", k, sh.Metadata, dh.Metadata)
		}
		if dh.ChecksumCRC64NVME == nil || dh.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("%s: the copy has no full-object CRC64NVME (%v %s)", k, dh.ChecksumCRC64NVME, dh.ChecksumType)
		}
		st, dt := tagsOf(t, sc, sb, k), tagsOf(t, dc, db, dprefix+k)
		if st != dt {
			t.Errorf("%s: tags %q at the source, %q in the copy", k, st, dt)
		}
	}
}

func tagsOf(t testing.TB, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObjectTagging %s: %v", key, err)
	}
	var s []string
	for _, tg := range out.TagSet {
		s = append(s, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	sort.Strings(s)
	return strings.Join(s, "&")
}

// TestMigrateFromArca copies a versioned bucket of a second Arca server, every version and
// delete marker in order, then a prefix of it into an unversioned bucket under a prefix
// with SSE-S3; re-runs skip everything; a dry run copies nothing.
func TestMigrateFromArca(t *testing.T) {
	src, dst := StartServer(t), StartServer(t)
	sc, dc := sdk(t, src, src.HTTPURL), sdk(t, dst, dst.HTTPURL)
	ctx := context.Background()
	mustCreateBucket(t, sc, "msrc")
	enableVersioning(t, sc, "msrc", types.BucketVersioningStatusEnabled)
	keys := fillSource(t, sc, "msrc")
	// Histories: three versions around a delete marker; a key whose latest is a marker.
	for i, b := range []string{"v1", "v2", "", "v3"} {
		if b == "" {
			if _, err := sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("msrc"), Key: aws.String("v.txt")}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		putObj(t, sc, &s3.PutObjectInput{Bucket: aws.String("msrc"), Key: aws.String("v.txt")}, []byte(b+strconv.Itoa(i)))
	}
	// Markers between versions, within one second: the order is S3's listing order, not
	// Last-Modified's.
	for i, b := range []string{"g1", "", "g2", ""} {
		if b == "" {
			if _, err := sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("msrc"), Key: aws.String("gone.txt")}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		putObj(t, sc, &s3.PutObjectInput{Bucket: aws.String("msrc"), Key: aws.String("gone.txt")}, []byte(b+strconv.Itoa(i)))
	}
	const total = 5 + 4 + 4

	mustCreateBucket(t, dc, "mdst")
	env := migrateEnv(t)
	state := filepath.Join(t.TempDir(), "state.jsonl")
	args := []string{"--source-endpoint", src.HTTPURL, "--endpoint", dst.HTTPURL, "--versions", "--part-size", "5MiB",
		"--concurrency", "4", "--state", state, "s3://msrc", "s3://mdst"}

	// --versions refuses an unversioned destination before copying anything.
	_, stderr, code := runMigrate(t, env, args...)
	if code != 2 || !strings.Contains(stderr, "versioning enabled on the destination bucket mdst") {
		t.Fatalf("--versions into an unversioned bucket: exit %d, %s", code, stderr)
	}
	enableVersioning(t, dc, "mdst", types.BucketVersioningStatusEnabled)

	out, stderr, code := runMigrate(t, env, append([]string{"--dry-run"}, args...)...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("dry run: %d to copy", total)) || !strings.Contains(stderr, "would copy mp.bin -> mp.bin") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, stderr)
	}
	if h := keyHistory(t, dc, dst.HTTPURL, "mdst", true); len(h) != 0 {
		t.Fatalf("a dry run wrote %v", h)
	}

	out, stderr, code = runMigrate(t, env, args...)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, total, 0, 0)
	if a, b := keyHistory(t, sc, src.HTTPURL, "msrc", true), keyHistory(t, dc, dst.HTTPURL, "mdst", true); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("version histories differ:\nsource %v\ncopy   %v", a, b)
	}
	wantSameObjects(t, sc, "msrc", dc, "mdst", "", keys)

	out, stderr, code = runMigrate(t, env, args...)
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, 0, total, 0)
	if a, b := keyHistory(t, sc, src.HTTPURL, "msrc", true), keyHistory(t, dc, dst.HTTPURL, "mdst", true); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("a re-run changed the copy:\nsource %v\ncopy   %v", a, b)
	}

	// A prefix into another prefix of an unversioned bucket, SSE-S3 asked for; the journal
	// in the default place (the cache directory).
	mustCreateBucket(t, dc, "plain")
	pargs := []string{"--source-endpoint", src.HTTPURL, "--endpoint", dst.HTTPURL, "--sse", "AES256", "s3://msrc/docs", "s3://plain/moved/"}
	out, stderr, code = runMigrate(t, env, pargs...)
	if code != 0 {
		t.Fatalf("prefix migrate: exit %d\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, 2, 0, 0)
	wantSameObjects(t, sc, "msrc", dc, "plain", "moved/", []string{"one.json", "small.txt"}[:0])
	for _, k := range []string{"one.json", "small.txt"} {
		if a, b := sumOf(t, sc, "msrc", "docs/"+k, ""), sumOf(t, dc, "plain", "moved/"+k, ""); a != b {
			t.Errorf("%s: bytes differ", k)
		}
		h, err := dc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("plain"), Key: aws.String("moved/" + k)})
		if err != nil || h.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("moved/%s: SSE %v, err %v", k, h, err)
		}
	}
	if got := listAll(t, dc, "plain", ""); fmt.Sprint(got) != "[moved/one.json moved/small.txt]" {
		t.Errorf("plain holds %v", got)
	}
	out, stderr, _ = runMigrate(t, env, pargs...)
	wantMigrated(t, out, stderr, 0, 2, 0)
}

// startMoto runs moto_server (an S3 look-alike in Python) on a free loopback port until
// the test ends, or skips the test when the machine has none.
func startMoto(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH (pip install 'moto[server]'): the migration from moto is not tested")
	}
	port := freePort(t)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	u := "http://127.0.0.1:" + port
	for deadline := time.Now().Add(60 * time.Second); ; {
		if resp, err := http.Get(u + "/"); err == nil {
			resp.Body.Close()
			return u
		}
		select {
		case <-done:
			t.Fatalf("moto_server exited:\n%s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer within 60s:\n%s", out.String())
		}
	}
}

func plainS3(endpoint, ak, sk string) *s3.Client {
	return s3.NewFromConfig(aws.Config{Region: testRegion, HTTPClient: HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, "")}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

// TestMigrateFromMoto copies from moto_server, with the source's and Arca's credentials
// each from a profile of the standard shared files, encrypting under SSE-S3.
func TestMigrateFromMoto(t *testing.T) {
	moto := startMoto(t)
	mc := plainS3(moto, "motokey", "motosecret")
	mustCreateBucket(t, mc, "from-moto")
	keys := fillSource(t, mc, "from-moto")
	dst := StartServer(t)
	dc := sdk(t, dst, dst.HTTPURL)
	mustCreateBucket(t, dc, "to-arca")

	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	writeFile(t, cfg, []byte("[profile moto]\nregion = us-east-1\n\n[profile arca]\nregion = us-east-1\n"))
	writeFile(t, creds, []byte("[moto]\naws_access_key_id = motokey\naws_secret_access_key = motosecret\n\n"+
		"[arca]\naws_access_key_id = "+testAccessKey+"\naws_secret_access_key = "+testSecretKey+"\n"))
	env := []string{"AWS_CONFIG_FILE=" + cfg, "AWS_SHARED_CREDENTIALS_FILE=" + creds, "HOME=" + dir,
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	args := []string{"--source-endpoint", moto, "--source-profile", "moto", "--endpoint", dst.HTTPURL, "--profile", "arca",
		"--sse", "AES256", "--part-size", "5MiB", "s3://from-moto", "s3://to-arca"}
	out, stderr, code := runMigrate(t, env, args...)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, len(keys), 0, 0)
	wantSameObjects(t, mc, "from-moto", dc, "to-arca", "", keys)
	for _, k := range keys {
		h, err := dc.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("to-arca"), Key: aws.String(k)})
		if err != nil || h.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("%s: not SSE-S3 in Arca: %v", k, err)
		}
	}
	out, stderr, _ = runMigrate(t, env, args...)
	wantMigrated(t, out, stderr, 0, len(keys), 0)

	// Versions from moto: a history of versions and delete markers in S3's order.
	ctx := context.Background()
	mustCreateBucket(t, mc, "moto-versions")
	enableVersioning(t, mc, "moto-versions", types.BucketVersioningStatusEnabled)
	for i, b := range []string{"a", "", "b", "c", "", "d", ""} {
		if b == "" {
			if _, err := mc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("moto-versions"), Key: aws.String("k")}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		putObj(t, mc, &s3.PutObjectInput{Bucket: aws.String("moto-versions"), Key: aws.String("k")}, []byte(b+strconv.Itoa(i)))
	}
	mustCreateBucket(t, dc, "arca-versions")
	enableVersioning(t, dc, "arca-versions", types.BucketVersioningStatusEnabled)
	vargs := []string{"--source-endpoint", moto, "--source-profile", "moto", "--endpoint", dst.HTTPURL, "--profile", "arca",
		"--versions", "s3://moto-versions", "s3://arca-versions"}
	out, stderr, code = runMigrate(t, env, vargs...)
	if code != 0 {
		t.Fatalf("migrate --versions: exit %d\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, 7, 0, 0)
	if a, b := keyHistory(t, mc, moto, "moto-versions", false), keyHistory(t, dc, dst.HTTPURL, "arca-versions", false); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("version histories differ:\nmoto %v\narca %v", a, b)
	}
}

// TestMigrateDirectory copies a directory tree: keys are relative paths with '/', content
// types guessed from the extension; a file changed afterwards is copied again.
func TestMigrateDirectory(t *testing.T) {
	dst := StartServer(t)
	dc := sdk(t, dst, dst.HTTPURL)
	mustCreateBucket(t, dc, "files")
	root := t.TempDir()
	files := map[string][]byte{"a/b/c.txt": []byte("hello"), "x.json": []byte(`{"a":1}`), "a/empty": nil,
		"a/b.d/big.bin": randBytes(6<<20+1, 7), "a/bz": []byte("z")}
	for p, b := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(p)), b)
	}
	env := migrateEnv(t)
	args := []string{"--endpoint", dst.HTTPURL, "--part-size", "5MiB", "--state", filepath.Join(t.TempDir(), "s"), root, "s3://files/up"}
	out, stderr, code := runMigrate(t, env, append([]string{"--progress"}, args...)...)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, len(files), 0, 0)
	// --progress draws the bar without a terminal, and always its final state.
	if !strings.Contains(stderr, "migrate [========================] 100% 5/5 objects, 5 copied, 0 skipped, 0 failed") {
		t.Errorf("no final progress bar in stderr:\n%q", stderr)
	}
	for p, b := range files {
		got, _ := mustGet(t, dc, &s3.GetObjectInput{Bucket: aws.String("files"), Key: aws.String("up/" + p)})
		if !bytes.Equal(got, b) {
			t.Errorf("up/%s: bytes differ", p)
		}
	}
	h, err := dc.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("files"), Key: aws.String("up/x.json")})
	if err != nil || aws.ToString(h.ContentType) != "application/json" {
		t.Errorf("x.json: Content-Type %q, err %v", aws.ToString(h.ContentType), err)
	}
	later := time.Now().Add(time.Hour)
	writeFile(t, filepath.Join(root, "x.json"), []byte(`{"a":2}`))
	os.Chtimes(filepath.Join(root, "x.json"), later, later)
	out, stderr, _ = runMigrate(t, env, args...)
	wantMigrated(t, out, stderr, 1, len(files)-1, 0)
	if got, _ := mustGet(t, dc, &s3.GetObjectInput{Bucket: aws.String("files"), Key: aws.String("up/x.json")}); string(got) != `{"a":2}` {
		t.Errorf("the changed file was not copied again: %q", got)
	}
}

// TestMigrateKillResume kills `arca migrate` with SIGKILL once its journal shows progress;
// the re-run skips exactly the objects the journal recorded, copies the rest, and every
// object ends byte-identical.
func TestMigrateKillResume(t *testing.T) {
	src, dst := StartServer(t), StartServer(t)
	sc, dc := sdk(t, src, src.HTTPURL), sdk(t, dst, dst.HTTPURL)
	mustCreateBucket(t, sc, "many")
	mustCreateBucket(t, dc, "many")
	const n = 400
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			putObj(t, sc, &s3.PutObjectInput{Bucket: aws.String("many"), Key: aws.String(fmt.Sprintf("obj/%04d", i))},
				randBytes(3000+i, int64(100+i)))
		}()
	}
	wg.Wait()

	env := migrateEnv(t)
	state := filepath.Join(t.TempDir(), "state.jsonl")
	args := []string{"--source-endpoint", src.HTTPURL, "--endpoint", dst.HTTPURL, "--concurrency", "1", "--state", state,
		"s3://many", "s3://many"}
	cmd := migrateCmd(env, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	lines := func() int {
		b, _ := os.ReadFile(state)
		return bytes.Count(b, []byte("\n"))
	}
	for lines() < 20 {
		select {
		case <-exited:
			t.Fatalf("arca migrate ended before it could be killed (too fast for this test?):\n%s", out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	<-exited
	done := lines()
	if done >= n {
		t.Fatalf("the kill came after all %d objects were copied", n)
	}

	stdout, stderr, code := runMigrate(t, env, args...)
	if code != 0 {
		t.Fatalf("re-run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	wantMigrated(t, stdout, stderr, n-done, done, 0)
	if got := listAll(t, dc, "many", ""); len(got) != n {
		t.Fatalf("%d objects in the destination, want %d", len(got), n)
	}
	for i := range n {
		k := fmt.Sprintf("obj/%04d", i)
		if a, b := sumOf(t, sc, "many", k, ""), sumOf(t, dc, "many", k, ""); a != b {
			t.Errorf("%s: bytes differ", k)
		}
	}

	// SIGINT stops a run cleanly: the report of what it did, exit status 1, and the
	// journal holds exactly the objects it reports copied.
	mustCreateBucket(t, dc, "many2")
	state2 := filepath.Join(t.TempDir(), "state2.jsonl")
	args2 := []string{"--source-endpoint", src.HTTPURL, "--endpoint", dst.HTTPURL, "--concurrency", "1", "--state", state2,
		"s3://many", "s3://many2"}
	cmd = migrateCmd(env, args2...)
	var out2, err2 bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out2, &err2
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	state = state2
	for lines() < 10 {
		select {
		case <-exited:
			t.Fatalf("arca migrate ended before SIGINT:\n%s%s", out2.String(), err2.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cmd.Process.Signal(os.Interrupt)
	<-exited
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(err2.String(), "interrupted") {
		t.Fatalf("after SIGINT: exit %d\n%s%s", code, out2.String(), err2.String())
	}
	m := migrateReportRE.FindStringSubmatch(out2.String())
	if m == nil {
		t.Fatalf("no report after SIGINT: %q", out2.String())
	}
	copied, _ := strconv.Atoi(m[1])
	if got := lines(); got != copied {
		t.Fatalf("the journal has %d lines, the report says %d copied", got, copied)
	}
	stdout, stderr, _ = runMigrate(t, env, args2...)
	wantMigrated(t, stdout, stderr, n-copied, copied, 0)
}

// corruptingProxy forwards to target, flipping a byte in the body of every GET of a key
// containing "corrupt"; for keys containing "nosum" it also drops the checksum headers, so
// only the MD5 of the bytes against the ETag can notice.
func corruptingProxy(t *testing.T, target string) string {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		r := resp.Request
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "corrupt") || r.URL.Query().Has("tagging") {
			return nil
		}
		if strings.Contains(r.URL.Path, "nosum") {
			for h := range resp.Header {
				if strings.HasPrefix(strings.ToLower(h), "x-amz-checksum") {
					resp.Header.Del(h)
				}
			}
		}
		resp.Body = &flipper{r: resp.Body, at: 1000}
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}

type flipper struct {
	r   io.ReadCloser
	at  int64
	off int64
}

func (f *flipper) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.at >= f.off && f.at < f.off+int64(n) {
		p[f.at-f.off] ^= 0x01
	}
	f.off += int64(n)
	return n, err
}

func (f *flipper) Close() error { return f.r.Close() }

// TestMigrateCorruptSource: bytes changed on the way from the source fail their objects
// (caught by the source's checksum, or by the MD5 against the ETag when no checksum came),
// nothing of them is left at the destination, the other objects are copied, and the exit
// status is non-zero.
func TestMigrateCorruptSource(t *testing.T) {
	src, dst := StartServer(t), StartServer(t)
	sc, dc := sdk(t, src, src.HTTPURL), sdk(t, dst, dst.HTTPURL)
	mustCreateBucket(t, sc, "csrc")
	mustCreateBucket(t, dc, "cdst")
	putObj(t, sc, &s3.PutObjectInput{Bucket: aws.String("csrc"), Key: aws.String("fine")}, randBytes(5000, 1))
	putObj(t, sc, &s3.PutObjectInput{Bucket: aws.String("csrc"), Key: aws.String("corrupt-nosum")}, randBytes(64<<10, 2))
	putMultipart(t, sc, "csrc", "corrupt-mp", randBytes(11<<20, 3), 5<<20)
	proxy := corruptingProxy(t, src.HTTPURL)
	out, stderr, code := runMigrate(t, migrateEnv(t), "--source-endpoint", proxy, "--endpoint", dst.HTTPURL, "--part-size", "5MiB",
		"--state", filepath.Join(t.TempDir(), "state"), "s3://csrc", "s3://cdst")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, 1, 0, 2)
	for _, k := range []string{"corrupt-nosum", "corrupt-mp"} {
		if !strings.Contains(stderr, "arca: failed: "+k+": ") {
			t.Errorf("stderr does not name %s:\n%s", k, stderr)
		}
	}
	if !strings.Contains(stderr, "the bytes read have MD5") {
		t.Errorf("the MD5 check did not catch corrupt-nosum:\n%s", stderr)
	}
	if got := listAll(t, dc, "cdst", ""); fmt.Sprint(got) != "[fine]" {
		t.Errorf("destination holds %v, want only [fine]", got)
	}
	ups, err := dc.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("cdst")})
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("multipart uploads left behind: %v %v", ups, err)
	}
}

// TestMigrateAuthorization: a caller whose policy lacks s3:PutObject on the destination
// is refused object by object (AccessDenied, nothing written, exit status 1); one allowed
// to write and to use a KMS key gets copies under that key with a bucket key.
func TestMigrateAuthorization(t *testing.T) {
	dst := StartServer(t)
	dc := sdk(t, dst, dst.HTTPURL)
	mustCreateBucket(t, dc, "guarded")
	root := iamClient(dst.HTTPURL, testAccessKey, testSecretKey)
	_, keyARN := sseCreateKey(t, kmsClient(dst.HTTPURL, testAccessKey, testSecretKey), "migration target")
	bucketARNs := `["arn:aws:s3:::guarded","arn:aws:s3:::guarded/*"]`
	reader := authzUser(t, root, "reader", authzAllow(`["s3:ListBucket","s3:GetObject"]`, bucketARNs))
	writer := authzUser(t, root, "writer", authzAllow(`["s3:ListBucket","s3:GetObject","s3:PutObject","s3:PutObjectTagging"]`, bucketARNs),
		authzAllow(`["kms:GenerateDataKey","kms:Decrypt"]`, `"`+keyARN+`"`))

	dir := t.TempDir()
	files := map[string][]byte{"a.txt": []byte("a"), "b/c.bin": randBytes(6<<20, 9)}
	for p, b := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), b)
	}
	args := []string{"--endpoint", dst.HTTPURL, "--part-size", "5MiB", "--sse", "aws:kms", "--sse-kms-key-id", keyARN, "--bucket-key",
		"--state", filepath.Join(t.TempDir(), "state"), dir, "s3://guarded"}
	as := func(c authzCreds) []string {
		return migrateEnv(t, "AWS_ACCESS_KEY_ID="+c.AK, "AWS_SECRET_ACCESS_KEY="+c.SK)
	}

	out, stderr, code := runMigrate(t, as(reader), args...)
	if code != 1 {
		t.Fatalf("reader: exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, 0, 0, len(files))
	if strings.Count(stderr, "AccessDenied") < len(files) {
		t.Errorf("the refusals do not say AccessDenied:\n%s", stderr)
	}
	if got := listAll(t, dc, "guarded", ""); len(got) != 0 {
		t.Fatalf("a refused caller wrote %v", got)
	}

	out, stderr, code = runMigrate(t, as(writer), args...)
	if code != 0 {
		t.Fatalf("writer: exit %d\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, len(files), 0, 0)
	for p, b := range files {
		got, o := mustGet(t, dc, &s3.GetObjectInput{Bucket: aws.String("guarded"), Key: aws.String(p)})
		if !bytes.Equal(got, b) || o.ServerSideEncryption != types.ServerSideEncryptionAwsKms ||
			aws.ToString(o.SSEKMSKeyId) != keyARN || !aws.ToBool(o.BucketKeyEnabled) {
			t.Errorf("%s: SSE %s key %s bucket key %v, bytes equal %v", p, o.ServerSideEncryption, aws.ToString(o.SSEKMSKeyId),
				aws.ToBool(o.BucketKeyEnabled), bytes.Equal(got, b))
		}
	}
}

// TestMigrateBadCopy: when the destination states a copy that is not what was sent (a proxy
// in front of Arca changes the checksum a HEAD of "badcopy" states), that version is deleted
// and the object reported failed; the other object is copied.
func TestMigrateBadCopy(t *testing.T) {
	src, dst := StartServer(t), StartServer(t)
	sc, dc := sdk(t, src, src.HTTPURL), sdk(t, dst, dst.HTTPURL)
	mustCreateBucket(t, sc, "bsrc")
	mustCreateBucket(t, dc, "bdst")
	enableVersioning(t, dc, "bdst", types.BucketVersioningStatusEnabled)
	putObj(t, sc, &s3.PutObjectInput{Bucket: aws.String("bsrc"), Key: aws.String("good")}, randBytes(2000, 1))
	putObj(t, sc, &s3.PutObjectInput{Bucket: aws.String("bsrc"), Key: aws.String("badcopy")}, randBytes(3000, 2))
	u, _ := url.Parse(dst.HTTPURL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodHead && strings.HasSuffix(resp.Request.URL.Path, "/badcopy") &&
			resp.Header.Get("x-amz-checksum-crc64nvme") != "" {
			resp.Header.Set("x-amz-checksum-crc64nvme", "AAAAAAAAAAA=")
		}
		return nil
	}
	proxy := httptest.NewServer(rp)
	t.Cleanup(proxy.Close)
	out, stderr, code := runMigrate(t, migrateEnv(t), "--source-endpoint", src.HTTPURL, "--endpoint", proxy.URL,
		"--state", filepath.Join(t.TempDir(), "state"), "s3://bsrc", "s3://bdst")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	wantMigrated(t, out, stderr, 1, 0, 1)
	if !strings.Contains(stderr, "arca: failed: badcopy: verification failed: the destination states") {
		t.Errorf("stderr does not explain the bad copy:\n%s", stderr)
	}
	if h := keyHistory(t, dc, dst.HTTPURL, "bdst", true); len(h) != 1 || h["good"] == "" {
		t.Errorf("destination versions %v: want only good's, every bad copy deleted", h)
	}
}
