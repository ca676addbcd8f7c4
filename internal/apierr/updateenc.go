package apierr

import "github.com/arcastore/arca/internal/object"

// UpdateObjectEncryption's refusals, in the words AWS's API reference gives for them.
var (
	UpdateEncUnencrypted = InvalidRequest.Msg("The UpdateObjectEncryption operation doesn't supported unencrypted source objects. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.")
	UpdateEncSourceType  = InvalidRequest.Msg("The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.")
	UpdateEncTargetType  = InvalidRequest.Msg("The UpdateObjectEncryption operation doesn't support updating the encryption type to DSSE-KMS or SSE-C. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.")
	UpdateEncSigV4       = InvalidRequest.Msg("Requests that modify an object encryption configuration require AWS Signature Version 4. Modify the request to use AWS Signature Version 4, and then try again.")
	UpdateEncNoType      = InvalidRequest.Msg("Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.")
	UpdateEncNoKeyARN    = InvalidRequest.Msg("Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key Amazon Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try again.")
	UpdateEncBadKeyARN   = InvalidRequest.Msg("Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in your request, and then try again.")
	UpdateEncBucketKey   = InvalidRequest.Msg("The BucketKeyEnabled value isn't valid. Valid values are true or false. Modify the request to specify a valid value, and then try again.")
	UpdateEncKeyAccount  = AccessDenied.Msg("The AWS KMS key in the request must be owned by the same account as the bucket. Modify the request to specify a KMS key from the same account, and then try again.")
	UpdateEncLocked      = AccessDenied.Msg("The encryption type for the specified object can’t be updated because that object is protected by S3 Object Lock. If the object has a governance-mode retention period or a legal hold, you must first remove the Object Lock status on the object before you issue your UpdateObjectEncryption request. You can't use the UpdateObjectEncryption operation with objects that have an Object Lock compliance mode retention period applied to them.")
	// UpdateEncConflict: the object kept changing under the update; S3's answer to a
	// conflicting concurrent operation.
	UpdateEncConflict = def("OperationAborted", 409, "A conflicting conditional operation is currently in progress against this resource. Please try again.")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{object.ErrUpdateEncUnencrypted, UpdateEncUnencrypted},
		mapping{object.ErrUpdateEncSourceType, UpdateEncSourceType},
		mapping{object.ErrUpdateEncLocked, UpdateEncLocked},
		mapping{object.ErrUpdateEncConflict, UpdateEncConflict})
}
