package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// PolicyLockout decides AWS's key policy lockout safety check for CreateKey and
// PutKeyPolicy: whether policy, attached to the key keyARN, still lets id make a
// subsequent PutKeyPolicy request on it; bypass is the request's
// BypassPolicyLockoutSafetyCheck and tls tells whether it came over HTTPS.
// authz.KeyGuard.PolicyLockout has this shape; New installs it from Deps.Authz (without
// one, any valid policy is attached).
type PolicyLockout func(ctx context.Context, id iam.Identity, keyARN, policy string, bypass, tls bool) error

// lockoutCheck is the installed check bound to one caller (nil when none is installed).
type lockoutCheck func(ctx context.Context, keyARN, policy string, bypass bool) error

func (a *API) lockoutFor(c *Caller) lockoutCheck {
	if a.lockout == nil {
		return nil
	}
	return func(ctx context.Context, keyARN, policy string, bypass bool) error {
		return a.lockout(ctx, c.Identity, keyARN, policy, bypass, c.TLS)
	}
}

// check is the kms.PolicyCheck for a request whose BypassPolicyLockoutSafetyCheck is
// bypass (the decision, bypass included, stays the policy engine's).
func (lc lockoutCheck) check(bypass *bool) kms.PolicyCheck {
	if lc == nil {
		return nil
	}
	b := bypass != nil && *bypass
	return func(ctx context.Context, keyARN, policy string) error { return lc(ctx, keyARN, policy, b) }
}
