package server

import (
	"context"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/audit"
)

// Audit retention (docs/AUDIT.md, "Retention"): records older than --audit-retention are
// pruned from the metadata file, never before every trail has delivered them.
const (
	defaultAuditPruneInterval = 10 * time.Minute
	// auditPruneFirst is how soon after start the first pass runs.
	auditPruneFirst = time.Minute
)

// startAuditRetention prunes old audit records shortly after start and then every prune
// interval; the returned function stops it and waits for a pass in progress. With
// retention 0 it does nothing.
func (s *Server) startAuditRetention() (stop func()) {
	if s.cfg.AuditRetention <= 0 {
		return func() {}
	}
	every := s.cfg.AuditPruneInterval
	if every <= 0 {
		every = defaultAuditPruneInterval
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		timer := time.NewTimer(min(auditPruneFirst, every))
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			s.pruneAudit(time.Now())
			timer.Reset(every)
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// pruneAudit runs one pass: it deletes the records older than the retention that every
// trail has delivered, and logs how many.
func (s *Server) pruneAudit(now time.Time) {
	upTo, err := s.trails.PruneBound()
	if err != nil {
		s.log.Error("audit: retention: reading the trails' delivery cursors", "err", err)
		return
	}
	before := now.Add(-s.cfg.AuditRetention)
	n, err := s.trail.Prune(before, upTo)
	if n > 0 {
		s.log.Info("audit: pruned records past the retention", "records", n, "older_than", before.UTC().Format(time.RFC3339), "retention", s.cfg.AuditRetention)
	}
	if err != nil {
		s.log.Error("audit: retention: pruning stopped; old records are kept", "pruned", n, "err", err)
		return
	}
	// A trail that cannot deliver (its bucket gone, its KMS key disabled) holds every later
	// record in the metadata file: say so, or the file grows with no explanation.
	next, err := audit.ReadAfter(s.store, upTo, upTo+1, 1, 0)
	if err == nil && len(next) == 1 {
		if at, ok := next[0].Time(); ok && at.Before(before) {
			s.log.Warn("audit: retention: records past the retention are kept because a trail has not delivered them; see GetTrailStatus",
				"held_from_seq", next[0].Seq, "oldest", at.UTC().Format(time.RFC3339))
		}
	}
}
