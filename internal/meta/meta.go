// Package meta stores bucket, object and multipart-upload metadata.
//
// The Store interface is what the API layer uses; KVStore, on the storage seam (package
// kv), is the default implementation and runs on any kv backend. Another implementation
// (on PostgreSQL's own tables, say) implements Store and runs the contract suite in
// package metatest, as KVStore does (store_test.go). Object bytes are not kept here: an
// Object names its data by blob ids (see package blob); meta never opens a blob.
//
// Every method takes a context first and returns only the sentinel errors documented on it,
// possibly wrapped, ErrDamagedRecord for a record that fails authentication (docs/FORMAT.md,
// "Metadata records"; it costs that record only), or an opaque internal error.
package meta

import (
	"context"
	"errors"
	"time"

	"github.com/arcastore/arca/internal/accesslog"
	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/cors"
	"github.com/arcastore/arca/internal/inventory"
)

// Sentinel errors. Callers test with errors.Is.
var (
	ErrNoSuchBucket     = errors.New("meta: no such bucket")
	ErrBucketExists     = errors.New("meta: bucket already exists")
	ErrBucketNotEmpty   = errors.New("meta: bucket not empty")
	ErrNoSuchKey        = errors.New("meta: no such key")
	ErrNoSuchUpload     = errors.New("meta: no such upload")
	ErrPreconditionFail = errors.New("meta: precondition failed")
)

// Bucket is a bucket's record.
type Bucket struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Region  string    `json:"region"`
	// Owner is the id of the account that owns the bucket ("" = the primary account, as
	// for every bucket created before Arca had accounts; docs/POLICY.md).
	Owner string `json:"owner,omitempty"`
	// Encryption is the bucket's default encryption configuration; nil = never configured
	// (objects then get SSE-S3, as on AWS).
	Encryption *BucketEncryption `json:"enc,omitempty"`
	// Policy is the bucket policy document as given ("" = none).
	Policy string `json:"policy,omitempty"`
	// PublicAccessBlock is the bucket's public access block configuration (nil = none, as
	// for buckets created before new buckets got all four settings on; docs/BPA.md).
	PublicAccessBlock *PublicAccessBlock `json:"pab,omitempty"`
	// Versioning is "" (never enabled), Enabled or Suspended (docs/VERSIONS.md).
	Versioning string `json:"ver,omitempty"`
	// ObjectLock is the bucket's Object Lock configuration (nil = never enabled; lock.go).
	ObjectLock *ObjectLock `json:"lock,omitempty"`
	// Tags is the bucket's tag set (nil = none; docs/TAGGING.md).
	Tags map[string]string `json:"tags,omitempty"`
	// CORS is the bucket's CORS configuration (nil = none; docs/CORS.md).
	CORS *cors.Config `json:"cors,omitempty"`
	// Ownership is the bucket's Object Ownership setting (acl.BucketOwnerEnforced, …);
	// "" = no ownership controls (a bucket created before Arca had them: ObjectWriter,
	// ACLs enabled; docs/ACL.md).
	Ownership string `json:"own,omitempty"`
	// ACL is the bucket's access control list (nil = private to its owner; docs/ACL.md).
	ACL *acl.ACL `json:"acl,omitempty"`
	// Inventory are the bucket's inventory configurations, in the order they were first
	// put (nil = none; docs/INVENTORY.md).
	Inventory []inventory.Config `json:"inv,omitempty"`
	// Logging is the bucket's server access logging configuration (nil = logging off;
	// docs/POSTURE.md, "Server access logs").
	Logging *accesslog.Config `json:"log,omitempty"`
}

// PublicAccessBlock is S3's PublicAccessBlockConfiguration, of a bucket or of an account
// (accountbpa.go); docs/BPA.md says what each setting does.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"bpa,omitempty"`
	IgnorePublicAcls      bool `json:"ipa,omitempty"`
	BlockPublicPolicy     bool `json:"bpp,omitempty"`
	RestrictPublicBuckets bool `json:"rpb,omitempty"`
}

// BucketEncryption is a PutBucketEncryption rule.
type BucketEncryption struct {
	Algorithm      string `json:"alg"` // AES256 or aws:kms
	KMSMasterKeyID string `json:"kms,omitempty"`
	BucketKey      bool   `json:"bk,omitempty"`
	// BlockedEncryptionTypes: "SSE-C" blocks SSE-C writes.
	Blocked []string `json:"blocked,omitempty"`
}

