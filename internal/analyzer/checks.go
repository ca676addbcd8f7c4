package analyzer

import (
	"context"
	"strings"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// CheckResult is the outcome of CheckNoPublicAccess or CheckAccessNotGranted.
type CheckResult struct {
	Pass    bool
	Message string
	Reasons []Reason
}

// Reason names a statement that makes a check fail.
type Reason struct {
	Description    string
	StatementIndex int
	StatementID    string
}

// unprocessable: the document is not a policy of the kind the check needs.
func unprocessable(err error) error {
	return errs.New(ErrUnprocessable, "The policy document is not valid: "+policy.Reason(err))
}

// CheckNoPublicAccess decides whether a resource policy of resourceType (AWS::S3::Bucket or
// AWS::KMS::Key) of account grants public access: the same analysis as a finding's, on the
// proposed document (Block Public Access not applied: the policy alone).
func (e *Engine) CheckNoPublicAccess(ctx context.Context, account string, doc []byte, resourceType string) (CheckResult, error) {
	var accesses []Access
	var p *policy.Policy
	var err error
	switch resourceType {
	case TypeBucket:
		if p, err = policy.Parse(doc, policy.Bucket); err != nil {
			return CheckResult{}, unprocessable(err)
		}
		accesses, err = e.BucketAccess(ctx, &Bucket{Name: bucketOf(p), Account: account, Policy: string(doc)})
	case TypeKey:
		if p, err = policy.Parse(doc, policy.Key); err != nil {
			return CheckResult{}, unprocessable(err)
		}
		accesses, err = e.KeyAccess(ctx, &Key{ARN: "arn:aws:kms:us-east-1:" + account + ":key/00000000-0000-0000-0000-000000000000",
			Account: account, Policy: string(doc)})
	default:
		return CheckResult{}, invalid("Arca checks public access for AWS::S3::Bucket and AWS::KMS::Key only.")
	}
	if err != nil {
		return CheckResult{}, err
	}
	public := false
	for _, a := range accesses {
		public = public || a.IsPublic
	}
	if !public {
		return CheckResult{Pass: true, Message: "The resource policy does not grant public access for the given resource type."}, nil
	}
	res := CheckResult{Message: "The resource policy grants public access for the given resource type."}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == policy.EffectAllow && isPublicStatement(p.Kind, s) {
			res.Reasons = append(res.Reasons, Reason{Description: "Public access granted in the following statement with index: " +
				itoa(i) + ".", StatementIndex: i, StatementID: s.Sid})
		}
	}
	return res, nil
}

// bucketOf is the bucket a bucket policy's resources name.
func bucketOf(p *policy.Policy) string {
	for _, s := range p.Statements {
		for _, r := range append(append([]string(nil), s.Resource...), s.NotResource...) {
			if rest, ok := strings.CutPrefix(r, "arn:aws:s3:::"); ok {
				name, _, _ := strings.Cut(rest, "/")
				if name != "" && !strings.ContainsAny(name, "*?") {
					return name
				}
			}
		}
	}
	return "bucket"
}

// CheckAccessNotGranted decides whether doc (an IDENTITY_POLICY or a RESOURCE_POLICY)
// grants any of actions (on any of resources, when given): each candidate request is put
// to the policy engine, statement by statement to name the ones that grant.
func (e *Engine) CheckAccessNotGranted(account string, doc []byte, policyType string, actions, resources []string) (CheckResult, error) {
	kind := policy.Identity
	if policyType == PolicyResource {
		kind = policy.Bucket
		for _, a := range actions {
			if strings.HasPrefix(strings.ToLower(a), "kms:") {
				kind = policy.Key
			}
		}
	} else if policyType != PolicyIdentity {
		return CheckResult{}, invalid("policyType must be IDENTITY_POLICY or RESOURCE_POLICY.")
	}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		return CheckResult{}, unprocessable(err)
	}
	res := CheckResult{Pass: true, Message: "The policy document does not grant access to perform one or more of the listed actions or resources."}
	for i := range p.Statements {
		s := p.Statements[i]
		one := &policy.Policy{Kind: kind, Version: p.Version, Statements: []policy.Statement{s}}
		if s.Effect != policy.EffectAllow || !e.grants(one, &s, account, actions, resources) {
			continue
		}
		// A Deny elsewhere in the document may take the grant back: the whole policy decides.
		if !e.grants(p, &s, account, actions, resources) {
			continue
		}
		res.Pass = false
		res.Reasons = append(res.Reasons, Reason{Description: "One or more of the listed actions or resources in the statement with index: " +
			itoa(i) + ".", StatementIndex: i, StatementID: s.Sid})
	}
	if !res.Pass {
		res.Message = "The policy document grants access to perform one or more of the listed actions or resources."
	}
	return res, nil
}

// grants reports whether p allows one of actions on one of the resources (or on a resource
// s names, when none are given) to a principal s names (or a user of account).
func (e *Engine) grants(p *policy.Policy, s *policy.Statement, account string, actions, resources []string) bool {
	targets := resources
	if len(targets) == 0 {
		targets = append(targets, "*")
		for _, r := range s.Resource {
			targets = append(targets, strings.NewReplacer("*", "x", "?", "x").Replace(r))
		}
	}
	principals := []iam.Identity{{Type: iam.TypeIAMUser, AccountID: account, ARN: "arn:aws:iam::" + account + ":user/check", UserName: "check", UserID: "AIDACHECK"}}
	if s.Principal != nil {
		for _, v := range s.Principal.AWS {
			if id, ok := identityFor(v); ok {
				principals = append(principals, id)
			}
		}
		if s.Principal.Wildcard || len(s.Principal.AWS) > 0 && s.Principal.AWS[0] == "*" {
			principals = append(principals, iam.Identity{}, iam.RootIdentity(otherAccount(account), ""))
		}
	}
	for _, id := range principals {
		for _, a := range actions {
			for _, t := range targets {
				r := e.az.NewRequest(id, a, t)
				satisfy(s, r)
				if p.Evaluate(r) == policy.Allow {
					return true
				}
			}
		}
	}
	return false
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
