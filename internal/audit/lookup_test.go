package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// daysTrail stores one record every 20 s for six days, ending at now, with every seventh
// record stamped 45 s early (stored after two records newer than it, within TimeSkew),
// and returns the records in seq order.
func daysTrail(t *testing.T) (*Trail, []*Record, time.Time) {
	t.Helper()
	tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
	t.Cleanup(func() { tr.Close(); db.Close() })
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	const step = 20 * time.Second
	const n = 6 * 24 * int(time.Hour/step)
	first := now.Add(-time.Duration(n) * step)
	var recs []*Record
	for i := range n {
		r := rec([]string{"Decrypt", "Encrypt", "PutKeyPolicy"}[i%3], []string{"alice", "bob"}[i%2], true, i%3 != 2)
		r.EventTime = first.Add(time.Duration(i+1) * step)
		if i%7 == 0 {
			r.EventTime = r.EventTime.Add(-45 * time.Second)
		}
		if err := tr.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	return tr, recs, now
}

// want is the brute-force answer: every record in [start, end] matching the attribute,
// newest (highest seq) first.
func want(recs []*Record, q Query, start, end time.Time) []string {
	var ids []string
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if !r.EventTime.Before(start) && !r.EventTime.After(end) && matches(r, q.Attribute, q.Value) {
			ids = append(ids, r.EventID)
		}
	}
	return ids
}

// all follows every page of q.
func all(t *testing.T, tr *Trail, q Query, now time.Time) []string {
	t.Helper()
	var ids []string
	for {
		evs, next, err := tr.Lookup(q, now)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		for _, e := range evs {
			ids = append(ids, e.Record.EventID)
		}
		if next == "" {
			return ids
		}
		q.NextToken = next
	}
}

// Lookups over six days of records (built once for both checks).
func TestLookupOverDays(t *testing.T) {
	tr, recs, now := daysTrail(t)
	t.Run("time ranges", func(t *testing.T) { lookupTimeRanges(t, tr, recs, now) })
	t.Run("seeks instead of scanning", func(t *testing.T) { lookupSeeks(t, tr, recs, now) })
}

// Time-bounded lookups give exactly the brute-force answer, page after page, including
// records stored out of time order.
func lookupTimeRanges(t *testing.T, tr *Trail, recs []*Record, now time.Time) {
	rng := rand.New(rand.NewPCG(1, 2))
	span := 6 * 24 * time.Hour
	for i := range 40 {
		start := now.Add(-time.Duration(rng.Int64N(int64(span))))
		end := start.Add(time.Duration(rng.Int64N(int64(6 * time.Hour))))
		q := Query{Start: start, End: end, MaxResults: 1 + rng.IntN(50)}
		if i%2 == 1 {
			q.Attribute, q.Value = AttrEventName, "PutKeyPolicy"
		}
		got := all(t, tr, q, now)
		if w := want(recs, q, start, end); !slices.Equal(got, w) {
			t.Fatalf("%v to %v (%s=%s): %d events, want %d", start, end, q.Attribute, q.Value, len(got), len(w))
		}
	}
	// The exact edges: a range that starts or ends on a record's second includes it.
	for _, r := range []*Record{recs[0], recs[7], recs[10001], recs[len(recs)-1]} {
		got := all(t, tr, Query{Start: r.EventTime, End: r.EventTime}, now)
		if !slices.Contains(got, r.EventID) {
			t.Errorf("a range of exactly %v misses the record stamped then", r.EventTime)
		}
	}
	// No End: up to now.
	start := now.Add(-90 * time.Minute)
	if got, w := all(t, tr, Query{Start: start}, now), want(recs, Query{}, start, now); !slices.Equal(got, w) {
		t.Errorf("last 90 minutes: %d events, want %d", len(got), len(w))
	}
	// A range before the first record or after the last is empty.
	for _, q := range []Query{{Start: now.Add(-20 * 24 * time.Hour), End: now.Add(-7 * 24 * time.Hour)},
		{Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)}} {
		if got := all(t, tr, q, now.Add(3*time.Hour)); len(got) != 0 {
			t.Errorf("%v to %v: %d events, want none", q.Start, q.End, len(got))
		}
	}
}

