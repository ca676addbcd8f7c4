package kmsapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

var principal = kms.Principal{AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:root"}

func newAPI(t testing.TB) *API {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := rootkey.Parse(rootkey.Generate())
	svc, err := kms.Open(context.Background(), kms.Config{DB: db, Root: root, Region: "us-east-1",
		AccountID: "111122223333", SchedulerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(); db.Close() })
	return New(Config{Region: "us-east-1", AccountID: "111122223333"}, Deps{KMS: svc, Log: slog.New(slog.DiscardHandler)})
}

// call sends one request and returns status, headers and decoded JSON body.
func call(t testing.TB, a *API, target, body string) (int, http.Header, map[string]any) {
	t.Helper()
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", target)
	w := httptest.NewRecorder()
	a.Serve(w, r, &Caller{Principal: principal, Body: r.Body})
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: response is not JSON: %q", target, w.Body.String())
	}
	return w.Code, w.Header(), out
}

var wireErrorTests = []struct {
	target, body string
	status       int
	typ, msg     string
}{
	{"TrentService.Nope", `{}`, 400, "UnknownOperationException", ""},
	{"Other.CreateKey", `{}`, 400, "UnknownOperationException", ""},
	{"TrentService.DescribeKey", `{"KeyId":`, 400, "SerializationException", "-"},
	{"TrentService.DescribeKey", `{"KeyId":5}`, 400, "SerializationException", "-"},
	{"TrentService.DescribeKey", `{}`, 400, "ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"},
	{"TrentService.DescribeKey", `{"KeyId":"nope"}`, 400, "NotFoundException", "Invalid keyId 'nope'"},
	{"TrentService.Decrypt", `{"CiphertextBlob":"AAAA"}`, 400, "InvalidCiphertextException", ""},
	{"TrentService.GenerateRandom", `{}`, 400, "ValidationException", "NumberOfBytes is required."},
	{"TrentService.GenerateRandom", `{"NumberOfBytes":1025}`, 400, "ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"},
	{"TrentService.CreateKey", `{"KeySpec":"RSA_2048"}`, 400, "UnsupportedOperationException", "-"},
	{"TrentService.CreateAlias", `{"AliasName":"alias/aws/x","TargetKeyId":"x"}`, 400, "NotAuthorizedException", ""},
	{"TrentService.ListKeys", `{"Limit":0}`, 400, "ValidationException", "-"},
	{"TrentService.ListKeys", `{"Marker":"%%%"}`, 400, "InvalidMarkerException", "-"},
	{"TrentService.Encrypt", `{"KeyId":"alias/x","Plaintext":"eA==","DryRun":true}`, 412, "DryRunOperationException", "-"},
}

func TestWireErrors(t *testing.T) {
	a := newAPI(t)
	for _, tc := range wireErrorTests {
		status, h, body := call(t, a, tc.target, tc.body)
		if status != tc.status || body["__type"] != tc.typ || h.Get("X-Amzn-ErrorType") != tc.typ {
			t.Errorf("%s %s: %d %v %q", tc.target, tc.body, status, body, h.Get("X-Amzn-ErrorType"))
			continue
		}
		if tc.msg != "-" && body["message"] != tc.msg {
			t.Errorf("%s %s: message %q, want %q", tc.target, tc.body, body["message"], tc.msg)
		}
	}
}

func TestWireShapes(t *testing.T) {
	a := newAPI(t)
	status, h, out := call(t, a, "TrentService.CreateKey", `{"Description":"d","Tags":[{"TagKey":"a","TagValue":"b"}]}`)
	if status != 200 || h.Get("Content-Type") != "application/x-amz-json-1.1" || h.Get("X-Amzn-RequestId") == "" {
		t.Fatalf("create: %d %v", status, h)
	}
	md := out["KeyMetadata"].(map[string]any)
	if _, ok := md["CreationDate"].(float64); !ok || md["KeySpec"] != "SYMMETRIC_DEFAULT" || md["KeyState"] != "Enabled" {
		t.Fatalf("metadata: %v", md)
	}
	id := md["KeyId"].(string)
	_, _, out = call(t, a, "TrentService.GenerateDataKey", `{"KeyId":"`+id+`","KeySpec":"AES_256","EncryptionContext":{"a":"b"}}`)
	if out["KeyId"] != md["Arn"] || out["Plaintext"] == nil || out["CiphertextBlob"] == nil {
		t.Fatalf("gdk: %v", out)
	}
	status, _, out = call(t, a, "TrentService.Decrypt", `{"CiphertextBlob":"`+out["CiphertextBlob"].(string)+`","EncryptionContext":{"a":"b"}}`)
	if status != 200 || out["KeyId"] != md["Arn"] || out["EncryptionAlgorithm"] != "SYMMETRIC_DEFAULT" {
		t.Fatalf("decrypt: %v", out)
	}
	status, _, out = call(t, a, "TrentService.EnableKey", `{"KeyId":"`+id+`"}`)
	if status != 200 || len(out) != 0 {
		t.Fatalf("enable: %d %v", status, out)
	}
	_, _, out = call(t, a, "TrentService.ScheduleKeyDeletion", `{"KeyId":"`+id+`","PendingWindowInDays":7}`)
	if out["KeyId"] != md["Arn"] || out["KeyState"] != "PendingDeletion" || out["PendingWindowInDays"] != 7.0 {
		t.Fatalf("schedule: %v", out)
	}
}

// FuzzRequestDecoder feeds arbitrary bodies to every operation: no panic, and every
// failure is a client error of a known KMS type (never an internal error).
func FuzzRequestDecoder(f *testing.F) {
	a := newAPI(f)
	for _, tc := range wireErrorTests {
		f.Add(tc.body)
	}
	f.Add(`{"KeyId":"alias/aws/s3","NumberOfBytes":32,"EncryptionContext":{"":""}}`)
	f.Add(`{"Policy":"{\"Statement\":[]}","Tags":[{"TagKey":"aws:x"}]}`)
	f.Add(`{"Limit":1,"Marker":"YQ"}`)
	targets := make([]string, 0, len(ops))
	for name := range ops {
		targets = append(targets, name)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, name := range targets {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			r.Header.Set("X-Amz-Target", targetPrefix+name)
			w := httptest.NewRecorder()
			a.Serve(w, r, &Caller{Principal: principal, Body: io.NopCloser(strings.NewReader(body))})
			if w.Code >= 500 {
				t.Fatalf("%s %q: %d %s", name, body, w.Code, w.Body)
			}
		}
	})
}
