package batch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

type row struct{ bucket, key, version string }

func collect(rows *[]row) emitFunc {
	return func(b, k, v string) error {
		*rows = append(*rows, row{b, k, v})
		return nil
	}
}

var csvManifestTests = []struct {
	name   string
	fields []string
	in     string
	want   []row
	bad    bool
}{
	{"default fields", nil, "b,k\nb,dir%2Fa+b\n", []row{{"b", "k", ""}, {"b", "dir/a b", ""}}, false},
	{"version column", []string{FieldBucket, FieldKey, FieldVersionID}, "b,k,v1\nb,k2,\n", []row{{"b", "k", "v1"}, {"b", "k2", ""}}, false},
	{"version column missing", []string{FieldBucket, FieldKey, FieldVersionID}, "b,k\n", []row{{"b", "k", ""}}, false},
	{"ignore and order", []string{FieldIgnore, FieldKey, FieldBucket}, "x,k%25,b\n", []row{{"b", "k%", ""}}, false},
	{"quoted comma", nil, "b,\"a,b\"\n", []row{{"b", "a,b", ""}}, false},
	{"crlf", nil, "b,k\r\nb,l\r\n", []row{{"b", "k", ""}, {"b", "l", ""}}, false},
	{"empty", nil, "", nil, false},
	{"short row", nil, "b\n", nil, true},
	{"empty key", nil, "b,\n", nil, true},
	{"bad escape", nil, "b,%zz\n", nil, true},
	{"bad quote", nil, "b,\"k\n", nil, true},
	{"no key field", []string{FieldBucket, FieldIgnore}, "b,k\n", nil, true},
}

