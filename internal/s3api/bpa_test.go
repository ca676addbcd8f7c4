package s3api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
)

// S3 Control requests are recognized by path and x-amz-account-id alone, whatever the
// host (its clients prefix it with the account id, which a --domain would otherwise take
// for a bucket); without the header the same path is an ordinary bucket named v20180820.
func TestRouteControl(t *testing.T) {
	a := &API{cfg: Config{Domains: []string{"localhost"}}}
	for _, tc := range []struct {
		method, host, path string
		account            bool
		op, code           string
		bucket             string
	}{
		{http.MethodPut, "123456789012.localhost:9000", controlPABPath, true, "PutAccountPublicAccessBlock", "", ""},
		{http.MethodGet, "123456789012.127.0.0.1:9000", controlPABPath, true, "GetAccountPublicAccessBlock", "", ""},
		{http.MethodDelete, "localhost:9000", controlPABPath, true, "DeleteAccountPublicAccessBlock", "", ""},
		{http.MethodPost, "localhost:9000", controlPABPath, true, "", "MethodNotAllowed", ""},
		{http.MethodGet, "localhost:9000", controlPrefix + "accesspoint/ap", true, "Unsupported", "NotImplemented", ""},
		{http.MethodGet, "localhost:9000", controlPABPath, false, "GetObject", "", "v20180820"},
	} {
		r := httptest.NewRequest(tc.method, "http://"+tc.host+tc.path, nil)
		if tc.account {
			r.Header.Set("x-amz-account-id", "123456789012")
		}
		q := &request{r: r}
		q.bucket, q.key = a.bucketAndKey(r)
		name, _, err := route(q)
		code := ""
		if err != nil {
			code = apierr.S3(err).Code
		}
		if q.bucket != tc.bucket || name != tc.op || code != tc.code {
			t.Errorf("%s %s%s: bucket %q, op %q, code %q; want %q %q %q", tc.method, tc.host, tc.path, q.bucket, name, code, tc.bucket, tc.op, tc.code)
		}
	}
}

func TestControlErrorShape(t *testing.T) {
	body := string(controlError(xmlError{Code: "NoSuchPublicAccessBlockConfiguration", Message: "m", RequestID: "R", HostID: "H",
		Extra: []xmlField{{Value: "123456789012"}}}))
	want := `<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>m</Message>`
	if len(body) < len(want) || body[:len(want)] != want {
		t.Errorf("controlError: %s", body)
	}
}
