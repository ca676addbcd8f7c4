package server

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/sigv4"
)

// accountSet is the account registry and each account's own IAM store (docs/ACCOUNTS.md):
// the primary's is the store every data directory has (kv bucket iam/), another account's
// lives under iam-accounts/<id>/ and is opened at start or when the account is created.
type accountSet struct {
	reg     *account.Registry
	primary *iam.Store
	open    func(accountID string) (*iam.Store, error)

	mu     sync.Mutex                            // serialises opening stores
	stores atomic.Pointer[map[string]*iam.Store] // non-primary accounts, by id; replaced, never changed
}

// openAccounts opens the registry with the primary account (identity.json and its root
// credentials) and every other account's IAM store.
func (s *Server) openAccounts() error {
	created := time.Now().UTC()
	if fi, err := os.Stat(s.dir.Identity()); err == nil {
		created = fi.ModTime().UTC().Truncate(time.Second)
	}
	reg, err := account.Open(context.Background(), account.Config{
		DB: s.store, Root: s.rootKey, RecordKey: s.meta.RecordKey(), Log: s.log,
		Primary:       account.Account{ID: s.id.AccountID, Created: created, RootAccessKeyID: s.root.AccessKeyID},
		PrimarySecret: s.root.SecretAccessKey,
	})
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	s.accounts = &accountSet{reg: reg, primary: s.iam,
		open: func(id string) (*iam.Store, error) {
			return iam.Open(context.Background(), iam.Config{
				DB: s.store, Root: s.rootKey, RecordKey: s.meta.RecordKey(), Log: s.log,
				AccountID: id, Namespace: id, ValidatePolicy: authz.ValidateIdentityPolicy,
			})
		}}
	all, err := reg.List(context.Background())
	if err != nil {
		return err
	}
	for _, a := range all[1:] {
		if _, err := s.accounts.IAM(a.ID); err != nil {
			return fmt.Errorf("identities of account %s: %w", a.ID, err)
		}
	}
	return nil
}

// IAM returns account id's identity store, opening it on first use; ErrNotFound for an
// account that does not exist.
func (a *accountSet) IAM(id string) (*iam.Store, error) {
	if a.reg.IsPrimary(id) {
		return a.primary, nil
	}
	if st, ok := a.all()[id]; ok {
		return st, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.all()
	if st, ok := cur[id]; ok {
		return st, nil
	}
	if _, err := a.reg.Get(context.Background(), id); err != nil {
		return nil, err
	}
	st, err := a.open(id)
	if err != nil {
		return nil, err
	}
	next := maps.Clone(cur)
	if next == nil {
		next = map[string]*iam.Store{}
	}
	next[id] = st
	a.stores.Store(&next)
	return st, nil
}

// all returns the opened stores of the accounts other than the primary.
func (a *accountSet) all() map[string]*iam.Store {
	if m := a.stores.Load(); m != nil {
		return *m
	}
	return nil
}

// PoliciesFor is authz.IdentityPolicies over every account's store.
func (a *accountSet) PoliciesFor(ctx context.Context, accountID, userName string) ([][]byte, error) {
	st, err := a.IAM(accountID)
	if err != nil {
		return nil, err
	}
	return st.PoliciesFor(ctx, userName)
}

var _ authz.IdentityPolicies = (*accountSet)(nil)

// resolve finds the secret and identity of an access key, in order: the primary root, the
// other accounts' roots, then the IAM users of every account. A key of a suspended
// account, or an unknown or inactive key, is ErrInvalidAccessKeyID.
func (a *accountSet) resolve(ctx context.Context, accessKeyID string) (string, iam.Identity, error) {
	acct, secret, err := a.reg.LookupRoot(ctx, accessKeyID)
	switch {
	case err == nil:
		return secret, iam.RootIdentity(acct.ID, accessKeyID), nil
	case errors.Is(err, account.ErrSuspended):
		return "", iam.Identity{}, sigv4.ErrInvalidAccessKeyID
	case !errors.Is(err, account.ErrNotFound):
		return "", iam.Identity{}, err
	}
	secret, id, err := a.primary.LookupAccessKey(ctx, accessKeyID)
	if err == nil {
		return secret, id, nil
	}
	if !errors.Is(err, iam.ErrNotFound) && !errors.Is(err, iam.ErrKeyInactive) {
		return "", iam.Identity{}, err
	}
	for acctID, st := range a.all() {
		secret, id, err := st.LookupAccessKey(ctx, accessKeyID)
		if errors.Is(err, iam.ErrNotFound) {
			continue
		}
		if errors.Is(err, iam.ErrKeyInactive) {
			break
		}
		if err != nil {
			return "", iam.Identity{}, err
		}
		if acct, err := a.reg.Get(ctx, acctID); err != nil || !acct.Active() {
			break
		}
		return secret, id, nil
	}
	return "", iam.Identity{}, sigv4.ErrInvalidAccessKeyID
}

// Accounts is the account registry, for in-process users (the admin API).
func (s *Server) Accounts() *account.Registry { return s.accounts.reg }
