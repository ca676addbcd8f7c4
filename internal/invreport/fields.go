package invreport

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// FieldKMSKeyArn is Arca's extension optional field: the ARN of the KMS key an SSE-KMS
// object's data key is encrypted under (empty for other objects). S3 Inventory has no
// such field; `arca inventory summary` needs it to count objects per key.
const FieldKMSKeyArn = "KMSKeyArn"

// Encryption statuses as S3 Inventory writes them.
const (
	StatusSSES3  = "SSE-S3"
	StatusSSEKMS = "SSE-KMS"
	StatusSSEC   = "SSE-C"
	StatusNotSSE = "NOT-SSE"
)

// Row is one version (or delete marker) as a report lists it.
type Row struct {
	Bucket, Key, VersionID              string
	IsLatest, IsDeleteMarker            bool
	Size                                int64
	LastModified                        time.Time
	ETag, StorageClass                  string
	IsMultipartUploaded                 bool
	ReplicationStatus, EncryptionStatus string
	RetainUntil                         time.Time
	LockMode, LegalHold, TieringTier    string
	BucketKeyStatus, ChecksumAlgorithm  string
	ACL, Owner                          string
	LifecycleExpiration                 time.Time
	KMSKeyArn                           string
}

// kind is a column's value type (Parquet: string, int64, timestamp in ms, boolean).
type kind int

const (
	kString kind = iota
	kInt
	kTime
	kBool
)

// column is one field of a report: its CSV/manifest name, its Parquet name and type,
// and how a row gives its value ("" / zero / ok=false = empty: null in Parquet).
type column struct {
	Name    string // as in OptionalFields and the CSV fileSchema
	Parquet string // the Parquet column name (AWS: snake case)
	Kind    kind
	str     func(*Row) (string, bool)
	num     func(*Row) (int64, bool)
	tm      func(*Row) (time.Time, bool)
	flag    func(*Row) (bool, bool)
	// required: never null (bucket and key).
	required bool
}

func nonEmpty(s string) (string, bool) { return s, s != "" }

// none is the value of a column Arca has nothing for (event holds: no such Object Lock
// feature in Arca): always empty.
func none(*Row) (string, bool) { return "", false }

func nonZero(t time.Time) (time.Time, bool) { return t, !t.IsZero() }

