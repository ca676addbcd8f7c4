package policy

import "strings"

// fixingKeys are the condition keys that, tested with a positive operator against fixed
// values, confine a statement to known callers or networks, so a "*" principal does not
// make it public (AWS's rules for BlockPublicPolicy and the policy status).
var fixingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourcearn": true,
	"aws:sourceaccount": true, "aws:sourceowner": true, "aws:principalaccount": true,
	"aws:principalarn": true, "aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:userid": true, "aws:username": true, "kms:calleraccount": true,
	"s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
}

// IsPublic reports whether the policy grants access to everyone: some Allow statement
// names the "*" principal (or uses NotPrincipal) and no condition pins it to fixed
// accounts, ARNs, networks or users. S3 uses it for BlockPublicPolicy,
// RestrictPublicBuckets and GetBucketPolicyStatus. A nil *Policy is not public.
func (p *Policy) IsPublic() bool {
	if p == nil {
		return false
	}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect != EffectAllow || s.Principal == nil && s.NotPrincipal == nil {
			continue
		}
		if s.Principal != nil && !s.principals.all {
			continue
		}
		if !s.pinned() {
			return true
		}
	}
	return false
}

// pinned reports whether a condition confines the statement to fixed values.
func (s *Statement) pinned() bool {
	for i := range s.Condition {
		c := &s.Condition[i]
		if !fixingKeys[c.key] || c.op.neg || c.op.ifExists || c.op.set == setAll || len(c.Values) == 0 {
			continue
		}
		switch c.op.typ {
		case tString, tStringFold, tStringLike, tARN:
			if !anyWildcard(c.Values) {
				return true
			}
		case tIP:
			wide := false
			for _, n := range c.nets {
				wide = wide || n.Bits() == 0
			}
			if !wide {
				return true
			}
		}
	}
	return false
}

func anyWildcard(vals []string) bool {
	for _, v := range vals {
		if strings.ContainsAny(v, "*?") {
			return true
		}
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
