package server

import (
	"context"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// openAudit opens the audit trail in the metadata file, its chain keyed by a key sealed
// under the root key (made on the first start that has none). With --no-audit the trail
// stays readable (LookupEvents) but nothing new is recorded.
func (s *Server) openAudit() error {
	t, err := audit.OpenTrail(audit.Config{DB: s.store, AccountID: s.id.AccountID, Root: s.rootKey, Log: s.log})
	if err != nil {
		return err
	}
	s.trail = t
	if !s.cfg.AuditDisabled {
		s.audit = t
	}
	return nil
}

// authorizeCloudTrail decides CloudTrail calls with the caller's identity policies (the
// root may do everything).
func (s *Server) authorizeCloudTrail(ctx context.Context, id iam.Identity, action string) error {
	if id.IsRoot() {
		return nil
	}
	d, err := s.authz.Identity(ctx, id, s.authz.NewRequest(id, action, "*"))
	if err != nil {
		return err
	}
	if d == policy.Allow {
		return nil
	}
	why := "because no identity-based policy allows the " + action + " action"
	if d == policy.Deny {
		why = "with an explicit deny in an identity-based policy"
	}
	return errs.New(authz.ErrDenied, "User: "+id.ARN+" is not authorized to perform: "+action+" on resource: * "+why)
}
