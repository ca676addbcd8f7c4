package apierr

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/blob"
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
	// S3 answers a KMS quota refusal of its SSE-KMS calls with 503 SlowDown, in these words.
	{kms.ErrThrottled, SlowDown.Msg("Please reduce your request rate for operations involving AWS KMS.")},

	{sigv4.ErrInvalidAccessKeyID, InvalidAccessKeyID},
	{sigv4.ErrSignatureDoesNotMatch, SignatureDoesNotMatch},
	{sigv4.ErrRequestTimeTooSkewed, RequestTimeTooSkewed},
	{sigv4.ErrRequestExpired, AccessDenied.Msg("Request has expired")},
	{sigv4.ErrAuthorizationHeaderMalformed, AuthorizationHeaderMalformed},
	{sigv4.ErrAuthorizationQueryParametersError, AuthorizationQueryParametersError},
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

// detailOf returns the client-facing detail some sentinel errors carry (an exact AWS
// message that depends on the request), or "".
func detailOf(err error) string {
	var d *sigv4.DetailError
	if errors.As(err, &d) {
		return d.Detail
	}
	var dm interface{ Detail() string }
	if errors.As(err, &dm) {
		return dm.Detail()
	}
	return ""
}

// sigv4Special adjusts the cases where AWS answers a SigV4 failure with another code than
// the sentinel's usual one: a missing or unparsable date is 403 AccessDenied, and two auth
// mechanisms at once are 400 InvalidArgument. It also adds the elements some carry:
// HeadersNotSigned, and Chunk and BadChunkSize.
func sigv4Special(w *Error, detail string) {
	switch {
	case strings.HasPrefix(detail, "AWS authentication requires a valid Date"):
		w.Code, w.Status = "AccessDenied", 403
	case strings.HasPrefix(detail, "Only one auth mechanism allowed"):
		w.Code, w.Status = "InvalidArgument", 400
	}
	var hns *sigv4.HeadersNotSignedError
	var cse *sigv4.ChunkSizeError
	switch {
	case errors.As(w.Cause, &hns):
		w.Extra = append(w.Extra, Field{"HeadersNotSigned", hns.List()})
	case errors.As(w.Cause, &cse):
		w.Extra = append(w.Extra, Field{"Chunk", strconv.FormatInt(cse.Chunk, 10)}, Field{"BadChunkSize", strconv.FormatInt(cse.BadChunkSize, 10)})
	}
}

// kmsForS3 maps a KMS failure met while serving an S3 request (SSE-KMS) as S3 does
// (reference §1.5): a missing KMS permission is 403 AccessDenied; any other KMS exception
// travels as "KMS.<ExceptionName>" with status 400 and the KMS message. Storage failures
// inside the KMS stay internal errors.
func kmsForS3(err error) *Error {
	if errors.Is(err, kms.ErrAccessDenied) {
		w := *AccessDenied
		if msg := kms.Message(err); msg != "" {
			w.Message = msg
		}
		w.Cause = err
		return &w
	}
	for _, m := range kmsMappings {
		if m.wire.Status >= 500 || !isKMSSentinel(m.err) || !errors.Is(err, m.err) {
			continue
		}
		return &Error{Code: "KMS." + m.wire.Type, Status: 400, Message: kms.Message(err), Cause: err}
	}
	return nil
}

func isKMSSentinel(err error) bool {
	return strings.HasPrefix(err.Error(), "kms: ")
}