// A one-hour range five days back examines about an hour of records, not the five days
// after it (binary search to the end of the range) nor the five before (early stop).
func lookupSeeks(t *testing.T, tr *Trail, recs []*Record, now time.Time) {
	slack := 2*int(TimeSkew/(20*time.Second)) + 64 // skew at both ends, and the binary search's reads
	for _, tc := range []struct {
		name       string
		start, end time.Time
		records    int
	}{
		{"one hour five days back", now.Add(-5 * 24 * time.Hour), now.Add(-5*24*time.Hour + time.Hour), 180},
		{"the last hour", now.Add(-time.Hour), now, 180},
		{"one day five days back", now.Add(-5 * 24 * time.Hour), now.Add(-4 * 24 * time.Hour), 24 * 180},
	} {
		evs, _, examined, err := lookupDB(tr.db, Query{MaxResults: 50}, 0, tc.start, tc.end)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 50 {
			t.Errorf("%s: %d events, want a full page", tc.name, len(evs))
		}
		// The first page needs only its 50 records (plus skew) when the range holds more.
		if examined > 50+slack {
			t.Errorf("%s: first page examined %d of %d records", tc.name, examined, len(recs))
		}
		var all int
		_, _, all, err = lookupDB(tr.db, Query{MaxResults: 50, Attribute: AttrEventID, Value: "none"}, 0, tc.start, tc.end)
		if err != nil {
			t.Fatal(err)
		}
		if all > tc.records+slack {
			t.Errorf("%s: a lookup matching nothing examined %d of %d records, want about %d", tc.name, all, len(recs), tc.records)
		}
	}
}

// Lookup keeps LookupEvents' 90-day window; LookupDB (offline) honours an older Start.
func TestLookupWindow(t *testing.T) {
	tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
	defer db.Close()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, age := range []time.Duration{120 * 24 * time.Hour, 100 * 24 * time.Hour, 89 * 24 * time.Hour, time.Hour} {
		r := rec("Decrypt", fmt.Sprint(age), true, true)
		r.EventTime = now.Add(-age)
		tr.Handle(context.Background(), r)
	}
	tr.Flush()
	longAgo := now.Add(-365 * 24 * time.Hour)
	if got := all(t, tr, Query{Start: longAgo}, now); len(got) != 2 {
		t.Errorf("Lookup from a year back: %d events, want the 2 inside 90 days", len(got))
	}
	if got := all(t, tr, Query{Start: longAgo, End: now.Add(-95 * 24 * time.Hour)}, now); len(got) != 0 {
		t.Errorf("Lookup of a range wholly before the window: %d events, want none", len(got))
	}
	evs, _, err := LookupDB(db, Query{Start: longAgo}, now)
	if err != nil || len(evs) != 4 {
		t.Errorf("LookupDB from a year back: %d events, %v; want 4", len(evs), err)
	}
	evs, next, err := LookupDB(db, Query{Start: longAgo, MaxResults: 3}, now)
	if err != nil || len(evs) != 3 || next == "" {
		t.Fatalf("LookupDB page 1: %d events, next %q, %v", len(evs), next, err)
	}
	evs, next, err = LookupDB(db, Query{Start: longAgo, MaxResults: 3, NextToken: next}, now)
	if err != nil || len(evs) != 1 || next != "" {
		t.Errorf("LookupDB page 2: %d events, next %q, %v", len(evs), next, err)
	}
}

func TestRecordTime(t *testing.T) {
	r := rec("Decrypt", `a"eventTime":"1999-01-01T00:00:00Z`, true, true)
	r.Fill("123456789012")
	r.EventTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	raw, _ := json.Marshal(r)
	if at, ok := recordTime(raw); !ok || !at.Equal(r.EventTime) {
		t.Errorf("recordTime = %v %v, want %v", at, ok, r.EventTime)
	}
	if _, ok := recordTime([]byte(`{"eventVersion":"1.11"}`)); ok {
		t.Error("recordTime of a record without eventTime: ok")
	}
}
