package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/config"
)

// registerInventoryFlags adds the inventory scheduler's flag to the server's flag set;
// apply parses it into cfg once the flags are parsed.
func registerInventoryFlags(fs *flag.FlagSet) (apply func(cfg *config.Config) error) {
	interval := fs.String("inventory-interval", envOr("ARCA_INVENTORY_INTERVAL", "1h"), "how often the inventory scheduler looks for configurations whose daily or weekly report is due; a new configuration's first report comes at the next look [ARCA_INVENTORY_INTERVAL]")
	return func(cfg *config.Config) error {
		d, err := time.ParseDuration(*interval)
		if err != nil || d < time.Second {
			return &usageError{msg: fmt.Sprintf("--inventory-interval %q is not a duration of at least 1s", *interval), hint: "give a duration such as 10m or 1h"}
		}
		cfg.InventoryInterval = d
		return nil
	}
}
