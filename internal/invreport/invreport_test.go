package invreport

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const testAccount = "111122223333"

type env struct {
	svc  *Service
	meta *meta.KVStore
	eng  *object.Engine
	now  time.Time
}

func newEnv(t testing.TB) *env {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "m.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	root, err := rootkey.New(bytes.Repeat([]byte{7}, 32))
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
	eng := object.New(object.Config{}, object.Deps{Meta: ms, Blobs: bs, SSE: sse.NewEngine(kr, sse.NewBucketKeyCache(0, nil))})
	e := &env{meta: ms, eng: eng, now: time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)}
	e.svc = New(Config{AccountID: testAccount, TempDir: dir}, Deps{KV: db, Meta: ms, Objects: eng, Now: func() time.Time { return e.now }})
	return e
}

func (e *env) bucket(t testing.TB, name, versioning string, inv ...inventory.Config) {
	if err := e.meta.CreateBucket(context.Background(), meta.Bucket{Name: name, Created: e.now, Versioning: versioning, Inventory: inv}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) put(t testing.TB, bucket, key, body string) *meta.Object {
	o, err := e.eng.Put(context.Background(), object.PutInput{Bucket: bucket, Key: key,
		Body: object.Body{R: strings.NewReader(body), Size: int64(len(body))}, DefaultChecksum: object.DefaultChecksum})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *env) get(t testing.TB, bucket, key string) []byte {
	o, err := e.eng.GetInternal(context.Background(), bucket, key, nil)
	if err != nil {
		t.Fatalf("%s/%s: %v", bucket, key, err)
	}
	return o.Body
}

var allFields = []string{"Size", "LastModifiedDate", "StorageClass", "ETag", "IsMultipartUploaded", "ReplicationStatus",
	"EncryptionStatus", "ObjectLockRetainUntilDate", "ObjectLockMode", "ObjectLockLegalHoldStatus",
	"ObjectLockEventHoldStatus", "ObjectLockEventHoldDuration", "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm", "ObjectAccessControlList", "ObjectOwner",
	"LifecycleExpirationDate", "IntelligentTieringReferenceDate", FieldKMSKeyArn}

func config(id, format, versions string) inventory.Config {
	return inventory.Config{ID: id, IsEnabled: true, Schedule: inventory.Daily, IncludedObjectVersions: versions,
		Destination:    inventory.Destination{BucketARN: "arn:aws:s3:::reports", Format: format, Prefix: "inv"},
		OptionalFields: allFields}
}

// readReport reads a delivered report back: the manifest (its checksum checked), every
// data file (size and MD5 checked), the rows.
func (e *env) readReport(t *testing.T, res *Result) (*Manifest, []Row) {
	raw := e.get(t, "reports", res.ManifestKey)
	sum := md5.Sum(raw)
	if got := string(e.get(t, "reports", strings.TrimSuffix(res.ManifestKey, ".json")+".checksum")); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("manifest.checksum %q, manifest MD5 %x", got, sum)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for _, f := range m.Files {
		body := e.get(t, "reports", f.Key)
		s := md5.Sum(body)
		if int64(len(body)) != f.Size || hex.EncodeToString(s[:]) != f.MD5 {
			t.Fatalf("%s: %d bytes MD5 %x; manifest says %d %s", f.Key, len(body), s, f.Size, f.MD5)
		}
		add := func(r *Row) error { rows = append(rows, *r); return nil }
		if m.FileFormat == "CSV" {
			err = ReadCSV(bytes.NewReader(body), m.Columns(), add)
		} else {
			err = ReadParquet(bytes.NewReader(body), int64(len(body)), add)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return m, rows
}

func TestReportCSVAndParquetMatchTheRecords(t *testing.T) {
	for _, format := range []string{inventory.FormatCSV, inventory.FormatParquet} {
		t.Run(format, func(t *testing.T) {
			e := newEnv(t)
			e.bucket(t, "reports", "")
			e.bucket(t, "src", "Enabled", config("all", format, inventory.VersionsAll), config("cur", format, inventory.VersionsCurrent))
			ctx := context.Background()
			e.put(t, "src", "a b/c+d,\"e\".txt", "one")
			e.put(t, "src", "k", "v1")
			e.put(t, "src", "k", "version two")
			e.put(t, "src", "gone", "x")
			if _, err := e.eng.Delete(ctx, object.DeleteInput{Bucket: "src", Key: "gone"}); err != nil {
				t.Fatal(err)
			}
			res, err := e.svc.Run(ctx, "src", "all")
			if err != nil {
				t.Fatal(err)
			}
			if want := "inv/src/all/2026-12-06T08-30Z/manifest.json"; res.ManifestKey != want {
				t.Errorf("manifest key %q, want %q", res.ManifestKey, want)
			}
			m, rows := e.readReport(t, res)
			if m.SourceBucket != "src" || m.DestinationBucket != "arn:aws:s3:::reports" || m.Version != "2016-11-30" ||
				m.CreationTimestamp != fmt.Sprint(e.now.UnixMilli()) || m.FileFormat != format {
				t.Errorf("manifest %+v", m)
			}
			vers, err := e.meta.ListVersions(ctx, "src", meta.VersionListOptions{MaxKeys: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(vers.Versions) || res.Rows != int64(len(rows)) {
				t.Fatalf("%d rows (result %d), %d versions", len(rows), res.Rows, len(vers.Versions))
			}
			for i, v := range vers.Versions {
				r := rows[i]
				want := rowOf("src", testAccount, &v)
				want.LastModified = want.LastModified.Truncate(time.Millisecond)
				r.LastModified = r.LastModified.Truncate(time.Millisecond)
				if r != want {
					t.Errorf("row %d:\n got %+v\nwant %+v", i, r, want)
				}
			}
			if got := string(e.get(t, "reports", "inv/src/all/hive/dt=2026-12-06-08-30/symlink.txt")); got != "s3://reports/"+m.Files[0].Key+"\n" {
				t.Errorf("symlink.txt %q", got)
			}
			cur, err := e.svc.Run(ctx, "src", "cur")
			if err != nil {
				t.Fatal(err)
			}
			_, rows = e.readReport(t, cur)
			if len(rows) != 2 || rows[0].Key != "a b/c+d,\"e\".txt" || rows[1].Key != "k" || rows[1].Size != int64(len("version two")) {
				t.Errorf("current rows %+v", rows)
			}
		})
	}
}

var csvSchemaWant = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, " +
	"IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, " +
	"ObjectLockLegalHoldStatus, ObjectLockEventHoldStatus, ObjectLockEventHoldDuration, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, " +
	"ObjectAccessControlList, ObjectOwner, LifecycleExpirationDate, IntelligentTieringReferenceDate, KMSKeyArn"

func TestSchemasFollowAWSOrder(t *testing.T) {
	c := config("x", inventory.FormatCSV, inventory.VersionsAll)
	// The configuration's order does not matter: AWS's does.
	c.OptionalFields = append([]string(nil), allFields...)
	for i, j := 0, len(c.OptionalFields)-1; i < j; i, j = i+1, j-1 {
		c.OptionalFields[i], c.OptionalFields[j] = c.OptionalFields[j], c.OptionalFields[i]
	}
	if got := csvSchema(Columns(c)); got != csvSchemaWant {
		t.Errorf("CSV schema\n got %s\nwant %s", got, csvSchemaWant)
	}
	c.IncludedObjectVersions = inventory.VersionsCurrent
	c.OptionalFields = []string{"EncryptionStatus", "Size"}
	if got := csvSchema(Columns(c)); got != "Bucket, Key, Size, EncryptionStatus" {
		t.Errorf("current-version schema %q", got)
	}
	want := "message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); optional int64 size; optional binary encryption_status (UTF8);}"
	if got := parquetFileSchema(Columns(c)); got != want {
		t.Errorf("Parquet fileSchema\n got %s\nwant %s", got, want)
	}
	// The file's own schema has the same columns in the same order and types.
	var buf bytes.Buffer
	pw := newParquetWriter(&buf, Columns(c))
	if err := pw.Write(&Row{Bucket: "b", Key: "k", Size: 3, EncryptionStatus: "SSE-S3"}); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	var got []Row
	if err := ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()), func(r *Row) error { got = append(got, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != (Row{Bucket: "b", Key: "k", Size: 3, EncryptionStatus: "SSE-S3"}) {
		t.Errorf("read back %+v", got)
	}
	s := parquetSchema(Columns(c)).String()
	for i, n := range []string{"bucket", "key", "size", "encryption_status"} {
		if j := strings.Index(s, n); j < 0 {
			t.Errorf("column %d %s missing from %s", i, n, s)
		}
	}
	if !(strings.Index(s, "key") < strings.Index(s, "size") && strings.Index(s, "size") < strings.Index(s, "encryption_status")) {
		t.Errorf("Parquet columns out of AWS's order: %s", s)
	}
}

var csvValueTests = []struct {
	col  string
	row  Row
	want string
}{
	{"Key", Row{Key: "a b/c"}, `"a+b%2Fc"`},
	{"Key", Row{Key: `x,"y"`}, `"x%2C%22y%22"`},
	{"Key", Row{Key: "ü+%"}, `"%C3%BC%2B%25"`},
	{"Size", Row{Size: 0}, `"0"`},
	{"Size", Row{IsDeleteMarker: true}, `""`},
	{"LastModifiedDate", Row{LastModified: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)}, `"2026-01-02T03:04:05.006Z"`},
	{"IsMultipartUploaded", Row{IsMultipartUploaded: true}, `"true"`},
	{"ETag", Row{ETag: `a"b`}, `"a""b"`},
}

func TestCSVValues(t *testing.T) {
	for _, tc := range csvValueTests {
		c := byCSVName[tc.col]
		if got := csvQuote(csvValue(c, &tc.row)); got != tc.want {
			t.Errorf("%s of %+v = %s, want %s", tc.col, tc.row, got, tc.want)
		}
		var back Row
		if err := setField(&back, tc.col, csvValue(c, &tc.row)); err != nil {
			t.Errorf("%s: %v", tc.col, err)
		}
		if tc.col == "Key" && back.Key != tc.row.Key {
			t.Errorf("key %q read back as %q", tc.row.Key, back.Key)
		}
	}
}

func TestRunErrors(t *testing.T) {
	e := newEnv(t)
	orc := config("orc", inventory.FormatORC, inventory.VersionsAll)
	nodest := config("nodest", inventory.FormatCSV, inventory.VersionsAll)
	nodest.Destination.BucketARN = "arn:aws:s3:::nowhere"
	other := config("other", inventory.FormatCSV, inventory.VersionsAll)
	other.Destination.BucketARN = "arn:aws:s3:::theirs"
	e.bucket(t, "src", "", orc, nodest, other)
	if err := e.meta.CreateBucket(context.Background(), meta.Bucket{Name: "theirs", Owner: "444455556666"}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]error{"none": ErrNoSuchConfiguration, "orc": ErrFormatNotSupported, "nodest": ErrNoDestination, "other": ErrDestinationDenied} {
		if _, err := e.svc.Run(context.Background(), "src", id); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", id, err, want)
		}
	}
	// Another account's bucket takes the report once its policy allows S3 to put it.
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",` +
		`"Resource":"arn:aws:s3:::theirs/*","Condition":{"StringEquals":{"aws:SourceAccount":"` + testAccount + `","s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src"}}}]}`
	if err := e.meta.UpdateBucket(context.Background(), "theirs", func(b *meta.Bucket) error { b.Policy = pol; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Run(context.Background(), "src", "other"); err != nil {
		t.Errorf("with the policy: %v", err)
	}
	// A Deny refuses even in the same account.
	deny := strings.Replace(strings.Replace(pol, "Allow", "Deny", 1), "theirs", "src", 1)
	e.bucket(t, "mine", "")
	mine := config("mine", inventory.FormatCSV, inventory.VersionsCurrent)
	mine.Destination.BucketARN = "arn:aws:s3:::mine"
	if err := e.meta.UpdateBucket(context.Background(), "mine", func(b *meta.Bucket) error {
		b.Policy = strings.Replace(deny, "arn:aws:s3:::src/*", "arn:aws:s3:::mine/*", 1)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.meta.UpdateBucket(context.Background(), "src", func(b *meta.Bucket) error { b.Inventory = append(b.Inventory, mine); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Run(context.Background(), "src", "mine"); !errors.Is(err, ErrDestinationDenied) {
		t.Errorf("denied by policy: %v", err)
	}
}

func TestTickRunsDueConfigurations(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "reports", "")
	off := config("off", inventory.FormatCSV, inventory.VersionsCurrent)
	off.IsEnabled = false
	weekly := config("weekly", inventory.FormatCSV, inventory.VersionsCurrent)
	weekly.Schedule = inventory.Weekly
	e.bucket(t, "src", "", config("daily", inventory.FormatCSV, inventory.VersionsCurrent), weekly, off)
	e.put(t, "src", "k", "v")
	ctx := context.Background()
	if n := e.svc.Tick(ctx); n != 2 {
		t.Fatalf("first tick delivered %d reports, want 2 (daily, weekly)", n)
	}
	if n := e.svc.Tick(ctx); n != 0 {
		t.Fatalf("second tick delivered %d", n)
	}
	e.now = e.now.Add(24 * time.Hour)
	if n := e.svc.Tick(ctx); n != 1 {
		t.Fatalf("a day later %d, want 1 (daily)", n)
	}
	e.now = e.now.Add(6 * 24 * time.Hour)
	if n := e.svc.Tick(ctx); n != 2 {
		t.Fatalf("a week later %d, want 2", n)
	}
	at, manifest, failure, err := e.svc.LastRun("src", "weekly")
	if err != nil || !at.Equal(e.now) || failure != "" || !strings.HasPrefix(manifest, "inv/src/weekly/") {
		t.Errorf("last run %v %q %q %v", at, manifest, failure, err)
	}
}
