package macieapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/discovery"
	"github.com/arcastore/arca/internal/errs"
)

func decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if json.Unmarshal(body, v) != nil {
		return apierr.MacieValidation.WithMessage("The request body is not valid JSON for this operation.")
	}
	return nil
}

// ts is a timestamp as macie2 writes them (ISO 8601, UTC, milliseconds).
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

type bucketDef struct {
	AccountID string   `json:"accountId"`
	Buckets   []string `json:"buckets"`
}

type scheduleWire struct {
	DailySchedule  *struct{} `json:"dailySchedule,omitempty"`
	WeeklySchedule *struct {
		DayOfWeek string `json:"dayOfWeek"`
	} `json:"weeklySchedule,omitempty"`
	MonthlySchedule *struct {
		DayOfMonth int `json:"dayOfMonth"`
	} `json:"monthlySchedule,omitempty"`
}

type s3JobDefinition struct {
	BucketDefinitions []bucketDef    `json:"bucketDefinitions,omitempty"`
	BucketCriteria    map[string]any `json:"bucketCriteria,omitempty"`
	Scoping           map[string]any `json:"scoping,omitempty"`
}

type createJobIn struct {
	AllowListIds                  []string          `json:"allowListIds"`
	ClientToken                   string            `json:"clientToken"`
	CustomDataIdentifierIds       []string          `json:"customDataIdentifierIds"`
	Description                   string            `json:"description"`
	InitialRun                    *bool             `json:"initialRun"`
	JobType                       string            `json:"jobType"`
	ManagedDataIdentifierIds      []string          `json:"managedDataIdentifierIds"`
	ManagedDataIdentifierSelector string            `json:"managedDataIdentifierSelector"`
	Name                          string            `json:"name"`
	S3JobDefinition               *s3JobDefinition  `json:"s3JobDefinition"`
	SamplingPercentage            int               `json:"samplingPercentage"`
	ScheduleFrequency             *scheduleWire     `json:"scheduleFrequency"`
	Tags                          map[string]string `json:"tags"`
}

func (a *API) createJob(ctx context.Context, c *call) (any, error) {
	var in createJobIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.S3JobDefinition == nil {
		return nil, apierr.MacieValidation.WithMessage("s3JobDefinition is required.")
	}
	if in.S3JobDefinition.BucketCriteria != nil || in.S3JobDefinition.Scoping != nil || len(in.AllowListIds) > 0 {
		return nil, apierr.MacieValidation.WithMessage("Arca supports bucketDefinitions only (no bucketCriteria, scoping or allowListIds).")
	}
	j := discovery.Job{Account: c.account, Name: in.Name, Description: in.Description, ClientToken: in.ClientToken,
		Type: in.JobType, SamplingPercentage: in.SamplingPercentage, ManagedSelector: in.ManagedDataIdentifierSelector,
		ManagedIDs: in.ManagedDataIdentifierIds, CustomIDs: in.CustomDataIdentifierIds, Tags: in.Tags,
		Principal: principal(ctx)}
	if in.InitialRun != nil {
		j.InitialRun = *in.InitialRun
	}
	for _, b := range in.S3JobDefinition.BucketDefinitions {
		j.Buckets = append(j.Buckets, discovery.BucketDefinition{AccountID: b.AccountID, Buckets: b.Buckets})
	}
	if sf := in.ScheduleFrequency; sf != nil {
		j.Schedule = &discovery.Schedule{Daily: sf.DailySchedule != nil}
		if sf.WeeklySchedule != nil {
			j.Schedule.Weekly = sf.WeeklySchedule.DayOfWeek
			if j.Schedule.Weekly == "" {
				return nil, apierr.MacieValidation.WithMessage("weeklySchedule requires dayOfWeek.")
			}
		}
		if sf.MonthlySchedule != nil {
			j.Schedule.Monthly = sf.MonthlySchedule.DayOfMonth
			if j.Schedule.Monthly == 0 {
				return nil, apierr.MacieValidation.WithMessage("dayOfMonth must be between 1 and 31.")
			}
		}
	}
	id, arn, err := a.d.CreateJob(ctx, j)
	if err != nil {
		return nil, err
	}
	return map[string]string{"jobId": id, "jobArn": arn}, nil
}

