package metatest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

// testUpdateVersion changes the tags of the current version and of a noncurrent one in
// place: which version is current, the other versions and the identity fields stay.
func testUpdateVersion(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	setVersioning(t, s, "b", "Enabled")
	var vids []string
	for _, etag := range []string{"e1", "e2"} {
		time.Sleep(time.Millisecond)
		res, err := s.PutObject(ctx, "b", meta.Object{Key: "k", ETag: etag, LastModified: time.Now().UTC()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		vids = append(vids, res.VersionID)
	}
	setTag := func(vid, v string) error {
		return s.UpdateVersion(ctx, "b", "k", vid, func(o *meta.Object) error {
			o.Tags = map[string]string{"t": v}
			o.VersionID, o.Key = "forged", "other" // restored by the store
			return nil
		})
	}
	if err := setTag("", "cur"); err != nil {
		t.Fatal(err)
	}
	if err := setTag(vids[0], "old"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"old", "cur"} {
		o, err := s.GetVersion(ctx, "b", "k", vids[i])
		if err != nil {
			t.Fatal(err)
		}
		if o.Tags["t"] != want || o.Key != "k" || o.VersionID != vids[i] {
			t.Errorf("version %d: tags %v key %q vid %q, want tag %q", i, o.Tags, o.Key, o.VersionID, want)
		}
	}
	if got := versionList(t, s, "b"); got != "k:e2* k:e1" {
		t.Errorf("versions after tagging: %s", got)
	}
	refuse := errors.New("refused")
	if err := s.UpdateVersion(ctx, "b", "k", "", func(*meta.Object) error { return refuse }); err != refuse {
		t.Errorf("fn's error: got %v", err)
	}
	if err := setTag(meta.NewVersionID(), "x"); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Errorf("unknown version: got %v, want ErrNoSuchVersion", err)
	}
	if err := s.UpdateVersion(ctx, "b", "nokey", "", func(*meta.Object) error { return nil }); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Errorf("unknown key: got %v, want ErrNoSuchKey", err)
	}
	if err := s.UpdateVersion(ctx, "nob", "k", "", func(*meta.Object) error { return nil }); !errors.Is(err, meta.ErrNoSuchBucket) {
		t.Errorf("unknown bucket: got %v, want ErrNoSuchBucket", err)
	}
	// The null version of an unversioned bucket.
	s.CreateBucket(ctx, meta.Bucket{Name: "u"})
	s.PutObject(ctx, "u", meta.Object{Key: "k", ETag: "n"}, nil)
	if err := s.UpdateVersion(ctx, "u", "k", "null", func(o *meta.Object) error { o.Tags = map[string]string{"a": "b"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if o, err := s.GetObject(ctx, "u", "k"); err != nil || o.Tags["a"] != "b" {
		t.Errorf("null version: %v %v", o.Tags, err)
	}
}
