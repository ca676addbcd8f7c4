package compliance

import (
	"time"

	"github.com/arcastore/arca/internal/policy"
)

// probe is a hypothetical request the bucket policy must deny.
type probe struct {
	Action, Resource string
	Context          map[string]string
}

// probeCallers are the callers every probe is tried as: anyone (anonymous), a user of the
// bucket's own account, and a user of another account. A policy "requires" something only
// when it denies the probe to all of them.
func probeCallers(owner string) []policy.Principal {
	other := "999999999999"
	if owner == other {
		other = "999999999998"
	}
	return []policy.Principal{
		{Type: policy.TypeAnonymous},
		{Type: policy.TypeIAMUser, Account: owner, ARN: "arn:aws:iam::" + owner + ":user/arca-config-probe", Username: "arca-config-probe", UserID: "AIDAARCACONFIGPROBE"},
		{Type: policy.TypeIAMUser, Account: other, ARN: "arn:aws:iam::" + other + ":user/arca-config-probe", Username: "arca-config-probe", UserID: "AIDAARCACONFIGPROBE2"},
	}
}

// policyDenies reports whether the bucket's policy explicitly denies every probe to every
// probe caller. The decision is the one policy engine's (internal/policy): no second
// reading of policy semantics here. A bucket without a policy, or with one that does not
// parse, denies nothing.
func policyDenies(b Bucket, probes []probe) bool {
	if b.Policy == "" {
		return false
	}
	p, err := policy.Parse([]byte(b.Policy), policy.Bucket)
	if err != nil {
		return false
	}
	now := time.Now()
	for _, pr := range probes {
		for _, who := range probeCallers(b.Owner) {
			r := &policy.Request{Principal: who, Action: pr.Action, Resource: pr.Resource, ResourceAccount: b.Owner}
			for k, v := range pr.Context {
				r.Set(k, v)
			}
			r.FillGlobalKeys(now)
			if p.Evaluate(r) != policy.Deny {
				return false
			}
		}
	}
	return true
}