// Piece is one stored run of an object's bytes: the whole object for a simple PUT, one part
// for a multipart object. Its bytes are one encrypted stream (docs/FORMAT.md) under an
// object key sealed as SealedKey, bound to the object's bucket and key and to Upload/Part
// (docs/KEYS.md). Size is the plaintext size.
type Piece struct {
	BlobID    string `json:"blob"`
	Size      int64  `json:"size"`
	SealedKey []byte `json:"sk,omitempty"`
	Upload    string `json:"up,omitempty"`
	Part      int    `json:"pn,omitempty"`
}

// Encryption records how an object (or an in-progress upload) is encrypted: everything
// needed to recover the key that wraps its object keys, and nothing secret in clear.
type Encryption struct {
	// Mode is AES256 (SSE-S3), aws:kms (SSE-KMS) or SSE-C.
	Mode string `json:"mode"`
	// FromDefault is true when the bucket's default chose the mode (no request header).
	FromDefault bool `json:"dflt,omitempty"`
	// MasterVersion is the SSE-S3 master key version.
	MasterVersion int `json:"mv,omitempty"`
	// KMSKeyARN, KMSBlob and KMSContext: the KMS key, the ciphertext of the data key (or
	// bucket key) and the full encryption context it was generated with.
	KMSKeyARN  string            `json:"kmsarn,omitempty"`
	KMSBlob    []byte            `json:"kmsblob,omitempty"`
	KMSContext map[string]string `json:"kmsctx,omitempty"`
	// UserContext is the x-amz-server-side-encryption-context value as given.
	UserContext string `json:"uctx,omitempty"`
	BucketKey   bool   `json:"bk,omitempty"`
	// CustomerKeyMD5, CheckSalt and Check identify the SSE-C key without storing it.
	CustomerKeyMD5 string `json:"ckmd5,omitempty"`
	CheckSalt      []byte `json:"cksalt,omitempty"`
	Check          []byte `json:"ck,omitempty"`
}

// Object is an object's metadata (one version of a key). Header values are kept byte-exact
// as received.
type Object struct {
	Key string `json:"key"`
	// VersionID is the version's id ("" = the null version, written while versioning was
	// never enabled or suspended).
	VersionID string `json:"vid,omitempty"`
	// DeleteMarker: this version is a delete marker (no data, no headers).
	DeleteMarker bool `json:"dm,omitempty"`
	// IsLatest is set on reads: the version is the key's current one. Not stored.
	IsLatest     bool      `json:"-"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"` // without quotes: hex MD5, or hex-N for multipart
	LastModified time.Time `json:"mtime"`

	// Standard headers stored and returned verbatim ("" = absent).
	ContentType        string `json:"ctype,omitempty"`
	ContentEncoding    string `json:"cenc,omitempty"`
	ContentDisposition string `json:"cdisp,omitempty"`
	ContentLanguage    string `json:"clang,omitempty"`
	CacheControl       string `json:"cache,omitempty"`
	Expires            string `json:"expires,omitempty"`

	// UserMeta maps the lowercase name after "x-amz-meta-" to the value as received.
	UserMeta map[string]string `json:"umeta,omitempty"`
	// Tags is the version's tag set (nil = none; docs/TAGGING.md).
	Tags map[string]string `json:"tags,omitempty"`

	// Checksum is the object's flexible checksum, if any: algorithm name (CRC32, CRC32C,
	// CRC64NVME, SHA1, SHA256), its base64 value, and type FULL_OBJECT or COMPOSITE.
	Checksum *Checksum `json:"cksum,omitempty"`
	// SealedChecksum, for SSE-KMS and SSE-C objects written since checksums are sealed,
	// holds Checksum.Value and every Parts[i].Checksum encrypted (those fields are then
	// empty in the record; docs/CHECKSUMS.md, docs/FORMAT.md). nil in older records.
	SealedChecksum *SealedChecksum `json:"scks,omitempty"`

	// Pieces hold the bytes in order; their sizes add up to Size.
	Pieces []Piece `json:"pieces"`
	// Enc says how the pieces are encrypted.
	Enc *Encryption `json:"enc,omitempty"`
	// Parts, for a multipart object, describe each part for GET ?partNumber= and checksums.
	Parts []PartInfo `json:"parts,omitempty"`

	// Retention (nil = none) and LegalHold ("", ON or OFF) are the version's Object Lock
	// settings (lock.go).
	Retention *Retention `json:"ret,omitempty"`
	LegalHold string     `json:"hold,omitempty"`

	// ACL is the version's access control list, its Owner the object's owner (nil =
	// private to the bucket's owner; docs/ACL.md).
	ACL *acl.ACL `json:"acl,omitempty"`

	// Task names the Batch Operations task whose effect this record is ("<job id>/<task
	// index>", "" = none): written in the same commit as the effect, so a job resumed after
	// a crash tells a task already done from one to do (docs/BATCH.md). Never on the wire.
	Task string `json:"task,omitempty"`
}

