package s3api

import (
	"encoding/xml"
	"time"
)

// The XML shapes of S3 Control's Batch Operations job API (docs/BATCH.md, "API"), named as
// the service model (botocore's s3control) names its members. One shape serves both ways:
// CreateJob's body is decoded into it and DescribeJob echoes the same members back, so
// every optional member is a pointer or omitempty. Lists are S3 Control's non-flattened
// lists: a wrapper element holding <member> elements (MatchAnyObjectEncryption's hold
// <ObjectEncryption>).

type xmlStringList struct {
	Members []string `xml:"member"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlTagSet struct {
	Members []xmlTag `xml:"member"`
}

// xmlPresent is an element whose presence is what matters (an empty operation or SSE-S3
// choice); its content, if any, is kept only to be ignored.
type xmlPresent struct {
	Inner []byte `xml:",innerxml"`
}

type createJobRequestXML struct {
	XMLName              xml.Name           `xml:"CreateJobRequest"`
	ConfirmationRequired *bool              `xml:"ConfirmationRequired"`
	Operation            *jobOperationXML   `xml:"Operation"`
	Report               *jobReportXML      `xml:"Report"`
	ClientRequestToken   *string            `xml:"ClientRequestToken"`
	Manifest             *jobManifestXML    `xml:"Manifest"`
	Description          *string            `xml:"Description"`
	Priority             *int64             `xml:"Priority"`
	RoleArn              *string            `xml:"RoleArn"`
	Tags                 *xmlTagSet         `xml:"Tags"`
	ManifestGenerator    *jobManifestGenXML `xml:"ManifestGenerator"`
}

type jobOperationXML struct {
	LambdaInvoke             *xmlPresent         `xml:"LambdaInvoke,omitempty"`
	S3PutObjectCopy          *s3CopyOperationXML `xml:"S3PutObjectCopy,omitempty"`
	S3PutObjectAcl           *xmlPresent         `xml:"S3PutObjectAcl,omitempty"`
	S3PutObjectTagging       *s3TaggingOpXML     `xml:"S3PutObjectTagging,omitempty"`
	S3DeleteObjectTagging    *xmlPresent         `xml:"S3DeleteObjectTagging,omitempty"`
	S3InitiateRestoreObject  *xmlPresent         `xml:"S3InitiateRestoreObject,omitempty"`
	S3PutObjectLegalHold     *xmlPresent         `xml:"S3PutObjectLegalHold,omitempty"`
	S3PutObjectRetention     *xmlPresent         `xml:"S3PutObjectRetention,omitempty"`
	S3ReplicateObject        *xmlPresent         `xml:"S3ReplicateObject,omitempty"`
	S3ComputeObjectChecksum  *xmlPresent         `xml:"S3ComputeObjectChecksum,omitempty"`
	S3UpdateObjectEncryption *s3UpdateEncOpXML   `xml:"S3UpdateObjectEncryption,omitempty"`
	Unknown                  []xmlUnknownElement `xml:",any"`
}

// xmlUnknownElement is an element the model does not define (an operation Arca has never
// heard of): CreateJob refuses it rather than running nothing.
type xmlUnknownElement struct {
	XMLName xml.Name
}

type xmlObjectMetadata struct {
	CacheControl       *string         `xml:"CacheControl,omitempty"`
	ContentDisposition *string         `xml:"ContentDisposition,omitempty"`
	ContentEncoding    *string         `xml:"ContentEncoding,omitempty"`
	ContentLanguage    *string         `xml:"ContentLanguage,omitempty"`
	UserMetadata       *xmlUserMetaXML `xml:"UserMetadata,omitempty"`
	ContentLength      *int64          `xml:"ContentLength,omitempty"`
	ContentMD5         *string         `xml:"ContentMD5,omitempty"`
	ContentType        *string         `xml:"ContentType,omitempty"`
	HttpExpiresDate    *time.Time      `xml:"HttpExpiresDate,omitempty"`
	RequesterCharged   *bool           `xml:"RequesterCharged,omitempty"`
	SSEAlgorithm       *string         `xml:"SSEAlgorithm,omitempty"`
}

// xmlUserMetaXML is S3Control's map shape: <entry><key/><value/></entry>.
type xmlUserMetaXML struct {
	Entries []userMetaEntryXML `xml:"entry"`
}

type userMetaEntryXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type s3CopyOperationXML struct {
	TargetResource            *string            `xml:"TargetResource,omitempty"`
	CannedAccessControlList   *string            `xml:"CannedAccessControlList,omitempty"`
	AccessControlGrants       *xmlPresent        `xml:"AccessControlGrants,omitempty"`
	MetadataDirective         *string            `xml:"MetadataDirective,omitempty"`
	ModifiedSinceConstraint   *time.Time         `xml:"ModifiedSinceConstraint,omitempty"`
	NewObjectMetadata         *xmlObjectMetadata `xml:"NewObjectMetadata,omitempty"`
	NewObjectTagging          *xmlTagSet         `xml:"NewObjectTagging,omitempty"`
	RedirectLocation          *string            `xml:"RedirectLocation,omitempty"`
	RequesterPays             *bool              `xml:"RequesterPays,omitempty"`
	StorageClass              *string            `xml:"StorageClass,omitempty"`
	UnModifiedSinceConstraint *time.Time         `xml:"UnModifiedSinceConstraint,omitempty"`
	SSEAwsKmsKeyId            *string            `xml:"SSEAwsKmsKeyId,omitempty"`
	TargetKeyPrefix           *string            `xml:"TargetKeyPrefix,omitempty"`
	ObjectLockLegalHoldStatus *string            `xml:"ObjectLockLegalHoldStatus,omitempty"`
	ObjectLockMode            *string            `xml:"ObjectLockMode,omitempty"`
	ObjectLockRetainUntilDate *time.Time         `xml:"ObjectLockRetainUntilDate,omitempty"`
	BucketKeyEnabled          *bool              `xml:"BucketKeyEnabled,omitempty"`
	ChecksumAlgorithm         *string            `xml:"ChecksumAlgorithm,omitempty"`
}

type s3TaggingOpXML struct {
	TagSet *xmlTagSet `xml:"TagSet,omitempty"`
}

type s3UpdateEncOpXML struct {
	ObjectEncryption *updateObjectEncryptionXML `xml:"ObjectEncryption,omitempty"`
}

type updateObjectEncryptionXML struct {
	SSEKMS *updateSSEKMSXML `xml:"SSE-KMS,omitempty"`
}

type updateSSEKMSXML struct {
	KMSKeyArn        *string `xml:"KMSKeyArn,omitempty"`
	BucketKeyEnabled *bool   `xml:"BucketKeyEnabled,omitempty"`
}

type jobReportXML struct {
	Bucket              *string `xml:"Bucket,omitempty"`
	Format              *string `xml:"Format,omitempty"`
	Enabled             *bool   `xml:"Enabled"`
	Prefix              *string `xml:"Prefix,omitempty"`
	ReportScope         *string `xml:"ReportScope,omitempty"`
	ExpectedBucketOwner *string `xml:"ExpectedBucketOwner,omitempty"`
}

type jobManifestXML struct {
	Spec     *jobManifestSpecXML     `xml:"Spec,omitempty"`
	Location *jobManifestLocationXML `xml:"Location,omitempty"`
}

type jobManifestSpecXML struct {
	Format *string        `xml:"Format,omitempty"`
	Fields *xmlStringList `xml:"Fields,omitempty"`
}

type jobManifestLocationXML struct {
	ObjectArn       *string `xml:"ObjectArn,omitempty"`
	ObjectVersionId *string `xml:"ObjectVersionId,omitempty"`
	ETag            *string `xml:"ETag,omitempty"`
}

type jobManifestGenXML struct {
	S3JobManifestGenerator *s3ManifestGenXML   `xml:"S3JobManifestGenerator,omitempty"`
	Unknown                []xmlUnknownElement `xml:",any"`
}

type s3ManifestGenXML struct {
	ExpectedBucketOwner    *string            `xml:"ExpectedBucketOwner,omitempty"`
	SourceBucket           *string            `xml:"SourceBucket,omitempty"`
	ManifestOutputLocation *manifestOutputXML `xml:"ManifestOutputLocation,omitempty"`
	Filter                 *jobFilterXML      `xml:"Filter,omitempty"`
	EnableManifestOutput   *bool              `xml:"EnableManifestOutput"`
}

type manifestOutputXML struct {
	ExpectedManifestBucketOwner *string                `xml:"ExpectedManifestBucketOwner,omitempty"`
	Bucket                      *string                `xml:"Bucket,omitempty"`
	ManifestPrefix              *string                `xml:"ManifestPrefix,omitempty"`
	ManifestEncryption          *manifestEncryptionXML `xml:"ManifestEncryption,omitempty"`
	ManifestFormat              *string                `xml:"ManifestFormat,omitempty"`
}

type manifestEncryptionXML struct {
	SSES3  *xmlPresent        `xml:"SSE-S3,omitempty"`
	SSEKMS *manifestSSEKMSXML `xml:"SSE-KMS,omitempty"`
}

type manifestSSEKMSXML struct {
	KeyId *string `xml:"KeyId,omitempty"`
}

type jobFilterXML struct {
	EligibleForReplication     *bool                 `xml:"EligibleForReplication,omitempty"`
	CreatedAfter               *time.Time            `xml:"CreatedAfter,omitempty"`
	CreatedBefore              *time.Time            `xml:"CreatedBefore,omitempty"`
	ObjectReplicationStatuses  *xmlStringList        `xml:"ObjectReplicationStatuses,omitempty"`
	KeyNameConstraint          *keyNameConstraintXML `xml:"KeyNameConstraint,omitempty"`
	ObjectSizeGreaterThanBytes *int64                `xml:"ObjectSizeGreaterThanBytes,omitempty"`
	ObjectSizeLessThanBytes    *int64                `xml:"ObjectSizeLessThanBytes,omitempty"`
	MatchAnyStorageClass       *xmlStringList        `xml:"MatchAnyStorageClass,omitempty"`
	MatchAnyObjectEncryption   *encFilterListXML     `xml:"MatchAnyObjectEncryption,omitempty"`
}

type keyNameConstraintXML struct {
	MatchAnyPrefix    *xmlStringList `xml:"MatchAnyPrefix,omitempty"`
	MatchAnySuffix    *xmlStringList `xml:"MatchAnySuffix,omitempty"`
	MatchAnySubstring *xmlStringList `xml:"MatchAnySubstring,omitempty"`
}

type encFilterListXML struct {
	Members []xmlObjectEncFilter `xml:"ObjectEncryption"`
}

type xmlObjectEncFilter struct {
	SSES3   *xmlPresent      `xml:"SSE-S3,omitempty"`
	SSEKMS  *sseKMSFilterXML `xml:"SSE-KMS,omitempty"`
	DSSEKMS *xmlPresent      `xml:"DSSE-KMS,omitempty"`
	SSEC    *xmlPresent      `xml:"SSE-C,omitempty"`
	NOTSSE  *xmlPresent      `xml:"NOT-SSE,omitempty"`
}

// Responses.

type sseKMSFilterXML struct {
	KmsKeyArn        *string `xml:"KmsKeyArn,omitempty"`
	BucketKeyEnabled *bool   `xml:"BucketKeyEnabled,omitempty"`
}

type createJobResultXML struct {
	XMLName xml.Name `xml:"CreateJobResult"`
	NS      string   `xml:"xmlns,attr"`
	JobID   string   `xml:"JobId"`
}

type jobProgressXML struct {
	TotalNumberOfTasks     int64 `xml:"TotalNumberOfTasks"`
	NumberOfTasksSucceeded int64 `xml:"NumberOfTasksSucceeded"`
	NumberOfTasksFailed    int64 `xml:"NumberOfTasksFailed"`
	Timers                 struct {
		ElapsedTimeInActiveSeconds int64 `xml:"ElapsedTimeInActiveSeconds"`
	} `xml:"Timers"`
}

type jobFailureXML struct {
	FailureCode   string `xml:"FailureCode,omitempty"`
	FailureReason string `xml:"FailureReason,omitempty"`
}

type jobDescriptorXML struct {
	JobID                string                `xml:"JobId"`
	ConfirmationRequired bool                  `xml:"ConfirmationRequired"`
	Description          string                `xml:"Description,omitempty"`
	JobArn               string                `xml:"JobArn"`
	Status               string                `xml:"Status"`
	Manifest             *jobManifestXML       `xml:"Manifest,omitempty"`
	Operation            *jobOperationXML      `xml:"Operation,omitempty"`
	Priority             int32                 `xml:"Priority"`
	ProgressSummary      *jobProgressXML       `xml:"ProgressSummary,omitempty"`
	StatusUpdateReason   string                `xml:"StatusUpdateReason,omitempty"`
	FailureReasons       *jobFailureListXML    `xml:"FailureReasons,omitempty"`
	Report               *jobReportXML         `xml:"Report,omitempty"`
	CreationTime         string                `xml:"CreationTime,omitempty"`
	TerminationDate      string                `xml:"TerminationDate,omitempty"`
	RoleArn              string                `xml:"RoleArn,omitempty"`
	SuspendedDate        string                `xml:"SuspendedDate,omitempty"`
	SuspendedCause       string                `xml:"SuspendedCause,omitempty"`
	ManifestGenerator    *jobManifestGenXML    `xml:"ManifestGenerator,omitempty"`
	GeneratedManifest    *generatedManifestXML `xml:"GeneratedManifestDescriptor,omitempty"`
}

type jobFailureListXML struct {
	Members []jobFailureXML `xml:"member"`
}

type generatedManifestXML struct {
	Format   string                  `xml:"Format,omitempty"`
	Location *jobManifestLocationXML `xml:"Location,omitempty"`
}

type describeJobResultXML struct {
	XMLName xml.Name         `xml:"DescribeJobResult"`
	NS      string           `xml:"xmlns,attr"`
	Job     jobDescriptorXML `xml:"Job"`
}

type jobListDescriptorXML struct {
	JobID           string          `xml:"JobId"`
	Description     string          `xml:"Description,omitempty"`
	Operation       string          `xml:"Operation,omitempty"`
	Priority        int32           `xml:"Priority"`
	Status          string          `xml:"Status"`
	CreationTime    string          `xml:"CreationTime,omitempty"`
	TerminationDate string          `xml:"TerminationDate,omitempty"`
	ProgressSummary *jobProgressXML `xml:"ProgressSummary,omitempty"`
}

type listJobsResultXML struct {
	XMLName   xml.Name `xml:"ListJobsResult"`
	NS        string   `xml:"xmlns,attr"`
	NextToken string   `xml:"NextToken,omitempty"`
	Jobs      struct {
		Members []jobListDescriptorXML `xml:"member"`
	} `xml:"Jobs"`
}

type updateJobPriorityResultXML struct {
	XMLName  xml.Name `xml:"UpdateJobPriorityResult"`
	NS       string   `xml:"xmlns,attr"`
	JobID    string   `xml:"JobId"`
	Priority int32    `xml:"Priority"`
}

type updateJobStatusResultXML struct {
	XMLName            xml.Name `xml:"UpdateJobStatusResult"`
	NS                 string   `xml:"xmlns,attr"`
	JobID              string   `xml:"JobId"`
	Status             string   `xml:"Status"`
	StatusUpdateReason string   `xml:"StatusUpdateReason,omitempty"`
}

type getJobTaggingResultXML struct {
	XMLName xml.Name  `xml:"GetJobTaggingResult"`
	NS      string    `xml:"xmlns,attr"`
	Tags    xmlTagSet `xml:"Tags"`
}

type putJobTaggingRequestXML struct {
	XMLName xml.Name   `xml:"PutJobTaggingRequest"`
	Tags    *xmlTagSet `xml:"Tags"`
}

// controlTime is S3 Control's timestamp form (ISO 8601, UTC).
func controlTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
