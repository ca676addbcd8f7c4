package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	bolt "go.etcd.io/bbolt"
)

// The at-rest layout (docs/FORMAT.md): an 8-byte header, then chunks of 64 KiB of
// plaintext plus a 16-byte tag each.
const (
	sseStreamHeader = 8
	sseChunk        = 64<<10 + 16 // 65,552 bytes
)

// sseTamperObject is one object a tamper case damages (or a control it must leave alone).
type sseTamperObject struct {
	name  string
	size  int   // single PUT
	parts []int // multipart part sizes instead
}

// sseTamperEnv is what a tamper case works on: the stopped server's data directory, open
// metadata, and the objects of the case for one mode.
type sseTamperEnv struct {
	t    *testing.T
	dir  string
	tx   *bolt.Tx
	mode string
	key  func(obj string) string // the S3 key of an object of this case and mode
}

// sseTamperTests each damage the stored form of their objects (in every mode) while the
// server is stopped; after a restart, every GET of a damaged object must fail. fails lists
// the objects that must no longer read; the others (if any) must still read intact.
var sseTamperTests = []struct {
	name    string
	objects []sseTamperObject
	fails   []string
	apply   func(e *sseTamperEnv)
}{
	{"flip a byte in the middle of a blob file",
		[]sseTamperObject{{name: "200k", size: 200 << 10}, {name: "3m", size: 3 << 20}, {name: "mpu", parts: []int{5 << 20, 100 << 10}}},
		[]string{"200k", "3m", "mpu"},
		func(e *sseTamperEnv) {
			for _, o := range []string{"200k", "3m", "mpu"} {
				e.editFile(o, 0, func(b []byte) []byte { b[len(b)/2] ^= 0x01; return b })
			}
		}},
	{"flip a byte of a small blob in bbolt",
		[]sseTamperObject{{name: "1k", size: 1 << 10}},
		[]string{"1k"},
		func(e *sseTamperEnv) {
			e.editSmall("1k", func(b []byte) []byte { b[len(b)/2] ^= 0x80; return b })
		}},
	{"truncate a file by one byte",
		[]sseTamperObject{{name: "200k", size: 200 << 10}, {name: "3m", size: 3 << 20}},
		[]string{"200k", "3m"},
		func(e *sseTamperEnv) {
			e.editFile("200k", 0, func(b []byte) []byte { return b[:len(b)-1] })
			e.editFile("3m", 0, func(b []byte) []byte { return b[:len(b)-1] })
		}},
	{"truncate a file by one whole chunk",
		// 3 MiB is 48 whole chunks: the cut falls exactly on a chunk boundary.
		[]sseTamperObject{{name: "200k", size: 200 << 10}, {name: "3m", size: 3 << 20}},
		[]string{"200k", "3m"},
		func(e *sseTamperEnv) {
			e.editFile("200k", 0, func(b []byte) []byte { return b[:len(b)-sseChunk] })
			e.editFile("3m", 0, func(b []byte) []byte { return b[:len(b)-sseChunk] })
		}},
	{"truncate at a chunk boundary and shrink the recorded sizes to match",
		// The stored size then maps to the recorded size; only the final-chunk flag tells.
		[]sseTamperObject{{name: "3m", size: 3 << 20}},
		[]string{"3m"},
		func(e *sseTamperEnv) {
			e.editFile("3m", 0, func(b []byte) []byte { return b[:len(b)-sseChunk] })
			r := e.record("3m")
			r["size"] = sseAddNumber(e.t, r["size"], -64<<10)
			p := sseRecPieces(r)[0]
			p["size"] = sseAddNumber(e.t, p["size"], -64<<10)
			e.putRecord("3m", r)
		}},
	{"swap two chunks of a file",
		[]sseTamperObject{{name: "200k", size: 200 << 10}, {name: "3m", size: 3 << 20}},
		[]string{"200k", "3m"},
		func(e *sseTamperEnv) {
			e.editFile("200k", 0, func(b []byte) []byte { return sseSwapChunks(b, 0, 1) })
			e.editFile("3m", 0, func(b []byte) []byte { return sseSwapChunks(b, 20, 21) })
		}},
	{"swap the data of two objects of equal size",
		[]sseTamperObject{{name: "200k-a", size: 200 << 10}, {name: "200k-b", size: 200 << 10},
			{name: "1k-a", size: 1 << 10}, {name: "1k-b", size: 1 << 10}},
		[]string{"200k-a", "200k-b", "1k-a", "1k-b"},
		func(e *sseTamperEnv) {
			a, b := e.blobPath("200k-a", 0), e.blobPath("200k-b", 0)
			tmp := a + ".swap"
			for _, r := range [][2]string{{a, tmp}, {b, a}, {tmp, b}} {
				if err := os.Rename(r[0], r[1]); err != nil {
					e.t.Fatal(err)
				}
			}
			sa, sb := e.smallBlob("1k-a"), e.smallBlob("1k-b")
			e.putSmall("1k-a", sb)
			e.putSmall("1k-b", sa)
		}},
	{"swap the files of two parts of a multipart object",
		[]sseTamperObject{{name: "mpu", parts: []int{5 << 20, 5 << 20, 3}}},
		[]string{"mpu"},
		func(e *sseTamperEnv) {
			a, b := e.blobPath("mpu", 0), e.blobPath("mpu", 1)
			tmp := a + ".swap"
			for _, r := range [][2]string{{a, tmp}, {b, a}, {tmp, b}} {
				if err := os.Rename(r[0], r[1]); err != nil {
					e.t.Fatal(err)
				}
			}
		}},
	{"copy one object's sealed key (and more) into another's record",
		[]sseTamperObject{{name: "1k-a", size: 1 << 10}, {name: "1k-b", size: 1 << 10},
			{name: "200k-a", size: 200 << 10}, {name: "200k-b", size: 200 << 10},
			{name: "200k-c", size: 200 << 10}, {name: "200k-d", size: 200 << 10}},
		// The sources keep reading intact; the records that received a foreign sealed key,
		// foreign pieces (blob + sealed key) or foreign pieces and encryption record do not.
		[]string{"1k-b", "200k-b", "200k-d"},
		func(e *sseTamperEnv) {
			a, b := e.record("1k-a"), e.record("1k-b")
			sseRecPieces(b)[0]["sk"] = sseRecPieces(a)[0]["sk"]
			e.putRecord("1k-b", b)
			a, b = e.record("200k-a"), e.record("200k-b")
			b["pieces"] = a["pieces"]
			e.putRecord("200k-b", b)
			a, b = e.record("200k-c"), e.record("200k-d")
			b["pieces"], b["enc"] = a["pieces"], a["enc"]
			e.putRecord("200k-d", b)
		}},
	{"change the encryption record",
		[]sseTamperObject{{name: "1k-a", size: 1 << 10}, {name: "1k-b", size: 1 << 10}, {name: "1k-c", size: 1 << 10}, {name: "1k-d", size: 1 << 10}},
		[]string{"1k-a", "1k-b", "1k-c", "1k-d"},
		func(e *sseTamperEnv) {
			ra, rb, rc, rd := e.record("1k-a"), e.record("1k-b"), e.record("1k-c"), e.record("1k-d")
			ea, eb, ed := sseRecEnc(e.t, ra), sseRecEnc(e.t, rb), sseRecEnc(e.t, rd)
			switch e.mode {
			case "s3":
				ea["mv"] = 2 // another master key version (rotated in before this case)
				eb["mv"] = 99
				ed["mode"] = "SSE-C"
			case "kms", "kms-bk":
				ea["kmsblob"] = sseFlipB64(e.t, ea["kmsblob"])
				ctx := eb["kmsctx"].(map[string]any)
				ctx["aws:s3:arn"] = "arn:aws:s3:::tamper/" + e.key("1k-a")
				ed["mode"], ed["mv"] = "AES256", 1
			case "sse-c":
				ea["ck"] = sseFlipB64(e.t, ea["ck"])
				eb["cksalt"] = sseFlipB64(e.t, eb["cksalt"])
				ed["mode"], ed["mv"] = "AES256", 1
			}
			delete(rc, "enc") // no encryption record: must not be served as if unencrypted
			e.putRecord("1k-a", ra)
			e.putRecord("1k-b", rb)
			e.putRecord("1k-c", rc)
			e.putRecord("1k-d", rd)
		}},
}

