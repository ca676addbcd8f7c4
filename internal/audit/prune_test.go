package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// keptFrom is the index of the first record Prune(before, maxSeq) keeps: it deletes the
// prefix of records (seq = index+1) that are before `before` and within maxSeq.
func keptFrom(recs []*Record, before time.Time, maxSeq uint64) int {
	for i, r := range recs {
		if uint64(i+1) > maxSeq || !r.EventTime.Before(before) {
			return i
		}
	}
	return len(recs)
}

// storedSeqs lists the seqs stored in tr's file.
func storedSeqs(t *testing.T, tr *Trail) []uint64 {
	t.Helper()
	var out []uint64
	tr.db.View(func(tx kv.Tx) error {
		return tx.Bucket(bucketEvents).ForEach(func(k, _ []byte) error {
			out = append(out, binary.BigEndian.Uint64(k))
			return nil
		})
	})
	return out
}

// Pruning six days of records (25 920, so several 10 000-record transactions) down to
// the last three days: exactly the time-ordered prefix goes, the chain still verifies
// from the checkpoint, Lookup and its paging see exactly what is left, and ReadAfter
// starts after the checkpoint.
func TestPruneAcrossBatches(t *testing.T) {
	tr, recs, now := daysTrail(t)
	before := now.Add(-3 * 24 * time.Hour)
	k := keptFrom(recs, before, ^uint64(0))
	if k <= pruneBatch || k == len(recs) {
		t.Fatalf("test setup: %d records to prune of %d", k, len(recs))
	}
	n, err := tr.Prune(before, ^uint64(0))
	if err != nil || n != k {
		t.Fatalf("Prune: %d, %v; want %d", n, err, k)
	}
	if seqs := storedSeqs(t, tr); len(seqs) != len(recs)-k || seqs[0] != uint64(k+1) {
		t.Fatalf("stored %d records from %d, want %d from %d", len(seqs), seqs[0], len(recs)-k, k+1)
	}
	if got, err := tr.Verify(); err != nil || got != len(recs)-k {
		t.Fatalf("Verify after prune: %d, %v", got, err)
	}
	if n, err := tr.Prune(before, ^uint64(0)); err != nil || n != 0 {
		t.Fatalf("second Prune with the same cut: %d, %v", n, err)
	}
	start := now.Add(-6 * 24 * time.Hour)
	for _, q := range []Query{{}, {MaxResults: 7, Attribute: AttrEventName, Value: "Decrypt"}} {
		q.Start = start
		if got, w := all(t, tr, q, now), want(recs[k:], q, start, now); !slices.Equal(got, w) {
			t.Fatalf("%+v after prune: %d events, want %d", q, len(got), len(w))
		}
	}
	got, err := ReadAfter(tr.db, 0, uint64(len(recs)), 5, 1<<20)
	if err != nil || len(got) != 5 || got[0].Seq != uint64(k+1) {
		t.Fatalf("ReadAfter(0) after prune: %v %+v", err, got)
	}
	got, err = ReadAfter(tr.db, uint64(k+10), uint64(k+12), 50, 1<<20)
	if err != nil || len(got) != 2 || got[0].Seq != uint64(k+11) || string(got[1].JSON) != string(mustJSON(t, recs[k+11])) {
		t.Fatalf("ReadAfter(k+10) after prune: %v %+v", err, got)
	}
}

