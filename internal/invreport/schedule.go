package invreport

import (
	"context"
	"encoding/json"
	"time"

	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/kv"
)

// stateBucket is the kv bucket the service owns: one record per (source bucket,
// configuration id) saying when it last ran.
var stateBucket = []byte("invreport")

// runState is a configuration's last run, as kept in the state bucket.
type runState struct {
	At time.Time `json:"at"`
	// Manifest is the manifest.json key of the report delivered ("" when the run failed).
	Manifest string `json:"manifest,omitempty"`
	// Error is why the run failed ("" when it delivered).
	Error string `json:"error,omitempty"`
}

func stateKey(bucket, id string) []byte { return []byte(bucket + "\x00" + id) }

func (s *Service) saveState(bucket, id string, st runState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.d.KV.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists(stateBucket)
		if err != nil {
			return err
		}
		return b.Put(stateKey(bucket, id), raw)
	})
}

// LastRun returns when bucket's configuration id last ran, the manifest key it delivered
// ("" if it failed) and the failure; a zero time if it never ran.
func (s *Service) LastRun(bucket, id string) (at time.Time, manifest, failure string, err error) {
	st, err := s.state(bucket, id)
	return st.At, st.Manifest, st.Error, err
}

func (s *Service) state(bucket, id string) (runState, error) {
	var st runState
	err := s.d.KV.View(func(tx kv.Tx) error {
		b := tx.Bucket(stateBucket)
		if b == nil {
			return nil
		}
		if v := b.Get(stateKey(bucket, id)); v != nil {
			return json.Unmarshal(v, &st)
		}
		return nil
	})
	return st, err
}

// period is how long a configuration's report stays fresh.
func period(c inventory.Config) time.Duration {
	if c.Schedule == inventory.Weekly {
		return 7 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// due says whether a configuration should run now: never ran (S3 delivers the first
// report within 48 hours; Arca at the scheduler's next tick), its last run failed or was
// cut short (retried at the next tick), or its period passed since its last report.
func due(c inventory.Config, st runState, now time.Time) bool {
	if !c.IsEnabled {
		return false
	}
	if st.At.IsZero() || st.Error != "" {
		return true
	}
	return !now.Before(st.At.Add(period(c)))
}

// Tick runs every enabled configuration of every bucket that is due, one after the
// other; a failure is logged, kept as the configuration's last run and retried at the
// next tick. It returns how many reports it delivered.
func (s *Service) Tick(ctx context.Context) int {
	buckets, err := s.d.Meta.ListBuckets(ctx)
	if err != nil {
		s.d.Log.Error("inventory: listing buckets", "err", err)
		return 0
	}
	n := 0
	for _, b := range buckets {
		for _, c := range b.Inventory {
			if ctx.Err() != nil {
				return n
			}
			st, err := s.state(b.Name, c.ID)
			if err != nil {
				s.d.Log.Error("inventory: reading the last run", "bucket", b.Name, "id", c.ID, "err", err)
				continue
			}
			if !due(c, st, s.d.Now()) {
				continue
			}
			res, err := s.run(ctx, b, c)
			if err != nil {
				s.d.Log.Error("inventory: report failed; retrying at the next tick", "bucket", b.Name, "id", c.ID, "err", err)
				continue
			}
			n++
			s.d.Log.Info("inventory: report delivered", "bucket", b.Name, "id", c.ID, "manifest", res.ManifestKey, "rows", res.Rows)
		}
	}
	return n
}

// Scheduler runs Tick every interval until ctx ends (and once at the start).
func (s *Service) Scheduler(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
