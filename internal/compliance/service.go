package compliance

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kv"
)

// Config is the service's deployment.
type Config struct {
	Region string
	// Interval is how often every rule is evaluated in full when it names no
	// MaximumExecutionFrequency (0: 24 h).
	Interval time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Deps are the components the service works through.
type Deps struct {
	KV    kv.DB
	Facts Facts
	// Audit receives the compliance-change records (nil: none are written).
	Audit audit.Handler
	Log   *slog.Logger
}

// Service manages and evaluates config rules.
type Service struct {
	cfg   Config
	db    kv.DB
	facts Facts
	audit audit.Handler
	log   *slog.Logger

	// one evaluation at a time: results of a rule are read, compared and written whole
	evalMu sync.Mutex

	mu      sync.Mutex
	pending map[job]time.Time // queued evaluations and when they were asked for
	wake    chan struct{}
	// Observe, if set, is told how long each evaluation took from the change that asked
	// for it to its results being stored (figures; set before Run).
	Observe func(latency time.Duration)
}

// New returns a service over d.
func New(cfg Config, d Deps) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 24 * time.Hour
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, db: d.KV, facts: d.Facts, audit: d.Audit, log: d.Log,
		pending: map[job]time.Time{}, wake: make(chan struct{}, 1)}
}

// PutInput is PutConfigRule's rule.
type PutInput struct {
	Name, ARN, ID, Description  string
	Owner, Identifier           string
	Input, Frequency, State     string
	Scope                       *Scope
	HasCustomPolicy, HasDetails bool
}

// Put creates or updates a rule (found by name, ARN or id) and queues its evaluation.
func (s *Service) Put(ctx context.Context, account string, in PutInput) (Rule, error) {
	if in.Name == "" && in.ARN == "" && in.ID == "" {
		return Rule{}, errs.New(ErrInvalidParameter, "One or more identifiers needs to be provided. Provide Name or Id or Arn")
	}
	switch in.Owner {
	case OwnerAWS, OwnerArca:
	case "CUSTOM_LAMBDA", "CUSTOM_POLICY":
		return Rule{}, errs.Newf(ErrInvalidParameter, "Arca does not run %s rules: use Owner AWS with a managed rule's SourceIdentifier, or Owner ARCA.", in.Owner)
	default:
		return Rule{}, errs.Newf(ErrValidation, "1 validation error detected: Value '%s' at 'configRule.source.owner' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOM_LAMBDA, AWS, CUSTOM_POLICY]", in.Owner)
	}
	def := catalog[in.Identifier]
	if def == nil || def.Owner != in.Owner {
		return Rule{}, errs.Newf(ErrInvalidParameter, "The sourceIdentifier %s is invalid.  Please refer to the documentation for a list of valid sourceIdentifiers that can be used when %s is the Owner.", in.Identifier, in.Owner)
	}
	if in.HasDetails {
		return Rule{}, errs.New(ErrInvalidParameter, "SourceDetails are not allowed for a managed rule.")
	}
	if _, err := ParseInputParameters(in.Identifier, in.Input); err != nil {
		return Rule{}, err
	}
	if in.Frequency != "" {
		if _, ok := frequencies[in.Frequency]; !ok {
			return Rule{}, errs.Newf(ErrValidation, "1 validation error detected: Value '%s' at 'configRule.maximumExecutionFrequency' failed to satisfy constraint: Member must satisfy enum value set: [One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours]", in.Frequency)
		}
		if !def.Periodic {
			return Rule{}, errs.New(ErrInvalidParameter, "A maximum execution frequency for this rule is not allowed because only a change in resources triggers this managed rule.")
		}
	}
	if in.Scope != nil {
		for _, t := range in.Scope.ResourceTypes {
			if t != def.Type && !(def.Type == TypeAccount && t == TypeTrail) {
				return Rule{}, errs.Newf(ErrInvalidParameter, "The resource type %s is not valid for the rule %s, which evaluates %s.", t, in.Identifier, def.Type)
			}
		}
	}
	var out Rule
	err := s.db.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRules)
		if err != nil {
			return err
		}
		var cur *Rule
		count := 0
		if err := scan(b, []byte(account+"\x00"), func(_, v []byte) error {
			count++
			var r Rule
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if (in.Name != "" && r.Name == in.Name) || (in.Name == "" && ((in.ARN != "" && r.ARN == in.ARN) || (in.ID != "" && r.ID == in.ID))) {
				cur = &r
			}
			return nil
		}); err != nil {
			return err
		}
		now := s.cfg.Now().UTC()
		r := Rule{}
		if cur != nil {
			if (in.ARN != "" && in.ARN != cur.ARN) || (in.ID != "" && in.ID != cur.ID) {
				return errs.New(ErrInvalidParameter, "The ConfigRuleArn or ConfigRuleId does not match the rule of this ConfigRuleName.")
			}
			r = *cur
		} else {
			if in.ARN != "" || in.ID != "" {
				return errs.Newf(ErrNoSuchRule, "The ConfigRule '%s' provided in the request is invalid. Please check the configRule name.", firstOf(in.Name, in.ARN, in.ID))
			}
			if count >= MaxRules {
				return errs.Newf(ErrTooManyRules, "Failed to put config rule '%s' because the maximum number of config rules: %d is reached.", in.Name, MaxRules)
			}
			id := "config-rule-" + randomID(6)
			r = Rule{Name: in.Name, ID: id, ARN: "arn:aws:config:" + s.cfg.Region + ":" + account + ":config-rule/" + id, Created: now}
		}
		r.Description, r.Owner, r.Identifier, r.Input, r.Frequency, r.Scope = in.Description, in.Owner, in.Identifier, in.Input, in.Frequency, in.Scope
		r.State, r.LastChange, r.LastRun = "ACTIVE", now, time.Time{}
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		out = r
		return b.Put(ruleKey(account, r.Name), data)
	})
	if err != nil {
		return Rule{}, err
	}
	s.enqueue(job{account: account, rule: out.Name})
	return out, nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func noSuchRule(name string) error {
	return errs.Newf(ErrNoSuchRule, "The ConfigRule '%s' provided in the request is invalid. Please check the configRule name.", name)
}

