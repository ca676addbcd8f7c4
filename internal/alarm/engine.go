package alarm

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcastore/arca/internal/audit"
)

// Config configures an Engine.
type Config struct {
	Rules []*Rule
	// Recorder receives the audit record of each alarm whose rule has the record action:
	// the Trail itself, never a handler that leads back to the engine.
	Recorder  audit.Handler
	Region    string
	AccountID string
	Log       *slog.Logger
	// Now is the engine's clock (default time.Now).
	Now func() time.Time
	// QueueSize bounds the matches waiting for the engine's goroutine (default 4096); a
	// match that finds it full is dropped, counted and logged.
	QueueSize int
	// Tick is how often cooldowns and windows are looked at (default 1 s).
	Tick time.Duration
	// Poster sends webhooks (the server gives internal/alarmhttp's; nil: webhook actions
	// fail and are logged).
	Poster  Poster
	Backoff Backoff
	// Senders is how many webhook deliveries run at once (default 4); WebhookQueue bounds
	// the deliveries waiting for one (default 1024; beyond it they are dropped and logged).
	Senders      int
	WebhookQueue int
	// DrainTimeout bounds how long Close waits for webhook deliveries (default 10 s).
	DrainTimeout time.Duration
}

// Stats counts what the engine did.
type Stats struct {
	Matched, Dropped, Fired, Delivered, DeliveryFailed, DeliveryDropped uint64
}

// Engine matches records against rules and fires alarms. It is an audit.Handler.
type Engine struct {
	cfg      Config
	rules    []*Rule
	ix       index
	trackers []*tracker
	sender   *sender

	mu     sync.RWMutex // guards closed against sends on in
	closed bool
	in     chan matched

	hooks      chan delivery
	workerDone chan struct{}
	senders    sync.WaitGroup
	sendCtx    context.Context
	sendCancel context.CancelCauseFunc

	matched, dropped, fired, delivered, failed, hookDropped atomic.Uint64
	droppedLogged                                           uint64 // worker only
}

type matched struct {
	ev    Event
	rules []int
}

var _ audit.Handler = (*Engine)(nil)

// New starts an engine for cfg.Rules.
func New(cfg Config) *Engine {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 4096
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	if cfg.Senders <= 0 {
		cfg.Senders = 4
	}
	if cfg.WebhookQueue <= 0 {
		cfg.WebhookQueue = 1024
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 10 * time.Second
	}
	e := &Engine{cfg: cfg, rules: cfg.Rules, ix: buildIndex(cfg.Rules), sender: newSender(cfg.Poster, cfg.Backoff),
		in: make(chan matched, cfg.QueueSize), hooks: make(chan delivery, cfg.WebhookQueue), workerDone: make(chan struct{})}
	for _, r := range cfg.Rules {
		e.trackers = append(e.trackers, newTracker(r))
	}
	e.sendCtx, e.sendCancel = context.WithCancelCause(context.Background())
	go e.run()
	for range cfg.Senders {
		e.senders.Add(1)
		go e.deliver()
	}
	return e
}

// Handle matches r and queues it for the rules it matches; it never blocks and never
// fails. Records of the engine's own alarms are ignored.
func (e *Engine) Handle(_ context.Context, r *audit.Record) error {
	if r.EventSource == SourceAlarms {
		return nil
	}
	var hits []int
	for _, i := range e.ix.byName[r.EventName] {
		if e.rules[i].matches(r) {
			hits = append(hits, i)
		}
	}
	for _, i := range e.ix.always {
		if e.rules[i].matches(r) {
			hits = append(hits, i)
		}
	}
	if hits == nil {
		return nil
	}
	m := matched{ev: eventOf(r), rules: hits}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return nil
	}
	select {
	case e.in <- m:
		e.matched.Add(1)
	default:
		e.dropped.Add(1) // logged by the engine's goroutine at its next tick
	}
	return nil
}

// Stats returns the counters so far.
func (e *Engine) Stats() Stats {
	return Stats{Matched: e.matched.Load(), Dropped: e.dropped.Load(), Fired: e.fired.Load(),
		Delivered: e.delivered.Load(), DeliveryFailed: e.failed.Load(), DeliveryDropped: e.hookDropped.Load()}
}

