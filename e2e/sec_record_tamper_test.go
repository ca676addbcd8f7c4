package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	bolt "go.etcd.io/bbolt"
)

// rtEnv is a stopped server's meta.db open for the record tamper cases of one bucket.
type rtEnv struct {
	t      *testing.T
	tx     *bolt.Tx
	bucket string
}

func (e *rtEnv) objects() *bolt.Bucket {
	b := e.tx.Bucket([]byte("objects")).Bucket([]byte(e.bucket))
	if b == nil {
		e.t.Fatalf("meta.db has no objects/%s", e.bucket)
	}
	return b
}

// rec returns the stored envelope head and the record of key as generic JSON.
func (e *rtEnv) rec(key string) ([]byte, map[string]any) {
	e.t.Helper()
	v := e.objects().Get([]byte(key))
	if v == nil {
		e.t.Fatalf("no record for %s", key)
	}
	head, body := splitRecord(e.t, v)
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		e.t.Fatalf("record of %s: %v", key, err)
	}
	return bytes.Clone(head), m
}

// put stores an edited record behind the original head (the attacker has no record key).
func (e *rtEnv) put(key string, head []byte, m map[string]any) {
	e.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.objects().Put([]byte(key), joinRecord(head, b)); err != nil {
		e.t.Fatal(err)
	}
}

func (e *rtEnv) edit(key string, fn func(m map[string]any)) {
	head, m := e.rec(key)
	fn(m)
	e.put(key, head, m)
}

// rtLeaves lists the paths of every leaf of a JSON value ("pieces.0.size", "umeta.color").
func rtLeaves(prefix string, v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			rtLeaves(strings.TrimPrefix(prefix+"."+k, "."), c, out)
		}
	case []any:
		for i, c := range x {
			rtLeaves(strings.TrimPrefix(fmt.Sprintf("%s.%d", prefix, i), "."), c, out)
		}
	default:
		*out = append(*out, prefix)
	}
}

// rtChange changes the leaf at path in m to another value of the same type.
func rtChange(t testing.TB, m map[string]any, path string) {
	parts := strings.Split(path, ".")
	var cur any = m
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = rtOther(t, c[p])
				return
			}
			cur = c[p]
		case []any:
			var n int
			fmt.Sscan(p, &n)
			if last {
				c[n] = rtOther(t, c[n])
				return
			}
			cur = c[n]
		}
	}
}

func rtOther(t testing.TB, v any) any {
	switch x := v.(type) {
	case json.Number:
		n, _ := x.Int64()
		return json.Number(fmt.Sprint(n + 1))
	case bool:
		return !x
	case string:
		if x == "" {
			return "x"
		}
		b := []byte(x)
		b[len(b)-1] ^= 0x01
		if b[len(b)-1] == '"' || b[len(b)-1] == '\\' || b[len(b)-1] < 0x20 {
			b[len(b)-1] = 'A'
		}
		return string(b)
	case nil:
		return "x"
	}
	t.Fatalf("leaf of unexpected type %T", v)
	return nil
}

