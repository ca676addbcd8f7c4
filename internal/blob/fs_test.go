package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/storage/bolt"
)

func TestWriteCommitOpen(t *testing.T) {
	s, err := OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, _ := s.Create(ctx)
	data := bytes.Repeat([]byte("arca"), 10000)
	w.Write(data)
	id, err := w.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("abort after commit: %v", err)
	}
	r, err := s.Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, data) || r.Size() != int64(len(data)) {
		t.Fatal("read back differs")
	}
	if err := s.Remove(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open removed: %v", err)
	}
	if _, err := s.Open(ctx, "../../etc/passwd"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("path id accepted: %v", err)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenFS(dir)
	ctx := context.Background()
	w, _ := s.Create(ctx)
	w.Write([]byte("x"))
	w.Abort()
	ents, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	n := 0
	s.Walk(ctx, func(string, time.Time) error { n++; return nil })
	if len(ents) != 0 || n != 0 {
		t.Fatalf("left %d temp files, %d blobs", len(ents), n)
	}
}

func TestCleanTempAndWalk(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenFS(dir)
	ctx := context.Background()
	w, _ := s.Create(ctx) // never committed: a crash mid-write
	w.Write([]byte("partial"))
	var ids []string
	for i := 0; i < 5; i++ {
		w, _ := s.Create(ctx)
		w.Write([]byte{byte(i)})
		id, _ := w.Commit(ctx)
		ids = append(ids, id)
	}
	s.CleanTemp(ctx)
	ents, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(ents) != 0 {
		t.Fatal("temp file survived CleanTemp")
	}
	seen := map[string]bool{}
	s.Walk(ctx, func(id string, _ time.Time) error { seen[id] = true; return nil })
	for _, id := range ids {
		if !seen[id] {
			t.Fatalf("walk missed %s", id)
		}
	}
}

func TestConcurrentCommitsShareDirSync(t *testing.T) {
	s, _ := OpenFS(t.TempDir())
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, _ := s.Create(ctx)
			w.Write([]byte("data"))
			id, err := w.Commit(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			if r, err := s.Open(ctx, id); err != nil {
				t.Error(err)
			} else {
				r.Close()
			}
		}()
	}
	wg.Wait()
}

func BenchmarkCommit4KiB(b *testing.B) {
	s, _ := OpenFS(b.TempDir())
	ctx := context.Background()
	data := make([]byte, 4096)
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w, _ := s.Create(ctx)
			w.Write(data)
			if _, err := w.Commit(ctx); err != nil {
				b.Error(err)
			}
		}
	})
}

func openTiered(t testing.TB) *Tiered {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "b.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := OpenTiered(db, t.TempDir(), 1024)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTieredSmallAndLarge(t *testing.T) {
	s := openTiered(t)
	ctx := context.Background()
	for _, size := range []int{0, 1, 1024, 1025, 5000} {
		w, _ := s.Create(ctx)
		data := bytes.Repeat([]byte{byte(size)}, size)
		// write in odd pieces so the spill happens mid-write
		for off := 0; off < len(data); off += 333 {
			w.Write(data[off:min(off+333, len(data))])
		}
		id, err := w.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A small blob is durable (and visible) with the next commit on the shared
		// store, as the metadata commit referencing it would be.
		s.db.Update(func(kv.Tx) error { return nil })
		if isSmall(id) != (size <= 1024) {
			t.Fatalf("size %d stored small=%v", size, isSmall(id))
		}
		r, err := s.Open(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
		r.Close()
		if !bytes.Equal(got, data) {
			t.Fatalf("size %d: read back differs", size)
		}
		seen := false
		s.Walk(ctx, func(x string, _ time.Time) error { seen = seen || x == id; return nil })
		if !seen {
			t.Fatalf("walk missed %s", id)
		}
		s.Remove(ctx, id)
		if _, err := s.Open(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("size %d: open after remove: %v", size, err)
		}
	}
}

func BenchmarkTieredCommit4KiB(b *testing.B) {
	db, _ := bolt.Open(filepath.Join(b.TempDir(), "b.db"), bolt.Options{})
	defer db.Close()
	s, _ := OpenTiered(db, b.TempDir(), 64<<10)
	ctx := context.Background()
	data := make([]byte, 4096)
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w, _ := s.Create(ctx)
			w.Write(data)
			if _, err := w.Commit(ctx); err != nil {
				b.Error(err)
			}
			s.db.Update(func(kv.Tx) error { return nil }) // the metadata commit's stand-in
		}
	})
}