// TestSSETamper writes objects of every mode, checks that the data directory holds none of
// their plaintext or keys, then for each case of sseTamperTests stops the server, damages the
// stored objects, restarts and proves that no GET of a damaged object succeeds: each fails
// with an error or a broken body, and none returns bytes other than the original as a
// success.
func TestSSETamper(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	keyID, keyARN := sseCreateKey(t, kc, "tamper")
	modes := []sseMode{
		{Name: "s3", WantSSE: types.ServerSideEncryptionAes256},
		{Name: "kms", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyID, WantSSE: types.ServerSideEncryptionAwsKms, WantARN: keyARN},
		{Name: "kms-bk", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyID, BucketKey: aws.Bool(true),
			WantSSE: types.ServerSideEncryptionAwsKms, WantARN: keyARN, WantBK: true},
		{Name: "sse-c", C: &sseCK1},
	}
	const bucket = "tamper"
	mustCreateSSECBucket(t, c, bucket)

	type written struct {
		key  string
		mode sseMode
		body []byte
	}
	objects := map[string]written{} // by S3 key
	var mu sync.Mutex
	keyOf := func(cs int, mode, obj string) string { return fmt.Sprintf("case%d/%s/%s", cs, mode, obj) }
	controlKey := func(mode string) string { return "control/" + mode }
	var wg sync.WaitGroup
	for mi, m := range modes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seed := int64(100000 * (mi + 1))
			write := func(key string, o sseTamperObject) {
				seed++
				var body []byte
				if o.parts == nil {
					body = sseBody(o.size, seed, sseMarker("tamper-"+m.Name))
					in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}
					m.put(in)
					if _, err := c.PutObject(ctx, in); err != nil {
						t.Errorf("PUT %s: %v", key, err)
						return
					}
				} else {
					body = sseMultipartPut(t, c, bucket, key, m, o.parts, seed, sseMarker("tamper-"+m.Name))
				}
				mu.Lock()
				objects[key] = written{key, m, body}
				mu.Unlock()
			}
			write(controlKey(m.Name), sseTamperObject{size: 200 << 10})
			for ci, cs := range sseTamperTests {
				for _, o := range cs.objects {
					write(keyOf(ci, m.Name, o.name), o)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// At rest: no plaintext marker, no customer key, no data key handed out by KMS.
	needles := sseNeedles{}
	for _, m := range modes {
		needles["marker of "+m.Name] = sseMarker("tamper-" + m.Name)
	}
	needles.addCKey("SSE-C key", sseCK1)
	for i, dk := range sseDataKeys(t, kc, keyID, keyARN) {
		needles[fmt.Sprintf("KMS data key %d", i)] = dk
	}
	srv.Stop()
	sseScanDataDir(t, srv.DataDir, needles)

	get := func(srv *Server, w written) (int, []byte, error) {
		var h http.Header
		if w.mode.isC() {
			h = w.mode.C.header()
		}
		return sseRawGet(t, srv.HTTPSURL, "/"+bucket+"/"+w.key, h)
	}
	dir := srv.DataDir
	for ci, cs := range sseTamperTests {
		t.Run(cs.name, func(t *testing.T) {
			if cs.name == "change the encryption record" {
				// A second SSE-S3 master key version for the "another version" edit.
				out, err := exec.Command(arcaBin, "admin", "rotate-sse-s3-key", "--data", dir).CombinedOutput()
				if err != nil {
					t.Fatalf("rotate-sse-s3-key: %v\n%s", err, out)
				}
			}
			sseWithBolt(t, dir, func(tx *bolt.Tx) {
				for _, m := range modes {
					cs.apply(&sseTamperEnv{t: t, dir: dir, tx: tx, mode: m.Name,
						key: func(obj string) string { return keyOf(ci, m.Name, obj) }})
				}
			})
			srv := StartServerAt(t, dir)
			defer srv.Stop()
			for _, m := range modes {
				for _, o := range cs.objects {
					w := objects[keyOf(ci, m.Name, o.name)]
					status, got, err := get(srv, w)
					mustFail := false
					for _, f := range cs.fails {
						mustFail = mustFail || f == o.name
					}
					switch {
					case !mustFail && (err != nil || status != 200 || !bytes.Equal(got, w.body)):
						t.Errorf("%s (untouched): GET %d, %d bytes, err %v; want the original %d bytes", w.key, status, len(got), err, len(w.body))
					case !mustFail:
					case err != nil || status != 200:
						t.Logf("%s: GET failed as it must: status %d after %d bytes, %v", w.key, status, len(got), err)
					case bytes.Equal(got, w.body):
						t.Errorf("%s: tampering NOT DETECTED: GET returned 200 and the whole original object", w.key)
					default:
						t.Errorf("%s: SERVED FORGED DATA: GET returned 200 and %d complete bytes that differ from the %d written", w.key, len(got), len(w.body))
					}
				}
				// The control object of the mode still reads.
				w := objects[controlKey(m.Name)]
				if status, got, err := get(srv, w); err != nil || status != 200 || !bytes.Equal(got, w.body) {
					t.Errorf("control %s: GET %d, %d bytes, %v", w.key, status, len(got), err)
				}
			}
		})
	}
}

// sseMultipartPut uploads parts of the given sizes as one object in mode m and returns
// its plaintext.
func sseMultipartPut(t testing.TB, c *s3.Client, bucket, key string, m sseMode, sizes []int, seed int64, marker []byte) []byte {
	t.Helper()
	ctx := context.Background()
	cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	m.create(cin)
	cout, err := c.CreateMultipartUpload(ctx, cin)
	if err != nil {
		t.Errorf("CreateMultipartUpload %s: %v", key, err)
		return nil
	}
	var whole []byte
	var done []types.CompletedPart
	for i, n := range sizes {
		p := sseBody(n, seed*10+int64(i), marker)
		pin := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cout.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}
		m.part(pin)
		pout, err := c.UploadPart(ctx, pin)
		if err != nil {
			t.Errorf("UploadPart %s %d: %v", key, i+1, err)
			return nil
		}
		done = append(done, types.CompletedPart{ETag: pout.ETag, PartNumber: aws.Int32(int32(i + 1))})
		whole = append(whole, p...)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: cout.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Errorf("CompleteMultipartUpload %s: %v", key, err)
		return nil
	}
	return whole
}