// The fixed columns, then every optional field in AWS's documented order; a report has
// the fixed ones (the version columns only with IncludedObjectVersions All) and the
// optional fields its configuration names, always in this order.
var (
	colBucket = column{Name: "Bucket", Parquet: "bucket", required: true, str: func(r *Row) (string, bool) { return r.Bucket, true }}
	colKey    = column{Name: "Key", Parquet: "key", required: true, str: func(r *Row) (string, bool) { return r.Key, true }}
	colVID    = column{Name: "VersionId", Parquet: "version_id", str: func(r *Row) (string, bool) { return nonEmpty(r.VersionID) }}
	colLatest = column{Name: "IsLatest", Parquet: "is_latest", Kind: kBool, flag: func(r *Row) (bool, bool) { return r.IsLatest, true }}
	colDM     = column{Name: "IsDeleteMarker", Parquet: "is_delete_marker", Kind: kBool, flag: func(r *Row) (bool, bool) { return r.IsDeleteMarker, true }}

	optionalColumns = []column{
		{Name: "Size", Parquet: "size", Kind: kInt, num: func(r *Row) (int64, bool) { return r.Size, !r.IsDeleteMarker }},
		{Name: "LastModifiedDate", Parquet: "last_modified_date", Kind: kTime, tm: func(r *Row) (time.Time, bool) { return nonZero(r.LastModified) }},
		{Name: "ETag", Parquet: "e_tag", str: func(r *Row) (string, bool) { return nonEmpty(r.ETag) }},
		{Name: "StorageClass", Parquet: "storage_class", str: func(r *Row) (string, bool) { return nonEmpty(r.StorageClass) }},
		{Name: "IsMultipartUploaded", Parquet: "is_multipart_uploaded", Kind: kBool, flag: func(r *Row) (bool, bool) { return r.IsMultipartUploaded, !r.IsDeleteMarker }},
		{Name: "ReplicationStatus", Parquet: "replication_status", str: func(r *Row) (string, bool) { return nonEmpty(r.ReplicationStatus) }},
		{Name: "EncryptionStatus", Parquet: "encryption_status", str: func(r *Row) (string, bool) { return nonEmpty(r.EncryptionStatus) }},
		{Name: "ObjectLockRetainUntilDate", Parquet: "object_lock_retain_until_date", Kind: kTime, tm: func(r *Row) (time.Time, bool) { return nonZero(r.RetainUntil) }},
		{Name: "ObjectLockMode", Parquet: "object_lock_mode", str: func(r *Row) (string, bool) { return nonEmpty(r.LockMode) }},
		{Name: "ObjectLockLegalHoldStatus", Parquet: "object_lock_legal_hold_status", str: func(r *Row) (string, bool) { return nonEmpty(r.LegalHold) }},
		{Name: "ObjectLockEventHoldStatus", Parquet: "object_lock_event_hold_status", str: none},
		{Name: "ObjectLockEventHoldDuration", Parquet: "object_lock_event_hold_duration", str: none},
		{Name: "IntelligentTieringAccessTier", Parquet: "intelligent_tiering_access_tier", str: func(r *Row) (string, bool) { return nonEmpty(r.TieringTier) }},
		{Name: "BucketKeyStatus", Parquet: "bucket_key_status", str: func(r *Row) (string, bool) { return nonEmpty(r.BucketKeyStatus) }},
		{Name: "ChecksumAlgorithm", Parquet: "checksum_algorithm", str: func(r *Row) (string, bool) { return nonEmpty(r.ChecksumAlgorithm) }},
		{Name: "ObjectAccessControlList", Parquet: "object_access_control_list", str: func(r *Row) (string, bool) { return nonEmpty(r.ACL) }},
		{Name: "ObjectOwner", Parquet: "object_owner", str: func(r *Row) (string, bool) { return nonEmpty(r.Owner) }},
		{Name: "LifecycleExpirationDate", Parquet: "lifecycle_expiration_date", Kind: kTime, tm: func(r *Row) (time.Time, bool) { return nonZero(r.LifecycleExpiration) }},
		{Name: "IntelligentTieringReferenceDate", Parquet: "intelligent_tiering_reference_date", Kind: kTime, tm: func(*Row) (time.Time, bool) { return time.Time{}, false }},
		{Name: FieldKMSKeyArn, Parquet: "kms_key_arn", str: func(r *Row) (string, bool) { return nonEmpty(r.KMSKeyArn) }},
	}
)

// Columns returns a configuration's report columns in order: Bucket, Key, the version
// columns when it lists all versions, then its optional fields in AWS's order (unknown
// names are skipped: the configuration API refuses them).
func Columns(c inventory.Config) []column {
	cols := []column{colBucket, colKey}
	if c.IncludedObjectVersions == inventory.VersionsAll {
		cols = append(cols, colVID, colLatest, colDM)
	}
	want := make(map[string]bool, len(c.OptionalFields))
	for _, f := range c.OptionalFields {
		want[f] = true
	}
	for _, col := range optionalColumns {
		if want[col.Name] {
			cols = append(cols, col)
		}
	}
	return cols
}

