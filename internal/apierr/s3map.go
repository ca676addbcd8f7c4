package apierr

import (
	"context"
	"errors"
	"strconv"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sigv4"
)

var s3Mappings = []mapping{
	{meta.ErrNoSuchBucket, NoSuchBucket},
	{meta.ErrNoSuchKey, NoSuchKey},
	{meta.ErrNoSuchUpload, NoSuchUpload},
	{meta.ErrBucketExists, BucketAlreadyOwnedByYou},
	{meta.ErrBucketNotEmpty, BucketNotEmpty},
	{meta.ErrPreconditionFail, PreconditionFailed},
	{meta.ErrDamagedRecord, InternalError},
	{context.DeadlineExceeded, RequestTimeout},
	{blob.ErrNotFound, InternalError},

	{authz.ErrDenied, AccessDenied},
	// S3 answers a KMS quota refusal of its SSE-KMS calls with 503 SlowDown, in these words
	// (not the KMS's).
	{kms.ErrThrottled, fixed(SlowDown.Msg("Please reduce your request rate for operations involving AWS KMS."))},

	{sigv4.ErrInvalidAccessKeyID, InvalidAccessKeyID},
	{sigv4.ErrSignatureDoesNotMatch, SignatureDoesNotMatch},
	{sigv4.ErrRequestTimeTooSkewed, RequestTimeTooSkewed},
	{sigv4.ErrRequestExpired, AccessDenied.Msg("Request has expired")},
	{sigv4.ErrAuthorizationHeaderMalformed, AuthorizationHeaderMalformed},
	// Two auth mechanisms at once: 400 InvalidArgument (before its parent sentinel).
	{sigv4.ErrMultipleAuth, InvalidArgument},
	{sigv4.ErrAuthorizationQueryParametersError, AuthorizationQueryParametersError},
	// A missing or unparsable date: 403 AccessDenied (before its parent sentinel).
	{sigv4.ErrDateRequired, AccessDenied},
	{sigv4.ErrMissingSecurityHeader, MissingSecurityHeader},
	{sigv4.ErrMissingContentSHA256, InvalidRequest.Msg("Missing required header for this request: x-amz-content-sha256")},
	{sigv4.ErrContentSHA256Mismatch, XAmzContentSHA256Mismatch},
	{sigv4.ErrInvalidContentSHA256, InvalidArgument.Msg("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")},
	{sigv4.ErrMalformedChunk, InvalidRequest.Msg("The request body is not valid aws-chunked encoding.")},
	{sigv4.ErrIncompleteBody, IncompleteBody},
	{sigv4.ErrUnsupportedAlgorithm, InvalidRequest.Msg("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")},
	{sigv4.ErrHeadersNotSigned, AccessDenied.Msg("There were headers present in the request which were not signed")},
	{sigv4.ErrInvalidChunkSize, &Error{Code: "InvalidChunkSizeError", Status: 400, Message: "Only the last chunk is allowed to have a size less than 8192 bytes"}},
}

// fixed returns a copy of e whose message is sent even when the mapped error carries its
// own.
func fixed(e *Error) *Error {
	c := *e
	c.fixed = true
	return &c
}

// carried returns the client-facing message an error carries, or "": the exact AWS message
// of a SigV4 failure that depends on the request, or the message of a domain error
// (errs.E).
func carried(err error) string {
	var d *sigv4.DetailError
	if errors.As(err, &d) {
		return d.Detail
	}
	var dm interface{ Detail() string }
	if errors.As(err, &dm) {
		return dm.Detail()
	}
	return errs.Message(err)
}

// sigv4Extra adds the elements some SigV4 failures carry: HeadersNotSigned, and Chunk and
// BadChunkSize.
func sigv4Extra(w *Error) {
	var hns *sigv4.HeadersNotSignedError
	var cse *sigv4.ChunkSizeError
	switch {
	case errors.As(w.Cause, &hns):
		w.Extra = append(w.Extra, Field{"HeadersNotSigned", hns.List()})
	case errors.As(w.Cause, &cse):
		w.Extra = append(w.Extra, Field{"Chunk", strconv.FormatInt(cse.Chunk, 10)}, Field{"BadChunkSize", strconv.FormatInt(cse.BadChunkSize, 10)})
	default:
		postFieldExtra(w)
	}
}

// kmsForS3 maps a KMS failure met while serving an S3 request (SSE-KMS) as S3 does: a
// missing KMS permission is 403 AccessDenied; any other KMS exception travels as
// "KMS.<ExceptionName>" with status 400 and the KMS message. Storage failures inside the
// KMS stay internal errors.
func kmsForS3(err error) *Error {
	if errors.Is(err, kms.ErrAccessDenied) {
		w := *AccessDenied
		if msg := errs.Message(err); msg != "" {
			w.Message = msg
		}
		w.Cause = err
		return &w
	}
	for _, m := range kmsDomainMappings {
		if errors.Is(err, m.err) {
			return &Error{Code: "KMS." + m.wire.Type, Status: 400, Message: errs.Message(err), Cause: err}
		}
	}
	return nil
}
