// Package batch is Arca's S3 Batch Operations job engine: the job model of S3 Control's
// CreateJob (operation, manifest or manifest generator, completion report), the job store,
// the state machine of AWS's job statuses, and the runner that reads or generates a
// manifest, runs one operation per listed object through an Executor, resumes after a
// crash without redoing or skipping a task, and writes the completion report.
//
// Entry points: New a Service over the shared store (a kv.DB), Start it with an Executor
// (internal/s3api implements one: every call it makes is authenticated as the job's
// creator, authorized by the one policy engine and audited), then Create, Describe, List,
// UpdateStatus, UpdatePriority and the tagging methods serve S3 Control's job API. The
// package knows nothing of HTTP; errors are the sentinels of errors.go, wrapped in
// *errs.E with AWS's message; internal/apierr maps them to the wire.
//
// Promises: every state change is durable before the method that made it returns; a job
// that was Active when the server stopped resumes when it starts again, and each of its
// tasks takes effect exactly once (docs/BATCH.md, "The job engine").
package batch

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/iam"
)

// Status is a job's status, named as AWS names it (S3 Control JobStatus).
type Status string

// The statuses of a job (docs/BATCH.md, "State machine").
const (
	StatusNew        Status = "New"
	StatusPreparing  Status = "Preparing"
	StatusSuspended  Status = "Suspended"
	StatusReady      Status = "Ready"
	StatusActive     Status = "Active"
	StatusPausing    Status = "Pausing"
	StatusPaused     Status = "Paused"
	StatusCompleting Status = "Completing"
	StatusComplete   Status = "Complete"
	StatusCancelling Status = "Cancelling"
	StatusCancelled  Status = "Cancelled"
	StatusFailing    Status = "Failing"
	StatusFailed     Status = "Failed"
)

// Statuses lists every status, in AWS's enum order (for validating ListJobs filters).
var Statuses = []Status{StatusActive, StatusCancelled, StatusCancelling, StatusComplete, StatusCompleting,
	StatusFailed, StatusFailing, StatusNew, StatusPaused, StatusPausing, StatusPreparing, StatusReady, StatusSuspended}

// Terminal reports whether s is a final status (Complete, Cancelled, Failed).
func (s Status) Terminal() bool {
	return s == StatusComplete || s == StatusCancelled || s == StatusFailed
}

// Manifest formats (JobManifestSpec.Format) and the generated manifest's format.
const (
	FormatBatchCSV        = "S3BatchOperations_CSV_20180820"
	FormatInventoryCSV    = "S3InventoryReport_CSV_20161130"
	FormatGeneratedCSV    = "S3InventoryReport_CSV_20211130"
	ReportFormatCSV       = "Report_CSV_20180820"
	ReportScopeAll        = "AllTasks"
	ReportScopeFailedOnly = "FailedTasksOnly"
)

// Manifest field names (JobManifestSpec.Fields).
const (
	FieldIgnore    = "Ignore"
	FieldBucket    = "Bucket"
	FieldKey       = "Key"
	FieldVersionID = "VersionId"
)

// Operation names (OperationName, as ListJobs reports them).
const (
	OpPutObjectCopy          = "S3PutObjectCopy"
	OpUpdateObjectEncryption = "S3UpdateObjectEncryption"
	OpPutObjectTagging       = "S3PutObjectTagging"
	OpDeleteObjectTagging    = "S3DeleteObjectTagging"
)

// RateLimitTag is the job tag whose value (a positive integer) caps the job's tasks per
// second; without it Config.MaxTasksPerSecond applies (an Arca extension: AWS has none).
const RateLimitTag = "arca:max-tasks-per-second"

