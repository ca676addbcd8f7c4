package object

import (
	"context"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

// Object Lock (docs/VERSIONS.md, "Object Lock"). A write carries its lock settings in its
// template (meta.Object.Retention and LegalHold, or CopyInput's); the metadata store gives
// a version that names none its bucket's default retention and refuses to remove a locked
// version for good (meta.ErrObjectLocked), both inside the writing transaction. The calls
// here change one version's settings, also in one transaction.

// lockEnabled returns meta.ErrLockNotEnabled unless the bucket has Object Lock.
func (e *Engine) lockEnabled(ctx context.Context, bucket string) error {
	b, err := e.meta.GetBucket(ctx, bucket)
	if err != nil {
		return err
	}
	if b.ObjectLock == nil || !b.ObjectLock.Enabled {
		return meta.ErrLockNotEnabled
	}
	return nil
}

// lockTarget refuses a delete marker as the object of a lock call: the current one as a
// missing key, one named by id as a method not allowed on it (as GET does).
func lockTarget(o *meta.Object, versionID string) error {
	if !o.DeleteMarker {
		return nil
	}
	if versionID == "" {
		return ErrDeleteMarker
	}
	return ErrVersionIsDeleteMarker
}

// RetentionInput is a PutObjectRetention.
type RetentionInput struct {
	Bucket, Key string
	// VersionID names the version ("" = the current one, "null" = the null version).
	VersionID string
	// Retention is the new retention; nil removes it.
	Retention *meta.Retention
	// BypassGovernance: the caller asked to bypass GOVERNANCE and is allowed to.
	BypassGovernance bool
}

// RetentionChangeAllowed decides whether a version's retention cur may become next at now:
// always once cur no longer protects the version; otherwise only to the same or a later
// date, never from COMPLIANCE to another mode nor removed, except that GOVERNANCE gives
// way to bypassGovernance. COMPLIANCE gives way to no one.
func RetentionChangeAllowed(cur, next *meta.Retention, bypassGovernance bool, now time.Time) bool {
	if !cur.InForce(now) {
		return true
	}
	weaker := next == nil || next.Until.Before(cur.Until) || (cur.Mode == meta.LockCompliance && next.Mode != meta.LockCompliance)
	return !weaker || (cur.Mode == meta.LockGovernance && bypassGovernance)
}

// PutRetention sets (or removes) one version's retention.
//
// Errors: meta.ErrNoSuchBucket, meta.ErrLockNotEnabled, meta.ErrNoSuchKey,
// meta.ErrNoSuchVersion, ErrDeleteMarker, ErrVersionIsDeleteMarker, meta.ErrObjectLocked
// when the change would weaken a retention in force (RetentionChangeAllowed).
func (e *Engine) PutRetention(ctx context.Context, in RetentionInput) error {
	if err := e.lockEnabled(ctx, in.Bucket); err != nil {
		return err
	}
	return e.meta.UpdateVersion(ctx, in.Bucket, in.Key, in.VersionID, func(o *meta.Object) error {
		if err := lockTarget(o, in.VersionID); err != nil {
			return err
		}
		if !RetentionChangeAllowed(o.Retention, in.Retention, in.BypassGovernance, time.Now()) {
			return meta.ErrObjectLocked
		}
		o.Retention = in.Retention
		return nil
	})
}

// PutLegalHold turns one version's legal hold ON or OFF (anyone allowed the call may).
// Errors as PutRetention, without meta.ErrObjectLocked.
func (e *Engine) PutLegalHold(ctx context.Context, bucket, key, versionID, status string) error {
	if err := e.lockEnabled(ctx, bucket); err != nil {
		return err
	}
	return e.meta.UpdateVersion(ctx, bucket, key, versionID, func(o *meta.Object) error {
		if err := lockTarget(o, versionID); err != nil {
			return err
		}
		o.LegalHold = status
		return nil
	})
}

// LockOf returns the version whose lock settings a GetObjectRetention or
// GetObjectLegalHold reads. Errors as PutLegalHold.
func (e *Engine) LockOf(ctx context.Context, bucket, key, versionID string) (*meta.Object, error) {
	if err := e.lockEnabled(ctx, bucket); err != nil {
		return nil, err
	}
	o, err := e.meta.GetVersion(ctx, bucket, key, versionID)
	if err != nil {
		return nil, err
	}
	if err := lockTarget(&o, versionID); err != nil {
		return nil, err
	}
	return &o, nil
}
