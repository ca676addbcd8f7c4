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
	"github.com/arcastore/arca/internal/storage/bolt"
)

const testAccount = "123456789012"

var ctx = context.Background()

// testEnv is a store on a real metadata file (with its record key, as the server opens
// it) that can be closed and reopened.
type testEnv struct {
	t    testing.TB
	path string
	root *rootkey.Key
	meta *meta.KVStore
	db   *bolt.Store
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
	t.Cleanup(func() { e.close() })
	return e
}

func (e *testEnv) open() {
	e.t.Helper()
	db, err := bolt.Open(e.path, bolt.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := meta.Open(db, e.root, nil, UpgradeRecordsTx)
	if err != nil {
		db.Close()
		e.t.Fatal(err)
	}
	e.meta, e.db = m, db
	e.s, err = Open(ctx, Config{DB: db, Root: e.root, RecordKey: m.RecordKey(), AccountID: testAccount,
		Now: func() time.Time { return e.now }})
	if err != nil {
		e.t.Fatal(err)
	}
}

// close closes the store and its file (once).
func (e *testEnv) close() error {
	if e.db == nil {
		return nil
	}
	e.meta.Close()
	err := e.db.Close()
	e.db = nil
	return err
}

// reopen closes the file and opens it again, as a restart does.
func (e *testEnv) reopen() {
	e.t.Helper()
	if err := e.close(); err != nil {
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
