package s3api

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/batch"
	"github.com/arcastore/arca/internal/policy"
)

// S3 Batch Operations' job API (S3 Control, docs/BATCH.md "API"): the rows on onControl
// under /v20180820/jobs decode S3 Control's XML into batch's model, check it as AWS does,
// and call the job engine (Deps.Batch). Tasks run through the Executor of batchexec.go.

const (
	controlJobsPath = controlPrefix + "jobs"
	controlJobPath  = controlJobsPath + "/{id}"
)

// jobARN is the resource a job call is authorized on: arn:aws:s3:<region>:<account>:job/<id>,
// the account being the request's x-amz-account-id.
func (a *API) jobARN(q *request) string {
	return "arn:aws:s3:" + a.cfg.Region + ":" + q.header("x-amz-account-id") + ":job/" + jobIDOf(q)
}

// jobIDOf is the {id} segment of a /v20180820/jobs/{id}[/...] path.
func jobIDOf(q *request) string {
	rest := strings.TrimPrefix(q.r.URL.Path, controlJobsPath+"/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// jobService is the engine, or NotImplemented when this API has none.
func (a *API) jobService() (*batch.Service, error) {
	if a.batch == nil {
		return nil, apierr.NotImplemented.Msg("This Arca does not run Batch Operations jobs.")
	}
	return a.batch, nil
}

// jobCall is the account and the job id of a call on one job, checked.
func (a *API) jobCall(q *request) (*batch.Service, string, string, error) {
	acct, err := controlAccount(q)
	if err != nil {
		return nil, "", "", err
	}
	s, err := a.jobService()
	if err != nil {
		return nil, "", "", err
	}
	id := jobIDOf(q)
	if !jobIDRE.MatchString(id) {
		return nil, "", "", apierr.BatchNotFound
	}
	return s, acct, id, nil
}

func (a *API) createJob(q *request) (*response, error) {
	acct, err := controlAccount(q)
	if err != nil {
		return nil, err
	}
	s, err := a.jobService()
	if err != nil {
		return nil, err
	}
	j, err := q.readCreateJob()
	if err != nil {
		return nil, err
	}
	j.AccountID = acct
	j.Principal = identityOf(q)
	id, err := s.Create(q.ctx, j)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = createJobResultXML{NS: controlNS, JobID: id}
	return resp, nil
}

func (a *API) describeJob(q *request) (*response, error) {
	s, acct, id, err := a.jobCall(q)
	if err != nil {
		return nil, err
	}
	j, err := s.Describe(q.ctx, acct, id)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = describeJobResultXML{NS: controlNS, Job: jobToXML(j, a.cfg.Region)}
	return resp, nil
}

func (a *API) listJobs(q *request) (*response, error) {
	acct, err := controlAccount(q)
	if err != nil {
		return nil, err
	}
	s, err := a.jobService()
	if err != nil {
		return nil, err
	}
	var statuses []batch.Status
	for _, v := range q.query["jobStatuses"] {
		for _, one := range strings.Split(v, ",") {
			st := batch.Status(one)
			if !slices.Contains(batch.Statuses, st) {
				return nil, apierr.BatchInvalidRequest.Msg("Invalid job status: %s", one)
			}
			statuses = append(statuses, st)
		}
	}
	max := 1000
	if q.qhas("maxResults") {
		n, err := strconv.Atoi(q.qget("maxResults"))
		if err != nil || n < 0 || n > 1000 {
			return nil, apierr.BatchInvalidRequest.Msg("maxResults must be an integer between 0 and 1000.")
		}
		if n > 0 {
			max = n
		}
	}
	next := q.qget("nextToken")
	if q.qhas("nextToken") && (next == "" || len(next) > 1024) {
		return nil, apierr.BatchInvalidNextToken
	}
	jobs, token, err := s.List(q.ctx, acct, statuses, next, max)
	if next != "" && errors.Is(err, batch.ErrInvalidRequest) {
		return nil, apierr.BatchInvalidNextToken // the engine refuses only a token it did not give
	}
	if err != nil {
		return nil, err
	}
	out := listJobsResultXML{NS: controlNS, NextToken: token}
	for _, j := range jobs {
		out.Jobs.Members = append(out.Jobs.Members, jobListEntry(j))
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func (a *API) updateJobPriority(q *request) (*response, error) {
	s, acct, id, err := a.jobCall(q)
	if err != nil {
		return nil, err
	}
	p, err := strconv.ParseInt(q.qget("priority"), 10, 64)
	if !q.qhas("priority") || err != nil || p < 0 || p > 2147483647 {
		return nil, apierr.BatchBadRequest.Msg("Priority must be an integer between 0 and 2147483647.")
	}
	j, err := s.UpdatePriority(q.ctx, acct, id, int32(p))
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = updateJobPriorityResultXML{NS: controlNS, JobID: j.ID, Priority: j.Priority}
	return resp, nil
}

func (a *API) updateJobStatus(q *request) (*response, error) {
	s, acct, id, err := a.jobCall(q)
	if err != nil {
		return nil, err
	}
	to := batch.Status(q.qget("requestedJobStatus"))
	if to != batch.StatusReady && to != batch.StatusCancelled {
		return nil, apierr.BatchBadRequest.Msg("requestedJobStatus must be Ready or Cancelled.")
	}
	reason := q.qget("statusUpdateReason")
	if q.qhas("statusUpdateReason") && (reason == "" || utf8.RuneCountInString(reason) > 256) {
		return nil, apierr.BatchBadRequest.Msg("statusUpdateReason must be between 1 and 256 characters long.")
	}
	j, err := s.UpdateStatus(q.ctx, acct, id, to, reason)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.xml = updateJobStatusResultXML{NS: controlNS, JobID: j.ID, Status: string(j.Status), StatusUpdateReason: j.StatusUpdateReason}
	return resp, nil
}

func (a *API) getJobTagging(q *request) (*response, error) {
	s, acct, id, err := a.jobCall(q)
	if err != nil {
		return nil, err
	}
	tags, err := s.Tags(q.ctx, acct, id)
	if err != nil {
		return nil, err
	}
	out := getJobTaggingResultXML{NS: controlNS}
	out.Tags = *tagSetXML(tags)
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func (a *API) putJobTagging(q *request) (*response, error) {
	s, acct, id, err := a.jobCall(q)
	if err != nil {
		return nil, err
	}
	tags, err := q.readJobTags()
	if err != nil {
		return nil, err
	}
	if err := s.PutTags(q.ctx, acct, id, tags); err != nil {
		return nil, err
	}
	return newResponse(), nil
}

func (a *API) deleteJobTagging(q *request) (*response, error) {
	s, acct, id, err := a.jobCall(q)
	if err != nil {
		return nil, err
	}
	if err := s.DeleteTags(q.ctx, acct, id); err != nil {
		return nil, err
	}
	resp := newResponse()
	resp.status = 204
	return resp, nil
}

// jobListEntry is j as ListJobs lists it.
func jobListEntry(j *batch.Job) jobListDescriptorXML {
	return jobListDescriptorXML{JobID: j.ID, Description: j.Description, Operation: j.Operation.Name(), Priority: j.Priority,
		Status: string(j.Status), CreationTime: controlTime(j.CreationTime), TerminationDate: controlTime(j.TerminationDate),
		ProgressSummary: progressXML(j.Progress)}
}

func progressXML(p batch.Progress) *jobProgressXML {
	x := &jobProgressXML{TotalNumberOfTasks: p.TotalNumberOfTasks, NumberOfTasksSucceeded: p.NumberOfTasksSucceeded,
		NumberOfTasksFailed: p.NumberOfTasksFailed}
	x.Timers.ElapsedTimeInActiveSeconds = p.ElapsedTimeInActiveSeconds
	return x
}

// matchControl is the S3 Control row q selects: its method, and its path, where a {id}
// segment of a row's Path stands for any one non-empty segment.
func matchControl(q *request) *op {
	for i := range opTable {
		o := &opTable[i]
		if o.Route.On == onControl && o.Route.Method == q.r.Method && controlPathMatches(o.Route.Path, q.r.URL.Path) {
			return o
		}
	}
	return nil
}

// controlPathServed reports whether some S3 Control row serves path (with another method:
// MethodNotAllowed rather than NotImplemented).
func controlPathServed(path string) bool {
	for i := range opTable {
		if r := opTable[i].Route; r.On == onControl && controlPathMatches(r.Path, path) {
			return true
		}
	}
	return false
}

func controlPathMatches(pattern, path string) bool {
	if !strings.Contains(pattern, "{") {
		return pattern == path
	}
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if ps[i] == "{id}" && xs[i] != "" || ps[i] == xs[i] {
			continue
		}
		return false
	}
	return true
}

// jobKeys adds the condition keys S3 defines for the calls on a job to r: the job's
// s3:ExistingJobPriority, s3:ExistingJobOperation, s3:JobSuspendedCause (when suspended
// with one) and aws:ResourceTag/<key> for each job tag, and UpdateJobPriority's
// s3:RequestJobPriority. A job that does not exist adds none (the handler answers
// NotFoundException).
func (a *API) jobKeys(q *request, r *policy.Request) *policy.Request {
	if q.o != nil && q.o.Name == "UpdateJobPriority" && q.qhas("priority") {
		r.Set("s3:RequestJobPriority", q.qget("priority"))
	}
	acct := q.header("x-amz-account-id")
	if a.batch == nil || acct != identityOf(q).AccountID {
		return r
	}
	j, err := a.batch.Describe(q.ctx, acct, jobIDOf(q))
	if err != nil {
		return r
	}
	r.Set("s3:ExistingJobPriority", strconv.FormatInt(int64(j.Priority), 10))
	r.Set("s3:ExistingJobOperation", j.Operation.Name())
	if j.SuspendedCause != "" {
		r.Set("s3:JobSuspendedCause", j.SuspendedCause)
	}
	for _, t := range j.Tags {
		r.Set("aws:ResourceTag/"+t.Key, t.Value)
	}
	return r
}

// jobBody is the decoded body of a CreateJob (job) or PutJobTagging (tags), read once:
// authorization reads it for its condition keys, the handler uses it.
type jobBody struct {
	job  *batch.Job
	tags []batch.Tag
	err  error
}

// readCreateJob decodes and checks CreateJob's body (once).
func (q *request) readCreateJob() (*batch.Job, error) {
	if q.jobBody == nil {
		q.jobBody = &jobBody{}
		var in createJobRequestXML
		err := readXML(q, &in)
		if errors.Is(err, io.EOF) {
			err = apierr.MalformedXML
		}
		if err == nil {
			q.jobBody.job, err = jobFromXML(&in)
		}
		q.jobBody.err = err
	}
	return q.jobBody.job, q.jobBody.err
}

// readJobTags decodes and checks PutJobTagging's body (once).
func (q *request) readJobTags() ([]batch.Tag, error) {
	if q.jobBody == nil {
		q.jobBody = &jobBody{}
		var in putJobTaggingRequestXML
		err := readXML(q, &in)
		if errors.Is(err, io.EOF) {
			err = apierr.MalformedXML
		}
		if err == nil && in.Tags == nil {
			err = apierr.BatchBadRequest.Msg("Tags is required.")
		}
		if err == nil {
			q.jobBody.tags, err = jobTags(in.Tags)
		}
		q.jobBody.err = err
	}
	return q.jobBody.tags, q.jobBody.err
}

// jobRequestKeys adds the condition keys of what a CreateJob or PutJobTagging asks for:
// s3:RequestJobPriority and s3:RequestJobOperation of the new job, aws:RequestTag/<key>
// and aws:TagKeys of its tags. A body that does not decode adds none (the handler answers
// its error).
func jobRequestKeys(q *request, r *policy.Request) {
	if q.o == nil {
		return
	}
	var tags []batch.Tag
	switch q.o.Name {
	case "CreateJob":
		j, err := q.readCreateJob()
		if err != nil {
			return
		}
		r.Set("s3:RequestJobPriority", strconv.FormatInt(int64(j.Priority), 10))
		r.Set("s3:RequestJobOperation", j.Operation.Name())
		tags = j.Tags
	case "PutJobTagging":
		var err error
		if tags, err = q.readJobTags(); err != nil {
			return
		}
	default:
		return
	}
	var keys []string
	for _, t := range tags {
		r.Set("aws:RequestTag/"+t.Key, t.Value)
		keys = append(keys, t.Key)
	}
	if len(keys) > 0 {
		r.Set("aws:TagKeys", keys...)
	}
}