// Job is one Batch Operations job: what CreateJob was given plus its state.
type Job struct {
	ID        string
	AccountID string
	// Principal is the caller that created the job: Arca has no IAM roles to assume, so
	// tasks run as this identity (RoleArn is validated and recorded only).
	Principal iam.Identity

	ClientRequestToken   string
	Description          string
	RoleArn              string
	Priority             int32
	ConfirmationRequired bool

	Status             Status
	StatusUpdateReason string
	FailureReasons     []FailureReason
	SuspendedDate      time.Time // zero when never suspended
	SuspendedCause     string

	Operation Operation
	Manifest  *Manifest  // nil when Generator is set
	Generator *Generator // nil when Manifest is set
	Report    Report
	Tags      []Tag

	CreationTime    time.Time
	TerminationDate time.Time // zero until the job is Complete, Cancelled or Failed
	Progress        Progress
	// GeneratedManifest is where the generated manifest was written (Generator with
	// EnableManifestOutput), set once the job has prepared.
	GeneratedManifest *Location
}

// ARN is the job's ARN in region.
func (j *Job) ARN(region string) string {
	return "arn:aws:s3:" + region + ":" + j.AccountID + ":job/" + j.ID
}

// Marker is the task marker of task t of job j ("<job id>/<task index>"): the Executor runs
// t under object.WithTaskMarker(ctx, Marker(j, t)), so every record t writes carries it.
func Marker(j *Job, t Task) string { return j.ID + "/" + strconv.FormatInt(t.Index, 10) }

// FailureReason is one entry of DescribeJob's FailureReasons (JobFailure).
type FailureReason struct {
	FailureCode   string
	FailureReason string
}

// Tag is a job tag or an object tag (S3Tag).
type Tag struct {
	Key   string
	Value string
}

// Progress is DescribeJob's ProgressSummary.
type Progress struct {
	TotalNumberOfTasks         int64
	NumberOfTasksSucceeded     int64
	NumberOfTasksFailed        int64
	ElapsedTimeInActiveSeconds int64
}

// Operation is the one operation a job runs on every object (JobOperation); exactly one
// field is set.
type Operation struct {
	S3PutObjectCopy          *CopyOperation             `json:",omitempty"`
	S3UpdateObjectEncryption *UpdateEncryptionOperation `json:",omitempty"`
	S3PutObjectTagging       *PutTaggingOperation       `json:",omitempty"`
	S3DeleteObjectTagging    *DeleteTaggingOperation    `json:",omitempty"`
}

// Name is the operation's OperationName ("" when none is set).
func (o Operation) Name() string {
	switch {
	case o.S3PutObjectCopy != nil:
		return OpPutObjectCopy
	case o.S3UpdateObjectEncryption != nil:
		return OpUpdateObjectEncryption
	case o.S3PutObjectTagging != nil:
		return OpPutObjectTagging
	case o.S3DeleteObjectTagging != nil:
		return OpDeleteObjectTagging
	}
	return ""
}

// count is how many operations are set.
func (o Operation) count() int {
	n := 0
	for _, set := range []bool{o.S3PutObjectCopy != nil, o.S3UpdateObjectEncryption != nil,
		o.S3PutObjectTagging != nil, o.S3DeleteObjectTagging != nil} {
		if set {
			n++
		}
	}
	return n
}

// CopyOperation is S3PutObjectCopy (S3CopyObjectOperation): copy each object to
// TargetResource (a bucket ARN; the object's own bucket for the self-copy that re-encrypts
// it) under TargetKeyPrefix + key.
type CopyOperation struct {
	TargetResource            string
	CannedAccessControlList   string
	AccessControlGrants       []Grant
	MetadataDirective         string // COPY | REPLACE
	ModifiedSinceConstraint   *time.Time
	UnModifiedSinceConstraint *time.Time
	NewObjectMetadata         *ObjectMetadata
	NewObjectTagging          []Tag
	RedirectLocation          string
	RequesterPays             bool
	StorageClass              string
	SSEAwsKmsKeyId            string //nolint:revive // botocore's name
	TargetKeyPrefix           string
	ObjectLockLegalHoldStatus string
	ObjectLockMode            string
	ObjectLockRetainUntilDate *time.Time
	BucketKeyEnabled          bool
	ChecksumAlgorithm         string
}

// Grant is S3Grant.
type Grant struct {
	Grantee    Grantee
	Permission string
}

