package e2e

// Writes: flexible checksums, copy, concurrent writers, multi-object delete.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func hashB64(h hash.Hash, b []byte) string { h.Write(b); return b64(h.Sum(nil)) }

func crc32B64(tab *crc32.Table, b []byte) string {
	return b64(binary.BigEndian.AppendUint32(nil, crc32.Checksum(b, tab)))
}

var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

var checksumAlgos = []checksumAlgo{
	{types.ChecksumAlgorithmCrc32, func(b []byte) string { return crc32B64(crc32.IEEETable, b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumCRC32 },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC32 },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumCRC32 },
		func(in *s3.PutObjectInput, v string) { in.ChecksumCRC32 = &v }},
	{types.ChecksumAlgorithmCrc32c, func(b []byte) string { return crc32B64(crc32.MakeTable(crc32.Castagnoli), b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumCRC32C },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC32C },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumCRC32C },
		func(in *s3.PutObjectInput, v string) { in.ChecksumCRC32C = &v }},
	{types.ChecksumAlgorithmCrc64nvme, func(b []byte) string {
		return b64(binary.BigEndian.AppendUint64(nil, crc64.Checksum(b, crc64NVME)))
	},
		func(o *s3.PutObjectOutput) *string { return o.ChecksumCRC64NVME },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumCRC64NVME },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumCRC64NVME },
		func(in *s3.PutObjectInput, v string) { in.ChecksumCRC64NVME = &v }},
	{types.ChecksumAlgorithmSha1, func(b []byte) string { return hashB64(sha1.New(), b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumSHA1 },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumSHA1 },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumSHA1 },
		func(in *s3.PutObjectInput, v string) { in.ChecksumSHA1 = &v }},
	{types.ChecksumAlgorithmSha256, func(b []byte) string { return hashB64(sha256.New(), b) },
		func(o *s3.PutObjectOutput) *string { return o.ChecksumSHA256 },
		func(o *s3.GetObjectOutput) *string { return o.ChecksumSHA256 },
		func(o *s3.HeadObjectOutput) *string { return o.ChecksumSHA256 },
		func(in *s3.PutObjectInput, v string) { in.ChecksumSHA256 = &v }},
}