func TestParseCSVManifest(t *testing.T) {
	for _, tc := range csvManifestTests {
		var got []row
		err := parseCSVManifest(strings.NewReader(tc.in), tc.fields, collect(&got))
		if tc.bad {
			var me *errManifest
			if !errors.As(err, &me) {
				t.Errorf("%s: err %v, want a manifest error", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: row %d %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

func FuzzCSVManifest(f *testing.F) {
	for _, tc := range csvManifestTests {
		f.Add(tc.in, strings.Join(tc.fields, ","))
	}
	f.Fuzz(func(t *testing.T, in, fields string) {
		var fl []string
		if fields != "" {
			fl = strings.Split(fields, ",")
		}
		if validateFields(fl) != nil {
			return
		}
		err := parseCSVManifest(strings.NewReader(in), fl, func(b, k, v string) error {
			if b == "" || k == "" || len(k) > maxKeyLen {
				t.Fatalf("emitted an invalid row %q %q", b, k)
			}
			return nil
		})
		var me *errManifest
		if err != nil && !errors.As(err, &me) {
			t.Fatalf("non-manifest error %v", err)
		}
	})
}

// inventoryFiles builds an inventory report's data file (gzip CSV) and manifest.json.
func inventoryFiles(t testing.TB, schema string, rows string) (data, manifest []byte) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(rows))
	zw.Close()
	data = buf.Bytes()
	m := map[string]any{
		"sourceBucket": "src", "destinationBucket": "arn:aws:s3:::inv", "version": "2016-11-30",
		"creationTimestamp": "1514944800000", "fileFormat": "CSV", "fileSchema": schema,
		"files": []map[string]any{{"key": "src/cfg/data/a.csv.gz", "size": len(data), "MD5checksum": md5Hex(data)}},
	}
	manifest, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data, manifest
}

func TestInventoryManifestJob(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	m := newMemExecutor()
	data, man := inventoryFiles(t, "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size",
		"src,a,v1,true,false,1\nsrc,b%2Fc,v2,true,false,1\nsrc,gone,v3,true,true,\n")
	m.put("inv", "src/cfg/data/a.csv.gz", data)
	m.put("inv", "src/cfg/2026-01-01T00-00Z/manifest.json", man)
	m.put("src", "a", []byte("1"))
	m.put("src", "b/c", []byte("1"))
	j := csvJob("inv")
	j.Manifest = &Manifest{Spec: ManifestSpec{Format: FormatInventoryCSV},
		Location: Location{ObjectArn: "arn:aws:s3:::inv/src/cfg/2026-01-01T00-00Z/manifest.json", ETag: md5Hex(man)}}
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, m)
	got := waitStatus(t, s, id, StatusComplete, StatusFailed)
	if got.Status != StatusComplete || got.Progress.TotalNumberOfTasks != 2 || got.Progress.NumberOfTasksSucceeded != 2 {
		t.Fatalf("%s %+v %+v", got.Status, got.Progress, got.FailureReasons)
	}
}

func TestInventoryFileChecksumMismatchFailsJob(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	m := newMemExecutor()
	data, man := inventoryFiles(t, "Bucket, Key", "src,a\n")
	m.put("inv", "src/cfg/data/a.csv.gz", append(data[:len(data):len(data)], 0)) // not the listed bytes
	m.put("inv", "m.json", man)
	j := csvJob("invbad")
	j.Manifest = &Manifest{Spec: ManifestSpec{Format: FormatInventoryCSV},
		Location: Location{ObjectArn: "arn:aws:s3:::inv/m.json", ETag: md5Hex(man)}}
	id, _ := s.Create(context.Background(), j)
	startService(t, s, m)
	got := waitStatus(t, s, id, StatusComplete, StatusFailed)
	if got.Status != StatusFailed || !strings.Contains(got.FailureReasons[0].FailureReason, "MD5checksum") {
		t.Fatalf("%s %+v", got.Status, got.FailureReasons)
	}
}

var inventoryManifestTests = []struct {
	name string
	in   string
	ok   bool
}{
	{"good", `{"destinationBucket":"arn:aws:s3:::d","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"k","size":1,"MD5checksum":"0123456789abcdef0123456789abcdef"}]}`, true},
	{"numeric timestamp", `{"destinationBucket":"arn:aws:s3:::d","creationTimestamp":1,"fileFormat":"CSV","fileSchema":"Bucket,Key,VersionId","files":[{"key":"k","MD5checksum":"0123456789abcdef0123456789abcdef"}]}`, true},
	{"parquet", `{"destinationBucket":"arn:aws:s3:::d","fileFormat":"Parquet","fileSchema":"Bucket, Key","files":[{"key":"k","MD5checksum":"0123456789abcdef0123456789abcdef"}]}`, false},
	{"no key column", `{"destinationBucket":"arn:aws:s3:::d","fileFormat":"CSV","fileSchema":"Bucket, Size","files":[{"key":"k","MD5checksum":"0123456789abcdef0123456789abcdef"}]}`, false},
	{"bad md5", `{"destinationBucket":"arn:aws:s3:::d","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"k","MD5checksum":"xyz"}]}`, false},
	{"no files", `{"destinationBucket":"arn:aws:s3:::d","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[]}`, false},
	{"bad destination", `{"destinationBucket":"d","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"k","MD5checksum":"0123456789abcdef0123456789abcdef"}]}`, false},
	{"not json", `{`, false},
}

func TestParseInventoryManifest(t *testing.T) {
	for _, tc := range inventoryManifestTests {
		_, _, _, err := parseInventoryManifest([]byte(tc.in))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func FuzzInventoryManifest(f *testing.F) {
	for _, tc := range inventoryManifestTests {
		f.Add([]byte(tc.in), []byte("src,a,v\nsrc,b%20c,\n"))
	}
	f.Fuzz(func(t *testing.T, manifest, rows []byte) {
		m, dest, col, err := parseInventoryManifest(manifest)
		if err != nil {
			var me *errManifest
			if !errors.As(err, &me) {
				t.Fatalf("non-manifest error %v", err)
			}
			return
		}
		if dest == "" || len(m.Files) == 0 || col[FieldBucket] < 0 || col[FieldKey] < 0 {
			t.Fatalf("accepted an unusable manifest")
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(rows)
		zw.Close()
		err = readInventoryFile(bytes.NewReader(buf.Bytes()), md5Hex(buf.Bytes()), col, func(b, k, v string) error {
			if b == "" || k == "" {
				t.Fatalf("emitted an empty bucket or key")
			}
			return nil
		})
		var me *errManifest
		if err != nil && !errors.As(err, &me) {
			t.Fatalf("non-manifest error %v", err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var filterTests = []struct {
	name string
	f    *Filter
	o    ObjectInfo
	want bool
}{
	{"nil", nil, ObjectInfo{Key: "a"}, true},
	{"created after", &Filter{CreatedAfter: ptr(t0)}, ObjectInfo{LastModified: t0.Add(time.Second)}, true},
	{"created after, equal", &Filter{CreatedAfter: ptr(t0)}, ObjectInfo{LastModified: t0}, false},
	{"created before", &Filter{CreatedBefore: ptr(t0)}, ObjectInfo{LastModified: t0.Add(-time.Second)}, true},
	{"created before, later", &Filter{CreatedBefore: ptr(t0)}, ObjectInfo{LastModified: t0.Add(time.Second)}, false},
	{"size gt", &Filter{ObjectSizeGreaterThanBytes: ptr(int64(10))}, ObjectInfo{Size: 11}, true},
	{"size gt, equal", &Filter{ObjectSizeGreaterThanBytes: ptr(int64(10))}, ObjectInfo{Size: 10}, false},
	{"size lt", &Filter{ObjectSizeLessThanBytes: ptr(int64(10))}, ObjectInfo{Size: 9}, true},
	{"size lt, equal", &Filter{ObjectSizeLessThanBytes: ptr(int64(10))}, ObjectInfo{Size: 10}, false},
	{"prefix", &Filter{KeyNameConstraint: &KeyNameConstraint{MatchAnyPrefix: []string{"x/", "logs/"}}}, ObjectInfo{Key: "logs/1"}, true},
	{"prefix miss", &Filter{KeyNameConstraint: &KeyNameConstraint{MatchAnyPrefix: []string{"x/"}}}, ObjectInfo{Key: "logs/1"}, false},
	{"suffix and substring", &Filter{KeyNameConstraint: &KeyNameConstraint{MatchAnySuffix: []string{".gz"}, MatchAnySubstring: []string{"2026"}}}, ObjectInfo{Key: "a-2026.gz"}, true},
	{"suffix miss", &Filter{KeyNameConstraint: &KeyNameConstraint{MatchAnySuffix: []string{".gz"}, MatchAnySubstring: []string{"2026"}}}, ObjectInfo{Key: "a-2026.txt"}, false},
	{"storage class default", &Filter{MatchAnyStorageClass: []string{"STANDARD"}}, ObjectInfo{}, true},
	{"storage class miss", &Filter{MatchAnyStorageClass: []string{"GLACIER"}}, ObjectInfo{StorageClass: "STANDARD"}, false},
	{"sse-s3", &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{SSES3: &struct{}{}}}}, ObjectInfo{Encryption: EncSSES3}, true},
	{"sse-s3 miss", &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{SSES3: &struct{}{}}}}, ObjectInfo{Encryption: EncSSEKMS}, false},
	{"sse-kms any key", &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{SSEKMS: &SSEKMSFilter{}}}}, ObjectInfo{Encryption: EncSSEKMS, KMSKeyARN: "k1"}, true},
	{"sse-kms key", &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{SSEKMS: &SSEKMSFilter{KmsKeyArn: "k1"}}}}, ObjectInfo{Encryption: EncSSEKMS, KMSKeyARN: "k2"}, false},
	{"sse-kms bucket key", &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{SSEKMS: &SSEKMSFilter{BucketKeyEnabled: ptr(true)}}}}, ObjectInfo{Encryption: EncSSEKMS, BucketKey: false}, false},
	{"sse-c or notsse", &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{SSEC: &struct{}{}}, {NOTSSE: &struct{}{}}}}, ObjectInfo{Encryption: EncNotSSE}, true},
	{"dsse never", &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{DSSEKMS: &DSSEKMSFilter{}}}}, ObjectInfo{Encryption: EncSSEKMS}, false},
	{"eligible for replication", &Filter{EligibleForReplication: ptr(true)}, ObjectInfo{}, false},
	{"replication none", &Filter{ObjectReplicationStatuses: []string{"NONE"}}, ObjectInfo{}, true},
	{"replication failed", &Filter{ObjectReplicationStatuses: []string{"FAILED"}}, ObjectInfo{}, false},
}

