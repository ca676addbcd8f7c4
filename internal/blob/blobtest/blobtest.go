// Package blobtest is the contract suite of blob.Store: every implementation (files, the
// tiered store of the embedded backend, a later S3-compatible store) runs Run against
// itself. It checks what the object engine relies on: bytes read back exactly (whole,
// ranged, seeking), ids that are unique and never reused, Abort leaving nothing, Remove
// idempotent, ErrNotFound for what is gone, and Walk seeing every committed blob.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/blob"
)

// Run runs the suite on a fresh store from open.
func Run(t *testing.T, open func(t *testing.T) blob.Store) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("AbortAndRemove", func(t *testing.T) { testAbortAndRemove(t, open(t)) })
	t.Run("WalkAndConcurrency", func(t *testing.T) { testWalk(t, open(t)) })
}

func put(t *testing.T, s blob.Store, data []byte) string {
	t.Helper()
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Several writes, as the engine makes them.
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 100_000)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	id, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort after Commit: %v", err)
	}
	return id
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func testRoundTrip(t *testing.T, s blob.Store) {
	ctx := context.Background()
	ids := map[string]bool{}
	for _, n := range []int{0, 1, 4096, 64 << 10, 64<<10 + 1, 1 << 20, 3<<20 + 7} {
		data := random(n)
		id := put(t, s, data)
		if ids[id] {
			t.Fatalf("id %s given twice", id)
		}
		ids[id] = true
		r, err := s.Open(ctx, id)
		if err != nil {
			t.Fatalf("Open %d bytes: %v", n, err)
		}
		if r.Size() != int64(n) {
			t.Fatalf("Size %d, want %d", r.Size(), n)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes read back as %d: %v", n, len(got), err)
		}
		if n > 10 {
			buf := make([]byte, 10)
			if _, err := r.ReadAt(buf, int64(n-10)); err != nil && err != io.EOF || !bytes.Equal(buf, data[n-10:]) {
				t.Fatalf("ReadAt the end of %d bytes: %v", n, err)
			}
			if _, err := r.Seek(int64(n/2), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(r)
			if !bytes.Equal(rest, data[n/2:]) {
				t.Fatalf("read after Seek differs (%d bytes)", n)
			}
		}
		r.Close()
	}
}

func testAbortAndRemove(t *testing.T, s blob.Store) {
	ctx := context.Background()
	w, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(random(200 << 10))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	n := 0
	s.Walk(ctx, func(string, time.Time) error { n++; return nil })
	if n != 0 {
		t.Fatalf("an aborted blob is walked (%d)", n)
	}
	id := put(t, s, random(100<<10))
	if err := s.Remove(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, id); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	if _, err := s.Open(ctx, id); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open of a removed blob: %v", err)
	}
	if _, err := s.Open(ctx, "0123456789abcdef0123456789abcdef"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Open of an id never given: %v", err)
	}
	if err := s.CleanTemp(ctx); err != nil {
		t.Fatal(err)
	}
}

func testWalk(t *testing.T, s blob.Store) {
	ctx := context.Background()
	var mu sync.Mutex
	want := map[string]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := put(t, s, random(1000*(i+1)*(i%3*40+1)))
			mu.Lock()
			want[id] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	got := map[string]bool{}
	if err := s.Walk(ctx, func(id string, _ time.Time) error { got[id] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("walked %d blobs, committed %d", len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("committed blob %s not walked", id)
		}
	}
}