// Grantee is S3Grantee.
type Grantee struct {
	TypeIdentifier string // id | emailAddress | uri
	Identifier     string
	DisplayName    string
}

// ObjectMetadata is S3ObjectMetadata (the copy's metadata with MetadataDirective REPLACE).
type ObjectMetadata struct {
	CacheControl       string
	ContentDisposition string
	ContentEncoding    string
	ContentLanguage    string
	UserMetadata       map[string]string
	ContentLength      *int64
	ContentMD5         string
	ContentType        string
	HttpExpiresDate    *time.Time //nolint:revive // botocore's name
	RequesterCharged   bool
	SSEAlgorithm       string // AES256 | KMS
}

// UpdateEncryptionOperation is S3UpdateObjectEncryption (S3UpdateObjectEncryptionOperation).
type UpdateEncryptionOperation struct {
	ObjectEncryption ObjectEncryption
}

// ObjectEncryption is the target encryption of UpdateObjectEncryption.
type ObjectEncryption struct {
	SSEKMS *UpdateSSEKMS `json:",omitempty"`
}

// UpdateSSEKMS is S3UpdateObjectEncryptionSSEKMS.
type UpdateSSEKMS struct {
	KMSKeyArn        string
	BucketKeyEnabled bool
}

// PutTaggingOperation is S3PutObjectTagging (S3SetObjectTaggingOperation): replace each
// object's tag set.
type PutTaggingOperation struct {
	TagSet []Tag
}

// DeleteTaggingOperation is S3DeleteObjectTagging: remove each object's tags.
type DeleteTaggingOperation struct{}

// Manifest is JobManifest: a CSV or S3 Inventory manifest object.
type Manifest struct {
	Spec     ManifestSpec
	Location Location
}

// ManifestSpec is JobManifestSpec.
type ManifestSpec struct {
	Format string   // FormatBatchCSV | FormatInventoryCSV
	Fields []string // FormatBatchCSV: the CSV's columns (Bucket, Key[, VersionId], Ignore)
}

// Location is JobManifestLocation (and S3GeneratedManifestDescriptor's location): an
// object ARN "arn:aws:s3:::bucket/key", its version and the ETag it must have.
type Location struct {
	ObjectArn       string
	ObjectVersionId string //nolint:revive // botocore's name
	ETag            string
}

// Generator is S3JobManifestGenerator: the job's objects are the source bucket's that pass
// Filter, listed when the job prepares.
type Generator struct {
	SourceBucket           string // bucket ARN
	ExpectedBucketOwner    string
	EnableManifestOutput   bool
	ManifestOutputLocation *ManifestOutputLocation
	Filter                 *Filter
}

// ManifestOutputLocation is S3ManifestOutputLocation: where a generated manifest is written.
type ManifestOutputLocation struct {
	ExpectedManifestBucketOwner string
	Bucket                      string // bucket ARN
	ManifestPrefix              string
	ManifestEncryption          *ManifestEncryption
	ManifestFormat              string // FormatGeneratedCSV
}

// ManifestEncryption is GeneratedManifestEncryption: at most one field set.
type ManifestEncryption struct {
	SSES3  *struct{}       `json:",omitempty"`
	SSEKMS *ManifestSSEKMS `json:",omitempty"`
}

// ManifestSSEKMS is SSEKMSEncryption.
type ManifestSSEKMS struct {
	KeyId string //nolint:revive // botocore's name
}

// Filter is JobManifestGeneratorFilter: an object is listed when it passes every set field.
type Filter struct {
	EligibleForReplication     *bool
	CreatedAfter               *time.Time
	CreatedBefore              *time.Time
	ObjectReplicationStatuses  []string
	KeyNameConstraint          *KeyNameConstraint
	ObjectSizeGreaterThanBytes *int64
	ObjectSizeLessThanBytes    *int64
	MatchAnyStorageClass       []string
	MatchAnyObjectEncryption   []EncryptionFilter
}