type statisticsWire struct {
	ApproximateNumberOfObjectsToProcess float64 `json:"approximateNumberOfObjectsToProcess"`
	NumberOfRuns                        float64 `json:"numberOfRuns"`
	// Arca's additions (docs/DISCOVERY.md): counts over every run.
	ObjectsScanned    int64 `json:"arcaObjectsScanned"`
	BytesScanned      int64 `json:"arcaBytesScanned"`
	ObjectsUnreadable int64 `json:"arcaObjectsUnreadable"`
	ObjectsSkipped    int64 `json:"arcaObjectsSkipped"`
}

type jobWire struct {
	ClientToken                   string            `json:"clientToken,omitempty"`
	CreatedAt                     string            `json:"createdAt"`
	CustomDataIdentifierIds       []string          `json:"customDataIdentifierIds"`
	Description                   string            `json:"description,omitempty"`
	InitialRun                    bool              `json:"initialRun"`
	JobArn                        string            `json:"jobArn"`
	JobID                         string            `json:"jobId"`
	JobStatus                     string            `json:"jobStatus"`
	JobType                       string            `json:"jobType"`
	LastRunErrorStatus            map[string]string `json:"lastRunErrorStatus"`
	LastRunTime                   string            `json:"lastRunTime,omitempty"`
	ManagedDataIdentifierIds      []string          `json:"managedDataIdentifierIds"`
	ManagedDataIdentifierSelector string            `json:"managedDataIdentifierSelector"`
	Name                          string            `json:"name"`
	S3JobDefinition               *s3JobDefinition  `json:"s3JobDefinition,omitempty"`
	BucketDefinitions             []bucketDef       `json:"bucketDefinitions,omitempty"`
	SamplingPercentage            int               `json:"samplingPercentage,omitempty"`
	ScheduleFrequency             *scheduleWire     `json:"scheduleFrequency,omitempty"`
	Statistics                    *statisticsWire   `json:"statistics,omitempty"`
	Tags                          map[string]string `json:"tags,omitempty"`
	UnreadableByReason            map[string]int64  `json:"arcaLastRunUnreadableByReason,omitempty"`
}

