package meta

import (
	"strconv"

	"github.com/arcastore/arca/internal/recauth"
)

// Record authentication (docs/FORMAT.md, "Metadata records"): every record this package
// stores is a recauth envelope, its tag bound to the record's kind and location (bucket
// name, object key, upload id, part number). The record key is random, sealed under the
// root key (recordKeyAAD) in bucket meta-record-key; other packages that keep records in
// the same file (kms, iam) authenticate theirs with the same key (KVStore.RecordKey).

// ErrDamagedRecord is returned for a record that fails authentication or does not decode:
// it was edited outside Arca (or the disk damaged it). It costs that record only; `arca
// admin check` lists every one.
var ErrDamagedRecord = recauth.ErrDamaged

// recordKeyAAD names the sealed record key for the root key's Seal/Open.
const recordKeyAAD = "arca/meta/record-key/v1"

// Record kinds bound into the tag.
const (
	kindBucket = "bucket"
	kindObject = "object"
	kindUpload = "upload"
	kindPart   = "part"
)

// Locations of each kind of record.
func bucketLoc(name string) []string            { return []string{name} }
func objectLoc(bucket, key string) []string     { return []string{bucket, key} }
func uploadLoc(bucket, key, id string) []string { return []string{bucket, key, id} }
func partLoc(bucket, key, id string, n int) []string {
	return []string{bucket, key, id, strconv.Itoa(n)}
}
