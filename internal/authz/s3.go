package authz

import (
	"context"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// S3 decides an S3 request (same account): an explicit Deny in the identity policies or in
// the bucket policy denies; otherwise an Allow from either allows; otherwise it is denied.
// Anonymous callers can only be allowed by the bucket policy. ignorePublic drops the bucket
// policy's grants to everyone (PublicAccessBlock RestrictPublicBuckets).
func (a *Authorizer) S3(ctx context.Context, id iam.Identity, r *policy.Request, bucketPolicy *policy.Policy, ignorePublic bool) error {
	idDec, err := a.identityDecision(ctx, id, r)
	if err != nil {
		return err
	}
	resDec := policy.NotApplicable
	if bucketPolicy != nil && !(ignorePublic && bucketPolicy.IsPublic() && id.Type == "") {
		resDec = bucketPolicy.Evaluate(r)
	}
	switch {
	case resDec == policy.Deny:
		return deny(id, r, "with an explicit deny in a resource-based policy")
	case idDec == policy.Deny:
		return deny(id, r, "with an explicit deny in an identity-based policy")
	case idDec == policy.Allow || resDec == policy.Allow:
		return nil
	case id.Type == "":
		return deny(id, r, "")
	}
	return deny(id, r, "because no identity-based policy allows the "+r.Action+" action")
}
