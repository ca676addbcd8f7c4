package configapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/compliance"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// newAPI is the API over a real compliance service on a real store (no evaluation worker:
// these tests are about the protocol).
func newAPI(t testing.TB) *API {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := compliance.New(compliance.Config{Region: "us-east-1"}, compliance.Deps{KV: db})
	return New(Config{Region: "us-east-1", AccountID: "111122223333"}, Deps{Rules: svc})
}

func call(a *API, op, body string) (int, map[string]any) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", TargetPrefix+op)
	w := httptest.NewRecorder()
	a.Serve(w, r, iam.Identity{AccountID: "111122223333"}, r.Body)
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

const sslRule = `{"ConfigRule":{"ConfigRuleName":"%s","Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_SSL_REQUESTS_ONLY"}}}`

var protocolTests = []struct {
	op, body string
	status   int
	errType  string
}{
	{"PutConfigRule", fmt.Sprintf(sslRule, "r1"), 200, ""},
	{"DescribeConfigRules", `{}`, 200, ""},
	{"NoSuchOperation", `{}`, 400, "UnknownOperationException"},
	{"PutConfigRule", `{"ConfigRule":`, 400, "SerializationException"},
	{"PutConfigRule", `{}`, 400, "ValidationException"},
	{"PutConfigRule", `{"ConfigRule":{"ConfigRuleName":"x"}}`, 400, "ValidationException"},
	{"PutConfigRule", `{"ConfigRule":{"ConfigRuleName":"x","Source":{"Owner":"NOBODY","SourceIdentifier":"S3_BUCKET_SSL_REQUESTS_ONLY"}}}`, 400, "ValidationException"},
	{"PutConfigRule", `{"ConfigRule":{"ConfigRuleName":"x","Source":{"Owner":"CUSTOM_LAMBDA","SourceIdentifier":"arn:aws:lambda:us-east-1:111122223333:function:f"}}}`, 400, "InvalidParameterValueException"},
	{"PutConfigRule", `{"ConfigRule":{"ConfigRuleName":"x","Source":{"Owner":"ARCA","SourceIdentifier":"S3_BUCKET_SSL_REQUESTS_ONLY"}}}`, 400, "InvalidParameterValueException"},
	{"PutConfigRule", `{"ConfigRule":{"ConfigRuleName":"x","Source":{"Owner":"AWS","SourceIdentifier":"KMS_CMK_NOT_SCHEDULED_FOR_DELETION"},"MaximumExecutionFrequency":"Daily"}}`, 400, "ValidationException"},
	{"PutConfigRule", `{"ConfigRule":{"ConfigRuleArn":"arn:aws:config:us-east-1:111122223333:config-rule/config-rule-zzzzzz","Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_SSL_REQUESTS_ONLY"}}}`, 400, "NoSuchConfigRuleException"},
	{"PutConfigRule", `{"ConfigRule":{"ConfigRuleName":"x","Scope":{"ComplianceResourceTypes":["AWS::KMS::Key"]},"Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_SSL_REQUESTS_ONLY"}}}`, 400, "InvalidParameterValueException"},
	{"DescribeConfigRules", `{"ConfigRuleNames":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u","v","w","x","y","z"]}`, 400, "ValidationException"},
	{"DescribeConfigRules", `{"NextToken":"!!"}`, 400, "InvalidNextTokenException"},
	{"DeleteConfigRule", `{}`, 400, "ValidationException"},
	{"DeleteConfigRule", `{"ConfigRuleName":"missing"}`, 400, "NoSuchConfigRuleException"},
	{"StartConfigRulesEvaluation", `{}`, 400, "ValidationException"},
	{"StartConfigRulesEvaluation", `{"ConfigRuleNames":["r1"]}`, 200, ""},
	{"DescribeComplianceByConfigRule", `{"ComplianceTypes":["MAYBE"]}`, 400, "ValidationException"},
	{"DescribeComplianceByResource", `{"Limit":101}`, 400, "ValidationException"},
	{"DescribeComplianceByResource", `{"ResourceId":"b"}`, 400, "InvalidParameterValueException"},
	{"GetComplianceDetailsByConfigRule", `{"ConfigRuleName":"missing"}`, 400, "NoSuchConfigRuleException"},
	{"GetComplianceDetailsByConfigRule", `{"ConfigRuleName":"r1"}`, 200, ""},
	{"GetComplianceDetailsByResource", `{"ResourceType":"AWS::S3::Bucket"}`, 400, "InvalidParameterValueException"},
	{"GetComplianceDetailsByResource", `{"ResourceType":"AWS::S3::Bucket","ResourceId":"b"}`, 200, ""},
}

