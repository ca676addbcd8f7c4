package apierr

import (
	"context"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/trails"
)

// CloudTrail protocol errors raised by the protocol layer itself.
var (
	TrailInternal           = NewJSON("InternalFailure", 500, "We encountered an internal error. Please try again.")
	TrailSerialization      = NewJSON("SerializationException", 400, "The request body is not valid JSON for this operation.")
	TrailValidation         = NewJSON("ValidationException", 400, "")
	TrailUnknownOperation   = NewJSON("UnknownOperationException", 400, "")
	TrailUnsupported        = NewJSON("UnsupportedOperationException", 400, "")
	TrailUnrecognizedClient = NewJSON("UnrecognizedClientException", 400, "The security token included in the request is invalid.")
	TrailMissingAuthToken   = NewJSON("MissingAuthenticationTokenException", 400, "Missing Authentication Token")
)

// trailMappings: the trails package's errors carry AWS's message; LookupEvents' are worded
// here.
var trailMappings = []jsonMapping{
	{trails.ErrNotFound, NewJSON("TrailNotFoundException", 400, "")},
	{trails.ErrAlreadyExists, NewJSON("TrailAlreadyExistsException", 400, "")},
	{trails.ErrInvalidName, NewJSON("InvalidTrailNameException", 400, "")},
	{trails.ErrInvalidARN, NewJSON("CloudTrailARNInvalidException", 400, "")},
	{trails.ErrNoName, NewJSON("TrailNotProvidedException", 400, "")},
	{trails.ErrTooMany, NewJSON("MaximumNumberOfTrailsExceededException", 400, "")},
	{trails.ErrInvalidBucketName, NewJSON("InvalidS3BucketNameException", 400, "")},
	{trails.ErrNoSuchBucket, NewJSON("S3BucketDoesNotExistException", 400, "")},
	{trails.ErrInvalidPrefix, NewJSON("InvalidS3PrefixException", 400, "")},
	{trails.ErrKMSKeyNotFound, NewJSON("KmsKeyNotFoundException", 400, "")},
	{trails.ErrKMSKeyInvalid, NewJSON("InvalidKmsKeyIdException", 400, "")},
	{trails.ErrKMSKeyUnusable, NewJSON("KmsException", 400, "")},
	{trails.ErrDefaultTrail, NewJSON("OperationNotPermittedException", 400, "")},
	{trails.ErrTimeRange, NewJSON("InvalidTimeRangeException", 400, "")},

	{audit.ErrInvalidAttribute, fixedJSON(NewJSON("InvalidLookupAttributesException", 400, "The lookup attribute is not valid."))},
	{audit.ErrInvalidTimeRange, fixedJSON(NewJSON("InvalidTimeRangeException", 400, "Start time must be earlier than end time."))},
	{audit.ErrInvalidMaxResults, fixedJSON(NewJSON("InvalidMaxResultsException", 400, "MaxResults must be between 1 and 50."))},
	{audit.ErrInvalidNextToken, fixedJSON(NewJSON("InvalidNextTokenException", 400, "The next token is not valid."))},

	// A policy decision's refusal, in its words.
	{authz.ErrDenied, NewJSON("AccessDeniedException", 400, "")},
	{context.DeadlineExceeded, TrailInternal},
}

// Trail maps any error to a CloudTrail wire error; anything unrecognised becomes a bare
// InternalFailure, so no internal detail leaks.
func Trail(err error) *JSONError {
	return mapJSON(err, TrailInternal, trailMappings)
}