// TestObjectChecksums: the SDK's default CRC32 (trailer over HTTPS, header over HTTP),
// each explicit algorithm, precomputed values; stored checksums come back with
// ChecksumMode ENABLED; wrong checksums and Content-MD5 are refused and store nothing.
func TestObjectChecksums(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	data := randBytes(100<<10+11, 42)
	small := []byte("small checksummed body")
	for _, ep := range bothEndpoints(srv) {
		c := sdk(t, srv, ep.URL, withSDKChecksums)
		bucket := "sums-" + ep.Name
		mustCreateBucket(t, c, bucket)

		t.Run(ep.Name+"/default-crc32", func(t *testing.T) {
			put := mustPut(t, c, bucket, "default", data)
			want := crc32B64(crc32.IEEETable, data)
			if got := aws.ToString(put.ChecksumCRC32); got != want {
				t.Errorf("PUT x-amz-checksum-crc32 %q, want %q", got, want)
			}
			_, out := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("default"), ChecksumMode: types.ChecksumModeEnabled})
			if got := aws.ToString(out.ChecksumCRC32); got != want {
				t.Errorf("GET x-amz-checksum-crc32 %q, want %q", got, want)
			}
		})
		for _, ca := range checksumAlgos {
			for _, body := range [][]byte{small, data} {
				name := fmt.Sprintf("%s/%s/%d", ep.Name, ca.algo, len(body))
				t.Run(name, func(t *testing.T) {
					key := fmt.Sprintf("%s-%d", ca.algo, len(body))
					want := ca.sum(body)
					put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key,
						Body: bytes.NewReader(body), ChecksumAlgorithm: ca.algo})
					if err != nil {
						t.Fatalf("PutObject: %v", err)
					}
					if got := aws.ToString(ca.put(put)); got != want {
						t.Errorf("PUT checksum %q, want %q", got, want)
					}
					got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
					if !bytes.Equal(got, body) {
						t.Errorf("GET body differs")
					}
					if got := aws.ToString(ca.get(out)); got != want {
						t.Errorf("GET checksum %q, want %q", got, want)
					}
					if out.ChecksumType != "" && out.ChecksumType != types.ChecksumTypeFullObject {
						t.Errorf("GET ChecksumType %q, want FULL_OBJECT", out.ChecksumType)
					}
					head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
					if err != nil {
						t.Fatalf("HeadObject: %v", err)
					}
					if got := aws.ToString(ca.head(head)); got != want {
						t.Errorf("HEAD checksum %q, want %q", got, want)
					}

					// Precomputed, sent as a header.
					pin := &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key + "-pre"), Body: bytes.NewReader(body)}
					ca.set(pin, want)
					if _, err := c.PutObject(ctx, pin); err != nil {
						t.Errorf("PutObject with a correct precomputed %s: %v", ca.algo, err)
					}
					// Wrong value: BadDigest, and nothing stored.
					wrong := ca.sum(append([]byte("x"), body...))
					win := &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key + "-bad"), Body: bytes.NewReader(body)}
					ca.set(win, wrong)
					_, err = c.PutObject(ctx, win)
					wantAPIError(t, err, "BadDigest", 400)
					_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key + "-bad")})
					wantAPIError(t, err, "", 404)
				})
			}
		}
		t.Run(ep.Name+"/content-md5", func(t *testing.T) {
			sum := md5.Sum(small)
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("md5-ok"),
				Body: bytes.NewReader(small), ContentMD5: aws.String(b64(sum[:]))}); err != nil {
				t.Errorf("correct Content-MD5: %v", err)
			}
			other := md5.Sum([]byte("other"))
			for _, tc := range []struct{ name, md5, code string }{
				{"wrong", b64(other[:]), "BadDigest"},
				{"not-base64", "not base64!!", "InvalidDigest"},
				{"short", b64(sum[:15]), "InvalidDigest"},
			} {
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("md5-" + tc.name),
					Body: bytes.NewReader(small), ContentMD5: aws.String(tc.md5)})
				if code, _ := errInfo(err); code != tc.code {
					t.Errorf("Content-MD5 %s (%q): got %v, want 400 %s", tc.name, tc.md5, err, tc.code)
				}
				wantAPIError(t, err, tc.code, 400)
				_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("md5-" + tc.name)})
				wantAPIError(t, err, "", 404)
			}
		})
	}
	t.Run("https/raw-trailer", func(t *testing.T) {
		// aws-chunked with an unsigned payload and a CRC32 trailer, framed by hand.
		body := []byte("trailer framed body")
		frame := func(sum string) []byte {
			return []byte(fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(body), body, sum))
		}
		for _, tc := range []struct {
			name, sum string
			status    int
		}{
			{"good", crc32B64(crc32.IEEETable, body), 200},
			{"bad", crc32B64(crc32.IEEETable, []byte("something else")), 400},
		} {
			resp := do(t, srv.HTTPSURL, rawReq{Method: "PUT", Path: "/sums-https/trailer-" + tc.name, Body: frame(tc.sum),
				PayloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
				Header: http.Header{
					"Content-Encoding":             {"aws-chunked"},
					"X-Amz-Decoded-Content-Length": {strconv.Itoa(len(body))},
					"X-Amz-Trailer":                {"x-amz-checksum-crc32"},
				}})
			if tc.status == 200 {
				if resp.Status != 200 {
					t.Fatalf("good trailer: %d\n%s", resp.Status, resp.Body)
				}
				got, out := mustGet(t, sdk(t, srv, srv.HTTPSURL), &s3.GetObjectInput{Bucket: aws.String("sums-https"),
					Key: aws.String("trailer-good"), ChecksumMode: types.ChecksumModeEnabled})
				if !bytes.Equal(got, body) || aws.ToString(out.ChecksumCRC32) != tc.sum {
					t.Errorf("GET after trailer PUT: body %q crc32 %q", got, aws.ToString(out.ChecksumCRC32))
				}
				if aws.ToString(out.ContentEncoding) != "" {
					t.Errorf("aws-chunked leaked into the stored Content-Encoding: %q", aws.ToString(out.ContentEncoding))
				}
				continue
			}
			wantXMLError(t, resp, 400, "BadDigest")
			_, err := sdk(t, srv, srv.HTTPSURL).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums-https"), Key: aws.String("trailer-bad")})
			wantAPIError(t, err, "", 404)
		}
	})
}

