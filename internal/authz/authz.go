// Package authz decides whether a request is allowed, with the one policy engine
// (internal/policy): identity policies from IAM, resource policies (bucket policies, key
// policies) from the caller. It knows AWS's combination rules and how AWS words a denial;
// it knows nothing of HTTP or storage.
//
// Entry points: Authorizer.S3 for S3 operations (identity or bucket policy, deny wins);
// Authorizer.ForKeys for KMS operations on keys (key policy, identity policies, grants);
// Authorizer.IdentityOnly for IAM, STS and CloudTrail calls; Authorizer.Parsed to get a
// cached parse of a stored policy document. Every refusal is ErrDenied carrying AWS's
// message (errs.Message), which each protocol answers as its access-denied error.
package authz

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// ErrDenied is returned when a request is not allowed, as an *errs.E saying why in AWS's
// words (errs.Message). Every protocol answers it as its access-denied error with that
// message.
var ErrDenied = errors.New("authz: access denied")

// denied is ErrDenied with AWS's message.
func denied(msg string) error { return errs.New(ErrDenied, msg) }

// IdentityPolicies returns the documents of every identity policy that applies to an IAM
// user of an account (the server resolves each account's iam.Store; docs/ACCOUNTS.md).
type IdentityPolicies interface {
	PoliciesFor(ctx context.Context, accountID, userName string) ([][]byte, error)
}

// UserPolicies is one account's identity policies (iam.Store implements it).
type UserPolicies interface {
	PoliciesFor(ctx context.Context, userName string) ([][]byte, error)
}

// OneAccount serves every account's users from p: for a single account's store (tests).
func OneAccount(p UserPolicies) IdentityPolicies { return oneAccount{p} }

type oneAccount struct{ p UserPolicies }

func (o oneAccount) PoliciesFor(ctx context.Context, _ string, userName string) ([][]byte, error) {
	return o.p.PoliciesFor(ctx, userName)
}

// Authorizer evaluates requests. It is safe for concurrent use.
type Authorizer struct {
	identity IdentityPolicies
	now      func() time.Time

	mu     sync.Mutex
	parsed map[policy.Kind]map[string]*policy.Policy // by kind, then document text
}

// New returns an Authorizer over the IAM store's policies (nil: only the root exists).
func New(identity IdentityPolicies, now func() time.Time) *Authorizer {
	if now == nil {
		now = time.Now
	}
	return &Authorizer{identity: identity, now: now, parsed: map[policy.Kind]map[string]*policy.Policy{}}
}

// maxParsed bounds the parse cache; documents are small and few, so a full reset when it
// fills is simpler than an LRU and still almost always hits.
const maxParsed = 4096

// Parsed returns doc parsed as kind, from the cache when it was seen before. Documents were
// validated when they were stored, so a parse error here means damage.
func (a *Authorizer) Parsed(doc []byte, kind policy.Kind) (*policy.Policy, error) {
	if len(doc) == 0 {
		return nil, nil
	}
	a.mu.Lock()
	p, ok := a.parsed[kind][string(doc)] // no copy of doc for the lookup
	a.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	m := a.parsed[kind]
	if m == nil || len(m) >= maxParsed {
		m = map[string]*policy.Policy{}
		a.parsed[kind] = m
	}
	m[string(doc)] = p
	a.mu.Unlock()
	return p, nil
}

// Principal converts an authenticated identity (zero = anonymous) for the policy engine.
func Principal(id iam.Identity) policy.Principal {
	switch id.Type {
	case iam.TypeRoot:
		return policy.Principal{ARN: id.ARN, Account: id.AccountID, Type: policy.TypeRoot, UserID: id.UserID}
	case iam.TypeIAMUser:
		return policy.Principal{ARN: id.ARN, Account: id.AccountID, Type: policy.TypeIAMUser, UserID: id.UserID, Username: id.UserName}
	}
	return policy.Principal{ARN: "*", Type: policy.TypeAnonymous}
}