// TestRecordTamper edits metadata records of a stopped server as an attacker with write
// access to meta.db would (docs/FORMAT.md, "Metadata records"): every field of a record
// alone, the pieces of multipart objects (reordered, duplicated, a part of an unfinished
// upload of the same key spliced in, the last part dropped with the size shrunk), a record
// moved to another key, a record stripped to the unauthenticated format, and a garbage
// record. The server must still start; every damaged object must fail GET and HEAD (never
// 200), untouched objects must read intact, listings must go on, a damaged object must be
// deletable, and `arca admin check` must list every damaged record.
func TestRecordTamper(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	const bucket = "rtamper"
	mustCreateBucket(t, c, bucket)
	bodies := map[string][]byte{}
	put := func(key string, n int, seed int64) {
		body := randBytes(n, seed)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "blue"},
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c})
		if err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
		bodies[key] = body
	}
	mpu := func(key string, sizes []int, seed int64) string {
		out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		var whole []byte
		var done []types.CompletedPart
		for i, n := range sizes {
			p := randBytes(n, seed*10+int64(i))
			po, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: out.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
			if err != nil {
				t.Fatal(err)
			}
			done = append(done, types.CompletedPart{ETag: po.ETag, PartNumber: aws.Int32(int32(i + 1))})
			whole = append(whole, p...)
		}
		if seed < 0 { // an unfinished upload: parts only
			return *out.UploadId
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
			UploadId: out.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
			t.Fatal(err)
		}
		bodies[key] = whole
		return *out.UploadId
	}

	put("control", 3000, 1)
	put("field-template", 3000, 2)
	mpuSizes := []int{5 << 20, 5 << 20, 5 << 20}
	for i, k := range []string{"mpu-reorder", "mpu-dup", "mpu-splice", "mpu-droplast", "mpu-control"} {
		mpu(k, mpuSizes, int64(10+i))
	}
	// An unfinished upload of mpu-splice, whose part 2 is spliced into the object's record.
	spliceUpload := mpu("mpu-splice", []int{5 << 20, 5 << 20}, -1)
	put("shrink", 200<<10, 3)
	put("move-src", 3000, 4)
	put("move-dst", 3000, 5)
	put("legacy", 3000, 6)
	put("garbage", 3000, 7)
	put("to-delete", 3000, 8)

	// One object per leaf of a single-PUT record: each gets that leaf, and only it, changed.
	srv.Stop()
	var leaves []string
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		_, m := (&rtEnv{t: t, tx: tx, bucket: bucket}).rec("field-template")
		rtLeaves("", m, &leaves)
	})
	sort.Strings(leaves)
	if len(leaves) < 12 {
		t.Fatalf("only %d leaves in a record: %v", len(leaves), leaves)
	}
	srv = StartServerAt(t, srv.DataDir)
	c = sdk(t, srv, srv.HTTPSURL)
	for i, l := range leaves {
		put("field/"+l, 3000, int64(100+i))
	}
	srv.Stop()

	damaged := []string{"mpu-reorder", "mpu-dup", "mpu-splice", "mpu-droplast", "shrink", "move-dst", "legacy", "garbage", "to-delete"}
	for _, l := range leaves {
		damaged = append(damaged, "field/"+l)
	}
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		e := &rtEnv{t: t, tx: tx, bucket: bucket}
		for _, l := range leaves {
			if l == "key" {
				// The key names the record's place: the edited record claims another key.
				e.edit("field/"+l, func(m map[string]any) { m["key"] = "control" })
				continue
			}
			e.edit("field/"+l, func(m map[string]any) { rtChange(t, m, l) })
		}
		e.edit("mpu-reorder", func(m map[string]any) {
			p := m["pieces"].([]any)
			p[0], p[1] = p[1], p[0]
		})
		e.edit("mpu-dup", func(m map[string]any) {
			p := m["pieces"].([]any)
			p[1] = p[0]
		})
		e.edit("mpu-splice", func(m map[string]any) {
			// Part 2 of the unfinished upload, as the record of a completed part would name it.
			ub := tx.Bucket([]byte("uploads")).Bucket([]byte(bucket)).Bucket([]byte("mpu-splice\x00" + spliceUpload))
			if ub == nil {
				t.Fatalf("no upload %s", spliceUpload)
			}
			_, body := splitRecord(t, ub.Bucket([]byte("p")).Get([]byte("00002")))
			var part map[string]any
			d := json.NewDecoder(bytes.NewReader(body))
			d.UseNumber()
			if err := d.Decode(&part); err != nil {
				t.Fatal(err)
			}
			p := m["pieces"].([]any)
			p[1] = map[string]any{"blob": part["blob"], "size": part["size"], "sk": part["sk"], "up": spliceUpload, "pn": json.Number("2")}
		})
		e.edit("mpu-droplast", func(m map[string]any) {
			p := m["pieces"].([]any)
			m["pieces"] = p[:2]
			m["size"] = json.Number(fmt.Sprint(10 << 20))
		})
		e.edit("shrink", func(m map[string]any) {
			m["size"] = json.Number(fmt.Sprint(100 << 10))
			m["pieces"].([]any)[0].(map[string]any)["size"] = json.Number(fmt.Sprint(100 << 10))
		})
		// A valid record of another key, moved: authentic bytes, wrong place.
		if err := e.objects().Put([]byte("move-dst"), bytes.Clone(e.objects().Get([]byte("move-src")))); err != nil {
			t.Fatal(err)
		}
		// Stripped to the format before records were authenticated.
		_, body := splitRecord(t, e.objects().Get([]byte("legacy")))
		if err := e.objects().Put([]byte("legacy"), bytes.Clone(body)); err != nil {
			t.Fatal(err)
		}
		if err := e.objects().Put([]byte("garbage"), []byte("not a record {")); err != nil {
			t.Fatal(err)
		}
		head, _ := e.rec("to-delete")
		if err := e.objects().Put([]byte("to-delete"), joinRecord(head, []byte(`{"key":"to-delete","size":1,"pieces":[]}`))); err != nil {
			t.Fatal(err)
		}
	})

	// arca admin check lists every damaged record, and exits non-zero.
	out, err := exec.Command(arcaBin, "admin", "check", "--data", srv.DataDir).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("arca admin check: %v, want exit 1\n%s", err, out)
	}
	for _, k := range damaged {
		if !strings.Contains(string(out), "s3://"+bucket+"/"+k+"\t") {
			t.Errorf("arca admin check does not list %s:\n%s", k, out)
		}
	}
	for _, k := range []string{"control", "mpu-control", "move-src"} {
		if strings.Contains(string(out), "s3://"+bucket+"/"+k+"\t") {
			t.Errorf("arca admin check lists the untouched %s:\n%s", k, out)
		}
	}

	// The server starts, and no damaged object is served.
	srv = StartServerAt(t, srv.DataDir)
	defer srv.Stop()
	c = sdk(t, srv, srv.HTTPSURL)
	for _, k := range damaged {
		status, got, err := sseRawGet(t, srv.HTTPSURL, "/"+bucket+"/"+s3Escape(k), nil)
		if err == nil && status == 200 {
			t.Errorf("%s: tampered record SERVED: GET 200 with %d bytes (original %d, equal: %v)", k, len(got), len(bodies[k]), bytes.Equal(got, bodies[k]))
		} else if status != 500 && err == nil {
			t.Errorf("%s: GET status %d, want 500 InternalError", k, status)
		}
		resp := do(t, srv.HTTPSURL, rawReq{Method: http.MethodHead, Path: "/" + bucket + "/" + s3Escape(k)})
		if resp.Status == 200 {
			t.Errorf("%s: tampered record served by HEAD", k)
		}
	}
	for _, k := range []string{"control", "mpu-control", "move-src"} {
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if !bytes.Equal(got, bodies[k]) {
			t.Errorf("untouched %s: read %d bytes that differ from the %d written", k, len(got), len(bodies[k]))
		}
	}
	// A damaged record costs that object only: listing goes on without it.
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListObjectsV2 with damaged records: %v", err)
	}
	listed := map[string]bool{}
	for _, o := range lo.Contents {
		listed[*o.Key] = true
	}
	for _, k := range damaged {
		if listed[k] {
			t.Errorf("ListObjectsV2 lists the damaged %s", k)
		}
	}
	if !listed["control"] || !listed["mpu-control"] {
		t.Errorf("ListObjectsV2 lost untouched objects: %v", listed)
	}
	// The damaged record is logged (once per record).
	if n := strings.Count(srv.Output(), `key=garbage`); n != 1 {
		t.Errorf("the damaged record garbage is logged %d times, want once:\n%s", n, srv.Output())
	}
	// A client can delete what it cannot read, and write the key again.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("to-delete")}); err != nil {
		t.Fatalf("DeleteObject of a damaged record: %v", err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("to-delete")}); err == nil {
		t.Error("the deleted damaged object is still there")
	}
	mustPut(t, c, bucket, "garbage", []byte("fresh"))
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("garbage")}); string(got) != "fresh" {
		t.Errorf("rewritten damaged key reads %q", got)
	}
}

