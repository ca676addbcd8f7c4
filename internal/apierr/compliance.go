package apierr

import (
	"context"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/compliance"
)

// AWS Config protocol errors raised by the protocol layer itself.
var (
	ConfigInternal           = NewJSON("InternalFailure", 500, "We encountered an internal error. Please try again.")
	ConfigSerialization      = NewJSON("SerializationException", 400, "")
	ConfigValidation         = NewJSON("ValidationException", 400, "")
	ConfigUnknownOperation   = NewJSON("UnknownOperationException", 400, "")
	ConfigUnrecognizedClient = NewJSON("UnrecognizedClientException", 400, "The security token included in the request is invalid.")
	ConfigMissingAuthToken   = NewJSON("MissingAuthenticationTokenException", 400, "Missing Authentication Token")
)

// configMappings: the compliance package's errors carry AWS Config's message.
var configMappings = []jsonMapping{
	{compliance.ErrNoSuchRule, NewJSON("NoSuchConfigRuleException", 400, "")},
	{compliance.ErrInvalidParameter, NewJSON("InvalidParameterValueException", 400, "")},
	{compliance.ErrValidation, NewJSON("ValidationException", 400, "")},
	{compliance.ErrTooManyRules, NewJSON("MaxNumberOfConfigRulesExceededException", 400, "")},
	{compliance.ErrResourceInUse, NewJSON("ResourceInUseException", 400, "")},
	{compliance.ErrInvalidNextToken, NewJSON("InvalidNextTokenException", 400, "The nextToken provided is invalid")},
	{authz.ErrDenied, NewJSON("AccessDeniedException", 400, "")},
	{context.DeadlineExceeded, ConfigInternal},
}

// Config maps any error to an AWS Config wire error; anything unrecognised becomes a bare
// InternalFailure.
func Config(err error) *JSONError {
	return mapJSON(err, ConfigInternal, configMappings)
}
