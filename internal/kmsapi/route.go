package kmsapi

import (
	"context"
	"strings"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
)

// Accounts (docs/KMS.md, "Accounts"): every account has its own keystore. A request works
// in its caller's account — key ids and alias names resolve there, and CreateKey, ListKeys,
// ListAliases, CreateAlias and every other administrative operation only ever see it — unless
// its operation is one AWS allows across accounts (op.CrossAccount) and its key is named
// by a key ARN or alias ARN of another account, or (Decrypt, ReEncrypt without a source
// key) its ciphertext names a key another account holds: then it addresses that account's
// keystore, and authorization needs both halves (authz.KMS). An ARN of an account that has
// no keystore resolves in the caller's, which reports the key as not found.

// route returns the keystore the request f of operation o by a caller of account addresses.
func (a *API) route(ctx context.Context, account string, o *op, f AuthRequest) (*kms.Service, error) {
	if a.stores == nil {
		return a.svc, nil
	}
	own, err := a.stores.For(ctx, account)
	if err != nil || o == nil || !o.CrossAccount {
		return own, err
	}
	ref := f.KeyID
	if o.Key == sourceAndDestination {
		ref = f.SourceKeyID
	}
	other := ""
	switch {
	case ref != "":
		other = refAccount(ref)
	case f.CiphertextKeyID != "":
		other = a.stores.KeyAccount(f.CiphertextKeyID)
	}
	if o.Key == sourceAndDestination {
		// ReEncrypt decrypts and encrypts in one keystore: both keys must be of one account.
		src, dst := other, refAccount(f.DestinationKeyID)
		if src == "" {
			src = account
		}
		if dst == "" {
			dst = account
		}
		if src != dst {
			return nil, errs.New(kms.ErrUnsupported, "ReEncrypt between keys of two accounts is not supported by Arca: Decrypt, then Encrypt.")
		}
	}
	if other == "" || other == account {
		return own, nil
	}
	if s := a.stores.Lookup(other); s != nil {
		return s, nil
	}
	return own, nil
}

// keysOf is the keystore c's request addresses.
func (a *API) keysOf(c *Caller) *kms.Service {
	if c != nil && c.keys != nil {
		return c.keys
	}
	return a.svc
}

// refAccount is the account a KMS key ARN or alias ARN names ("" for a key id or alias
// name, which resolve in the caller's account).
func refAccount(ref string) string {
	if !strings.HasPrefix(ref, "arn:") {
		return ""
	}
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 || parts[2] != "kms" {
		return ""
	}
	return parts[4]
}
