package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/iamapi"
)

// openIAM opens the identity store in the metadata file, the account registry with every
// account's identity store (accounts.go), and the IAM/STS API over them.
func (s *Server) openIAM() error {
	var err error
	s.iam, err = iam.Open(context.Background(), iam.Config{
		DB: s.store, Root: s.rootKey, RecordKey: s.meta.RecordKey(), Log: s.log,
		AccountID: s.id.AccountID, ValidatePolicy: authz.ValidateIdentityPolicy,
	})
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	if err := s.openAccounts(); err != nil {
		return err
	}
	s.authz = authz.New(s.accounts, nil)
	s.iamAPI = iamapi.New(iamapi.Config{AccountID: s.id.AccountID, Region: s.cfg.Region},
		iamapi.Deps{Store: s.iam, Authz: s.authz, Audit: s.audit, Log: s.log,
			StoreFor: func(ctx context.Context, accountID string) (*iam.Store, time.Time, error) {
				a, err := s.accounts.reg.Get(ctx, accountID)
				if err != nil {
					return nil, time.Time{}, err
				}
				st, err := s.accounts.IAM(accountID)
				return st, a.Created, err
			}})
	return nil
}

// IAM is the identity store, for in-process users (the policy engine).
func (s *Server) IAM() *iam.Store { return s.iam }

// Lookup resolves an access key for SigV4: the roots first (the primary's compared in
// constant time), then IAM users' keys of every account (accountSet.resolve). An unknown
// or inactive key, or any key of a suspended account, is ErrInvalidAccessKeyID.
func (c *credentialStore) Lookup(ctx context.Context, accessKeyID string) (string, error) {
	secret, _, err := c.resolve(ctx, accessKeyID)
	return secret, err
}

// identify returns the Identity an access key authenticates, with the same errors as
// Lookup.
func (c *credentialStore) identify(ctx context.Context, accessKeyID string) (iam.Identity, error) {
	_, id, err := c.resolve(ctx, accessKeyID)
	return id, err
}

func (c *credentialStore) resolve(ctx context.Context, accessKeyID string) (string, iam.Identity, error) {
	return c.accounts.resolve(ctx, accessKeyID)
}

// isQueryRequest reports whether an unsigned request looks like an IAM or STS query
// (form-encoded POST to /), which S3 never serves, so it gets a query-protocol error.
func isQueryRequest(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}
