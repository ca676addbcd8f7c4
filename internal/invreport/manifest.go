package invreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ManifestVersion is the version every S3 Inventory manifest names.
const ManifestVersion = "2016-11-30"

// ErrBadManifest: a manifest.json that is not one (bad JSON, no files, an unknown format,
// a checksum that does not match).
var ErrBadManifest = errors.New("invreport: not a valid inventory manifest")

// Manifest is a report's manifest.json, in S3's field names and order; for a CSV report
// it is also a Batch Operations manifest (format S3InventoryReport_CSV_20161130).
type Manifest struct {
	SourceBucket      string `json:"sourceBucket"`
	DestinationBucket string `json:"destinationBucket"` // arn:aws:s3:::<bucket>
	Version           string `json:"version"`
	// CreationTimestamp is the report's time in milliseconds since the epoch, as a string.
	CreationTimestamp string `json:"creationTimestamp"`
	FileFormat        string `json:"fileFormat"` // CSV or Parquet
	FileSchema        string `json:"fileSchema"`
	Files             []File `json:"files"`
}

// File is one data file of a report.
type File struct {
	Key  string `json:"key"`
	Size int64  `json:"size"`
	// MD5 is the hex MD5 of the file's bytes as stored (compressed).
	MD5 string `json:"MD5checksum"`
}

// Marshal is the manifest as stored (indented JSON).
func (m *Manifest) Marshal() ([]byte, error) {
	return json.MarshalIndent(m, "", "  ")
}

// ParseManifest reads a manifest.json. Errors wrap ErrBadManifest.
func ParseManifest(raw []byte) (*Manifest, error) {
	var m Manifest
	d := json.NewDecoder(bytes.NewReader(raw))
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadManifest, err)
	}
	if m.FileFormat != "CSV" && m.FileFormat != "Parquet" {
		return nil, fmt.Errorf("%w: fileFormat %q (Arca reads CSV and Parquet reports)", ErrBadManifest, m.FileFormat)
	}
	if strings.TrimSpace(m.FileSchema) == "" {
		return nil, fmt.Errorf("%w: no fileSchema", ErrBadManifest)
	}
	return &m, nil
}

// Columns are the names of the report's columns: the CSV fileSchema's names, or the
// Parquet schema's column names.
func (m *Manifest) Columns() []string {
	s := m.FileSchema
	if m.FileFormat == "Parquet" {
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(s, "message s3.inventory")
		s = strings.Trim(strings.TrimSpace(s), "{}")
		var out []string
		for _, f := range strings.Split(s, ";") {
			w := strings.Fields(f)
			if len(w) >= 3 {
				out = append(out, w[2])
			}
		}
		return out
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(n))
	}
	return out
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
