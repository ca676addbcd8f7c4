package s3api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
)

func routeRequest(t *testing.T, method, target string) *request {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	q := &request{r: r}
	q.bucket, q.key = (&API{}).bucketAndKey(r)
	var err error
	if q.query, err = parseQuery(r.URL.RawQuery); err != nil {
		t.Fatal(err)
	}
	return q
}

var routeLevels = []struct {
	lvl  level
	path string
}{{onService, "/"}, {onBucket, "/b"}, {onObject, "/b/k"}}

var everyMethod = []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete}

// For every method, level and sub-resource of AWS's list, the request is served by a row
// selected by that very sub-resource, or answers NotImplemented when no row of the level
// serves it, or MethodNotAllowed (with the methods that are served in Allow) when rows
// serve it with other methods: never a plain operation, never another sub-resource's.
func TestRouteEverySubresource(t *testing.T) {
	for _, l := range routeLevels {
		for _, s := range subresources {
			served := methodsFor(l.lvl, s)
			for _, m := range everyMethod {
				q := routeRequest(t, m, l.path+"?"+s+"=1")
				name, o, err := route(q)
				code := ""
				if err != nil {
					code = apierr.S3(err).Code
				}
				switch {
				case len(served) == 0:
					if name != "Unsupported" || code != "NotImplemented" {
						t.Errorf("%s %s?%s: %q %q, want NotImplemented", m, l.path, s, name, code)
					}
				case slices.Contains(served, m):
					if o == nil || !slices.Contains(o.Route.Query, s) || o.Route.Method != m {
						t.Errorf("%s %s?%s: %q %q, want the row of ?%s", m, l.path, s, name, code, s)
					}
				default:
					if name != "" || code != "MethodNotAllowed" {
						t.Errorf("%s %s?%s: %q %q, want MethodNotAllowed", m, l.path, s, name, code)
					}
					if got := allowHeader(q).Get("Allow"); got == "" || slices.Contains(served, m) {
						t.Errorf("%s %s?%s: Allow %q", m, l.path, s, got)
					}
				}
			}
		}
	}
}

// Every row's query parameters that are sub-resources are in AWS's list (a row for a new
// sub-resource must add it there, or requests naming it would reach plain rows of other
// methods); partNumber selects UploadPart but is also a parameter of GetObject.
func TestRouteRowsNameKnownSubresources(t *testing.T) {
	for _, o := range opTable {
		for _, k := range o.Route.Query {
			if k != "partNumber" && !slices.Contains(subresources, k) {
				t.Errorf("%s: ?%s is not in subresources", o.Name, k)
			}
		}
	}
}

var routeCases = []struct {
	method, target string
	op, err, allow string
}{
	// A known sub-resource with rows for other methods only: 405, not the plain row.
	{"DELETE", "/b?versioning", "", "MethodNotAllowed", "GET, PUT"},
	{"PUT", "/b?location", "", "MethodNotAllowed", "GET"},
	{"DELETE", "/b?object-lock", "", "MethodNotAllowed", "PUT, GET"},
	{"POST", "/b?uploads", "", "MethodNotAllowed", "GET"},
	{"DELETE", "/b?delete", "", "MethodNotAllowed", "POST"},
	{"PUT", "/b/k?uploads", "", "MethodNotAllowed", "POST"},
	// A sub-resource Arca does not serve at that level: 501, whatever the method.
	{"PUT", "/b?lifecycle", "Unsupported", "NotImplemented", ""},
	{"DELETE", "/b?website", "Unsupported", "NotImplemented", ""},
	{"PUT", "/b?metadataTable", "Unsupported", "NotImplemented", ""},
	{"PUT", "/b/k?renameObject", "Unsupported", "NotImplemented", ""},
	{"POST", "/b/k?restore", "Unsupported", "NotImplemented", ""},
	{"POST", "/b/k?select&select-type=2", "Unsupported", "NotImplemented", ""},
	{"GET", "/b/k?versioning", "Unsupported", "NotImplemented", ""},
	{"PUT", "/b?versioning&lifecycle", "Unsupported", "NotImplemented", ""},
	// Parameters that are not sub-resources select nothing.
	{"GET", "/b/k?partNumber=1&x-id=GetObject", "GetObject", "", ""},
	{"GET", "/b?list-type=2&x-id=ListObjectsV2", "ListObjectsV2", "", ""},
	{"PUT", "/b/k?x-id=PutObject", "PutObject", "", ""},
	{"GET", "/b/k?response-content-type=a", "GetObject", "", ""},
	// A method no row of the level has.
	{"POST", "/", "", "MethodNotAllowed", "GET"},
	{"PATCH", "/b/k", "", "MethodNotAllowed", ""},
}

func TestRouteCases(t *testing.T) {
	for _, tc := range routeCases {
		q := routeRequest(t, tc.method, tc.target)
		name, _, err := route(q)
		code := ""
		if err != nil {
			code = apierr.S3(err).Code
		}
		if name != tc.op || code != tc.err {
			t.Errorf("%s %s: %q %q, want %q %q", tc.method, tc.target, name, code, tc.op, tc.err)
		}
		if code == "MethodNotAllowed" && tc.allow != "" {
			if got := allowHeader(q).Get("Allow"); got != tc.allow {
				t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.target, got, tc.allow)
			}
		}
	}
}

// A MethodNotAllowed names the method and the resource type, as AWS's does.
func TestRouteMethodNotAllowedFields(t *testing.T) {
	_, _, err := route(routeRequest(t, "DELETE", "/b?versioning"))
	e := apierr.S3(err)
	want := []apierr.Field{{Name: "Method", Value: "DELETE"}, {Name: "ResourceType", Value: "BUCKET"}}
	if e.Status != 405 || !slices.Equal(e.Extra, want) {
		t.Errorf("%d %v, want 405 %v", e.Status, e.Extra, want)
	}
}

// route has no side effect on the request (rejectedOp calls it for failed requests).
func TestRouteHasNoSideEffect(t *testing.T) {
	q := routeRequest(t, "DELETE", "/b?versioning")
	route(q)
	if q.errHeader != nil || q.op != "" || q.o != nil {
		t.Errorf("route changed the request: %v %q", q.errHeader, q.op)
	}
}