// Describe returns the named rules (all the account's when names is empty), in name
// order; ErrNoSuchRule when a named one does not exist.
func (s *Service) Describe(ctx context.Context, account string, names []string) ([]Rule, error) {
	all, err := s.rules(account)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return all, nil
	}
	out := make([]Rule, 0, len(names))
	for _, n := range names {
		i := slices.IndexFunc(all, func(r Rule) bool { return r.Name == n })
		if i < 0 {
			return nil, noSuchRule(n)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// Delete removes a rule and its results.
func (s *Service) Delete(ctx context.Context, account, name string) error {
	s.evalMu.Lock()
	defer s.evalMu.Unlock()
	return s.db.Update(func(tx kv.Tx) error {
		b := tx.Bucket(bucketRules)
		if b == nil || b.Get(ruleKey(account, name)) == nil {
			return noSuchRule(name)
		}
		if err := b.Delete(ruleKey(account, name)); err != nil {
			return err
		}
		rb := tx.Bucket(bucketResults)
		var keys [][]byte
		scan(rb, resultPrefix(account, name), func(k, _ []byte) error {
			keys = append(keys, slices.Clone(k))
			return nil
		})
		for _, k := range keys {
			if err := rb.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// StartEvaluation queues a full evaluation of the named rules (every name must exist).
func (s *Service) StartEvaluation(ctx context.Context, account string, names []string) error {
	if len(names) == 0 {
		return errs.New(ErrValidation, "1 validation error detected: Value '[]' at 'configRuleNames' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(names) > 25 {
		return errs.New(ErrValidation, "1 validation error detected: Value at 'configRuleNames' failed to satisfy constraint: Member must have length less than or equal to 25")
	}
	for _, n := range names {
		if _, ok, err := s.rule(account, n); err != nil {
			return err
		} else if !ok {
			return noSuchRule(n)
		}
	}
	for _, n := range names {
		s.enqueue(job{account: account, rule: n})
	}
	return nil
}

// inScope reports whether a rule evaluates resources of type typ (and id, "" = any).
func inScope(r Rule, def *ruleDef, typ, id string) bool {
	if def.Type != typ && !(def.Type == TypeAccount && typ == TypeTrail) && !(def.Type == TypeTrail && typ == TypeAccount) {
		return false
	}
	if r.Scope == nil {
		return true
	}
	if len(r.Scope.ResourceTypes) > 0 && def.Type != TypeAccount && !slices.Contains(r.Scope.ResourceTypes, def.Type) {
		return false
	}
	return r.Scope.ResourceID == "" || id == "" || r.Scope.ResourceID == id
}

// evaluate runs rule r of account for every resource in its scope (id "") or for one
// resource of the rule's type, stores the results and records each change.
func (s *Service) evaluate(ctx context.Context, account string, r Rule, id string) error {
	def := catalog[r.Identifier]
	if def == nil {
		return nil
	}
	p, err := ParseInputParameters(r.Identifier, r.Input)
	if err != nil {
		return err
	}
	full := id == ""
	if r.Scope != nil && r.Scope.ResourceID != "" {
		if id != "" && id != r.Scope.ResourceID {
			return nil
		}
		if def.Type != TypeAccount {
			id = r.Scope.ResourceID
		}
	}
	invoked := s.cfg.Now().UTC()
	var evs []Evaluation
	gone := ""
	switch {
	case def.bucket != nil:
		var bs []Bucket
		if id != "" {
			b, ok, err := s.facts.Bucket(ctx, account, id)
			if err != nil {
				return err
			}
			if ok {
				bs = []Bucket{b}
			} else {
				gone = id
			}
		} else if bs, err = s.facts.Buckets(ctx, account); err != nil {
			return err
		}
		for _, b := range bs {
			e, err := def.bucket(ctx, s.facts, account, b, p)
			if err != nil {
				return err
			}
			evs = append(evs, e)
		}
	case def.key != nil:
		var ks []Key
		if id != "" {
			k, ok, err := s.facts.Key(ctx, account, id)
			if err != nil {
				return err
			}
			if ok {
				ks = []Key{k}
				id = k.ID
			} else {
				gone = id
			}
		} else if ks, err = s.facts.Keys(ctx, account); err != nil {
			return err
		}
		for _, k := range ks {
			if e, ok := def.key(k, p); ok {
				evs = append(evs, e)
			} else if id != "" {
				gone = k.ID
			}
		}
	case def.trails != nil:
		ts, err := s.facts.Trails(ctx, account)
		if err != nil {
			return err
		}
		evs, full = def.trails(account, ts, p), true
	}
	return s.store(ctx, account, r, evs, full, gone, invoked)
}

// change is one resource's compliance changing.
type change struct {
	old Result
	new Result
}

// store writes evs as rule r's results; for a full evaluation results of resources no
// longer evaluated are removed (and the rule's LastRun set), and so is gone's. Changes are
// recorded after the results are durable.
func (s *Service) store(ctx context.Context, account string, r Rule, evs []Evaluation, full bool, gone string, invoked time.Time) error {
	now := s.cfg.Now().UTC()
	var changes []change
	err := s.db.Update(func(tx kv.Tx) error {
		changes = changes[:0]
		rules := tx.Bucket(bucketRules)
		if rules == nil || rules.Get(ruleKey(account, r.Name)) == nil {
			return nil // deleted meanwhile
		}
		b, err := tx.CreateBucketIfNotExists(bucketResults)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, e := range evs {
			k := resultKey(account, r.Name, e.ResourceType, e.ResourceID)
			seen[string(k)] = true
			var old Result
			if v := b.Get(k); v != nil {
				json.Unmarshal(v, &old)
			}
			res := Result{Rule: r.Name, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Compliance: e.Compliance,
				Annotation: e.Annotation, Ordering: invoked, Recorded: now, Invoked: invoked}
			data, _ := json.Marshal(res)
			if err := b.Put(k, data); err != nil {
				return err
			}
			if old.Compliance != res.Compliance {
				changes = append(changes, change{old: old, new: res})
			}
		}
		var stale [][]byte
		scan(b, resultPrefix(account, r.Name), func(k, v []byte) error {
			if seen[string(k)] {
				return nil
			}
			var old Result
			json.Unmarshal(v, &old)
			if full || old.ResourceID == gone {
				stale = append(stale, slices.Clone(k))
			}
			return nil
		})
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if full {
			r.LastRun = invoked
			data, _ := json.Marshal(r)
			if cur := rules.Get(ruleKey(account, r.Name)); cur != nil {
				var c Rule
				if json.Unmarshal(cur, &c) == nil && c.LastChange.After(r.LastChange) {
					return nil // put again meanwhile: that put queued its own run
				}
			}
			return rules.Put(ruleKey(account, r.Name), data)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		s.record(ctx, account, r, c)
	}
	return nil
}

// EventComplianceChange is the eventName of the record a compliance change writes.
const EventComplianceChange = "ComplianceChange"

// record writes a compliance change as an AwsServiceEvent of config.amazonaws.com.
func (s *Service) record(ctx context.Context, account string, r Rule, c change) {
	if s.audit == nil {
		return
	}
	details := map[string]any{
		"configRuleName": r.Name, "configRuleArn": r.ARN, "sourceIdentifier": r.Identifier,
		"resourceType": c.new.ResourceType, "resourceId": c.new.ResourceID,
		"newComplianceType": c.new.Compliance,
	}
	if c.old.Compliance != "" {
		details["oldComplianceType"] = c.old.Compliance
	}
	if c.new.Annotation != "" {
		details["annotation"] = c.new.Annotation
	}
	rec := &audit.Record{
		UserIdentity: audit.UserIdentity{Type: "AWSService", PrincipalID: SourceConfig, AccountID: account, InvokedBy: SourceConfig},
		EventTime:    c.new.Recorded, EventSource: SourceConfig, EventName: EventComplianceChange, AWSRegion: s.cfg.Region,
		SourceIPAddress: SourceConfig, UserAgent: SourceConfig, EventType: "AwsServiceEvent",
		ManagementEvent: true, RecipientAccountID: account, ServiceEventDetails: details,
		Resources: []audit.Resource{{ARN: resourceARN(s.cfg.Region, account, c.new.ResourceType, c.new.ResourceID), AccountID: account, Type: c.new.ResourceType}},
	}
	if err := s.audit.Handle(ctx, rec); err != nil {
		s.log.Error("config: compliance change not recorded", "rule", r.Name, "resource", c.new.ResourceID, "err", err)
	}
}

// SourceConfig is the eventSource of AWS Config's records.
const SourceConfig = "config.amazonaws.com"

func resourceARN(region, account, typ, id string) string {
	switch typ {
	case TypeBucket:
		return "arn:aws:s3:::" + id
	case TypeKey:
		return "arn:aws:kms:" + region + ":" + account + ":key/" + id
	case TypeTrail:
		return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + id
	}
	return "arn:aws:iam::" + account + ":root"
}

// Rules' and results' reads for the API.

// Results returns the account's stored results: of one rule (rule != ""), of one resource
// type and id (typ/id != ""), in rule, type, id order.
func (s *Service) Results(ctx context.Context, account, rule, typ, id string) ([]Result, error) {
	if rule != "" {
		if _, ok, err := s.rule(account, rule); err != nil {
			return nil, err
		} else if !ok {
			return nil, noSuchRule(rule)
		}
	}
	all, err := s.results(account, rule)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if (typ == "" || r.ResourceType == typ) && (id == "" || r.ResourceID == id) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Result) int {
		return strings.Compare(a.Rule+"\x00"+a.ResourceType+"\x00"+a.ResourceID, b.Rule+"\x00"+b.ResourceType+"\x00"+b.ResourceID)
	})
	return out, nil
}
