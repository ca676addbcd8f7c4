package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/config"
)

// registerTrailFlags adds the trail delivery flags to the server's flag set; apply parses
// them into cfg once the flags are parsed.
func registerTrailFlags(fs *flag.FlagSet) (apply func(cfg *config.Config) error) {
	delivery := fs.String("trail-delivery-interval", envOr("ARCA_TRAIL_DELIVERY_INTERVAL", "5m"), "how often trails receive their log files [ARCA_TRAIL_DELIVERY_INTERVAL]")
	digest := fs.String("trail-digest-interval", envOr("ARCA_TRAIL_DIGEST_INTERVAL", "1h"), "how often trails with log file validation receive a signed digest file [ARCA_TRAIL_DIGEST_INTERVAL]")
	return func(cfg *config.Config) error {
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
