package apierr

import (
	"context"
	"errors"

	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/authz"
)

// AnalyzerError is an IAM Access Analyzer (REST-JSON) wire error: the exception name sent
// as X-Amzn-ErrorType, its HTTP status and the members of its shape.
type AnalyzerError struct {
	Type         string
	Status       int
	Message      string
	Reason       string          // ValidationException's reason
	Fields       []AnalyzerField // ValidationException's fieldList
	ResourceID   string          // ResourceNotFound / Conflict / ServiceQuotaExceeded
	ResourceType string
	Cause        error
}

// AnalyzerField is one member of a ValidationException's fieldList.
type AnalyzerField struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (e *AnalyzerError) Error() string { return e.Type + ": " + e.Message }
func (e *AnalyzerError) Unwrap() error { return e.Cause }

// AnalyzerValidation is a ValidationException of reason fieldValidationFailed naming field.
func AnalyzerValidation(field, msg string) *AnalyzerError {
	return &AnalyzerError{Type: "ValidationException", Status: 400, Message: msg, Reason: "fieldValidationFailed",
		Fields: []AnalyzerField{{Name: field, Message: msg}}}
}

// Access Analyzer errors raised by the protocol layer itself.
var (
	AnalyzerInternal      = &AnalyzerError{Type: "InternalServerException", Status: 500, Message: "Internal server error."}
	AnalyzerCannotParse   = &AnalyzerError{Type: "ValidationException", Status: 400, Message: "The request body could not be parsed.", Reason: "cannotParse"}
	AnalyzerUnknownOp     = &AnalyzerError{Type: "ValidationException", Status: 400, Message: "Unknown operation.", Reason: "unknownOperation"}
	AnalyzerUnrecognized  = &AnalyzerError{Type: "UnrecognizedClientException", Status: 403, Message: "The security token included in the request is invalid."}
	AnalyzerUnprocessable = &AnalyzerError{Type: "UnprocessableEntityException", Status: 422}
	AnalyzerInvalidParam  = &AnalyzerError{Type: "InvalidParameterException", Status: 400}
)

// Analyzer maps any error to an Access Analyzer wire error; resourceID names the analyzer
// or finding a not-found or conflict error is about. Anything unrecognised becomes a bare
// InternalServerException, so no internal detail leaks.
func Analyzer(err error, resourceID string) *AnalyzerError {
	if err == nil {
		return nil
	}
	var e *AnalyzerError
	if errors.As(err, &e) {
		return e
	}
	msg := carried(err)
	var w AnalyzerError
	switch {
	case errors.Is(err, analyzer.ErrNoSuchAnalyzer):
		w = AnalyzerError{Type: "ResourceNotFoundException", Status: 404, ResourceType: "AWS::AccessAnalyzer::Analyzer"}
	case errors.Is(err, analyzer.ErrNoSuchFinding):
		w = AnalyzerError{Type: "ResourceNotFoundException", Status: 404, ResourceType: "AWS::AccessAnalyzer::Finding"}
	case errors.Is(err, analyzer.ErrExists):
		w = AnalyzerError{Type: "ConflictException", Status: 409, ResourceType: "Analyzer"}
	case errors.Is(err, analyzer.ErrQuota):
		w = AnalyzerError{Type: "ServiceQuotaExceededException", Status: 402, ResourceType: "Analyzer"}
	case errors.Is(err, analyzer.ErrInvalid):
		w = AnalyzerError{Type: "ValidationException", Status: 400, Reason: "other"}
	case errors.Is(err, analyzer.ErrUnprocessable):
		w = AnalyzerError{Type: "UnprocessableEntityException", Status: 422}
	case errors.Is(err, authz.ErrDenied):
		w = AnalyzerError{Type: "AccessDeniedException", Status: 403}
	case errors.Is(err, context.DeadlineExceeded):
		w = *AnalyzerInternal
		msg = ""
	default:
		w = *AnalyzerInternal
		msg = ""
	}
	if msg != "" {
		w.Message = msg
	}
	if w.ResourceType != "" {
		w.ResourceID = resourceID
	}
	w.Cause = err
	return &w
}

// WithMessage returns a copy of e with another message.
func (e *AnalyzerError) WithMessage(msg string) *AnalyzerError {
	c := *e
	c.Message = msg
	return &c
}