// Close stops matching, fires every alarm whose count is reached (cooldown or not), and
// waits up to DrainTimeout for webhook deliveries, then abandons the rest (logged).
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.in)
	e.mu.Unlock()
	<-e.workerDone
	close(e.hooks)
	done := make(chan struct{})
	go func() { e.senders.Wait(); close(done) }()
	t := time.NewTimer(e.cfg.DrainTimeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		before := e.failed.Load()
		e.sendCancel(errors.New("shutdown deadline"))
		<-done
		e.cfg.Log.Warn("alarm: webhooks abandoned at shutdown", "count", e.failed.Load()-before, "deadline", e.cfg.DrainTimeout)
	}
	e.sendCancel(nil)
	return nil
}

// run is the engine's goroutine: it counts matches, fires alarms and ticks.
func (e *Engine) run() {
	defer close(e.workerDone)
	tick := time.NewTicker(e.cfg.Tick)
	defer tick.Stop()
	for {
		select {
		case m, ok := <-e.in:
			if !ok {
				now := e.cfg.Now()
				for _, t := range e.trackers {
					for _, f := range t.flush(now) {
						e.fire(f)
					}
				}
				e.logDrops()
				return
			}
			now := e.cfg.Now()
			for _, i := range m.rules {
				if f := e.trackers[i].add(m.ev, now); f != nil {
					e.fire(*f)
				}
			}
		case <-tick.C:
			now := e.cfg.Now()
			for _, t := range e.trackers {
				for _, f := range t.due(now) {
					e.fire(f)
				}
			}
			e.logDrops()
		}
	}
}

func (e *Engine) logDrops() {
	if d := e.dropped.Load(); d != e.droppedLogged {
		e.cfg.Log.Warn("alarm: queue full, matches dropped", "dropped", d-e.droppedLogged, "total", d)
		e.droppedLogged = d
	}
}

// fire carries out f's actions: log, record, webhooks (queued for the senders).
func (e *Engine) fire(f Firing) {
	e.fired.Add(1)
	id := audit.NewEventID()
	ids := make([]string, len(f.Events))
	for i, ev := range f.Events {
		ids[i] = ev.EventID
	}
	r := f.Rule
	if r.Log {
		attrs := []any{"rule", r.Name, "alarm", id, "count", f.Count, "events", ids}
		if r.Window > 0 {
			attrs = append(attrs, "window", r.Window.String())
		}
		if r.GroupBy != "" {
			attrs = append(attrs, "groupBy", r.GroupBy, "group", f.Group)
		}
		e.cfg.Log.Warn("alarm", attrs...)
	}
	if r.Record && e.cfg.Recorder != nil {
		if err := e.cfg.Recorder.Handle(context.Background(), e.record(id, f, ids)); err != nil {
			e.cfg.Log.Error("alarm: its audit record was not written", "rule", r.Name, "alarm", id, "err", err)
		}
	}
	if len(r.Webhooks) == 0 {
		return
	}
	body, err := json.Marshal(e.body(id, f))
	if err != nil {
		e.cfg.Log.Error("alarm: encoding the webhook body", "rule", r.Name, "err", err)
		return
	}
	for _, h := range r.Webhooks {
		select {
		case e.hooks <- delivery{hook: h, body: body, alarmID: id, rule: r.Name}:
		default:
			e.hookDropped.Add(1)
			e.cfg.Log.Error("alarm: webhook queue full, delivery dropped", "rule", r.Name, "alarm", id, "webhook", redactURL(h.URL))
		}
	}
}

// deliver is one webhook sender goroutine.
func (e *Engine) deliver() {
	defer e.senders.Done()
	for d := range e.hooks {
		n, err := e.sender.send(e.sendCtx, d)
		if err != nil {
			e.failed.Add(1)
			e.cfg.Log.Error("alarm: webhook failed", "rule", d.rule, "alarm", d.alarmID, "webhook", redactURL(d.hook.URL),
				"attempts", n, "err", err)
			continue
		}
		e.delivered.Add(1)
		e.cfg.Log.Debug("alarm: webhook delivered", "rule", d.rule, "alarm", d.alarmID, "attempts", n)
	}
}

