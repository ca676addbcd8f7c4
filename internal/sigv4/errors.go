package sigv4

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors returned by Verify and by Result.Body. The server maps them
// to wire errors in one place; the comment on each names the S3 error it is
// meant to become. Callers test with errors.Is: some are returned wrapped in a
// *DetailError that carries the exact AWS message for the case.
var (
	// ErrInvalidAccessKeyID: 403 InvalidAccessKeyId, "The AWS Access Key Id
	// you provided does not exist in our records."
	ErrInvalidAccessKeyID = errors.New("sigv4: invalid access key id")

	// ErrSignatureDoesNotMatch: 403 SignatureDoesNotMatch, "The request
	// signature we calculated does not match the signature you provided.
	// Check your key and signing method."
	ErrSignatureDoesNotMatch = errors.New("sigv4: signature does not match")

	// ErrRequestTimeTooSkewed: 403 RequestTimeTooSkewed, "The difference
	// between the request time and the current time is too large."
	ErrRequestTimeTooSkewed = errors.New("sigv4: request time too skewed")

	// ErrRequestExpired: 403 AccessDenied, "Request has expired". A presigned
	// request dated in the future is returned as a DetailError around this
	// sentinel with the detail "Request is not valid yet" (also AccessDenied).
	ErrRequestExpired = errors.New("sigv4: request has expired")

	// ErrAuthorizationHeaderMalformed: 400 AuthorizationHeaderMalformed,
	// "The authorization header is malformed; ..." (detail in DetailError).
	ErrAuthorizationHeaderMalformed = errors.New("sigv4: authorization header malformed")

	// ErrAuthorizationQueryParametersError: 400
	// AuthorizationQueryParametersError (detail in DetailError).
	ErrAuthorizationQueryParametersError = errors.New("sigv4: authorization query parameters error")

	// ErrMultipleAuth: a request carries both an Authorization header and
	// query authentication. It is an ErrAuthorizationQueryParametersError
	// (KMS and IAM answer it as one); S3 answers 400 InvalidArgument. Always
	// returned in a DetailError with AWS's "Only one auth mechanism allowed;
	// ...".
	ErrMultipleAuth = fmt.Errorf("%w: more than one auth mechanism", ErrAuthorizationQueryParametersError)

	// ErrMissingSecurityHeader: 400 MissingSecurityHeader, "Your request is
	// missing a required header." (detail in DetailError).
	ErrMissingSecurityHeader = errors.New("sigv4: missing security header")

	// ErrDateRequired: the date is missing or does not parse. It is an
	// ErrMissingSecurityHeader (KMS and IAM answer it as one); S3 answers
	// 403 AccessDenied. Always returned in a DetailError with AWS's "AWS
	// authentication requires a valid Date or x-amz-date header".
	ErrDateRequired = fmt.Errorf("%w: no valid date", ErrMissingSecurityHeader)

	// ErrMissingContentSHA256: 400 InvalidRequest, "Missing required header
	// for this request: x-amz-content-sha256".
	ErrMissingContentSHA256 = errors.New("sigv4: missing x-amz-content-sha256")

	// ErrContentSHA256Mismatch: 400 XAmzContentSHA256Mismatch, "The provided
	// 'x-amz-content-sha256' header does not match what was computed."
	ErrContentSHA256Mismatch = errors.New("sigv4: x-amz-content-sha256 does not match the payload")

	// ErrInvalidContentSHA256: 400 InvalidArgument, "x-amz-content-sha256
	// must be UNSIGNED-PAYLOAD, ... or a valid sha256 value."
	ErrInvalidContentSHA256 = errors.New("sigv4: invalid x-amz-content-sha256")

	// ErrMalformedChunk: 400 InvalidRequest for bad aws-chunked framing
	// (detail says what); trailer problems carry S3's MalformedTrailerError
	// message as detail.
	ErrMalformedChunk = errors.New("sigv4: malformed aws-chunked body")

	// ErrIncompleteBody: 400 IncompleteBody, "You did not provide the number
	// of bytes specified by the Content-Length HTTP header."
	ErrIncompleteBody = errors.New("sigv4: incomplete body")

	// ErrUnsupportedAlgorithm: 400 InvalidRequest, "The authorization
	// mechanism you have provided is not supported. Please use
	// AWS4-HMAC-SHA256." (SigV2, SigV4A, unknown schemes).
	ErrUnsupportedAlgorithm = errors.New("sigv4: unsupported authorization algorithm")

	// ErrHeadersNotSigned: 403 AccessDenied, "There were headers present in
	// the request which were not signed", with a HeadersNotSigned element
	// naming them. Always returned as a *HeadersNotSignedError.
	ErrHeadersNotSigned = errors.New("sigv4: x-amz-* headers not signed")

	// ErrInvalidChunkSize: 400 InvalidChunkSizeError, "Only the last chunk is
	// allowed to have a size less than 8192 bytes", with Chunk and
	// BadChunkSize elements. Always returned (by Result.Body) as a
	// *ChunkSizeError.
	ErrInvalidChunkSize = errors.New("sigv4: aws-chunked chunk too small")
)

