package invreport

import (
	"bytes"
	"compress/gzip"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/inventory"
)

// FuzzParseManifest: any bytes are a manifest or ErrBadManifest, never a panic; what
// parses names its columns.
func FuzzParseManifest(f *testing.F) {
	m := Manifest{SourceBucket: "src", DestinationBucket: "arn:aws:s3:::dst", Version: ManifestVersion, CreationTimestamp: "1765009800000",
		FileFormat: "CSV", FileSchema: csvSchemaWant, Files: []File{{Key: "p/src/id/data/x.csv.gz", Size: 10, MD5: "00"}}}
	raw, _ := m.Marshal()
	f.Add(raw)
	m.FileFormat, m.FileSchema = "Parquet", parquetFileSchema(Columns(config("x", inventory.FormatParquet, inventory.VersionsAll)))
	raw, _ = m.Marshal()
	f.Add(raw)
	f.Add([]byte(`{"fileFormat":"ORC","fileSchema":"struct<bucket:string>"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseManifest(raw)
		if err != nil {
			return
		}
		if len(m.Columns()) == 0 {
			t.Fatalf("a manifest without columns parsed: %q", raw)
		}
	})
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// FuzzReadCSV: any CSV text (gzipped) reads as rows or fails with ErrBadReport; the rows
// a report writes read back as written.
func FuzzReadCSV(f *testing.F) {
	cols := Columns(config("x", inventory.FormatCSV, inventory.VersionsAll))
	var buf bytes.Buffer
	w := newCSVWriter(&buf, cols)
	w.Write(&Row{Bucket: "b", Key: "a b/ü\"x\",y", VersionID: "v1", IsLatest: true, Size: 7, LastModified: time.Unix(1765009800, 0),
		ETag: "e", StorageClass: "STANDARD", EncryptionStatus: StatusSSEKMS, BucketKeyStatus: "ENABLED", KMSKeyArn: "arn:aws:kms:x"})
	w.Close()
	plain, _ := gzipDecode(buf.Bytes())
	f.Add(plain)
	f.Add([]byte("\"b\",\"%zz\"\n"))
	f.Add([]byte("\"unterminated\n"))
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		ReadCSV(bytes.NewReader(gz(text)), names, func(*Row) error { return nil })
	})
}

func gzipDecode(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	_, err = out.ReadFrom(r)
	return out.Bytes(), err
}

// FuzzReadParquet: any bytes are a Parquet file or ErrBadReport (the library's panics on
// malformed files are recovered), never a crash.
func FuzzReadParquet(f *testing.F) {
	cols := Columns(config("x", inventory.FormatParquet, inventory.VersionsAll))
	var buf bytes.Buffer
	w := newParquetWriter(&buf, cols)
	w.Write(&Row{Bucket: "b", Key: "k", Size: 1, EncryptionStatus: StatusSSES3})
	w.Write(&Row{Bucket: "b", Key: "d", IsDeleteMarker: true})
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PAR1PAR1"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		ReadParquet(bytes.NewReader(raw), int64(len(raw)), func(*Row) error { return nil })
	})
}
