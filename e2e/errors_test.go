package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func contentMD5(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// TestErrorShapes: S3's XML errors with their code-specific elements.
func TestErrorShapes(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "errs")
	mustPut(t, c, "errs", "k", []byte("x"))
	m := newMPU(t, c, "errs", "upload")
	garbage := []byte("this is not XML <<<")
	empty := []byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></CompleteMultipartUpload>`)

	tests := []struct {
		name   string
		rr     rawReq
		status int
		code   string
		check  func(t *testing.T, e s3XMLError)
	}{
		{"NoSuchKey", rawReq{Method: "GET", Path: "/errs/dir/missing%20key%2B"}, 404, "NoSuchKey",
			func(t *testing.T, e s3XMLError) {
				if e.Key != "dir/missing key+" {
					t.Errorf("Key %q, want %q", e.Key, "dir/missing key+")
				}
				if e.Message != "The specified key does not exist." {
					t.Errorf("Message %q", e.Message)
				}
			}},
		{"NoSuchBucket", rawReq{Method: "GET", Path: "/no-such-bucket", Query: "list-type=2"}, 404, "NoSuchBucket",
			func(t *testing.T, e s3XMLError) {
				if e.BucketName != "no-such-bucket" {
					t.Errorf("BucketName %q, want no-such-bucket", e.BucketName)
				}
				if e.Message != "The specified bucket does not exist" {
					t.Errorf("Message %q", e.Message)
				}
			}},
		{"NoSuchBucket-object", rawReq{Method: "GET", Path: "/no-such-bucket/k"}, 404, "NoSuchBucket",
			func(t *testing.T, e s3XMLError) {
				if e.BucketName != "no-such-bucket" {
					t.Errorf("BucketName %q, want no-such-bucket", e.BucketName)
				}
			}},
		{"NoSuchUpload", rawReq{Method: "PUT", Path: "/errs/upload", Query: "partNumber=1&uploadId=nope", Body: []byte("x")}, 404, "NoSuchUpload",
			func(t *testing.T, e s3XMLError) {
				if e.UploadID != "nope" {
					t.Errorf("UploadId %q, want nope", e.UploadID)
				}
			}},
		{"BucketNotEmpty", rawReq{Method: "DELETE", Path: "/errs"}, 409, "BucketNotEmpty",
			func(t *testing.T, e s3XMLError) {
				if e.BucketName != "errs" {
					t.Errorf("BucketName %q, want errs", e.BucketName)
				}
			}},
		{"BucketAlreadyOwnedByYou", rawReq{Method: "PUT", Path: "/errs"}, 409, "BucketAlreadyOwnedByYou",
			func(t *testing.T, e s3XMLError) {
				if e.BucketName != "errs" {
					t.Errorf("BucketName %q, want errs", e.BucketName)
				}
			}},
		{"MethodNotAllowed", rawReq{Method: "PATCH", Path: "/errs/k", Body: []byte("x")}, 405, "MethodNotAllowed", nil},
		{"MalformedXML-complete-garbage", rawReq{Method: "POST", Path: "/errs/upload", Query: "uploadId=" + queryEscape(m.id),
			Body: garbage}, 400, "MalformedXML", nil},
		{"MalformedXML-complete-no-parts", rawReq{Method: "POST", Path: "/errs/upload", Query: "uploadId=" + queryEscape(m.id),
			Body: empty}, 400, "MalformedXML", nil},
		{"MalformedXML-delete-objects", rawReq{Method: "POST", Path: "/errs", Query: "delete=",
			Header: http.Header{"Content-Md5": {contentMD5(garbage)}}, Body: garbage}, 400, "MalformedXML", nil},
		{"MalformedXML-create-bucket", rawReq{Method: "PUT", Path: "/new-bucket", Body: garbage}, 400, "MalformedXML", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, srv.HTTPURL, tc.rr)
			e := wantXMLError(t, resp, tc.status, tc.code)
			if e.Resource == "" {
				t.Errorf("no Resource:\n%s", resp.Body)
			}
			if e.HostID == "" || e.HostID != resp.Header.Get("x-amz-id-2") {
				t.Errorf("HostId %q, x-amz-id-2 %q", e.HostID, resp.Header.Get("x-amz-id-2"))
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
	// The upload survived the malformed Complete requests.
	m.mustUploadPart(1, []byte("part"))
	if _, err := m.complete(1, quotedMD5([]byte("part"))); err != nil {
		t.Errorf("Complete after malformed ones: %v", err)
	}
}

// TestMetricsEndpoint: /metrics needs the root credentials as HTTP Basic auth.
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "metered")
	mustPut(t, c, "metered", "k", []byte("x"))
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			get := func(user, pass string, basic bool) rawResp {
				req, _ := http.NewRequest("GET", ep.URL+"/metrics", nil)
				if basic {
					req.SetBasicAuth(user, pass)
				}
				return doReq(t, req)
			}
			for _, tc := range []struct {
				name       string
				user, pass string
				basic      bool
			}{
				{"none", "", "", false},
				{"wrong-secret", testAccessKey, "wrong", true},
				{"wrong-user", "someone", testSecretKey, true},
			} {
				if resp := get(tc.user, tc.pass, tc.basic); resp.Status != 401 {
					t.Errorf("%s: status %d, want 401", tc.name, resp.Status)
				} else if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
					t.Errorf("%s: WWW-Authenticate %q, want a Basic challenge", tc.name, resp.Header.Get("WWW-Authenticate"))
				}
			}
			resp := get(testAccessKey, testSecretKey, true)
			if resp.Status != 200 {
				t.Fatalf("with credentials: status %d\n%s", resp.Status, resp.Body)
			}
			if !strings.Contains(string(resp.Body), "arca_requests_total") {
				t.Errorf("metrics lack arca_requests_total:\n%.2000s", resp.Body)
			}
		})
	}
}
