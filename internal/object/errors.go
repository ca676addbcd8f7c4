package object

import (
	"errors"
	"strings"
)

// The engine's decisions fail with these sentinels (test with errors.Is). Where the wire
// error names specifics (which condition failed, which part), the error is an *Error
// carrying them as Fields; apierr turns both into S3's codes and messages, nothing here
// knows the wire.
var (
	// Writes.
	ErrBadDigest      = errors.New("object: Content-MD5 does not match the body")
	ErrBadChecksum    = errors.New("object: the flexible checksum does not match the body") // Field Algorithm
	ErrBadChecksumVal = errors.New("object: the flexible checksum value is malformed")      // Field Algorithm
	ErrIncompleteBody = errors.New("object: the body is shorter than its declared length")
	ErrBodyTooLong    = errors.New("object: the body is longer than its declared length")
	// Conditions.
	ErrPreconditionFailed = errors.New("object: a precondition failed") // Field Condition
	ErrNotModified        = errors.New("object: not modified")
	// Reads.
	ErrInvalidRange      = errors.New("object: the range is not satisfiable")       // Fields RangeRequested, ActualObjectSize
	ErrInvalidPartNumber = errors.New("object: the part number is not satisfiable") //
	// SSE decisions.
	ErrSSECBlocked          = errors.New("object: the bucket blocks SSE-C")
	ErrContextWithoutKMS    = errors.New("object: an encryption context needs aws:kms")
	ErrSSEMultipartMismatch = errors.New("object: the part's SSE-C presence differs from the upload's")
	ErrSSEMultipartKey      = errors.New("object: the part's SSE-C key differs from the upload's")
	// ErrChecksumTypeMismatch: a part's checksum algorithm differs from its upload's.
	ErrChecksumTypeMismatch = errors.New("object: the part's checksum algorithm differs from the upload's") // Fields Expected, Actual
	// Copies.
	ErrSelfCopy         = errors.New("object: copying an object onto itself without changing anything")
	ErrInvalidCopyRange = errors.New("object: the copy source range is not satisfiable") // Fields RangeRequested, ActualObjectSize
	ErrCopyTooLarge     = errors.New("object: the copied span is larger than a part may be")
	// ErrCopySourceDeleteMarker: a copy source names a delete marker by version id.
	ErrCopySourceDeleteMarker = errors.New("object: the copy source is a delete marker")
	// Versions.
	// ErrDeleteMarker: the key's current version is a delete marker (GET/HEAD without a
	// version id: 404, saying so). Returned with the Reader holding the marker.
	ErrDeleteMarker = errors.New("object: the current version is a delete marker")
	// ErrVersionIsDeleteMarker: a GET/HEAD names a delete marker by version id (405).
	// Returned with the Reader holding the marker.
	ErrVersionIsDeleteMarker = errors.New("object: the version is a delete marker")
	// Multipart.
	ErrInvalidPart    = errors.New("object: a listed part does not exist or its ETag differs") // Fields PartNumber, ETag
	ErrEntityTooSmall = errors.New("object: a part other than the last is too small")          // Fields ProposedSize, MinSizeAllowed, PartNumber, ETag
	ErrInternalSSEC   = errors.New("object: an SSE-C object cannot be read without the customer's key")
)

// Field is one named specific of an *Error, in the order the wire error lists them.
type Field struct{ Name, Value string }

// Error is a sentinel with specifics.
type Error struct {
	Kind   error
	Fields []Field
}

func (e *Error) Error() string {
	var sb strings.Builder
	sb.WriteString(e.Kind.Error())
	for _, f := range e.Fields {
		sb.WriteString("; " + f.Name + "=" + f.Value)
	}
	return sb.String()
}

func (e *Error) Unwrap() error { return e.Kind }

// Field returns the value of the named field, or "".
func (e *Error) Field(name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func fail(kind error, kv ...string) error {
	e := &Error{Kind: kind}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Fields = append(e.Fields, Field{kv[i], kv[i+1]})
	}
	return e
}
