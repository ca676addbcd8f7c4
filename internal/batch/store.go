package batch

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Storage (docs/BATCH.md, "Storage"). Every value is an authenticated record
// (internal/recauth, docs/FORMAT.md "Metadata records"):
//
//	batch-jobs/<job id>                         kind "batch-job"    [id]        the record
//	batch-tokens/<account>\x00<token>           kind "batch-token"  [account, token]
//	batch-tasks/<job id>/t<u64be index>         kind "batch-task"   [id, index] the task
//	batch-tasks/<job id>/r<u64be index>         kind "batch-result" [id, index] its result
var (
	bucketJobs   = []byte("batch-jobs")
	bucketTokens = []byte("batch-tokens")
	bucketTasks  = []byte("batch-tasks")
)

const (
	kindJob    = "batch-job"
	kindToken  = "batch-token"
	kindTask   = "batch-task"
	kindResult = "batch-result"
)

// record is what is stored for a job: the job and the engine's state of it.
type record struct {
	Job *Job
	Run runState
}

// runState is the engine's bookkeeping of a job (never sent to clients).
type runState struct {
	// Fingerprint is the hash of CreateJob's parameters, for idempotent retries.
	Fingerprint string
	// Confirmed: UpdateJobStatus(Ready) arrived before the job was Suspended.
	Confirmed bool
	// Prepared: the tasks are stored (Progress.TotalNumberOfTasks of them).
	Prepared bool
	// Done (K): every task with an index below it has its result stored.
	Done int64
	// Dispatched (D): no task with an index at or above it was ever handed to the
	// Executor. Persisted before tasks below it are dispatched.
	Dispatched int64
	// ActiveSince is when the job last became Active (zero when it is not Active);
	// ActiveSeconds the time it spent Active before that.
	ActiveSince   time.Time
	ActiveSeconds float64
	// ReportWritten: the completion report has been delivered.
	ReportWritten bool
	// Final is the status the job ends in once its report is written (Complete,
	// Cancelled, Failed), set when it enters Completing, Cancelling or Failing.
	Final Status
}

type tokenRecord struct {
	JobID       string
	Fingerprint string
}

// taskKey is a task's (prefix 't') or result's (prefix 'r') key in its job's bucket.
func taskKey(prefix byte, idx int64) []byte {
	k := make([]byte, 9)
	k[0] = prefix
	binary.BigEndian.PutUint64(k[1:], uint64(idx))
	return k
}

func (s *Service) sealJSON(kind string, loc []string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.rec.Seal(kind, loc, body), nil
}

func (s *Service) openJSON(kind string, loc []string, raw []byte, v any) error {
	body, err := s.rec.Open(kind, loc, raw)
	if err != nil {
		return fmt.Errorf("batch: %s %v: %w", kind, loc, err)
	}
	return json.Unmarshal(body, v)
}

// getRecord reads job id's record in tx; ok is false when there is none.
func (s *Service) getRecord(tx kv.Tx, id string) (*record, bool, error) {
	b := tx.Bucket(bucketJobs)
	if b == nil {
		return nil, false, nil
	}
	raw := b.Get([]byte(id))
	if raw == nil {
		return nil, false, nil
	}
	var r record
	if err := s.openJSON(kindJob, []string{id}, raw, &r); err != nil {
		return nil, false, err
	}
	return &r, true, nil
}

// putRecord writes r in the write transaction tx.
func (s *Service) putRecord(tx kv.Tx, r *record) error {
	b, err := tx.CreateBucketIfNotExists(bucketJobs)
	if err != nil {
		return err
	}
	v, err := s.sealJSON(kindJob, []string{r.Job.ID}, r)
	if err != nil {
		return err
	}
	return b.Put([]byte(r.Job.ID), v)
}

// forEachRecord calls fn for every job record (damaged records are logged and skipped).
func (s *Service) forEachRecord(tx kv.Tx, fn func(*record) error) error {
	b := tx.Bucket(bucketJobs)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		var r record
		if err := s.openJSON(kindJob, []string{string(k)}, v, &r); err != nil {
			s.log.Error("batch: skipping a damaged job record", "job", string(k), "err", err)
			return nil
		}
		return fn(&r)
	})
}

// mutate runs fn on job id's record in one durable write transaction and returns the
// record as written. fn may run more than once (kv group commit): it must only set.
func (s *Service) mutate(id string, fn func(r *record) error) (*record, error) {
	var out *record
	err := s.db.Update(func(tx kv.Tx) error {
		r, ok, err := s.getRecord(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return errNoSuchJob(id)
		}
		if err := fn(r); err != nil {
			return err
		}
		if err := s.putRecord(tx, r); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// taskBucket returns job id's bucket of tasks and results (created when create is set).
func taskBucket(tx kv.Tx, id string, create bool) (kv.Bucket, error) {
	if !create {
		b := tx.Bucket(bucketTasks)
		if b == nil {
			return nil, nil
		}
		return b.Bucket([]byte(id)), nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketTasks)
	if err != nil {
		return nil, err
	}
	return b.CreateBucketIfNotExists([]byte(id))
}

// dropTasks removes job id's tasks and results.
func dropTasks(tx kv.Tx, id string) error {
	b := tx.Bucket(bucketTasks)
	if b == nil || b.Bucket([]byte(id)) == nil {
		return nil
	}
	return b.DeleteBucket([]byte(id))
}

func (s *Service) putTask(b kv.Bucket, id string, t Task) error {
	v, err := s.sealJSON(kindTask, []string{id, strconv.FormatInt(t.Index, 10)}, t)
	if err != nil {
		return err
	}
	return b.Put(taskKey('t', t.Index), v)
}

func (s *Service) getTask(b kv.Bucket, id string, idx int64) (Task, error) {
	var t Task
	raw := b.Get(taskKey('t', idx))
	if raw == nil {
		return t, fmt.Errorf("batch: job %s: task %d missing", id, idx)
	}
	err := s.openJSON(kindTask, []string{id, strconv.FormatInt(idx, 10)}, raw, &t)
	return t, err
}

func (s *Service) putResult(b kv.Bucket, id string, idx int64, res TaskResult) error {
	v, err := s.sealJSON(kindResult, []string{id, strconv.FormatInt(idx, 10)}, res)
	if err != nil {
		return err
	}
	return b.Put(taskKey('r', idx), v)
}

// getResult returns task idx's stored result; ok is false when there is none.
func (s *Service) getResult(b kv.Bucket, id string, idx int64) (TaskResult, bool, error) {
	var res TaskResult
	raw := b.Get(taskKey('r', idx))
	if raw == nil {
		return res, false, nil
	}
	err := s.openJSON(kindResult, []string{id, strconv.FormatInt(idx, 10)}, raw, &res)
	return res, err == nil, err
}
