package s3api

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/sigv4"
)

type collect []*audit.Record

func (c *collect) Handle(_ context.Context, r *audit.Record) error { *c = append(*c, r); return nil }

func sigv4Auth(service string) string {
	return "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/us-east-1/" + service +
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000"
}

// A request refused before routing is recorded under the S3 operation its method, path and
// query select; only a request that selects none, or claims another service, is Rejected.
var rejectTests = []struct {
	method, target, auth string
	err                  error
	op                   string
	mgmt, readOnly       bool
}{
	{"PUT", "/photos/cat.jpg", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "PutObject", false, false},
	{"GET", "/photos/cat.jpg?X-Amz-Credential=AKIAEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00", "",
		sigv4.ErrSignatureDoesNotMatch, "GetObject", false, true},
	{"PUT", "/photos?policy", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "PutBucketPolicy", true, false},
	{"DELETE", "/photos?encryption", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "DeleteBucketEncryption", true, false},
	{"GET", "/", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "ListBuckets", true, true},
	{"POST", "/photos/cat.jpg?uploads", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "CreateMultipartUpload", false, false},
	{"POST", "/", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "Rejected", true, false},                   // no such operation
	{"GET", "/photos?website", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "Rejected", true, true},       // no such operation in Arca (static website hosting is out of scope)
	{"GET", "/photos/cat.jpg?a=%zz", sigv4Auth("s3"), sigv4.ErrSignatureDoesNotMatch, "Rejected", true, true}, // bad query
	{"POST", "/", sigv4Auth("sqs"), apierr.NotImplemented, "Rejected", true, false},                           // another service
}

func TestRejectRecordsTheOperation(t *testing.T) {
	for _, tc := range rejectTests {
		var got collect
		a := New(Config{Region: "us-east-1", AccountID: "123456789012", Domains: []string{"localhost"}},
			Deps{Audit: &got, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		r := httptest.NewRequest(tc.method, "http://localhost:9000"+tc.target, nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		w := httptest.NewRecorder()
		a.Reject(w, r, tc.err)
		if w.Code < 400 {
			t.Errorf("%s %s: status %d", tc.method, tc.target, w.Code)
		}
		if len(got) != 1 {
			t.Fatalf("%s %s: %d records", tc.method, tc.target, len(got))
		}
		rec := got[0]
		if rec.EventName != tc.op || rec.ManagementEvent != tc.mgmt || rec.ReadOnly != tc.readOnly || rec.ErrorCode == "" {
			t.Errorf("%s %s: eventName %q management %v readOnly %v errorCode %q; want %q %v %v and an error",
				tc.method, tc.target, rec.EventName, rec.ManagementEvent, rec.ReadOnly, rec.ErrorCode, tc.op, tc.mgmt, tc.readOnly)
		}
		if rec.RequestID != w.Header().Get("x-amz-request-id") {
			t.Errorf("%s %s: requestID %q, response carried %q", tc.method, tc.target, rec.RequestID, w.Header().Get("x-amz-request-id"))
		}
		for k := range rec.RequestParameters {
			if k == "X-Amz-Signature" || k == "X-Amz-Credential" {
				t.Errorf("%s %s: requestParameters holds %s", tc.method, tc.target, k)
			}
		}
	}
}
