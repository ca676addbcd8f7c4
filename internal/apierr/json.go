package apierr

import "errors"

// JSONError is an AWS JSON 1.1 wire error (KMS, CloudTrail): the exception name sent as
// __type and X-Amzn-ErrorType, its message and HTTP status.
type JSONError struct {
	Type    string
	Message string
	Status  int
	// Cause is the underlying error, for logs only; never sent.
	Cause error
	// fixed keeps Message when a mapped error carries its own.
	fixed bool
}

func (e *JSONError) Error() string { return e.Type + ": " + e.Message }
func (e *JSONError) Unwrap() error { return e.Cause }

// WithMessage returns a copy of e with another message.
func (e *JSONError) WithMessage(msg string) *JSONError {
	c := *e
	c.Message = msg
	return &c
}

// NewJSON returns the JSON-protocol error typ with status and message, for validation a
// protocol package does itself.
func NewJSON(typ string, status int, msg string) *JSONError {
	return &JSONError{Type: typ, Status: status, Message: msg}
}

// fixedJSON returns a copy of e whose message is sent even when the mapped error carries
// its own.
func fixedJSON(e *JSONError) *JSONError {
	c := *e
	c.fixed = true
	return &c
}

type jsonMapping struct {
	err  error
	wire *JSONError
}

// mapJSON maps err by the first of the lists that has its sentinel; an error that is
// already a *JSONError passes, anything else becomes fallback.
func mapJSON(err error, fallback *JSONError, lists ...[]jsonMapping) *JSONError {
	if err == nil {
		return nil
	}
	var e *JSONError
	if errors.As(err, &e) {
		return e
	}
	for _, l := range lists {
		for _, m := range l {
			if errors.Is(err, m.err) {
				w := *m.wire
				w.Cause = err
				if msg := carried(err); msg != "" && !w.fixed {
					w.Message = msg
				}
				return &w
			}
		}
	}
	w := *fallback
	w.Cause = err
	return &w
}