// identityDecision combines the caller's identity policies for r. The root is allowed
// everything by its identity (only resource policies can deny it).
func (a *Authorizer) identityDecision(ctx context.Context, id iam.Identity, r *policy.Request) (policy.Decision, error) {
	switch id.Type {
	case iam.TypeRoot:
		return policy.Allow, nil
	case iam.TypeIAMUser:
		if a.identity == nil {
			return policy.NotApplicable, nil
		}
		docs, err := a.identity.PoliciesFor(ctx, id.AccountID, id.UserName)
		if err != nil {
			return policy.NotApplicable, err
		}
		d := policy.NotApplicable
		for _, doc := range docs {
			p, err := a.Parsed(doc, policy.Identity)
			if err != nil {
				return policy.NotApplicable, fmt.Errorf("authz: stored identity policy of %s does not parse: %w", id.UserName, err)
			}
			d = policy.Combine(d, p.Evaluate(r))
			if d == policy.Deny {
				break
			}
		}
		return d, nil
	}
	return policy.NotApplicable, nil
}

// NewRequest prepares a policy request for the identity with the global condition keys set.
func (a *Authorizer) NewRequest(id iam.Identity, action, resource string) *policy.Request {
	r := &policy.Request{Principal: Principal(id), Action: action, Resource: resource, Context: map[string][]string{}}
	r.FillGlobalKeys(a.now())
	return r
}

// deny words a denial as AWS does.
func deny(id iam.Identity, r *policy.Request, why string) error {
	if id.Type == "" {
		return denied("Access Denied")
	}
	return denied(fmt.Sprintf("User: %s is not authorized to perform: %s on resource: \"%s\" %s", id.ARN, r.Action, r.Resource, why))
}

// Identity decides a request governed by identity policies alone (IAM and STS calls): the
// root is allowed; an IAM user needs an Allow and no explicit Deny.
func (a *Authorizer) Identity(ctx context.Context, id iam.Identity, r *policy.Request) (policy.Decision, error) {
	return a.identityDecision(ctx, id, r)
}

// IdentityOnly decides action on resource for a call governed by identity policies alone
// (IAM, STS and CloudTrail): the root may do everything; an IAM user needs an Allow and no
// explicit Deny. A refusal is ErrDenied in AWS's words.
func (a *Authorizer) IdentityOnly(ctx context.Context, id iam.Identity, action, resource string) error {
	if id.IsRoot() {
		return nil
	}
	return a.identityOnly(ctx, id, a.NewRequest(id, action, resource))
}

// identityOnly decides r with identity policies alone.
func (a *Authorizer) identityOnly(ctx context.Context, id iam.Identity, r *policy.Request) error {
	d, err := a.identityDecision(ctx, id, r)
	switch {
	case err != nil:
		return err
	case d == policy.Allow:
		return nil
	case d == policy.Deny:
		return identityDeny(id, r, "with an explicit deny in an identity-based policy")
	}
	return identityDeny(id, r, "because no identity-based policy allows the "+r.Action+" action")
}

// identityDeny words a denial of a call decided by identity (and key) policies, as IAM,
// STS, CloudTrail and KMS word it (the resource unquoted).
func identityDeny(id iam.Identity, r *policy.Request, why string) error {
	return denied(fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", id.ARN, r.Action, r.Resource, why))
}

// ValidateIdentityPolicy checks an IAM identity policy with the policy engine when it is
// written (iam.Config.ValidatePolicy): a document over the size quota is
// iam.ErrLimitExceeded, any other rejection iam.ErrMalformedPolicy, with the engine's
// IAM-worded reason.
func ValidateIdentityPolicy(doc []byte) error {
	_, err := policy.Parse(doc, policy.Identity)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, policy.ErrTooLarge):
		return errs.New(iam.ErrLimitExceeded, policy.Reason(err))
	case policy.Reason(err) != "":
		return errs.New(iam.ErrMalformedPolicy, policy.Reason(err))
	}
	return errs.New(iam.ErrMalformedPolicy, "Syntax errors in policy.")
}
