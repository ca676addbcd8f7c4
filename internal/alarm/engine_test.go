package alarm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/arcastore/arca/internal/alarmhttp"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/storage/bolt"
)

func openTrail(t *testing.T) *audit.Trail {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := audit.OpenTrail(audit.Config{DB: db, AccountID: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close(); db.Close() })
	return tr
}

// syncBuffer is a log destination safe for the engine's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The whole path on a real trail: records through Multi{trail, engine}, the built-in and a
// file rule fire, the webhook gets the body, the log gets the line, the trail gets the
// alarm's own record — which the engine then does not match again.
func TestEngineEndToEnd(t *testing.T) {
	rc := newReceiver(t, 200)
	trail := openTrail(t)
	f, err := Parse("r.yaml", []byte(`rules:
- name: probe
  match: {errorCode: NoSuchBucket}
  threshold: {count: 3, window: 1m, groupBy: userName}
- name: everything-alarmed
  match: {eventSource: arca.alarms}
`))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Build("r.yaml", f, Options{DefaultWebhook: rc.URL + "/arca"})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	eng := New(Config{Poster: alarmhttp.New(nil), Rules: rules, Recorder: trail, Region: "us-east-1", AccountID: "123456789012",
		Log: slog.New(slog.NewJSONHandler(&logs, nil)), Backoff: Backoff{Base: time.Millisecond}})
	h := audit.Multi{trail, eng}
	ctx := context.Background()
	disable := kmsRec("DisableKey", "admin", "")
	if err := h.Handle(ctx, disable); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r := &audit.Record{EventName: "HeadBucket", EventSource: audit.SourceS3, ErrorCode: "NoSuchBucket",
			UserIdentity: audit.UserIdentity{Type: "IAMUser", UserName: "mallory"}, SourceIPAddress: fmt.Sprint("10.0.0.", i)}
		h.Handle(ctx, r)
	}
	denied := kmsRec("DisableKey", "admin", "AccessDeniedException") // denied: no built-in alarm
	h.Handle(ctx, denied)
	eng.Close()

	st := eng.Stats()
	if st.Fired != 2 || st.Delivered != 2 || st.Dropped != 0 {
		t.Errorf("stats %+v, want 2 fired and delivered", st)
	}
	// Webhook bodies.
	bodies := map[string]Body{}
	for _, b := range rc.bodies {
		var body Body
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("webhook body %s: %v", b, err)
		}
		bodies[body.Rule] = body
	}
	kb := bodies["kms-key-disabled"]
	if kb.Count != 1 || len(kb.Events) != 1 || kb.Events[0].EventID != disable.EventID || kb.Events[0].UserName != "admin" ||
		kb.Events[0].EventName != "DisableKey" || kb.AccountID != "123456789012" || kb.Description == "" ||
		len(kb.Events[0].Resources) != 1 {
		t.Errorf("kms-key-disabled body: %+v", kb)
	}
	pb := bodies["probe"]
	if pb.Count != 3 || pb.Window != "1m0s" || pb.GroupBy != "userName" || pb.Group != "mallory" || len(pb.Events) != 3 {
		t.Errorf("probe body: %+v", pb)
	}
	// Log lines.
	for _, rule := range []string{"kms-key-disabled", "probe"} {
		if !strings.Contains(logs.String(), `"level":"WARN","msg":"alarm","rule":"`+rule+`"`) {
			t.Errorf("no alarm log line for %s:\n%s", rule, logs.String())
		}
	}
	// The alarms' own records, durable in the trail, not matched again (everything-alarmed
	// never fired).
	evs, _, err := trail.Lookup(audit.Query{Attribute: audit.AttrEventName, Value: EventTriggered}, time.Now())
	if err != nil || len(evs) != 2 {
		t.Fatalf("AlarmTriggered records: %d, %v", len(evs), err)
	}
	for _, e := range evs {
		r := e.Record
		d := r.ServiceEventDetails
		if r.EventType != "AwsServiceEvent" || r.EventSource != SourceAlarms || !r.ManagementEvent || r.ReadOnly ||
			r.EventCategory != audit.CategoryManagement || d["alarm"] != r.EventID || bodies[d["rule"].(string)].Alarm != r.EventID {
			t.Errorf("alarm record: %s", e.JSON)
		}
	}
}

// A full queue drops matches (counted, logged) rather than blocking Handle.
func TestEngineDropsWhenFull(t *testing.T) {
	release := make(chan struct{})
	blocking := handlerFunc(func(context.Context, *audit.Record) error { <-release; return nil })
	rules, _ := Build("", nil, Options{})
	var logs syncBuffer
	eng := New(Config{Poster: alarmhttp.New(nil), Rules: rules, Recorder: blocking, QueueSize: 1, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	const n = 20
	for i := range n {
		r := kmsRec("DisableKey", "a", "")
		r.EventID = fmt.Sprint(i)
		eng.Handle(context.Background(), r) // never blocks, though the engine is stuck
	}
	st := eng.Stats()
	if st.Matched+st.Dropped != n || st.Dropped < n-2 {
		t.Errorf("stats %+v: want at most 2 queued of %d", st, n)
	}
	close(release)
	eng.Close()
	if !strings.Contains(logs.String(), "queue full, matches dropped") {
		t.Errorf("drops not logged:\n%s", logs.String())
	}
}

type handlerFunc func(context.Context, *audit.Record) error

func (f handlerFunc) Handle(ctx context.Context, r *audit.Record) error { return f(ctx, r) }

// Close waits for webhooks up to its deadline, then gives up on them.
func TestEngineDrainDeadline(t *testing.T) {
	rc := newReceiver(t, 500)
	rules, _ := Build("", nil, Options{DefaultWebhook: rc.URL + "/T0KEN-in-the-path"})
	var logs syncBuffer
	eng := New(Config{Poster: alarmhttp.New(nil), Rules: rules, Log: slog.New(slog.NewTextHandler(&logs, nil)), DrainTimeout: 200 * time.Millisecond,
		Backoff: Backoff{Base: time.Hour, Max: time.Hour}})
	eng.Handle(context.Background(), kmsRec("DisableKey", "a", ""))
	eng.Close() // would take an hour without the deadline
	if st := eng.Stats(); st.Fired != 1 || st.DeliveryFailed != 1 || rc.count() != 1 {
		t.Errorf("stats %+v, %d requests", st, rc.count())
	}
	if !strings.Contains(logs.String(), "abandoned at shutdown") || strings.Contains(logs.String(), "T0KEN") {
		t.Errorf("log:\n%s", logs.String())
	}
}

// The request path's cost with the built-in rules: a record that matches nothing (the
// common case) and one that matches.
func BenchmarkHandle(b *testing.B) {
	rules, _ := Build("", nil, Options{})
	eng := New(Config{Poster: alarmhttp.New(nil), Rules: rules, QueueSize: 1 << 20})
	defer eng.Close()
	put := &audit.Record{EventName: "PutObject", EventSource: audit.SourceS3, SourceIPAddress: "127.0.0.1",
		UserIdentity: audit.UserIdentity{Type: "IAMUser", UserName: "u"},
		Resources:    []audit.Resource{{ARN: "arn:aws:s3:::b/k", Type: "AWS::S3::Object"}}}
	b.Run("no-match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			eng.Handle(context.Background(), put)
		}
	})
	denied := kmsRec("Decrypt", "u", "AccessDeniedException")
	b.Run("match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			eng.Handle(context.Background(), denied)
		}
	})
}
