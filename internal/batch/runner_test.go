package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// readReport returns the report's manifest.json and its CSV rows by TaskStatus.
func readReport(t *testing.T, m *memExecutor, j *Job) (map[string]any, map[string][][]string) {
	t.Helper()
	manKey := jobPrefix(j.Report.Prefix, j.ID) + "manifest.json"
	body, ok := m.get("reports", manKey)
	if !ok {
		t.Fatalf("no report manifest at %s", manKey)
	}
	var man struct {
		Format       string
		ReportSchema string
		Results      []struct{ TaskExecutionStatus, Bucket, MD5Checksum, Key string }
	}
	if err := json.Unmarshal(body, &man); err != nil {
		t.Fatal(err)
	}
	if man.Format != ReportFormatCSV || man.ReportSchema != ReportSchema {
		t.Fatalf("report manifest %s", body)
	}
	rows := map[string][][]string{}
	for _, r := range man.Results {
		data, ok := m.get(r.Bucket, r.Key)
		if !ok {
			t.Fatalf("report file %s missing", r.Key)
		}
		if md5Hex(data) != r.MD5Checksum {
			t.Fatalf("report file %s MD5 mismatch", r.Key)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		rows[r.TaskExecutionStatus] = recs
	}
	return map[string]any{"raw": string(body)}, rows
}

func TestJobRunsToComplete(t *testing.T) {
	s, _, _ := newTestService(t, Config{Workers: 4, CheckpointEvery: 7, DispatchWindow: 16})
	m := newMemExecutor()
	j := csvManifestJob(m, "run", 100)
	// one listed object does not exist: that task fails, the job still completes
	j.Manifest.Location.ETag = ""
	body, _ := m.get("manifests", "m.csv")
	body = append(body, []byte("src,missing\n")...)
	m.put("manifests", "m.csv", body)
	j.Manifest.Location.ETag = md5Hex(body)
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, m)
	got := waitStatus(t, s, id, StatusComplete, StatusFailed)
	if got.Status != StatusComplete {
		t.Fatalf("status %s: %+v", got.Status, got.FailureReasons)
	}
	p := got.Progress
	if p.TotalNumberOfTasks != 101 || p.NumberOfTasksSucceeded != 100 || p.NumberOfTasksFailed != 1 {
		t.Fatalf("progress %+v", p)
	}
	if got.TerminationDate.IsZero() {
		t.Fatal("no termination date")
	}
	for mk, n := range m.doCalls(id) {
		if n != 1 {
			t.Fatalf("task %s ran %d times", mk, n)
		}
	}
	if len(m.doCalls(id)) != 101 {
		t.Fatalf("%d tasks ran, want 101", len(m.doCalls(id)))
	}
	_, rows := readReport(t, m, got)
	if len(rows["succeeded"]) != 100 || len(rows["failed"]) != 1 {
		t.Fatalf("report rows: %d succeeded, %d failed", len(rows["succeeded"]), len(rows["failed"]))
	}
	if r := rows["failed"][0]; r[1] != "missing" || r[3] != "failed" || r[4] != "404" || r[5] != "NoSuchKey" {
		t.Fatalf("failed row %q", r)
	}
	if r := rows["succeeded"][0]; r[0] != "src" || !strings.HasPrefix(r[1], "dir%2Fobj+") || r[3] != "succeeded" || r[4] != "200" || r[6] != "Successful" {
		t.Fatalf("succeeded row %q", r)
	}
	// tasks and results are dropped once the job ended
	_ = s.db.View(func(tx kv.Tx) error {
		if b, _ := taskBucket(tx, id, false); b != nil {
			t.Fatal("tasks kept after the job ended")
		}
		return nil
	})
}

