package object_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// The engine's UpdateEncryption on real components: metadata and blobs in a bbolt file and
// a directory, the SSE keyring, and Arca's KMS reached as S3 reaches it (kmsapi.ForS3).

const ueAccount = "111122223333"

type ueEnv struct {
	eng        *object.Engine
	meta       meta.Store
	blobs      blob.Store
	sse        *sse.Engine
	kms        sse.KMS
	key1, key2 string
}

func newUEEnv(t testing.TB) *ueEnv { return newUEEnvSync(t, false) }

// newUEEnvSync: with sync, the metadata file is fsynced on every commit, as the server's is.
func newUEEnvSync(t testing.TB, sync bool) *ueEnv {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "m.db"), bolt.Options{NoSync: !sync})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	root, err := rootkey.New(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := meta.Open(db, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	kr, err := sse.OpenKeyring(ctx, db, root)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := blob.OpenTiered(db, filepath.Join(dir, "blobs"), 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := kms.Open(ctx, kms.Config{DB: db, Root: root, Region: "us-east-1", AccountID: ueAccount, SchedulerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	p := kms.Principal{AccountID: ueAccount, ARN: "arn:aws:iam::" + ueAccount + ":root"}
	k1, err := svc.CreateKey(ctx, p, kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := svc.CreateKey(ctx, p, kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	api := kmsapi.New(kmsapi.Config{Region: "us-east-1", AccountID: ueAccount}, kmsapi.Deps{KMS: svc, Log: slog.New(slog.DiscardHandler)})
	se := sse.NewEngine(kr, sse.NewBucketKeyCache(0, nil))
	eng := object.New(object.Config{}, object.Deps{Meta: ms, Blobs: bs, SSE: se})
	if err := ms.CreateBucket(ctx, meta.Bucket{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	return &ueEnv{eng: eng, meta: ms, blobs: bs, sse: se, kms: api.ForS3(iam.Identity{}, true), key1: k1.ARN, key2: k2.ARN}
}

func (e *ueEnv) put(t testing.TB, key string, body []byte, r object.SSERequest) *meta.Object {
	t.Helper()
	o, err := e.eng.Put(context.Background(), object.PutInput{Bucket: "b", Key: key, SSE: r, KMS: e.kms,
		Body: object.Body{R: bytes.NewReader(body), Size: int64(len(body))}, DefaultChecksum: object.DefaultChecksum})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *ueEnv) read(t testing.TB, key string) ([]byte, *object.Reader) {
	t.Helper()
	r, err := e.eng.Open(context.Background(), object.ReadInput{Bucket: "b", Key: key, KMS: e.kms, WantChecksum: true})
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	var buf bytes.Buffer
	if _, err := r.WriteTo(&buf); err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return buf.Bytes(), r
}

// TestUpdateEncryption: SSE-S3 to a KMS key, then to another with a bucket key; bytes,
// ETag, checksum, Last-Modified and blobs stay; the record takes the task marker; the
// result names the previous encryption.
func TestUpdateEncryption(t *testing.T) {
	e := newUEEnv(t)
	body := bytes.Repeat([]byte("arca "), 20000)
	orig := e.put(t, "k", body, object.SSERequest{})
	_, r0 := e.read(t, "k")
	ctx := object.WithTaskMarker(context.Background(), "job1/7")
	steps := []struct {
		key       string
		bucketKey bool
		prevMode  string
	}{{e.key1, false, sse.ModeS3}, {e.key2, true, sse.ModeKMS}, {e.key1, false, sse.ModeKMS}}
	for i, s := range steps {
		res, err := e.eng.Rewrap(ctx, object.UpdateEncryptionInput{Bucket: "b", Key: "k", KMSKeyARN: s.key, BucketKey: s.bucketKey, KMS: e.kms})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.Previous.Mode != s.prevMode {
			t.Errorf("step %d: previous mode %q, want %q", i, res.Previous.Mode, s.prevMode)
		}
		got, r := e.read(t, "k")
		o := r.Object
		if !bytes.Equal(got, body) {
			t.Fatalf("step %d: bytes differ", i)
		}
		if o.Enc.Mode != sse.ModeKMS || o.Enc.KMSKeyARN != s.key || o.Enc.BucketKey != s.bucketKey {
			t.Errorf("step %d: encryption %+v", i, o.Enc)
		}
		if o.ETag != orig.ETag || !o.LastModified.Equal(orig.LastModified) || o.Size != orig.Size ||
			r.ChecksumValue != r0.ChecksumValue || o.Pieces[0].BlobID != orig.Pieces[0].BlobID {
			t.Errorf("step %d: record changed: %+v", i, o)
		}
		if o.SealedChecksum == nil {
			t.Errorf("step %d: an SSE-KMS object's checksum is kept in clear", i)
		}
		if m, _ := e.eng.TaskMarker(context.Background(), "b", "k", ""); m != "job1/7" {
			t.Errorf("step %d: task marker %q", i, m)
		}
	}
}

// TestUpdateEncryptionRefusals: what the engine refuses, with the record left as it was.
func TestUpdateEncryptionRefusals(t *testing.T) {
	e := newUEEnv(t)
	ctx := context.Background()
	ck := bytes.Repeat([]byte{3}, 32)
	e.put(t, "ssec", []byte("customer"), object.SSERequest{CustomerKey: ck})
	if _, err := e.eng.UpdateEncryption(ctx, object.UpdateEncryptionInput{Bucket: "b", Key: "ssec", KMSKeyARN: e.key1, KMS: e.kms}); !errors.Is(err, object.ErrUpdateEncSourceType) {
		t.Errorf("SSE-C source: %v", err)
	}
	if _, err := e.eng.UpdateEncryption(ctx, object.UpdateEncryptionInput{Bucket: "b", Key: "none", KMSKeyARN: e.key1, KMS: e.kms}); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Errorf("missing key: %v", err)
	}
	e.put(t, "locked", []byte("locked"), object.SSERequest{})
	if err := e.meta.UpdateVersion(ctx, "b", "locked", "", func(o *meta.Object) error { o.LegalHold = meta.LegalHoldOn; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.UpdateEncryption(ctx, object.UpdateEncryptionInput{Bucket: "b", Key: "locked", KMSKeyARN: e.key1, KMS: e.kms}); !errors.Is(err, object.ErrUpdateEncLocked) {
		t.Errorf("legal hold: %v", err)
	}
	e.put(t, "k", []byte("data"), object.SSERequest{})
	if _, err := e.eng.UpdateEncryption(ctx, object.UpdateEncryptionInput{Bucket: "b", Key: "k", KMSKeyARN: "arn:aws:kms:us-east-1:" + ueAccount + ":key/00000000-0000-0000-0000-000000000000", KMS: e.kms}); err == nil {
		t.Error("a key that does not exist was accepted")
	}
	if _, r := e.read(t, "k"); r.Object.Enc.Mode != sse.ModeS3 {
		t.Errorf("refused update changed the record: %+v", r.Object.Enc)
	}
}

// TestUpdateEncryptionConcurrent: rewraps of one object racing each other and an overwrite
// never leave a record that does not open; each rewrap either commits on the record it
// read or starts again.
func TestUpdateEncryptionConcurrent(t *testing.T) {
	e := newUEEnv(t)
	bodies := map[string]bool{}
	first := []byte("first body")
	bodies[string(first)] = true
	e.put(t, "k", first, object.SSERequest{})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 6; i++ {
				key := e.key1
				if (w+i)%2 == 0 {
					key = e.key2
				}
				_, err := e.eng.UpdateEncryption(context.Background(), object.UpdateEncryptionInput{Bucket: "b", Key: "k", KMSKeyARN: key, BucketKey: i%3 == 0, KMS: e.kms})
				if err != nil && !errors.Is(err, object.ErrUpdateEncConflict) {
					errs <- err
				}
			}
		}()
	}
	second := []byte("second body, written during the rewraps")
	e.put(t, "k", second, object.SSERequest{})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent rewrap: %v", err)
	}
	if got, _ := e.read(t, "k"); !bytes.Equal(got, second) {
		t.Errorf("after the race the object reads %q", got)
	}
}

// interleavingStore runs between once, just before the first UpdateVersion: a write that
// lands between a rewrap's read and its commit.
type interleavingStore struct {
	meta.Store
	once    sync.Once
	between func()
}

func (s *interleavingStore) UpdateVersion(ctx context.Context, bucket, key, vid string, fn func(*meta.Object) error) error {
	s.once.Do(s.between)
	return s.Store.UpdateVersion(ctx, bucket, key, vid, fn)
}

// TestUpdateEncryptionOverwrittenMeanwhile: an overwrite between the rewrap's read and its
// commit makes the rewrap start again on the new object, instead of writing the replaced
// object's pieces (whose blobs are gone) back into the record.
func TestUpdateEncryptionOverwrittenMeanwhile(t *testing.T) {
	e := newUEEnv(t)
	e.put(t, "k", []byte("old bytes"), object.SSERequest{})
	st := &interleavingStore{Store: e.meta}
	st.between = func() { e.put(t, "k", []byte("new bytes"), object.SSERequest{}) }
	racing := object.New(object.Config{}, object.Deps{Meta: st, Blobs: e.blobs, SSE: e.sse})
	if _, err := racing.UpdateEncryption(context.Background(), object.UpdateEncryptionInput{Bucket: "b", Key: "k", KMSKeyARN: e.key1, KMS: e.kms}); err != nil {
		t.Fatal(err)
	}
	got, r := e.read(t, "k")
	if string(got) != "new bytes" || r.Object.Enc.KMSKeyARN != e.key1 {
		t.Errorf("after an overwrite during the rewrap: %q under %+v", got, r.Object.Enc)
	}
}

// BenchmarkUpdateEncryption measures one rewrap of a small (1 KiB) object through the
// engine: the metadata read, the old key's unwrap, the new data key (or cached bucket key)
// from Arca's KMS, the reseal and the metadata commit (fsynced, as in the server). No HTTP,
// no SigV4, no audit record.
//
//	go test ./internal/object/ -run '^$' -bench BenchmarkUpdateEncryption -benchtime 2000x
func BenchmarkUpdateEncryption(b *testing.B) {
	for _, bucketKey := range []bool{false, true} {
		b.Run(fmt.Sprintf("bucketKey=%v", bucketKey), func(b *testing.B) {
			e := newUEEnvSync(b, true)
			e.put(b, "small", bytes.Repeat([]byte{'x'}, 1024), object.SSERequest{})
			keys := []string{e.key1, e.key2}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := e.eng.UpdateEncryption(ctx, object.UpdateEncryptionInput{Bucket: "b", Key: "small", KMSKeyARN: keys[i%2], BucketKey: bucketKey, KMS: e.kms}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
