package batch

import (
	"compress/gzip"
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// A manifest lists a job's objects (docs/BATCH.md, "Manifests"):
//
//   - S3BatchOperations_CSV_20180820: CSV rows whose columns are Spec.Fields (Bucket, Key
//     and optionally VersionId; Ignore columns skipped; default Bucket, Key), the key
//     URL-encoded as AWS requires (decoded with query unescaping: "+" is a space).
//   - S3InventoryReport_CSV_20161130: an S3 Inventory manifest.json; its "files" are
//     gzip'd CSV data files in destinationBucket whose columns are "fileSchema", each
//     checked against its MD5checksum before its rows are used. Delete markers are skipped.

// errManifest is a manifest the job cannot use; its text becomes the job's failure reason.
type errManifest struct{ msg string }

func (e *errManifest) Error() string { return e.msg }

func manifestErr(format string, args ...any) error {
	return &errManifest{msg: fmt.Sprintf(format, args...)}
}

// Limits on what a manifest may hold.
const (
	maxManifestFiles = 100000
	maxKeyLen        = 1024
	maxManifestJSON  = 64 << 20
)

// emitFunc receives one object of a manifest.
type emitFunc func(bucket, key, versionID string) error

// parseCSVManifest reads a Batch Operations CSV manifest with columns fields.
func parseCSVManifest(r io.Reader, fields []string, emit emitFunc) error {
	if len(fields) == 0 {
		fields = []string{FieldBucket, FieldKey}
	}
	col := map[string]int{FieldBucket: -1, FieldKey: -1, FieldVersionID: -1}
	for i, f := range fields {
		if f != FieldIgnore {
			col[f] = i
		}
	}
	if col[FieldBucket] < 0 || col[FieldKey] < 0 {
		return manifestErr("The manifest fields must include Bucket and Key.")
	}
	return readCSVRows(r, col, "manifest", emit)
}

// readCSVRows reads CSV rows, taking bucket, key and version from the columns col names
// (-1: absent), keys URL-encoded.
func readCSVRows(r io.Reader, col map[string]int, what string, emit emitFunc) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	need := max(col[FieldBucket], col[FieldKey])
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return manifestErr("The %s is not valid CSV at line %d.", what, pe.Line)
			}
			return err
		}
		if len(rec) <= need {
			return manifestErr("Line %d of the %s has %d fields; it needs at least %d.", line, what, len(rec), need+1)
		}
		bucket := rec[col[FieldBucket]]
		key, err := url.QueryUnescape(rec[col[FieldKey]])
		if err != nil {
			return manifestErr("Line %d of the %s has a key that is not URL-encoded.", line, what)
		}
		version := ""
		if c := col[FieldVersionID]; c >= 0 && c < len(rec) {
			version = rec[c]
		}
		if c := col["IsDeleteMarker"]; c > 0 && c < len(rec) && strings.EqualFold(rec[c], "true") {
			continue
		}
		if bucket == "" || key == "" || len(key) > maxKeyLen {
			return manifestErr("Line %d of the %s has an empty bucket or key, or a key over %d bytes.", line, what, maxKeyLen)
		}
		if err := emit(bucket, key, version); err != nil {
			return err
		}
	}
}

// inventoryManifest is an S3 Inventory manifest.json (the members a job reads).
type inventoryManifest struct {
	SourceBucket      string          `json:"sourceBucket"`
	DestinationBucket string          `json:"destinationBucket"`
	Version           json.RawMessage `json:"version"`
	CreationTimestamp json.RawMessage `json:"creationTimestamp"`
	FileFormat        string          `json:"fileFormat"`
	FileSchema        string          `json:"fileSchema"`
	Files             []struct {
		Key         string `json:"key"`
		Size        int64  `json:"size"`
		MD5checksum string `json:"MD5checksum"`
	} `json:"files"`
}