// TestObjectCopy: CopyObject with COPY and REPLACE, conditions, copy onto itself, escaped
// source keys.
func TestObjectCopy(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "dst")
	data := randBytes(70<<10, 7)
	srcKey := "src dir/ünï +%?#&=.txt"
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey),
		Body: bytes.NewReader(data), ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=1"),
		Metadata: map[string]string{"color": "blue", "shape": "round"}})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(put.ETag)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey)})
	if err != nil {
		t.Fatal(err)
	}
	lm := *head.LastModified
	before := lm.Add(-time.Hour)
	source := "src/" + s3Escape(srcKey)

	check := func(t *testing.T, key string, wantType string, wantMeta map[string]string) {
		t.Helper()
		got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String(key)})
		if !bytes.Equal(got, data) {
			t.Errorf("copy %s: body differs", key)
		}
		if aws.ToString(out.ETag) != etag {
			t.Errorf("copy %s: ETag %s, want the source's %s", key, aws.ToString(out.ETag), etag)
		}
		if aws.ToString(out.ContentType) != wantType {
			t.Errorf("copy %s: Content-Type %q, want %q", key, aws.ToString(out.ContentType), wantType)
		}
		if fmt.Sprint(out.Metadata) != fmt.Sprint(wantMeta) {
			t.Errorf("copy %s: metadata %v, want %v", key, out.Metadata, wantMeta)
		}
	}

	t.Run("copy-directive", func(t *testing.T) {
		for i, src := range []string{source, "/" + source} {
			key := fmt.Sprintf("dst ✓/copied+%d", i)
			out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String(key), CopySource: aws.String(src)})
			if err != nil {
				t.Fatalf("CopyObject from %q: %v", src, err)
			}
			if out.CopyObjectResult == nil || aws.ToString(out.CopyObjectResult.ETag) != etag || out.CopyObjectResult.LastModified == nil {
				t.Errorf("CopyObjectResult %+v, want ETag %s and LastModified", out.CopyObjectResult, etag)
			}
			check(t, key, "text/plain", map[string]string{"color": "blue", "shape": "round"})
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String(key)})
			if err != nil || aws.ToString(h.CacheControl) != "max-age=1" {
				t.Errorf("COPY directive: Cache-Control %q (%v), want the source's", aws.ToString(h.CacheControl), err)
			}
		}
	})
	t.Run("replace-directive", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("replaced"),
			CopySource: aws.String(source), MetadataDirective: types.MetadataDirectiveReplace,
			ContentType: aws.String("application/json"), Metadata: map[string]string{"size": "big"}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "replaced", "application/json", map[string]string{"size": "big"})
	})
	condTests := []struct {
		name string
		in   s3.CopyObjectInput
		ok   bool
	}{
		{"if-match-ok", s3.CopyObjectInput{CopySourceIfMatch: &etag}, true},
		{"if-match-wrong", s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"0000"`)}, false},
		{"if-none-match-same", s3.CopyObjectInput{CopySourceIfNoneMatch: &etag}, false},
		{"if-none-match-other", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"0000"`)}, true},
		{"if-modified-since-lm", s3.CopyObjectInput{CopySourceIfModifiedSince: &lm}, false},
		{"if-modified-since-before", s3.CopyObjectInput{CopySourceIfModifiedSince: &before}, true},
		{"if-unmodified-since-before", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: &before}, false},
		{"if-unmodified-since-lm", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: &lm}, true},
		// S3: if-match true and if-unmodified-since false: the copy happens.
		{"if-match-true+unmodified-false", s3.CopyObjectInput{CopySourceIfMatch: &etag, CopySourceIfUnmodifiedSince: &before}, true},
		// S3: if-none-match false and if-modified-since true: 412.
		{"if-none-match-false+modified-true", s3.CopyObjectInput{CopySourceIfNoneMatch: &etag, CopySourceIfModifiedSince: &before}, false},
	}
	for _, tc := range condTests {
		t.Run("cond/"+tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key, in.CopySource = aws.String("dst"), aws.String("cond-"+tc.name), aws.String(source)
			_, err := c.CopyObject(ctx, &in)
			if tc.ok {
				if err != nil {
					t.Fatalf("CopyObject: %v, want success", err)
				}
				check(t, "cond-"+tc.name, "text/plain", map[string]string{"color": "blue", "shape": "round"})
				return
			}
			wantAPIError(t, err, "PreconditionFailed", 412)
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("cond-" + tc.name)})
			wantAPIError(t, err, "", 404)
		})
	}
	t.Run("onto-itself", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source)})
		wantAPIError(t, err, "InvalidRequest", 400)
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: aws.String(source),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/csv"),
			Metadata: map[string]string{"color": "red"}})
		if err != nil {
			t.Fatalf("copy onto itself with REPLACE: %v", err)
		}
		got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey)})
		if !bytes.Equal(got, data) || aws.ToString(out.ContentType) != "text/csv" || fmt.Sprint(out.Metadata) != "map[color:red]" {
			t.Errorf("after REPLACE onto itself: body equal %v, type %q, metadata %v",
				bytes.Equal(got, data), aws.ToString(out.ContentType), out.Metadata)
		}
	})
	t.Run("missing-source", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/nope")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("nobucket/nope")})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})
}

