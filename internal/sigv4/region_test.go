package sigv4

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestGlobalServiceRegion: IAM and STS requests signed for us-east-1 are accepted by a
// server in another region; other services, and other regions for IAM, are not.
func TestGlobalServiceRegion(t *testing.T) {
	v := newVerifier()
	v.Region = "eu-central-1"
	for _, tc := range []struct {
		service, region string
		ok              bool
	}{
		{"iam", "us-east-1", true},
		{"sts", "us-east-1", true},
		{"iam", "eu-central-1", true},
		{"iam", "us-west-2", false},
		{"s3", "us-east-1", false},
		{"kms", "us-east-1", false},
	} {
		body := "Action=GetCallerIdentity&Version=2011-06-15"
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9000/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		if err := plainSigner.SignHTTP(context.Background(), testCreds, req, sha256Hex([]byte(body)), tc.service, tc.region, testNow); err != nil {
			t.Fatal(err)
		}
		req.Body = io.NopCloser(strings.NewReader(body))
		_, err := v.Verify(req)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, ErrAuthorizationHeaderMalformed) {
			t.Errorf("%s signed for %s: %v", tc.service, tc.region, err)
		}
	}
}
