// Package apierr is the one place where errors become wire errors. Domain packages (meta,
// blob, sigv4, later sse and kms) return plain sentinel errors; the protocol layers call
// S3 (and later KMS) to turn any error into the code, HTTP status and message a client of
// AWS expects. Anything not recognised becomes a bare InternalError, so no internal detail
// leaks to clients.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a wire error: an S3 error code with its status and message, plus optional extra
// XML elements (ArgumentName/ArgumentValue, BucketName, Key, Condition, …).
type Error struct {
	Code    string
	Message string
	Status  int
	Extra   []Field
	// Cause is the underlying error, for logs only; never sent.
	Cause error
	// fixed keeps Message when a mapped error carries its own (see fixed).
	fixed bool
}

// Field is one extra element of an S3 <Error>.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Cause }

// With returns a copy of e with an extra element.
func (e *Error) With(name, value string) *Error {
	c := *e
	c.Extra = append(append([]Field(nil), e.Extra...), Field{name, value})
	return &c
}

// Msg returns a copy of e with another message.
func (e *Error) Msg(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Arg returns a copy carrying ArgumentName and ArgumentValue, as InvalidArgument does.
func (e *Error) Arg(name, value string) *Error {
	return e.With("ArgumentName", name).With("ArgumentValue", value)
}

func def(code string, status int, msg string) *Error {
	return &Error{Code: code, Status: status, Message: msg}
}

// S3 error codes with AWS's statuses and default messages.
var (
	AccessDenied                      = def("AccessDenied", 403, "Access Denied")
	AuthorizationHeaderMalformed      = def("AuthorizationHeaderMalformed", 400, "The authorization header is malformed.")
	AuthorizationQueryParametersError = def("AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter.")
	BadDigest                         = def("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
	BucketAlreadyExists               = def("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	BucketAlreadyOwnedByYou           = def("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.")
	BucketNotEmpty                    = def("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
	EntityTooSmall                    = def("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.")
	EntityTooLarge                    = def("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.")
	IncompleteBody                    = def("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header")
	InternalError                     = def("InternalError", 500, "We encountered an internal error. Please try again.")
	InvalidAccessKeyID                = def("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")
	InvalidArgument                   = def("InvalidArgument", 400, "Invalid Argument")
	InvalidBucketName                 = def("InvalidBucketName", 400, "The specified bucket is not valid.")
	InvalidDigest                     = def("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
	InvalidPart                       = def("InvalidPart", 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	InvalidPartOrder                  = def("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.")
	InvalidRange                      = def("InvalidRange", 416, "The requested range is not satisfiable")
	InvalidRequest                    = def("InvalidRequest", 400, "Invalid Request")
	InvalidURI                        = def("InvalidURI", 400, "Couldn't parse the specified URI.")
	KeyTooLong                        = def("KeyTooLongError", 400, "Your key is too long")
	MalformedXML                      = def("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema")
	MethodNotAllowed                  = def("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
	MissingContentLength              = def("MissingContentLength", 411, "You must provide the Content-Length HTTP header.")
	MissingSecurityHeader             = def("MissingSecurityHeader", 400, "Your request was missing a required header")
	NoSuchBucket                      = def("NoSuchBucket", 404, "The specified bucket does not exist")
	NoSuchKey                         = def("NoSuchKey", 404, "The specified key does not exist.")
	NoSuchUpload                      = def("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	NotImplemented                    = def("NotImplemented", 501, "A header you provided implies functionality that is not implemented")
	NotModified                       = def("NotModified", 304, "Not Modified")
	PreconditionFailed                = def("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")
	RequestTimeTooSkewed              = def("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.")
	RequestTimeout                    = def("RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
	SignatureDoesNotMatch             = def("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	XAmzContentSHA256Mismatch         = def("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	InvalidObjectName                 = def("InvalidObjectName", 400, "Object name contains unsupported characters.")
	NoSuchBucketPolicy                = def("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
	MaxMessageLengthExceeded          = def("MaxMessageLengthExceeded", 400, "Your request was too big.")
	SlowDown                          = def("SlowDown", 503, "Please reduce your request rate.")
)

// Status returns e's HTTP status, 500 when unset.
func (e *Error) StatusCode() int {
	if e.Status == 0 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// mapping translates a domain sentinel (and whatever wraps it) into its wire error; the
// message the error carries, if any (see carried), replaces the wire error's unless that
// one is fixed. Each package with sentinels is listed in s3map.go, so the mapping stays in
// this one package.
type mapping struct {
	err  error
	wire *Error
}

// S3 maps any error to an S3 wire error.
func S3(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if w := objectS3(err); w != nil {
		return w
	}
	for _, m := range s3Mappings {
		if errors.Is(err, m.err) {
			w := *m.wire
			w.Cause = err
			if msg := carried(err); msg != "" && !w.fixed {
				w.Message = msg
			}
			sigv4Extra(&w)
			return &w
		}
	}
	if w := kmsForS3(err); w != nil {
		return w
	}
	w := *InternalError
	w.Cause = err
	return &w
}
