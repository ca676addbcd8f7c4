package accesslog

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// target is an in-memory target bucket: key → body, and how many writes each key got.
type target struct {
	mu     sync.Mutex
	objs   map[string]string
	writes map[string]int
	// fail, if set, decides a write's error before it happens (after, when failAfter).
	fail      func(o Object) error
	failAfter bool
}

func (tg *target) put(ctx context.Context, o Object) error {
	if tg.fail != nil && !tg.failAfter {
		if err := tg.fail(o); err != nil {
			return err
		}
	}
	tg.mu.Lock()
	tg.objs[o.Bucket+"/"+o.Key] = string(o.Body)
	tg.writes[o.Bucket+"/"+o.Key]++
	tg.mu.Unlock()
	if tg.fail != nil && tg.failAfter {
		return tg.fail(o) // written, then "crashed" before the cursor moved
	}
	return nil
}

// lines counts every delivered line by request id.
func (tg *target) lines(t *testing.T) map[string]int {
	out := map[string]int{}
	for k, body := range tg.objs {
		for _, s := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
			l, err := Parse(s)
			if err != nil {
				t.Fatalf("%s: %q: %v", k, s, err)
			}
			out[l.RequestID]++
		}
	}
	return out
}

type deliveryEnv struct {
	svc     *Service
	records *audit.Trail
	tg      *target
}

func newDeliveryEnv(t *testing.T) *deliveryEnv {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	records, err := audit.OpenTrail(audit.Config{DB: db, AccountID: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { records.Close(); db.Close() })
	tg := &target{objs: map[string]string{}, writes: map[string]int{}}
	svc, err := New(Deps{DB: db, Head: records.Head, Put: tg.put, Now: func() time.Time { return time.Date(2026, 12, 6, 13, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return &deliveryEnv{svc: svc, records: records, tg: tg}
}

// request records one S3 request on bucket; logged says whether the bucket logs (to
// target "logs" under prefix "p/").
func (e *deliveryEnv) request(t *testing.T, bucket, id string, logged bool) {
	t.Helper()
	rec := &audit.Record{EventName: "PutObject", EventSource: audit.SourceS3, RequestID: id,
		RequestParameters: map[string]any{"bucketName": bucket, "key": "k"}, AdditionalEventData: map[string]any{}}
	if logged {
		rec.AdditionalEventData[DetailsKey] = Details{Target: Config{TargetBucket: "logs", TargetPrefix: "p/"}, Owner: "abc",
			OwnerAcct: "111122223333", Region: "us-east-1", Operation: "REST.PUT.OBJECT", RequestURI: "PUT /" + bucket + "/k HTTP/1.1",
			Status: 200, ObjectSize: 1, TotalMs: 1, TurnMs: 1}
	}
	if err := e.records.Handle(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
}

func TestDeliverOnlyLoggedBuckets(t *testing.T) {
	e := newDeliveryEnv(t)
	e.request(t, "src", "A", true)
	e.request(t, "other", "B", false)
	e.request(t, "src2", "C", true)
	objects, lines, err := e.svc.Deliver(context.Background())
	if err != nil || objects != 2 || lines != 2 {
		t.Fatalf("Deliver: %d objects, %d lines, %v; want 2, 2", objects, lines, err)
	}
	got := e.tg.lines(t)
	if got["A"] != 1 || got["C"] != 1 || got["B"] != 0 {
		t.Fatalf("lines %v", got)
	}
	// Nothing new: nothing written.
	if objects, _, err := e.svc.Deliver(context.Background()); err != nil || objects != 0 {
		t.Fatalf("second Deliver: %d objects, %v", objects, err)
	}
}

// A pass that wrote some objects and died before moving its cursor is finished by the next
// one under the same keys: every line once, no extra object.
func TestDeliverAfterCrashWritesSameKeys(t *testing.T) {
	e := newDeliveryEnv(t)
	e.request(t, "src", "A", true)
	e.request(t, "src2", "B", true)
	crash := errors.New("crash")
	e.tg.fail, e.tg.failAfter = func(o Object) error {
		if o.SourceBucket == "src2" {
			return crash
		}
		return nil
	}, true
	if _, _, err := e.svc.Deliver(context.Background()); !errors.Is(err, crash) {
		t.Fatalf("Deliver: %v, want the crash", err)
	}
	if b, err := e.svc.Cursor(); err != nil || b != 0 {
		t.Fatalf("prune bound during the unfinished pass: %d %v, want 0 (its start)", b, err)
	}
	keys := len(e.tg.objs)
	e.tg.fail = nil
	e.request(t, "src", "C", true)
	if _, _, err := e.svc.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, err := e.svc.Cursor(); err != nil || b != 3 {
		t.Fatalf("prune bound after delivery: %d %v, want 3", b, err)
	}
	got := e.tg.lines(t)
	if got["A"] != 1 || got["B"] != 1 || got["C"] != 1 {
		t.Fatalf("lines %v, want each once", got)
	}
	if len(e.tg.objs) != keys+1 {
		t.Fatalf("%d objects after the redo, want %d (the same two keys, and C's)", len(e.tg.objs), keys+1)
	}
}

// A target that no longer accepts logs loses its lines (as on S3); the others are delivered
// and the cursor moves on.
func TestDeliverDropsUnusableTarget(t *testing.T) {
	e := newDeliveryEnv(t)
	e.request(t, "src", "A", true)
	e.request(t, "src2", "B", true)
	e.tg.fail = func(o Object) error {
		if o.SourceBucket == "src" {
			return errs.New(ErrTargetUnusable, "gone")
		}
		return nil
	}
	if _, lines, err := e.svc.Deliver(context.Background()); err != nil || lines != 1 {
		t.Fatalf("Deliver: %d lines, %v", lines, err)
	}
	e.tg.fail = nil
	if objects, _, err := e.svc.Deliver(context.Background()); err != nil || objects != 0 {
		t.Fatalf("second Deliver: %d objects, %v (the dropped lines must not come back)", objects, err)
	}
}

func TestObjectKey(t *testing.T) {
	at := time.Date(2026, 12, 6, 13, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		cfg  Config
		day  string
		want string
	}{
		{Config{TargetBucket: "l", TargetPrefix: "p/"}, "", "p/2026-12-06-13-04-05-0123456789ABCDEF"},
		{Config{TargetBucket: "l", TargetPrefix: "p/", KeyFormat: FormatPartitioned, PartitionDateSource: DateDeliveryTime}, "",
			"p/111122223333/us-east-1/src/2026/12/06/2026-12-06-13-04-05-0123456789ABCDEF"},
		{Config{TargetBucket: "l", KeyFormat: FormatPartitioned, PartitionDateSource: DateEventTime}, "2026/12/05",
			"111122223333/us-east-1/src/2026/12/05/2026-12-06-13-04-05-0123456789ABCDEF"},
	} {
		if got := ObjectKey(c.cfg, "111122223333", "us-east-1", "src", at, c.day, "0123456789ABCDEF"); got != c.want {
			t.Errorf("%+v: %s, want %s", c.cfg, got, c.want)
		}
	}
}