func TestFilter(t *testing.T) {
	for _, tc := range filterTests {
		if got := tc.f.Match(tc.o); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestGeneratorJob(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	m := newMemExecutor()
	for i, o := range []ObjectInfo{
		{Key: "a", IsLatest: true, Encryption: EncSSES3},
		{Key: "b", IsLatest: true, Encryption: EncSSEKMS, KMSKeyARN: "k1", VersionID: "vb"},
		{Key: "c", IsLatest: false, Encryption: EncSSES3},
		{Key: "d", IsLatest: true, DeleteMarker: true},
		{Key: "e", IsLatest: true, Encryption: EncNotSSE},
	} {
		m.infos["src/"+o.Key+string(rune('0'+i))] = o
		m.put("src", o.Key, []byte("x"))
	}
	j := csvJob("gen")
	j.Manifest = nil
	j.Generator = &Generator{SourceBucket: "arn:aws:s3:::src", EnableManifestOutput: true,
		ManifestOutputLocation: &ManifestOutputLocation{Bucket: "arn:aws:s3:::out", ManifestPrefix: "gen", ManifestFormat: FormatGeneratedCSV},
		Filter:                 &Filter{MatchAnyObjectEncryption: []EncryptionFilter{{SSES3: &struct{}{}}, {SSEKMS: &SSEKMSFilter{KmsKeyArn: "k1"}}}}}
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, m)
	got := waitStatus(t, s, id, StatusComplete, StatusFailed)
	if got.Status != StatusComplete || got.Progress.TotalNumberOfTasks != 2 {
		t.Fatalf("%s %+v %+v", got.Status, got.Progress, got.FailureReasons)
	}
	if got.GeneratedManifest == nil || got.GeneratedManifest.ObjectArn != "arn:aws:s3:::out/gen/job-"+id+"/manifest.json" {
		t.Fatalf("generated manifest %+v", got.GeneratedManifest)
	}
	// The generated manifest is a valid inventory manifest listing the two objects.
	man, _ := m.get("out", "gen/job-"+id+"/manifest.json")
	im, dest, col, err := parseInventoryManifest(man)
	if err != nil || dest != "out" {
		t.Fatalf("generated manifest: %v %s", err, man)
	}
	data, _ := m.get("out", im.Files[0].Key)
	var rows []row
	if err := readInventoryFile(bytes.NewReader(data), im.Files[0].MD5checksum, col, collect(&rows)); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0] != (row{"src", "a", ""}) || rows[1] != (row{"src", "b", "vb"}) {
		t.Fatalf("generated rows %v", rows)
	}
}
