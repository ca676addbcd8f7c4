// Package metatest is the contract suite of meta.Store: every implementation (the
// kv-backed meta.KVStore on each kv backend, and any store of its own, PostgreSQL say)
// runs Run against itself. It checks what the API layer relies on: bucket lifecycle and
// emptiness, object replacement returning the old object, conditional writes, listing
// order, delimiters and pagination, multipart uploads and parts, last-writer-wins under
// concurrent writes, durability across reopen, and atomic bucket updates.
package metatest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

// Backend opens a store.
type Backend struct {
	// Open opens (or reopens) the store kept in dir, a directory of its own for each test
	// (a backend that keeps nothing in files uses it as a name). Close on the result must
	// release dir so that it can be opened again.
	Open func(t *testing.T, dir string) meta.Store
}

// Run runs the contract suite.
func Run(t *testing.T, be Backend) {
	t.Run("BucketLifecycle", func(t *testing.T) { testBucketLifecycle(t, be) })
	t.Run("PutReplacesAndReturnsOld", func(t *testing.T) { testPutReplacesAndReturnsOld(t, be) })
	t.Run("ListObjects", func(t *testing.T) { testListObjects(t, be) })
	t.Run("ListPaginationCoversAll", func(t *testing.T) { testListPaginationCoversAll(t, be) })
	t.Run("Uploads", func(t *testing.T) { testUploads(t, be) })
	t.Run("ConcurrentPutsLastWriterWins", func(t *testing.T) { testConcurrentPutsLastWriterWins(t, be) })
	t.Run("ReopenKeepsData", func(t *testing.T) { testReopenKeepsData(t, be) })
	t.Run("UpdateBucket", func(t *testing.T) { testUpdateBucket(t, be) })
	t.Run("Versions", func(t *testing.T) { testVersions(t, be) })
	t.Run("VersionListPaging", func(t *testing.T) { testVersionListPaging(t, be) })
	t.Run("ObjectLock", func(t *testing.T) { testObjectLock(t, be) })
	t.Run("UpdateVersion", func(t *testing.T) { testUpdateVersion(t, be) })
}

// open opens an empty store, closed when the test ends.
func open(t *testing.T, be Backend) meta.Store {
	t.Helper()
	s := be.Open(t, t.TempDir())
	t.Cleanup(func() { s.Close() })
	return s
}

// uid is a well-formed upload id (the shape Arca issues: 40 hex digits) for n.
func uid(n int) string { return fmt.Sprintf("%040x", n) }

