// Package errs is the one shape of a domain error that carries AWS's words for its case: a
// sentinel (the Kind, which callers and internal/apierr test with errors.Is) and the
// client-facing message. Domain packages define their sentinels and return either the bare
// sentinel or an *E around it; internal/apierr alone turns them into wire errors, reading
// the message with Message. Nothing ever matches on an error's text.
//
// Use New or Newf to make one; Message to read it. Messages never hold secrets (keys,
// plaintext, signatures): they are sent to clients.
package errs

import (
	"errors"
	"fmt"
)

// E is a sentinel with the exact message AWS sends for the case.
type E struct {
	// Kind is the sentinel the error is (errors.Is(e, Kind) holds).
	Kind error
	// Msg is the client-facing message; "" leaves the wire error's default.
	Msg string
}

func (e *E) Error() string {
	if e.Msg == "" {
		return e.Kind.Error()
	}
	return e.Kind.Error() + ": " + e.Msg
}

// Unwrap returns the sentinel.
func (e *E) Unwrap() error { return e.Kind }

// New returns kind carrying msg.
func New(kind error, msg string) error { return &E{Kind: kind, Msg: msg} }

// Newf returns kind carrying a formatted message.
func Newf(kind error, format string, args ...any) error {
	return &E{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Message returns the client-facing message the outermost *E in err's chain carries, or
// "" when there is none.
func Message(err error) string {
	var e *E
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}
