package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/audit"
)

// SetAudit swaps the audit handler and region of a, for tests that build the API first
// and watch its records after (New takes them from Config and Deps).
func (a *API) SetAudit(h audit.Handler, region string) { a.audit, a.cfg.Region = h, region }

// SetPolicyLockout installs the lockout safety check alone, without the authorization
// Deps.Authz would bring with it.
func (a *API) SetPolicyLockout(fn PolicyLockout) { a.lockout = fn }

// SetAuthorizer replaces the table's decision with fn, which sees the operation's name and
// what the decision reads of the decoded request.
func (a *API) SetAuthorizer(fn func(ctx context.Context, c *Caller, op string, r AuthRequest) error) {
	a.decide = func(ctx context.Context, c *Caller, o *op, f AuthRequest) error { return fn(ctx, c, o.Name, f) }
}
