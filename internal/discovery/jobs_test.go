package discovery

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/meta"
)

var scheduleTests = []struct {
	sc   Schedule
	from string
	want string
}{
	{Schedule{Daily: true}, "2026-12-06T13:00:00Z", "2026-12-07T00:00:00Z"},
	{Schedule{Daily: true}, "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
	{Schedule{Weekly: "MONDAY"}, "2026-12-06T13:00:00Z", "2026-12-07T00:00:00Z"}, // a Sunday
	{Schedule{Weekly: "SUNDAY"}, "2026-12-06T13:00:00Z", "2026-12-13T00:00:00Z"},
	{Schedule{Monthly: 6}, "2026-12-06T13:00:00Z", "2027-01-06T00:00:00Z"},
	{Schedule{Monthly: 31}, "2027-02-01T00:00:00Z", "2027-02-28T00:00:00Z"}, // the last day of a short month
	{Schedule{Monthly: 31}, "2027-02-28T00:00:00Z", "2027-03-31T00:00:00Z"},
}

func TestScheduleNext(t *testing.T) {
	for _, tt := range scheduleTests {
		from, _ := time.Parse(time.RFC3339, tt.from)
		if got := tt.sc.next(from).Format(time.RFC3339); got != tt.want {
			t.Errorf("%+v after %s = %s, want %s", tt.sc, tt.from, got, tt.want)
		}
	}
}

// Sampling picks about samplingPercentage of the objects, the same ones for the same run.
func TestSampling(t *testing.T) {
	j := &Job{ID: "job", SamplingPercentage: 30}
	n := 0
	for i := 0; i < 10000; i++ {
		o := &meta.Object{Key: fmt.Sprintf("k%d", i)}
		if sampled(j, 1, o) {
			n++
		}
		if sampled(j, 1, o) != sampled(j, 1, o) {
			t.Fatal("not deterministic")
		}
	}
	if n < 2700 || n > 3300 {
		t.Fatalf("30%% sampling picked %d of 10000", n)
	}
}

var jobValidationTests = []struct {
	name string
	mod  func(*Job)
}{
	{"no name", func(j *Job) { j.Name = "" }},
	{"no token", func(j *Job) { j.ClientToken = "" }},
	{"bad type", func(j *Job) { j.Type = "DAILY" }},
	{"one-time with schedule", func(j *Job) { j.Schedule = &Schedule{Daily: true} }},
	{"scheduled without schedule", func(j *Job) { j.Type = Scheduled }},
	{"two frequencies", func(j *Job) { j.Type, j.Schedule = Scheduled, &Schedule{Daily: true, Monthly: 3} }},
	{"bad weekday", func(j *Job) { j.Type, j.Schedule = Scheduled, &Schedule{Weekly: "FUNDAY"} }},
	{"day 32", func(j *Job) { j.Type, j.Schedule = Scheduled, &Schedule{Monthly: 32} }},
	{"no buckets", func(j *Job) { j.Buckets = nil }},
	{"sampling 101", func(j *Job) { j.SamplingPercentage = 101 }},
	{"include without ids", func(j *Job) { j.ManagedSelector = SelectInclude }},
	{"ids with ALL", func(j *Job) { j.ManagedSelector, j.ManagedIDs = SelectAll, []string{"EMAIL_ADDRESS"} }},
	{"unknown id", func(j *Job) { j.ManagedSelector, j.ManagedIDs = SelectExclude, []string{"PASSPORT"} }},
	{"none without custom", func(j *Job) { j.ManagedSelector = SelectNone }},
}

func TestJobValidation(t *testing.T) {
	ok := func() Job {
		return Job{Name: "n", ClientToken: "t", Type: OneTime, Buckets: []BucketDefinition{{AccountID: "1", Buckets: []string{"b"}}}}
	}
	j := ok()
	if err := validateJob(&j); err != nil || j.SamplingPercentage != 100 || j.ManagedSelector != SelectRecommended {
		t.Fatalf("valid job: %v %+v", err, j)
	}
	for _, tt := range jobValidationTests {
		j := ok()
		tt.mod(&j)
		if err := validateJob(&j); !errors.Is(err, ErrValidation) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
