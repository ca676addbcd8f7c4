package alarm

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ev(id string, at time.Time, user string) Event {
	return Event{EventID: id, EventTime: at, EventName: "Decrypt", UserName: user}
}

func thresholdRule(count int, window, cooldown time.Duration, groupBy string) *Rule {
	return &Rule{Name: "t", Count: count, Window: window, Cooldown: cooldown, GroupBy: groupBy}
}

// 10 in 5 minutes fires at the 10th, not before; the window then starts over.
func TestWindowThreshold(t *testing.T) {
	tr := newTracker(thresholdRule(10, 5*time.Minute, 5*time.Minute, ""))
	for i := range 9 {
		at := t0.Add(time.Duration(i) * 20 * time.Second)
		if f := tr.add(ev(fmt.Sprint(i), at, "a"), at); f != nil {
			t.Fatalf("fired at event %d", i+1)
		}
	}
	at := t0.Add(3 * time.Minute)
	f := tr.add(ev("9", at, "a"), at)
	if f == nil || f.Count != 10 || len(f.Events) != MaxSamples || f.Events[0].EventID != "0" || f.Events[9].EventID != "9" {
		t.Fatalf("10th event: %+v", f)
	}
	// The window emptied: 9 more do not fire even though the cooldown would allow it later.
	for i := range 9 {
		at := t0.Add(10*time.Minute + time.Duration(i)*time.Second)
		if f := tr.add(ev(fmt.Sprint("b", i), at, "a"), at); f != nil {
			t.Fatalf("fired again after %d new events", i+1)
		}
	}
}

// Events older than the window no longer count.
func TestWindowSlides(t *testing.T) {
	tr := newTracker(thresholdRule(3, time.Minute, 0, ""))
	tr.add(ev("1", t0, "a"), t0)
	tr.add(ev("2", t0.Add(30*time.Second), "a"), t0.Add(30*time.Second))
	// At t0+61s the first has left the window: 2 in it, no alarm.
	at := t0.Add(61 * time.Second)
	if f := tr.add(ev("3", at, "a"), at); f != nil {
		t.Fatalf("fired with an expired event: %+v", f)
	}
	at = t0.Add(62 * time.Second)
	if f := tr.add(ev("4", at, "a"), at); f == nil || f.Count != 3 || f.Events[0].EventID != "2" {
		t.Fatalf("3 within a minute: %+v", f)
	}
}

// A rule without a threshold fires on the first event, then batches the events of its
// cooldown into one alarm at the first tick after it ends; nothing is lost.
func TestCooldownBatches(t *testing.T) {
	tr := newTracker(&Rule{Name: "k", Count: 1, Cooldown: time.Minute})
	if f := tr.add(ev("1", t0, "a"), t0); f == nil || f.Count != 1 {
		t.Fatalf("first event: %+v", f)
	}
	for i := range 25 {
		at := t0.Add(time.Duration(i+1) * time.Second)
		if f := tr.add(ev(fmt.Sprint("c", i), at, "a"), at); f != nil {
			t.Fatalf("fired during the cooldown: %+v", f)
		}
	}
	if fs := tr.due(t0.Add(59 * time.Second)); len(fs) != 0 {
		t.Fatalf("due before the cooldown ended: %+v", fs)
	}
	fs := tr.due(t0.Add(60 * time.Second))
	if len(fs) != 1 || fs[0].Count != 25 || len(fs[0].Events) != MaxSamples || fs[0].Events[MaxSamples-1].EventID != "c24" {
		t.Fatalf("at the cooldown's end: %+v", fs)
	}
	if fs := tr.due(t0.Add(10 * time.Minute)); len(fs) != 0 {
		t.Fatalf("nothing pending, yet: %+v", fs)
	}
	// Idle groups are forgotten.
	if len(tr.groups) != 0 {
		t.Errorf("%d groups kept", len(tr.groups))
	}
	// With the cooldown over, the next event fires at once.
	at := t0.Add(11 * time.Minute)
	if f := tr.add(ev("late", at, "a"), at); f == nil || f.Count != 1 {
		t.Fatalf("after the cooldown: %+v", f)
	}
}

