package metatest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

// testObjectLock: new versions get the bucket's default retention; removing a locked
// version for good is refused in the deleting transaction (GOVERNANCE gives way to a
// bypass, COMPLIANCE and a legal hold never do); a delete marker is always allowed; lock
// settings on a bucket without Object Lock are refused.
func testObjectLock(t *testing.T, be Backend) {
	s, ctx := open(t, be), context.Background()
	s.CreateBucket(ctx, meta.Bucket{Name: "plain"})
	if _, err := s.PutObject(ctx, "plain", meta.Object{Key: "k", LegalHold: meta.LegalHoldOn}, nil); !errors.Is(err, meta.ErrLockNotEnabled) {
		t.Fatalf("legal hold on a bucket without lock: %v", err)
	}
	s.CreateBucket(ctx, meta.Bucket{Name: "b", Versioning: meta.VersioningEnabled,
		ObjectLock: &meta.ObjectLock{Enabled: true, Mode: meta.LockGovernance, Days: 1}})
	put := func(o meta.Object) string {
		t.Helper()
		o.Key, o.LastModified = "k", time.Now().UTC()
		res, err := s.PutObject(ctx, "b", o, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.VersionID
	}
	del := func(vid string, bypass bool) error {
		_, err := s.DeleteObject(ctx, "b", "k", meta.DeleteOptions{VersionID: vid, BypassGovernance: bypass})
		return err
	}
	gov := put(meta.Object{ETag: "gov"})
	o, err := s.GetVersion(ctx, "b", "k", gov)
	if err != nil || o.Retention == nil || o.Retention.Mode != meta.LockGovernance ||
		o.Retention.Until.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("default retention: %+v %v", o.Retention, err)
	}
	comp := put(meta.Object{ETag: "comp", Retention: &meta.Retention{Mode: meta.LockCompliance, Until: time.Now().Add(time.Hour)}})
	if o, _ := s.GetVersion(ctx, "b", "k", comp); o.Retention.Mode != meta.LockCompliance {
		t.Fatalf("explicit retention replaced by the default: %+v", o.Retention)
	}
	if err := del(gov, false); !errors.Is(err, meta.ErrObjectLocked) {
		t.Fatalf("delete GOVERNANCE version: %v", err)
	}
	if err := del(comp, true); !errors.Is(err, meta.ErrObjectLocked) {
		t.Fatalf("delete COMPLIANCE version with bypass: %v", err)
	}
	if err := del("", false); err != nil {
		t.Fatalf("delete marker on a locked key: %v", err)
	}
	// A legal hold, set by rewriting a noncurrent version, blocks even a bypass.
	if err := s.UpdateVersion(ctx, "b", "k", gov, func(o *meta.Object) error { o.LegalHold = meta.LegalHoldOn; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := del(gov, true); !errors.Is(err, meta.ErrObjectLocked) {
		t.Fatalf("delete held version: %v", err)
	}
	if err := s.UpdateVersion(ctx, "b", "k", gov, func(o *meta.Object) error { o.LegalHold = meta.LegalHoldOff; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := del(gov, true); err != nil {
		t.Fatalf("delete GOVERNANCE version with bypass: %v", err)
	}
	if _, err := s.GetVersion(ctx, "b", "k", gov); !errors.Is(err, meta.ErrNoSuchVersion) {
		t.Fatalf("bypassed version still there: %v", err)
	}
	// Expired retention no longer protects.
	old := put(meta.Object{ETag: "old", Retention: &meta.Retention{Mode: meta.LockCompliance, Until: time.Now().Add(-time.Second)}})
	if err := del(old, false); err != nil {
		t.Fatalf("delete after retention passed: %v", err)
	}
}