func TestFailedTasksOnlyReport(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	m := newMemExecutor()
	j := csvManifestJob(m, "fo", 10)
	j.Report.ReportScope = ReportScopeFailedOnly
	m.fail = func(t Task) *TaskResult {
		if strings.HasSuffix(t.Key, " 3") {
			return &TaskResult{ErrorCode: "AccessDenied", HTTPStatus: 403, Message: "Access Denied"}
		}
		return nil
	}
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, m)
	got := waitStatus(t, s, id, StatusComplete)
	_, rows := readReport(t, m, got)
	if len(rows["succeeded"]) != 0 || len(rows["failed"]) != 1 || rows["failed"][0][5] != "AccessDenied" {
		t.Fatalf("rows %v", rows)
	}
}

func TestConfirmationRequired(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	m := newMemExecutor()
	j := csvManifestJob(m, "confirm", 5)
	j.ConfirmationRequired = true
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, m)
	got := waitStatus(t, s, id, StatusSuspended)
	if got.SuspendedDate.IsZero() || got.Progress.TotalNumberOfTasks != 5 {
		t.Fatalf("suspended job %+v", got)
	}
	if n := len(m.doCalls(id)); n != 0 {
		t.Fatalf("%d tasks ran before confirmation", n)
	}
	if _, err := s.UpdateStatus(context.Background(), testAccount, id, StatusReady, ""); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, id, StatusComplete)
}

func TestCancelRunningJob(t *testing.T) {
	s, _, _ := newTestService(t, Config{Workers: 2, CheckpointEvery: 5, DispatchWindow: 10})
	m := newMemExecutor()
	j := csvManifestJob(m, "cancel", 200)
	var id atomic.Value
	id.Store("")
	var n atomic.Int64
	m.hook = func(j *Job, t Task) {
		if n.Add(1) == 20 {
			if _, err := s.UpdateStatus(context.Background(), testAccount, j.ID, StatusCancelled, "stop"); err != nil {
				panic(err)
			}
		}
	}
	jid, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	id.Store(jid)
	startService(t, s, m)
	got := waitStatus(t, s, jid, StatusCancelled)
	ran := int64(len(m.doCalls(jid)))
	if ran >= 200 || got.Progress.NumberOfTasksSucceeded != ran {
		t.Fatalf("ran %d, progress %+v", ran, got.Progress)
	}
	_, rows := readReport(t, m, got)
	if int64(len(rows["succeeded"])) != ran {
		t.Fatalf("report lists %d tasks, %d ran", len(rows["succeeded"]), ran)
	}
}

func TestFailureThreshold(t *testing.T) {
	s, _, _ := newTestService(t, Config{Workers: 4, CheckpointEvery: 50})
	m := newMemExecutor()
	j := csvManifestJob(m, "threshold", 3000)
	m.fail = func(t Task) *TaskResult {
		return &TaskResult{ErrorCode: "AccessDenied", HTTPStatus: 403, Message: "Access Denied"}
	}
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, m)
	got := waitStatus(t, s, id, StatusFailed, StatusComplete)
	if got.Status != StatusFailed || len(got.FailureReasons) != 1 || got.FailureReasons[0].FailureCode != "TaskFailureThresholdExceeded" {
		t.Fatalf("job %s %+v", got.Status, got.FailureReasons)
	}
	if f := got.Progress.NumberOfTasksFailed; f < failureMinTasks || f >= 3000 {
		t.Fatalf("failed %d tasks", f)
	}
	_, rows := readReport(t, m, got)
	if int64(len(rows["failed"])) != got.Progress.NumberOfTasksFailed {
		t.Fatalf("report %d failed rows, progress %d", len(rows["failed"]), got.Progress.NumberOfTasksFailed)
	}
}

func TestFewFailuresDoNotFailTheJob(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	m := newMemExecutor()
	j := csvManifestJob(m, "few", 20)
	m.fail = func(t Task) *TaskResult { return &TaskResult{ErrorCode: "AccessDenied", HTTPStatus: 403} }
	id, _ := s.Create(context.Background(), j)
	startService(t, s, m)
	if got := waitStatus(t, s, id, StatusComplete, StatusFailed); got.Status != StatusComplete {
		t.Fatalf("a job under %d tasks failed: %s", failureMinTasks, got.Status)
	}
}

