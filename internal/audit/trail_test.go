package audit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// testRoot is the root key of the tests' keyed trails.
var testRoot = func() *rootkey.Key {
	k, err := rootkey.Parse(rootkey.Generate())
	if err != nil {
		panic(err)
	}
	return k
}()

// openTestTrail opens a keyed trail (the server's kind) in a new or existing file.
func openTestTrail(t *testing.T, path string) (*Trail, *bolt.Store) {
	t.Helper()
	return openTrailWith(t, path, testRoot)
}

// openTrailWith opens the trail at path with root (nil: unkeyed, as before the chain key).
func openTrailWith(t *testing.T, path string, root *rootkey.Key) (*Trail, *bolt.Store) {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := OpenTrail(Config{DB: db, AccountID: "123456789012", Root: root})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return tr, db
}

func rec(name, user string, mgmt, ro bool) *Record {
	return &Record{EventName: name, EventSource: SourceKMS, ManagementEvent: mgmt, ReadOnly: ro,
		UserIdentity: UserIdentity{Type: "IAMUser", UserName: user, AccessKeyID: "AKIA" + user},
		Resources:    []Resource{{ARN: "arn:aws:s3:::bucket-" + user, Type: "AWS::S3::Bucket"}}}
}

// A management change is on disk when Handle returns: close the file without Close (as a
// crash would leave it) and reopen.
func TestDurableBeforeReturn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	tr, db := openTestTrail(t, path)
	r := rec("PutKeyPolicy", "alice", true, false)
	if err := tr.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	close(tr.stop) // stop the flusher without flushing
	<-tr.done
	tr.closed = true
	db.Close()
	tr2, db2 := openTestTrail(t, path)
	defer db2.Close()
	evs, _, err := tr2.Lookup(Query{Attribute: AttrEventID, Value: r.EventID}, time.Now())
	if err != nil || len(evs) != 1 || evs[0].Record.EventName != "PutKeyPolicy" {
		t.Fatalf("after reopen: %v %+v", err, evs)
	}
	if n, err := tr2.Verify(); err != nil || n != 1 {
		t.Fatalf("Verify: %d %v", n, err)
	}
}

// Data events are committed by the flusher within the bound, and on Close.
func TestDataEventsBoundAndClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	tr, db := openTestTrail(t, path)
	tr.Handle(context.Background(), rec("GetObject", "bob", false, true))
	time.Sleep(MaxFlushInterval + 300*time.Millisecond)
	var n int
	db.View(func(tx kv.Tx) error { n = countKeys(tx.Bucket(bucketEvents)); return nil })
	if n != 1 {
		t.Fatalf("after the flush interval %d records are stored, want 1", n)
	}
	tr.Handle(context.Background(), rec("PutObject", "bob", false, false))
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Handle(context.Background(), rec("PutObject", "bob", false, false)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Handle after Close: %v", err)
	}
	db.View(func(tx kv.Tx) error { n = countKeys(tx.Bucket(bucketEvents)); return nil })
	if n != 2 {
		t.Fatalf("after Close %d records are stored, want 2", n)
	}
	db.Close()
}

// A failed write fails a management call (fail closed).
func TestFailClosed(t *testing.T) {
	tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
	db.Update(func(tx kv.Tx) error { return tx.DeleteBucket(bucketHead) })
	if err := tr.Handle(context.Background(), rec("DisableKey", "alice", true, false)); err == nil {
		t.Fatal("Handle of a management event succeeded although the trail cannot be written")
	}
	db.Close()
}

func TestChainDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(b kv.Bucket)
	}{
		{"delete", func(b kv.Bucket) { b.Delete(seqKey(3)) }},
		{"alter", func(b kv.Bucket) {
			v := append([]byte(nil), b.Get(seqKey(2))...)
			v[len(v)-3] ^= 1
			b.Put(seqKey(2), v)
		}},
		{"truncate", func(b kv.Bucket) { b.Delete(seqKey(5)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
			defer db.Close()
			for i := range 5 {
				tr.Handle(context.Background(), rec(fmt.Sprint("Op", i), "u", true, false))
			}
			if _, err := tr.Verify(); err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx kv.Tx) error { tc.tamper(tx.Bucket(bucketEvents)); return nil })
			if _, err := tr.Verify(); !errors.Is(err, ErrChainBroken) {
				t.Fatalf("Verify after %s: %v", tc.name, err)
			}
		})
	}
}

func TestLookupFiltersAndPages(t *testing.T) {
	tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
	defer db.Close()
	ctx := context.Background()
	old := rec("Decrypt", "alice", true, true)
	old.EventTime = time.Now().Add(-100 * 24 * time.Hour) // outside the 90-day window
	tr.Handle(ctx, old)
	for range 7 {
		tr.Handle(ctx, rec("Decrypt", "alice", true, true))
	}
	tr.Handle(ctx, &Record{EventName: "PutObject", EventSource: SourceS3, UserIdentity: UserIdentity{Type: "Root", AccessKeyID: "AKIAROOT"},
		Resources: []Resource{{ARN: "arn:aws:s3:::photos/cat.jpg", Type: "AWS::S3::Object"}}})
	now := time.Now().Add(time.Second)
	count := func(q Query) int {
		t.Helper()
		evs, _, err := tr.Lookup(q, now)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		return len(evs)
	}
	for _, tc := range []struct {
		q    Query
		want int
	}{
		{Query{}, 8},
		{Query{Attribute: AttrEventName, Value: "Decrypt"}, 7},
		{Query{Attribute: AttrUsername, Value: "root"}, 1},
		{Query{Attribute: AttrUsername, Value: "alice"}, 7},
		{Query{Attribute: AttrReadOnly, Value: "false"}, 1},
		{Query{Attribute: AttrResourceType, Value: "AWS::S3::Object"}, 1},
		{Query{Attribute: AttrResourceName, Value: "photos/cat.jpg"}, 1},
		{Query{Attribute: AttrResourceName, Value: "arn:aws:s3:::bucket-alice"}, 7},
		{Query{Attribute: AttrEventSource, Value: SourceS3}, 1},
		{Query{Attribute: AttrAccessKeyID, Value: "AKIAalice"}, 7},
		{Query{Start: now.Add(-time.Hour), End: now.Add(-30 * time.Minute)}, 0},
	} {
		if got := count(tc.q); got != tc.want {
			t.Errorf("%+v: %d events, want %d", tc.q, got, tc.want)
		}
	}
	// Pages of 3: 3 + 3 + 2, newest first, no repeats.
	seen := map[string]bool{}
	q := Query{MaxResults: 3}
	pages := 0
	for {
		evs, next, err := tr.Lookup(q, now)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range evs {
			if seen[e.Record.EventID] {
				t.Fatalf("event %s seen twice", e.Record.EventID)
			}
			seen[e.Record.EventID] = true
		}
		if next == "" {
			break
		}
		q.NextToken = next
	}
	if pages != 3 || len(seen) != 8 {
		t.Fatalf("%d pages, %d events", pages, len(seen))
	}
	for _, bad := range []Query{{Attribute: "Nope", Value: "x"}, {MaxResults: 51}, {NextToken: "zz"},
		{Start: now, End: now.Add(-time.Hour)}} {
		if _, _, err := tr.Lookup(bad, now); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// countKeys is the number of keys in b.
func countKeys(b kv.Bucket) int {
	n := 0
	b.ForEach(func([]byte, []byte) error { n++; return nil })
	return n
}
