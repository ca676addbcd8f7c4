package apierr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/trails"
)

var trailMapTests = []struct {
	err    error
	typ    string
	status int
	msg    string
}{
	{errs.New(trails.ErrNotFound, "Unknown trail: x for the user: 1"), "TrailNotFoundException", 400, "Unknown trail: x for the user: 1"},
	{fmt.Errorf("wrapped: %w", errs.New(trails.ErrKMSKeyUnusable, "KMS key k is Disabled.")), "KmsException", 400, "KMS key k is Disabled."},
	{fmt.Errorf("%w: 51", audit.ErrInvalidMaxResults), "InvalidMaxResultsException", 400, "MaxResults must be between 1 and 50."},
	{audit.ErrInvalidNextToken, "InvalidNextTokenException", 400, "The next token is not valid."},
	{errs.New(authz.ErrDenied, "User: u is not authorized to perform: cloudtrail:LookupEvents on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action"),
		"AccessDeniedException", 400, "User: u is not authorized to perform: cloudtrail:LookupEvents on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action"},
	{TrailSerialization, "SerializationException", 400, "The request body is not valid JSON for this operation."},
	{NewJSON("InvalidTokenException", 400, "The next token is not valid."), "InvalidTokenException", 400, "The next token is not valid."},
	{errors.New("disk on fire at /dev/sda"), "InternalFailure", 500, "We encountered an internal error. Please try again."},
}

func TestTrailMapping(t *testing.T) {
	for _, tc := range trailMapTests {
		got := Trail(tc.err)
		if got.Type != tc.typ || got.Status != tc.status || got.Message != tc.msg {
			t.Errorf("%v: got %s %d %q, want %s %d %q", tc.err, got.Type, got.Status, got.Message, tc.typ, tc.status, tc.msg)
		}
	}
	if Trail(nil) != nil {
		t.Error("nil maps to nil")
	}
	if TrailInternal.Cause != nil {
		t.Fatal("a shared error definition was modified")
	}
}
