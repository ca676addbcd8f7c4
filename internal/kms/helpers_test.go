package kms

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const (
	testRegion  = "us-east-1"
	testAccount = "111122223333"
)

var (
	testCtx = context.Background()
	caller  = Principal{AccountID: testAccount, ARN: "arn:aws:iam::111122223333:root", AccessKeyID: "AKIATEST"}
)

// clock is an injectable clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a keystore over a real metadata file (with its record key, as the server opens
// it) that a test can close and reopen.
type env struct {
	t     testing.TB
	dir   string
	root  *rootkey.Key
	clock *clock
	meta  *meta.KVStore
	db    *bolt.Store
	svc   *Service
	obs   *countObserver
}

type countObserver struct {
	mu        sync.Mutex
	ops       map[string]int
	throttled int
}

func (o *countObserver) KeyOperation(id, op string) {
	o.mu.Lock()
	o.ops[id+" "+op]++
	o.mu.Unlock()
}

func (o *countObserver) Throttled(string, string) {
	o.mu.Lock()
	o.throttled++
	o.mu.Unlock()
}

func newEnv(t testing.TB) *env {
	t.Helper()
	root, err := rootkey.Parse(rootkey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: t.TempDir(), root: root, clock: newClock()}
	e.open(Config{})
	t.Cleanup(e.close)
	return e
}

func (e *env) open(cfg Config) {
	e.t.Helper()
	db, err := bolt.Open(filepath.Join(e.dir, "meta.db"), bolt.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := meta.Open(db, e.root, nil, UpgradeRecordsTx)
	if err != nil {
		db.Close()
		e.t.Fatal(err)
	}
	e.meta, e.db = m, db
	e.obs = &countObserver{ops: map[string]int{}}
	cfg.DB, cfg.Root, cfg.Region, cfg.AccountID = db, e.root, testRegion, testAccount
	cfg.RecordKey = m.RecordKey()
	cfg.Now, cfg.Observer = e.clock.Now, e.obs
	if cfg.SchedulerInterval == 0 {
		cfg.SchedulerInterval = -1
	}
	e.svc, err = Open(testCtx, cfg)
	if err != nil {
		m.Close()
		db.Close()
		e.db = nil
		e.t.Fatal(err)
	}
}

func (e *env) close() {
	if e.db == nil {
		return
	}
	e.svc.Close()
	e.meta.Close()
	e.db.Close()
	e.db = nil
}

func (e *env) reopen() {
	e.t.Helper()
	e.close()
	e.open(Config{})
}

func (e *env) createKey() KeyMetadata {
	e.t.Helper()
	md, err := e.svc.CreateKey(testCtx, caller, CreateKeyInput{Description: "test"})
	if err != nil {
		e.t.Fatal(err)
	}
	return md
}

// wantErr checks err is sentinel with exactly msg (msg "-" skips the message check).
func wantErr(t *testing.T, what string, err, sentinel error, msg string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: got %v, want %v", what, err, sentinel)
	}
	if msg != "-" && Message(err) != msg {
		t.Fatalf("%s: message %q, want %q", what, Message(err), msg)
	}
}

func isErr(err, target error) bool { return errors.Is(err, target) }

// countKeys is the number of keys in b.
func countKeys(b kv.Bucket) int {
	n := 0
	b.ForEach(func([]byte, []byte) error { n++; return nil })
	return n
}
