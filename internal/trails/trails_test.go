package trails

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const testAccount = "123456789012"

// bucketStore is the object store the tests deliver into: what PutObject received.
type bucketStore struct {
	mu      sync.Mutex
	objects map[string]Object // bucket/key
	fail    error             // PutObject answers this when set
	onPut   func(Object)      // called after a successful put
}

func (b *bucketStore) put(ctx context.Context, o Object) error {
	b.mu.Lock()
	if b.fail != nil {
		b.mu.Unlock()
		return b.fail
	}
	b.objects[o.Bucket+"/"+o.Key] = o
	hook := b.onPut
	b.mu.Unlock()
	if hook != nil {
		hook(o)
	}
	return nil
}

func (b *bucketStore) keys(sub string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for k := range b.objects {
		if strings.Contains(k, sub) {
			out = append(out, k)
		}
	}
	return out
}

type env struct {
	svc     *Service
	records *audit.Trail
	db      *bolt.Store
	objects *bucketStore
	root    *rootkey.Key
}

func newEnv(t *testing.T, path string, root *rootkey.Key, objects *bucketStore) *env {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	records, err := audit.OpenTrail(audit.Config{DB: db, AccountID: testAccount})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{DB: db, Records: records, Root: root, AccountID: testAccount, Region: "us-east-1",
		PutObject:    objects.put,
		BucketExists: func(ctx context.Context, b string) (bool, error) { return b == "logs", nil },
		ResolveKMSKey: func(ctx context.Context, account, ref string) (string, error) {
			return "", errf(ErrKMSKeyNotFound, "no keys here")
		}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, records: records, db: db, objects: objects, root: root}
	t.Cleanup(func() { records.Close(); db.Close() })
	return e
}

