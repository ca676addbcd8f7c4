package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/config"
)

// registerTrailFlags adds the trail delivery and audit retention flags to the server's
// flag set; apply parses them into cfg once the flags are parsed.
func registerTrailFlags(fs *flag.FlagSet) (apply func(cfg *config.Config) error) {
	delivery := fs.String("trail-delivery-interval", envOr("ARCA_TRAIL_DELIVERY_INTERVAL", "5m"), "how often trails receive their log files [ARCA_TRAIL_DELIVERY_INTERVAL]")
	digest := fs.String("trail-digest-interval", envOr("ARCA_TRAIL_DIGEST_INTERVAL", "1h"), "how often trails with log file validation receive a signed digest file [ARCA_TRAIL_DIGEST_INTERVAL]")
	retention := fs.String("audit-retention", envOr("ARCA_AUDIT_RETENTION", "2160h"), "how long audit records stay in the metadata file for LookupEvents (a duration, or days as 90d); older ones are pruned once every trail has delivered them; 0 = keep forever [ARCA_AUDIT_RETENTION]")
	return func(cfg *config.Config) error {
		d, err := parseRetention(*retention)
		if err != nil {
			return &usageError{msg: fmt.Sprintf("--audit-retention %q is not a duration", *retention), hint: "give a duration such as 2160h or 90d, or 0 to keep records forever"}
		}
		cfg.AuditRetention = d
		if v := os.Getenv("ARCA_AUDIT_PRUNE_INTERVAL"); v != "" { // test knob, undocumented in --help
			if cfg.AuditPruneInterval, err = time.ParseDuration(v); err != nil || cfg.AuditPruneInterval <= 0 {
				return &usageError{msg: fmt.Sprintf("ARCA_AUDIT_PRUNE_INTERVAL %q is not a positive duration", v), hint: "unset it (default 10m)"}
			}
		}
		for _, f := range []struct {
			name, val string
			dst       *time.Duration
		}{{"--trail-delivery-interval", *delivery, &cfg.TrailDeliveryInterval}, {"--trail-digest-interval", *digest, &cfg.TrailDigestInterval}} {
			d, err := time.ParseDuration(f.val)
			if err != nil || d < time.Second {
				return &usageError{msg: fmt.Sprintf("%s %q is not a duration of at least 1s", f.name, f.val), hint: "give a duration such as 30s, 5m or 1h"}
			}
			*f.dst = d
		}
		return nil
	}
}

// parseRetention reads --audit-retention: a Go duration, or whole days as "90d".
func parseRetention(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad day count %q", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = fmt.Errorf("negative duration %q", v)
	}
	return d, err
}
