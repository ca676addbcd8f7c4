package batch

import (
	"strconv"

	"github.com/arcastore/arca/internal/kv"
)

// A job's task rate (an Arca extension; AWS has no per-job limit): the job tag
// RateLimitTag ("arca:max-tasks-per-second", a positive integer) when the job carries one,
// else Config.MaxTasksPerSecond; 0 is no limit. The tag is read when the job starts and
// again at every checkpoint, so PutJobTagging changes a running job's rate.

// rate is j's tasks-per-second cap (0 = none).
func (s *Service) rate(j *Job) int {
	for _, t := range j.Tags {
		if t.Key == RateLimitTag {
			if n, err := strconv.Atoi(t.Value); err == nil && n > 0 {
				return n
			}
		}
	}
	return s.cfg.MaxTasksPerSecond
}

// rateOf re-reads job id's rate from the store (cur when it cannot be read).
func (s *Service) rateOf(id string, cur int) int {
	out := cur
	_ = s.db.View(func(tx kv.Tx) error {
		r, ok, err := s.getRecord(tx, id)
		if err == nil && ok {
			out = s.rate(r.Job)
		}
		return nil
	})
	return out
}
