package batch

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Start runs the engine with x until ctx ends: it prepares New jobs, runs Ready ones
// (highest Priority first, Config.MaxActiveJobs at a time), resumes the jobs that were
// preparing or running when the server stopped, and finishes those that were ending. It
// returns once every job goroutine has stopped (their progress stored), so the store may
// be closed after it returns.
func (s *Service) Start(ctx context.Context, x Executor) {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(s.cfg.PollInterval)
	defer tick.Stop()
	for {
		s.schedule(ctx, x, &wg)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-tick.C:
		}
	}
}

// schedule starts a goroutine for every job that needs one and has none.
func (s *Service) schedule(ctx context.Context, x Executor, wg *sync.WaitGroup) {
	// Hold the lock while reading, so no goroutine ends between the read and the launch
	// (which would start a second one on a stale status).
	s.mu.Lock()
	defer s.mu.Unlock()
	var prep, run, expired []*Job
	cutoff := s.now().Add(-s.cfg.Retention)
	err := s.db.View(func(tx kv.Tx) error {
		return s.forEachRecord(tx, func(r *record) error {
			switch st := r.Job.Status; {
			case st.Terminal() && !r.Job.TerminationDate.IsZero() && r.Job.TerminationDate.Before(cutoff):
				expired = append(expired, r.Job)
			case st == StatusNew || st == StatusPreparing:
				prep = append(prep, r.Job)
			case st == StatusCancelling && !r.Run.Prepared:
				prep = append(prep, r.Job) // the preparer ends it
			case st == StatusReady || st == StatusActive || st == StatusCompleting ||
				st == StatusFailing || st == StatusCancelling:
				run = append(run, r.Job)
			}
			return nil
		})
	})
	if err != nil {
		s.log.Error("batch: listing jobs", "err", err)
		return
	}
	if len(expired) > 0 {
		s.expire(expired)
	}
	// Jobs already under way first (they hold resources and are resumed after a
	// restart), then by priority, then oldest first.
	started := func(j *Job) bool { return j.Status != StatusReady }
	sort.SliceStable(run, func(a, b int) bool {
		ja, jb := run[a], run[b]
		if started(ja) != started(jb) {
			return started(ja)
		}
		if ja.Priority != jb.Priority {
			return ja.Priority > jb.Priority
		}
		return ja.CreationTime.Before(jb.CreationTime)
	})
	nrun := 0 // jobs running tasks (preparers and ending jobs do not count)
	for _, running := range s.busy {
		if running {
			nrun++
		}
	}
	launch := func(id string, running bool, fn func(context.Context, Executor, string)) {
		s.busy[id] = running
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.busy, id)
				s.mu.Unlock()
				s.poke()
			}()
			fn(ctx, x, id)
		}()
	}
	for _, j := range prep {
		if _, busy := s.busy[j.ID]; !busy {
			launch(j.ID, false, s.prepareJob)
		}
	}
	for _, j := range run {
		if _, busy := s.busy[j.ID]; busy {
			continue
		}
		// A Ready job waits for a free slot; ending jobs only write their report.
		if j.Status == StatusReady || j.Status == StatusActive {
			if nrun >= s.cfg.MaxActiveJobs {
				continue
			}
			nrun++
			launch(j.ID, true, s.runJob)
			continue
		}
		launch(j.ID, false, s.runJob)
	}
}

// load reads job id's record.
func (s *Service) load(id string) (*record, error) {
	var out *record
	err := s.db.View(func(tx kv.Tx) error {
		r, ok, err := s.getRecord(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchJob(id)
		}
		out = r
		return nil
	})
	return out, err
}

// errStop ends a job's work early: it was cancelled or failed.
var errStop = errors.New("batch: job stopping")

