package batch

import (
	"context"
	"errors"
	"testing"
)

func TestCreateIdempotent(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	ctx := context.Background()
	id, err := s.Create(ctx, csvJob("tok"))
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.Create(ctx, csvJob("tok"))
	if err != nil || id2 != id {
		t.Fatalf("retry: %q %v, want %q", id2, err, id)
	}
	other := csvJob("tok")
	other.Priority = 99
	if _, err := s.Create(ctx, other); !errors.Is(err, ErrIdempotency) {
		t.Fatalf("changed retry: %v, want ErrIdempotency", err)
	}
	j, err := s.Describe(ctx, testAccount, id)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != StatusNew || j.Priority != 10 || j.CreationTime.IsZero() {
		t.Fatalf("described %+v", j)
	}
	if _, err := s.Describe(ctx, "999999999999", id); !errors.Is(err, ErrNoSuchJob) {
		t.Fatalf("other account: %v", err)
	}
}

var createInvalidTests = []struct {
	name string
	edit func(*Job)
}{
	{"no operation", func(j *Job) { j.Operation = Operation{} }},
	{"two operations", func(j *Job) { j.Operation.S3DeleteObjectTagging = &DeleteTaggingOperation{} }},
	{"no manifest", func(j *Job) { j.Manifest = nil }},
	{"manifest and generator", func(j *Job) { j.Generator = &Generator{SourceBucket: "arn:aws:s3:::b"} }},
	{"bad format", func(j *Job) { j.Manifest.Spec.Format = "CSV" }},
	{"bad fields", func(j *Job) { j.Manifest.Spec.Fields = []string{FieldKey} }},
	{"bad object arn", func(j *Job) { j.Manifest.Location.ObjectArn = "arn:aws:s3:::bucketonly" }},
	{"no etag", func(j *Job) { j.Manifest.Location.ETag = "" }},
	{"report bucket", func(j *Job) { j.Report.Bucket = "reports" }},
	{"negative priority", func(j *Job) { j.Priority = -1 }},
	{"uoe without key", func(j *Job) {
		j.Operation = Operation{S3UpdateObjectEncryption: &UpdateEncryptionOperation{}}
	}},
}

func TestCreateInvalid(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	for _, tc := range createInvalidTests {
		j := csvJob("t-" + tc.name)
		tc.edit(j)
		if _, err := s.Create(context.Background(), j); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v, want ErrInvalidRequest", tc.name, err)
		}
	}
}

var statusTests = []struct {
	from    Status
	to      Status
	want    Status
	refused bool
}{
	{StatusSuspended, StatusReady, StatusReady, false},
	{StatusNew, StatusReady, StatusNew, false}, // confirmed early
	{StatusReady, StatusReady, "", true},
	{StatusActive, StatusReady, "", true},
	{StatusComplete, StatusReady, "", true},
	{StatusNew, StatusCancelled, StatusCancelled, false},
	{StatusSuspended, StatusCancelled, StatusCancelled, false},
	{StatusReady, StatusCancelled, StatusCancelled, false},
	{StatusActive, StatusCancelled, StatusCancelling, false},
	{StatusPreparing, StatusCancelled, StatusCancelling, false},
	{StatusCancelling, StatusCancelled, "", true},
	{StatusComplete, StatusCancelled, "", true},
	{StatusFailed, StatusCancelled, "", true},
	{StatusFailing, StatusCancelled, "", true},
	{StatusCancelled, StatusCancelled, "", true},
}

func TestUpdateStatus(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	ctx := context.Background()
	for i, tc := range statusTests {
		id, err := s.Create(ctx, csvJob(string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.mutate(id, func(r *record) error { r.Job.Status = tc.from; return nil }); err != nil {
			t.Fatal(err)
		}
		j, err := s.UpdateStatus(ctx, testAccount, id, tc.to, "because")
		if tc.refused {
			if !errors.Is(err, ErrInvalidStatusTransition) {
				t.Errorf("%s→%s: %v, want ErrInvalidStatusTransition", tc.from, tc.to, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s→%s: %v", tc.from, tc.to, err)
			continue
		}
		if j.Status != tc.want || j.StatusUpdateReason != "because" {
			t.Errorf("%s→%s: status %s reason %q, want %s", tc.from, tc.to, j.Status, j.StatusUpdateReason, tc.want)
		}
		if tc.want == StatusCancelled && j.TerminationDate.IsZero() {
			t.Errorf("%s→%s: no termination date", tc.from, tc.to)
		}
	}
	if _, err := s.UpdateStatus(ctx, testAccount, "nope-nope", StatusReady, ""); !errors.Is(err, ErrNoSuchJob) {
		t.Errorf("missing job: %v", err)
	}
}

func TestListAndPriorityAndTags(t *testing.T) {
	s, _, _ := newTestService(t, Config{})
	ctx := context.Background()
	var ids []string
	for i := 0; i < 5; i++ {
		id, err := s.Create(ctx, csvJob(string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var got []string
	next := ""
	for {
		page, n, err := s.List(ctx, testAccount, nil, next, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range page {
			got = append(got, j.ID)
		}
		if n == "" {
			break
		}
		next = n
	}
	if len(got) != 5 {
		t.Fatalf("listed %d jobs, want 5", len(got))
	}
	if page, _, _ := s.List(ctx, testAccount, []Status{StatusComplete}, "", 0); len(page) != 0 {
		t.Fatalf("status filter listed %d", len(page))
	}
	if page, _, _ := s.List(ctx, "999999999999", nil, "", 0); len(page) != 0 {
		t.Fatalf("other account listed %d", len(page))
	}
	if _, _, err := s.List(ctx, testAccount, nil, "bogus", 0); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("bad token: %v", err)
	}
	j, err := s.UpdatePriority(ctx, testAccount, ids[0], 77)
	if err != nil || j.Priority != 77 {
		t.Fatalf("priority: %v %v", j, err)
	}
	if err := s.PutTags(ctx, testAccount, ids[0], []Tag{{Key: "a", Value: "1"}}); err != nil {
		t.Fatal(err)
	}
	if tags, _ := s.Tags(ctx, testAccount, ids[0]); len(tags) != 1 || tags[0].Key != "a" {
		t.Fatalf("tags %v", tags)
	}
	if err := s.PutTags(ctx, testAccount, ids[0], []Tag{{Key: "a"}, {Key: "a"}}); !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("duplicate tag keys: %v", err)
	}
	if err := s.DeleteTags(ctx, testAccount, ids[0]); err != nil {
		t.Fatal(err)
	}
	if tags, _ := s.Tags(ctx, testAccount, ids[0]); len(tags) != 0 {
		t.Fatalf("tags after delete %v", tags)
	}
}