func newRoot(t *testing.T) *rootkey.Key {
	k, err := rootkey.Parse(rootkey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (e *env) record(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := e.records.Handle(context.Background(), &audit.Record{EventName: n, EventSource: audit.SourceS3}); err != nil {
			t.Fatal(err)
		}
	}
}

// logEvents decompresses every delivered log file and returns the event names in them.
func logEvents(t *testing.T, objs *bucketStore) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, k := range objs.keys("/CloudTrail/") {
		objs.mu.Lock()
		o := objs.objects[k]
		objs.mu.Unlock()
		var doc struct{ Records []audit.Record }
		if err := json.Unmarshal(gunzip(t, o.Body), &doc); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		for _, r := range doc.Records {
			out[r.EventName]++
		}
	}
	return out
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func startTrail(t *testing.T, e *env, name string, validation bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.svc.Create(ctx, "", CreateInput{Name: name, Bucket: "logs", Validation: validation}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Start(ctx, "", name); err != nil {
		t.Fatal(err)
	}
}

// Digests sign exactly what the aws CLI's validator checks, chain to each other, and any
// changed byte of a digest (or a wrong key) fails verification.
func TestDigestSignAndVerify(t *testing.T) {
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), newRoot(t), objs)
	startTrail(t, e, "signed", true)
	ctx := context.Background()
	e.record(t, "PutObject", "GetObject")
	if _, err := e.svc.Flush(ctx, "", "signed"); err != nil {
		t.Fatal(err)
	}
	e.record(t, "DeleteObject")
	res, err := e.svc.Flush(ctx, "", "signed")
	if err != nil || len(res) != 1 || res[0].DigestKey == "" || res[0].Records != 1 {
		t.Fatalf("second flush: %+v %v", res, err)
	}
	keys, err := e.svc.PublicKeys(time.Time{}, time.Time{})
	if err != nil || len(keys) != 1 {
		t.Fatalf("PublicKeys: %v %v", keys, err)
	}
	digests := objs.keys("/CloudTrail-Digest/")
	if len(digests) != 2 {
		t.Fatalf("want 2 digests, got %v", digests)
	}
	var first, second *Digest
	for _, k := range digests {
		o := objs.objects[k]
		if o.UserMeta["signature-algorithm"] != "SHA256withRSA" {
			t.Fatalf("%s: metadata %v", k, o.UserMeta)
		}
		raw := gunzip(t, o.Body)
		d, err := VerifyDigest(keys[0].DER, raw, o.UserMeta["signature"])
		if err != nil {
			t.Fatalf("%s does not verify: %v", k, err)
		}
		if d.DigestPublicKeyFingerprint != keys[0].Fingerprint || "logs/"+d.DigestS3Object != k {
			t.Fatalf("%s: fingerprint %s, object %s", k, d.DigestPublicKeyFingerprint, d.DigestS3Object)
		}
		if d.PreviousDigestSignature == nil {
			first = d
		} else {
			second = d
		}
		// Every listed log file hashes to its hashValue.
		for _, lf := range d.LogFiles {
			sum := sha256.Sum256(gunzip(t, objs.objects[lf.S3Bucket+"/"+lf.S3Object].Body))
			if hex.EncodeToString(sum[:]) != lf.HashValue {
				t.Fatalf("log %s: hash mismatch", lf.S3Object)
			}
		}
		// One changed byte anywhere in the digest breaks the signature.
		for _, i := range []int{0, len(raw) / 2, len(raw) - 1} {
			bad := append([]byte(nil), raw...)
			bad[i] ^= 1
			if _, err := VerifyDigest(keys[0].DER, bad, o.UserMeta["signature"]); !errors.Is(err, ErrDigestInvalid) {
				t.Fatalf("%s with byte %d changed: %v", k, i, err)
			}
		}
	}
	if first == nil || second == nil {
		t.Fatal("want one digest starting the chain and one chained to it")
	}
	prevRaw := gunzip(t, objs.objects["logs/"+first.DigestS3Object].Body)
	sum := sha256.Sum256(prevRaw)
	if *second.PreviousDigestS3Object != first.DigestS3Object || *second.PreviousDigestHashValue != hex.EncodeToString(sum[:]) ||
		*second.PreviousDigestSignature != objs.objects["logs/"+first.DigestS3Object].UserMeta["signature"] {
		t.Fatalf("second digest does not chain to the first: %+v", second)
	}
	if !(second.DigestEndTime > first.DigestEndTime) || second.DigestStartTime != first.DigestEndTime {
		t.Fatalf("digest times: first %s–%s, second %s–%s", first.DigestStartTime, first.DigestEndTime, second.DigestStartTime, second.DigestEndTime)
	}
	if len(first.LogFiles) != 1 || len(second.LogFiles) != 1 {
		t.Fatalf("log files per digest: %d, %d", len(first.LogFiles), len(second.LogFiles))
	}
	// Another key pair does not verify.
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o := objs.objects["logs/"+first.DigestS3Object]
	if _, err := VerifyDigest(x509.MarshalPKCS1PublicKey(&otherKey.PublicKey), gunzip(t, o.Body), o.UserMeta["signature"]); !errors.Is(err, ErrDigestInvalid) {
		t.Fatalf("verified with another key: %v", err)
	}
}

// The root key rotation re-seals the signing key: the new root opens it, the old does not,
// and a wrong old key changes nothing.
func TestResealSigningKey(t *testing.T) {
	objs := &bucketStore{objects: map[string]Object{}}
	old := newRoot(t)
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), old, objs)
	if _, _, err := e.svc.signer(); err != nil {
		t.Fatal(err)
	}
	newKey, wrong := newRoot(t), newRoot(t)
	if err := e.db.Update(func(tx kv.Tx) error { _, err := ResealTx(tx, wrong, newKey); return err }); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("reseal with the wrong old key: %v", err)
	}
	var n int
	if err := e.db.Update(func(tx kv.Tx) error { var err error; n, err = ResealTx(tx, old, newKey); return err }); err != nil || n != 1 {
		t.Fatalf("reseal: %d %v", n, err)
	}
	for _, c := range []struct {
		root *rootkey.Key
		ok   bool
	}{{newKey, true}, {old, false}} {
		s := &Service{cfg: e.svc.cfg}
		s.cfg.Root = c.root
		_, _, err := s.signer()
		if (err == nil) != c.ok {
			t.Fatalf("opening with root ok=%v: %v", c.ok, err)
		}
	}
}

