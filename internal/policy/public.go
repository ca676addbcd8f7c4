package policy

import (
	"strings"
)

// IsPublic reports whether the policy is public by S3's rules ("The meaning of 'public'",
// docs/BPA.md): S3 starts from "public" and calls a policy non-public only if every Allow
// statement grants to fixed values. A statement grants to fixed values when its Principal
// names only fixed AWS accounts, users, roles, canonical users or service principals, or,
// failing that (a "*" principal, a federated principal, or NotPrincipal), when one of its
// conditions pins the caller to fixed values of a bounding key (boundingKeys). Deny
// statements never make a policy public. S3 uses it for BlockPublicPolicy,
// RestrictPublicBuckets and GetBucketPolicyStatus. A nil *Policy is not public.
func (p *Policy) IsPublic() bool {
	if p == nil {
		return false
	}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == EffectAllow && s.grantsBroadly() && !s.pinned() {
			return true
		}
	}
	return false
}

// grantsBroadly reports whether the statement's principal is not a fixed set of callers:
// "*" (in any form), a Federated principal (any web identity of that provider), or
// NotPrincipal (everyone but those named). Identity-policy statements (no principal) are
// not grants to anyone and never public.
func (s *Statement) grantsBroadly() bool {
	switch {
	case s.NotPrincipal != nil:
		return true
	case s.Principal == nil:
		return false
	}
	return s.principals.all || len(s.principals.federated) > 0
}

// boundingKeys are the condition keys that, tested with a positive operator against fixed
// values, confine a statement to known callers, sources or networks (AWS's list, with the
// principal keys aws:PrincipalAccount and aws:PrincipalArn, which fix the principal as the
// Principal element would).
var boundingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourceowner": true, "aws:sourceaccount": true, "aws:userid": true,
	"aws:principalorgid": true, "aws:principalaccount": true, "aws:principalarn": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
}

// pinned reports whether one of the statement's conditions (they all must hold) confines
// it to fixed values of a bounding key.
func (s *Statement) pinned() bool {
	for i := range s.Condition {
		if s.Condition[i].bounds() {
			return true
		}
	}
	return false
}

// bounds reports whether c holds only for fixed values of a bounding key. A negated
// operator (StringNotEquals, NotIpAddress, ArnNotLike…) holds for every value but a few;
// IfExists and ForAllValues: hold when the key is absent (an anonymous request has no
// aws:SourceVpc, say); Null, numeric, date, boolean and binary operators fix nothing.
// ForAnyValue: needs one of the fixed values, so it bounds as the plain operator does.
func (c *Condition) bounds() bool {
	if !boundingKeys[c.key] || c.op.neg || c.op.ifExists || c.op.set == setAll || len(c.Values) == 0 {
		return false
	}
	switch c.op.typ {
	case tString, tStringFold, tStringLike, tARN:
		for _, v := range c.Values {
			if !fixedValue(c.key, v) {
				return false
			}
		}
		return true
	case tIP:
		for _, n := range c.nets {
			if n.Addr().Is4() && n.Bits() < 8 || !n.Addr().Is4() && n.Bits() < 32 {
				return false
			}
		}
		return len(c.nets) > 0
	}
	return false
}

// fixedValue reports whether v is a fixed value of key: no wildcard and no policy variable,
// except two forms AWS accepts: an aws:userid "ROLEID:*" (every session of one role) and an
// s3:DataAccessPointArn naming any access point of a fixed account and Region.
func fixedValue(key, v string) bool {
	if strings.Contains(v, "${") {
		return false
	}
	if !strings.ContainsAny(v, "*?") {
		return true
	}
	switch key {
	case "aws:userid":
		id, ok := strings.CutSuffix(v, ":*")
		return ok && id != "" && !strings.ContainsAny(id, "*?:")
	case "s3:dataaccesspointarn":
		segs := strings.SplitN(v, ":", 6)
		if len(segs) != 6 || !strings.HasPrefix(segs[5], "accesspoint/") || !isAccountID(segs[4]) {
			return false
		}
		return !strings.ContainsAny(strings.Join(segs[:5], ":"), "*?")
	}
	return false
}

// CheckBucketResources checks, for a bucket policy being put on bucket, that every
// Resource and NotResource names that bucket or objects in it, as S3 requires. It returns
// a *ParseError ("Policy has invalid resource") otherwise.
func (p *Policy) CheckBucketResources(bucket string) error {
	for _, s := range p.Statements {
		for _, r := range append(append([]string(nil), s.Resource...), s.NotResource...) {
			rest, ok := strings.CutPrefix(r, "arn:aws:s3:::"+bucket)
			if !ok || rest != "" && rest[0] != '/' {
				return fail(Bucket, pBadResource, r)
			}
		}
	}
	return nil
}
