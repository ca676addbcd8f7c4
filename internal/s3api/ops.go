package s3api

import "net/http"

// op is one S3 operation, the single place that says what it is: how a request selects it
// (Route), the IAM action it needs and on which resource, whether the account root may
// always perform it, whether CloudTrail records it as a data event and as readOnly, and the
// handler. Routing (route.go), authorization (authorize.go) and the audit record
// (audit.go) all read this row.
type op struct {
	Name  string
	Route match
	// Action is decided on Resource at the choke point (authorize). CopyObject and
	// UploadPartCopy also need s3:GetObject on their source (checked in copySource).
	Action string
	// VersionAction, if set, replaces Action when the request names a version (?versionId):
	// S3 authorizes GetObjectVersion and DeleteObjectVersion on the same operations.
	VersionAction string
	Resource      resource
	// RootAlways: the account root may always perform it, so that a bucket policy that
	// denies everyone can still be repaired (as on AWS).
	RootAlways bool
	// Data marks a CloudTrail data event (object-level); the others are management events.
	Data bool
	// ReadOnly: CloudTrail marks it readOnly.
	ReadOnly bool
	Run      handlerFunc
}

// level is what a request's path addresses.
type level int

const (
	onService level = iota // no bucket
	onBucket               // a bucket, no key
	onObject               // a key in a bucket
	onControl              // S3 Control, the account-level API (isControlRequest; bpa.go)
)

// match is what a request must be to select an operation. The first row of its level that
// matches wins; the rows with Query are tried before those without (see route).
type match struct {
	On     level
	Method string
	// Query: the request carries one of these query parameters (a sub-resource, or an
	// upload id or part number).
	Query []string
	// Param is a query parameter and value ("list-type=2") the request must carry, or a
	// parameter alone ("id") it must carry with any value.
	Param string
	// CopySource: the request carries x-amz-copy-source.
	CopySource bool
	// Path: the request's path is this (S3 Control rows).
	Path string
}

// resource is what an operation's Action is decided on.
type resource int

const (
	// bucketARN(bucket), with the bucket's policy.
	bucketResource resource = iota
	// objectARN(bucket, key), with the bucket's policy.
	objectResource
	// "arn:aws:s3:::*", with identity policies alone (ListBuckets).
	accountResource
	// bucketARN(bucket), with identity policies alone: the bucket has no policy yet
	// (CreateBucket).
	newBucketResource
	// each key the request names, by the handler (DeleteObjects: s3:DeleteObject per key;
	// PostObject: s3:PutObject on the key its form names, once the form is read).
	eachKeyResource
	// a Batch Operations job, arn:aws:s3:<region>:<account>:job/<id> (batchjobs.go), with
	// identity policies alone.
	jobResource
)

