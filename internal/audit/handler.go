package audit

import (
	"context"
	"errors"
)

// Handler receives every record, shaped like slog.Handler. Handle must not keep r after it
// returns unless it copies it; the caller does not change r afterwards either, so a
// Handler may also simply keep the pointer.
//
// Error contract: for a record whose Durable method is true, Handle returns nil only once
// the record is durable, and an error otherwise (the caller then fails the request: fail
// closed). For any other record Handle may return before the record is durable and returns
// an error only when it cannot accept records at all; callers log and carry on.
type Handler interface {
	Handle(ctx context.Context, r *Record) error
}

// ErrClosed is returned by a Trail's Handle after Close.
var ErrClosed = errors.New("audit: trail closed")

// Multi sends every record to each handler in turn and returns the first error.
type Multi []Handler

// Handle implements Handler.
func (m Multi) Handle(ctx context.Context, r *Record) error {
	var first error
	for _, h := range m {
		if err := h.Handle(ctx, r); err != nil && first == nil {
			first = err
		}
	}
	return first
}

var _ Handler = Multi(nil)
var _ Handler = (*Trail)(nil)
