package apierr

import (
	"github.com/arcastore/arca/internal/sse"
)

// Server-side encryption errors, with AWS's exact texts (reference §1.4). The numbers are
// the rows of that table.
var (
	// #1
	SSECIncompatible = InvalidArgument.Msg("Server Side Encryption with Customer provided key is incompatible with the encryption method specified")
	// #2
	SSECAlgorithm = &Error{Code: "InvalidEncryptionAlgorithmError", Status: 400,
		Message: "The Encryption request you specified is not valid. Supported value: AES256."}
	// #3
	SSECNoAlgorithm = InvalidArgument.Msg("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.").With("ArgumentName", "x-amz-server-side-encryption")
	// #4
	SSECNoKey = InvalidArgument.Msg("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.").With("ArgumentName", "x-amz-server-side-encryption")
	// #5
	SSECKeySize = InvalidArgument.Msg("The secret key was invalid for the specified algorithm.").With("ArgumentName", "x-amz-server-side-encryption")
	// #6
	SSECKeyMD5 = InvalidArgument.Msg("The calculated MD5 hash of the key did not match the hash that was provided.").With("ArgumentName", "x-amz-server-side-encryption")
	// #7
	SSECNoKeyMD5 = InvalidArgument.Msg("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.").With("ArgumentName", "x-amz-server-side-encryption")
	// #8
	SSECInsecure = InvalidRequest.Msg("Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
	// #9
	SSECRequired = InvalidRequest.Msg("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	// #10
	SSECWrongKey = AccessDenied.Msg("Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.")
	// #11
	SSEOnRead = InvalidArgument.Msg("x-amz-server-side-encryption header is not supported for this operation.")
	// #12
	SSECNotApplicable = InvalidRequest.Msg("The encryption parameters are not applicable to this object.")
	// #13
	SSEMultipartMismatch = InvalidRequest.Msg("The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	// #14
	SSEMultipartKeyMismatch = InvalidRequest.Msg("The provided encryption parameters did not match the ones used originally.")
	// #15
	SSEKMSKeyWithoutKMS = InvalidArgument.Msg("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
	// #16
	SSEUnsupported = InvalidArgument.Msg("The encryption method specified is not supported")
	// #17
	SSEKMSNeedsSigV4 = InvalidArgument.Msg("Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.").Arg("Authorization", "null")
	// #19: ssec_block.go

	SSEContextInvalid   = InvalidArgument.Msg("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map").With("ArgumentName", "x-amz-server-side-encryption-context")
	SSEBucketKeyInvalid = InvalidArgument.Msg("The value of x-amz-server-side-encryption-bucket-key-enabled must be true or false").With("ArgumentName", "x-amz-server-side-encryption-bucket-key-enabled")

	ServerSideEncryptionConfigurationNotFound = &Error{Code: "ServerSideEncryptionConfigurationNotFoundError", Status: 404,
		Message: "The server side encryption configuration was not found"}
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{sse.ErrWrongCustomerKey, SSECWrongKey},
		mapping{sse.ErrCustomerKeyRequired, SSECRequired},
		// A stored key or stream that fails authentication is damage or tampering: an
		// internal error for the client, never data.
		mapping{sse.ErrCorrupt, InternalError},
	)
}