// sseWithBolt opens the stopped server's meta.db (with the server's options) for fn.
func sseWithBolt(t testing.TB, dir string, fn func(tx *bolt.Tx)) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "meta.db"), 0o600, &bolt.Options{Timeout: 5 * time.Second,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		t.Fatalf("opening meta.db: %v", err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		fn(tx)
		return nil
	})
	if err != nil {
		t.Fatalf("meta.db update: %v", err)
	}
}

func (e *sseTamperEnv) objects() *bolt.Bucket {
	b := e.tx.Bucket([]byte("objects"))
	if b != nil {
		b = b.Bucket([]byte("tamper"))
	}
	if b == nil {
		e.t.Fatalf("meta.db has no bucket objects/tamper")
	}
	return b
}

// record returns an object's metadata record as generic JSON.
func (e *sseTamperEnv) record(obj string) map[string]any {
	e.t.Helper()
	v := e.objects().Get([]byte(e.key(obj)))
	if v == nil {
		e.t.Fatalf("no record for %s", e.key(obj))
	}
	_, body := splitRecord(e.t, v)
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		e.t.Fatalf("record of %s: %v", e.key(obj), err)
	}
	return m
}

func (e *sseTamperEnv) putRecord(obj string, m map[string]any) {
	e.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		e.t.Fatal(err)
	}
	head, _ := splitRecord(e.t, e.objects().Get([]byte(e.key(obj))))
	if err := e.objects().Put([]byte(e.key(obj)), joinRecord(head, b)); err != nil {
		e.t.Fatal(err)
	}
}