// redactURL keeps a webhook URL's scheme and host: its path or query may be a secret (as
// chat webhooks' are).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// Body is the JSON a webhook receives (docs/ALARMS.md).
type Body struct {
	Alarm       string    `json:"alarm"` // the alarm's id, also its audit record's eventID
	Rule        string    `json:"rule"`
	Description string    `json:"description,omitempty"`
	Time        time.Time `json:"time"`
	Count       int       `json:"count"`
	Window      string    `json:"window,omitempty"`
	GroupBy     string    `json:"groupBy,omitempty"`
	Group       string    `json:"group,omitempty"`
	AccountID   string    `json:"accountId,omitempty"`
	Region      string    `json:"region,omitempty"`
	Events      []Event   `json:"events"`
}

func (e *Engine) body(id string, f Firing) Body {
	b := Body{Alarm: id, Rule: f.Rule.Name, Description: f.Rule.Description, Time: f.Time.UTC(), Count: f.Count,
		GroupBy: f.Rule.GroupBy, Group: f.Group, AccountID: e.cfg.AccountID, Region: e.cfg.Region, Events: f.Events}
	if f.Rule.Window > 0 {
		b.Window = f.Rule.Window.String()
	}
	if b.Events == nil {
		b.Events = []Event{}
	}
	return b
}

// record is the alarm's own audit record: an AwsServiceEvent from SourceAlarms, a
// management event that is not read-only, so the Trail commits it before Handle returns.
func (e *Engine) record(id string, f Firing, ids []string) *audit.Record {
	details := map[string]any{"alarm": id, "rule": f.Rule.Name, "count": f.Count, "eventIds": ids}
	if f.Rule.Description != "" {
		details["description"] = f.Rule.Description
	}
	if f.Rule.Window > 0 {
		details["window"] = f.Rule.Window.String()
	}
	if f.Rule.GroupBy != "" {
		details["groupBy"], details["group"] = f.Rule.GroupBy, f.Group
	}
	var actions []string
	if f.Rule.Log {
		actions = append(actions, "log")
	}
	actions = append(actions, "record")
	if len(f.Rule.Webhooks) > 0 {
		actions = append(actions, "webhook")
	}
	details["actions"] = actions
	rec := &audit.Record{
		UserIdentity: audit.UserIdentity{Type: "AWSService", PrincipalID: SourceAlarms, AccountID: e.cfg.AccountID,
			InvokedBy: SourceAlarms},
		EventTime: f.Time, EventSource: SourceAlarms, EventName: EventTriggered, AWSRegion: e.cfg.Region,
		SourceIPAddress: SourceAlarms, UserAgent: SourceAlarms, EventID: id, EventType: EventTypeAlarms,
		ManagementEvent: true, ServiceEventDetails: details,
	}
	seen := map[string]bool{}
	for _, ev := range f.Events {
		for i, arn := range ev.Resources {
			if !seen[arn] && len(rec.Resources) < 2*MaxSamples {
				seen[arn] = true
				rec.Resources = append(rec.Resources, audit.Resource{ARN: arn, AccountID: e.cfg.AccountID, Type: ev.resourceTypes[i]})
			}
		}
	}
	return rec
}

// maxEventResources bounds the resources one event carries into an alarm.
const maxEventResources = 10

// eventOf copies the small, non-secret part of r an alarm carries.
func eventOf(r *audit.Record) Event {
	ev := Event{EventID: r.EventID, EventTime: r.EventTime, EventName: r.EventName, EventSource: r.EventSource,
		UserName: r.Username(), ARN: r.UserIdentity.ARN, SourceIPAddress: r.SourceIPAddress, ErrorCode: r.ErrorCode,
		accessKeyID: r.UserIdentity.AccessKeyID}
	for _, res := range r.Resources {
		if len(ev.Resources) == maxEventResources {
			break
		}
		ev.Resources = append(ev.Resources, res.ARN)
		ev.resourceTypes = append(ev.resourceTypes, res.Type)
	}
	return ev
}
