package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/iamapi"
	"github.com/arcastore/arca/internal/sigv4"
)

// openIAM opens the identity store in the metadata file and the IAM/STS API over it.
func (s *Server) openIAM() error {
	var err error
	s.iam, err = iam.Open(context.Background(), iam.Config{
		DB: s.store, Root: s.rootKey, RecordKey: s.meta.RecordKey(), Log: s.log,
		AccountID: s.id.AccountID, ValidatePolicy: authz.ValidateIdentityPolicy,
	})
	if err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	created := time.Now()
	if fi, err := os.Stat(s.dir.Identity()); err == nil {
		created = fi.ModTime()
	}
	s.authz = authz.New(s.iam, nil)
	s.iamAPI = iamapi.New(iamapi.Config{AccountID: s.id.AccountID, RootCreated: created, Region: s.cfg.Region},
		iamapi.Deps{Store: s.iam, Authz: s.authz, Audit: s.audit, Log: s.log})
	return nil
}

// IAM is the identity store, for in-process users (the policy engine).
func (s *Server) IAM() *iam.Store { return s.iam }

// Lookup resolves an access key for SigV4: the root pair first (compared in constant
// time), then IAM users' keys. An unknown or inactive key is ErrInvalidAccessKeyID.
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
	if c.isRoot(accessKeyID) {
		return c.root.SecretAccessKey, iam.RootIdentity(c.accountID, accessKeyID), nil
	}
	if c.iam == nil {
		return "", iam.Identity{}, sigv4.ErrInvalidAccessKeyID
	}
	secret, id, err := c.iam.LookupAccessKey(ctx, accessKeyID)
	if errors.Is(err, iam.ErrNotFound) || errors.Is(err, iam.ErrKeyInactive) {
		return "", iam.Identity{}, sigv4.ErrInvalidAccessKeyID
	}
	return secret, id, err
}

// isQueryRequest reports whether an unsigned request looks like an IAM or STS query
// (form-encoded POST to /), which S3 never serves, so it gets a query-protocol error.
func isQueryRequest(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}