// DetailError wraps a sentinel with the exact message AWS sends for the case.
// Detail never contains secrets, signing keys or expected signatures.
type DetailError struct {
	Err    error
	Detail string
}

func (e *DetailError) Error() string { return e.Err.Error() + ": " + e.Detail }

// Unwrap returns the sentinel.
func (e *DetailError) Unwrap() error { return e.Err }

func detail(err error, msg string) error { return &DetailError{Err: err, Detail: msg} }

// The DetailErrors of the sentinels that exist to pick another wire code than their parent.
var (
	errNoDate  = detail(ErrDateRequired, msgDateRequired)
	errOneAuth = detail(ErrMultipleAuth, msgOneAuth)
)

// HeadersNotSignedError is ErrHeadersNotSigned with the headers to list.
type HeadersNotSignedError struct {
	// Names are the x-amz-* headers present but not signed: lowercase,
	// sorted, at most maxListedHeaders of them.
	Names []string
}

func (e *HeadersNotSignedError) Error() string {
	return ErrHeadersNotSigned.Error() + ": " + e.List()
}

// Unwrap returns ErrHeadersNotSigned.
func (e *HeadersNotSignedError) Unwrap() error { return ErrHeadersNotSigned }

// Detail is AWS's message for the case.
func (e *HeadersNotSignedError) Detail() string { return msgHeadersNotSigned }

// List is the text of S3's HeadersNotSigned element: the names joined by ", ".
func (e *HeadersNotSignedError) List() string { return strings.Join(e.Names, ", ") }

// ChunkSizeError is ErrInvalidChunkSize with S3's two elements. A chunk is
// only known not to be the last when another non-empty one follows it, so
// Chunk is the number (from 1) of that following chunk and BadChunkSize the
// size of the short one before it.
type ChunkSizeError struct {
	Chunk        int64
	BadChunkSize int64
}

func (e *ChunkSizeError) Error() string {
	return ErrInvalidChunkSize.Error() + ": chunk " + strconv.FormatInt(e.Chunk-1, 10) +
		" has " + strconv.FormatInt(e.BadChunkSize, 10) + " bytes"
}

// Unwrap returns ErrInvalidChunkSize.
func (e *ChunkSizeError) Unwrap() error { return ErrInvalidChunkSize }

// Detail is AWS's message for the case.
func (e *ChunkSizeError) Detail() string { return msgChunkTooSmall }

// AWS messages used in more than one place.
const (
	msgDateRequired     = "AWS authentication requires a valid Date or x-amz-date header"
	msgHeaderPrefix     = "The authorization header is malformed; "
	msgCredPrefix       = "Error parsing the X-Amz-Credential parameter; "
	msgCredMalformed    = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgQueryMissing     = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgOneAuth          = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	msgBadTrailer       = "The request contained trailing data that was not well-formed or did not conform to our published schema."
	msgHeadersNotSigned = "There were headers present in the request which were not signed"
	msgChunkTooSmall    = "Only the last chunk is allowed to have a size less than 8192 bytes"
	msgBadContentSHA    = "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
)
