package meta

import (
	"context"

	"github.com/arcastore/arca/internal/kv"
)

// UpdateVersion (Store) applies fn to one version's record and stores it, in one
// transaction: the current version when versionID is "", else that version ("null" for the
// null version), current or noncurrent; which version is current does not change. fn sees
// the version with IsLatest set when current; it may change anything but the version's
// identity (Key, VersionID, LastModified and DeleteMarker are kept). fn's error is returned
// as is and nothing is written. Returns ErrNoSuchBucket, ErrNoSuchKey (no current version) or ErrNoSuchVersion.
func (s *KVStore) UpdateVersion(ctx context.Context, bucket, key, versionID string, fn func(*Object) error) error {
	return s.update(ctx, func(tx kv.Tx) error {
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		cur, err := s.getObject(ob, bucket, key)
		if err != nil {
			return err
		}
		want := versionID
		if want == NullVersion {
			want = ""
		}
		apply := func(o *Object) error {
			keep := *o
			if err := fn(o); err != nil {
				return err
			}
			o.Key, o.VersionID, o.LastModified, o.DeleteMarker = keep.Key, keep.VersionID, keep.LastModified, keep.DeleteMarker
			return nil
		}
		if versionID == "" || (cur != nil && cur.VersionID == want) {
			if cur == nil {
				if versionID == "" {
					return ErrNoSuchKey
				}
				return ErrNoSuchVersion
			}
			cur.IsLatest = true
			if err := apply(cur); err != nil {
				return err
			}
			return s.putRec(ob, []byte(key), kindObject, objectLoc(bucket, key), cur)
		}
		vb, err := versionsOf(tx, bucket, false)
		if err != nil {
			return err
		}
		sk := noncurrentSK(vb, key, want)
		if sk == nil {
			return ErrNoSuchVersion
		}
		o, err := s.readNoncurrent(vb, bucket, key, sk, vb.Get(versionKey(key, string(sk))))
		if err != nil {
			return err
		}
		if err := apply(o); err != nil {
			return err
		}
		return s.putNoncurrent(vb, bucket, o)
	})
}
