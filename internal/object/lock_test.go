package object

import (
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

var lockNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func ret(mode string, d time.Duration) *meta.Retention {
	return &meta.Retention{Mode: mode, Until: lockNow.Add(d)}
}

var retentionChangeTests = []struct {
	name      string
	cur, next *meta.Retention
	bypass    bool
	want      bool
}{
	{"none to any", nil, ret(meta.LockCompliance, time.Hour), false, true},
	{"expired compliance removed", ret(meta.LockCompliance, -time.Second), nil, false, true},
	{"compliance extended", ret(meta.LockCompliance, time.Hour), ret(meta.LockCompliance, 2*time.Hour), false, true},
	{"compliance kept", ret(meta.LockCompliance, time.Hour), ret(meta.LockCompliance, time.Hour), false, true},
	{"compliance shortened", ret(meta.LockCompliance, time.Hour), ret(meta.LockCompliance, time.Minute), true, false},
	{"compliance to governance", ret(meta.LockCompliance, time.Hour), ret(meta.LockGovernance, 2*time.Hour), true, false},
	{"compliance removed", ret(meta.LockCompliance, time.Hour), nil, true, false},
	{"governance extended", ret(meta.LockGovernance, time.Hour), ret(meta.LockGovernance, 2*time.Hour), false, true},
	{"governance to compliance", ret(meta.LockGovernance, time.Hour), ret(meta.LockCompliance, time.Hour), false, true},
	{"governance shortened", ret(meta.LockGovernance, time.Hour), ret(meta.LockGovernance, time.Minute), false, false},
	{"governance shortened with bypass", ret(meta.LockGovernance, time.Hour), ret(meta.LockGovernance, time.Minute), true, true},
	{"governance removed", ret(meta.LockGovernance, time.Hour), nil, false, false},
	{"governance removed with bypass", ret(meta.LockGovernance, time.Hour), nil, true, true},
}

func TestRetentionChangeAllowed(t *testing.T) {
	for _, tt := range retentionChangeTests {
		if got := RetentionChangeAllowed(tt.cur, tt.next, tt.bypass, lockNow); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
