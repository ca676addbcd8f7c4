package meta

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// openTestStore opens a store in a new embedded kv store. Another backend's tests would
// run the same contract functions below against their Store.
func openTestStore(t *testing.T) *testStore {
	t.Helper()
	s, err := openAt(t, filepath.Join(t.TempDir(), "meta.db"), testRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBucketLifecycle(t *testing.T) {
	s, ctx := openTestStore(t), context.Background()
	if err := s.CreateBucket(ctx, Bucket{Name: "b1", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket(ctx, Bucket{Name: "b1"}); !errors.Is(err, ErrBucketExists) {
		t.Fatalf("dup create: %v", err)
	}
	if _, err := s.GetBucket(ctx, "nope"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("get missing: %v", err)
	}
	if _, err := s.PutObject(ctx, "b1", Object{Key: "k"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	if _, err := s.DeleteObject(ctx, "b1", "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUpload(ctx, "b1", Upload{ID: uid(1), Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("delete with upload: %v", err)
	}
	if _, err := s.AbortUpload(ctx, "b1", "k", uid(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("delete twice: %v", err)
	}
}

func TestPutReplacesAndReturnsOld(t *testing.T) {
	s, ctx := openTestStore(t), context.Background()
	s.CreateBucket(ctx, Bucket{Name: "b"})
	old, err := s.PutObject(ctx, "b", Object{Key: "k", ETag: "1", Pieces: []Piece{{BlobID: "a"}}}, nil)
	if err != nil || old != nil {
		t.Fatalf("first put: %v %v", old, err)
	}
	old, err = s.PutObject(ctx, "b", Object{Key: "k", ETag: "2", Pieces: []Piece{{BlobID: "b"}}}, nil)
	if err != nil || old == nil || old.ETag != "1" {
		t.Fatalf("second put: %+v %v", old, err)
	}
	errCond := errors.New("cond")
	if _, err := s.PutObject(ctx, "b", Object{Key: "k", ETag: "3"}, func(cur *Object) error { return errCond }); err != errCond {
		t.Fatalf("cond: %v", err)
	}
	o, _ := s.GetObject(ctx, "b", "k")
	if o.ETag != "2" {
		t.Fatalf("failed conditional put changed the object: %+v", o)
	}
	if _, err := s.GetObject(ctx, "b", "missing"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatal(err)
	}
	if _, err := s.PutObject(ctx, "nob", Object{Key: "k"}, nil); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatal(err)
	}
}

var listTests = []struct {
	name      string
	opt       ListOptions
	objects   []string
	prefixes  []string
	truncated bool
}{
	{"all", ListOptions{MaxKeys: 1000}, []string{"a", "a/b", "a/c/d", "b", "c/x", "é"}, nil, false},
	{"delim", ListOptions{Delimiter: "/", MaxKeys: 1000}, []string{"a", "b", "é"}, []string{"a/", "c/"}, false},
	{"prefix delim", ListOptions{Prefix: "a/", Delimiter: "/", MaxKeys: 1000}, []string{"a/b"}, []string{"a/c/"}, false},
	{"max", ListOptions{MaxKeys: 2}, []string{"a", "a/b"}, nil, true},
	{"after", ListOptions{After: "a/b", MaxKeys: 1000}, []string{"a/c/d", "b", "c/x", "é"}, nil, false},
	{"after prefix skips rolled", ListOptions{After: "a/", Delimiter: "/", MaxKeys: 1000}, []string{"b", "é"}, []string{"c/"}, false},
	{"max with prefixes", ListOptions{Delimiter: "/", MaxKeys: 2}, []string{"a"}, []string{"a/"}, true},
	{"zero", ListOptions{MaxKeys: 0}, nil, nil, true},
}

func TestListObjects(t *testing.T) {
	s, ctx := openTestStore(t), context.Background()
	s.CreateBucket(ctx, Bucket{Name: "b"})
	for _, k := range []string{"a", "a/b", "a/c/d", "b", "c/x", "é"} {
		s.PutObject(ctx, "b", Object{Key: k}, nil)
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

func TestListPaginationCoversAll(t *testing.T) {
	s, ctx := openTestStore(t), context.Background()
	s.CreateBucket(ctx, Bucket{Name: "b"})
	want := map[string]bool{}
	for i := 0; i < 57; i++ {
		k := fmt.Sprintf("d%d/k%03d", i%5, i)
		want[k] = true
		s.PutObject(ctx, "b", Object{Key: k}, nil)
	}
	got := map[string]bool{}
	after := ""
	for {
		res, err := s.ListObjects(ctx, "b", ListOptions{After: after, MaxKeys: 4})
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

func TestUploads(t *testing.T) {
	s, ctx := openTestStore(t), context.Background()
	s.CreateBucket(ctx, Bucket{Name: "b"})
	if err := s.CreateUpload(ctx, "b", Upload{ID: uid(1), Key: "k"}); err != nil {
		t.Fatal(err)
	}
	s.CreateUpload(ctx, "b", Upload{ID: uid(2), Key: "k"})
	s.CreateUpload(ctx, "b", Upload{ID: uid(3), Key: "x/y"})
	if _, err := s.GetUpload(ctx, "b", "other", uid(1)); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("wrong key: %v", err)
	}
	for n := 1; n <= 3; n++ {
		if _, err := s.PutPart(ctx, "b", "k", uid(1), Part{Number: n, BlobID: fmt.Sprint("p", n)}); err != nil {
			t.Fatal(err)
		}
	}
	old, _ := s.PutPart(ctx, "b", "k", uid(1), Part{Number: 2, BlobID: "p2b"})
	if old == nil || old.BlobID != "p2" {
		t.Fatalf("replaced part: %+v", old)
	}
	parts, more, _ := s.ListParts(ctx, "b", "k", uid(1), 1, 1)
	if len(parts) != 1 || parts[0].Number != 2 || !more {
		t.Fatalf("ListParts page: %+v %v", parts, more)
	}
	ul, _ := s.ListUploads(ctx, "b", UploadListOptions{MaxUploads: 1000, Delimiter: "/"})
	if len(ul.Uploads) != 2 || ul.Uploads[0].ID != uid(1) || fmt.Sprint(ul.CommonPrefixes) != "[x/]" {
		t.Fatalf("ListUploads: %+v", ul)
	}
	ul, _ = s.ListUploads(ctx, "b", UploadListOptions{MaxUploads: 1000, KeyMarker: "k", UploadIDMarker: uid(1)})
	if len(ul.Uploads) != 2 || ul.Uploads[0].ID != uid(2) {
		t.Fatalf("ListUploads after marker: %+v", ul)
	}
	o := Object{Key: "k", Pieces: []Piece{{BlobID: "p1"}, {BlobID: "p3"}}}
	_, unused, err := s.CompleteUpload(ctx, "b", uid(1), o, nil)
	if err != nil || len(unused) != 1 || unused[0].BlobID != "p2b" {
		t.Fatalf("complete: %v %+v", err, unused)
	}
	if _, err := s.GetUpload(ctx, "b", "k", uid(1)); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatal("upload survived completion")
	}
	var ids []string
	s.WalkBlobIDs(ctx, func(id string) { ids = append(ids, id) })
	if fmt.Sprint(ids) != "[p1 p3]" {
		t.Fatalf("WalkBlobIDs = %v", ids)
	}
}

func TestConcurrentPutsLastWriterWins(t *testing.T) {
	s, ctx := openTestStore(t), context.Background()
	s.CreateBucket(ctx, Bucket{Name: "b"})
	var wg sync.WaitGroup
	var mu sync.Mutex
	replaced := map[string]int{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			old, err := s.PutObject(ctx, "b", Object{Key: "k", ETag: fmt.Sprint(i)}, nil)
			if err != nil {
				t.Error(err)
			}
			if old != nil {
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

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := openAt(t, filepath.Join(dir, "m.db"), testRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	s.CreateBucket(ctx, Bucket{Name: "b"})
	s.PutObject(ctx, "b", Object{Key: "k", ETag: "e", UserMeta: map[string]string{"x": "ü"}}, nil)
	s.Close()
	s, err = openAt(t, filepath.Join(dir, "m.db"), testRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.GetObject(ctx, "b", "k")
	if err != nil || o.ETag != "e" || o.UserMeta["x"] != "ü" {
		t.Fatalf("%+v %v", o, err)
	}
}

func TestUpdateBucket(t *testing.T) {
	s, ctx := openTestStore(t), context.Background()
	s.CreateBucket(ctx, Bucket{Name: "b"})
	err := s.UpdateBucket(ctx, "b", func(b *Bucket) error {
		b.Encryption = &BucketEncryption{Algorithm: "aws:kms", BucketKey: true}
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
	if err := s.UpdateBucket(ctx, "b", func(b *Bucket) error { b.Encryption = nil; return stop }); err != stop {
		t.Fatal(err)
	}
	if b, _ := s.GetBucket(ctx, "b"); b.Encryption == nil {
		t.Fatal("failed update was written")
	}
	if err := s.UpdateBucket(ctx, "nope", func(*Bucket) error { return nil }); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatal(err)
	}
}
