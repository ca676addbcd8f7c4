package authz

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// Grant is a KMS grant as the decision needs it.
type Grant struct {
	Grantee        string
	Operations     []string
	Subset, Equals map[string]string
}

// KMS decides a KMS action on a key, as AWS does:
//   - an explicit Deny in the key policy or in the caller's identity policies denies;
//   - a key policy statement whose principal is the key's account itself ("…:root" or the
//     account id) only delegates to IAM: it allows a caller whose identity policies also
//     allow (the root's identity allows everything);
//   - any other key policy statement that allows, allows;
//   - else a grant to the caller for the operation whose constraints the encryption context
//     meets allows;
//   - else the request is denied.
//
// The key's account is the one its ARN (r.Resource) names. A caller of another account
// (cross-account use, docs/KMS.md) needs both halves, as AWS: an allow in the key policy
// (a statement naming the caller's account, "…:root" or the caller itself) AND an allow in
// the caller's own identity policies (the caller's root is allowed by its identity), or
// else a grant to the caller; an explicit deny in either denies.
func (a *Authorizer) KMS(ctx context.Context, id iam.Identity, r *policy.Request, keyPolicy *policy.Policy, grants []Grant, ec map[string]string) error {
	if acct := keyAccount(r.Resource); acct != "" && acct != id.AccountID {
		return a.kmsCrossAccount(ctx, id, r, keyPolicy, grants, ec)
	}
	direct, delegating := splitKeyPolicy(keyPolicy, id.AccountID)
	dDirect, dDeleg := direct.Evaluate(r), delegating.Evaluate(r)
	if dDirect == policy.Deny || dDeleg == policy.Deny {
		return identityDeny(id, r, "with an explicit deny in a resource-based policy")
	}
	idDec, err := a.identityDecision(ctx, id, r)
	if err != nil {
		return err
	}
	if idDec == policy.Deny {
		return identityDeny(id, r, "with an explicit deny in an identity-based policy")
	}
	if dDirect == policy.Allow || (dDeleg == policy.Allow && idDec == policy.Allow) {
		return nil
	}
	if grantAllows(grants, id, strings.TrimPrefix(r.Action, "kms:"), ec) {
		return nil
	}
	if dDeleg == policy.Allow {
		return identityDeny(id, r, "because no identity-based policy allows the "+r.Action+" action")
	}
	return identityDeny(id, r, "because no resource-based policy allows the "+r.Action+" action")
}

// kmsCrossAccount is KMS for a caller whose account is not the key's: the key policy must
// allow the caller (no statement delegates to the caller's IAM: a statement naming the
// caller's account allows it, as one naming the caller does) and the caller's identity
// policies must allow too; else a grant to the caller allows. A deny anywhere denies.
func (a *Authorizer) kmsCrossAccount(ctx context.Context, id iam.Identity, r *policy.Request, keyPolicy *policy.Policy, grants []Grant, ec map[string]string) error {
	dKey := keyPolicy.Evaluate(r)
	if dKey == policy.Deny {
		return identityDeny(id, r, "with an explicit deny in a resource-based policy")
	}
	idDec, err := a.identityDecision(ctx, id, r)
	if err != nil {
		return err
	}
	if idDec == policy.Deny {
		return identityDeny(id, r, "with an explicit deny in an identity-based policy")
	}
	if dKey == policy.Allow && idDec == policy.Allow {
		return nil
	}
	if grantAllows(grants, id, strings.TrimPrefix(r.Action, "kms:"), ec) {
		return nil
	}
	if dKey == policy.Allow {
		return identityDeny(id, r, "because no identity-based policy allows the "+r.Action+" action")
	}
	return identityDeny(id, r, "because no resource-based policy allows the "+r.Action+" action")
}

// keyAccount is the account field of a key ARN ("" for anything else).
func keyAccount(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[4]
}

// ErrKeyPolicyLockout is KMSPolicyLockout's refusal: the new key policy would not let the
// caller change the key's policy again. apierr words it as AWS does
// (MalformedPolicyDocumentException "The new key policy will not allow you to update the
// key policy in the future.").
var ErrKeyPolicyLockout = errors.New("authz: the new key policy would lock the caller out of the key")

