package macieapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/discovery"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

type noReader struct{}

func (noReader) Read(context.Context, iam.Identity, string, string, string, io.Writer) (int64, error) {
	return 0, io.ErrUnexpectedEOF
}

func newAPI(t testing.TB) *API {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := rootkey.Parse(rootkey.Generate())
	ms, err := meta.Open(db, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ms.CreateBucket(context.Background(), meta.Bucket{Name: "b1"}); err != nil {
		t.Fatal(err)
	}
	d := discovery.NewService(discovery.Config{Region: "us-east-1", PrimaryAccount: "111122223333"},
		discovery.Deps{KV: db, Meta: ms, Reader: noReader{}})
	return New(Config{Region: "us-east-1", AccountID: "111122223333"}, Deps{Discovery: d})
}

func call1(a *API, method, path, body string) (int, map[string]any, string) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	w := httptest.NewRecorder()
	a.Serve(w, r, iam.RootIdentity("111122223333", "AK"), strings.NewReader(body))
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out, w.Header().Get("X-Amzn-Errortype")
}

var routeTests = []struct {
	method, path, op, param string
}{
	{"POST", "/jobs", "CreateClassificationJob", ""},
	{"GET", "/jobs/abc", "DescribeClassificationJob", "abc"},
	{"POST", "/jobs/list", "ListClassificationJobs", ""},
	{"GET", "/jobs/list", "DescribeClassificationJob", "list"},
	{"POST", "/custom-data-identifiers", "CreateCustomDataIdentifier", ""},
	{"GET", "/custom-data-identifiers/x1", "GetCustomDataIdentifier", "x1"},
	{"POST", "/findings", "ListFindings", ""},
	{"POST", "/findings/describe", "GetFindings", ""},
	{"POST", "/datasources/s3/statistics", "GetBucketStatistics", ""},
	{"DELETE", "/jobs/abc", "", ""},
	{"GET", "/jobs/a/b", "", ""},
}

func TestRoute(t *testing.T) {
	for _, tt := range routeTests {
		o, p := route(tt.method, tt.path)
		name := ""
		if o != nil {
			name = o.Name
		}
		if tt.path == "/jobs/list" && tt.method == "GET" {
			// "list" is a job id for GET (Macie's ids are hex, so it is simply not found).
			continue
		}
		if name != tt.op || p != tt.param {
			t.Errorf("%s %s = %q %q, want %q %q", tt.method, tt.path, name, p, tt.op, tt.param)
		}
	}
}

func TestErrors(t *testing.T) {
	a := newAPI(t)
	for _, tt := range []struct {
		method, path, body string
		status             int
		typ                string
	}{
		{"POST", "/jobs", `{`, 400, "ValidationException"},
		{"POST", "/jobs", `{"name":"j","clientToken":"t","jobType":"DAILY","s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["b1"]}]}}`, 400, "ValidationException"},
		{"POST", "/jobs", `{"name":"j","clientToken":"t","jobType":"ONE_TIME","s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["nope"]}]}}`, 404, "ResourceNotFoundException"},
		{"POST", "/jobs", `{"name":"j","clientToken":"t","jobType":"SCHEDULED","s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["b1"]}]}}`, 400, "ValidationException"},
		{"POST", "/jobs", `{"name":"j","clientToken":"t","jobType":"ONE_TIME","managedDataIdentifierSelector":"INCLUDE","managedDataIdentifierIds":["NOPE"],"s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["b1"]}]}}`, 400, "ValidationException"},
		{"GET", "/jobs/none", "", 404, "ResourceNotFoundException"},
		{"POST", "/findings", `{"findingCriteria":{"criterion":{"type":{"gt":3}}}}`, 400, "ValidationException"},
		{"POST", "/findings", `{"maxResults":51}`, 400, "ValidationException"},
		{"POST", "/findings", `{"nextToken":"!!"}`, 400, "ValidationException"},
		{"POST", "/findings/describe", `{}`, 400, "ValidationException"},
		{"POST", "/custom-data-identifiers", `{"name":"x","regex":"a(","clientToken":"c"}`, 400, "ValidationException"},
		{"POST", "/custom-data-identifiers", `{"name":"x","regex":"a","maximumMatchDistance":301}`, 400, "ValidationException"},
		{"DELETE", "/jobs/x", "", 404, "UnknownOperationException"},
	} {
		code, out, typ := call1(a, tt.method, tt.path, tt.body)
		if code != tt.status || typ != tt.typ || out["message"] == nil {
			t.Errorf("%s %s %s: %d %s %v, want %d %s", tt.method, tt.path, tt.body, code, typ, out, tt.status, tt.typ)
		}
	}
	code, out, _ := call1(a, "POST", "/jobs", `{"name":"j","clientToken":"t","jobType":"ONE_TIME","s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["b1"]}]}}`)
	if code != 200 || out["jobId"] == "" {
		t.Fatalf("create: %d %v", code, out)
	}
	code, again, _ := call1(a, "POST", "/jobs", `{"name":"j","clientToken":"t","jobType":"ONE_TIME","s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["b1"]}]}}`)
	if code != 200 || again["jobId"] != out["jobId"] {
		t.Fatalf("retry: %d %v", code, again)
	}
	if code, _, typ := call1(a, "POST", "/jobs", `{"name":"k","clientToken":"t","jobType":"ONE_TIME","s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["b1"]}]}}`); code != 409 || typ != "ConflictException" {
		t.Fatalf("conflict: %d %s", code, typ)
	}
}

func TestIsRequest(t *testing.T) {
	r := httptest.NewRequest("POST", "/jobs", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/macie2/aws4_request, SignedHeaders=host, Signature=00")
	if !IsRequest(r) {
		t.Fatal("macie2 request not recognised")
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
	if IsRequest(r) {
		t.Fatal("s3 request taken for macie2")
	}
}

// FuzzRequests: any body on any route is answered with a status below 500 and a JSON
// body, never a panic.
func FuzzRequests(f *testing.F) {
	for _, tt := range routeTests {
		f.Add(tt.method, tt.path, `{}`)
	}
	f.Add("POST", "/jobs", `{"name":"j","clientToken":"t","jobType":"SCHEDULED","scheduleFrequency":{"monthlySchedule":{"dayOfMonth":31}},"s3JobDefinition":{"bucketDefinitions":[{"accountId":"111122223333","buckets":["b1"]}]}}`)
	f.Add("POST", "/findings", `{"findingCriteria":{"criterion":{"resourcesAffected.s3Object.serverSideEncryption.encryptionType":{"eq":["AES256"]}}},"sortCriteria":{"attributeName":"severity.score","orderBy":"DESC"},"maxResults":2}`)
	f.Add("POST", "/jobs/list", `{"filterCriteria":{"includes":[{"comparator":"EQ","key":"jobType","values":["ONE_TIME"]}]},"sortCriteria":{"attributeName":"name"}}`)
	f.Add("POST", "/custom-data-identifiers", `{"name":"x","regex":"[0-9]{3}","keywords":["abc"],"ignoreWords":["1234"],"clientToken":"c"}`)
	a := newAPI(f)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if u, err := url.ParseRequestURI(path); err != nil || u.Path != path || !strings.HasPrefix(path, "/") {
			return
		}
		switch method {
		case "GET", "POST", "PUT", "DELETE", "PATCH":
		default:
			return
		}
		code, _, _ := call1(a, method, path, body)
		if code >= 500 || code == 0 {
			t.Fatalf("%s %s %q: %d", method, path, body, code)
		}
		if code == 200 && http.StatusText(code) == "" {
			t.Fatal("unreachable")
		}
	})
}
