package apierr

import (
	"context"
	"errors"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/sigv4"
)

// IAMError is an IAM or STS query-protocol wire error: the code and message of the
// <ErrorResponse>, and its HTTP status. Type is "Receiver" for server faults, else
// "Sender".
type IAMError struct {
	Code    string
	Message string
	Status  int
	// Cause is the underlying error, for logs only; never sent.
	Cause error
	// fixed keeps Message when a mapped error carries its own.
	fixed bool
}

func (e *IAMError) Error() string { return e.Code + ": " + e.Message }
func (e *IAMError) Unwrap() error { return e.Cause }

// Type is the <Type> element: who is at fault.
func (e *IAMError) Type() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// WithMessage returns a copy of e with another message.
func (e *IAMError) WithMessage(msg string) *IAMError {
	c := *e
	c.Message = msg
	return &c
}

func idef(code string, status int, msg string) *IAMError {
	return &IAMError{Code: code, Status: status, Message: msg}
}

// fixedIAM returns a copy of e whose message is sent even when the mapped error carries its
// own.
func fixedIAM(e *IAMError) *IAMError {
	c := *e
	c.fixed = true
	return &c
}

// IAM and STS errors raised by the protocol layer itself.
var (
	IAMServiceFailure        = idef("ServiceFailure", 500, "The request processing has failed because of an unknown error, exception or failure.")
	IAMInvalidAction         = idef("InvalidAction", 400, "")
	IAMMalformedQueryString  = idef("MalformedQueryString", 400, "The query string is malformed.")
	IAMAccessDenied          = idef("AccessDenied", 403, "")
	IAMValidation            = idef("ValidationError", 400, "")
	IAMMissingAuthToken      = idef("MissingAuthenticationToken", 403, "Request is missing Authentication Token")
	IAMInvalidClientTokenID  = idef("InvalidClientTokenId", 403, "The security token included in the request is invalid.")
	IAMSignatureDoesNotMatch = idef("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	IAMIncompleteSignature   = idef("IncompleteSignature", 400, "The request signature does not conform to AWS standards.")
)

type iamMapping struct {
	err  error
	wire *IAMError
}

// iamMappings: domain errors keep the message they carry; of the SigV4 failures only
// IncompleteSignature sends the detail, the others AWS's fixed words.
var iamMappings = []iamMapping{
	{iam.ErrNotFound, idef("NoSuchEntity", 404, "")},
	{iam.ErrAlreadyExists, idef("EntityAlreadyExists", 409, "")},
	{iam.ErrLimitExceeded, idef("LimitExceeded", 409, "")},
	{iam.ErrDeleteConflict, idef("DeleteConflict", 409, "")},
	{iam.ErrMalformedPolicy, idef("MalformedPolicyDocument", 400, "")},
	{iam.ErrValidation, IAMValidation},
	{iam.ErrInvalidInput, idef("InvalidInput", 400, "")},
	{iam.ErrKeyInactive, IAMInvalidClientTokenID},
	// A policy decision's refusal, in its words.
	{authz.ErrDenied, IAMAccessDenied},

	{sigv4.ErrInvalidAccessKeyID, fixedIAM(IAMInvalidClientTokenID)},
	{sigv4.ErrSignatureDoesNotMatch, fixedIAM(IAMSignatureDoesNotMatch)},
	{sigv4.ErrContentSHA256Mismatch, fixedIAM(IAMSignatureDoesNotMatch)},
	{sigv4.ErrRequestTimeTooSkewed, fixedIAM(IAMSignatureDoesNotMatch.WithMessage("Signature expired: the request time is more than 15 minutes away from the server's time."))},
	{sigv4.ErrRequestExpired, fixedIAM(IAMSignatureDoesNotMatch.WithMessage("Signature expired."))},
	{sigv4.ErrAuthorizationHeaderMalformed, IAMIncompleteSignature},
	{sigv4.ErrAuthorizationQueryParametersError, IAMIncompleteSignature},
	{sigv4.ErrMissingSecurityHeader, IAMIncompleteSignature},
	{sigv4.ErrMissingContentSHA256, IAMIncompleteSignature},
	{sigv4.ErrInvalidContentSHA256, IAMIncompleteSignature},
	{sigv4.ErrUnsupportedAlgorithm, IAMIncompleteSignature.WithMessage("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")},
	{sigv4.ErrIncompleteBody, fixedIAM(IAMMalformedQueryString.WithMessage("The request body is incomplete."))},
	{sigv4.ErrMalformedChunk, fixedIAM(IAMMalformedQueryString.WithMessage("The request body is not valid aws-chunked encoding."))},
	{context.DeadlineExceeded, IAMServiceFailure},
}

// IAM maps any error to an IAM/STS wire error. Domain errors keep the AWS message they
// carry; an unknown access key and an inactive one are the same InvalidClientTokenId;
// anything unrecognised becomes a bare ServiceFailure, so no internal detail leaks.
func IAM(err error) *IAMError {
	if err == nil {
		return nil
	}
	var e *IAMError
	if errors.As(err, &e) {
		return e
	}
	for _, m := range iamMappings {
		if errors.Is(err, m.err) {
			w := *m.wire
			w.Cause = err
			if msg := carried(err); msg != "" && !w.fixed {
				w.Message = msg
			}
			return &w
		}
	}
	w := *IAMServiceFailure
	w.Cause = err
	return &w
}
