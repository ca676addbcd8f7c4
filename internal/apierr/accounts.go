package apierr

import (
	"context"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/authz"
)

// Account admin API errors (internal/accountapi, docs/ACCOUNTS.md): JSON 1.1 errors named
// as AWS Organizations names its own.
var (
	AccountInternal           = NewJSON("ServiceException", 500, "We encountered an internal error. Please try again.")
	AccountSerialization      = NewJSON("SerializationException", 400, "The request body is not valid JSON for this operation.")
	AccountValidation         = NewJSON("InvalidInputException", 400, "")
	AccountUnknownOperation   = NewJSON("UnknownOperationException", 400, "")
	AccountUnrecognizedClient = NewJSON("UnrecognizedClientException", 400, "The security token included in the request is invalid.")
	AccountMissingAuthToken   = NewJSON("MissingAuthenticationTokenException", 400, "Missing Authentication Token")
	AccountAccessDenied       = NewJSON("AccessDeniedException", 400, "")
)

var accountMappings = []jsonMapping{
	{account.ErrNotFound, NewJSON("AccountNotFoundException", 400, "")},
	{account.ErrInvalidName, NewJSON("InvalidInputException", 400, "")},
	{account.ErrPrimary, NewJSON("ConstraintViolationException", 400, "")},
	{authz.ErrDenied, NewJSON("AccessDeniedException", 400, "")},
	{context.DeadlineExceeded, AccountInternal},
}

// Account maps any error to an account admin API wire error; anything unrecognised becomes
// a bare ServiceException, so no internal detail leaks.
func Account(err error) *JSONError {
	return mapJSON(err, AccountInternal, accountMappings)
}
