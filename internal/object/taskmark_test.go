package object

import (
	"context"
	"testing"
)

func TestTaskMarkerContext(t *testing.T) {
	ctx := context.Background()
	if got := TaskMarkerFrom(ctx); got != "" {
		t.Fatalf("marker of a bare context = %q", got)
	}
	if got := TaskMarkerFrom(WithTaskMarker(ctx, "job-1/7")); got != "job-1/7" {
		t.Fatalf("marker = %q, want job-1/7", got)
	}
}
