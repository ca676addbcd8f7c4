package e2e

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A request naming a sub-resource is served by that sub-resource's operation for its
// method or refused: NotImplemented for a sub-resource Arca does not serve, 405
// MethodNotAllowed (with Allow) for one served with other methods. It never falls through
// to a plain operation: before, DELETE ?versioning deleted the bucket, PUT ?renameObject
// and PUT ?uploads overwrote the object and DELETE ?retention deleted it.
func TestProtocolSubresourceRouting(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	c := sdk(t, srv, ep)
	ctx := context.Background()
	mustCreateBucket(t, c, "keep")
	mustCreateBucket(t, c, "empty")
	orig := []byte("original bytes")
	mustPut(t, c, "keep", "k", orig)

	cases := []struct {
		method, path, query string
		status              int
		code, allow         string
	}{
		{"DELETE", "/empty", "versioning", 405, "MethodNotAllowed", "GET, PUT"},
		{"DELETE", "/empty", "object-lock", 405, "MethodNotAllowed", "PUT, GET"},
		{"PUT", "/empty", "location", 405, "MethodNotAllowed", "GET"},
		{"POST", "/empty", "uploads", 405, "MethodNotAllowed", "GET"},
		{"PUT", "/empty", "lifecycle", 501, "NotImplemented", ""},
		{"PUT", "/empty", "metadataTable", 501, "NotImplemented", ""},
		{"DELETE", "/empty", "website", 501, "NotImplemented", ""},
		{"GET", "/empty", "session", 501, "NotImplemented", ""},
		{"PUT", "/keep/k", "renameObject", 501, "NotImplemented", ""},
		{"PUT", "/keep/k", "uploads", 405, "MethodNotAllowed", "POST"},
		{"DELETE", "/keep/k", "retention", 405, "MethodNotAllowed", "PUT, GET"},
		{"DELETE", "/keep/k", "legal-hold", 405, "MethodNotAllowed", "PUT, GET"},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path+"?"+tc.query, func(t *testing.T) {
			var body []byte
			if tc.method == "PUT" {
				body = []byte("<x>not what it looks like</x>")
			}
			resp := do(t, ep, rawReq{Method: tc.method, Path: tc.path, Query: tc.query, Body: body})
			e := wantXMLError(t, resp, tc.status, tc.code)
			if tc.allow != "" {
				if got := resp.Header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
				if e.Method != tc.method {
					t.Errorf("Method %q, want %q", e.Method, tc.method)
				}
			}
		})
	}

	// Nothing was created, deleted or overwritten.
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("empty")}); err != nil {
		t.Errorf("bucket empty is gone: %v", err)
	}
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String("k")})
	if !bytes.Equal(got, orig) {
		t.Errorf("keep/k now holds %q", got)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("empty")})
	if err != nil || len(out.Contents) != 0 {
		t.Errorf("bucket empty lists %v, %v", out, err)
	}
	// The served forms still work.
	if _, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("empty")}); err != nil {
		t.Errorf("GetBucketVersioning: %v", err)
	}
}
