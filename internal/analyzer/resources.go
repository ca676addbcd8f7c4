package analyzer

import (
	"context"
	"strings"

	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// BucketAccess is every access from outside b's account that b's policy and ACL allow,
// with Block Public Access applied, each confirmed by the engine. A policy that does not
// parse grants nothing (S3 would not have stored it).
func (e *Engine) BucketAccess(ctx context.Context, b *Bucket) ([]Access, error) {
	arn := "arn:aws:s3:::" + b.Name
	p, err := e.az.Parsed([]byte(b.Policy), policy.Bucket)
	if err != nil {
		p = nil
	}
	res := authz.S3Resource{Owner: b.Account, Policy: p, IgnorePublic: b.RestrictPublicBuckets && p.IsPublic()}
	var out []Access
	if p != nil {
		for i := range p.Statements {
			s := &p.Statements[i]
			objects := objectResources(s, arn)
			for _, o := range candidates(s, b.Account, true) {
				a := Access{Resource: arn, ResourceType: TypeBucket, Owner: b.Account, Principal: o.principal,
					Sources: []string{SourcePolicy}}
				for _, act := range s3Actions {
					targets := []string{arn}
					if act.Object {
						targets = objects
					}
					for _, t := range targets {
						r := e.request(o, act.Name, t)
						a.Condition = satisfy(s, r)
						if e.az.S3(ctx, o.id, r, res) == nil {
							a.Actions = append(a.Actions, act.Name)
							break
						}
					}
				}
				if len(a.Actions) > 0 {
					a.IsPublic = o.principal["AWS"] == "*" && !o.pinned && isPublicStatement(policy.Bucket, s) && !b.RestrictPublicBuckets
					out = merge(out, a)
				}
			}
		}
	}
	for _, g := range b.Grants {
		o, public, ok := aclOutsider(g, b.Account)
		if !ok {
			continue
		}
		a := Access{Resource: arn, ResourceType: TypeBucket, Owner: b.Account, Principal: o.principal,
			Sources: []string{SourceBucketACL}, IsPublic: public}
		caller := acl.Caller{CanonicalID: g.Grantee.ID, Authenticated: !o.anonymous, IgnorePublic: b.IgnorePublicAcls}
		one := acl.ACL{Grants: []acl.Grant{g.Grant}}
		for _, act := range s3Actions {
			perm, ok := acl.BucketPermission(act.Name)
			if !ok {
				continue
			}
			r := e.request(o, act.Name, arn)
			res := res
			res.ACLAllows = one.Allows(caller, perm)
			res.Policy = p
			if res.ACLAllows && e.az.S3(ctx, o.id, r, res) == nil {
				a.Actions = append(a.Actions, act.Name)
			}
		}
		if len(a.Actions) > 0 {
			out = merge(out, a)
		}
	}
	return out, nil
}

// aclOutsider is the principal an ACL grant names when it is outside own.
func aclOutsider(g ACLGrant, own string) (outsider, bool, bool) {
	star := map[string]string{"AWS": "*"}
	switch g.Grantee.URI {
	case acl.AllUsers:
		return outsider{anonymous: true, principal: star}, true, true
	case acl.AuthenticatedUsers:
		return outsider{id: iam.RootIdentity(otherAccount(own), ""), principal: star}, true, true
	case "":
		if g.Account == own {
			return outsider{}, false, false
		}
		acct := g.Account
		if acct == "" {
			acct = otherAccount(own)
		}
		return outsider{id: iam.RootIdentity(acct, ""), principal: map[string]string{"CanonicalUser": g.Grantee.ID}}, false, true
	}
	return outsider{}, false, false
}

// objectResources are object ARNs the statement's Resource patterns name, wildcards filled,
// to put object actions to the engine (one object of the bucket when it names none).
func objectResources(s *policy.Statement, bucketARN string) []string {
	var out []string
	for _, r := range s.Resource {
		if rest, ok := strings.CutPrefix(r, bucketARN+"/"); ok {
			out = append(out, bucketARN+"/"+strings.NewReplacer("*", "x", "?", "x").Replace(rest))
		}
	}
	if len(out) == 0 {
		out = []string{bucketARN + "/x"}
	}
	return out
}

func (e *Engine) request(o outsider, action, resource string) *policy.Request {
	return e.az.NewRequest(o.id, action, resource)
}

// KeyAccess is every access from outside k's account that its key policy or its grants
// allow, each confirmed by the engine (authz.KMS, as KMS decides a call).
func (e *Engine) KeyAccess(ctx context.Context, k *Key) ([]Access, error) {
	p, err := e.az.Parsed([]byte(k.Policy), policy.Key)
	if err != nil {
		p = nil
	}
	var out []Access
	if p != nil {
		for i := range p.Statements {
			s := &p.Statements[i]
			for _, o := range candidates(s, k.Account, false) {
				a := Access{Resource: k.ARN, ResourceType: TypeKey, Owner: k.Account, Principal: o.principal}
				for _, act := range kmsActions {
					r := e.az.KMSRequest(o.id, act, k.ARN, "", true, nil)
					r.Set("aws:resourceaccount", k.Account)
					a.Condition = satisfy(s, r)
					if e.az.KMS(ctx, o.id, r, p, nil, nil) == nil {
						a.Actions = append(a.Actions, act)
					}
				}
				if len(a.Actions) > 0 {
					a.IsPublic = o.principal["AWS"] == "*" && !o.pinned && isPublicStatement(policy.Key, s)
					out = merge(out, a)
				}
			}
		}
	}
	for _, g := range k.Grants {
		id, ok := identityFor(g.Grantee)
		if !ok || id.AccountID == k.Account {
			continue
		}
		ec := map[string]string{}
		cond := map[string]string{}
		for _, m := range []map[string]string{g.Subset, g.Equals} {
			for kk, v := range m {
				ec[kk] = v
				cond["kms:EncryptionContext:"+kk] = v
			}
		}
		if len(cond) == 0 {
			cond = nil
		}
		a := Access{Resource: k.ARN, ResourceType: TypeKey, Owner: k.Account, Principal: map[string]string{"AWS": g.Grantee},
			Condition: cond, Sources: []string{SourceKMSGrant}}
		one := []authz.Grant{{Grantee: g.Grantee, Operations: g.Operations, Subset: g.Subset, Equals: g.Equals}}
		for _, op := range g.Operations {
			act := "kms:" + op
			r := e.az.KMSRequest(id, act, k.ARN, "", true, ec)
			// Only this grant allows: a key policy Deny still wins (the engine's rule).
			if e.az.KMS(ctx, id, r, denyOnly(p), one, ec) == nil {
				a.Actions = append(a.Actions, act)
			}
		}
		if len(a.Actions) > 0 {
			out = merge(out, a)
		}
	}
	return out, nil
}

// denyOnly is p without its Allow statements, so that a decision shows what a grant
// allows by itself (a Deny in the key policy still applies).
func denyOnly(p *policy.Policy) *policy.Policy {
	if p == nil {
		return nil
	}
	q := &policy.Policy{Kind: p.Kind, Version: p.Version}
	for _, s := range p.Statements {
		if s.Effect == policy.EffectDeny {
			q.Statements = append(q.Statements, s)
		}
	}
	return q
}
