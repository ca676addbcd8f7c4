package apierr

import (
	"errors"
	"strconv"

	"github.com/arcastore/arca/internal/postpolicy"
)

// POST Object's refusals (docs/POST-OBJECT.md), with AWS's codes, statuses and messages.
var (
	// InvalidPolicyDocument: the form's policy is malformed (the message says how).
	InvalidPolicyDocument = def("InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the policy document.")
	// PostNotMultipart: a bucket POST that is not multipart/form-data.
	PostNotMultipart = PreconditionFailed.With("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")
	// MalformedPOSTRequest: the body does not parse as multipart/form-data.
	MalformedPOSTRequest = def("MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data.")
	// MaxPostPreDataLengthExceeded: the fields before the file are too large.
	MaxPostPreDataLengthExceeded = def("MaxPostPreDataLengthExceededError", 400, "Your POST request fields preceding the upload file were too large.")
	// PostNoFile: no file field, or one without a file.
	PostNoFile = InvalidArgument.Msg("POST requires exactly one file upload per request.").Arg("file", "0")
	// PostNoKey: no key field before the file.
	PostNoKey = InvalidArgument.Msg("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.").Arg("key", "")
	// ACLNotSupported: an ACL other than private or bucket-owner-full-control on a bucket
	// with ACLs disabled (BucketOwnerEnforced, S3's default; docs/ACL.md).
	ACLNotSupported = def("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
)

func init() {
	s3Mappings = append(s3Mappings,
		mapping{postpolicy.ErrInvalidPolicy, InvalidPolicyDocument},
		mapping{postpolicy.ErrDenied, AccessDenied})
}

// PostSize is the wire error of a content-length-range refusal (a *postpolicy.SizeError),
// with the size and the bound broken; nil for any other error. The object engine passes a
// body reader's error through unchanged, so the reader returns this one.
func PostSize(err error) *Error {
	var se *postpolicy.SizeError
	if !errors.As(err, &se) {
		return nil
	}
	size, bound := strconv.FormatInt(se.Size, 10), strconv.FormatInt(se.Bound, 10)
	w := *EntityTooLarge
	w.Extra = []Field{{"ProposedSize", size}, {"MaxSizeAllowed", bound}}
	if se.Kind == postpolicy.ErrTooSmall {
		w = *EntityTooSmall
		w.Extra = []Field{{"ProposedSize", size}, {"MinSizeAllowed", bound}}
	}
	w.Cause = err
	return &w
}