func jobOut(j *discovery.Job, full bool) jobWire {
	var defs []bucketDef
	for _, b := range j.Buckets {
		defs = append(defs, bucketDef{AccountID: b.AccountID, Buckets: b.Buckets})
	}
	errCode := "NONE"
	if j.LastRunError {
		errCode = "ERROR"
	}
	out := jobWire{CreatedAt: ts(j.CreatedAt), JobID: j.ID, JobStatus: j.Status, JobType: j.Type, Name: j.Name,
		LastRunErrorStatus: map[string]string{"code": errCode}}
	if !full {
		out.BucketDefinitions = defs
		return out
	}
	out.JobArn, out.ClientToken, out.Description, out.InitialRun = j.ARN, j.ClientToken, j.Description, j.InitialRun
	out.CustomDataIdentifierIds, out.ManagedDataIdentifierIds = nonNil(j.CustomIDs), nonNil(j.ManagedIDs)
	out.ManagedDataIdentifierSelector, out.SamplingPercentage, out.Tags = j.ManagedSelector, j.SamplingPercentage, j.Tags
	out.LastRunTime = ts(j.LastRunTime)
	out.S3JobDefinition = &s3JobDefinition{BucketDefinitions: defs}
	out.Statistics = &statisticsWire{ApproximateNumberOfObjectsToProcess: float64(j.ApproximateObjects), NumberOfRuns: float64(j.Runs),
		ObjectsScanned: j.Stats.ObjectsScanned, BytesScanned: j.Stats.BytesScanned,
		ObjectsUnreadable: j.Stats.ObjectsUnreadable, ObjectsSkipped: j.Stats.ObjectsSkipped}
	out.UnreadableByReason = j.LastRunUnreadableByReason
	if sc := j.Schedule; sc != nil {
		out.ScheduleFrequency = &scheduleWire{}
		switch {
		case sc.Daily:
			out.ScheduleFrequency.DailySchedule = &struct{}{}
		case sc.Weekly != "":
			out.ScheduleFrequency.WeeklySchedule = &struct {
				DayOfWeek string `json:"dayOfWeek"`
			}{sc.Weekly}
		default:
			out.ScheduleFrequency.MonthlySchedule = &struct {
				DayOfMonth int `json:"dayOfMonth"`
			}{sc.Monthly}
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (a *API) describeJob(ctx context.Context, c *call) (any, error) {
	j, err := a.d.DescribeJob(ctx, c.account, c.param)
	if err != nil {
		return nil, err
	}
	return jobOut(&j, true), nil
}

type listJobsIn struct {
	FilterCriteria *struct {
		Includes []jobTerm `json:"includes"`
		Excludes []jobTerm `json:"excludes"`
	} `json:"filterCriteria"`
	MaxResults   *int   `json:"maxResults"`
	NextToken    string `json:"nextToken"`
	SortCriteria *struct {
		AttributeName string `json:"attributeName"`
		OrderBy       string `json:"orderBy"`
	} `json:"sortCriteria"`
}

type jobTerm struct {
	Comparator string   `json:"comparator"`
	Key        string   `json:"key"`
	Values     []string `json:"values"`
}

func (t jobTerm) match(j *discovery.Job) (bool, error) {
	var v string
	switch t.Key {
	case "jobType":
		v = j.Type
	case "jobStatus":
		v = j.Status
	case "name":
		v = j.Name
	default:
		return false, apierr.MacieValidation.WithMessage("Arca filters jobs by jobType, jobStatus and name only.")
	}
	in := false
	for _, x := range t.Values {
		if x == v {
			in = true
		}
	}
	switch t.Comparator {
	case "EQ", "":
		return in, nil
	case "NE":
		return !in, nil
	}
	return false, apierr.MacieValidation.WithMessage("The comparator " + t.Comparator + " is not valid for " + t.Key + ".")
}

func (a *API) listJobs(ctx context.Context, c *call) (any, error) {
	var in listJobsIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	js, err := a.d.ListJobs(ctx, c.account)
	if err != nil {
		return nil, err
	}
	items := []jobWire{}
	for i := range js {
		keep := true
		if fc := in.FilterCriteria; fc != nil {
			for _, t := range fc.Includes {
				ok, err := t.match(&js[i])
				if err != nil {
					return nil, err
				}
				keep = keep && ok
			}
			for _, t := range fc.Excludes {
				ok, err := t.match(&js[i])
				if err != nil {
					return nil, err
				}
				keep = keep && !ok
			}
		}
		if keep {
			items = append(items, jobOut(&js[i], false))
		}
	}
	if sc := in.SortCriteria; sc != nil {
		sortJobWire(items, sc.AttributeName, sc.OrderBy == "DESC")
	}
	page, next, err := paginate(len(items), in.MaxResults, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"items": items[page[0]:page[1]]}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

// paginate returns the [start, end) of the page and the next token (an opaque offset).
func paginate(n int, max *int, token string, limit int) ([2]int, string, error) {
	size := limit
	if max != nil {
		if *max < 0 || *max > limit {
			return [2]int{}, "", apierr.MacieValidation.WithMessage("maxResults must be between 0 and " + strconv.Itoa(limit) + ".")
		}
		if *max > 0 {
			size = *max
		}
	}
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err == nil {
			start, err = strconv.Atoi(string(b))
		}
		if err != nil || start < 0 || start > n {
			return [2]int{}, "", apierr.MacieValidation.WithMessage("The nextToken is not valid.")
		}
	}
	end := start + size
	if end >= n {
		return [2]int{start, n}, "", nil
	}
	return [2]int{start, end}, base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))), nil
}