// Cooldown 0 fires on every event.
func TestNoCooldown(t *testing.T) {
	tr := newTracker(&Rule{Name: "k", Count: 1})
	for i := range 5 {
		if f := tr.add(ev(fmt.Sprint(i), t0, "a"), t0); f == nil || f.Count != 1 {
			t.Fatalf("event %d: %+v", i, f)
		}
	}
}

// A threshold reached during the cooldown fires when it ends, if still within the window.
func TestThresholdDuringCooldown(t *testing.T) {
	tr := newTracker(thresholdRule(2, time.Minute, 5*time.Minute, ""))
	tr.add(ev("1", t0, "a"), t0)
	if f := tr.add(ev("2", t0, "a"), t0); f == nil {
		t.Fatal("no first alarm")
	}
	// Two at +4m30s: reached, but cooling down until +5m.
	at := t0.Add(4*time.Minute + 30*time.Second)
	tr.add(ev("3", at, "a"), at)
	if f := tr.add(ev("4", at, "a"), at); f != nil {
		t.Fatal("fired during the cooldown")
	}
	if fs := tr.due(t0.Add(5 * time.Minute)); len(fs) != 1 || fs[0].Count != 2 {
		t.Fatalf("at the cooldown's end: %+v", fs)
	}
	// Two more during the next cooldown that expire before it ends: no alarm.
	at = t0.Add(6 * time.Minute)
	tr.add(ev("5", at, "a"), at)
	tr.add(ev("6", at, "a"), at)
	if fs := tr.due(t0.Add(10 * time.Minute)); len(fs) != 0 {
		t.Fatalf("expired events fired: %+v", fs)
	}
}

// groupBy counts per value; a flush at shutdown fires what is reached, cooldown or not.
func TestGroupByAndFlush(t *testing.T) {
	tr := newTracker(thresholdRule(3, time.Minute, time.Hour, "userName"))
	for i := range 2 {
		tr.add(ev(fmt.Sprint("a", i), t0, "alice"), t0)
		tr.add(ev(fmt.Sprint("b", i), t0, "bob"), t0)
	}
	f := tr.add(ev("a2", t0, "alice"), t0)
	if f == nil || f.Group != "alice" || f.Count != 3 {
		t.Fatalf("alice: %+v", f)
	}
	for i := range 3 {
		if f := tr.add(ev(fmt.Sprint("a", 3+i), t0, "alice"), t0); f != nil {
			t.Fatal("alice fired during her cooldown")
		}
	}
	if f := tr.add(ev("b2", t0, "bob"), t0); f == nil || f.Group != "bob" {
		t.Fatalf("bob is counted apart from alice: %+v", f)
	}
	fs := tr.flush(t0.Add(time.Second))
	if len(fs) != 1 || fs[0].Group != "alice" || fs[0].Count != 3 {
		t.Fatalf("flush: %+v", fs)
	}
}

// Past MaxGroups live groups, new values share the overflow group.
func TestGroupOverflow(t *testing.T) {
	tr := newTracker(thresholdRule(2, time.Hour, 0, "userName"))
	for i := range MaxGroups {
		tr.add(ev("x", t0, fmt.Sprint("u", i)), t0)
	}
	tr.add(ev("y", t0, "new1"), t0)
	if f := tr.add(ev("z", t0, "new2"), t0); f == nil || f.Group != overflowGroup || f.Count != 2 {
		t.Fatalf("overflow: %+v", f)
	}
	if len(tr.groups) != MaxGroups+1 {
		t.Errorf("%d groups", len(tr.groups))
	}
}

// Memory is bounded by the window's seconds, not by the rate.
func TestWindowMemory(t *testing.T) {
	tr := newTracker(thresholdRule(MaxCount, time.Minute, 0, ""))
	for i := range 50000 {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		tr.add(ev("e", at, "a"), at)
	}
	g := tr.groups[""]
	if g.total != 50000 || len(g.secs) != 50 || len(g.samples) != MaxSamples {
		t.Fatalf("total %d, %d seconds kept, %d samples", g.total, len(g.secs), len(g.samples))
	}
}
