package metatest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

func setVersioning(t *testing.T, s meta.Store, bucket, state string) {
	t.Helper()
	if err := s.UpdateBucket(context.Background(), bucket, func(b *meta.Bucket) error { b.Versioning = state; return nil }); err != nil {
		t.Fatal(err)
	}
}

// versionList renders a key's versions as "etag/latest" (markers as "DM"), newest first.
func versionList(t *testing.T, s meta.Store, bucket string) string {
	t.Helper()
	res, err := s.ListVersions(context.Background(), bucket, meta.VersionListOptions{MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range res.Versions {
		e := v.Key + ":" + v.ETag
		if v.DeleteMarker {
			e = v.Key + ":DM"
		}
		if v.VersionID == "" {
			e += "(null)"
		}
		if v.IsLatest {
			e += "*"
		}
		out = append(out, e)
	}
	return strings.Join(out, " ")
}

// testVersions walks a key through the versioning states as S3 defines them.
func testVersions(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	put := func(etag string) meta.WriteResult {
		t.Helper()
		time.Sleep(time.Millisecond) // distinct times order the null version among the others
		res, err := s.PutObject(ctx, "b", meta.Object{Key: "k", ETag: etag, LastModified: time.Now().UTC(),
			Pieces: []meta.Piece{{BlobID: "blob-" + etag}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	want := func(list string) {
		t.Helper()
		if got := versionList(t, s, "b"); got != list {
			t.Fatalf("versions %q, want %q", got, list)
		}
	}
	if r := put("n1"); r.VersionID != "" {
		t.Fatalf("unversioned put made version %q", r.VersionID)
	}
	setVersioning(t, s, "b", meta.VersioningEnabled)
	r1 := put("v1")
	if r1.VersionID == "" || r1.Replaced != nil || !meta.ValidVersionID(r1.VersionID) {
		t.Fatalf("enabled put: %+v (the null version must be kept)", r1)
	}
	r2 := put("v2")
	want("k:v2* k:v1 k:n1(null)")
	if o, err := s.GetVersion(ctx, "b", "k", "null"); err != nil || o.ETag != "n1" || o.IsLatest {
		t.Fatalf("null version: %+v %v", o, err)
	}
	if o, err := s.GetVersion(ctx, "b", "k", r1.VersionID); err != nil || o.ETag != "v1" {
		t.Fatalf("version 1: %+v %v", o, err)
	}
	if _, err := s.GetVersion(ctx, "b", "k", "00000000000000000000000000000000"); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Fatalf("missing version: %v", err)
	}
	// A delete marker hides the key without removing anything.
	d, err := s.DeleteObject(ctx, "b", "k", meta.DeleteOptions{})
	if err != nil || !d.DeleteMarker || d.VersionID == "" || d.Removed != nil {
		t.Fatalf("delete on enabled: %+v %v", d, err)
	}
	if _, err := s.GetObject(ctx, "b", "k"); !errors.Is(err, meta.ErrNoSuchKey) {
		t.Fatalf("GET under a delete marker: %v", err)
	}
	if o, err := s.GetVersion(ctx, "b", "k", ""); err != nil || !o.DeleteMarker || !o.IsLatest {
		t.Fatalf("current is the marker: %+v %v", o, err)
	}
	if l, _ := s.ListObjects(ctx, "b", meta.ListOptions{MaxKeys: 10}); len(l.Objects) != 0 {
		t.Fatalf("ListObjects shows a deleted key: %+v", l.Objects)
	}
	want("k:DM* k:v2 k:v1 k:n1(null)")
	// Deleting the marker brings the newest version back.
	if d, err := s.DeleteObject(ctx, "b", "k", meta.DeleteOptions{VersionID: d.VersionID}); err != nil || !d.DeleteMarker || d.Removed == nil {
		t.Fatalf("delete the marker: %+v %v", d, err)
	}
	if o, err := s.GetObject(ctx, "b", "k"); err != nil || o.ETag != "v2" || o.VersionID != r2.VersionID {
		t.Fatalf("after removing the marker: %+v %v", o, err)
	}
	// Suspended: a put is the null version and replaces the old null version for good.
	setVersioning(t, s, "b", meta.VersioningSuspended)
	r3 := put("n2")
	if r3.VersionID != "" || r3.Replaced == nil || r3.Replaced.ETag != "n1" {
		t.Fatalf("suspended put: %+v", r3)
	}
	want("k:n2(null)* k:v2 k:v1")
	r4 := put("n3")
	if r4.Replaced == nil || r4.Replaced.ETag != "n2" {
		t.Fatalf("suspended put over a current null version: %+v", r4)
	}
	d, err = s.DeleteObject(ctx, "b", "k", meta.DeleteOptions{})
	if err != nil || !d.DeleteMarker || d.VersionID != "" || d.Removed == nil || d.Removed.ETag != "n3" {
		t.Fatalf("suspended delete: %+v %v", d, err)
	}
	want("k:DM(null)* k:v2 k:v1")
	// Every blob of every version is referenced.
	var ids []string
	s.WalkBlobIDs(ctx, func(id string) { ids = append(ids, id) })
	if fmt.Sprint(ids) != "[blob-v2 blob-v1]" && fmt.Sprint(ids) != "[blob-v1 blob-v2]" {
		t.Fatalf("WalkBlobIDs = %v", ids)
	}
	if err := s.DeleteBucket(ctx, "b"); !errors.Is(err, meta.ErrBucketNotEmpty) {
		t.Fatalf("delete a bucket holding versions: %v", err)
	}
	for _, v := range []string{"null", r1.VersionID, r2.VersionID} {
		if _, err := s.DeleteObject(ctx, "b", "k", meta.DeleteOptions{VersionID: v}); err != nil {
			t.Fatal(err)
		}
	}
	want("")
	if err := s.DeleteBucket(ctx, "b"); err != nil {
		t.Fatalf("delete the emptied bucket: %v", err)
	}
}

// testVersionListPaging: pages of one version each give the same list as one page.
func testVersionListPaging(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "b"})
	setVersioning(t, s, "b", meta.VersioningEnabled)
	for _, k := range []string{"a", "b/x", "b/y", "c"} {
		for i := 0; i < 3; i++ {
			if _, err := s.PutObject(ctx, "b", meta.Object{Key: k, ETag: fmt.Sprint(i)}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	all, _ := s.ListVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 1000})
	if len(all.Versions) != 12 || all.IsTruncated {
		t.Fatalf("one page: %d versions", len(all.Versions))
	}
	for i, v := range all.Versions {
		if v.IsLatest != (i%3 == 0) || v.ETag != fmt.Sprint(2-i%3) {
			t.Fatalf("version %d: %+v (want newest first, the first of each key latest)", i, v)
		}
	}
	var paged []meta.Object
	opt := meta.VersionListOptions{MaxKeys: 1}
	for pages := 0; ; pages++ {
		r, err := s.ListVersions(ctx, "b", opt)
		if err != nil || pages > 20 {
			t.Fatalf("page %d: %v", pages, err)
		}
		paged = append(paged, r.Versions...)
		if !r.IsTruncated {
			break
		}
		opt.KeyMarker, opt.VersionIDMarker = r.NextKeyMarker, r.NextVersionIDMarker
	}
	if len(paged) != len(all.Versions) {
		t.Fatalf("paged %d versions, want %d", len(paged), len(all.Versions))
	}
	for i := range paged {
		if paged[i].Key != all.Versions[i].Key || paged[i].VersionID != all.Versions[i].VersionID {
			t.Fatalf("page item %d: %s/%s, want %s/%s", i, paged[i].Key, paged[i].VersionID, all.Versions[i].Key, all.Versions[i].VersionID)
		}
	}
	d, _ := s.ListVersions(ctx, "b", meta.VersionListOptions{MaxKeys: 1000, Delimiter: "/"})
	if len(d.Versions) != 6 || fmt.Sprint(d.CommonPrefixes) != "[b/]" {
		t.Fatalf("with a delimiter: %d versions, prefixes %v", len(d.Versions), d.CommonPrefixes)
	}
}