// TestObjectConcurrentPuts: writers race on one key while readers read it; every read and
// the final state are exactly one writer's whole body.
func TestObjectConcurrentPuts(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "race")
	for _, size := range []int{10 << 10, 300 << 10} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			key := fmt.Sprintf("k-%d", size)
			initial := randBytes(size, 1000)
			mustPut(t, c, "race", key, initial)
			bodies := map[string][]byte{md5Hex(initial): initial}
			const writers = 8
			var ws [][]byte
			for i := 0; i < writers; i++ {
				b := randBytes(size, int64(size+i))
				ws = append(ws, b)
				bodies[md5Hex(b)] = b
			}
			for round := 0; round < 3; round++ {
				var wg sync.WaitGroup
				stop := make(chan struct{})
				var readersWG sync.WaitGroup
				for r := 0; r < 2; r++ {
					readersWG.Add(1)
					go func() {
						defer readersWG.Done()
						for {
							select {
							case <-stop:
								return
							default:
							}
							out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("race"), Key: &key})
							if err != nil {
								t.Errorf("GET during writes: %v", err)
								return
							}
							b, err := io.ReadAll(out.Body)
							out.Body.Close()
							if err != nil {
								t.Errorf("GET during writes: %v", err)
								return
							}
							if _, ok := bodies[md5Hex(b)]; !ok {
								t.Errorf("GET during writes returned %d bytes matching no writer's body", len(b))
								return
							}
							if aws.ToString(out.ETag) != quotedMD5(b) {
								t.Errorf("GET during writes: ETag %s does not match its body %s", aws.ToString(out.ETag), quotedMD5(b))
								return
							}
						}
					}()
				}
				cs := []*s3.Client{c, sdk(t, srv, srv.HTTPSURL)}
				for i, b := range ws {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := cs[i%2].PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: &key,
							Body: bytes.NewReader(b)}); err != nil {
							t.Errorf("concurrent PUT %d: %v", i, err)
						}
					}()
				}
				wg.Wait()
				close(stop)
				readersWG.Wait()
				got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("race"), Key: &key})
				found := -1
				for i, b := range ws {
					if bytes.Equal(got, b) {
						found = i
					}
				}
				if found < 0 {
					t.Fatalf("round %d: final body (%d bytes) is none of the writers' bodies", round, len(got))
				}
				if aws.ToString(out.ETag) != quotedMD5(got) {
					t.Errorf("round %d: ETag %s, body md5 %s", round, aws.ToString(out.ETag), quotedMD5(got))
				}
			}
		})
	}
}

// TestObjectDeleteObjects: multi-object delete, verbose and quiet; missing keys count as
// deleted.
func TestObjectDeleteObjects(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range bothEndpoints(srv) {
		for _, quiet := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/quiet=%v", ep.Name, quiet), func(t *testing.T) {
				c := sdk(t, srv, ep.URL)
				bucket := fmt.Sprintf("del-%s-%v", ep.Name, quiet)
				mustCreateBucket(t, c, bucket)
				keys := []string{"a", "b c", "d/ü+e", "keep"}
				for _, k := range keys {
					mustPut(t, c, bucket, k, []byte(k))
				}
				del := []string{"a", "b c", "d/ü+e", "missing-1", "missing/2"}
				var ids []types.ObjectIdentifier
				for _, k := range del {
					ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
				}
				out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket,
					Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(quiet)}})
				if err != nil {
					t.Fatalf("DeleteObjects: %v", err)
				}
				if len(out.Errors) != 0 {
					t.Errorf("DeleteObjects errors: %+v", out.Errors)
				}
				var deleted []string
				for _, d := range out.Deleted {
					deleted = append(deleted, aws.ToString(d.Key))
				}
				if quiet {
					if len(deleted) != 0 {
						t.Errorf("quiet DeleteObjects reported %q, want nothing", deleted)
					}
				} else if fmt.Sprint(sortedCopy(deleted)) != fmt.Sprint(sortedCopy(del)) {
					t.Errorf("Deleted %q, want %q", deleted, del)
				}
				list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
				if err != nil {
					t.Fatal(err)
				}
				if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "keep" {
					t.Errorf("after DeleteObjects: %d objects left, want only keep", len(list.Contents))
				}
				// At most 1,000 keys per request.
				var many []types.ObjectIdentifier
				for i := 0; i < 1001; i++ {
					many = append(many, types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("k%d", i))})
				}
				_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: many, Quiet: aws.Bool(quiet)}})
				wantAPIError(t, err, "MalformedXML", 400)
				// DeleteObject of a missing key succeeds too.
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("never-was")}); err != nil {
					t.Errorf("DeleteObject of a missing key: %v", err)
				}
			})
		}
	}
}
