package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// cliJSON parses the JSON document the aws CLI printed.
func cliJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	i := strings.IndexByte(out, '{')
	if i < 0 {
		t.Fatalf("no JSON in aws output:\n%s", out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out[i:]), &m); err != nil {
		t.Fatalf("aws output is not JSON (%v):\n%s", err, out)
	}
	return m
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// treeOf maps each regular file under root (slash-separated, relative) to its content.
func treeOf(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(readFile(t, p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func listAll(t *testing.T, c *s3.Client, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("listing %s/%s: %v", bucket, prefix, err)
		}
		keys = append(keys, keysOf(out.Contents)...)
	}
	return keys
}

// TestCLIHighLevel: aws s3 mb, cp (small, and 20 MiB which the CLI sends as multipart),
// ls, sync both ways, rm --recursive, rb.
func TestCLIHighLevel(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	ctx := context.Background()
	dir := t.TempDir()
	H, S := srv.HTTPURL, srv.HTTPSURL
	quiet := "--only-show-errors"

	out := srv.AWS(t, H, false, "s3", "mb", "s3://cli-high")
	if !strings.Contains(out, "make_bucket: cli-high") {
		t.Errorf("s3 mb output:\n%s", out)
	}

	t.Run("cp-small", func(t *testing.T) {
		small := []byte("a small file for the aws CLI\n")
		writeFile(t, filepath.Join(dir, "small.txt"), small)
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "small.txt"), "s3://cli-high/docs/small file.txt")
		srv.AWS(t, H, false, "s3", "cp", quiet, "s3://cli-high/docs/small file.txt", filepath.Join(dir, "dl", "small.txt"))
		if got := readFile(t, filepath.Join(dir, "dl", "small.txt")); !bytes.Equal(got, small) {
			t.Errorf("downloaded %q, want %q", got, small)
		}
	})
	t.Run("cp-20MiB-multipart", func(t *testing.T) {
		big := randBytes(20*mib, 20)
		writeFile(t, filepath.Join(dir, "big.bin"), big)
		srv.AWS(t, H, false, "s3", "cp", quiet, filepath.Join(dir, "big.bin"), "s3://cli-high/big/big.bin")
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cli-high"), Key: aws.String("big/big.bin")})
		if err != nil {
			t.Fatal(err)
		}
		// The CLI's defaults: multipart from 8 MiB, in 8 MiB parts.
		if want := multipartETag(split(big, 8*mib)...); aws.ToString(head.ETag) != want {
			t.Errorf("ETag %s, want the 3-part %s", aws.ToString(head.ETag), want)
		}
		srv.AWS(t, S, false, "s3", "cp", quiet, "s3://cli-high/big/big.bin", filepath.Join(dir, "dl", "big.bin"))
		if got := readFile(t, filepath.Join(dir, "dl", "big.bin")); !bytes.Equal(got, big) {
			t.Errorf("downloaded %d bytes differ from the %d uploaded", len(got), len(big))
		}
		// Upload over HTTPS too (aws-chunked parts with checksum trailers).
		srv.AWS(t, S, false, "s3", "cp", quiet, filepath.Join(dir, "big.bin"), "s3://cli-high/big/big-tls.bin")
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("cli-high"), Key: aws.String("big/big-tls.bin")})
		if !bytes.Equal(got, big) {
			t.Errorf("HTTPS multipart upload: stored %d bytes differ from the %d uploaded", len(got), len(big))
		}
	})
	t.Run("ls", func(t *testing.T) {
		out := srv.AWS(t, S, false, "s3", "ls")
		if !strings.Contains(out, "cli-high") {
			t.Errorf("s3 ls (buckets):\n%s", out)
		}
		out = srv.AWS(t, H, false, "s3", "ls", "s3://cli-high/")
		if !strings.Contains(out, "PRE big/") || !strings.Contains(out, "PRE docs/") || strings.Contains(out, "small file.txt") {
			t.Errorf("s3 ls top level, want PRE big/ and PRE docs/ only:\n%s", out)
		}
		out = srv.AWS(t, H, false, "s3", "ls", "s3://cli-high/docs/")
		if !strings.Contains(out, " 29 small file.txt") {
			t.Errorf("s3 ls docs/:\n%s", out)
		}
		out = srv.AWS(t, S, false, "s3", "ls", "--recursive", "s3://cli-high/")
		for _, want := range []string{fmt.Sprintf("%d big/big.bin", 20*mib), " 29 docs/small file.txt"} {
			if !strings.Contains(out, want) {
				t.Errorf("s3 ls --recursive lacks %q:\n%s", want, out)
			}
		}
		out = srv.AWS(t, S, false, "s3", "ls", "s3://cli-high/do")
		if !strings.Contains(out, "PRE docs/") {
			t.Errorf("s3 ls with a partial prefix:\n%s", out)
		}
	})
	t.Run("sync", func(t *testing.T) {
		src := filepath.Join(dir, "tree")
		files := map[string]string{
			"a.txt":                   "alpha",
			"sub/b.txt":               "beta",
			"sub/deeper/c.bin":        string(randBytes(100<<10, 5)),
			"space dir/ünïcode+1.txt": "gamma",
			"empty":                   "",
		}
		for name, content := range files {
			writeFile(t, filepath.Join(src, filepath.FromSlash(name)), []byte(content))
		}
		srv.AWS(t, S, false, "s3", "sync", "--no-progress", src, "s3://cli-high/tree")
		keys := listAll(t, c, "cli-high", "tree/")
		var want []string
		for name := range files {
			want = append(want, "tree/"+name)
		}
		sort.Strings(want)
		if fmt.Sprint(keys) != fmt.Sprint(want) {
			t.Errorf("after sync up: keys %q, want %q", keys, want)
		}
		back := filepath.Join(dir, "back")
		srv.AWS(t, H, false, "s3", "sync", "--no-progress", "s3://cli-high/tree", back)
		if got := treeOf(t, back); fmt.Sprint(got) != fmt.Sprint(files) {
			t.Errorf("synced back tree differs: got %d files, want %d", len(got), len(files))
			for name, content := range files {
				if got[name] != content {
					t.Errorf("  %s: %d bytes, want %d", name, len(got[name]), len(content))
				}
			}
		}
		// Nothing changed: a second sync uploads nothing.
		if out := srv.AWS(t, H, false, "s3", "sync", "--no-progress", src, "s3://cli-high/tree"); strings.Contains(out, "upload:") {
			t.Errorf("second sync uploaded again:\n%s", out)
		}
		// A changed file is uploaded, --delete removes what is gone locally.
		writeFile(t, filepath.Join(src, "sub", "b.txt"), []byte("beta, longer now"))
		os.Remove(filepath.Join(src, "a.txt"))
		out := srv.AWS(t, S, false, "s3", "sync", "--no-progress", "--delete", src, "s3://cli-high/tree")
		if !strings.Contains(out, "upload:") || !strings.Contains(out, "delete: s3://cli-high/tree/a.txt") {
			t.Errorf("sync --delete output:\n%s", out)
		}
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("cli-high"), Key: aws.String("tree/sub/b.txt")})
		if string(got) != "beta, longer now" {
			t.Errorf("tree/sub/b.txt after sync: %q", got)
		}
	})
	t.Run("rm-recursive", func(t *testing.T) {
		srv.AWS(t, H, false, "s3", "rm", quiet, "--recursive", "s3://cli-high/tree")
		if keys := listAll(t, c, "cli-high", "tree/"); len(keys) != 0 {
			t.Errorf("after rm --recursive: %q left", keys)
		}
		if keys := listAll(t, c, "cli-high", ""); len(keys) != 3 {
			t.Errorf("rm --recursive of tree/ touched other keys: %q", keys)
		}
	})
	t.Run("rb", func(t *testing.T) {
		out := srv.AWS(t, S, true, "s3", "rb", "s3://cli-high")
		if !strings.Contains(out, "BucketNotEmpty") {
			t.Errorf("s3 rb of a non-empty bucket:\n%s", out)
		}
		srv.AWS(t, S, false, "s3", "rm", quiet, "--recursive", "s3://cli-high")
		out = srv.AWS(t, H, false, "s3", "rb", "s3://cli-high")
		if !strings.Contains(out, "remove_bucket: cli-high") {
			t.Errorf("s3 rb output:\n%s", out)
		}
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("cli-high")})
		wantAPIError(t, err, "", 404)
	})
}