func testBucketLifecycle(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b1", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b1"}); !errors.Is(err, meta.ErrBucketExists) {
		t.Fatalf("dup create: %v", err)
	}
	if _, err := s.GetBucket(ctx, "nope"); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("get missing: %v", err)
	}
	if _, err := s.PutObject(ctx, "b1", meta.Object{Key: "k"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, meta.ErrBucketNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	if _, err := s.DeleteObject(ctx, "b1", "k", meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUpload(ctx, "b1", meta.Upload{ID: uid(1), Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, meta.ErrBucketNotEmpty) {
		t.Fatalf("delete with upload: %v", err)
	}
	if _, err := s.AbortUpload(ctx, "b1", "k", uid(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatalf("delete twice: %v", err)
	}
}

func testPutReplacesAndReturnsOld(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	res, err := s.PutObject(ctx, "b", meta.Object{Key: "k", ETag: "1", Pieces: []meta.Piece{{BlobID: "a"}}}, nil)
	if err != nil || res.Replaced != nil || res.VersionID != "" {
		t.Fatalf("first put: %+v %v", res, err)
	}
	res, err = s.PutObject(ctx, "b", meta.Object{Key: "k", ETag: "2", Pieces: []meta.Piece{{BlobID: "b"}}}, nil)
	if err != nil || res.Replaced == nil || res.Replaced.ETag != "1" {
		t.Fatalf("second put: %+v %v", res, err)
	}
	errCond := errors.New("cond")
	if _, err := s.PutObject(ctx, "b", meta.Object{Key: "k", ETag: "3"}, func(cur *meta.Object) error { return errCond }); err != errCond {
		t.Fatalf("cond: %v", err)
	}
	o, _ := s.GetObject(ctx, "b", "k")
	if o.ETag != "2" {
		t.Fatalf("failed conditional put changed the object: %+v", o)
	}
	if _, err := s.GetObject(ctx, "b", "missing"); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatal(err)
	}
	if _, err := s.PutObject(ctx, "nob", meta.Object{Key: "k"}, nil); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatal(err)
	}
}

var listTests = []struct {
	name      string
	opt       meta.ListOptions
	objects   []string
	prefixes  []string
	truncated bool
}{
	{"all", meta.ListOptions{MaxKeys: 1000}, []string{"a", "a/b", "a/c/d", "b", "c/x", "é"}, nil, false},
	{"delim", meta.ListOptions{Delimiter: "/", MaxKeys: 1000}, []string{"a", "b", "é"}, []string{"a/", "c/"}, false},
	{"prefix delim", meta.ListOptions{Prefix: "a/", Delimiter: "/", MaxKeys: 1000}, []string{"a/b"}, []string{"a/c/"}, false},
	{"max", meta.ListOptions{MaxKeys: 2}, []string{"a", "a/b"}, nil, true},
	{"after", meta.ListOptions{After: "a/b", MaxKeys: 1000}, []string{"a/c/d", "b", "c/x", "é"}, nil, false},
	{"after prefix skips rolled", meta.ListOptions{After: "a/", Delimiter: "/", MaxKeys: 1000}, []string{"b", "é"}, []string{"c/"}, false},
	{"max with prefixes", meta.ListOptions{Delimiter: "/", MaxKeys: 2}, []string{"a"}, []string{"a/"}, true},
	{"zero", meta.ListOptions{MaxKeys: 0}, nil, nil, true},
}

func testListObjects(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	for _, k := range []string{"a", "a/b", "a/c/d", "b", "c/x", "é"} {
		s.PutObject(ctx, "b", meta.Object{Key: k}, nil)
	}
	for _, tt := range listTests {
		res, err := s.ListObjects(ctx, "b", tt.opt)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range res.Objects {
			keys = append(keys, o.Key)
		}
		if fmt.Sprint(keys) != fmt.Sprint(tt.objects) || fmt.Sprint(res.CommonPrefixes) != fmt.Sprint(tt.prefixes) || res.IsTruncated != tt.truncated {
			t.Errorf("%s: got %v %v %v, want %v %v %v", tt.name, keys, res.CommonPrefixes, res.IsTruncated, tt.objects, tt.prefixes, tt.truncated)
		}
	}
}

func testListPaginationCoversAll(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	want := map[string]bool{}
	for i := 0; i < 57; i++ {
		k := fmt.Sprintf("d%d/k%03d", i%5, i)
		want[k] = true
		s.PutObject(ctx, "b", meta.Object{Key: k}, nil)
	}
	got := map[string]bool{}
	after := ""
	for {
		res, err := s.ListObjects(ctx, "b", meta.ListOptions{After: after, MaxKeys: 4})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			if got[o.Key] {
				t.Fatalf("duplicate %s", o.Key)
			}
			got[o.Key] = true
		}
		if !res.IsTruncated {
			break
		}
		after = res.Next
	}
	if len(got) != len(want) {
		t.Fatalf("paged %d of %d", len(got), len(want))
	}
}

func testUploads(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	if err := s.CreateUpload(ctx, "b", meta.Upload{ID: uid(1), Key: "k"}); err != nil {
		t.Fatal(err)
	}
	s.CreateUpload(ctx, "b", meta.Upload{ID: uid(2), Key: "k"})
	s.CreateUpload(ctx, "b", meta.Upload{ID: uid(3), Key: "x/y"})
	if _, err := s.GetUpload(ctx, "b", "other", uid(1)); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatalf("wrong key: %v", err)
	}
	for n := 1; n <= 3; n++ {
		if _, err := s.PutPart(ctx, "b", "k", uid(1), meta.Part{Number: n, BlobID: fmt.Sprint("p", n)}); err != nil {
			t.Fatal(err)
		}
	}
	old, _ := s.PutPart(ctx, "b", "k", uid(1), meta.Part{Number: 2, BlobID: "p2b"})
	if old == nil || old.BlobID != "p2" {
		t.Fatalf("replaced part: %+v", old)
	}
	parts, more, _ := s.ListParts(ctx, "b", "k", uid(1), 1, 1)
	if len(parts) != 1 || parts[0].Number != 2 || !more {
		t.Fatalf("ListParts page: %+v %v", parts, more)
	}
	ul, _ := s.ListUploads(ctx, "b", meta.UploadListOptions{MaxUploads: 1000, Delimiter: "/"})
	if len(ul.Uploads) != 2 || ul.Uploads[0].ID != uid(1) || fmt.Sprint(ul.CommonPrefixes) != "[x/]" {
		t.Fatalf("ListUploads: %+v", ul)
	}
	ul, _ = s.ListUploads(ctx, "b", meta.UploadListOptions{MaxUploads: 1000, KeyMarker: "k", UploadIDMarker: uid(1)})
	if len(ul.Uploads) != 2 || ul.Uploads[0].ID != uid(2) {
		t.Fatalf("ListUploads after marker: %+v", ul)
	}
	o := meta.Object{Key: "k", Pieces: []meta.Piece{{BlobID: "p1"}, {BlobID: "p3"}}}
	_, unused, err := s.CompleteUpload(ctx, "b", uid(1), o, nil)
	if err != nil || len(unused) != 1 || unused[0].BlobID != "p2b" {
		t.Fatalf("complete: %v %+v", err, unused)
	}
	if _, err := s.GetUpload(ctx, "b", "k", uid(1)); !errors.Is(err, meta.ErrNoSuchUpload) {
		t.Fatal("upload survived completion")
	}
	var ids []string
	s.WalkBlobIDs(ctx, func(id string) { ids = append(ids, id) })
	if fmt.Sprint(ids) != "[p1 p3]" {
		t.Fatalf("WalkBlobIDs = %v", ids)
	}
}

