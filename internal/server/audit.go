package server

import "github.com/arcastore/arca/internal/audit"

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