type createCDIIn struct {
	ClientToken          string            `json:"clientToken"`
	Description          string            `json:"description"`
	IgnoreWords          []string          `json:"ignoreWords"`
	Keywords             []string          `json:"keywords"`
	MaximumMatchDistance int               `json:"maximumMatchDistance"`
	Name                 string            `json:"name"`
	Regex                string            `json:"regex"`
	SeverityLevels       []any             `json:"severityLevels"`
	Tags                 map[string]string `json:"tags"`
}

func (a *API) createCDI(ctx context.Context, c *call) (any, error) {
	var in createCDIIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.MaximumMatchDistance < 0 || in.MaximumMatchDistance > discovery.MaxCustomDistance {
		return nil, apierr.MacieValidation.WithMessage("maximumMatchDistance must be between 1 and 300.")
	}
	id, err := a.d.CreateCustomIdentifier(ctx, discovery.CustomIdentifier{Account: c.account, Name: in.Name,
		Description: in.Description, Regex: in.Regex, Keywords: in.Keywords, IgnoreWords: in.IgnoreWords,
		MaximumMatchDistance: in.MaximumMatchDistance, Tags: in.Tags, ClientToken: in.ClientToken})
	if err != nil {
		return nil, err
	}
	return map[string]string{"customDataIdentifierId": id}, nil
}

func (a *API) getCDI(ctx context.Context, c *call) (any, error) {
	cd, err := a.d.GetCustomIdentifier(ctx, c.account, c.param)
	if err != nil {
		return nil, err
	}
	return map[string]any{"arn": cd.ARN, "createdAt": ts(cd.CreatedAt), "deleted": false, "description": cd.Description,
		"id": cd.ID, "ignoreWords": nonNil(cd.IgnoreWords), "keywords": nonNil(cd.Keywords),
		"maximumMatchDistance": cd.MaximumMatchDistance, "name": cd.Name, "regex": cd.Regex, "tags": cd.Tags}, nil
}

type listFindingsIn struct {
	FindingCriteria *struct {
		Criterion map[string]criterionWire `json:"criterion"`
	} `json:"findingCriteria"`
	MaxResults   *int          `json:"maxResults"`
	NextToken    string        `json:"nextToken"`
	SortCriteria *sortCriteria `json:"sortCriteria"`
}

type criterionWire struct {
	Eq           []string `json:"eq"`
	EqExactMatch []string `json:"eqExactMatch"`
	Neq          []string `json:"neq"`
	Gt           *int64   `json:"gt"`
	Gte          *int64   `json:"gte"`
	Lt           *int64   `json:"lt"`
	Lte          *int64   `json:"lte"`
}

type sortCriteria struct {
	AttributeName string `json:"attributeName"`
	OrderBy       string `json:"orderBy"`
}

func (s *sortCriteria) sort() (discovery.Sort, error) {
	if s == nil {
		return discovery.Sort{}, nil
	}
	if s.OrderBy != "" && s.OrderBy != "ASC" && s.OrderBy != "DESC" {
		return discovery.Sort{}, apierr.MacieValidation.WithMessage("orderBy must be ASC or DESC.")
	}
	return discovery.Sort{Attribute: s.AttributeName, Desc: s.OrderBy == "DESC"}, nil
}

