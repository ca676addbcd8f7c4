package discovery

import (
	"context"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kv"
)

// Job types, statuses and managed identifier selectors, as Macie names them.
const (
	OneTime   = "ONE_TIME"
	Scheduled = "SCHEDULED"

	StatusRunning   = "RUNNING"
	StatusComplete  = "COMPLETE"
	StatusIdle      = "IDLE"
	StatusCancelled = "CANCELLED"

	SelectAll         = "ALL"
	SelectRecommended = "RECOMMENDED"
	SelectInclude     = "INCLUDE"
	SelectExclude     = "EXCLUDE"
	SelectNone        = "NONE"
)

// BucketDefinition names buckets of one account.
type BucketDefinition struct {
	AccountID string
	Buckets   []string
}

// Schedule is a scheduled job's frequency: exactly one of Daily, Weekly (a day name) or
// Monthly (day of month 1-31) is set.
type Schedule struct {
	Daily   bool   `json:",omitempty"`
	Weekly  string `json:",omitempty"`
	Monthly int    `json:",omitempty"`
}

// RunStats are a job's counts over all its runs (Arca's addition to Macie's statistics).
type RunStats struct {
	ObjectsScanned    int64
	BytesScanned      int64
	ObjectsUnreadable int64
	ObjectsSkipped    int64 // by sampling or the size limit
	ObjectsWithData   int64
}

// Job is a classification job and its state.
type Job struct {
	ID, ARN, Account          string
	Name, Description         string
	ClientToken, Fingerprint  string
	Type                      string
	Schedule                  *Schedule `json:",omitempty"`
	Buckets                   []BucketDefinition
	SamplingPercentage        int
	ManagedSelector           string
	ManagedIDs                []string
	CustomIDs                 []string
	InitialRun                bool
	Tags                      map[string]string
	Principal                 iam.Identity
	Status                    string
	CreatedAt                 time.Time
	LastRunTime               time.Time
	NextRun                   time.Time
	Runs                      int
	ApproximateObjects        int64
	Stats                     RunStats
	LastRunError              bool
	LastRunUnreadableObjects  int64
	LastRunUnreadableByReason map[string]int64 `json:",omitempty"`
}

var weekdays = map[string]time.Weekday{"SUNDAY": time.Sunday, "MONDAY": time.Monday, "TUESDAY": time.Tuesday,
	"WEDNESDAY": time.Wednesday, "THURSDAY": time.Thursday, "FRIDAY": time.Friday, "SATURDAY": time.Saturday}

// next is the first scheduled run time after t (runs start at 00:00 UTC of the day).
func (sc *Schedule) next(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for d := day.AddDate(0, 0, 1); ; d = d.AddDate(0, 0, 1) {
		switch {
		case sc.Daily:
			return d
		case sc.Weekly != "":
			if d.Weekday() == weekdays[sc.Weekly] {
				return d
			}
		default:
			last := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
			want := sc.Monthly
			if want > last {
				want = last // Macie runs on the last day of shorter months
			}
			if d.Day() == want {
				return d
			}
		}
	}
}

func validateJob(j *Job) error {
	v := func(msg string) error { return errs.New(ErrValidation, msg) }
	if j.Name == "" || len(j.Name) > 500 {
		return v("The name must be 1 to 500 characters long.")
	}
	if j.ClientToken == "" {
		return v("clientToken is required.")
	}
	switch j.Type {
	case OneTime:
		if j.Schedule != nil {
			return v("A ONE_TIME job can't have a scheduleFrequency.")
		}
	case Scheduled:
		sc := j.Schedule
		if sc == nil {
			return v("A SCHEDULED job requires a scheduleFrequency.")
		}
		n := 0
		if sc.Daily {
			n++
		}
		if sc.Weekly != "" {
			n++
			if _, ok := weekdays[sc.Weekly]; !ok {
				return v("dayOfWeek must be a day of the week (SUNDAY … SATURDAY).")
			}
		}
		if sc.Monthly != 0 {
			n++
			if sc.Monthly < 1 || sc.Monthly > 31 {
				return v("dayOfMonth must be between 1 and 31.")
			}
		}
		if n != 1 {
			return v("scheduleFrequency must specify exactly one of dailySchedule, weeklySchedule or monthlySchedule.")
		}
	default:
		return v("jobType must be ONE_TIME or SCHEDULED.")
	}
	if len(j.Buckets) == 0 {
		return v("s3JobDefinition must specify bucketDefinitions.")
	}
	nb := 0
	for _, b := range j.Buckets {
		if b.AccountID == "" || len(b.Buckets) == 0 {
			return v("Each bucket definition must specify an accountId and at least one bucket.")
		}
		nb += len(b.Buckets)
	}
	if nb > 1000 {
		return v("A job can analyze at most 1,000 buckets.")
	}
	if j.SamplingPercentage == 0 {
		j.SamplingPercentage = 100
	}
	if j.SamplingPercentage < 1 || j.SamplingPercentage > 100 {
		return v("samplingPercentage must be between 1 and 100.")
	}
	switch j.ManagedSelector {
	case "":
		j.ManagedSelector = SelectRecommended
		fallthrough
	case SelectAll, SelectRecommended, SelectNone:
		if len(j.ManagedIDs) > 0 {
			return v("managedDataIdentifierIds is allowed only with managedDataIdentifierSelector INCLUDE or EXCLUDE.")
		}
	case SelectInclude, SelectExclude:
		if len(j.ManagedIDs) == 0 {
			return v("managedDataIdentifierSelector " + j.ManagedSelector + " requires managedDataIdentifierIds.")
		}
		for _, id := range j.ManagedIDs {
			if Managed(id) == nil {
				return v("The managed data identifier " + id + " is not supported.")
			}
		}
	default:
		return v("managedDataIdentifierSelector must be ALL, EXCLUDE, INCLUDE, NONE or RECOMMENDED.")
	}
	if j.ManagedSelector == SelectNone && len(j.CustomIDs) == 0 {
		return v("A job that uses no managed data identifiers must specify customDataIdentifierIds.")
	}
	if len(j.CustomIDs) > 30 {
		return v("A job can use at most 30 custom data identifiers.")
	}
	return nil
}

