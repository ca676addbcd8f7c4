package iam

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	bolt "go.etcd.io/bbolt"
)

const testAccount = "123456789012"

var ctx = context.Background()

// testEnv is a store on a real metadata file (with its record key, as the server opens
// it) that can be closed and reopened.
type testEnv struct {
	t    testing.TB
	path string
	root *rootkey.Key
	meta *meta.BoltStore
	db   *bolt.DB
	s    *Store
	now  time.Time
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	root, err := rootkey.Parse(rootkey.Generate())
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, path: filepath.Join(t.TempDir(), "meta.db"), root: root,
		now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	e.open()
	t.Cleanup(func() { e.meta.Close() })
	return e
}

func (e *testEnv) open() {
	e.t.Helper()
	m, err := meta.OpenBolt(e.path, e.root, nil, UpgradeRecordsTx)
	if err != nil {
		e.t.Fatal(err)
	}
	e.meta, e.db = m, m.Committer().Bolt()
	e.s, err = Open(ctx, Config{DB: m.Committer(), Root: e.root, RecordKey: m.RecordKey(), AccountID: testAccount,
		Now: func() time.Time { return e.now }})
	if err != nil {
		e.t.Fatal(err)
	}
}

// reopen closes the file and opens it again, as a restart does.
func (e *testEnv) reopen() {
	e.t.Helper()
	if err := e.meta.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// wantErr fails unless err is sentinel with exactly msg ("" = any message).
func wantErr(t *testing.T, err, sentinel error, msg string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
	if msg != "" && Message(err) != msg {
		t.Fatalf("message = %q, want %q", Message(err), msg)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

func doc(action string) string {
	return strings.Replace(allowAll, "s3:*", action, 1)
}
