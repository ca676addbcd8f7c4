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
		o, b, err := s.findVersion(tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		keep := *o
		if err := fn(o); err != nil {
			return err
		}
		o.Key, o.VersionID, o.LastModified, o.DeleteMarker = keep.Key, keep.VersionID, keep.LastModified, keep.DeleteMarker
		if keep.IsLatest {
			return s.putRec(b, []byte(key), kindObject, objectLoc(bucket, key), o)
		}
		return s.putNoncurrent(b, bucket, o)
	})
}