// Checksum is a stored flexible checksum.
type Checksum struct {
	Algorithm string `json:"alg"`
	Value     string `json:"val"`
	Type      string `json:"type"`
}

// SealedChecksum is an object's checksum values, encrypted: Key is a fresh 32-byte key
// sealed by the object's SSE wrapper as the stream key of upload "arca-checksum", part 0;
// Box is sse.Seal(key, "arca/checksum/v1", nil, JSON {"v": value, "p": [part values]}).
type SealedChecksum struct {
	Key []byte `json:"k"`
	Box []byte `json:"b"`
}

// PartInfo describes one part of a completed multipart object.
type PartInfo struct {
	Number   int    `json:"n"`
	Size     int64  `json:"size"`
	ETag     string `json:"etag"`
	Checksum string `json:"cksum,omitempty"`
}

// BlobIDs lists every blob the object references.
func (o *Object) BlobIDs() []string {
	ids := make([]string, 0, len(o.Pieces))
	for _, p := range o.Pieces {
		ids = append(ids, p.BlobID)
	}
	return ids
}

// Upload is an in-progress multipart upload. The object fields (headers, metadata, checksum
// algorithm) are fixed at creation and copied into the completed object.
type Upload struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"`
	Initiated time.Time `json:"initiated"`
	// Template carries the headers and user metadata given at CreateMultipartUpload.
	Template Object `json:"tmpl"`
	// ChecksumAlgorithm is the algorithm named at creation ("" = none).
	ChecksumAlgorithm string `json:"cksumalg,omitempty"`
	ChecksumType      string `json:"cksumtype,omitempty"`
	// Enc is fixed at creation; every part is encrypted under it.
	Enc *Encryption `json:"enc,omitempty"`
}

// Part is an uploaded part of an in-progress upload.
type Part struct {
	Number       int       `json:"n"`
	BlobID       string    `json:"blob"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"mtime"`
	Checksum     string    `json:"cksum,omitempty"` // base64, algorithm of the upload
	SealedKey    []byte    `json:"sk,omitempty"`
	// SealedChecksum holds Checksum encrypted for a part of an SSE-KMS or SSE-C upload
	// (Checksum is then empty in the record): its key is sealed as the stream key of upload
	// "arca-checksum", part Number; the box holds JSON {"v": value}.
	SealedChecksum *SealedChecksum `json:"scks,omitempty"`
}

// ListOptions select objects for ListObjects (V1 and V2 share it).
type ListOptions struct {
	Prefix    string
	Delimiter string
	// After: list keys strictly greater than this (marker, start-after or a decoded
	// continuation token).
	After   string
	MaxKeys int
}

// ListResult is one page of a listing. Objects and CommonPrefixes are each sorted; together
// they hold at most MaxKeys entries.
type ListResult struct {
	Objects        []Object
	CommonPrefixes []string
	IsTruncated    bool
	// Next is the last key or common prefix returned; listing again with After = Next
	// continues.
	Next string
}

// UploadListOptions select uploads for ListMultipartUploads.
type UploadListOptions struct {
	Prefix         string
	Delimiter      string
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int
}