// KeyNameConstraint is the key filter: each non-empty list must match.
type KeyNameConstraint struct {
	MatchAnyPrefix    []string
	MatchAnySuffix    []string
	MatchAnySubstring []string
}

// EncryptionFilter is ObjectEncryptionFilter: exactly one field set.
type EncryptionFilter struct {
	SSES3   *struct{}      `json:",omitempty"`
	SSEKMS  *SSEKMSFilter  `json:",omitempty"`
	DSSEKMS *DSSEKMSFilter `json:",omitempty"`
	SSEC    *struct{}      `json:",omitempty"`
	NOTSSE  *struct{}      `json:",omitempty"`
}

// SSEKMSFilter matches SSE-KMS objects, under KmsKeyArn when set, with a bucket key when
// BucketKeyEnabled is set.
type SSEKMSFilter struct {
	KmsKeyArn        string
	BucketKeyEnabled *bool
}

// DSSEKMSFilter matches DSSE-KMS objects (Arca makes none, so it matches nothing).
type DSSEKMSFilter struct {
	KmsKeyArn string
}

// Report is JobReport: the completion report.
type Report struct {
	Bucket              string // bucket ARN
	Format              string // ReportFormatCSV
	Enabled             bool
	Prefix              string
	ReportScope         string // ReportScopeAll | ReportScopeFailedOnly
	ExpectedBucketOwner string
}

// Task is one object of a job's manifest: task Index is the Index-th object listed (0-based).
type Task struct {
	Index     int64
	Bucket    string
	Key       string
	VersionID string
}

// TaskResult is what one task's operation came to; ErrorCode, HTTPStatus and Message are
// the S3 error of a failed task (AWS's completion report columns).
type TaskResult struct {
	Succeeded  bool
	ErrorCode  string
	HTTPStatus int
	Message    string
}

// Encryption values of ObjectInfo.
const (
	EncSSES3  = "SSES3"
	EncSSEKMS = "SSEKMS"
	EncSSEC   = "SSEC"
	EncNotSSE = "NOTSSE"
)

// ObjectInfo is one object version listed by Executor.Walk for a manifest generator.
type ObjectInfo struct {
	Key          string
	VersionID    string
	IsLatest     bool
	DeleteMarker bool
	Size         int64
	LastModified time.Time
	StorageClass string
	ETag         string
	Encryption   string // EncSSES3 | EncSSEKMS | EncSSEC | EncNotSSE
	KMSKeyARN    string
	BucketKey    bool
}

// Executor makes a job's S3 calls as j.Principal. internal/s3api implements it: each call
// is authenticated as the principal, authorized by the one policy engine and audited at the
// one choke point (invokedBy batchoperations.s3.amazonaws.com).
type Executor interface {
	// Do runs j's operation on t under object.WithTaskMarker(ctx, Marker(j, t)); a failure
	// is a TaskResult, never a panic.
	Do(ctx context.Context, j *Job, t Task) TaskResult
	// Applied reports whether t's effect is durable already (a record carries Marker(j, t)):
	// the check a resumed job makes for tasks that were dispatched but not checkpointed.
	Applied(ctx context.Context, j *Job, t Task) (bool, error)
	// GetObject reads an object (a manifest) as the principal. The reader should also
	// implement ETagReader (the object's ETag, from the response's ETag header): the job
	// checks it against its manifest location's ETag as AWS does; without it only a
	// plain-MD5 ETag can be checked (docs/BATCH.md, "Manifests").
	GetObject(ctx context.Context, j *Job, bucket, key, versionID string) (io.ReadCloser, error)
	// PutObject writes an object (a report, a generated manifest) as the principal,
	// encrypted as the destination bucket's default encryption (SSE-S3 at least).
	PutObject(ctx context.Context, j *Job, bucket, key string, body []byte, contentType string) error
	// Walk lists bucket's object versions as the principal (s3:ListBucket and
	// s3:ListBucketVersions), in key order, calling fn for each; fn's error stops it.
	Walk(ctx context.Context, j *Job, bucket string, fn func(ObjectInfo) error) error
}
