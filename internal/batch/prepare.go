package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/arcastore/arca/internal/kv"
)

// Preparing a job reads (or generates) its manifest and stores one task per listed
// object, in batches; then the job is Suspended (it requires confirmation that has not
// come) or Ready. Preparation that was cut short by a restart starts over: the tasks
// stored so far are dropped first. A manifest the job cannot use fails it.

const (
	prepareBatch    = 1000    // tasks stored per transaction
	maxManifestSize = 1 << 30 // bytes of a CSV manifest or manifest.json read
)

// errCancelled: the job was cancelled while it prepared.
var errCancelled = errors.New("batch: cancelled while preparing")

func (s *Service) prepareJob(ctx context.Context, x Executor, id string) {
	r, err := s.mutate(id, func(r *record) error {
		switch st := r.Job.Status; {
		case st == StatusNew:
			r.Job.Status = StatusPreparing
		case st == StatusPreparing || (st == StatusCancelling && !r.Run.Prepared):
		default:
			return errStop // prepared already (a stale schedule)
		}
		r.Run.Prepared = false
		r.Job.Progress = Progress{}
		r.Run.Done, r.Run.Dispatched = 0, 0
		return nil
	})
	if errors.Is(err, errStop) {
		return
	}
	if err != nil {
		s.log.Error("batch: preparing a job", "job", id, "err", err)
		return
	}
	if r.Job.Status == StatusCancelling {
		s.endCancelled(id)
		return
	}
	if err := s.db.Update(func(tx kv.Tx) error { return dropTasks(tx, id) }); err != nil {
		s.log.Error("batch: preparing a job", "job", id, "err", err)
		return
	}
	n, gen, err := s.readTasks(ctx, x, r.Job)
	if ctx.Err() != nil {
		return // resumed at the next start
	}
	if errors.Is(err, errCancelled) {
		s.endCancelled(id)
		return
	}
	if err != nil {
		code, reason := "ManifestReadFailure", "Reading the manifest failed: "+err.Error()
		var me *errManifest
		if errors.As(err, &me) {
			code, reason = "InvalidManifestContent", me.msg
		}
		s.log.Info("batch: job failed while preparing", "job", id, "err", err)
		_, err := s.mutate(id, func(r *record) error {
			r.Job.Status = StatusFailed
			r.Run.Final = StatusFailed
			r.Job.FailureReasons = []FailureReason{{FailureCode: code, FailureReason: reason}}
			r.Job.TerminationDate = s.now().UTC()
			return nil
		})
		if err != nil {
			s.log.Error("batch: failing a job", "job", id, "err", err)
		}
		_ = s.db.Update(func(tx kv.Tx) error { return dropTasks(tx, id) })
		return
	}
	_, err = s.mutate(id, func(r *record) error {
		r.Job.Progress.TotalNumberOfTasks = n
		r.Run.Prepared = true
		r.Job.GeneratedManifest = gen
		switch {
		case r.Job.Status == StatusCancelling:
			// the runner ends it
		case r.Job.ConfirmationRequired && !r.Run.Confirmed:
			r.Job.Status = StatusSuspended
			r.Job.SuspendedDate = s.now().UTC()
			r.Job.SuspendedCause = "AwaitingConfirmation"
		default:
			r.Job.Status = StatusReady
		}
		return nil
	})
	if err != nil {
		s.log.Error("batch: preparing a job", "job", id, "err", err)
	}
}

// endCancelled ends a job cancelled before it ran: no task ran, so there is no report.
func (s *Service) endCancelled(id string) {
	err := s.db.Update(func(tx kv.Tx) error {
		r, ok, err := s.getRecord(tx, id)
		if err != nil || !ok {
			return err
		}
		r.Job.Status = StatusCancelled
		r.Job.TerminationDate = s.now().UTC()
		if err := s.putRecord(tx, r); err != nil {
			return err
		}
		return dropTasks(tx, id)
	})
	if err != nil {
		s.log.Error("batch: cancelling a job", "job", id, "err", err)
	}
}

// taskWriter stores tasks in batches, checking between batches that the job was not
// cancelled.
type taskWriter struct {
	s     *Service
	id    string
	n     int64
	batch []Task
}

func (w *taskWriter) emit(bucket, key, version string) error {
	w.batch = append(w.batch, Task{Index: w.n, Bucket: bucket, Key: key, VersionID: version})
	w.n++
	if len(w.batch) >= prepareBatch {
		return w.flush()
	}
	return nil
}

