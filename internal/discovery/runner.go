package discovery

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func sortJobs(js []Job) {
	sort.SliceStable(js, func(a, b int) bool {
		if !js[a].CreatedAt.Equal(js[b].CreatedAt) {
			return js[a].CreatedAt.Before(js[b].CreatedAt)
		}
		return js[a].ID < js[b].ID
	})
}

// Start runs jobs until ctx ends: RUNNING ones (new, or interrupted by a stop: a run
// starts over, its findings are replaced, not duplicated) and scheduled ones that are
// due. It returns once the run in progress has stopped.
func (s *Service) Start(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		s.runDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// runDue runs every job that is due, one at a time.
func (s *Service) runDue(ctx context.Context) {
	var due []Job
	now := s.cfg.Now()
	err := s.db.View(func(tx kv.Tx) error {
		b := tx.Bucket(bJobs)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var j Job
			if v == nil || json.Unmarshal(v, &j) != nil {
				return nil
			}
			if j.Status == StatusRunning || (j.Type == Scheduled && j.Status == StatusIdle && !j.NextRun.After(now)) {
				due = append(due, j)
			}
			return nil
		})
	})
	if err != nil {
		s.log.Error("discovery: listing jobs", "err", err)
		return
	}
	sortJobs(due)
	for _, j := range due {
		if ctx.Err() != nil {
			return
		}
		s.run(ctx, j)
	}
}

// run performs one run of j and stores its outcome.
func (s *Service) run(ctx context.Context, j Job) {
	if j.Status != StatusRunning {
		j.Status = StatusRunning
		if err := s.saveJob(j); err != nil {
			s.log.Error("discovery: starting a run", "job", j.ID, "err", err)
			return
		}
	}
	dets, err := s.detectors(ctx, &j)
	if err != nil {
		s.log.Error("discovery: job detectors", "job", j.ID, "err", err)
	}
	run := j.Runs + 1
	var st RunStats
	var approx int64
	reasons := map[string]int64{}
	for _, def := range j.Buckets {
		for _, name := range def.Buckets {
			b, err := s.meta.GetBucket(ctx, name)
			if err != nil || s.ownBucket(ctx, j.Account, name) != nil {
				reasons["BUCKET_NOT_FOUND"]++
				continue
			}
			after := ""
			for {
				if ctx.Err() != nil {
					return // the run starts over after a restart
				}
				page, err := s.meta.ListObjects(ctx, name, meta.ListOptions{After: after, MaxKeys: 1000})
				if err != nil {
					reasons["LIST_FAILED"]++
					break
				}
				approx += int64(len(page.Objects))
				s.classifyAll(ctx, &j, run, &b, page.Objects, dets, &st, reasons)
				if !page.IsTruncated {
					break
				}
				after = page.Next
			}
		}
	}
	j.Runs = run
	j.LastRunTime = s.cfg.Now().UTC()
	j.ApproximateObjects = approx
	j.Stats.ObjectsScanned += st.ObjectsScanned
	j.Stats.BytesScanned += st.BytesScanned
	j.Stats.ObjectsUnreadable += st.ObjectsUnreadable
	j.Stats.ObjectsSkipped += st.ObjectsSkipped
	j.Stats.ObjectsWithData += st.ObjectsWithData
	j.LastRunUnreadableObjects = st.ObjectsUnreadable
	j.LastRunUnreadableByReason = reasons
	j.LastRunError = st.ObjectsUnreadable > 0 || len(reasons) > 0
	if j.Type == OneTime {
		j.Status = StatusComplete
	} else {
		j.Status, j.NextRun = StatusIdle, j.Schedule.next(j.LastRunTime)
	}
	if err := s.saveJob(j); err != nil {
		s.log.Error("discovery: finishing a run", "job", j.ID, "err", err)
	}
}

func (s *Service) saveJob(j Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Update(func(tx kv.Tx) error { return put(tx, bJobs, key(j.Account, j.ID), &j) })
}