func TestPriorityOrder(t *testing.T) {
	s, _, _ := newTestService(t, Config{MaxActiveJobs: 1, Workers: 1})
	m := newMemExecutor()
	low := csvManifestJob(m, "low", 20)
	low.Priority = 1
	high := csvJob("high")
	high.Priority = 100
	high.Manifest = low.Manifest
	low.ConfirmationRequired, high.ConfirmationRequired = true, true
	lowID, _ := s.Create(context.Background(), low)
	highID, _ := s.Create(context.Background(), high)
	// Both prepared and waiting, then both Ready when the engine starts again.
	stop := startService(t, s, m)
	waitStatus(t, s, lowID, StatusSuspended)
	waitStatus(t, s, highID, StatusSuspended)
	stop()
	for _, id := range []string{lowID, highID} {
		if _, err := s.UpdateStatus(context.Background(), testAccount, id, StatusReady, ""); err != nil {
			t.Fatal(err)
		}
	}
	s = New(s.cfg, Deps{KV: s.db, Records: s.rec})
	startService(t, s, m)
	lj := waitStatus(t, s, lowID, StatusComplete)
	hj := waitStatus(t, s, highID, StatusComplete)
	if lj.Progress.NumberOfTasksSucceeded != 20 || hj.Progress.NumberOfTasksSucceeded != 20 {
		t.Fatalf("progress low %+v high %+v", lj.Progress, hj.Progress)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.order[0] != highID || m.order[len(m.order)-1] != lowID {
		t.Fatalf("the high-priority job did not run first: %v (high %s)", m.order, highID)
	}
}

func TestBadManifestFailsJob(t *testing.T) {
	cases := []struct {
		name string
		edit func(m *memExecutor, j *Job)
		code string
	}{
		{"etag mismatch", func(m *memExecutor, j *Job) { j.Manifest.Location.ETag = `"` + strings.Repeat("0", 32) + `"` }, "InvalidManifestContent"},
		{"reader etag mismatch", func(m *memExecutor, j *Job) { m.etags["manifests/m.csv"] = `"abc-2"` }, "InvalidManifestContent"},
		{"missing manifest", func(m *memExecutor, j *Job) { j.Manifest.Location.ObjectArn = "arn:aws:s3:::manifests/none.csv" }, "ManifestReadFailure"},
		{"bad csv", func(m *memExecutor, j *Job) {
			body := []byte("src,\"unterminated\n")
			m.put("manifests", "m.csv", body)
			j.Manifest.Location.ETag = md5Hex(body)
		}, "InvalidManifestContent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _ := newTestService(t, Config{})
			m := newMemExecutor()
			j := csvManifestJob(m, "bad", 3)
			tc.edit(m, j)
			id, err := s.Create(context.Background(), j)
			if err != nil {
				t.Fatal(err)
			}
			startService(t, s, m)
			got := waitStatus(t, s, id, StatusFailed, StatusComplete)
			if got.Status != StatusFailed || got.FailureReasons[0].FailureCode != tc.code {
				t.Fatalf("status %s reasons %+v", got.Status, got.FailureReasons)
			}
			if got.TerminationDate.IsZero() {
				t.Fatal("no termination date")
			}
		})
	}
}

