package analyzerapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/analyzer"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/storage/bolt"
)

type noResources struct{}

func (noResources) Buckets(context.Context, string) ([]analyzer.Bucket, error) { return nil, nil }
func (noResources) Bucket(context.Context, string, string) (analyzer.Bucket, bool, error) {
	return analyzer.Bucket{}, false, nil
}
func (noResources) Keys(context.Context, string) ([]analyzer.Key, error) { return nil, nil }
func (noResources) Key(context.Context, string, string) (analyzer.Key, bool, error) {
	return analyzer.Key{}, false, nil
}

func newAPI(t testing.TB) *API {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := analyzer.New(analyzer.Config{Region: "us-east-1"}, analyzer.Deps{KV: db, Facts: noResources{}})
	return New(Config{Region: "us-east-1", AccountID: "111122223333"}, Deps{Analyzer: svc})
}

func serve(a *API, method, target string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	w := httptest.NewRecorder()
	a.Serve(w, r, iam.RootIdentity("111122223333", "AK"), bytes.NewReader(body))
	return w
}

const arn = "arn:aws:access-analyzer:us-east-1:111122223333:analyzer/a"

// FuzzRequest drives every operation with arbitrary paths, queries and bodies: the answer
// is always a well-formed JSON response, never a panic or a 500.
func FuzzRequest(f *testing.F) {
	seeds := []struct {
		op          uint8
		param, body string
	}{
		{0, "", `{"analyzerName":"a","type":"ACCOUNT"}`},
		{0, "", `{"analyzerName":"1x","type":"ORGANIZATION","archiveRules":[{}]}`},
		{1, "maxResults=1&nextToken=MQ", ``},
		{2, "a", ``}, {3, "a%2F", ``},
		{4, "", `{"analyzerArn":"` + arn + `","filter":{"status":{"eq":["ACTIVE"]},"principal.AWS":{"exists":true}},"sort":{"attributeName":"resource","orderBy":"DESC"},"maxResults":2}`},
		{5, "00000000-0000-0000-0000-000000000000?analyzerArn=" + arn, ``},
		{6, "", `{"analyzerArn":"` + arn + `","status":"ARCHIVED","ids":["x"]}`},
		{7, "", `{"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}","policyType":"IDENTITY_POLICY"}`},
		{8, "", `{"policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}}","resourceType":"AWS::S3::Bucket"}`},
		{9, "", `{"policyDocument":"{}","policyType":"RESOURCE_POLICY","access":[{"actions":["kms:Decrypt"]}]}`},
		{7, "", `{"policyDocument":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:GetObject\"],\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}]}","policyType":"IDENTITY_POLICY"}`},
		{4, "", `{"analyzerArn":5}`}, {4, "", `not json`},
	}
	for _, s := range seeds {
		f.Add(s.op, s.param, []byte(s.body))
	}
	a := newAPI(f)
	serve(a, http.MethodPut, "/analyzer", []byte(`{"analyzerName":"a","type":"ACCOUNT"}`))
	f.Fuzz(func(t *testing.T, op uint8, param string, body []byte) {
		o := opTable[int(op)%len(opTable)]
		target := o.Path
		if target[len(target)-1] == '/' {
			target += param
		} else if param != "" {
			target += "?" + param
		}
		defer func() {
			if recover() != nil {
				t.Fatalf("panic on %s %q %q", o.Method, target, body)
			}
		}()
		var w *httptest.ResponseRecorder
		func() {
			defer func() {
				if e := recover(); e != nil {
					w = nil
					// httptest.NewRequest panics on an unparsable target: not ours to judge.
				}
			}()
			w = serve(a, o.Method, target, body)
		}()
		if w == nil {
			return
		}
		if w.Code >= 500 {
			t.Fatalf("%s %q %q: status %d %s", o.Method, target, body, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %q: response is not JSON: %s", o.Method, target, w.Body)
		}
	})
}

func TestOperationsRouted(t *testing.T) {
	a := newAPI(t)
	if w := serve(a, http.MethodPut, "/analyzer", []byte(`{"analyzerName":"a","type":"ACCOUNT"}`)); w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(arn)) {
		t.Fatalf("CreateAnalyzer: %d %s", w.Code, w.Body)
	}
	for _, c := range []struct {
		method, target, body, errType string
		status                        int
	}{
		{http.MethodGet, "/analyzer/nope", "", "ResourceNotFoundException", 404},
		{http.MethodPut, "/analyzer", `{"analyzerName":"a","type":"ACCOUNT"}`, "ConflictException", 409},
		{http.MethodPut, "/analyzer", `{"analyzerName":"b","type":"ORGANIZATION"}`, "ValidationException", 400},
		{http.MethodPut, "/analyzer", `{"analyzerName":"b"}`, "ValidationException", 400},
		{http.MethodPost, "/finding", `{}`, "ValidationException", 400},
		{http.MethodPost, "/finding", `{"analyzerArn":"arn:aws:access-analyzer:us-east-1:999999999999:analyzer/a"}`, "ResourceNotFoundException", 404},
		{http.MethodPut, "/finding", `{"analyzerArn":"` + arn + `","status":"RESOLVED","ids":["x"]}`, "ValidationException", 400},
		{http.MethodPost, "/policy/check-no-public-access", `{"policyDocument":"{}","resourceType":"AWS::SQS::Queue"}`, "InvalidParameterException", 400},
		{http.MethodPost, "/policy/check-no-public-access", `{"policyDocument":"{","resourceType":"AWS::S3::Bucket"}`, "UnprocessableEntityException", 422},
		{http.MethodGet, "/nowhere", "", "ValidationException", 400},
	} {
		w := serve(a, c.method, c.target, []byte(c.body))
		if w.Code != c.status || w.Header().Get("X-Amzn-Errortype") != c.errType {
			t.Errorf("%s %s %s: %d %s %s", c.method, c.target, c.body, w.Code, w.Header().Get("X-Amzn-Errortype"), w.Body)
		}
	}
	w := serve(a, http.MethodPut, "/analyzer", []byte(`{"analyzerName":"1x","type":"ACCOUNT"}`))
	var e struct {
		Reason    string
		FieldList []struct{ Name, Message string }
	}
	json.Unmarshal(w.Body.Bytes(), &e)
	if e.Reason != "fieldValidationFailed" || len(e.FieldList) != 1 || e.FieldList[0].Name != "analyzerName" {
		t.Errorf("ValidationException body %s", w.Body)
	}
}