// UploadListResult is one page of ListMultipartUploads.
type UploadListResult struct {
	Uploads            []Upload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// WriteResult is what a write did: the version it created and the one it removed for good.
type WriteResult struct {
	// VersionID of the new current version ("" = the null version).
	VersionID string
	// Replaced is the version removed for good (its blobs can go), nil if none.
	Replaced *Object
}

// PutCondition is checked against the current object inside the write transaction, so that
// conditional writes are atomic. nil means unconditional.
type PutCondition func(cur *Object) error

// Store is the metadata store.
type Store interface {
	// CreateBucket returns ErrBucketExists if the name is taken.
	CreateBucket(ctx context.Context, b Bucket) error
	// GetBucket returns ErrNoSuchBucket.
	GetBucket(ctx context.Context, name string) (Bucket, error)
	// UpdateBucket applies fn to the bucket's record atomically; fn's error is returned as
	// is and nothing is written. Returns ErrNoSuchBucket.
	UpdateBucket(ctx context.Context, name string, fn func(*Bucket) error) error
	// ListBuckets returns all buckets sorted by name.
	ListBuckets(ctx context.Context) ([]Bucket, error)
	// DeleteBucket returns ErrNoSuchBucket, or ErrBucketNotEmpty when it holds objects or
	// in-progress uploads.
	DeleteBucket(ctx context.Context, name string) error

	// PutObject makes o the current version of o.Key as the bucket's versioning state says:
	// unversioned, it replaces the object there; Enabled, it gets a new version id (unless
	// o has one) and the current version becomes noncurrent; Suspended, it is the null
	// version, replacing the key's null version wherever it is. The result names the new
	// version and the one removed for good (so its blobs can be removed). cond, if non-nil,
	// runs in the same transaction with the current object (nil if none or a delete
	// marker); its error is returned as is. Returns ErrNoSuchBucket.
	PutObject(ctx context.Context, bucket string, o Object, cond PutCondition) (WriteResult, error)
	// GetObject returns the key's current version unless it is a delete marker. Returns
	// ErrNoSuchBucket or ErrNoSuchKey.
	GetObject(ctx context.Context, bucket, key string) (Object, error)
	// GetVersion returns the current version (a delete marker included) when versionID is
	// "", else that version ("null" for the null version). Returns ErrNoSuchBucket,
	// ErrNoSuchKey or ErrNoSuchVersion.
	GetVersion(ctx context.Context, bucket, key, versionID string) (Object, error)
	// UpdateVersion applies fn to one version of key (the current one when versionID is
	// "", "null" for the null version) and rewrites that version's record in place, in one
	// transaction; which version is current does not change. fn's error is returned as is
	// and nothing is written. Returns ErrNoSuchBucket, ErrNoSuchKey or ErrNoSuchVersion.
	UpdateVersion(ctx context.Context, bucket, key, versionID string, fn func(*Object) error) error
	// ListVersions returns one page of versions and delete markers. Returns ErrNoSuchBucket.
	ListVersions(ctx context.Context, bucket string, opt VersionListOptions) (VersionListResult, error)
	// DeleteObject deletes a key as the bucket's versioning state says (a delete marker
	// where it is versioned) or, with opt.VersionID, one version for good; deleting what
	// does not exist is not an error. A damaged current record of an unversioned bucket is
	// removed (its blobs are left to the orphan sweep). Returns ErrNoSuchBucket.
	DeleteObject(ctx context.Context, bucket, key string, opt DeleteOptions) (DeleteResult, error)
	// ListObjects returns ErrNoSuchBucket.
	ListObjects(ctx context.Context, bucket string, opt ListOptions) (ListResult, error)

	// CreateUpload records a new upload; returns ErrNoSuchBucket.
	CreateUpload(ctx context.Context, bucket string, u Upload) error
	// GetUpload returns ErrNoSuchUpload (also when key does not match).
	GetUpload(ctx context.Context, bucket, key, uploadID string) (Upload, error)
	// PutPart records a part, replacing one with the same number and returning it (nil if
	// none). Returns ErrNoSuchUpload.
	PutPart(ctx context.Context, bucket, key, uploadID string, p Part) (old *Part, err error)
	// ListParts returns parts sorted by number, numbers > after, at most max (0 = all), and
	// whether more remain. Returns ErrNoSuchUpload.
	ListParts(ctx context.Context, bucket, key, uploadID string, after, max int) ([]Part, bool, error)
	// CompleteUpload atomically makes o the current version of the upload's key (as
	// PutObject does) and deletes the upload. It returns what PutObject does and the
	// upload's parts that o does not use, so the caller can remove their blobs. cond as for
	// PutObject.
	// Returns ErrNoSuchUpload.
	CompleteUpload(ctx context.Context, bucket, uploadID string, o Object, cond PutCondition) (res WriteResult, unused []Part, err error)
	// AbortUpload deletes the upload and returns its parts. Returns ErrNoSuchUpload.
	AbortUpload(ctx context.Context, bucket, key, uploadID string) ([]Part, error)
	// ListUploads returns ErrNoSuchBucket.
	ListUploads(ctx context.Context, bucket string, opt UploadListOptions) (UploadListResult, error)

	// WalkBlobIDs calls fn for every blob id referenced by an object or a part, and
	// returns how many records were damaged (ErrDamagedRecord): their blob ids are unknown,
	// so no blob may be treated as unreferenced while damaged > 0.
	WalkBlobIDs(ctx context.Context, fn func(id string)) (damaged int, err error)
	// Close releases what the store holds (a store on a shared kv.DB holds nothing: the
	// kv.DB is closed by whoever opened it).
	Close() error
}
