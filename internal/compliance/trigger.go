package compliance

import (
	"context"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/audit"
)

// job is a queued evaluation: of one rule in full (rule set), or of every rule of the
// account that evaluates resources of type typ, for resource id ("" = all of them).
type job struct{ account, rule, typ, id string }

// enqueue queues j (once: a job queued again before it ran keeps its first time).
func (s *Service) enqueue(j job) {
	s.mu.Lock()
	if _, ok := s.pending[j]; !ok {
		s.pending[j] = time.Now()
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Trigger is the audit.Handler, placed in the chain after the trail, that queues the
// evaluations a recorded change calls for: a successful, not read-only management call
// of S3 on a bucket (its bucket rules for that bucket), of KMS on a key (its key rules for
// that key), or of CloudTrail (its trail rules). It never blocks and never fails.
func (s *Service) Trigger() audit.Handler { return trigger{s} }

type trigger struct{ s *Service }

func (t trigger) Handle(_ context.Context, r *audit.Record) error {
	if r.ErrorCode != "" || r.ReadOnly || !r.ManagementEvent || r.EventType == "AwsServiceEvent" {
		return nil
	}
	account := r.RecipientAccountID
	if account == "" {
		account = r.UserIdentity.AccountID
	}
	switch r.EventSource {
	case audit.SourceS3:
		if b, _ := r.RequestParameters["bucketName"].(string); b != "" && account != "" {
			t.s.enqueue(job{account: account, typ: TypeBucket, id: b})
		}
	case audit.SourceKMS:
		for _, res := range r.Resources {
			if i := strings.Index(res.ARN, ":key/"); i >= 0 {
				acct := res.AccountID
				if acct == "" {
					acct = account
				}
				t.s.enqueue(job{account: acct, typ: TypeKey, id: res.ARN[i+len(":key/"):]})
			}
		}
	case audit.SourceCloudTrail:
		if account != "" {
			t.s.enqueue(job{account: account, typ: TypeTrail})
		}
	}
	return nil
}

// Run evaluates queued jobs and, every tick, the rules due by their frequency (the rule's
// MaximumExecutionFrequency, else Config.Interval), until ctx is done. The first tick is
// at start: rules never evaluated, or due, run then.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	if tick <= 0 {
		tick = time.Minute
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	s.periodic(ctx)
	for {
		s.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
			s.periodic(ctx)
		}
	}
}

// periodic queues a full evaluation of every rule that is due.
func (s *Service) periodic(ctx context.Context) {
	all, err := s.allRules()
	if err != nil {
		s.log.Error("config: reading rules", "err", err)
		return
	}
	now := s.cfg.Now()
	for account, rules := range all {
		for _, r := range rules {
			every := s.cfg.Interval
			if d, ok := frequencies[r.Frequency]; ok {
				every = d
			}
			if r.LastRun.IsZero() || now.Sub(r.LastRun) >= every {
				s.enqueue(job{account: account, rule: r.Name})
			}
		}
	}
}

// drain runs every queued job.
func (s *Service) drain(ctx context.Context) {
	for ctx.Err() == nil {
		s.mu.Lock()
		var j job
		var at time.Time
		found := false
		for k, v := range s.pending {
			j, at, found = k, v, true
			break
		}
		if found {
			delete(s.pending, j)
		}
		s.mu.Unlock()
		if !found {
			return
		}
		if err := s.run(ctx, j); err != nil {
			s.log.Error("config: evaluation failed", "account", j.account, "rule", j.rule, "resource", j.id, "err", err)
		} else if s.Observe != nil && j.rule == "" {
			s.Observe(time.Since(at))
		}
	}
}

// run evaluates one job.
func (s *Service) run(ctx context.Context, j job) error {
	s.evalMu.Lock()
	defer s.evalMu.Unlock()
	if j.rule != "" {
		r, ok, err := s.rule(j.account, j.rule)
		if err != nil || !ok {
			return err
		}
		return s.evaluate(ctx, j.account, r, "")
	}
	rules, err := s.rules(j.account)
	if err != nil {
		return err
	}
	for _, r := range rules {
		def := catalog[r.Identifier]
		if def == nil || !inScope(r, def, j.typ, j.id) {
			continue
		}
		id := j.id
		if def.Type == TypeTrail || def.Type == TypeAccount {
			id = ""
		}
		if err := s.evaluate(ctx, j.account, r, id); err != nil {
			return err
		}
	}
	return nil
}