func sseRecPieces(rec map[string]any) []map[string]any {
	var out []map[string]any
	ps, _ := rec["pieces"].([]any)
	for _, p := range ps {
		out = append(out, p.(map[string]any))
	}
	return out
}

func sseRecEnc(t testing.TB, rec map[string]any) map[string]any {
	enc, ok := rec["enc"].(map[string]any)
	if !ok {
		t.Fatalf("record has no enc: %v", rec)
	}
	return enc
}

// sseFlipB64 flips one bit in the middle of a base64 JSON []byte field.
func sseFlipB64(t testing.TB, v any) string {
	s, _ := v.(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		t.Fatalf("not a base64 byte field: %v", v)
	}
	b[len(b)/2] ^= 0x04
	return base64.StdEncoding.EncodeToString(b)
}

// blobID is the blob of piece i of an object.
func (e *sseTamperEnv) blobID(obj string, i int) string {
	e.t.Helper()
	ps := sseRecPieces(e.record(obj))
	if i >= len(ps) {
		e.t.Fatalf("%s has %d pieces", e.key(obj), len(ps))
	}
	id, _ := ps[i]["blob"].(string)
	if len(id) < 3 {
		e.t.Fatalf("%s piece %d: blob id %q", e.key(obj), i, id)
	}
	return id
}

