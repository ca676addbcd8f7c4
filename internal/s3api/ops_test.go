package s3api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
)

// Every operation has a unique name, an action, a handler and a route of its own; it is
// decided on the object exactly when it addresses one; CloudTrail marks the reads readOnly.
func TestOpTable(t *testing.T) {
	seen := map[string]bool{}
	routes := map[string]string{}
	for _, o := range opTable {
		m := o.Route
		key := fmt.Sprint(m.On, m.Method, m.Query, m.Param, m.CopySource, m.Path)
		switch {
		case o.Name == "" || seen[o.Name]:
			t.Errorf("%q: empty or duplicate name", o.Name)
		case !strings.HasPrefix(o.Action, "s3:"):
			t.Errorf("%s: action %q", o.Name, o.Action)
		case o.Run == nil:
			t.Errorf("%s: no handler", o.Name)
		case routes[key] != "":
			t.Errorf("%s: same route as %s", o.Name, routes[key])
		case (o.Resource == objectResource) != (m.On == onObject):
			t.Errorf("%s: resource %d on level %d", o.Name, o.Resource, m.On)
		case o.ReadOnly != (m.Method == http.MethodGet || m.Method == http.MethodHead):
			t.Errorf("%s: ReadOnly %v for %s", o.Name, o.ReadOnly, m.Method)
		case o.Data && m.On == onService:
			t.Errorf("%s: a data event that names no bucket", o.Name)
		}
		seen[o.Name] = true
		routes[key] = o.Name
	}
}

var routeTests = []struct {
	method, target string
	copySource     bool
	op             string // "" with err
	err            string // the wire code
}{
	{"GET", "/", false, "ListBuckets", ""},
	{"GET", "/?acl", false, "Unsupported", "NotImplemented"},
	{"PUT", "/", false, "", "MethodNotAllowed"},

	{"GET", "/b?location", false, "GetBucketLocation", ""},
	{"GET", "/b?location&versioning", false, "GetBucketLocation", ""},
	{"GET", "/b?versioning", false, "GetBucketVersioning", ""},
	{"GET", "/b?uploads", false, "ListMultipartUploads", ""},
	{"POST", "/b?delete", false, "DeleteObjects", ""},
	{"PUT", "/b?encryption", false, "PutBucketEncryption", ""},
	{"GET", "/b?encryption", false, "GetBucketEncryption", ""},
	{"DELETE", "/b?encryption", false, "DeleteBucketEncryption", ""},
	{"POST", "/b?encryption", false, "", "MethodNotAllowed"},
	{"PUT", "/b?policy", false, "PutBucketPolicy", ""},
	{"GET", "/b?policy&policyStatus", false, "GetBucketPolicy", ""},
	{"GET", "/b?policyStatus", false, "GetBucketPolicyStatus", ""},
	{"PUT", "/b?publicAccessBlock", false, "PutPublicAccessBlock", ""},
	{"DELETE", "/b?publicAccessBlock", false, "DeletePublicAccessBlock", ""},
	{"GET", "/b?acl", false, "GetBucketAcl", ""},
	{"GET", "/b?logging", false, "GetBucketLogging", ""},
	{"PUT", "/b?logging", false, "PutBucketLogging", ""},
	{"DELETE", "/b?logging", false, "", "MethodNotAllowed"},
	{"GET", "/b?website", false, "Unsupported", "NotImplemented"},
	{"GET", "/b?versions", false, "ListObjectVersions", ""},
	{"PUT", "/b?versioning", false, "PutBucketVersioning", ""},
	{"GET", "/b?versionId=1", false, "ListObjects", ""},
	{"GET", "/b?location&website", false, "Unsupported", "NotImplemented"},
	{"GET", "/b?list-type=2", false, "ListObjectsV2", ""},
	{"GET", "/b?list-type=2&website", false, "Unsupported", "NotImplemented"},
	{"GET", "/b?list-type=1&prefix=a", false, "ListObjects", ""},
	{"PUT", "/b", false, "CreateBucket", ""},
	{"HEAD", "/b", false, "HeadBucket", ""},
	{"DELETE", "/b", false, "DeleteBucket", ""},
	{"POST", "/b", false, "PostObject", ""},

	{"PUT", "/b/k?uploadId=u&partNumber=1", true, "UploadPartCopy", ""},
	{"PUT", "/b/k?partNumber=1", true, "UploadPartCopy", ""},
	{"PUT", "/b/k?uploadId=u&partNumber=1", false, "UploadPart", ""},
	{"GET", "/b/k?uploadId=u", false, "ListParts", ""},
	{"DELETE", "/b/k?uploadId=u", false, "AbortMultipartUpload", ""},
	{"POST", "/b/k?uploads", false, "CreateMultipartUpload", ""},
	{"POST", "/b/k?uploads&uploadId=u", false, "CreateMultipartUpload", ""},
	{"POST", "/b/k?uploadId=u", false, "CompleteMultipartUpload", ""},
	{"POST", "/b/k", false, "", "MethodNotAllowed"},
	{"PUT", "/b/k", true, "CopyObject", ""},
	{"PUT", "/b/k?uploads", false, "", "MethodNotAllowed"},
	{"GET", "/b/k?partNumber=2", false, "GetObject", ""},
	{"GET", "/b/k?versionId=null", false, "GetObject", ""},
	{"HEAD", "/b/k?uploadId=u", false, "", "MethodNotAllowed"},
	{"DELETE", "/b/k", false, "DeleteObject", ""},
	{"PUT", "/b/k?uploadId=u&torrent", false, "Unsupported", "NotImplemented"},
	{"GET", "/b/k?encryption", false, "", "MethodNotAllowed"},
	{"PUT", "/b/k?encryption", false, "UpdateObjectEncryption", ""},
	{"PUT", "/b/k?encryption&versionId=v", false, "UpdateObjectEncryption", ""},
}

func TestRoute(t *testing.T) {
	for _, tc := range routeTests {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		if tc.copySource {
			r.Header.Set("x-amz-copy-source", "/src/key")
		}
		q := &request{r: r}
		q.bucket, q.key = (&API{}).bucketAndKey(r)
		var err error
		if q.query, err = parseQuery(r.URL.RawQuery); err != nil {
			t.Fatal(err)
		}
		name, o, err := route(q)
		code := ""
		if err != nil {
			code = apierr.S3(err).Code
		}
		if name != tc.op || code != tc.err || (o != nil) != (err == nil) || o != nil && o.Name != name {
			t.Errorf("%s %s copy=%v: %q %v %q, want %q %q", tc.method, tc.target, tc.copySource, name, o != nil, code, tc.op, tc.err)
		}
	}
}