func testConcurrentPutsLastWriterWins(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	var wg sync.WaitGroup
	var mu sync.Mutex
	replaced := map[string]int{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res, err := s.PutObject(ctx, "b", meta.Object{Key: "k", ETag: fmt.Sprint(i)}, nil)
			if err != nil {
				t.Error(err)
			}
			if old := res.Replaced; old != nil {
				mu.Lock()
				replaced[old.ETag]++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	// Every write but the final one was replaced exactly once: no write is lost or
	// reported twice, even under group commit retries.
	final, _ := s.GetObject(ctx, "b", "k")
	if len(replaced) != 49 || replaced[final.ETag] != 0 {
		t.Fatalf("replaced=%v final=%s", replaced, final.ETag)
	}
	for k, n := range replaced {
		if n != 1 {
			t.Fatalf("%s replaced %d times", k, n)
		}
	}
}

func testReopenKeepsData(t *testing.T, be Backend) {
	dir := t.TempDir()
	ctx := context.Background()
	s := be.Open(t, dir)
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	s.PutObject(ctx, "b", meta.Object{Key: "k", ETag: "e", UserMeta: map[string]string{"x": "ü"}}, nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = be.Open(t, dir)
	defer s.Close()
	o, err := s.GetObject(ctx, "b", "k")
	if err != nil || o.ETag != "e" || o.UserMeta["x"] != "ü" {
		t.Fatalf("%+v %v", o, err)
	}
}

func testUpdateBucket(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	err := s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error {
		b.Encryption = &meta.BucketEncryption{Algorithm: "aws:kms", BucketKey: true}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.GetBucket(ctx, "b")
	if b.Encryption == nil || b.Encryption.Algorithm != "aws:kms" || !b.Encryption.BucketKey {
		t.Fatalf("%+v", b)
	}
	stop := errors.New("no")
	if err := s.UpdateBucket(ctx, "b", func(b *meta.Bucket) error { b.Encryption = nil; return stop }); err != stop {
		t.Fatal(err)
	}
	if b, _ := s.GetBucket(ctx, "b"); b.Encryption == nil {
		t.Fatal("failed update was written")
	}
	if err := s.UpdateBucket(ctx, "nope", func(*meta.Bucket) error { return nil }); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Fatal(err)
	}
}