// blobPath is the file of piece i of an object; it must exist (a large blob).
func (e *sseTamperEnv) blobPath(obj string, i int) string {
	e.t.Helper()
	id := e.blobID(obj, i)
	p := filepath.Join(e.dir, "blobs", id[:2], id)
	if _, err := os.Stat(p); err != nil {
		e.t.Fatalf("%s piece %d: expected a blob file: %v", e.key(obj), i, err)
	}
	return p
}

// editFile rewrites the file of piece i with edit, after checking it is an encstream.
func (e *sseTamperEnv) editFile(obj string, i int, edit func([]byte) []byte) {
	e.t.Helper()
	p := e.blobPath(obj, i)
	b, err := os.ReadFile(p)
	if err != nil {
		e.t.Fatal(err)
	}
	sseCheckStream(e.t, e.key(obj), b)
	if err := os.WriteFile(p, edit(b), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *sseTamperEnv) smallBlob(obj string) []byte {
	e.t.Helper()
	id := e.blobID(obj, 0)
	if _, err := os.Stat(filepath.Join(e.dir, "blobs", id[:2], id)); !errors.Is(err, os.ErrNotExist) {
		e.t.Fatalf("%s: expected a small blob in meta.db, found a file (%v)", e.key(obj), err)
	}
	bb := e.tx.Bucket([]byte("blobs"))
	if bb == nil {
		e.t.Fatal("meta.db has no blobs bucket")
	}
	v := bb.Get([]byte(id))
	if v == nil {
		e.t.Fatalf("%s: blob %s not in meta.db", e.key(obj), id)
	}
	v = bytes.Clone(v)
	sseCheckStream(e.t, e.key(obj), v)
	return v
}

func (e *sseTamperEnv) putSmall(obj string, v []byte) {
	e.t.Helper()
	if err := e.tx.Bucket([]byte("blobs")).Put([]byte(e.blobID(obj, 0)), v); err != nil {
		e.t.Fatal(err)
	}
}

func (e *sseTamperEnv) editSmall(obj string, edit func([]byte) []byte) {
	e.putSmall(obj, edit(e.smallBlob(obj)))
}

// sseCheckStream fails unless b starts with the encstream v1 header.
func sseCheckStream(t testing.TB, what string, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("ARCS\x01\x01\x10\x00")) {
		n := min(len(b), 8)
		t.Fatalf("%s: stored blob does not start with the encstream header: %q", what, b[:n])
	}
}

// sseSwapChunks swaps two whole chunks of a stream.
func sseSwapChunks(b []byte, i, j int) []byte {
	ci := b[sseStreamHeader+i*sseChunk : sseStreamHeader+(i+1)*sseChunk]
	cj := b[sseStreamHeader+j*sseChunk : sseStreamHeader+(j+1)*sseChunk]
	tmp := bytes.Clone(ci)
	copy(ci, cj)
	copy(cj, tmp)
	return b
}

// sseAddNumber adds d to a JSON number of a record.
func sseAddNumber(t testing.TB, v any, d int64) json.Number {
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("not a JSON number: %v", v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return json.Number(fmt.Sprint(i + d))
}