// detectors are the job's managed detectors (by its selector) and its custom ones.
func (s *Service) detectors(ctx context.Context, j *Job) ([]*Detector, error) {
	var out []*Detector
	listed := map[string]bool{}
	for _, id := range j.ManagedIDs {
		listed[id] = true
	}
	for _, d := range managed {
		switch j.ManagedSelector {
		case SelectAll, SelectRecommended:
			out = append(out, d)
		case SelectInclude:
			if listed[d.ID] {
				out = append(out, d)
			}
		case SelectExclude:
			if !listed[d.ID] {
				out = append(out, d)
			}
		}
	}
	var firstErr error
	for _, id := range j.CustomIDs {
		c, err := s.GetCustomIdentifier(ctx, j.Account, id)
		if err == nil {
			var d *Detector
			if d, err = c.Detector(); err == nil {
				out = append(out, d)
				continue
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return out, firstErr
}

// sampled reports whether the object is in the run's sample: a hash of the job, run and
// object version, below samplingPercentage of its range.
func sampled(j *Job, run int, o *meta.Object) bool {
	if j.SamplingPercentage >= 100 {
		return true
	}
	h := sha256.Sum256([]byte(j.ID + "\x00" + strings.Repeat("r", run%7) + "\x00" + o.Key + "\x00" + o.VersionID))
	return binary.BigEndian.Uint64(h[:8])%100 < uint64(j.SamplingPercentage)
}

// classifyAll scans a page of objects, Config.Workers at a time (a Scanner is used by one
// goroutine; detectors are shared read-only).
func (s *Service) classifyAll(ctx context.Context, j *Job, run int, b *meta.Bucket, objs []meta.Object, dets []*Detector, st *RunStats, reasons map[string]int64) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.cfg.Workers)
	for i := range objs {
		sem <- struct{}{}
		wg.Add(1)
		go func(o *meta.Object) {
			defer func() { <-sem; wg.Done() }()
			var one RunStats
			why := map[string]int64{}
			s.classify(ctx, j, run, b, o, dets, &one, why)
			mu.Lock()
			defer mu.Unlock()
			st.ObjectsScanned += one.ObjectsScanned
			st.BytesScanned += one.BytesScanned
			st.ObjectsUnreadable += one.ObjectsUnreadable
			st.ObjectsSkipped += one.ObjectsSkipped
			st.ObjectsWithData += one.ObjectsWithData
			for k, v := range why {
				reasons[k] += v
			}
		}(&objs[i])
	}
	wg.Wait()
}

// classify scans one object and records its finding, if any.
func (s *Service) classify(ctx context.Context, j *Job, run int, b *meta.Bucket, o *meta.Object, dets []*Detector, st *RunStats, reasons map[string]int64) {
	if o.DeleteMarker {
		return
	}
	if !sampled(j, run, o) {
		st.ObjectsSkipped++
		return
	}
	if o.Size > s.cfg.MaxObjectSize {
		st.ObjectsSkipped++
		reasons["OBJECT_EXCEEDS_SIZE_QUOTA"]++
		return
	}
	sc := NewScanner(dets)
	_, err := s.rd.Read(ctx, j.Principal, b.Name, o.Key, o.VersionID, sc)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		st.ObjectsUnreadable++
		reason := "OBJECT_UNREADABLE"
		if o.Enc != nil && o.Enc.Mode == "SSE-C" {
			reason = "SSE_C_ENCRYPTED"
		} else if o.Enc != nil && o.Enc.Mode == "aws:kms" {
			reason = "KMS_ACCESS_DENIED_OR_KEY_UNUSABLE"
		}
		reasons[reason]++
		// The error may name the object and the key, never its content.
		s.log.Info("discovery: object unreadable", "job", j.ID, "bucket", b.Name, "key", o.Key, "reason", reason)
		return
	}
	sc.Close()
	st.ObjectsScanned++
	st.BytesScanned += sc.Size()
	ds := sc.Detections()
	if len(ds) == 0 {
		return
	}
	st.ObjectsWithData++
	if err := s.putFinding(j, run, b, o, ds); err != nil {
		s.log.Error("discovery: storing a finding", "job", j.ID, "err", err)
	}
}
