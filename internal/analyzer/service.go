// Package analyzer is Arca's IAM Access Analyzer: for each ACCOUNT analyzer (the zone of
// trust is its account) it keeps findings on the account's buckets and KMS keys that a
// principal outside the account, or anyone, can reach through bucket policies, bucket ACLs,
// key policies and grants, with Block Public Access applied. Every finding is decided by
// the one policy engine (internal/authz over internal/policy): candidate outside principals
// and actions come from the statements, and only what the engine allows is reported.
//
// Entry points: New, then Service.CreateAnalyzer / ListFindings / UpdateFindings …;
// Service.Trigger is the audit.Handler that re-analyses a resource when a record says its
// policy, ACL, Block Public Access or grants changed; ValidatePolicy, CheckNoPublicAccess
// and CheckAccessNotGranted are the policy checks. State lives in kv, per account.
// docs/ACCESS-ANALYZER.md describes the semantics.
package analyzer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kv"
)

// Sentinel errors; internal/apierr maps them to Access Analyzer's wire errors.
var (
	// ErrNoSuchAnalyzer: no analyzer of that name (or ARN) in the caller's account.
	ErrNoSuchAnalyzer = errors.New("analyzer: analyzer not found")
	// ErrNoSuchFinding: no finding of that id for the analyzer.
	ErrNoSuchFinding = errors.New("analyzer: finding not found")
	// ErrExists: an analyzer of that name exists.
	ErrExists = errors.New("analyzer: analyzer exists")
	// ErrQuota: the account already has its one ACCOUNT analyzer in this Region.
	ErrQuota = errors.New("analyzer: analyzer quota exceeded")
	// ErrInvalid: a request the service rejects (ValidationException), with a message.
	ErrInvalid = errors.New("analyzer: invalid request")
)

// Analyzer types and statuses.
const (
	TypeAccount      = "ACCOUNT"
	TypeOrganization = "ORGANIZATION"

	StatusActive   = "ACTIVE"
	StatusArchived = "ARCHIVED"
	StatusResolved = "RESOLVED"
)

// Analyzer is one analyzer.
type Analyzer struct {
	ARN                    string            `json:"arn"`
	Name                   string            `json:"name"`
	Type                   string            `json:"type"`
	CreatedAt              time.Time         `json:"createdAt"`
	LastResourceAnalyzed   string            `json:"lastResourceAnalyzed,omitempty"`
	LastResourceAnalyzedAt time.Time         `json:"lastResourceAnalyzedAt,omitempty"`
	Tags                   map[string]string `json:"tags,omitempty"`
	Status                 string            `json:"status"`
}

// Finding is one finding of an analyzer.
type Finding struct {
	ID string `json:"id"`
	Access
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"createdAt"`
	AnalyzedAt time.Time `json:"analyzedAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Facts is where the analysis reads the account's resources (the server reads them from
// the metadata store and the keystores). Bucket and Key report ok=false for a resource
// that no longer exists (or belongs to another account).
type Facts interface {
	Buckets(ctx context.Context, account string) ([]Bucket, error)
	Bucket(ctx context.Context, account, name string) (Bucket, bool, error)
	Keys(ctx context.Context, account string) ([]Key, error)
	Key(ctx context.Context, account, arn string) (Key, bool, error)
}

// Config is the service's deployment.
type Config struct {
	Region string
	Now    func() time.Time // nil: time.Now
}

// Deps are the components it works through.
type Deps struct {
	KV    kv.DB
	Facts Facts
	Log   *slog.Logger
}

// Service keeps analyzers and findings.
type Service struct {
	cfg    Config
	db     kv.DB
	facts  Facts
	engine *Engine
	log    *slog.Logger
	mu     sync.Mutex // serializes analyses, so that findings are written in order
}

// New returns the service.
func New(cfg Config, d Deps) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, db: d.KV, facts: d.Facts, engine: NewEngine(cfg.Now), log: d.Log}
}

// Engine is the analysis engine (for benchmarks and the policy checks).
func (s *Service) Engine() *Engine { return s.engine }

func invalid(msg string) error { return errs.New(ErrInvalid, msg) }

// ARN is the ARN of analyzer name in account.
func (s *Service) ARN(account, name string) string {
	return "arn:aws:access-analyzer:" + s.cfg.Region + ":" + account + ":analyzer/" + name
}