func mustJSON(t *testing.T, r *Record) []byte {
	t.Helper()
	b, err := r.appendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// minuteTrail stores n records one minute apart ending an hour ago.
func minuteTrail(t *testing.T, n int) (*Trail, []*Record) {
	t.Helper()
	tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
	t.Cleanup(func() { tr.Close(); db.Close() })
	first := time.Now().Add(-time.Hour - time.Duration(n)*time.Minute).Truncate(time.Second)
	var recs []*Record
	for i := range n {
		r := rec(fmt.Sprint("Op", i), "u", false, true)
		r.EventTime = first.Add(time.Duration(i) * time.Minute)
		if err := tr.Handle(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	return tr, recs
}

// maxSeq holds records back however old they are; records at or after `before` stay;
// small transactions add up to the same result.
func TestPruneBounds(t *testing.T) {
	tr, recs := minuteTrail(t, 40)
	if n, err := tr.Prune(time.Now(), 12); err != nil || n != 12 {
		t.Fatalf("Prune(now, 12): %d, %v", n, err)
	}
	if n, err := tr.Prune(recs[20].EventTime, ^uint64(0)); err != nil || n != 8 {
		t.Fatalf("Prune(before record 21): %d, %v; want 8 (13..20)", n, err)
	}
	for _, limit := range []int{3, 3, 3} {
		if n, more, err := tr.pruneOnce(recs[29].EventTime, ^uint64(0), limit); err != nil || n != 3 || !more {
			t.Fatalf("pruneOnce limit %d: %d %v %v", limit, n, more, err)
		}
	}
	if n, more, err := tr.pruneOnce(recs[29].EventTime, ^uint64(0), 3); err != nil || n != 0 || more {
		t.Fatalf("pruneOnce at the cut: %d %v %v", n, more, err)
	}
	if seqs := storedSeqs(t, tr); len(seqs) != 11 || seqs[0] != 30 {
		t.Fatalf("stored %v, want 30..40", seqs)
	}
	if n, err := tr.Verify(); err != nil || n != 11 {
		t.Fatalf("Verify: %d %v", n, err)
	}
	// Pruning everything leaves an empty, valid chain that new records continue.
	if n, err := tr.Prune(time.Now(), ^uint64(0)); err != nil || n != 11 {
		t.Fatalf("Prune(all): %d %v", n, err)
	}
	if n, err := tr.Verify(); err != nil || n != 0 {
		t.Fatalf("Verify when all pruned: %d %v", n, err)
	}
	tr.Handle(context.Background(), rec("After", "u", true, false))
	if seqs := storedSeqs(t, tr); !slices.Equal(seqs, []uint64{41}) {
		t.Fatalf("after a new record: %v", seqs)
	}
	if n, err := tr.Verify(); err != nil || n != 1 {
		t.Fatalf("Verify after a new record: %d %v", n, err)
	}
}

// After a prune, Verify still catches a missing, altered or re-inserted record and a
// checkpoint that the first stored record does not chain to.
func TestPruneVerifyDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(ev, hb kv.Bucket)
	}{
		{"first missing", func(ev, hb kv.Bucket) { ev.Delete(seqKey(11)) }},
		{"middle missing", func(ev, hb kv.Bucket) { ev.Delete(seqKey(15)) }},
		{"altered", func(ev, hb kv.Bucket) {
			v := append([]byte(nil), ev.Get(seqKey(12))...)
			v[len(v)-3] ^= 1
			ev.Put(seqKey(12), v)
		}},
		{"inserted before", func(ev, hb kv.Bucket) {
			ev.Put(seqKey(10), append(make([]byte, 32), `{"eventTime":"2020-01-01T00:00:00Z"}`...))
		}},
		{"tail missing", func(ev, hb kv.Bucket) { ev.Delete(seqKey(20)) }},
		{"checkpoint changed", func(ev, hb kv.Bucket) {
			v := append([]byte(nil), hb.Get(keyBase)...)
			v[len(v)-1] ^= 1
			hb.Put(keyBase, v)
		}},
		{"checkpoint deleted", func(ev, hb kv.Bucket) { hb.Delete(keyBase) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := minuteTrail(t, 20)
			if n, err := tr.Prune(time.Now(), 10); err != nil || n != 10 {
				t.Fatalf("Prune: %d %v", n, err)
			}
			if _, err := tr.Verify(); err != nil {
				t.Fatal(err)
			}
			tr.db.Update(func(tx kv.Tx) error {
				tc.tamper(tx.Bucket(bucketEvents), tx.Bucket(bucketHead))
				return nil
			})
			if _, err := tr.Verify(); !errors.Is(err, ErrChainBroken) {
				t.Fatalf("Verify after %s: %v", tc.name, err)
			}
		})
	}
}

// Prune never deletes the evidence: it stops before a record that does not chain, so
// Verify keeps naming it.
func TestPruneStopsAtBrokenChain(t *testing.T) {
	tr, _ := minuteTrail(t, 10)
	tr.db.Update(func(tx kv.Tx) error {
		ev := tx.Bucket(bucketEvents)
		v := append([]byte(nil), ev.Get(seqKey(4))...)
		v[len(v)-3] ^= 1
		return ev.Put(seqKey(4), v)
	})
	n, err := tr.Prune(time.Now(), ^uint64(0))
	if !errors.Is(err, ErrChainBroken) || n != 0 {
		t.Fatalf("Prune over an altered record: %d %v", n, err)
	}
	if seqs := storedSeqs(t, tr); len(seqs) != 10 {
		t.Fatalf("stored %v after a refused prune", seqs)
	}
	if _, err := tr.Verify(); err == nil || !errors.Is(err, ErrChainBroken) {
		t.Fatalf("Verify: %v", err)
	}
	if n, err := tr.Prune(time.Now(), 3); err != nil || n != 3 {
		t.Fatalf("Prune up to the altered record: %d %v", n, err)
	}
	if _, err := tr.Verify(); err == nil || err.Error() != "audit: the trail's hash chain is broken: record 4 altered" {
		t.Fatalf("Verify after pruning up to it: %v", err)
	}
}

// A page token whose record was pruned since ends the listing (everything older is gone
// too) instead of failing; a token beyond the head is still invalid.
func TestLookupTokenAfterPrune(t *testing.T) {
	tr, recs := minuteTrail(t, 10)
	now := time.Now()
	evs, next, err := tr.Lookup(Query{MaxResults: 4}, now)
	if err != nil || len(evs) != 4 || next == "" {
		t.Fatalf("first page: %d %q %v", len(evs), next, err)
	}
	if n, err := tr.Prune(recs[7].EventTime, ^uint64(0)); err != nil || n != 7 {
		t.Fatalf("Prune: %d %v", n, err)
	}
	evs, next, err = tr.Lookup(Query{MaxResults: 4, NextToken: next}, now)
	if err != nil || len(evs) != 0 || next != "" {
		t.Fatalf("page after its records were pruned: %d %q %v", len(evs), next, err)
	}
	if _, _, err := tr.Lookup(Query{NextToken: formatToken(99)}, now); !errors.Is(err, ErrInvalidNextToken) {
		t.Fatalf("token beyond the head: %v", err)
	}
	if got := all(t, tr, Query{MaxResults: 1}, now); !slices.Equal(got, want(recs[7:], Query{}, now.Add(-Window), now)) {
		t.Fatalf("paging after prune: %v", got)
	}
}