// csvSchema is the manifest's fileSchema of a CSV report: the column names joined by ", ".
func csvSchema(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// csvValue is a column's value as a CSV report writes it: keys URL-encoded (as S3's
// encoding-type=url listings: form encoding, so a space is "+"), times in ISO 8601 with
// milliseconds, booleans true/false, empty for what the row lacks.
func csvValue(c *column, r *Row) string {
	switch c.Kind {
	case kInt:
		if v, ok := c.num(r); ok {
			return strconv.FormatInt(v, 10)
		}
	case kTime:
		if v, ok := c.tm(r); ok {
			return v.UTC().Format("2006-01-02T15:04:05.000Z")
		}
	case kBool:
		if v, ok := c.flag(r); ok {
			return strconv.FormatBool(v)
		}
	default:
		v, ok := c.str(r)
		if !ok {
			return ""
		}
		if c.Name == "Key" {
			return url.QueryEscape(v)
		}
		return v
	}
	return ""
}

// encryptionStatus is S3 Inventory's EncryptionStatus of a stored encryption.
func encryptionStatus(e *meta.Encryption) string {
	if e == nil {
		return StatusNotSSE
	}
	switch e.Mode {
	case sse.ModeS3:
		return StatusSSES3
	case sse.ModeKMS:
		return StatusSSEKMS
	case sse.ModeC:
		return StatusSSEC
	}
	return StatusNotSSE
}

// rowOf is a version's row. owner is the source bucket's owning account (an object
// without an ACL of its own is private to it).
func rowOf(bucket, owner string, o *meta.Object) Row {
	r := Row{Bucket: bucket, Key: o.Key, VersionID: o.VersionID, IsLatest: o.IsLatest, IsDeleteMarker: o.DeleteMarker,
		LastModified: o.LastModified}
	if r.VersionID == "" {
		r.VersionID = meta.NullVersion
	}
	if o.DeleteMarker {
		return r
	}
	r.Size, r.ETag, r.StorageClass = o.Size, o.ETag, "STANDARD"
	r.IsMultipartUploaded = len(o.Parts) > 0 || strings.Contains(o.ETag, "-")
	r.EncryptionStatus = encryptionStatus(o.Enc)
	r.BucketKeyStatus = "DISABLED"
	if o.Enc != nil && o.Enc.BucketKey {
		r.BucketKeyStatus = "ENABLED"
	}
	if o.Enc != nil && o.Enc.Mode == sse.ModeKMS {
		r.KMSKeyArn = o.Enc.KMSKeyARN
	}
	if o.Retention != nil {
		r.RetainUntil, r.LockMode = o.Retention.Until, o.Retention.Mode
	}
	r.LegalHold = o.LegalHold
	if r.LegalHold == "" {
		r.LegalHold = "OFF"
	}
	if o.Checksum != nil {
		r.ChecksumAlgorithm = o.Checksum.Algorithm
	}
	a := acl.Private(account.CanonicalID(owner))
	if o.ACL != nil {
		a = *o.ACL
	}
	r.Owner, r.ACL = a.Owner, aclField(a)
	return r
}

// aclField is ObjectAccessControlList as S3 Inventory writes it: base64 of a JSON document
// {"version":"2022-11-10","status":"AVAILABLE","grants":[...]} with each grant's permission,
// grantee type and canonical id or group URI.
func aclField(a acl.ACL) string {
	type grant struct {
		Permission  string `json:"permission"`
		Type        string `json:"type"`
		CanonicalID string `json:"canonicalId,omitempty"`
		URI         string `json:"uri,omitempty"`
	}
	doc := struct {
		Version string  `json:"version"`
		Status  string  `json:"status"`
		Grants  []grant `json:"grants"`
	}{Version: "2022-11-10", Status: "AVAILABLE", Grants: []grant{}}
	for _, g := range a.Grants {
		x := grant{Permission: string(g.Permission), Type: "CanonicalUser", CanonicalID: g.Grantee.ID}
		if g.Grantee.URI != "" {
			x = grant{Permission: string(g.Permission), Type: "Group", URI: g.Grantee.URI}
		}
		doc.Grants = append(doc.Grants, x)
	}
	raw, _ := json.Marshal(doc)
	return base64.StdEncoding.EncodeToString(raw)
}
