package apierr

import (
	"context"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/discovery"
)

// Macie (macie2, REST-JSON) errors raised by the protocol layer itself. Macie's error
// bodies carry "message"; the type travels in X-Amzn-ErrorType.
var (
	MacieInternal           = NewJSON("InternalServerException", 500, "Internal server error.")
	MacieValidation         = NewJSON("ValidationException", 400, "")
	MacieNotFound           = NewJSON("ResourceNotFoundException", 404, "")
	MacieUnknownOperation   = NewJSON("UnknownOperationException", 404, "")
	MacieUnrecognizedClient = NewJSON("UnrecognizedClientException", 403, "The security token included in the request is invalid.")
)

var macieMappings = []jsonMapping{
	{discovery.ErrValidation, MacieValidation},
	{discovery.ErrNotFound, MacieNotFound},
	{discovery.ErrConflict, NewJSON("ConflictException", 409, "")},
	{authz.ErrDenied, NewJSON("AccessDeniedException", 403, "")},
	{context.DeadlineExceeded, MacieInternal},
}

// Macie maps any error to a macie2 wire error; anything unrecognised becomes a bare
// InternalServerException, so no internal detail leaks.
func Macie(err error) *JSONError {
	return mapJSON(err, MacieInternal, macieMappings)
}