// A failed put leaves the cursor where it was, so the next delivery carries the same
// records; a crash after the file is written but before the cursor is committed delivers
// them again in a new file. Either way no record is missing from the bucket.
func TestDeliveryCursorCrashSafety(t *testing.T) {
	dir := t.TempDir()
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(dir, "meta.db"), newRoot(t), objs)
	startTrail(t, e, "crashy", false)
	ctx := context.Background()

	e.record(t, "A1", "A2")
	objs.fail = errors.New("disk full")
	if res, err := e.svc.Flush(ctx, "", "crashy"); err != nil || res[0].DeliveryError == "" {
		t.Fatalf("flush with failing puts: %+v %v", res, err)
	}
	st, _ := e.svc.Get("", "crashy")
	if st.DeliveryError == "" || !st.LastDelivery.IsZero() {
		t.Fatalf("status after a failed delivery: %+v", st)
	}
	objs.fail = nil
	if _, err := e.svc.Flush(ctx, "", "crashy"); err != nil {
		t.Fatal(err)
	}
	if got := logEvents(t, objs); got["A1"] != 1 || got["A2"] != 1 {
		t.Fatalf("after retry: %v", got)
	}

	// Crash between put and cursor: snapshot the metadata file as the put returns.
	e.record(t, "B1", "B2", "B3")
	snap := filepath.Join(dir, "crash.db")
	objs.onPut = func(Object) {
		e.db.CopyTo(snap)
	}
	if _, err := e.svc.Flush(ctx, "", "crashy"); err != nil {
		t.Fatal(err)
	}
	objs.onPut = nil
	if got := logEvents(t, objs); got["B1"] != 1 {
		t.Fatalf("before the crash: %v", got)
	}
	e2 := newEnv(t, snap, e.root, objs)
	e2.record(t, "C1")
	res, err := e2.svc.Flush(ctx, "", "crashy")
	if err != nil || res[0].Records != 4 {
		t.Fatalf("flush after the crash: %+v %v (want B1–B3 again and C1)", res, err)
	}
	got := logEvents(t, objs)
	for _, n := range []string{"A1", "A2", "B1", "B2", "B3", "C1"} {
		if got[n] < 1 {
			t.Fatalf("record %s lost: %v", n, got)
		}
	}
	if got["B1"] != 2 || got["A1"] != 1 {
		t.Fatalf("want B1 delivered twice (before and after the crash), A1 once: %v", got)
	}
}

// Records made while a trail is stopped are not delivered; those before StopLogging are.
func TestStopStartSkipsStoppedPeriod(t *testing.T) {
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), newRoot(t), objs)
	ctx := context.Background()
	e.record(t, "BeforeCreate")
	startTrail(t, e, "stopper", true)
	e.record(t, "WhileLogging")
	if err := e.svc.Stop(ctx, "", "stopper"); err != nil {
		t.Fatal(err)
	}
	e.record(t, "WhileStopped")
	if err := e.svc.Start(ctx, "", "arn:aws:cloudtrail:us-east-1:123456789012:trail/stopper"); err != nil {
		t.Fatal(err)
	}
	e.record(t, "AfterRestart")
	if _, err := e.svc.Flush(ctx, "", ""); err != nil {
		t.Fatal(err)
	}
	got := logEvents(t, objs)
	if got["WhileLogging"] != 1 || got["AfterRestart"] != 1 || got["WhileStopped"] != 0 || got["BeforeCreate"] != 0 {
		t.Fatalf("delivered: %v", got)
	}
}

// Large backlogs are split into files of at most maxFileRecords records.
func TestDeliverySplitsFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10 001 records")
	}
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), newRoot(t), objs)
	startTrail(t, e, "big", false)
	for i := 0; i < maxFileRecords+1; i++ {
		if err := e.records.Handle(context.Background(), &audit.Record{EventName: fmt.Sprint("E", i)}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := e.svc.Flush(context.Background(), "", "big")
	if err != nil || res[0].Files != 2 || res[0].Records != maxFileRecords+1 {
		t.Fatalf("flush: %+v %v", res, err)
	}
}

var nameTests = []struct {
	name string
	ok   bool
}{
	{"abc", true}, {"my-trail_1.x", true}, {"ab", false}, {strings.Repeat("a", 129), false},
	{"-abc", false}, {"abc-", false}, {"a--b", false}, {"a._b", false}, {"a b", false},
	{"192.168.5.4", false}, {"Trail9", true},
}

func TestValidateName(t *testing.T) {
	for _, c := range nameTests {
		if err := ValidateName(c.name); (err == nil) != c.ok {
			t.Errorf("%q: %v", c.name, err)
		}
	}
}
