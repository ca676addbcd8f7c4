package blastradius

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/accesslog"
	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const testAccount = "111122223333"

// env is a real metadata store and keystore on one bolt file.
type env struct {
	meta *meta.KVStore
	keys *kms.Service
	svc  *Service
}

func newEnv(t *testing.T, pageSize int) *env { return newEnvF(t, pageSize) }

func newEnvF(t testing.TB, pageSize ...int) *env {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	root, err := rootkey.Parse(rootkey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := meta.Open(db, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := kms.Open(context.Background(), kms.Config{DB: db, Root: root, RecordKey: ms.RecordKey(), Region: "us-east-1",
		AccountID: testAccount, SchedulerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	return &env{meta: ms, keys: ks, svc: New(Deps{Meta: ms, Keys: kms.Single(ks), PageSize: append(pageSize, 0)[0]})}
}

var root = kms.Principal{AccountID: testAccount, ARN: "arn:aws:iam::" + testAccount + ":root"}

func (e *env) key(t testing.TB, alias string) kms.KeyMetadata {
	t.Helper()
	md, err := e.keys.CreateKey(context.Background(), root, kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if alias != "" {
		if err := e.keys.CreateAlias(context.Background(), root, alias, md.KeyID); err != nil {
			t.Fatal(err)
		}
	}
	return md
}

func (e *env) bucket(t *testing.T, b meta.Bucket) {
	t.Helper()
	if err := e.meta.CreateBucket(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func (e *env) put(t *testing.T, bucket, key string, size int64, enc *meta.Encryption) {
	t.Helper()
	if _, err := e.meta.PutObject(context.Background(), bucket, meta.Object{Key: key, Size: size, Enc: enc}, nil); err != nil {
		t.Fatal(err)
	}
}

// TestCompute counts across pages (page size 2), versions, bucket keys and buckets, and
// resolves bucket defaults, inventory encryption and access-log targets by alias, id and ARN.
func TestCompute(t *testing.T) {
	e := newEnv(t, 2)
	ctx := context.Background()
	k := e.key(t, "alias/k")
	other := e.key(t, "")
	kmsEnc := func(arn string, bk bool) *meta.Encryption {
		return &meta.Encryption{Mode: "aws:kms", KMSKeyARN: arn, BucketKey: bk}
	}
	e.bucket(t, meta.Bucket{Name: "a", Versioning: "Enabled",
		Inventory: []inventory.Config{
			{ID: "own", Destination: inventory.Destination{BucketARN: "arn:aws:s3:::logs", Encryption: &inventory.Encryption{KMSKeyID: k.KeyID}}},
			{ID: "dflt", Destination: inventory.Destination{BucketARN: "arn:aws:s3:::b"}},
			{ID: "s3", Destination: inventory.Destination{BucketARN: "arn:aws:s3:::b", Encryption: &inventory.Encryption{SSES3: true}}},
		},
		Logging: &accesslog.Config{TargetBucket: "b"}})
	e.bucket(t, meta.Bucket{Name: "b", Encryption: &meta.BucketEncryption{Algorithm: "aws:kms", KMSMasterKeyID: "alias/k", BucketKey: true}})
	e.bucket(t, meta.Bucket{Name: "c", Encryption: &meta.BucketEncryption{Algorithm: "aws:kms", KMSMasterKeyID: k.ARN}})
	e.bucket(t, meta.Bucket{Name: "logs", Encryption: &meta.BucketEncryption{Algorithm: "AES256"}})
	for i, size := range []int64{1, 2, 3, 4, 5} { // five versions of one key
		_ = i
		e.put(t, "a", "x", size, kmsEnc(k.ARN, false))
	}
	e.put(t, "a", "y", 100, kmsEnc(other.ARN, false))
	e.put(t, "a", "z", 100, &meta.Encryption{Mode: "AES256"})
	if _, err := e.meta.DeleteObject(ctx, "a", "x", meta.DeleteOptions{}); err != nil { // a delete marker
		t.Fatal(err)
	}
	e.put(t, "b", "p", 10, kmsEnc(k.ARN, true))
	e.put(t, "b", "q", 20, kmsEnc(k.ARN, true))
	e.put(t, "b", "r", 30, nil)
	if err := e.meta.CreateUpload(ctx, "c", meta.Upload{ID: "0000000000000001" + strings.Repeat("ab", 12), Key: "m", Enc: kmsEnc(k.ARN, false)}); err != nil {
		t.Fatal(err)
	}

	r, err := e.svc.Compute(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if r.Objects != 7 || r.Bytes != 15+30 || r.Uploads != 1 || r.KeyArn != k.ARN || r.KeyState != "Enabled" {
		t.Errorf("totals %+v", r)
	}
	if len(r.Buckets) != 2 || r.Buckets[0] != (BucketUse{Name: "a", Objects: 5, Bytes: 15}) ||
		r.Buckets[1] != (BucketUse{Name: "b", Objects: 2, Bytes: 30, BucketKeyObjects: 2}) {
		t.Errorf("buckets %+v", r.Buckets)
	}
	if len(r.DefaultEncryption) != 2 || r.DefaultEncryption[0] != (DefaultUse{"b", true}) || r.DefaultEncryption[1] != (DefaultUse{"c", false}) {
		t.Errorf("defaults %+v", r.DefaultEncryption)
	}
	if len(r.Inventories) != 2 || r.Inventories[0] != (InventoryUse{"a", "own", "logs", "InventoryEncryption"}) ||
		r.Inventories[1] != (InventoryUse{"a", "dflt", "b", "DestinationDefault"}) {
		t.Errorf("inventories %+v", r.Inventories)
	}
	if len(r.AccessLogs) != 1 || r.AccessLogs[0] != (LogUse{"a", "b"}) {
		t.Errorf("access logs %+v", r.AccessLogs)
	}
	if r.ScannedVersions != 5+1+1+1+3 {
		t.Errorf("scanned %d versions", r.ScannedVersions)
	}

	// The other key: one object; nothing else names it.
	if r, err := e.svc.Compute(ctx, other); err != nil || r.Objects != 1 || r.Bytes != 100 || len(r.DefaultEncryption) != 0 {
		t.Errorf("other key: %+v %v", r, err)
	}
}

// TestCheck: the guard refuses a key that protects objects (ErrKeyInUse naming the counts and
// the force), lets a forced or unused key through.
func TestCheck(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	k := e.key(t, "")
	unused := e.key(t, "")
	e.bucket(t, meta.Bucket{Name: "a"})
	e.put(t, "a", "x", 42, &meta.Encryption{Mode: "aws:kms", KMSKeyARN: k.ARN})
	err := e.svc.Check(ctx, "DisableKey", k, nil)
	if !errors.Is(err, ErrKeyInUse) {
		t.Fatalf("Check: %v", err)
	}
	for _, want := range []string{"DisableKey refused", "1 objects (42 bytes) in 1 buckets", ForceTag + "=" + ForceValue, k.ARN} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if err := e.svc.Check(ctx, "DisableKey", k, []kms.Tag{{Key: ForceTag, Value: "TRUE"}}); err != nil {
		t.Errorf("forced: %v", err)
	}
	if err := e.svc.Check(ctx, "DisableKey", k, []kms.Tag{{Key: ForceTag, Value: "no"}}); !errors.Is(err, ErrKeyInUse) {
		t.Errorf("tag not true: %v", err)
	}
	if err := e.svc.Check(ctx, "ScheduleKeyDeletion", unused, nil); err != nil {
		t.Errorf("unused key: %v", err)
	}
}
