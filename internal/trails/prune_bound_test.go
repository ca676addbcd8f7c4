package trails

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// PruneBound keeps every record a trail still has to deliver: it is the head with no
// trails (or only ones that hold nothing back), the lowest cursor of the logging trails
// and of stopped trails with records left from before StopLogging; and pruning through
// it, then delivering, loses nothing.
func TestPruneBound(t *testing.T) {
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), newRoot(t), objs)
	ctx := context.Background()
	bound := func(what string, want uint64) {
		t.Helper()
		e.records.Flush() // PruneBound sees committed records only
		if got, err := e.svc.PruneBound(); err != nil || got != want {
			t.Fatalf("%s: PruneBound %d, %v; want %d", what, got, err, want)
		}
	}
	prune := func(what string, want int) {
		t.Helper()
		e.records.Flush()
		upTo, err := e.svc.PruneBound()
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.records.Prune(time.Now().Add(time.Hour), upTo); err != nil || n != want {
			t.Fatalf("%s: pruned %d, %v; want %d", what, n, err, want)
		}
	}

	bound("empty", 0)
	e.record(t, "Old1", "Old2", "Old3") // 1..3
	bound("no trails", 3)
	if _, err := e.svc.Create(ctx, "", CreateInput{Name: "idle", Bucket: "logs"}); err != nil {
		t.Fatal(err)
	}
	bound("a trail never started", 3)
	prune("no trails holding back", 3)

	startTrail(t, e, "alpha", false) // cursor 3
	e.record(t, "A1", "A2")          // 4, 5
	bound("alpha logging, nothing delivered", 3)
	prune("alpha undelivered", 0)
	if _, err := e.svc.Flush(ctx, "", "alpha"); err != nil {
		t.Fatal(err)
	}
	bound("alpha delivered", 5)

	startTrail(t, e, "beta", false)                     // cursor 5
	e.record(t, "B1", "B2")                             // 6, 7
	if err := e.svc.Stop(ctx, "", "beta"); err != nil { // stop point 7, cursor 5
		t.Fatal(err)
	}
	e.record(t, "AfterStop") // 8
	objs.fail = errors.New("bucket gone")
	if _, err := e.svc.Flush(ctx, "", ""); err != nil {
		t.Fatal(err)
	}
	bound("deliveries failing", 5)
	prune("deliveries failing", 2) // 4, 5: alpha had them
	objs.fail = nil
	if _, err := e.svc.Flush(ctx, "", "alpha"); err != nil { // alpha: cursor 8
		t.Fatal(err)
	}
	bound("beta stopped with records to deliver", 5)
	if _, err := e.svc.Flush(ctx, "", "beta"); err != nil { // beta: cursor 7 = stop point
		t.Fatal(err)
	}
	bound("beta stopped and done", 8)
	prune("everything delivered", 3)

	got := logEvents(t, objs)
	for name, n := range map[string]int{"A1": 1, "A2": 1, "B1": 2, "B2": 2, "AfterStop": 1, "Old1": 0} {
		if got[name] != n {
			t.Fatalf("delivered %v; want %s in %d trails", got, name, n)
		}
	}
	if n, err := e.records.Verify(); err != nil || n != 0 {
		t.Fatalf("Verify after pruning everything: %d %v", n, err)
	}
}
