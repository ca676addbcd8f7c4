package invreport

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
)

// ErrBadReport: a data file that does not read as its manifest says.
var ErrBadReport = errors.New("invreport: data file does not match its manifest")

// byCSVName and byParquetName find a column by either of its names.
var byCSVName, byParquetName = func() (map[string]*column, map[string]*column) {
	a, b := map[string]*column{}, map[string]*column{}
	all := append([]column{colBucket, colKey, colVID, colLatest, colDM}, optionalColumns...)
	for i := range all {
		a[all[i].Name], b[all[i].Parquet] = &all[i], &all[i]
	}
	return a, b
}()

// setField sets the field of r that the column called name (CSV name) holds, from its
// CSV text (keys URL-decoded).
func setField(r *Row, name, v string) error {
	var err error
	switch name {
	case "Bucket":
		r.Bucket = v
	case "Key":
		r.Key, err = url.QueryUnescape(v)
	case "VersionId":
		r.VersionID = v
	case "IsLatest":
		r.IsLatest = v == "true"
	case "IsDeleteMarker":
		r.IsDeleteMarker = v == "true"
	case "Size":
		if v != "" {
			r.Size, err = strconv.ParseInt(v, 10, 64)
		}
	case "LastModifiedDate":
		if v != "" {
			r.LastModified, err = time.Parse(time.RFC3339Nano, v)
		}
	case "ETag":
		r.ETag = v
	case "StorageClass":
		r.StorageClass = v
	case "IsMultipartUploaded":
		r.IsMultipartUploaded = v == "true"
	case "ReplicationStatus":
		r.ReplicationStatus = v
	case "EncryptionStatus":
		r.EncryptionStatus = v
	case "ObjectLockRetainUntilDate":
		if v != "" {
			r.RetainUntil, err = time.Parse(time.RFC3339Nano, v)
		}
	case "ObjectLockMode":
		r.LockMode = v
	case "ObjectLockLegalHoldStatus":
		r.LegalHold = v
	case "IntelligentTieringAccessTier":
		r.TieringTier = v
	case "BucketKeyStatus":
		r.BucketKeyStatus = v
	case "ChecksumAlgorithm":
		r.ChecksumAlgorithm = v
	case "ObjectAccessControlList":
		r.ACL = v
	case "ObjectOwner":
		r.Owner = v
	case "LifecycleExpirationDate":
		if v != "" {
			r.LifecycleExpiration, err = time.Parse(time.RFC3339Nano, v)
		}
	case FieldKMSKeyArn:
		r.KMSKeyArn = v
	}
	if err != nil {
		return fmt.Errorf("%w: column %s: %v", ErrBadReport, name, err)
	}
	return nil
}

// ReadCSV reads a gzip CSV data file whose columns are cols (the manifest's Columns) and
// calls fn for each row.
func ReadCSV(in io.Reader, cols []string, fn func(*Row) error) error {
	gz, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadReport, err)
	}
	defer gz.Close()
	cr := csv.NewReader(gz)
	cr.FieldsPerRecord = len(cols)
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadReport, err)
		}
		var r Row
		for i, v := range rec {
			if err := setField(&r, cols[i], v); err != nil {
				return err
			}
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
}

// ReadParquet reads a Parquet data file and calls fn for each row; columns are known by
// their Parquet names (AWS's snake case).
func ReadParquet(in io.ReaderAt, size int64, fn func(*Row) error) (err error) {
	defer func() { // the library panics on some malformed files
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrBadReport, p)
		}
	}()
	f, err := parquet.OpenFile(in, size)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadReport, err)
	}
	fields := f.Schema().Fields()
	names := make([]*column, len(fields))
	for i, fl := range fields {
		names[i] = byParquetName[fl.Name()]
	}
	rd := parquet.NewReader(f)
	defer rd.Close()
	buf := make([]parquet.Row, 256)
	for {
		n, rerr := rd.ReadRows(buf)
		for _, pr := range buf[:n] {
			var r Row
			for _, v := range pr {
				i := v.Column()
				if i < 0 || i >= len(names) || names[i] == nil || v.IsNull() {
					continue
				}
				c := names[i]
				var s string
				switch c.Kind {
				case kInt:
					s = strconv.FormatInt(v.Int64(), 10)
				case kTime:
					s = time.UnixMilli(v.Int64()).UTC().Format(time.RFC3339Nano)
				case kBool:
					s = strconv.FormatBool(v.Boolean())
				default:
					s = string(v.ByteArray())
					if c.Name == "Key" {
						s = url.QueryEscape(s) // setField decodes keys
					}
				}
				if err := setField(&r, c.Name, s); err != nil {
					return err
				}
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("%w: %v", ErrBadReport, rerr)
		}
	}
}
