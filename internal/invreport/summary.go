package invreport

import (
	"errors"
	"fmt"
	"slices"
)

// ErrSummaryFields: the report lacks a column the summary needs.
var ErrSummaryFields = errors.New("invreport: the report lacks the fields a summary needs")

// Count is a number of objects and their bytes.
type Count struct {
	Objects int64 `json:"objects"`
	Bytes   int64 `json:"bytes"`
}

// Summary is the compliance view of one report: how many objects (every version listed
// that is not a delete marker) and bytes there are by encryption status and, for SSE-KMS,
// by KMS key.
type Summary struct {
	Bucket      string           `json:"bucket"`
	ID          string           `json:"id"`
	ManifestKey string           `json:"manifest"`
	Created     string           `json:"created"` // RFC 3339
	Total       Count            `json:"total"`
	ByStatus    map[string]Count `json:"byEncryptionStatus"`
	ByKMSKey    map[string]Count `json:"byKmsKey"`
	// DeleteMarkers are counted apart (they hold no data).
	DeleteMarkers int64 `json:"deleteMarkers"`
}

// SummaryFields are the optional fields a report needs for a summary.
var SummaryFields = []string{"Size", "EncryptionStatus", FieldKMSKeyArn}

// CheckSummaryFields returns ErrSummaryFields (naming the missing fields) unless the
// manifest's columns hold every SummaryFields entry.
func CheckSummaryFields(m *Manifest) error {
	have := map[string]bool{}
	for _, n := range m.Columns() {
		have[n] = true
		if c := byParquetName[n]; c != nil {
			have[c.Name] = true
		}
	}
	var missing []string
	for _, f := range SummaryFields {
		if !have[f] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %v", ErrSummaryFields, missing)
	}
	return nil
}

// NewSummary returns an empty summary of a report.
func NewSummary(bucket, id, manifestKey, created string) *Summary {
	return &Summary{Bucket: bucket, ID: id, ManifestKey: manifestKey, Created: created,
		ByStatus: map[string]Count{}, ByKMSKey: map[string]Count{}}
}

// Add counts one row.
func (s *Summary) Add(r *Row) error {
	if r.IsDeleteMarker {
		s.DeleteMarkers++
		return nil
	}
	add := func(m map[string]Count, k string) {
		c := m[k]
		c.Objects++
		c.Bytes += r.Size
		m[k] = c
	}
	s.Total.Objects++
	s.Total.Bytes += r.Size
	add(s.ByStatus, r.EncryptionStatus)
	if r.EncryptionStatus == StatusSSEKMS {
		add(s.ByKMSKey, r.KMSKeyArn)
	}
	return nil
}

// Keys returns m's keys sorted.
func Keys(m map[string]Count) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
