package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/arcastore/arca/internal/blob"
	"github.com/arcastore/arca/internal/meta"
)

// sweepOrphans removes what a crash can leave behind: temporary files, and committed blobs
// that no object or upload part references (a crash between the blob commit and the
// metadata commit, or before an old object's blobs were removed). Runs before serving.
//
// A damaged metadata record (meta.ErrDamagedRecord) names blobs no one can know, so while
// any exists no blob is removed: the server starts, says so once, and `arca admin check`
// lists them.
func sweepOrphans(ctx context.Context, m meta.Store, b blob.Store, log *slog.Logger) error {
	start := time.Now()
	if err := b.CleanTemp(ctx); err != nil {
		return err
	}
	live := map[string]bool{}
	damaged, err := m.WalkBlobIDs(ctx, func(id string) { live[id] = true })
	if err != nil {
		return err
	}
	if damaged > 0 {
		log.Error("damaged metadata records: they are not served, and no unreferenced blob is removed until they are dealt with; run 'arca admin check' on the stopped server",
			"records", damaged)
		return nil
	}
	removed := 0
	err = b.Walk(ctx, func(id string, _ time.Time) error {
		if live[id] {
			return nil
		}
		removed++
		return b.Remove(ctx, id)
	})
	if err != nil {
		return err
	}
	if removed > 0 {
		log.Info("removed orphaned blobs", "count", removed, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}