// runJob runs job id from Ready or Active to the end of its tasks, and ends it.
func (s *Service) runJob(ctx context.Context, x Executor, id string) {
	r, err := s.mutate(id, func(r *record) error {
		switch r.Job.Status {
		case StatusReady:
			r.Job.Status = StatusActive
			r.Run.ActiveSince = s.now().UTC()
		case StatusActive, StatusCompleting, StatusFailing:
		case StatusCancelling:
			if !r.Run.Prepared {
				return errStop
			}
		default:
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return
	}
	if err != nil {
		s.log.Error("batch: starting a job", "job", id, "err", err)
		return
	}
	if r.Job.Status == StatusActive {
		if err := s.execute(ctx, x, r); err != nil {
			if ctx.Err() == nil && !errors.Is(err, errStop) {
				s.log.Error("batch: running a job", "job", id, "err", err)
				s.fail(id, "InternalError", "The job stopped on an internal error.")
			}
			if ctx.Err() != nil {
				return
			}
		}
	}
	if ctx.Err() != nil {
		return
	}
	s.finish(ctx, x, id)
}

// fail moves job id to Failing (its report is still written) with one failure reason.
func (s *Service) fail(id, code, reason string) {
	_, err := s.mutate(id, func(r *record) error {
		if r.Job.Status.Terminal() {
			return nil
		}
		s.leaveActive(r)
		r.Job.Status = StatusFailing
		r.Run.Final = StatusFailed
		r.Job.FailureReasons = []FailureReason{{FailureCode: code, FailureReason: reason}}
		return nil
	})
	if err != nil {
		s.log.Error("batch: failing a job", "job", id, "err", err)
	}
}

// leaveActive adds the time r spent Active to its total.
func (s *Service) leaveActive(r *record) {
	if !r.Run.ActiveSince.IsZero() {
		r.Run.ActiveSeconds += s.now().Sub(r.Run.ActiveSince).Seconds()
		r.Run.ActiveSince = time.Time{}
	}
}

// finish ends a job that is Active with every task done, Completing, Cancelling or
// Failing: it writes the completion report (once) and moves the job to its final status,
// dropping its tasks and results in the same transaction.
func (s *Service) finish(ctx context.Context, x Executor, id string) {
	r, err := s.mutate(id, func(r *record) error {
		if r.Job.Status == StatusActive && r.Run.Done >= r.Job.Progress.TotalNumberOfTasks {
			s.leaveActive(r)
			r.Job.Status = StatusCompleting
			r.Run.Final = StatusComplete
		}
		return nil
	})
	if err != nil {
		s.log.Error("batch: ending a job", "job", id, "err", err)
		return
	}
	switch r.Job.Status {
	case StatusCompleting, StatusCancelling, StatusFailing:
	default:
		return
	}
	attempted := r.Job.Progress.NumberOfTasksSucceeded + r.Job.Progress.NumberOfTasksFailed
	var reasons []FailureReason
	if r.Job.Report.Enabled && r.Run.Prepared && !r.Run.ReportWritten && attempted > 0 {
		if err := s.writeReport(ctx, x, r); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("batch: writing a completion report", "job", id, "err", err)
			reasons = []FailureReason{{FailureCode: "ReportWriteFailure",
				FailureReason: "Writing the completion report failed: " + err.Error()}}
		}
	}
	err = s.db.Update(func(tx kv.Tx) error {
		r, ok, err := s.getRecord(tx, id)
		if err != nil || !ok {
			return err
		}
		s.leaveActive(r)
		r.Run.ReportWritten = reasons == nil
		r.Job.Status = r.Run.Final
		if reasons != nil {
			r.Job.Status = StatusFailed
			r.Job.FailureReasons = append(r.Job.FailureReasons, reasons...)
		}
		if r.Job.Status == "" {
			r.Job.Status = StatusComplete
		}
		r.Job.TerminationDate = s.now().UTC()
		if err := s.putRecord(tx, r); err != nil {
			return err
		}
		return dropTasks(tx, id)
	})
	if err != nil {
		s.log.Error("batch: ending a job", "job", id, "err", err)
	}
}

// done is one task's outcome, on its way to the store.
type done struct {
	idx int64
	res TaskResult
}

// execute runs r's tasks until all have results, the job stops (errStop) or ctx ends.
// See docs/BATCH.md "Exactly once" for the argument.
func (s *Service) execute(ctx context.Context, x Executor, r *record) error {
	j := r.Job
	id := j.ID
	total := j.Progress.TotalNumberOfTasks
	dispatched := r.Run.Dispatched

	// Tasks handed out before a crash without a stored result: the marker tells a task
	// that took effect (counted, not redone) from one to run again.
	var redo []Task
	var recovered []done
	if r.Run.Done < dispatched {
		var pending []Task
		err := s.db.View(func(tx kv.Tx) error {
			b, err := taskBucket(tx, id, false)
			if err != nil || b == nil {
				return err
			}
			for i := r.Run.Done; i < dispatched; i++ {
				if _, ok, err := s.getResult(b, id, i); err != nil {
					return err
				} else if ok {
					continue
				}
				t, err := s.getTask(b, id, i)
				if err != nil {
					return err
				}
				pending = append(pending, t)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, t := range pending {
			applied, err := x.Applied(ctx, j, t)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err == nil && applied {
				recovered = append(recovered, done{t.Index, TaskResult{Succeeded: true, HTTPStatus: 200}})
				continue
			}
			redo = append(redo, t)
		}
		if len(recovered) > 0 {
			if _, err := s.flush(id, recovered); err != nil {
				return err
			}
		}
		if len(pending) > 0 {
			s.log.Info("batch: resumed a job: tasks dispatched before the stop without a stored result were checked by their marker",
				"job", id, "applied", len(recovered), "rerun", len(redo))
		}
	}

	in := make(chan Task)
	out := make(chan done, s.cfg.Workers)
	var wg sync.WaitGroup
	for w := 0; w < s.cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range in {
				out <- done{t.Index, x.Do(ctx, j, t)}
			}
		}()
	}
	defer func() {
		close(in)
		wg.Wait()
	}()

	next := dispatched // the next never-dispatched index
	var queue []Task   // tasks loaded and ready to send
	queue = append(queue, redo...)
	var buf []done
	inflight := 0
	stopping := false
	var stopErr error
	rate := s.rate(j)
	var nextAt time.Time
	flushTick := time.NewTicker(200 * time.Millisecond)
	defer flushTick.Stop()

	doFlush := func() {
		if len(buf) == 0 {
			return
		}
		stop, err := s.flush(id, buf)
		buf = buf[:0]
		if err != nil {
			stopping, stopErr = true, err
			return
		}
		if stop {
			stopping, stopErr = true, errStop
		}
	}

	for {
		if !stopping && len(queue) == 0 && next < total {
			// Advance the watermark durably, then load that window of tasks.
			hi := min(total, next+int64(s.cfg.DispatchWindow))
			tasks, err := s.advance(id, next, hi)
			if err != nil {
				stopping, stopErr = true, err
			} else {
				queue = tasks
				next = hi
			}
		}
		if !stopping && len(queue) == 0 && next >= total && inflight == 0 {
			doFlush()
			if stopErr != nil {
				return stopErr
			}
			return nil
		}
		if stopping && inflight == 0 {
			doFlush()
			return stopErr
		}
		var sendCh chan Task
		var waitCh <-chan time.Time
		var head Task
		var tm *time.Timer
		if !stopping && len(queue) > 0 {
			if rate > 0 && time.Now().Before(nextAt) {
				tm = time.NewTimer(time.Until(nextAt))
				waitCh = tm.C
			} else {
				sendCh = in
				head = queue[0]
			}
		}
		select {
		case sendCh <- head:
			queue = queue[1:]
			inflight++
			if rate > 0 {
				nextAt = time.Now().Add(time.Second / time.Duration(rate))
			}
		case <-waitCh:
		case d := <-out:
			inflight--
			if ctx.Err() != nil && !d.res.Succeeded {
				continue // cut short by shutdown: rerun after the restart
			}
			buf = append(buf, d)
			if len(buf) >= s.cfg.CheckpointEvery {
				doFlush()
				rate = s.rateOf(id, rate)
			}
		case <-flushTick.C:
			doFlush()
		case <-ctx.Done():
			if !stopping {
				stopping, stopErr = true, ctx.Err()
			}
		}
		if tm != nil {
			tm.Stop()
		}
	}
}

// advance persists the dispatch watermark D = hi (never lowering it) and returns the
// tasks [lo, hi). The watermark is durable before any of those tasks is dispatched; the
// tasks are read after, outside the write transaction.
func (s *Service) advance(id string, lo, hi int64) ([]Task, error) {
	err := s.db.Update(func(tx kv.Tx) error {
		r, ok, err := s.getRecord(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchJob(id)
		}
		if r.Job.Status != StatusActive {
			return errStop
		}
		if hi > r.Run.Dispatched {
			r.Run.Dispatched = hi
			return s.putRecord(tx, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tasks := make([]Task, 0, hi-lo)
	err = s.db.View(func(tx kv.Tx) error {
		b, err := taskBucket(tx, id, false)
		if err != nil {
			return err
		}
		if b == nil {
			return errNoSuchJob(id)
		}
		for i := lo; i < hi; i++ {
			t, err := s.getTask(b, id, i)
			if err != nil {
				return err
			}
			tasks = append(tasks, t)
		}
		return nil
	})
	return tasks, err
}

// Failure threshold (AWS's): once at least failureMinTasks tasks have run, a job whose
// failed tasks are more than half of them fails.
const failureMinTasks = 1000

// flush stores results ds and the counters and watermark K in one transaction. stop
// reports that the job is no longer Active (cancelled, or failed by the threshold).
func (s *Service) flush(id string, ds []done) (stop bool, err error) {
	err = s.db.Update(func(tx kv.Tx) error {
		stop = false
		r, ok, err := s.getRecord(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchJob(id)
		}
		b, err := taskBucket(tx, id, true)
		if err != nil {
			return err
		}
		p := &r.Job.Progress
		for _, d := range ds {
			if b.Get(taskKey('r', d.idx)) != nil {
				continue // stored already: counted once
			}
			if err := s.putResult(b, id, d.idx, d.res); err != nil {
				return err
			}
			if d.res.Succeeded {
				p.NumberOfTasksSucceeded++
			} else {
				p.NumberOfTasksFailed++
			}
		}
		for r.Run.Done < p.TotalNumberOfTasks && b.Get(taskKey('r', r.Run.Done)) != nil {
			r.Run.Done++
		}
		if r.Job.Status == StatusActive {
			attempted := p.NumberOfTasksSucceeded + p.NumberOfTasksFailed
			if attempted >= failureMinTasks && 2*p.NumberOfTasksFailed > attempted {
				s.leaveActive(r)
				r.Job.Status = StatusFailing
				r.Run.Final = StatusFailed
				r.Job.FailureReasons = []FailureReason{{FailureCode: "TaskFailureThresholdExceeded",
					FailureReason: "The job failed: more than 50% of its tasks failed after at least 1000 tasks ran."}}
			}
		}
		stop = r.Job.Status != StatusActive
		return s.putRecord(tx, r)
	})
	return stop, err
}

// expire deletes the records (and ClientRequestTokens, and any tasks left) of jobs that
// ended more than Config.Retention ago.
func (s *Service) expire(jobs []*Job) {
	err := s.db.Update(func(tx kv.Tx) error {
		jb := tx.Bucket(bucketJobs)
		tb := tx.Bucket(bucketTokens)
		for _, j := range jobs {
			if jb != nil {
				if err := jb.Delete([]byte(j.ID)); err != nil {
					return err
				}
			}
			if tb != nil {
				if err := tb.Delete([]byte(j.AccountID + "\x00" + j.ClientRequestToken)); err != nil {
					return err
				}
			}
			if err := dropTasks(tx, j.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Error("batch: deleting ended jobs", "err", err)
	}
}
