package apierr

import (
	"errors"
	"strings"

	"github.com/arcastore/arca/internal/checksum"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

// objectS3 maps the object engine's decisions to S3's errors, carrying the specifics an
// *object.Error names (which condition, which part) as S3's extra elements.
func objectS3(err error) *Error {
	var oe *object.Error
	errors.As(err, &oe)
	field := func(name string) string {
		if oe == nil {
			return ""
		}
		return oe.Field(name)
	}
	var w *Error
	switch {
	case errors.Is(err, object.ErrBadDigest):
		w = BadDigest
	case errors.Is(err, object.ErrBadChecksum):
		w = BadDigest.Msg("The %s you specified did not match the calculated checksum.", field("Algorithm"))
	case errors.Is(err, object.ErrBadChecksumVal):
		w = InvalidRequest.Msg("Value for %s header is invalid.", checksum.Header(field("Algorithm")))
	case errors.Is(err, object.ErrIncompleteBody):
		w = IncompleteBody
	case errors.Is(err, object.ErrBodyTooLong):
		w = IncompleteBody.Msg("The request body is longer than its declared length.")
	case errors.Is(err, object.ErrNotModified):
		w = NotModified
	case errors.Is(err, object.ErrPreconditionFailed):
		w = PreconditionFailed
		if c := field("Condition"); c != "" {
			w = w.With("Condition", c)
		}
	case errors.Is(err, object.ErrInvalidRange):
		w = InvalidRange.With("RangeRequested", field("RangeRequested")).With("ActualObjectSize", field("ActualObjectSize"))
	case errors.Is(err, object.ErrInvalidPartNumber):
		w = &Error{Code: "InvalidPartNumber", Status: 416, Message: "The requested partnumber is not satisfiable"}
	case errors.Is(err, object.ErrContextWithoutKMS):
		w = SSEContextInvalid.Msg("Server Side Encryption context can only be specified with aws:kms.")
	case errors.Is(err, object.ErrSSEMultipartMismatch):
		w = SSEMultipartMismatch
	case errors.Is(err, object.ErrSSEMultipartKey):
		w = SSEMultipartKeyMismatch
	case errors.Is(err, object.ErrChecksumTypeMismatch):
		w = InvalidRequest.Msg("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
			strings.ToLower(field("Expected")), strings.ToLower(field("Actual")))
	case errors.Is(err, object.ErrSelfCopy):
		w = InvalidRequest.Msg("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	case errors.Is(err, object.ErrInvalidPart):
		w = InvalidPart
		for _, f := range []string{"PartNumber", "ETag"} {
			if v := field(f); v != "" || (oe != nil && hasField(oe, f)) {
				w = w.With(f, v)
			}
		}
	case errors.Is(err, object.ErrEntityTooSmall):
		w = EntityTooSmall.With("ProposedSize", field("ProposedSize")).With("MinSizeAllowed", field("MinSizeAllowed")).
			With("PartNumber", field("PartNumber")).With("ETag", field("ETag"))
	case errors.Is(err, object.ErrInvalidCopyRange):
		w = InvalidRange.Msg("The requested range is not satisfiable").With("RangeRequested", field("RangeRequested")).
			With("ActualObjectSize", field("ActualObjectSize"))
	case errors.Is(err, object.ErrCopyTooLarge):
		w = EntityTooLarge
	case errors.Is(err, object.ErrCopySourceDeleteMarker):
		w = InvalidRequest.Msg("The source of a copy request may not specifically refer to a delete marker by version id.")
	case errors.Is(err, object.ErrDeleteMarker):
		w = NoSuchKey
	case errors.Is(err, object.ErrVersionIsDeleteMarker):
		w = MethodNotAllowed.Msg("The specified method is not allowed against this resource.")
	default:
		return nil
	}
	c := *w
	c.Cause = err
	return &c
}

func hasField(e *object.Error, name string) bool {
	for _, f := range e.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// NoSuchVersion is S3's answer for a version id that names no version of the key.
var NoSuchVersion = def("NoSuchVersion", 404, "The specified version does not exist.")

func init() {
	s3Mappings = append(s3Mappings, mapping{meta.ErrNoSuchVersion, NoSuchVersion})
}