func TestProtocol(t *testing.T) {
	a := newAPI(t)
	for _, tt := range protocolTests {
		status, out := call(a, tt.op, tt.body)
		if status != tt.status || (tt.errType != "" && out["__type"] != tt.errType) {
			t.Errorf("%s %s: %d %v, want %d %s", tt.op, tt.body, status, out, tt.status, tt.errType)
		}
		if tt.errType != "" && out["message"] == nil {
			t.Errorf("%s %s: no message", tt.op, tt.body)
		}
	}
}

// TestDescribePages: 30 rules come back as pages of 25 in name order; a put with the name
// of an existing rule updates it (same ARN).
func TestDescribePages(t *testing.T) {
	a := newAPI(t)
	for i := 0; i < 30; i++ {
		if status, out := call(a, "PutConfigRule", fmt.Sprintf(sslRule, fmt.Sprintf("r%02d", i))); status != 200 {
			t.Fatalf("put %d: %v", i, out)
		}
	}
	_, first := call(a, "DescribeConfigRules", `{}`)
	rules := first["ConfigRules"].([]any)
	if len(rules) != 25 || first["NextToken"] == nil {
		t.Fatalf("first page: %d rules, token %v", len(rules), first["NextToken"])
	}
	_, second := call(a, "DescribeConfigRules", `{"NextToken":"`+first["NextToken"].(string)+`"}`)
	rest := second["ConfigRules"].([]any)
	if len(rest) != 5 || second["NextToken"] != nil || rest[0].(map[string]any)["ConfigRuleName"] != "r25" {
		t.Fatalf("second page: %v", second)
	}
	arn := rules[0].(map[string]any)["ConfigRuleArn"]
	call(a, "PutConfigRule", `{"ConfigRule":{"ConfigRuleName":"r00","Description":"d","Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_LOGGING_ENABLED"},"InputParameters":"{\"targetBucket\":\"logs\"}"}}`)
	_, again := call(a, "DescribeConfigRules", `{"ConfigRuleNames":["r00"]}`)
	r := again["ConfigRules"].([]any)[0].(map[string]any)
	if r["ConfigRuleArn"] != arn || r["Description"] != "d" || r["Source"].(map[string]any)["SourceIdentifier"] != "S3_BUCKET_LOGGING_ENABLED" {
		t.Fatalf("updated rule: %v (ARN was %v)", r, arn)
	}
}

// FuzzRequests: any body to any operation is answered 200 or a 4xx JSON error, never a
// panic or a 500.
func FuzzRequests(f *testing.F) {
	for _, tt := range protocolTests {
		f.Add(tt.op, tt.body)
	}
	f.Add("GetComplianceDetailsByConfigRule", `{"ConfigRuleName":"r1","Limit":-1,"NextToken":"cjE"}`)
	a := newAPI(f)
	f.Fuzz(func(t *testing.T, op, body string) {
		status, out := call(a, op, body)
		if status != 200 && (status < 400 || status >= 500 || out["__type"] == nil) {
			t.Fatalf("%s %q: %d %v", op, body, status, out)
		}
		if status == 200 && out == nil {
			t.Fatalf("%s %q: 200 without a JSON object", op, body)
		}
	})
}
