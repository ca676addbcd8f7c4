package apierr

import (
	"context"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/sigv4"
)

func kdef(typ string, status int, msg string) *JSONError {
	return &JSONError{Type: typ, Status: status, Message: msg}
}

// KMS protocol errors raised by the protocol layer itself.
var (
	KMSInternal            = kdef("KMSInternalException", 500, "")
	KMSSerialization       = kdef("SerializationException", 400, "")
	KMSUnknownOperation    = kdef("UnknownOperationException", 400, "")
	KMSValidation          = kdef("ValidationException", 400, "")
	KMSMissingAuthToken    = kdef("MissingAuthenticationTokenException", 400, "Missing Authentication Token")
	KMSUnrecognizedClient  = kdef("UnrecognizedClientException", 400, "The security token included in the request is invalid.")
	KMSInvalidSignature    = kdef("InvalidSignatureException", 400, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	KMSIncompleteSignature = kdef("IncompleteSignatureException", 400, "")
)

// kmsDomainMappings are the KMS domain's sentinels, which S3 also forwards (kmsForS3).
var kmsDomainMappings = []jsonMapping{
	{kms.ErrNotFound, kdef("NotFoundException", 400, "")},
	{kms.ErrAlreadyExists, kdef("AlreadyExistsException", 400, "")},
	{kms.ErrDisabled, kdef("DisabledException", 400, "")},
	{kms.ErrInvalidState, kdef("KMSInvalidStateException", 400, "")},
	// InvalidCiphertextException always goes out with an empty message.
	{kms.ErrInvalidCiphertext, fixedJSON(kdef("InvalidCiphertextException", 400, ""))},
	{kms.ErrIncorrectKey, kdef("IncorrectKeyException", 400, "")},
	{kms.ErrAccessDenied, kdef("AccessDeniedException", 400, "")},
	{kms.ErrNotAuthorized, kdef("NotAuthorizedException", 400, "")},
	{kms.ErrInvalidAliasName, kdef("InvalidAliasNameException", 400, "")},
	{kms.ErrLimitExceeded, kdef("LimitExceededException", 400, "")},
	{kms.ErrUnsupported, kdef("UnsupportedOperationException", 400, "")},
	{kms.ErrMalformedPolicy, kdef("MalformedPolicyDocumentException", 400, "")},
	{kms.ErrTag, kdef("TagException", 400, "")},
	{kms.ErrValidation, KMSValidation},
	{kms.ErrInvalidMarker, kdef("InvalidMarkerException", 400, "")},
	{kms.ErrInvalidGrantID, kdef("InvalidGrantIdException", 400, "")},
	{kms.ErrInvalidGrantToken, kdef("InvalidGrantTokenException", 400, "")},
	{kms.ErrInvalidKeyUsage, kdef("InvalidKeyUsageException", 400, "")},
	{kms.ErrThrottled, kdef("ThrottlingException", 400, "")},
	{kms.ErrDryRun, kdef("DryRunOperationException", 412, "The request would have succeeded, but the DryRun option is set.")},
	{kms.ErrInvalidArn, kdef("InvalidArnException", 400, "")},
}

// kmsMappings are the other errors a KMS request meets.
var kmsMappings = []jsonMapping{
	// A policy decision's refusal, in its words.
	{authz.ErrDenied, kdef("AccessDeniedException", 400, "")},
	// The key policy lockout safety check (CreateKey, PutKeyPolicy), in AWS's words.
	{authz.ErrKeyPolicyLockout, kdef("MalformedPolicyDocumentException", 400, "The new key policy will not allow you to update the key policy in the future.")},

	{sigv4.ErrInvalidAccessKeyID, KMSUnrecognizedClient},
	{sigv4.ErrSignatureDoesNotMatch, KMSInvalidSignature},
	{sigv4.ErrContentSHA256Mismatch, KMSInvalidSignature},
	{sigv4.ErrRequestTimeTooSkewed, KMSInvalidSignature.WithMessage("Signature expired: the request time is more than 15 minutes away from the server's time.")},
	{sigv4.ErrRequestExpired, KMSInvalidSignature.WithMessage("Signature expired.")},
	{sigv4.ErrAuthorizationHeaderMalformed, KMSIncompleteSignature},
	{sigv4.ErrAuthorizationQueryParametersError, KMSIncompleteSignature},
	{sigv4.ErrMissingSecurityHeader, KMSIncompleteSignature},
	{sigv4.ErrMissingContentSHA256, KMSSerialization},
	{sigv4.ErrInvalidContentSHA256, KMSIncompleteSignature},
	{sigv4.ErrUnsupportedAlgorithm, KMSIncompleteSignature.WithMessage("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")},
	{sigv4.ErrIncompleteBody, KMSSerialization},
	{sigv4.ErrMalformedChunk, KMSSerialization},
	{context.DeadlineExceeded, KMSInternal},
}

// KMS maps any error to a KMS wire error. Domain errors keep the AWS message they carry
// (InvalidCiphertextException always goes out with an empty one); anything unrecognised
// becomes a bare KMSInternalException, so no internal detail leaks.
func KMS(err error) *JSONError {
	return mapJSON(err, KMSInternal, kmsDomainMappings, kmsMappings)
}
