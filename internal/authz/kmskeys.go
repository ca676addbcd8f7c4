package authz

import (
	"context"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/policy"
)

// KeyStore is where KMS decisions read a key's policy and grants (*kms.Service implements
// it). Errors are the operation's own (NotFoundException with AWS's messages).
type KeyStore interface {
	AuthInfo(ref string, allowAlias bool) (kms.KeyAuth, error)
}

var _ KeyStore = (*kms.Service)(nil)

// KeyCheck is one KMS decision: Action on the key Ref names.
type KeyCheck struct {
	// Action is the IAM action ("kms:Decrypt", "kms:ReEncryptFrom").
	Action string
	// Ref names the key: id, ARN, or (when Alias) an alias name or ARN. "" decides nothing:
	// the operation reports the missing parameter.
	Ref   string
	Alias bool
	// Manage marks an action that administers the key rather than uses it: on an
	// AWS-managed key the account root is let through, so that the operation answers
	// UnsupportedOperationException rather than a denial.
	Manage bool
	// Via is kms:ViaService ("s3.<region>.amazonaws.com" when S3 calls for SSE-KMS).
	Via string
	// EC is the request's encryption context; TLS whether it came over HTTPS.
	EC  map[string]string
	TLS bool
	// Keys is the keystore Ref resolves in (nil: the guard's own). The KMS API passes the
	// keystore of the account the request addresses (the caller's, or the one a key ARN
	// of another account names).
	Keys KeyStore
}

// KeyGuard decides KMS requests on the keys of one keystore: the key policy (with its
// delegation to IAM), the caller's identity policies and the key's grants (see KMS). Get one
// with Authorizer.ForKeys.
type KeyGuard struct {
	a    *Authorizer
	keys KeyStore
}

// ForKeys returns the KMS decisions over keys.
func (a *Authorizer) ForKeys(keys KeyStore) *KeyGuard { return &KeyGuard{a: a, keys: keys} }

// Key decides c for id. A key c.Ref cannot resolve is let through, so that the operation
// itself reports the error AWS would (NotFoundException and friends, with AWS's messages).
// A refusal is ErrDenied.
func (g *KeyGuard) Key(ctx context.Context, id iam.Identity, c KeyCheck) error {
	if c.Ref == "" {
		return nil
	}
	keys := g.keys
	if c.Keys != nil {
		keys = c.Keys
	}
	info, err := keys.AuthInfo(c.Ref, c.Alias)
	if err != nil {
		return nil
	}
	if info.Manager == "AWS" && c.Manage && id.IsRoot() {
		// AWS-managed keys cannot be administered at all; the operation says so.
		return nil
	}
	kp, err := g.a.Parsed([]byte(info.Policy), policy.Key)
	if err != nil {
		return err
	}
	grants := make([]Grant, len(info.Grants))
	for i, gr := range info.Grants {
		grants[i] = Grant{Grantee: gr.Grantee, Operations: gr.Operations, Subset: gr.Subset, Equals: gr.Equals}
	}
	r := g.a.KMSRequest(id, c.Action, info.ARN, c.Via, c.TLS, c.EC)
	if acct := keyAccount(info.ARN); acct != "" {
		r.Set("aws:resourceaccount", acct) // the key's account (aws:ResourceAccount)
	}
	return g.a.KMS(ctx, id, r, kp, grants, c.EC)
}

// NoKey decides a KMS action that names no key (CreateKey, ListKeys, GenerateRandom…) with
// identity policies alone.
func (g *KeyGuard) NoKey(ctx context.Context, id iam.Identity, action string, tls bool) error {
	return g.a.KMSIdentity(ctx, id, g.a.KMSRequest(id, action, "*", "", tls, nil))
}

// PolicyLockout is the key policy lockout safety check (Authorizer.KMSPolicyLockout).
func (g *KeyGuard) PolicyLockout(ctx context.Context, id iam.Identity, keyARN, newPolicy string, bypass, tls bool) error {
	return g.a.KMSPolicyLockout(ctx, id, keyARN, newPolicy, bypass, tls)
}