// TestResumeExactlyOnce builds the state a crash leaves (tasks dispatched up to D, results
// stored up to K, some of the tasks in between applied) and checks the restarted engine
// counts the applied ones without running them again and runs every other task once.
func TestResumeExactlyOnce(t *testing.T) {
	s, _, _ := newTestService(t, Config{Workers: 3, CheckpointEvery: 4, DispatchWindow: 8})
	m := newMemExecutor()
	j := csvManifestJob(m, "resume", 50)
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	// Prepare, then stop before anything runs: a confirmation keeps it Suspended.
	if _, err := s.mutate(id, func(r *record) error { r.Job.ConfirmationRequired = true; return nil }); err != nil {
		t.Fatal(err)
	}
	stop := startService(t, s, m)
	waitStatus(t, s, id, StatusSuspended)
	stop()

	// The crash: tasks 0..9 have results, 10..29 were dispatched; of those, 10..19 took
	// effect (their marker is on the object) and 20..29 did not.
	rec, err := s.load(id)
	if err != nil {
		t.Fatal(err)
	}
	var tasks []Task
	_ = s.db.View(func(tx kv.Tx) error {
		b, _ := taskBucket(tx, id, false)
		for i := int64(0); i < 50; i++ {
			tk, err := s.getTask(b, id, i)
			if err != nil {
				t.Fatal(err)
			}
			tasks = append(tasks, tk)
		}
		return nil
	})
	var first []done
	for i := 0; i < 10; i++ {
		first = append(first, done{int64(i), TaskResult{Succeeded: true, HTTPStatus: 200}})
	}
	if _, err := s.mutate(id, func(r *record) error {
		r.Job.Status = StatusActive
		r.Run.ActiveSince = s.now()
		r.Run.Dispatched = 30
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.flush(id, first); err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 20; i++ {
		m.marker[tasks[i].Bucket+"/"+tasks[i].Key] = Marker(rec.Job, tasks[i])
	}

	s2 := New(s.cfg, Deps{KV: s.db, Records: s.rec})
	startService(t, s2, m)
	got := waitStatus(t, s2, id, StatusComplete)
	if got.Progress.NumberOfTasksSucceeded != 50 {
		t.Fatalf("progress %+v", got.Progress)
	}
	calls := m.doCalls(id)
	for i := 0; i < 50; i++ {
		n := calls[fmt.Sprintf("%s/%d", id, i)]
		want := 1
		if i < 20 {
			want = 0 // done before the crash (results or marker)
		}
		if n != want {
			t.Errorf("task %d ran %d times after the restart, want %d", i, n, want)
		}
	}
	_, rows := readReport(t, m, got)
	if len(rows["succeeded"]) != 50 {
		t.Fatalf("report lists %d tasks", len(rows["succeeded"]))
	}
	seen := map[string]bool{}
	for _, r := range rows["succeeded"] {
		if seen[r[1]] {
			t.Fatalf("report lists %s twice", r[1])
		}
		seen[r[1]] = true
	}
}

// TestDispatchWatermarkBeforeDispatch checks the invariant the resume relies on: when a
// task runs, the stored watermark D is above its index.
func TestDispatchWatermarkBeforeDispatch(t *testing.T) {
	s, _, _ := newTestService(t, Config{Workers: 2, DispatchWindow: 5, CheckpointEvery: 3})
	m := newMemExecutor()
	j := csvManifestJob(m, "wm", 40)
	var bad atomic.Int64
	m.hook = func(j *Job, tk Task) {
		r, err := s.load(j.ID)
		if err != nil || r.Run.Dispatched <= tk.Index {
			bad.Add(1)
		}
	}
	id, _ := s.Create(context.Background(), j)
	startService(t, s, m)
	waitStatus(t, s, id, StatusComplete)
	if bad.Load() != 0 {
		t.Fatalf("%d tasks ran above the stored watermark", bad.Load())
	}
}

func TestRateTag(t *testing.T) {
	s, _, _ := newTestService(t, Config{MaxTasksPerSecond: 7})
	j := &Job{}
	if s.rate(j) != 7 {
		t.Fatal("default rate")
	}
	j.Tags = []Tag{{Key: RateLimitTag, Value: "3"}}
	if s.rate(j) != 3 {
		t.Fatal("tag rate")
	}
	j.Tags = []Tag{{Key: RateLimitTag, Value: "zero"}}
	if s.rate(j) != 7 {
		t.Fatal("bad tag value")
	}
}

func TestRateLimitedJobCompletes(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	m := newMemExecutor()
	j := csvManifestJob(m, "rate", 10)
	j.Tags = []Tag{{Key: RateLimitTag, Value: "200"}}
	id, _ := s.Create(context.Background(), j)
	startService(t, s, m)
	waitStatus(t, s, id, StatusComplete)
}

// TestStopAndResume stops the engine (as a server shutdown does) in the middle of a job
// and starts a new one on the same store: the job completes with every task run once.
func TestStopAndResume(t *testing.T) {
	s, _, _ := newTestService(t, Config{Workers: 4, CheckpointEvery: 5, DispatchWindow: 20})
	m := newMemExecutor()
	j := csvManifestJob(m, "stop", 300)
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{})
	var n atomic.Int64
	m.hook = func(j *Job, tk Task) {
		if n.Add(1) == 100 {
			close(reached)
		}
	}
	stop := startService(t, s, m)
	<-reached
	stop()
	mid, err := s.Describe(context.Background(), testAccount, id)
	if err != nil {
		t.Fatal(err)
	}
	if mid.Status != StatusActive {
		t.Fatalf("status after the stop %s, want Active", mid.Status)
	}
	s2 := New(s.cfg, Deps{KV: s.db, Records: s.rec})
	startService(t, s2, m)
	got := waitStatus(t, s2, id, StatusComplete)
	if got.Progress.NumberOfTasksSucceeded != 300 {
		t.Fatalf("progress %+v", got.Progress)
	}
	for mk, c := range m.doCalls(id) {
		if c != 1 {
			t.Errorf("task %s ran %d times", mk, c)
		}
	}
	if len(m.doCalls(id)) != 300 {
		t.Fatalf("%d tasks ran", len(m.doCalls(id)))
	}
}

// blockingWalk is an executor whose listing waits until release is closed.
type blockingWalk struct {
	*memExecutor
	entered chan struct{}
	release chan struct{}
}

func (b blockingWalk) Walk(ctx context.Context, j *Job, bucket string, fn func(ObjectInfo) error) error {
	close(b.entered)
	<-b.release
	for i := 0; i < 3*prepareBatch; i++ {
		if err := fn(ObjectInfo{Key: fmt.Sprintf("k%d", i), IsLatest: true}); err != nil {
			return err
		}
	}
	return nil
}

func TestCancelWhilePreparing(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	x := blockingWalk{newMemExecutor(), make(chan struct{}), make(chan struct{})}
	j := csvJob("cprep")
	j.Manifest = nil
	j.Generator = &Generator{SourceBucket: "arn:aws:s3:::src"}
	id, err := s.Create(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, x)
	<-x.entered
	got, err := s.UpdateStatus(context.Background(), testAccount, id, StatusCancelled, "no")
	if err != nil || got.Status != StatusCancelling {
		t.Fatalf("cancel while preparing: %v %v", got, err)
	}
	close(x.release)
	got = waitStatus(t, s, id, StatusCancelled)
	if got.TerminationDate.IsZero() || len(x.doCalls(id)) != 0 {
		t.Fatalf("cancelled job %+v ran %d tasks", got, len(x.doCalls(id)))
	}
}

// syncClock is a settable clock safe for concurrent use.
type syncClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *syncClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *syncClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestEndedJobsExpire: a job that ended is listed and described for Config.Retention
// (90 days, AWS's ListJobs window), then deleted with its token.
func TestEndedJobsExpire(t *testing.T) {
	s0, _, _ := newTestService(t, Config{})
	clock := &syncClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := New(Config{PollInterval: 10 * time.Millisecond}, Deps{KV: s0.db, Records: s0.rec, Now: clock.Now})
	m := newMemExecutor()
	id, err := s.Create(context.Background(), csvManifestJob(m, "expire", 3))
	if err != nil {
		t.Fatal(err)
	}
	startService(t, s, m)
	waitStatus(t, s, id, StatusComplete)
	clock.Add(89 * 24 * time.Hour)
	s.poke()
	if _, err := s.Describe(context.Background(), testAccount, id); err != nil {
		t.Fatalf("a job 89 days after it ended: %v", err)
	}
	clock.Add(2 * 24 * time.Hour)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := s.Describe(context.Background(), testAccount, id)
		if errors.Is(err, ErrNoSuchJob) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a job 91 days after it ended is still described: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	id2, err := s.Create(context.Background(), csvManifestJob(m, "expire", 3))
	if err != nil || id2 == id {
		t.Fatalf("the expired job's token: %q %v", id2, err)
	}
}
