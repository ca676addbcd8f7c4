package object

import (
	"context"

	"github.com/arcastore/arca/internal/meta"
)

// A task marker names the Batch Operations task on whose behalf a write is made ("<job
// id>/<task index>"). Every record the engine commits takes the marker of the context it is
// committed under (or none), in the same transaction as the write itself: after a crash, a
// record carrying a task's marker proves that task's effect is durable (docs/BATCH.md).

type taskMarkerKey struct{}

// WithTaskMarker returns ctx carrying marker; writes made under it record it.
func WithTaskMarker(ctx context.Context, marker string) context.Context {
	return context.WithValue(ctx, taskMarkerKey{}, marker)
}

// TaskMarkerFrom is the marker ctx carries ("" = none).
func TaskMarkerFrom(ctx context.Context) string {
	m, _ := ctx.Value(taskMarkerKey{}).(string)
	return m
}

// TaskMarker is the marker recorded on a version of key ("" = the current version; "null"
// = the null version): "" when the version was not written by a batch task.
//
// Errors: meta.ErrNoSuchBucket, meta.ErrNoSuchKey, meta.ErrNoSuchVersion,
// meta.ErrDamagedRecord.
func (e *Engine) TaskMarker(ctx context.Context, bucket, key, versionID string) (string, error) {
	var (
		o   meta.Object
		err error
	)
	if versionID == "" {
		o, err = e.meta.GetObject(ctx, bucket, key)
	} else {
		o, err = e.meta.GetVersion(ctx, bucket, key, versionID)
	}
	if err != nil {
		return "", err
	}
	return o.Task, nil
}