// TestCLIS3API: aws s3api object calls, a multipart upload by hand, delete-objects, and
// errors by exit code and message.
func TestCLIS3API(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	dir := t.TempDir()
	H, S := srv.HTTPURL, srv.HTTPSURL
	srv.AWS(t, S, false, "s3api", "create-bucket", "--bucket", "cli-api")
	body := []byte("0123456789 s3api body")
	writeFile(t, filepath.Join(dir, "body.txt"), body)

	t.Run("put-head-get", func(t *testing.T) {
		for _, ep := range []string{H, S} {
			out := cliJSON(t, srv.AWS(t, ep, false, "s3api", "put-object", "--bucket", "cli-api", "--key", "meta/obj.txt",
				"--body", filepath.Join(dir, "body.txt"), "--content-type", "text/plain", "--metadata", "color=blue,Mixed-Case=Value"))
			if out["ETag"] != quotedMD5(body) {
				t.Errorf("put-object ETag %v, want %s", out["ETag"], quotedMD5(body))
			}
			head := cliJSON(t, srv.AWS(t, ep, false, "s3api", "head-object", "--bucket", "cli-api", "--key", "meta/obj.txt"))
			if md := fmt.Sprint(head["Metadata"]); md != "map[color:blue mixed-case:Value]" {
				t.Errorf("head-object Metadata %s", md)
			}
			if head["ContentType"] != "text/plain" || head["ContentLength"] != float64(len(body)) {
				t.Errorf("head-object ContentType %v ContentLength %v", head["ContentType"], head["ContentLength"])
			}
			outFile := filepath.Join(dir, "range.out")
			get := cliJSON(t, srv.AWS(t, ep, false, "s3api", "get-object", "--bucket", "cli-api", "--key", "meta/obj.txt",
				"--range", "bytes=2-5", outFile))
			if want := fmt.Sprintf("bytes 2-5/%d", len(body)); get["ContentRange"] != want {
				t.Errorf("get-object --range ContentRange %v, want %s", get["ContentRange"], want)
			}
			if got := readFile(t, outFile); string(got) != "2345" {
				t.Errorf("get-object --range body %q, want 2345", got)
			}
		}
	})
	t.Run("list-objects-v2-paging", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			mustPut(t, c, "cli-api", fmt.Sprintf("page/%d", i), []byte("x"))
		}
		keys := func(m map[string]any) []string {
			var ks []string
			cs, _ := m["Contents"].([]any)
			for _, o := range cs {
				ks = append(ks, fmt.Sprint(o.(map[string]any)["Key"]))
			}
			return ks
		}
		first := cliJSON(t, srv.AWS(t, H, false, "s3api", "list-objects-v2", "--bucket", "cli-api", "--prefix", "page/",
			"--max-items", "3", "--page-size", "2"))
		if fmt.Sprint(keys(first)) != "[page/0 page/1 page/2]" {
			t.Errorf("first 3 items: %q", keys(first))
		}
		token, _ := first["NextToken"].(string)
		if token == "" {
			t.Fatalf("no NextToken after --max-items 3 of 5: %v", first)
		}
		rest := cliJSON(t, srv.AWS(t, S, false, "s3api", "list-objects-v2", "--bucket", "cli-api", "--prefix", "page/",
			"--max-items", "3", "--page-size", "2", "--starting-token", token))
		if fmt.Sprint(keys(rest)) != "[page/3 page/4]" {
			t.Errorf("rest: %q", keys(rest))
		}
		if _, ok := rest["NextToken"]; ok {
			t.Errorf("NextToken on the last page: %v", rest["NextToken"])
		}
	})
	t.Run("copy-object", func(t *testing.T) {
		out := cliJSON(t, srv.AWS(t, H, false, "s3api", "copy-object", "--bucket", "cli-api", "--key", "copy/obj copy.txt",
			"--copy-source", "cli-api/meta/obj.txt"))
		res, _ := out["CopyObjectResult"].(map[string]any)
		if res["ETag"] != quotedMD5(body) {
			t.Errorf("copy-object result %v", out)
		}
		got, o := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("cli-api"), Key: aws.String("copy/obj copy.txt")})
		if !bytes.Equal(got, body) || o.Metadata["color"] != "blue" {
			t.Errorf("copy: body %q metadata %v", got, o.Metadata)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		part1, part2 := randBytes(5*mib, 51), []byte("the small last part")
		writeFile(t, filepath.Join(dir, "part1"), part1)
		writeFile(t, filepath.Join(dir, "part2"), part2)
		for _, ep := range []string{H, S} {
			key := "mp/assembled-" + strings.SplitN(ep, ":", 2)[0]
			cr := cliJSON(t, srv.AWS(t, ep, false, "s3api", "create-multipart-upload", "--bucket", "cli-api", "--key", key))
			id, _ := cr["UploadId"].(string)
			if id == "" {
				t.Fatalf("create-multipart-upload: %v", cr)
			}
			var parts []map[string]any
			for i, f := range []string{"part1", "part2"} {
				up := cliJSON(t, srv.AWS(t, ep, false, "s3api", "upload-part", "--bucket", "cli-api", "--key", key,
					"--upload-id", id, "--part-number", fmt.Sprint(i+1), "--body", filepath.Join(dir, f)))
				parts = append(parts, map[string]any{"ETag": up["ETag"], "PartNumber": i + 1})
			}
			pj, _ := json.Marshal(map[string]any{"Parts": parts})
			writeFile(t, filepath.Join(dir, "parts.json"), pj)
			done := cliJSON(t, srv.AWS(t, ep, false, "s3api", "complete-multipart-upload", "--bucket", "cli-api", "--key", key,
				"--upload-id", id, "--multipart-upload", "file://"+filepath.Join(dir, "parts.json")))
			if done["ETag"] != multipartETag(part1, part2) {
				t.Errorf("complete-multipart-upload ETag %v, want %s", done["ETag"], multipartETag(part1, part2))
			}
			got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("cli-api"), Key: aws.String(key)})
			if !bytes.Equal(got, append(append([]byte(nil), part1...), part2...)) {
				t.Errorf("%s: assembled %d bytes differ", key, len(got))
			}
		}
	})
	t.Run("delete-objects", func(t *testing.T) {
		del := `{"Objects":[{"Key":"page/0"},{"Key":"page/1"},{"Key":"never/existed"}],"Quiet":false}`
		writeFile(t, filepath.Join(dir, "del.json"), []byte(del))
		out := cliJSON(t, srv.AWS(t, S, false, "s3api", "delete-objects", "--bucket", "cli-api", "--delete", "file://"+filepath.Join(dir, "del.json")))
		deleted, _ := out["Deleted"].([]any)
		if len(deleted) != 3 || out["Errors"] != nil {
			t.Errorf("delete-objects: %v", out)
		}
		if keys := listAll(t, c, "cli-api", "page/"); fmt.Sprint(keys) != "[page/2 page/3 page/4]" {
			t.Errorf("after delete-objects: %q", keys)
		}
	})
	t.Run("errors", func(t *testing.T) {
		out := srv.AWS(t, H, true, "s3api", "head-object", "--bucket", "cli-api", "--key", "missing")
		if !strings.Contains(out, "404") || !strings.Contains(out, "Not Found") {
			t.Errorf("head-object of a missing key:\n%s", out)
		}
		out = srv.AWS(t, S, true, "s3api", "get-object", "--bucket", "cli-api", "--key", "missing", filepath.Join(dir, "x"))
		if !strings.Contains(out, "NoSuchKey") {
			t.Errorf("get-object of a missing key:\n%s", out)
		}
		out = srv.AWS(t, S, true, "s3api", "list-objects-v2", "--bucket", "no-such-bucket")
		if !strings.Contains(out, "NoSuchBucket") {
			t.Errorf("list-objects-v2 of a missing bucket:\n%s", out)
		}
		out = srv.AWS(t, H, true, "s3", "cp", "s3://cli-api/missing", filepath.Join(dir, "x"))
		if !strings.Contains(out, "404") {
			t.Errorf("s3 cp of a missing key:\n%s", out)
		}
	})
}
