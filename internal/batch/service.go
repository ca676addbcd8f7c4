package batch

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
)

// Config tunes the engine. Zero values take the defaults named.
type Config struct {
	// MaxActiveJobs is how many jobs run at once (default 2); the rest wait, highest
	// Priority first.
	MaxActiveJobs int
	// Workers is how many tasks of one job run at once (default 8).
	Workers int
	// MaxTasksPerSecond caps each job's task rate (0 = no cap); a job's RateLimitTag
	// overrides it.
	MaxTasksPerSecond int
	// CheckpointEvery is how many task results are stored per transaction (default 256).
	CheckpointEvery int
	// DispatchWindow is how many tasks the watermark D advances by at a time (default 1024).
	DispatchWindow int
	// PollInterval is how often the scheduler looks for work without being woken
	// (default 2s).
	PollInterval time.Duration
	// Retention is how long a job that ended stays listed and described (default 90
	// days, AWS's): then its record and its ClientRequestToken are deleted.
	Retention time.Duration
}

func (c Config) withDefaults() Config {
	if c.MaxActiveJobs <= 0 {
		c.MaxActiveJobs = 2
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.CheckpointEvery <= 0 {
		c.CheckpointEvery = 256
	}
	if c.DispatchWindow <= 0 {
		c.DispatchWindow = 1024
	}
	if c.DispatchWindow < c.Workers {
		c.DispatchWindow = c.Workers
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 2 * time.Second
	}
	if c.Retention <= 0 {
		c.Retention = 90 * 24 * time.Hour
	}
	return c
}

// Deps are the engine's collaborators.
type Deps struct {
	// KV is the store jobs are kept in (the metadata file's).
	KV kv.DB
	// Records authenticates the stored records (the metadata file's record key).
	Records *recauth.Key
	// Log receives the engine's messages (default: discard).
	Log *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service is the job engine: the job store and, once started, the scheduler and runners.
type Service struct {
	cfg Config
	db  kv.DB
	rec *recauth.Key
	log *slog.Logger
	now func() time.Time

	wake chan struct{}

	mu   sync.Mutex
	busy map[string]bool // jobs a goroutine prepares (false) or runs (true)
}

// New returns a Service over d.KV. It runs nothing until Start.
func New(cfg Config, d Deps) *Service {
	s := &Service{cfg: cfg.withDefaults(), db: d.KV, rec: d.Records, log: d.Log, now: d.Now,
		wake: make(chan struct{}, 1), busy: map[string]bool{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rec == nil {
		panic("batch: Deps.Records is required")
	}
	return s
}

// poke wakes the scheduler.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func errNoSuchJob(id string) error {
	return errs.Newf(ErrNoSuchJob, "The specified job %s does not exist.", id)
}

func invalid(format string, args ...any) error {
	return errs.Newf(ErrInvalidRequest, format, args...)
}

// newJobID returns a fresh job id (a random UUID, as AWS's).
func newJobID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// fingerprint hashes the parameters of CreateJob (what an idempotent retry must repeat).
func fingerprint(j *Job) string {
	p := struct {
		Principal            string
		Description, RoleArn string
		Priority             int32
		ConfirmationRequired bool
		Operation            Operation
		Manifest             *Manifest
		Generator            *Generator
		Report               Report
		Tags                 []Tag
	}{j.Principal.ARN, j.Description, j.RoleArn, j.Priority, j.ConfirmationRequired,
		j.Operation, j.Manifest, j.Generator, j.Report, j.Tags}
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Create stores a new job (status New) and returns its id; the engine prepares it.
// Idempotent on (AccountID, ClientRequestToken): a retry with the same parameters returns
// the first job's id, one with different parameters ErrIdempotency.
//
// Errors: ErrInvalidRequest, ErrIdempotency, ErrTooManyTags.
func (s *Service) Create(ctx context.Context, j *Job) (string, error) {
	if err := validateJob(j); err != nil {
		return "", err
	}
	fp := fingerprint(j)
	tokKey := []byte(j.AccountID + "\x00" + j.ClientRequestToken)
	tokLoc := []string{j.AccountID, j.ClientRequestToken}
	id := newJobID()
	var out string
	err := s.db.Update(func(tx kv.Tx) error {
		tb, err := tx.CreateBucketIfNotExists(bucketTokens)
		if err != nil {
			return err
		}
		if raw := tb.Get(tokKey); raw != nil {
			var t tokenRecord
			if err := s.openJSON(kindToken, tokLoc, raw, &t); err != nil {
				return err
			}
			if t.Fingerprint != fp {
				return errs.New(ErrIdempotency, "The ClientRequestToken was already used with different job parameters.")
			}
			out = t.JobID
			return nil
		}
		nj := *j
		nj.ID = id
		nj.Status = StatusNew
		nj.CreationTime = s.now().UTC()
		nj.TerminationDate = time.Time{}
		nj.Progress = Progress{}
		nj.FailureReasons = nil
		if err := s.putRecord(tx, &record{Job: &nj, Run: runState{Fingerprint: fp}}); err != nil {
			return err
		}
		v, err := s.sealJSON(kindToken, tokLoc, tokenRecord{JobID: id, Fingerprint: fp})
		if err != nil {
			return err
		}
		out = id
		return tb.Put(tokKey, v)
	})
	if err != nil {
		return "", err
	}
	s.poke()
	return out, nil
}

// view is the client's view of r's job: a copy with the active time brought up to now.
func (s *Service) view(r *record) *Job {
	j := cloneJob(r.Job)
	secs := r.Run.ActiveSeconds
	if !r.Run.ActiveSince.IsZero() {
		secs += s.now().Sub(r.Run.ActiveSince).Seconds()
	}
	j.Progress.ElapsedTimeInActiveSeconds = int64(secs)
	return j
}

// cloneJob deep-copies j (through JSON: the job is plain data).
func cloneJob(j *Job) *Job {
	b, err := json.Marshal(j)
	if err != nil {
		panic(err)
	}
	var c Job
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return &c
}

// Describe returns account's job id.
//
// Errors: ErrNoSuchJob.
func (s *Service) Describe(ctx context.Context, account, id string) (*Job, error) {
	var out *Job
	err := s.db.View(func(tx kv.Tx) error {
		r, ok, err := s.getRecord(tx, id)
		if err != nil {
			return err
		}
		if !ok || r.Job.AccountID != account {
			return errNoSuchJob(id)
		}
		out = s.view(r)
		return nil
	})
	return out, err
}

// List returns account's jobs whose status is one of statuses (all when empty), newest
// first, at most max (1000 when max <= 0) from the page token next, and the next page's
// token ("" on the last page).
//
// Errors: ErrInvalidRequest (an unknown token).
func (s *Service) List(ctx context.Context, account string, statuses []Status, next string, max int) ([]*Job, string, error) {
	if max <= 0 || max > 1000 {
		max = 1000
	}
	want := map[Status]bool{}
	for _, st := range statuses {
		want[st] = true
	}
	var all []*Job
	err := s.db.View(func(tx kv.Tx) error {
		return s.forEachRecord(tx, func(r *record) error {
			if r.Job.AccountID != account || (len(want) > 0 && !want[r.Job.Status]) {
				return nil
			}
			all = append(all, s.view(r))
			return nil
		})
	})
	if err != nil {
		return nil, "", err
	}
	sort.Slice(all, func(a, b int) bool {
		if !all[a].CreationTime.Equal(all[b].CreationTime) {
			return all[a].CreationTime.After(all[b].CreationTime)
		}
		return all[a].ID < all[b].ID
	})
	start := 0
	if next != "" {
		start = -1
		for i, j := range all {
			if j.ID == next {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, "", invalid("The continuation token provided is invalid.")
		}
	}
	end := start + max
	if end >= len(all) {
		return all[start:], "", nil
	}
	return all[start:end], all[end].ID, nil
}

// UpdateStatus moves account's job id to Ready (confirming a job that requires it) or
// Cancelled, as AWS allows: Ready from Suspended (or, confirming early, New and
// Preparing); Cancelled from any status that has not ended or begun to end. A job that is
// preparing or running goes to Cancelling and ends Cancelled once its tasks in flight
// finish and its report is written.
//
// Errors: ErrNoSuchJob, ErrInvalidStatusTransition, ErrInvalidRequest (another status).
func (s *Service) UpdateStatus(ctx context.Context, account, id string, to Status, reason string) (*Job, error) {
	if to != StatusReady && to != StatusCancelled {
		return nil, invalid("RequestedJobStatus must be Ready or Cancelled.")
	}
	now := s.now().UTC()
	r, err := s.mutate(id, func(r *record) error {
		j := r.Job
		if j.AccountID != account {
			return errNoSuchJob(id)
		}
		switch to {
		case StatusReady:
			switch j.Status {
			case StatusSuspended:
				j.Status = StatusReady
				r.Run.Confirmed = true
			case StatusNew, StatusPreparing:
				r.Run.Confirmed = true
			default:
				return errs.Newf(ErrInvalidStatusTransition, "Unable to update the job status: a job in state %s cannot be moved to Ready.", j.Status)
			}
		case StatusCancelled:
			switch j.Status {
			case StatusNew, StatusSuspended, StatusReady, StatusPaused:
				j.Status = StatusCancelled
				j.TerminationDate = now
				r.Run.Final = StatusCancelled
			case StatusPreparing, StatusActive, StatusPausing:
				j.Status = StatusCancelling
				r.Run.Final = StatusCancelled
			default:
				return errs.Newf(ErrInvalidStatusTransition, "Unable to update the job status: a job in state %s cannot be cancelled.", j.Status)
			}
		}
		j.StatusUpdateReason = reason
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.poke()
	return s.view(r), nil
}

// UpdatePriority sets account's job id's priority (0 or more); higher runs first.
//
// Errors: ErrNoSuchJob, ErrInvalidRequest.
func (s *Service) UpdatePriority(ctx context.Context, account, id string, p int32) (*Job, error) {
	if p < 0 {
		return nil, invalid("Priority must be between 0 and 2147483647.")
	}
	r, err := s.mutate(id, func(r *record) error {
		if r.Job.AccountID != account {
			return errNoSuchJob(id)
		}
		r.Job.Priority = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.poke()
	return s.view(r), nil
}

// Tags returns account's job id's tags.
//
// Errors: ErrNoSuchJob.
func (s *Service) Tags(ctx context.Context, account, id string) ([]Tag, error) {
	j, err := s.Describe(ctx, account, id)
	if err != nil {
		return nil, err
	}
	return j.Tags, nil
}

// PutTags replaces account's job id's tags (PutJobTagging).
//
// Errors: ErrNoSuchJob, ErrTooManyTags, ErrInvalidRequest.
func (s *Service) PutTags(ctx context.Context, account, id string, tags []Tag) error {
	if err := validateTags(tags); err != nil {
		return err
	}
	_, err := s.mutate(id, func(r *record) error {
		if r.Job.AccountID != account {
			return errNoSuchJob(id)
		}
		r.Job.Tags = append([]Tag(nil), tags...)
		return nil
	})
	return err
}

// DeleteTags removes account's job id's tags (DeleteJobTagging).
//
// Errors: ErrNoSuchJob.
func (s *Service) DeleteTags(ctx context.Context, account, id string) error {
	return s.PutTags(ctx, account, id, nil)
}

func validateTags(tags []Tag) error {
	if len(tags) > MaxTags {
		return errs.Newf(ErrTooManyTags, "The number of tags exceeds the limit of %d tags.", MaxTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return invalid("A tag key must be 1 to 128 characters and a tag value at most 256.")
		}
		if seen[t.Key] {
			return invalid("Cannot provide multiple Tags with the same key.")
		}
		seen[t.Key] = true
	}
	return nil
}

// validateJob checks what the engine needs of a job definition (the wire layer checks
// the shapes first).
func validateJob(j *Job) error {
	if j.AccountID == "" {
		return invalid("AccountId is required.")
	}
	if j.ClientRequestToken == "" || len(j.ClientRequestToken) > 64 {
		return invalid("ClientRequestToken must be 1 to 64 characters.")
	}
	if j.Priority < 0 {
		return invalid("Priority must be between 0 and 2147483647.")
	}
	if len(j.Description) > 256 {
		return invalid("Description must be at most 256 characters.")
	}
	if n := j.Operation.count(); n != 1 {
		return invalid("Exactly one operation must be specified.")
	}
	if op := j.Operation.S3UpdateObjectEncryption; op != nil {
		if op.ObjectEncryption.SSEKMS == nil || op.ObjectEncryption.SSEKMS.KMSKeyArn == "" {
			return invalid("S3UpdateObjectEncryption requires ObjectEncryption SSEKMS with a KMSKeyArn.")
		}
	}
	if op := j.Operation.S3PutObjectCopy; op != nil {
		if op.TargetResource == "" {
			return invalid("S3PutObjectCopy requires a TargetResource.")
		}
		if _, err := BucketFromARN(op.TargetResource); err != nil {
			return err
		}
	}
	if (j.Manifest == nil) == (j.Generator == nil) {
		return invalid("Exactly one of Manifest and ManifestGenerator must be specified.")
	}
	if m := j.Manifest; m != nil {
		switch m.Spec.Format {
		case FormatBatchCSV:
			if err := validateFields(m.Spec.Fields); err != nil {
				return err
			}
		case FormatInventoryCSV:
		default:
			return invalid("Invalid manifest format %q.", m.Spec.Format)
		}
		if _, _, err := ObjectFromARN(m.Location.ObjectArn); err != nil {
			return err
		}
		if m.Location.ETag == "" {
			return invalid("The manifest location requires an ETag.")
		}
	}
	if g := j.Generator; g != nil {
		if _, err := BucketFromARN(g.SourceBucket); err != nil {
			return err
		}
		if g.EnableManifestOutput {
			if g.ManifestOutputLocation == nil {
				return invalid("ManifestOutputLocation is required when EnableManifestOutput is true.")
			}
			if _, err := BucketFromARN(g.ManifestOutputLocation.Bucket); err != nil {
				return err
			}
		}
		if f := g.Filter; f != nil {
			for _, e := range f.MatchAnyObjectEncryption {
				n := 0
				for _, set := range []bool{e.SSES3 != nil, e.SSEKMS != nil, e.DSSEKMS != nil, e.SSEC != nil, e.NOTSSE != nil} {
					if set {
						n++
					}
				}
				if n != 1 {
					return invalid("Each ObjectEncryption filter must specify exactly one encryption type.")
				}
			}
		}
	}
	if r := j.Report; r.Enabled {
		if _, err := BucketFromARN(r.Bucket); err != nil {
			return err
		}
		if r.Format != ReportFormatCSV {
			return invalid("Report format must be %s.", ReportFormatCSV)
		}
		if r.ReportScope != "" && r.ReportScope != ReportScopeAll && r.ReportScope != ReportScopeFailedOnly {
			return invalid("Invalid report scope %q.", r.ReportScope)
		}
	}
	return validateTags(j.Tags)
}

// validateFields checks a CSV manifest's field list: Bucket and Key once each, VersionId
// at most once, the rest Ignore.
func validateFields(fields []string) error {
	if len(fields) == 0 {
		return nil // Bucket, Key
	}
	count := map[string]int{}
	for _, f := range fields {
		switch f {
		case FieldBucket, FieldKey, FieldVersionID, FieldIgnore:
			count[f]++
		default:
			return invalid("Invalid manifest field %q.", f)
		}
	}
	if count[FieldBucket] != 1 || count[FieldKey] != 1 || count[FieldVersionID] > 1 {
		return invalid("The manifest fields must include Bucket and Key exactly once.")
	}
	return nil
}

// BucketFromARN returns the bucket an S3 bucket ARN ("arn:aws:s3:::bucket") names.
func BucketFromARN(arn string) (string, error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", invalid("Invalid bucket ARN %q.", arn)
	}
	return rest, nil
}

// ObjectFromARN returns the bucket and key an S3 object ARN ("arn:aws:s3:::bucket/key")
// names.
func ObjectFromARN(arn string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::")
	b, k, found := strings.Cut(rest, "/")
	if !ok || !found || b == "" || k == "" {
		return "", "", invalid("Invalid object ARN %q.", arn)
	}
	return b, k, nil
}

// String is for logs.
func (j *Job) String() string {
	return fmt.Sprintf("job %s (%s, %s)", j.ID, j.Operation.Name(), j.Status)
}