// KMSPolicyLockout is AWS KMS's key policy lockout safety check, which CreateKey (given a
// policy) and PutKeyPolicy run before attaching newPolicy to the key keyARN: the policy
// must allow the principal making the request to make a subsequent PutKeyPolicy request on
// the key. The decision is exactly KMS's for that later request (see KMS: the key policy
// with its delegation to IAM, the caller's identity policies; grants never allow
// PutKeyPolicy), evaluated in this request's context. bypass is
// BypassPolicyLockoutSafetyCheck: AWS then skips the check (and warns that the key may
// become unmanageable). It returns nil, ErrKeyPolicyLockout, or the error of reading the
// caller's identity policies; newPolicy must have been validated.
func (a *Authorizer) KMSPolicyLockout(ctx context.Context, id iam.Identity, keyARN, newPolicy string, bypass, tls bool) error {
	if bypass {
		return nil
	}
	kp, err := a.Parsed([]byte(newPolicy), policy.Key)
	if err != nil {
		return err
	}
	err = a.KMS(ctx, id, a.KMSRequest(id, "kms:PutKeyPolicy", keyARN, "", tls, nil), kp, nil, nil)
	if errors.Is(err, ErrDenied) {
		return ErrKeyPolicyLockout
	}
	return err
}

// KMSIdentity decides a KMS action that names no key (CreateKey, ListKeys, GenerateRandom…)
// with identity policies alone.
func (a *Authorizer) KMSIdentity(ctx context.Context, id iam.Identity, r *policy.Request) error {
	return a.identityOnly(ctx, id, r)
}

// splitKeyPolicy separates the statements that name the account itself as principal (which
// delegate to IAM) from the others. Either may be nil (no statements: NotApplicable); when
// all statements are of one kind, as in the default key policy, p itself is returned.
func splitKeyPolicy(p *policy.Policy, account string) (direct, delegating *policy.Policy) {
	if p == nil {
		return nil, nil
	}
	n := 0
	for _, st := range p.Statements {
		if namesOnlyAccount(st.Principal, account) {
			n++
		}
	}
	switch n {
	case 0:
		return p, nil
	case len(p.Statements):
		return nil, p
	}
	direct, delegating = &policy.Policy{Kind: policy.Key}, &policy.Policy{Kind: policy.Key}
	direct.Version, delegating.Version = p.Version, p.Version
	for _, st := range p.Statements {
		if namesOnlyAccount(st.Principal, account) {
			delegating.Statements = append(delegating.Statements, st)
		} else {
			direct.Statements = append(direct.Statements, st)
		}
	}
	return direct, delegating
}

func namesOnlyAccount(p *policy.Principals, account string) bool {
	if p == nil || p.Wildcard || len(p.AWS) == 0 || len(p.Service)+len(p.CanonicalUser)+len(p.Federated) > 0 {
		return false
	}
	for _, a := range p.AWS {
		if a != account && a != "arn:aws:iam::"+account+":root" {
			return false
		}
	}
	return true
}

func grantAllows(grants []Grant, id iam.Identity, op string, ec map[string]string) bool {
	for _, g := range grants {
		if g.Grantee != id.ARN && g.Grantee != "arn:aws:iam::"+id.AccountID+":root" {
			continue
		}
		if !containsFold(g.Operations, op) {
			continue
		}
		if g.Equals != nil && !maps.Equal(g.Equals, ec) {
			continue
		}
		ok := true
		for k, v := range g.Subset {
			if ec[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// KMSRequest prepares the policy request for a KMS action with the KMS condition keys.
func (a *Authorizer) KMSRequest(id iam.Identity, action, resource, viaService string, tls bool, ec map[string]string) *policy.Request {
	// NewRequest with the context sized for every key set below (7 global ones, 3 KMS
	// ones, the encryption context's and their list), so that filling it never grows it.
	r := &policy.Request{Principal: Principal(id), Action: action, Resource: resource,
		Context: make(map[string][]string, 11+len(ec))}
	r.FillGlobalKeys(a.now())
	r.Set(policy.KeyCallerAccount, id.AccountID)
	r.Set(policy.KeySecureTransport, boolString(tls))
	if viaService != "" {
		r.Set(policy.KeyViaService, viaService)
	}
	keys := make([]string, 0, len(ec))
	for k, v := range ec {
		r.Set("kms:encryptioncontext:"+k, v)
		keys = append(keys, k)
	}
	if len(keys) > 0 {
		r.Set("kms:encryptioncontextkeys", keys...)
	}
	return r
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