// CreateJob validates and stores a job for j.Account as j.Principal, and returns its id
// and ARN. A retry with the same clientToken and parameters returns the first job; the
// same token with other parameters is ErrConflict. A custom identifier or bucket the
// account does not have is ErrNotFound.
func (s *Service) CreateJob(ctx context.Context, j Job) (string, string, error) {
	if err := validateJob(&j); err != nil {
		return "", "", err
	}
	for _, b := range j.Buckets {
		if b.AccountID != j.Account {
			return "", "", errs.New(ErrValidation, "A job can analyze only buckets of your own account ("+j.Account+").")
		}
		for _, name := range b.Buckets {
			if err := s.ownBucket(ctx, j.Account, name); err != nil {
				return "", "", err
			}
		}
	}
	for _, id := range j.CustomIDs {
		if _, err := s.GetCustomIdentifier(ctx, j.Account, id); err != nil {
			return "", "", err
		}
	}
	j.Fingerprint = fingerprint([]any{j.Name, j.Description, j.Type, j.Schedule, j.Buckets, j.SamplingPercentage,
		j.ManagedSelector, j.ManagedIDs, j.CustomIDs, j.InitialRun, j.Tags})
	now := s.cfg.Now().UTC()
	j.ID = newID()
	j.ARN = "arn:aws:macie2:" + s.cfg.Region + ":" + j.Account + ":classification-job/" + j.ID
	j.CreatedAt, j.Status = now, StatusRunning
	j.NextRun = now
	if j.Type == Scheduled {
		if !j.InitialRun {
			j.Status, j.NextRun = StatusIdle, j.Schedule.next(now)
		}
	}
	id, arn := j.ID, j.ARN
	err := s.db.Update(func(tx kv.Tx) error {
		id, arn = j.ID, j.ARN
		var prev string
		ok, err := get(tx, bTokens, key(j.Account, "job:"+j.ClientToken), &prev)
		if err != nil {
			return err
		}
		if ok {
			var old Job
			if ok, err := get(tx, bJobs, key(j.Account, prev), &old); err != nil || !ok {
				return err
			}
			if old.Fingerprint != j.Fingerprint {
				return errs.New(ErrConflict, "The request conflicts with a previous request that used the same client token.")
			}
			id, arn = old.ID, old.ARN
			return nil
		}
		if err := put(tx, bTokens, key(j.Account, "job:"+j.ClientToken), j.ID); err != nil {
			return err
		}
		return put(tx, bJobs, key(j.Account, j.ID), &j)
	})
	if err == nil {
		s.poke()
	}
	return id, arn, err
}

// ownBucket returns ErrNotFound unless account owns bucket.
func (s *Service) ownBucket(ctx context.Context, account, name string) error {
	b, err := s.meta.GetBucket(ctx, name)
	owner := b.Owner
	if owner == "" {
		owner = s.cfg.PrimaryAccount
	}
	if err != nil || owner != account {
		return errs.New(ErrNotFound, fmt.Sprintf("The bucket %s does not exist in account %s.", name, account))
	}
	return nil
}

// DescribeJob returns ErrNotFound.
func (s *Service) DescribeJob(ctx context.Context, account, id string) (Job, error) {
	var j Job
	err := s.db.View(func(tx kv.Tx) error {
		ok, err := get(tx, bJobs, key(account, id), &j)
		if err == nil && !ok {
			err = errs.New(ErrNotFound, "The classification job "+id+" does not exist.")
		}
		return err
	})
	return j, err
}

// ListJobs returns every job of account, oldest first.
func (s *Service) ListJobs(ctx context.Context, account string) ([]Job, error) {
	var out []Job
	err := s.db.View(func(tx kv.Tx) error {
		return each(tx, bJobs, account, func(data []byte) error {
			var j Job
			if err := jsonUnmarshal(data, &j); err != nil {
				return err
			}
			out = append(out, j)
			return nil
		})
	})
	sortJobs(out)
	return out, err
}

func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