// opTable is every S3 operation Arca serves, by level, each level in the order routing
// tries it.
var opTable = []op{
	{Name: "ListBuckets", Route: match{On: onService, Method: http.MethodGet}, Action: "s3:ListAllMyBuckets", Resource: accountResource, ReadOnly: true, Run: (*API).listBuckets},

	// Bucket sub-resources.
	{Name: "GetBucketLocation", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"location"}}, Action: "s3:GetBucketLocation", ReadOnly: true, Run: (*API).getBucketLocation},
	{Name: "GetBucketVersioning", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"versioning"}}, Action: "s3:GetBucketVersioning", ReadOnly: true, Run: (*API).getBucketVersioning},
	{Name: "PutBucketVersioning", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"versioning"}}, Action: "s3:PutBucketVersioning", Run: (*API).putBucketVersioning},
	{Name: "PutObjectLockConfiguration", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"object-lock"}}, Action: "s3:PutBucketObjectLockConfiguration", Run: (*API).putObjectLockConfiguration},
	{Name: "GetObjectLockConfiguration", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"object-lock"}}, Action: "s3:GetBucketObjectLockConfiguration", ReadOnly: true, Run: (*API).getObjectLockConfiguration},
	{Name: "ListObjectVersions", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"versions"}}, Action: "s3:ListBucketVersions", Data: true, ReadOnly: true, Run: (*API).listObjectVersions},
	{Name: "ListMultipartUploads", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"uploads"}}, Action: "s3:ListBucketMultipartUploads", Data: true, ReadOnly: true, Run: (*API).listUploads},
	{Name: "DeleteObjects", Route: match{On: onBucket, Method: http.MethodPost, Query: []string{"delete"}}, Action: "s3:DeleteObject", Resource: eachKeyResource, Data: true, Run: (*API).deleteObjects},
	{Name: "PutBucketEncryption", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"encryption"}}, Action: "s3:PutEncryptionConfiguration", Run: (*API).putBucketEncryption},
	{Name: "GetBucketEncryption", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"encryption"}}, Action: "s3:GetEncryptionConfiguration", ReadOnly: true, Run: (*API).getBucketEncryption},
	{Name: "DeleteBucketEncryption", Route: match{On: onBucket, Method: http.MethodDelete, Query: []string{"encryption"}}, Action: "s3:PutEncryptionConfiguration", Run: (*API).deleteBucketEncryption},
	{Name: "PutBucketPolicy", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"policy"}}, Action: "s3:PutBucketPolicy", RootAlways: true, Run: (*API).putBucketPolicy},
	{Name: "GetBucketPolicy", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"policy"}}, Action: "s3:GetBucketPolicy", RootAlways: true, ReadOnly: true, Run: (*API).getBucketPolicy},
	{Name: "DeleteBucketPolicy", Route: match{On: onBucket, Method: http.MethodDelete, Query: []string{"policy"}}, Action: "s3:DeleteBucketPolicy", RootAlways: true, Run: (*API).deleteBucketPolicy},
	{Name: "GetBucketPolicyStatus", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"policyStatus"}}, Action: "s3:GetBucketPolicyStatus", ReadOnly: true, Run: (*API).getBucketPolicyStatus},
	{Name: "PutPublicAccessBlock", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"publicAccessBlock"}}, Action: "s3:PutBucketPublicAccessBlock", Run: (*API).putPublicAccessBlock},
	{Name: "GetPublicAccessBlock", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"publicAccessBlock"}}, Action: "s3:GetBucketPublicAccessBlock", ReadOnly: true, Run: (*API).getPublicAccessBlock},
	{Name: "DeletePublicAccessBlock", Route: match{On: onBucket, Method: http.MethodDelete, Query: []string{"publicAccessBlock"}}, Action: "s3:PutBucketPublicAccessBlock", Run: (*API).deletePublicAccessBlock},
	{Name: "PutBucketTagging", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"tagging"}}, Action: "s3:PutBucketTagging", Run: (*API).putBucketTagging},
	{Name: "GetBucketTagging", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"tagging"}}, Action: "s3:GetBucketTagging", ReadOnly: true, Run: (*API).getBucketTagging},
	{Name: "DeleteBucketTagging", Route: match{On: onBucket, Method: http.MethodDelete, Query: []string{"tagging"}}, Action: "s3:PutBucketTagging", Run: (*API).deleteBucketTagging},
	{Name: "PutBucketCors", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"cors"}}, Action: "s3:PutBucketCORS", Run: (*API).putBucketCors},
	{Name: "GetBucketCors", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"cors"}}, Action: "s3:GetBucketCORS", ReadOnly: true, Run: (*API).getBucketCors},
	{Name: "DeleteBucketCors", Route: match{On: onBucket, Method: http.MethodDelete, Query: []string{"cors"}}, Action: "s3:PutBucketCORS", Run: (*API).deleteBucketCors},
	{Name: "PutBucketLogging", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"logging"}}, Action: "s3:PutBucketLogging", Run: (*API).putBucketLogging},
	{Name: "GetBucketLogging", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"logging"}}, Action: "s3:GetBucketLogging", ReadOnly: true, Run: (*API).getBucketLogging},
	// Arca's on-demand inventory report (inventoryrun.go): POST ?inventory&id=ID.
	{Name: "RunBucketInventoryConfiguration", Route: match{On: onBucket, Method: http.MethodPost, Query: []string{"inventory"}}, Action: "s3:PutInventoryConfiguration", Run: (*API).runBucketInventoryConfiguration},
	{Name: "PutBucketOwnershipControls", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"ownershipControls"}}, Action: "s3:PutBucketOwnershipControls", Run: (*API).putBucketOwnershipControls},
	{Name: "GetBucketOwnershipControls", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"ownershipControls"}}, Action: "s3:GetBucketOwnershipControls", ReadOnly: true, Run: (*API).getBucketOwnershipControls},
	{Name: "DeleteBucketOwnershipControls", Route: match{On: onBucket, Method: http.MethodDelete, Query: []string{"ownershipControls"}}, Action: "s3:PutBucketOwnershipControls", Run: (*API).deleteBucketOwnershipControls},
	{Name: "PutBucketAcl", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"acl"}}, Action: "s3:PutBucketAcl", Run: (*API).putBucketAcl},
	{Name: "GetBucketAcl", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"acl"}}, Action: "s3:GetBucketAcl", ReadOnly: true, Run: (*API).getBucketAcl},
	// S3 Inventory configurations (inventory.go): with ?id= one configuration, without it the list.
	{Name: "PutBucketInventoryConfiguration", Route: match{On: onBucket, Method: http.MethodPut, Query: []string{"inventory"}}, Action: "s3:PutInventoryConfiguration", Run: (*API).putBucketInventoryConfiguration},
	{Name: "GetBucketInventoryConfiguration", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"inventory"}, Param: "id"}, Action: "s3:GetInventoryConfiguration", ReadOnly: true, Run: (*API).getBucketInventoryConfiguration},
	{Name: "ListBucketInventoryConfigurations", Route: match{On: onBucket, Method: http.MethodGet, Query: []string{"inventory"}}, Action: "s3:GetInventoryConfiguration", ReadOnly: true, Run: (*API).listBucketInventoryConfigurations},
	{Name: "DeleteBucketInventoryConfiguration", Route: match{On: onBucket, Method: http.MethodDelete, Query: []string{"inventory"}}, Action: "s3:PutInventoryConfiguration", Run: (*API).deleteBucketInventoryConfiguration},
	// Plain bucket forms.
	{Name: "ListObjectsV2", Route: match{On: onBucket, Method: http.MethodGet, Param: "list-type=2"}, Action: "s3:ListBucket", Data: true, ReadOnly: true, Run: (*API).listObjectsV2},
	{Name: "PostObject", Route: match{On: onBucket, Method: http.MethodPost}, Action: "s3:PutObject", Resource: eachKeyResource, Data: true, Run: (*API).postObject},
	{Name: "ListObjects", Route: match{On: onBucket, Method: http.MethodGet}, Action: "s3:ListBucket", Data: true, ReadOnly: true, Run: (*API).listObjectsV1},
	{Name: "CreateBucket", Route: match{On: onBucket, Method: http.MethodPut}, Action: "s3:CreateBucket", Resource: newBucketResource, Run: (*API).createBucket},
	{Name: "HeadBucket", Route: match{On: onBucket, Method: http.MethodHead}, Action: "s3:ListBucket", ReadOnly: true, Run: (*API).headBucket},
	{Name: "DeleteBucket", Route: match{On: onBucket, Method: http.MethodDelete}, Action: "s3:DeleteBucket", Run: (*API).deleteBucket},

	// Object tagging (tagging.go).
	{Name: "PutObjectTagging", Route: match{On: onObject, Method: http.MethodPut, Query: []string{"tagging"}}, Action: "s3:PutObjectTagging", VersionAction: "s3:PutObjectVersionTagging", Resource: objectResource, Data: true, Run: (*API).putObjectTagging},
	{Name: "GetObjectTagging", Route: match{On: onObject, Method: http.MethodGet, Query: []string{"tagging"}}, Action: "s3:GetObjectTagging", VersionAction: "s3:GetObjectVersionTagging", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).getObjectTagging},
	{Name: "DeleteObjectTagging", Route: match{On: onObject, Method: http.MethodDelete, Query: []string{"tagging"}}, Action: "s3:DeleteObjectTagging", VersionAction: "s3:DeleteObjectVersionTagging", Resource: objectResource, Data: true, Run: (*API).deleteObjectTagging},
	// Object ACLs (acl.go).
	{Name: "PutObjectAcl", Route: match{On: onObject, Method: http.MethodPut, Query: []string{"acl"}}, Action: "s3:PutObjectAcl", VersionAction: "s3:PutObjectVersionAcl", Resource: objectResource, Data: true, Run: (*API).putObjectAcl},
	{Name: "GetObjectAcl", Route: match{On: onObject, Method: http.MethodGet, Query: []string{"acl"}}, Action: "s3:GetObjectAcl", VersionAction: "s3:GetObjectVersionAcl", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).getObjectAcl},
	// Multipart uploads.
	{Name: "UploadPartCopy", Route: match{On: onObject, Method: http.MethodPut, Query: []string{"uploadId", "partNumber"}, CopySource: true}, Action: "s3:PutObject", Resource: objectResource, Data: true, Run: (*API).uploadPartCopy},
	{Name: "UploadPart", Route: match{On: onObject, Method: http.MethodPut, Query: []string{"uploadId", "partNumber"}}, Action: "s3:PutObject", Resource: objectResource, Data: true, Run: (*API).uploadPart},
	{Name: "ListParts", Route: match{On: onObject, Method: http.MethodGet, Query: []string{"uploadId"}}, Action: "s3:ListMultipartUploadParts", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).listParts},
	{Name: "AbortMultipartUpload", Route: match{On: onObject, Method: http.MethodDelete, Query: []string{"uploadId"}}, Action: "s3:AbortMultipartUpload", Resource: objectResource, Data: true, Run: (*API).abortUpload},
	{Name: "CreateMultipartUpload", Route: match{On: onObject, Method: http.MethodPost, Query: []string{"uploads"}}, Action: "s3:PutObject", Resource: objectResource, Data: true, Run: (*API).createUpload},
	{Name: "CompleteMultipartUpload", Route: match{On: onObject, Method: http.MethodPost, Query: []string{"uploadId"}}, Action: "s3:PutObject", Resource: objectResource, Data: true, Run: (*API).completeUpload},
	{Name: "GetObjectAttributes", Route: match{On: onObject, Method: http.MethodGet, Query: []string{"attributes"}}, Action: "s3:GetObjectAttributes", VersionAction: "s3:GetObjectVersionAttributes", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).getObjectAttributes},
	// Object Lock of one version.
	{Name: "PutObjectRetention", Route: match{On: onObject, Method: http.MethodPut, Query: []string{"retention"}}, Action: "s3:PutObjectRetention", Resource: objectResource, Data: true, Run: (*API).putObjectRetention},
	{Name: "GetObjectRetention", Route: match{On: onObject, Method: http.MethodGet, Query: []string{"retention"}}, Action: "s3:GetObjectRetention", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).getObjectRetention},
	{Name: "PutObjectLegalHold", Route: match{On: onObject, Method: http.MethodPut, Query: []string{"legal-hold"}}, Action: "s3:PutObjectLegalHold", Resource: objectResource, Data: true, Run: (*API).putObjectLegalHold},
	{Name: "GetObjectLegalHold", Route: match{On: onObject, Method: http.MethodGet, Query: []string{"legal-hold"}}, Action: "s3:GetObjectLegalHold", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).getObjectLegalHold},
	// UpdateObjectEncryption (updateenc.go): s3:PutObject is required too, checked by the handler.
	{Name: "UpdateObjectEncryption", Route: match{On: onObject, Method: http.MethodPut, Query: []string{"encryption"}}, Action: "s3:UpdateObjectEncryption", Resource: objectResource, Data: true, Run: (*API).updateObjectEncryption},
	// Objects.
	{Name: "CopyObject", Route: match{On: onObject, Method: http.MethodPut, CopySource: true}, Action: "s3:PutObject", Resource: objectResource, Data: true, Run: (*API).copyObject},
	{Name: "PutObject", Route: match{On: onObject, Method: http.MethodPut}, Action: "s3:PutObject", Resource: objectResource, Data: true, Run: (*API).putObject},
	{Name: "GetObject", Route: match{On: onObject, Method: http.MethodGet}, Action: "s3:GetObject", VersionAction: "s3:GetObjectVersion", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).getObject},
	{Name: "HeadObject", Route: match{On: onObject, Method: http.MethodHead}, Action: "s3:GetObject", VersionAction: "s3:GetObjectVersion", Resource: objectResource, Data: true, ReadOnly: true, Run: (*API).headObject},
	{Name: "DeleteObject", Route: match{On: onObject, Method: http.MethodDelete}, Action: "s3:DeleteObject", VersionAction: "s3:DeleteObjectVersion", Resource: objectResource, Data: true, Run: (*API).deleteObject},

	// S3 Control: account-level Block Public Access (bpa.go), named as CloudTrail names them.
	{Name: "PutAccountPublicAccessBlock", Route: match{On: onControl, Method: http.MethodPut, Path: controlPABPath}, Action: "s3:PutAccountPublicAccessBlock", Resource: accountResource, Run: (*API).putAccountPublicAccessBlock},
	{Name: "GetAccountPublicAccessBlock", Route: match{On: onControl, Method: http.MethodGet, Path: controlPABPath}, Action: "s3:GetAccountPublicAccessBlock", Resource: accountResource, ReadOnly: true, Run: (*API).getAccountPublicAccessBlock},
	{Name: "DeleteAccountPublicAccessBlock", Route: match{On: onControl, Method: http.MethodDelete, Path: controlPABPath}, Action: "s3:PutAccountPublicAccessBlock", Resource: accountResource, Run: (*API).deleteAccountPublicAccessBlock},
	// S3 Control: Batch Operations jobs (batchjobs.go); a {id} path segment is any job id.
	{Name: "CreateJob", Route: match{On: onControl, Method: http.MethodPost, Path: controlJobsPath}, Action: "s3:CreateJob", Resource: accountResource, Run: (*API).createJob},
	{Name: "ListJobs", Route: match{On: onControl, Method: http.MethodGet, Path: controlJobsPath}, Action: "s3:ListJobs", Resource: accountResource, ReadOnly: true, Run: (*API).listJobs},
	{Name: "DescribeJob", Route: match{On: onControl, Method: http.MethodGet, Path: controlJobPath}, Action: "s3:DescribeJob", Resource: jobResource, ReadOnly: true, Run: (*API).describeJob},
	{Name: "UpdateJobPriority", Route: match{On: onControl, Method: http.MethodPost, Path: controlJobPath + "/priority"}, Action: "s3:UpdateJobPriority", Resource: jobResource, Run: (*API).updateJobPriority},
	{Name: "UpdateJobStatus", Route: match{On: onControl, Method: http.MethodPost, Path: controlJobPath + "/status"}, Action: "s3:UpdateJobStatus", Resource: jobResource, Run: (*API).updateJobStatus},
	{Name: "GetJobTagging", Route: match{On: onControl, Method: http.MethodGet, Path: controlJobPath + "/tagging"}, Action: "s3:GetJobTagging", Resource: jobResource, ReadOnly: true, Run: (*API).getJobTagging},
	{Name: "PutJobTagging", Route: match{On: onControl, Method: http.MethodPut, Path: controlJobPath + "/tagging"}, Action: "s3:PutJobTagging", Resource: jobResource, Run: (*API).putJobTagging},
	{Name: "DeleteJobTagging", Route: match{On: onControl, Method: http.MethodDelete, Path: controlJobPath + "/tagging"}, Action: "s3:DeleteJobTagging", Resource: jobResource, Run: (*API).deleteJobTagging},
}
