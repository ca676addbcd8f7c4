package compliance

import "context"

// Facts is what the rules read about an account, implemented by the server over the
// metadata store, the account's keystore and its trails. Every list is the account's own.
// Error contract: a returned error aborts the evaluation (results stay as they were);
// ok false means the resource does not exist (its results are removed).
type Facts interface {
	Buckets(ctx context.Context, account string) ([]Bucket, error)
	Bucket(ctx context.Context, account, name string) (b Bucket, ok bool, err error)
	Keys(ctx context.Context, account string) ([]Key, error)
	Key(ctx context.Context, account, id string) (k Key, ok bool, err error)
	Trails(ctx context.Context, account string) ([]Trail, error)
	// InventoryRows reads the latest inventory report of bucket b that lists
	// EncryptionStatus (the newest manifest among b's configurations that have the
	// field), through the object engine's decrypting read path, and calls fn for each of
	// its rows. manifest names the report read ("bucket/key"); ok false when b has no
	// such report.
	InventoryRows(ctx context.Context, account string, b Bucket, fn func(InventoryRow) error) (manifest string, ok bool, err error)
}

// InventoryRow is what the drift rule reads of one inventory report row.
type InventoryRow struct {
	Key, VersionID   string
	DeleteMarker     bool
	EncryptionStatus string // SSE-S3, SSE-KMS, SSE-C, NOT-SSE (S3 Inventory's words)
	KMSKeyArn        string // "" when the report has no KMSKeyArn column
}

// Bucket is what the rules know of a bucket.
type Bucket struct {
	Name string
	// Owner is the owning account id.
	Owner string
	// Algorithm is the configured default encryption (AES256, aws:kms, aws:kms:dsse); ""
	// when none is configured (objects then get SSE-S3).
	Algorithm string
	// KMSKeyARN is the default's KMS key resolved to its ARN ("" for aws/s3 or none);
	// KMSKeyID is the key as configured.
	KMSKeyARN, KMSKeyID string
	// SSECBlocked: the bucket refuses SSE-C writes (BlockedEncryptionTypes SSE-C).
	SSECBlocked bool
	// Policy is the bucket policy document ("" = none).
	Policy string
	// Logging is the server access logging target (nil = off).
	Logging *Logging
	// BlockPublicAccess are the bucket-level Block Public Access settings.
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
	// PublicACL: the bucket ACL grants to AllUsers or AuthenticatedUsers.
	PublicACL bool
}

// Logging is a bucket's server access logging target.
type Logging struct{ TargetBucket, TargetPrefix string }

// Key is what the rules know of a KMS key.
type Key struct {
	ID, ARN string
	State   string // Enabled, Disabled, PendingDeletion, ...
	// CustomerManaged: KeyManager CUSTOMER (AWS managed keys are out of the rules' scope).
	CustomerManaged bool
	Rotation        bool
}

// Trail is what the rules know of a trail.
type Trail struct {
	Name, ARN, Bucket string
	KMSKeyARN         string
	Validation        bool
	IsLogging         bool
}