// CreateAnalyzer creates an ACCOUNT analyzer and analyses the account's resources at once.
// ORGANIZATION needs an organization, which Arca has none of.
func (s *Service) CreateAnalyzer(ctx context.Context, account, name, typ string, tags map[string]string) (Analyzer, error) {
	switch typ {
	case TypeAccount:
	case TypeOrganization:
		return Analyzer{}, invalid("You must belong to an organization to create an analyzer with type ORGANIZATION.")
	default:
		return Analyzer{}, invalid("Arca supports analyzers of type ACCOUNT only.")
	}
	now := s.cfg.Now().UTC()
	a := Analyzer{ARN: s.ARN(account, name), Name: name, Type: typ, CreatedAt: now, Tags: tags, Status: StatusActive}
	err := s.db.Update(func(tx kv.Tx) error {
		b, err := accountBucket(tx, account, true)
		if err != nil {
			return err
		}
		an := b.Bucket(bAnalyzers)
		if an.Get([]byte(name)) != nil {
			return errs.Newf(ErrExists, "Analyzer %s already exists.", name)
		}
		n := 0
		an.ForEach(func(k, v []byte) error { n++; return nil })
		if n > 0 {
			return errs.New(ErrQuota, "You can create only one analyzer of type ACCOUNT per Region in an account.")
		}
		data, _ := json.Marshal(a)
		if err := an.Put([]byte(name), data); err != nil {
			return err
		}
		_, err = b.CreateBucketIfNotExists(findingsBucket(name))
		return err
	})
	if err != nil {
		return Analyzer{}, err
	}
	if err := s.Rescan(ctx, account); err != nil {
		s.log.Error("access analyzer: initial scan failed", "account", account, "err", err)
	}
	return s.GetAnalyzer(ctx, account, name)
}

// GetAnalyzer returns the analyzer name of account.
func (s *Service) GetAnalyzer(_ context.Context, account, name string) (Analyzer, error) {
	var a Analyzer
	err := s.db.View(func(tx kv.Tx) error {
		b, _ := accountBucket(tx, account, false)
		if b == nil {
			return noAnalyzer(name)
		}
		v := b.Bucket(bAnalyzers).Get([]byte(name))
		if v == nil {
			return noAnalyzer(name)
		}
		return json.Unmarshal(v, &a)
	})
	return a, err
}

func noAnalyzer(name string) error {
	return errs.Newf(ErrNoSuchAnalyzer, "Analyzer %s not found.", name)
}

