package invreport

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// failingMeta fails the listing's second page while fail is set: a run cut short after it
// stored a data file (MaxFileRows 1000), as a crash would cut it.
type failingMeta struct {
	meta.Store
	fail bool
}

var errCut = errors.New("cut short")

func (m *failingMeta) ListVersions(ctx context.Context, bucket string, opt meta.VersionListOptions) (meta.VersionListResult, error) {
	if m.fail && opt.KeyMarker != "" {
		return meta.VersionListResult{}, errCut
	}
	return m.Store.ListVersions(ctx, bucket, opt)
}

// A run cut short leaves no manifest (data files are written first, manifest.json and
// manifest.checksum last), is recorded as failed, and the next tick writes a whole report.
func TestRunCutShortLeavesNoManifest(t *testing.T) {
	e := newEnv(t)
	fm := &failingMeta{Store: e.meta, fail: true}
	e.svc.d.Meta = fm
	e.svc.cfg.MaxFileRows = 1000
	e.bucket(t, "reports", "")
	e.bucket(t, "src", "", config("daily", inventory.FormatCSV, inventory.VersionsCurrent))
	ctx := context.Background()
	for i := 0; i < 1500; i++ {
		o := meta.Object{Key: fmt.Sprintf("k%05d", i), Size: 1, ETag: "e", LastModified: e.now, Enc: &meta.Encryption{Mode: sse.ModeS3, MasterVersion: 1}}
		if _, err := e.meta.PutObject(ctx, "src", o, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.svc.Tick(ctx); n != 0 {
		t.Fatalf("a cut-short run delivered")
	}
	keys, err := e.eng.ListInternalKeys(ctx, "reports", "")
	if err != nil {
		t.Fatal(err)
	}
	data := 0
	for _, k := range keys {
		switch {
		case strings.HasSuffix(k, "manifest.json"), strings.HasSuffix(k, "manifest.checksum"):
			t.Errorf("a cut-short run left %s", k)
		case strings.Contains(k, "/data/"):
			data++
		}
	}
	if data != 1 {
		t.Errorf("%d data files before the cut, want 1 (%v)", data, keys)
	}
	if _, manifest, failure, _ := e.svc.LastRun("src", "daily"); manifest != "" || !strings.Contains(failure, "cut short") {
		t.Errorf("last run %q %q", manifest, failure)
	}
	fm.fail = false
	if n := e.svc.Tick(ctx); n != 1 {
		t.Fatalf("the next tick delivered %d reports, want 1", n)
	}
	_, manifest, failure, _ := e.svc.LastRun("src", "daily")
	if failure != "" {
		t.Fatal(failure)
	}
	_, rows := e.readReport(t, &Result{ManifestKey: manifest})
	if len(rows) != 1500 {
		t.Errorf("%d rows after the rerun, want 1500", len(rows))
	}
}
