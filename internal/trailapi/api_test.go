package trailapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
	"github.com/arcastore/arca/internal/trails"
)

func newTestAPI(t testing.TB) *API {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	records, err := audit.OpenTrail(audit.Config{DB: db, AccountID: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := rootkey.Parse(rootkey.Generate())
	svc, err := trails.New(trails.Config{DB: db, Records: records, Root: root, AccountID: "123456789012", Region: "us-east-1",
		PutObject:    func(ctx context.Context, o trails.Object) error { return nil },
		BucketExists: func(ctx context.Context, b string) (bool, error) { return b == "logs", nil },
		ResolveKMSKey: func(ctx context.Context, account, ref string) (string, error) {
			return "", errs.New(trails.ErrKMSKeyNotFound, "KMS key not found: "+ref)
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { records.Close(); db.Close() })
	return New(Config{Region: "us-east-1", AccountID: "123456789012"}, Deps{Trail: records, Trails: svc, Audit: records})
}

func call(a *API, target string, body []byte) (int, map[string]any) {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("X-Amz-Target", target)
	w := httptest.NewRecorder()
	a.Serve(w, r, iam.Identity{}, bytes.NewReader(body))
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

var errorTests = []struct {
	op, body, want string
}{
	{"CreateTrail", `{"Name":"ab","S3BucketName":"logs"}`, "InvalidTrailNameException"},
	{"CreateTrail", `{"Name":"good-name","S3BucketName":"nope"}`, "S3BucketDoesNotExistException"},
	{"CreateTrail", `{"Name":"good-name","S3BucketName":"Bad_Bucket"}`, "InvalidS3BucketNameException"},
	{"CreateTrail", `{"Name":"good-name","S3BucketName":"logs","KmsKeyId":"alias/x"}`, "KmsKeyNotFoundException"},
	{"CreateTrail", `{"Name":"good-name","S3BucketName":"logs","SnsTopicName":"t"}`, "InvalidParameterCombinationException"},
	{"CreateTrail", `{"Name":"arca-default","S3BucketName":"logs"}`, "TrailAlreadyExistsException"},
	{"CreateTrail", `{"Name":7}`, "SerializationException"},
	{"CreateTrail", `not json`, "SerializationException"},
	{"DeleteTrail", `{"Name":"arca-default"}`, "OperationNotPermittedException"},
	{"DeleteTrail", `{"Name":"missing"}`, "TrailNotFoundException"},
	{"DeleteTrail", `{}`, "TrailNotProvidedException"},
	{"StopLogging", `{"Name":"arn:aws:cloudtrail:us-east-1:123456789012:nope"}`, "CloudTrailARNInvalidException"},
	{"GetTrail", `{"Name":"arn:aws:cloudtrail:eu-west-1:123456789012:trail/other"}`, "TrailNotFoundException"},
	{"ListPublicKeys", `{"StartTime":20,"EndTime":10}`, "InvalidTimeRangeException"},
	{"ListPublicKeys", `{"StartTime":"soon"}`, "SerializationException"},
	{"PutEventSelectors", `{}`, "UnsupportedOperationException"},
}

func TestTrailErrors(t *testing.T) {
	a := newTestAPI(t)
	for _, c := range errorTests {
		code, out := call(a, TargetPrefix+c.op, []byte(c.body))
		if code != 400 || out["__type"] != c.want || out["message"] == "" {
			t.Errorf("%s %s: %d %v, want 400 %s", c.op, c.body, code, out, c.want)
		}
	}
	// Arca's extension only under its own prefix.
	if _, out := call(a, ShortTargetPrefix+"FlushTrail", []byte(`{}`)); out["__type"] != "UnknownOperationException" {
		t.Errorf("FlushTrail under CloudTrail's prefix: %v", out)
	}
	if code, out := call(a, ArcaTargetPrefix+"FlushTrail", []byte(`{}`)); code != 200 || out["Trails"] == nil {
		t.Errorf("FlushTrail: %d %v", code, out)
	}
}

// Whatever the body, every operation answers with a status below 500 and, on error, a
// CloudTrail-shaped error.
func FuzzServe(f *testing.F) {
	for _, c := range errorTests {
		f.Add(c.op, c.body)
	}
	f.Add("CreateTrail", `{"Name":"fuzz-trail","S3BucketName":"logs","EnableLogFileValidation":true}`)
	f.Add("StartLogging", `{"Name":"fuzz-trail"}`)
	f.Add("FlushTrail", `{"Name":"fuzz-trail"}`)
	f.Add("UpdateTrail", `{"Name":"fuzz-trail","S3KeyPrefix":"p","EnableLogFileValidation":false}`)
	f.Add("LookupEvents", `{"MaxResults":3}`)
	a := newTestAPI(f)
	f.Fuzz(func(t *testing.T, op, body string) {
		target := TargetPrefix + op
		if op == "FlushTrail" {
			target = ArcaTargetPrefix + op
		}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", target)
		w := httptest.NewRecorder()
		a.Serve(w, r, iam.Identity{}, strings.NewReader(body))
		if w.Code >= 500 {
			t.Fatalf("%s %q: %d %s", op, body, w.Code, w.Body)
		}
		if w.Code != 200 {
			var e map[string]string
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || e["__type"] == "" {
				t.Fatalf("%s %q: error body %s", op, body, w.Body)
			}
		}
	})
}