// TestUploadIDNotForged: an upload id is a name Arca issued, never a client-made string
// that lands in another key's upload. Upload records are stored under key NUL id; an id
// holding a NUL must not reach the upload of key "v\x00x" through key "v".
func TestUploadIDNotForged(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "ids")
	out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ids"), Key: aws.String("v\x00x")})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.UploadId
	for _, forged := range []string{"x\x00" + id, "not-an-id", id + "0", strings.ToUpper(id)} {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ids"), Key: aws.String("v"), UploadId: aws.String(forged),
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("intruder"))})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ids"), Key: aws.String("v"), UploadId: aws.String(forged)})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("ids"), Key: aws.String("v"), UploadId: aws.String(forged)})
		wantAPIError(t, err, "NoSuchUpload", 404)
	}
	// The real upload is untouched and completes with its own part only.
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ids"), Key: aws.String("v\x00x"), UploadId: aws.String(id)})
	if err != nil || len(lp.Parts) != 0 {
		t.Fatalf("the real upload: %v, %d parts", err, len(lp.Parts))
	}
}

// TestRecordFormatUpgrade: a data directory written before records were authenticated
// (format 1: bare JSON records, no record key) keeps opening. `arca admin upgrade`
// authenticates its records once; afterwards an edited record is detected like any other.
func TestRecordFormatUpgrade(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "upgr")
	bodies := map[string][]byte{}
	for i, k := range []string{"a", "b/c", "d"} {
		bodies[k] = randBytes(1000*(i+1), int64(i))
		mustPut(t, c, "upgr", k, bodies[k])
	}
	cu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("upgr"), Key: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}
	part := randBytes(100, 9)
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("upgr"), Key: aws.String("mpu"), UploadId: cu.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(part)}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()

	// Make it format 1: every record bare JSON, no record key.
	n := 0
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		var strip func(b *bolt.Bucket)
		strip = func(b *bolt.Bucket) {
			var puts [][2][]byte
			b.ForEach(func(k, v []byte) error {
				if v == nil {
					strip(b.Bucket(k))
					return nil
				}
				if len(v) > recordEnvelopeLen && v[0] == 0x02 {
					puts = append(puts, [2][]byte{bytes.Clone(k), bytes.Clone(v[recordEnvelopeLen:])})
				}
				return nil
			})
			for _, p := range puts {
				if err := b.Put(p[0], p[1]); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
		for _, name := range []string{"buckets", "objects", "uploads"} {
			strip(tx.Bucket([]byte(name)))
		}
		if err := tx.DeleteBucket([]byte("meta-record-key")); err != nil {
			t.Fatal(err)
		}
	})
	if n < 6 { // 1 bucket, 3 objects, 1 upload, 1 part
		t.Fatalf("stripped %d records", n)
	}
	// A format-1 directory reads clean (nothing to authenticate against yet).
	if out, err := exec.Command(arcaBin, "admin", "check", "--data", srv.DataDir).CombinedOutput(); err != nil {
		t.Errorf("admin check of a format-1 directory: %v\n%s", err, out)
	}
	out, err := exec.Command(arcaBin, "admin", "upgrade", "--data", srv.DataDir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("authenticated %d metadata records", n)) {
		t.Fatalf("admin upgrade: %v\n%s", err, out)
	}
	out, err = exec.Command(arcaBin, "admin", "upgrade", "--data", srv.DataDir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already in the current format") {
		t.Fatalf("admin upgrade again: %v\n%s", err, out)
	}
	// Now an edit is detected.
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		(&rtEnv{t: t, tx: tx, bucket: "upgr"}).edit("d", func(m map[string]any) { m["etag"] = "00000000000000000000000000000000" })
	})
	srv = StartServerAt(t, srv.DataDir)
	defer srv.Stop()
	c = sdk(t, srv, srv.HTTPSURL)
	for _, k := range []string{"a", "b/c"} {
		if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("upgr"), Key: aws.String(k)}); !bytes.Equal(got, bodies[k]) {
			t.Errorf("%s after upgrade: %d bytes differ", k, len(got))
		}
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("upgr"), Key: aws.String("d")}); err == nil {
		t.Error("an edited record is served after the upgrade")
	}
	// The upload carried over and completes.
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("upgr"), Key: aws.String("mpu"), UploadId: cu.UploadId})
	if err != nil || len(lp.Parts) != 1 {
		t.Fatalf("ListParts after upgrade: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("upgr"), Key: aws.String("mpu"), UploadId: cu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: lp.Parts[0].ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("upgr"), Key: aws.String("mpu")}); !bytes.Equal(got, part) {
		t.Error("the upgraded upload completed into other bytes")
	}
}