// parseInventoryManifest decodes and checks an inventory manifest.json: CSV files, a
// schema naming Bucket and Key, a destination bucket ARN. It returns the manifest, the
// data files' bucket and the column of each field the job reads.
func parseInventoryManifest(body []byte) (*inventoryManifest, string, map[string]int, error) {
	var m inventoryManifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, "", nil, manifestErr("The inventory manifest.json is not valid JSON.")
	}
	if m.FileFormat != "CSV" {
		return nil, "", nil, manifestErr("The inventory report format %q is not supported; Batch Operations reads CSV inventory reports.", m.FileFormat)
	}
	dest, err := BucketFromARN(m.DestinationBucket)
	if err != nil {
		return nil, "", nil, manifestErr("The inventory manifest.json has an invalid destinationBucket.")
	}
	col := map[string]int{FieldBucket: -1, FieldKey: -1, FieldVersionID: -1, "IsDeleteMarker": -1}
	for i, f := range strings.Split(m.FileSchema, ",") {
		f = strings.TrimSpace(f)
		if _, ok := col[f]; ok && col[f] < 0 {
			col[f] = i
		}
	}
	if col[FieldBucket] < 0 || col[FieldKey] < 0 {
		return nil, "", nil, manifestErr("The inventory fileSchema must include Bucket and Key.")
	}
	if len(m.Files) == 0 || len(m.Files) > maxManifestFiles {
		return nil, "", nil, manifestErr("The inventory manifest.json must list between 1 and %d files.", maxManifestFiles)
	}
	for _, f := range m.Files {
		if f.Key == "" || len(f.Key) > maxKeyLen {
			return nil, "", nil, manifestErr("The inventory manifest.json lists a file with an invalid key.")
		}
		if sum, err := hex.DecodeString(f.MD5checksum); err != nil || len(sum) != md5.Size {
			return nil, "", nil, manifestErr("The inventory manifest.json lists a file with an invalid MD5checksum.")
		}
	}
	return &m, dest, col, nil
}

// readInventoryFile reads one gzip'd CSV data file of an inventory report, emitting its
// rows only once its MD5 (of the stored, compressed bytes) is checked: rows are buffered
// per file, which bounds a file by what memory holds (inventory files are at most a few
// hundred MiB uncompressed; Arca's writer keeps them far smaller).
func readInventoryFile(r io.Reader, wantMD5 string, col map[string]int, emit emitFunc) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	sum := md5.Sum(raw)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), wantMD5) {
		return manifestErr("An inventory data file does not match its MD5checksum.")
	}
	zr, err := gzip.NewReader(strings.NewReader(string(raw)))
	if err != nil {
		return manifestErr("An inventory data file is not gzip-compressed.")
	}
	defer zr.Close()
	err = readCSVRows(zr, col, "inventory data file", emit)
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
		return manifestErr("An inventory data file is not valid gzip.")
	}
	return err
}

// etagOf returns the ETag an object reader reports (Executor.GetObject's reader may
// implement ETagReader), or "".
func etagOf(r io.Reader) string {
	if e, ok := r.(ETagReader); ok {
		return e.ETag()
	}
	return ""
}

// ETagReader is an optional interface of the reader Executor.GetObject returns: the ETag
// of the object read, which a job checks against its manifest location's ETag. Without it
// the engine compares the MD5 of the bytes read when the expected ETag is a plain MD5.
type ETagReader interface {
	ETag() string
}

// checkETag compares the ETag a manifest must have with the one read (got, "" when the
// reader does not say) or, failing that, the MD5 of the bytes read.
func checkETag(want, got string, body []byte) error {
	want = strings.Trim(want, `"`)
	if got != "" {
		if strings.Trim(got, `"`) != want {
			return manifestErr("The manifest object's ETag does not match the ETag %q given in the job's manifest location.", want)
		}
		return nil
	}
	// Without the reader's ETag only the MD5 of the bytes can be compared, and an
	// SSE-KMS, SSE-C or multipart object's ETag is not that MD5: a mismatch then proves
	// nothing, and the job goes on (errETagUnchecked tells the caller to log it).
	sum := md5.Sum(body)
	if !strings.EqualFold(hex.EncodeToString(sum[:]), want) {
		return errETagUnchecked
	}
	return nil
}

// errETagUnchecked: the manifest's ETag could not be checked (see checkETag).
var errETagUnchecked = errors.New("batch: the manifest's ETag could not be checked")
