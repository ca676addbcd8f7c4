package object

import (
	"context"
	"maps"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

// Object tags (docs/TAGGING.md) live in the version's record, so they are covered by its
// authentication; changing them rewrites that record in one metadata transaction and
// changes neither the version's data, its ETag nor its Last-Modified.

// GetTags returns the tag set of a version (the current one for versionID "", "null" for
// the null version) and the version's id ("" = null). Errors: meta.ErrNoSuchBucket,
// meta.ErrNoSuchKey, meta.ErrNoSuchVersion; ErrDeleteMarker when the current version is a
// delete marker; ErrVersionIsDeleteMarker when versionID names one.
func (e *Engine) GetTags(ctx context.Context, bucket, key, versionID string) (map[string]string, string, error) {
	o, err := e.meta.GetVersion(ctx, bucket, key, versionID)
	if err != nil {
		return nil, "", err
	}
	if err := markerRefusal(&o, versionID); err != nil {
		return nil, "", err
	}
	return o.Tags, o.VersionID, nil
}

// PutTags replaces the tag set of a version (nil or empty removes it) and returns the
// version's id. Errors as GetTags.
func (e *Engine) PutTags(ctx context.Context, bucket, key, versionID string, tags map[string]string) (string, error) {
	var vid string
	err := e.meta.UpdateVersion(ctx, bucket, key, versionID, func(o *meta.Object) error {
		if err := markerRefusal(o, versionID); err != nil {
			return err
		}
		o.Tags, o.Task = nil, TaskMarkerFrom(ctx)
		if len(tags) > 0 {
			o.Tags = maps.Clone(tags)
		}
		vid = o.VersionID
		return nil
	})
	return vid, err
}

func markerRefusal(o *meta.Object, versionID string) error {
	if !o.DeleteMarker {
		return nil
	}
	if versionID != "" {
		return ErrVersionIsDeleteMarker
	}
	return ErrDeleteMarker
}

// DeleteConditions are a delete's preconditions, checked against the version the delete
// would remove or hide, in the delete's own transaction; zero values are absent. With any
// of them, a key without a current version (none, or a delete marker) is meta.ErrNoSuchKey.
type DeleteConditions struct {
	// IfMatch is an ETag list or "*".
	IfMatch string
	// LastModified must equal the version's Last-Modified (to the second).
	LastModified time.Time
	// Size must equal the version's size (-1 or 0 with HasSize false: absent).
	Size    int64
	HasSize bool
}

// Any reports whether a condition is set.
func (c DeleteConditions) Any() bool { return c.IfMatch != "" || !c.LastModified.IsZero() || c.HasSize }

func (c DeleteConditions) cond() meta.PutCondition {
	if !c.Any() {
		return nil
	}
	return func(cur *meta.Object) error {
		if cur == nil || cur.DeleteMarker {
			return meta.ErrNoSuchKey
		}
		if c.IfMatch != "" && !ETagMatches(c.IfMatch, cur.ETag) {
			return fail(ErrPreconditionFailed, "Condition", "If-Match")
		}
		if !c.LastModified.IsZero() && !cur.LastModified.Truncate(time.Second).Equal(c.LastModified.Truncate(time.Second)) {
			return fail(ErrPreconditionFailed, "Condition", "x-amz-if-match-last-modified-time")
		}
		if c.HasSize && cur.Size != c.Size {
			return fail(ErrPreconditionFailed, "Condition", "x-amz-if-match-size")
		}
		return nil
	}
}
