package policy

// S3 condition keys of object tagging and conditional requests (docs/TAGGING.md), as
// Request.Set expects them (any case works; these are lowercased).
const (
	// KeyExistingObjectTagPrefix + tag key: the value of that tag on the object the
	// request acts on (GET, HEAD and the object tagging operations).
	KeyExistingObjectTagPrefix = "s3:existingobjecttag/"
	// KeyRequestObjectTagPrefix + tag key: the value of that tag in the request
	// (x-amz-tagging or the PutObjectTagging body).
	KeyRequestObjectTagPrefix = "s3:requestobjecttag/"
	// KeyRequestObjectTagKeys: the tag keys in the request (multi-valued).
	KeyRequestObjectTagKeys = "s3:requestobjecttagkeys"
	// KeyIfMatch and KeyIfNoneMatch: the If-Match / If-None-Match header of a write or
	// delete, as sent.
	KeyIfMatch     = "s3:if-match"
	KeyIfNoneMatch = "s3:if-none-match"
	// KeyObjectCreationOperation: "true" for the operations that create an object
	// (PutObject, CopyObject, CompleteMultipartUpload), "false" for CreateMultipartUpload,
	// UploadPart and UploadPartCopy, which take no conditional headers.
	KeyObjectCreationOperation = "s3:objectcreationoperation"
)