func (a *API) listFindings(ctx context.Context, c *call) (any, error) {
	var in listFindingsIn
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	crit := map[string]discovery.Condition{}
	if in.FindingCriteria != nil {
		for k, v := range in.FindingCriteria.Criterion {
			crit[k] = discovery.Condition{Eq: v.Eq, EqExactMatch: v.EqExactMatch, Neq: v.Neq, Gt: v.Gt, Gte: v.Gte, Lt: v.Lt, Lte: v.Lte}
		}
	}
	by, err := in.SortCriteria.sort()
	if err != nil {
		return nil, err
	}
	fs, err := a.d.ListFindings(ctx, c.account, crit, by)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(len(fs), in.MaxResults, in.NextToken, 50)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, f := range fs[page[0]:page[1]] {
		ids = append(ids, f.ID)
	}
	out := map[string]any{"findingIds": ids}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func (a *API) getFindings(ctx context.Context, c *call) (any, error) {
	var in struct {
		FindingIds   []string      `json:"findingIds"`
		SortCriteria *sortCriteria `json:"sortCriteria"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.FindingIds == nil {
		return nil, apierr.MacieValidation.WithMessage("findingIds is required.")
	}
	if len(in.FindingIds) > 50 {
		return nil, apierr.MacieValidation.WithMessage("findingIds can name at most 50 findings.")
	}
	fs, err := a.d.GetFindings(ctx, c.account, in.FindingIds)
	if err != nil {
		return nil, err
	}
	if in.SortCriteria != nil {
		by, err := in.SortCriteria.sort()
		if err != nil {
			return nil, err
		}
		if err := discovery.SortFindings(fs, by); err != nil {
			return nil, err
		}
	}
	out := []any{}
	for i := range fs {
		out = append(out, findingOut(&fs[i]))
	}
	return map[string]any{"findings": out}, nil
}

func (a *API) bucketStatistics(ctx context.Context, c *call) (any, error) {
	var in struct {
		AccountID string `json:"accountId"`
	}
	if err := decode(c.body, &in); err != nil {
		return nil, err
	}
	if in.AccountID != "" && in.AccountID != c.account {
		return nil, errs.New(discovery.ErrNotFound, "The account "+in.AccountID+" is not your account or a member of it.")
	}
	st, err := a.d.BucketStatistics(ctx, c.account)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"bucketCount": st.BucketCount,
		"bucketCountByEncryptionType": map[string]int64{"kmsManaged": st.BucketsKMS, "s3Managed": st.BucketsS3,
			"unencrypted": st.BucketsUnencrypted, "unknown": 0},
		"classifiableObjectCount":         st.ClassifiableObjects,
		"classifiableSizeInBytes":         st.ClassifiableBytes,
		"objectCount":                     st.ObjectCount,
		"sizeInBytes":                     st.SizeInBytes,
		"sizeInBytesCompressed":           0,
		"unclassifiableObjectCount":       map[string]int64{"total": st.UnclassifiableObjects, "fileType": 0, "storageClass": 0},
		"unclassifiableObjectSizeInBytes": map[string]int64{"total": st.UnclassifiableBytes, "fileType": 0, "storageClass": 0},
		"lastUpdated":                     ts(time.Now()),
		// Arca's addition: the account's current objects by their encryption (Macie
		// reports this per bucket in DescribeBuckets).
		"objectCountByEncryptionType": map[string]int64{"customerManaged": st.ObjectsCustomer, "kmsManaged": st.ObjectsKMS,
			"s3Managed": st.ObjectsS3, "unencrypted": st.ObjectsNone, "unknown": st.ObjectsUnknown},
	}, nil
}

func sortJobWire(items []jobWire, attr string, desc bool) {
	key := func(j *jobWire) string {
		switch attr {
		case "name":
			return j.Name
		case "jobStatus":
			return j.JobStatus
		case "jobType":
			return j.JobType
		}
		return j.CreatedAt
	}
	sort.SliceStable(items, func(a, b int) bool {
		x, y := key(&items[a]), key(&items[b])
		if x == y {
			return false
		}
		return (x < y) != desc
	})
}
