package authz

import (
	"context"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// S3Resource is the resource side of an S3 decision: whose bucket it is and what it grants.
type S3Resource struct {
	// Owner is the account that owns the bucket ("" = the caller's own account). It sets
	// aws:ResourceAccount and s3:ResourceAccount, and decides whether the request crosses
	// accounts.
	Owner string
	// Policy is the bucket policy (nil = none).
	Policy *policy.Policy
	// IgnorePublic is RestrictPublicBuckets in force: a public bucket policy grants nothing
	// to callers from outside the owner's account (its denials still apply).
	IgnorePublic bool
	// ACLAllows: an ACL grant on the bucket or object allows the request (a resource-side
	// allow, set by the ACL evaluation after IgnorePublicAcls).
	ACLAllows bool
}

// S3 decides an S3 request as AWS does (docs/POLICY.md): an explicit Deny in the caller's
// identity policies or in the bucket policy denies. Within the owner's account an Allow from
// the identity policies, the bucket policy or an ACL allows. From another account the
// request needs both: an Allow of the caller's own account (its identity policies; its root
// is allowed by identity) and an Allow of the owner's (bucket policy or ACL). Anonymous
// callers can only be allowed by the resource side.
func (a *Authorizer) S3(ctx context.Context, id iam.Identity, r *policy.Request, res S3Resource) error {
	owner := res.Owner
	if owner == "" {
		owner = id.AccountID
	}
	r.ResourceAccount = owner
	cross := id.Type == "" || owner != id.AccountID
	idDec, err := a.identityDecision(ctx, id, r)
	if err != nil {
		return err
	}
	resDec := policy.NotApplicable
	if bp := res.Policy; bp != nil {
		resDec = bp.Evaluate(r)
		if resDec == policy.Allow && res.IgnorePublic && cross && bp.IsPublic() {
			resDec = policy.NotApplicable
		}
	}
	if res.ACLAllows && resDec == policy.NotApplicable {
		resDec = policy.Allow
	}
	switch {
	case resDec == policy.Deny:
		return deny(id, r, "with an explicit deny in a resource-based policy")
	case idDec == policy.Deny:
		return deny(id, r, "with an explicit deny in an identity-based policy")
	case id.Type == "":
		if resDec == policy.Allow {
			return nil
		}
		return deny(id, r, "")
	case !cross && (idDec == policy.Allow || resDec == policy.Allow):
		return nil
	case cross && idDec == policy.Allow && resDec == policy.Allow:
		return nil
	case cross && idDec == policy.Allow:
		return deny(id, r, "because no resource-based policy allows the "+r.Action+" action")
	}
	return deny(id, r, "because no identity-based policy allows the "+r.Action+" action")
}