// ListAnalyzers returns account's analyzers (of typ, when not ""), by name.
func (s *Service) ListAnalyzers(_ context.Context, account, typ string) ([]Analyzer, error) {
	var out []Analyzer
	err := s.db.View(func(tx kv.Tx) error {
		b, _ := accountBucket(tx, account, false)
		if b == nil {
			return nil
		}
		return b.Bucket(bAnalyzers).ForEach(func(k, v []byte) error {
			var a Analyzer
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if typ == "" || a.Type == typ {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// DeleteAnalyzer deletes the analyzer and its findings.
func (s *Service) DeleteAnalyzer(_ context.Context, account, name string) error {
	return s.db.Update(func(tx kv.Tx) error {
		b, _ := accountBucket(tx, account, false)
		if b == nil || b.Bucket(bAnalyzers).Get([]byte(name)) == nil {
			return noAnalyzer(name)
		}
		if err := b.Bucket(bAnalyzers).Delete([]byte(name)); err != nil {
			return err
		}
		if b.Bucket(findingsBucket(name)) != nil {
			return b.DeleteBucket(findingsBucket(name))
		}
		return nil
	})
}

// AnalyzerName resolves an analyzer ARN of account to its name.
func (s *Service) AnalyzerName(account, arn string) (string, error) {
	prefix := s.ARN(account, "")
	if len(arn) <= len(prefix) || arn[:len(prefix)] != prefix {
		return "", errs.Newf(ErrNoSuchAnalyzer, "Analyzer %s not found.", arn)
	}
	return arn[len(prefix):], nil
}

// Findings returns the findings of analyzer name, by id.
func (s *Service) Findings(_ context.Context, account, name string) ([]Finding, error) {
	var out []Finding
	err := s.db.View(func(tx kv.Tx) error {
		fb, err := findings(tx, account, name)
		if err != nil {
			return err
		}
		return fb.ForEach(func(k, v []byte) error {
			var f Finding
			if err := json.Unmarshal(v, &f); err != nil {
				return err
			}
			out = append(out, f)
			return nil
		})
	})
	return out, err
}

// GetFinding returns one finding.
func (s *Service) GetFinding(_ context.Context, account, name, id string) (Finding, error) {
	var f Finding
	err := s.db.View(func(tx kv.Tx) error {
		fb, err := findings(tx, account, name)
		if err != nil {
			return err
		}
		v := fb.Get([]byte(id))
		if v == nil {
			return errs.Newf(ErrNoSuchFinding, "Finding %s not found.", id)
		}
		return json.Unmarshal(v, &f)
	})
	return f, err
}

// UpdateFindings sets status (ACTIVE or ARCHIVED) on the findings named by ids, or on
// every finding of resourceARN. A RESOLVED finding keeps its status, as on AWS.
func (s *Service) UpdateFindings(_ context.Context, account, name, status string, ids []string, resourceARN string) error {
	if status != StatusActive && status != StatusArchived {
		return invalid("Invalid status " + status + ": must be ACTIVE or ARCHIVED.")
	}
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Update(func(tx kv.Tx) error {
		fb, err := findings(tx, account, name)
		if err != nil {
			return err
		}
		var targets [][]byte
		if len(ids) > 0 {
			for _, id := range ids {
				if fb.Get([]byte(id)) == nil {
					return errs.Newf(ErrNoSuchFinding, "Finding %s not found.", id)
				}
				targets = append(targets, []byte(id))
			}
		} else {
			fb.ForEach(func(k, v []byte) error {
				var f Finding
				if json.Unmarshal(v, &f) == nil && f.Resource == resourceARN {
					targets = append(targets, slices.Clone(k))
				}
				return nil
			})
		}
		for _, k := range targets {
			var f Finding
			if err := json.Unmarshal(fb.Get(k), &f); err != nil {
				return err
			}
			if f.Status == StatusResolved || f.Status == status {
				continue
			}
			f.Status, f.UpdatedAt = status, now
			data, _ := json.Marshal(f)
			if err := fb.Put(k, data); err != nil {
				return err
			}
		}
		return nil
	})
}

// findingID is a finding's id: stable for the same access under the same analyzer, shaped
// as AWS's (a UUID).
func findingID(analyzer string, a *Access) string {
	h := sha256.Sum256([]byte(analyzer + "\x00" + a.key()))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// Rescan analyses every bucket and key of account for all its analyzers.
func (s *Service) Rescan(ctx context.Context, account string) error {
	if !s.hasAnalyzer(account) {
		return nil
	}
	var all []Access
	bs, err := s.facts.Buckets(ctx, account)
	if err != nil {
		return err
	}
	for i := range bs {
		acc, err := s.engine.BucketAccess(ctx, &bs[i])
		if err != nil {
			return err
		}
		all = append(all, acc...)
	}
	ks, err := s.facts.Keys(ctx, account)
	if err != nil {
		return err
	}
	for i := range ks {
		acc, err := s.engine.KeyAccess(ctx, &ks[i])
		if err != nil {
			return err
		}
		all = append(all, acc...)
	}
	return s.apply(account, nil, all, "")
}

// BucketChanged re-analyses one bucket of account (gone: its findings resolve).
func (s *Service) BucketChanged(ctx context.Context, account, name string) error {
	if !s.hasAnalyzer(account) {
		return nil
	}
	arn := "arn:aws:s3:::" + name
	b, ok, err := s.facts.Bucket(ctx, account, name)
	if err != nil {
		return err
	}
	var acc []Access
	if ok {
		if acc, err = s.engine.BucketAccess(ctx, &b); err != nil {
			return err
		}
	}
	return s.apply(account, []string{arn}, acc, arn)
}

// KeyChanged re-analyses one key of account.
func (s *Service) KeyChanged(ctx context.Context, account, arn string) error {
	if !s.hasAnalyzer(account) {
		return nil
	}
	k, ok, err := s.facts.Key(ctx, account, arn)
	if err != nil {
		return err
	}
	var acc []Access
	if ok {
		if acc, err = s.engine.KeyAccess(ctx, &k); err != nil {
			return err
		}
	}
	return s.apply(account, []string{arn}, acc, arn)
}

func (s *Service) hasAnalyzer(account string) bool {
	has := false
	s.db.View(func(tx kv.Tx) error {
		b, _ := accountBucket(tx, account, false)
		if b != nil {
			b.Bucket(bAnalyzers).ForEach(func(k, v []byte) error { has = true; return nil })
		}
		return nil
	})
	return has
}

// apply records the accesses found for every analyzer of account: new ones become ACTIVE
// findings, known ones are re-analysed (a RESOLVED one that holds again is ACTIVE again),
// and the findings of the analysed resources (scope; nil = all) that no longer hold become
// RESOLVED. One transaction: a crash leaves the old findings or the new ones.
func (s *Service) apply(account string, scope []string, found []Access, last string) error {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Update(func(tx kv.Tx) error {
		b, _ := accountBucket(tx, account, false)
		if b == nil {
			return nil
		}
		var names []string
		b.Bucket(bAnalyzers).ForEach(func(k, v []byte) error { names = append(names, string(k)); return nil })
		for _, name := range names {
			fb, err := b.CreateBucketIfNotExists(findingsBucket(name))
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for i := range found {
				a := found[i]
				id := findingID(name, &a)
				seen[id] = true
				var f Finding
				if v := fb.Get([]byte(id)); v != nil {
					if err := json.Unmarshal(v, &f); err != nil {
						return err
					}
					if !slices.Equal(f.Actions, a.Actions) {
						f.Actions, f.UpdatedAt = a.Actions, now
					}
					if f.Status == StatusResolved {
						f.Status, f.UpdatedAt = StatusActive, now
					}
					f.AnalyzedAt = now
				} else {
					f = Finding{ID: id, Access: a, Status: StatusActive, CreatedAt: now, AnalyzedAt: now, UpdatedAt: now}
				}
				data, _ := json.Marshal(f)
				if err := fb.Put([]byte(id), data); err != nil {
					return err
				}
			}
			var gone []Finding
			fb.ForEach(func(k, v []byte) error {
				var f Finding
				if json.Unmarshal(v, &f) != nil || seen[f.ID] || f.Status == StatusResolved {
					return nil
				}
				if scope == nil || slices.Contains(scope, f.Resource) {
					gone = append(gone, f)
				}
				return nil
			})
			for _, f := range gone {
				f.Status, f.UpdatedAt, f.AnalyzedAt = StatusResolved, now, now
				data, _ := json.Marshal(f)
				if err := fb.Put([]byte(f.ID), data); err != nil {
					return err
				}
			}
			if last != "" {
				if v := b.Bucket(bAnalyzers).Get([]byte(name)); v != nil {
					var a Analyzer
					if json.Unmarshal(v, &a) == nil {
						a.LastResourceAnalyzed, a.LastResourceAnalyzedAt = last, now
						data, _ := json.Marshal(a)
						if err := b.Bucket(bAnalyzers).Put([]byte(name), data); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	})
}

// Storage: top-level bucket "access-analyzer", one nested bucket per account holding
// "analyzers" (name → Analyzer JSON) and "findings/<name>" (id → Finding JSON).
var (
	bTop       = []byte("access-analyzer")
	bAnalyzers = []byte("analyzers")
)

func findingsBucket(name string) []byte { return []byte("findings/" + name) }

func accountBucket(tx kv.Tx, account string, create bool) (kv.Bucket, error) {
	if !create {
		top := tx.Bucket(bTop)
		if top == nil {
			return nil, nil
		}
		return top.Bucket([]byte(account)), nil
	}
	top, err := tx.CreateBucketIfNotExists(bTop)
	if err != nil {
		return nil, err
	}
	b, err := top.CreateBucketIfNotExists([]byte(account))
	if err != nil {
		return nil, err
	}
	if _, err := b.CreateBucketIfNotExists(bAnalyzers); err != nil {
		return nil, err
	}
	return b, nil
}

func findings(tx kv.Tx, account, name string) (kv.Bucket, error) {
	b, _ := accountBucket(tx, account, false)
	if b == nil || b.Bucket(bAnalyzers).Get([]byte(name)) == nil {
		return nil, noAnalyzer(name)
	}
	fb := b.Bucket(findingsBucket(name))
	if fb == nil {
		return nil, fmt.Errorf("analyzer: findings of %s missing", name)
	}
	return fb, nil
}

// ErrUnprocessable: a policy the checks cannot evaluate (UnprocessableEntityException).
var ErrUnprocessable = errors.New("analyzer: policy cannot be processed")

// RescanAll analyses every account that has an analyzer: at server start, so that changes
// made while no audit chain watched (--no-audit, offline key-policy resets, a crash between
// CreateAnalyzer's write and its first analysis) are reflected.
func (s *Service) RescanAll(ctx context.Context) error {
	var accounts []string
	s.db.View(func(tx kv.Tx) error {
		if top := tx.Bucket(bTop); top != nil {
			top.ForEachBucket(func(k []byte) error { accounts = append(accounts, string(k)); return nil })
		}
		return nil
	})
	var first error
	for _, a := range accounts {
		if err := s.Rescan(ctx, a); err != nil && first == nil {
			first = err
		}
	}
	return first
}