func (w *taskWriter) flush() error {
	err := w.s.db.Update(func(tx kv.Tx) error {
		r, ok, err := w.s.getRecord(tx, w.id)
		if err != nil {
			return err
		}
		if !ok || r.Job.Status == StatusCancelling || r.Job.Status.Terminal() {
			return errCancelled
		}
		b, err := taskBucket(tx, w.id, true)
		if err != nil {
			return err
		}
		for _, t := range w.batch {
			if err := w.s.putTask(b, w.id, t); err != nil {
				return err
			}
		}
		return nil
	})
	w.batch = w.batch[:0]
	return err
}

// readTasks stores j's tasks and returns how many, and where a generated manifest was
// written (nil when none was).
func (s *Service) readTasks(ctx context.Context, x Executor, j *Job) (int64, *Location, error) {
	w := &taskWriter{s: s, id: j.ID}
	var gen *Location
	var err error
	switch {
	case j.Manifest != nil:
		err = s.readManifest(ctx, x, j, w.emit)
	case j.Generator != nil:
		gen, err = s.runGenerator(ctx, x, j, w.emit)
	default:
		err = manifestErr("The job has no manifest.")
	}
	if err == nil {
		err = w.flush()
	}
	return w.n, gen, err
}

// readManifest reads j's manifest object as the principal and emits its objects.
func (s *Service) readManifest(ctx context.Context, x Executor, j *Job, emit emitFunc) error {
	m := j.Manifest
	bucket, key, err := ObjectFromARN(m.Location.ObjectArn)
	if err != nil {
		return manifestErr("The manifest location is not a valid object ARN.")
	}
	body, etag, err := readAll(ctx, x, j, bucket, key, m.Location.ObjectVersionId)
	if err != nil {
		return err
	}
	if err := checkETag(m.Location.ETag, etag, body); errors.Is(err, errETagUnchecked) {
		s.log.Warn("batch: the manifest's ETag could not be checked (the executor does not report it and it is not the MD5 of the bytes)", "job", j.ID)
	} else if err != nil {
		return err
	}
	switch m.Spec.Format {
	case FormatBatchCSV:
		return parseCSVManifest(bytes.NewReader(body), m.Spec.Fields, emit)
	case FormatInventoryCSV:
		im, dest, col, err := parseInventoryManifest(body)
		if err != nil {
			return err
		}
		for _, f := range im.Files {
			rc, err := x.GetObject(ctx, j, dest, f.Key, "")
			if err != nil {
				return fmt.Errorf("reading inventory data file %s: %w", f.Key, err)
			}
			err = readInventoryFile(io.LimitReader(rc, maxManifestSize), f.MD5checksum, col, emit)
			rc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	return manifestErr("Invalid manifest format %q.", m.Spec.Format)
}

// readAll reads an object through x, with the ETag its reader reports.
func readAll(ctx context.Context, x Executor, j *Job, bucket, key, version string) ([]byte, string, error) {
	rc, err := x.GetObject(ctx, j, bucket, key, version)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, maxManifestSize+1))
	if err != nil {
		return nil, "", err
	}
	if len(body) > maxManifestSize {
		return nil, "", manifestErr("The manifest is larger than %d bytes.", maxManifestSize)
	}
	return body, etagOf(rc), nil
}

// runGenerator lists j's generator's source bucket and emits the objects that pass its
// filter; with EnableManifestOutput it writes the list as a manifest and returns where.
func (s *Service) runGenerator(ctx context.Context, x Executor, j *Job, emit emitFunc) (*Location, error) {
	g := j.Generator
	var rows [][3]string
	err := generate(ctx, x, j, g, func(bucket, key, version string) error {
		if g.EnableManifestOutput {
			rows = append(rows, [3]string{bucket, key, version})
		}
		return emit(bucket, key, version)
	})
	if err != nil || !g.EnableManifestOutput {
		return nil, err
	}
	loc := g.ManifestOutputLocation
	dataKey, data, manKey, man, err := generatedManifest(j, loc, g.SourceBucket, rows, s.now().UTC())
	if err != nil {
		return nil, err
	}
	dest, _ := BucketFromARN(loc.Bucket)
	if err := x.PutObject(ctx, j, dest, dataKey, data, "application/gzip"); err != nil {
		return nil, fmt.Errorf("writing the generated manifest: %w", err)
	}
	if err := x.PutObject(ctx, j, dest, manKey, man, "application/json"); err != nil {
		return nil, fmt.Errorf("writing the generated manifest: %w", err)
	}
	return &Location{ObjectArn: "arn:aws:s3:::" + dest + "/" + manKey, ETag: md5Hex(man)}, nil
}
