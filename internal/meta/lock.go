package meta

import (
	"errors"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Object Lock (docs/VERSIONS.md, "Object Lock"). A bucket created with Object Lock (or a
// versioned bucket it was enabled on) keeps its ObjectLock configuration for good, and its
// versioning stays Enabled. Each version carries its own retention and legal hold in its
// record, so they are authenticated with it and change only in a transaction that rewrites
// that record (UpdateVersion). Removing a version for good is refused inside the deleting
// transaction while the version is locked (see Locked), so a lock cannot race a delete.

// Object Lock retention modes.
const (
	LockGovernance = "GOVERNANCE"
	LockCompliance = "COMPLIANCE"
)

// Legal hold states as stored ("" = never set).
const (
	LegalHoldOn  = "ON"
	LegalHoldOff = "OFF"
)

var (
	// ErrObjectLocked: the version is protected by Object Lock (retention in force, or a
	// legal hold), and the change would remove it or weaken its protection.
	ErrObjectLocked = errors.New("meta: the version is protected by object lock")
	// ErrLockNotEnabled: a write asks for Object Lock settings on a bucket without Object
	// Lock.
	ErrLockNotEnabled = errors.New("meta: the bucket has no object lock configuration")
)

// ObjectLock is a bucket's Object Lock configuration: once Enabled, for good. Mode (""
// for none) with Days or Years is the default retention given to every new version that
// does not name its own.
type ObjectLock struct {
	Enabled bool   `json:"on"`
	Mode    string `json:"mode,omitempty"`
	Days    int    `json:"days,omitempty"`
	Years   int    `json:"years,omitempty"`
}

// DefaultUntil is the retain-until date the default retention gives a version made at t.
func (l *ObjectLock) DefaultUntil(t time.Time) time.Time {
	if l.Years > 0 {
		return t.AddDate(l.Years, 0, 0)
	}
	return t.AddDate(0, 0, l.Days)
}

// Retention is a version's Object Lock retention: the version may not be removed before
// Until, in Mode.
type Retention struct {
	Mode  string    `json:"mode"`
	Until time.Time `json:"until"`
}

// InForce reports whether the retention still protects its version at now.
func (r *Retention) InForce(now time.Time) bool { return r != nil && now.Before(r.Until) }

// Locked reports whether o may not be removed for good at now: its legal hold is on, or
// its retention is in force, unless that retention is GOVERNANCE and bypassGovernance.
// COMPLIANCE is never bypassed.
func (o *Object) Locked(now time.Time, bypassGovernance bool) bool {
	if o == nil {
		return false
	}
	if o.LegalHold == LegalHoldOn {
		return true
	}
	if !o.Retention.InForce(now) {
		return false
	}
	return o.Retention.Mode != LockGovernance || !bypassGovernance
}

// deletable refuses to remove a locked version for good.
func deletable(o *Object, bypassGovernance bool) error {
	if o.Locked(time.Now(), bypassGovernance) {
		return ErrObjectLocked
	}
	return nil
}

// applyLock checks a new version's Object Lock settings against its bucket in tx and gives
// it the bucket's default retention when it names none (a delete marker gets none).
func (s *KVStore) applyLock(tx kv.Tx, bucket string, o *Object) error {
	v := tx.Bucket(bktBuckets).Get([]byte(bucket))
	if v == nil {
		return ErrNoSuchBucket
	}
	b, err := s.buckets.decode(bucket, v, s.mac)
	if err != nil {
		return err
	}
	lock := b.ObjectLock
	if lock == nil || !lock.Enabled {
		if o.Retention != nil || o.LegalHold != "" {
			return ErrLockNotEnabled
		}
		return nil
	}
	if o.DeleteMarker || o.Retention != nil || lock.Mode == "" {
		return nil
	}
	t := o.LastModified
	if t.IsZero() {
		t = time.Now().UTC()
	}
	o.Retention = &Retention{Mode: lock.Mode, Until: lock.DefaultUntil(t).UTC()}
	return nil
}
