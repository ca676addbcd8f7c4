package sigv4

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSkewBoundaries(t *testing.T) {
	for _, tc := range []struct {
		skew, at time.Duration
		ok       bool
	}{
		{0, 14*time.Minute + 59*time.Second, true},
		{0, -15 * time.Minute, true},
		{0, -15*time.Minute - time.Second, false},
		{time.Minute, 61 * time.Second, false},
		{time.Minute, -59 * time.Second, true},
	} {
		v := newVerifier()
		v.MaxSkew = tc.skew
		req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
		signS3(t, req, testCreds, emptySHA256, testRegion, testNow.Add(tc.at))
		_, err := v.Verify(req)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrRequestTimeTooSkewed) {
			t.Errorf("skew %v at %v: %v", tc.skew, tc.at, err)
		}
	}
}

// Services other than S3 sign the real body and send no x-amz-content-sha256.
var otherServiceTests = []struct {
	name, service, method, contentType, body string
	headers                                  map[string]string
}{
	{"kms", "kms", "POST", "application/x-amz-json-1.1", `{"KeyId":"alias/k","Plaintext":"aGVsbG8="}`, map[string]string{"X-Amz-Target": "TrentService.Encrypt"}},
	{"iam", "iam", "POST", "application/x-www-form-urlencoded; charset=utf-8", "Action=ListUsers&Version=2010-05-08", nil},
	{"sts", "sts", "POST", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15", nil},
	{"empty", "cloudtrail", "GET", "", "", nil},
}

func TestOtherServices(t *testing.T) {
	ts := newTestServer(t, newVerifier(), false)
	for _, tc := range otherServiceTests {
		for _, tamper := range []bool{false, true} {
			req, _ := http.NewRequest(tc.method, ts.URL+"/", strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			creds := testCreds
			creds.SessionToken = "token/with+chars="
			if err := plainSigner.SignHTTP(context.Background(), creds, req, sha256Hex([]byte(tc.body)), tc.service, testRegion, testNow); err != nil {
				t.Fatal(err)
			}
			if tamper {
				req.Body = io.NopCloser(strings.NewReader(strings.ToUpper(tc.body) + " "))
				req.ContentLength = int64(len(tc.body) + 1)
			}
			o := ts.do(t, req)
			if tamper {
				checkErr(t, o.err, ErrSignatureDoesNotMatch, "")
				continue
			}
			if o.err != nil || string(o.body) != tc.body || o.res.Service != tc.service || o.res.Payload != PayloadSigned ||
				o.res.SecurityToken != creds.SessionToken || o.res.ContentLength != int64(len(tc.body)) {
				t.Fatalf("%s: %v %q %+v", tc.name, o.err, o.body, o.res)
			}
		}
	}
}

func TestOtherServiceBodyTooLarge(t *testing.T) {
	body := strings.Repeat("x", maxBufferedBody+1)
	req := httptest.NewRequest("POST", "http://kms.example/", strings.NewReader(body))
	if err := plainSigner.SignHTTP(context.Background(), testCreds, req, sha256Hex([]byte(body)), "kms", testRegion, testNow); err != nil {
		t.Fatal(err)
	}
	_, err := newVerifier().Verify(req)
	checkErr(t, err, ErrMissingContentSHA256, "")
}

// Published AWS examples.
var vectorTests = []struct {
	name, secret, method, target, amzDate string
	headers                               map[string]string
	now                                   time.Time
	region                                string
}{
	{
		// SigV4 test suite, get-vanilla.
		name: "get-vanilla", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", method: "GET",
		target: "http://example.amazonaws.com/",
		headers: map[string]string{
			"X-Amz-Date":    "20150830T123600Z",
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		now: time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC), region: "us-east-1",
	},
	{
		// S3 documentation, GET object with a Range header.
		name: "s3-get-object", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", method: "GET",
		target: "http://examplebucket.s3.amazonaws.com/test.txt",
		headers: map[string]string{
			"Range":                "bytes=0-9",
			"X-Amz-Content-Sha256": emptySHA256,
			"X-Amz-Date":           "20130524T000000Z",
			"Authorization":        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		now: time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC), region: "us-east-1",
	},
	{
		// S3 documentation, presigned GET object.
		name: "s3-presigned", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", method: "GET",
		target: "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
		now:    time.Date(2013, 5, 24, 1, 0, 0, 0, time.UTC), region: "us-east-1",
	},
}

func TestPublishedVectors(t *testing.T) {
	for _, tc := range vectorTests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			v := &Verifier{
				Creds:  credMap{"AKIDEXAMPLE": tc.secret, "AKIAIOSFODNN7EXAMPLE": tc.secret},
				Region: tc.region,
				Now:    func() time.Time { return tc.now },
			}
			if _, err := v.Verify(req); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A request signed with the Date header instead of X-Amz-Date. The
// canonical request is written out by hand.
func TestDateHeader(t *testing.T) {
	const date = "Sun, 22 Nov 2026 12:30:00 GMT"
	canonical := "GET\n/bucket/key\n\ndate:" + date + "\nhost:bucket.example\nx-amz-content-sha256:" + emptySHA256 +
		"\n\ndate;host;x-amz-content-sha256\n" + emptySHA256
	sts := "AWS4-HMAC-SHA256\n20261122T123000Z\n20261122/us-east-1/s3/aws4_request\n" + sha256Hex([]byte(canonical))
	sig := hmacHex(SigningKey(testSecret, "20261122", "us-east-1", "s3"), sts)
	req := httptest.NewRequest("GET", "http://bucket.example/bucket/key", nil)
	req.Header.Set("Date", date)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20261122/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256,Signature="+sig)
	res, err := newVerifier().Verify(req)
	if err != nil || !res.SignedAt.Equal(testNow) {
		t.Fatalf("%v %+v", err, res)
	}
}

// Clients that sign the Host without its default port but send it with one.
func TestHostDefaultPort(t *testing.T) {
	for _, port := range []string{":80", ":443"} {
		req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
		signS3(t, req, testCreds, emptySHA256, testRegion, testNow)
		req.Host += port
		if _, err := newVerifier().Verify(req); err != nil {
			t.Errorf("%s: %v", port, err)
		}
	}
	req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
	signS3(t, req, testCreds, emptySHA256, testRegion, testNow)
	req.Host += ":8080"
	_, err := newVerifier().Verify(req)
	checkErr(t, err, ErrSignatureDoesNotMatch, "")
}

func TestAnonymous(t *testing.T) {
	v := newVerifier()
	for _, tc := range []struct {
		name    string
		sha     string
		body    string
		want    error
		bodyErr error
		mode    PayloadMode
	}{
		{name: "plain", body: "abc", mode: PayloadNone},
		{name: "hex", sha: sha256Hex([]byte("abc")), body: "abc", mode: PayloadSigned},
		{name: "hex-mismatch", sha: emptySHA256, body: "abc", mode: PayloadSigned, bodyErr: ErrContentSHA256Mismatch},
		{name: "unsigned", sha: unsignedPayload, body: "abc", mode: PayloadUnsigned},
		{name: "signed-streaming", sha: streamingSigned, want: ErrMissingSecurityHeader},
		{name: "garbage", sha: "nope", want: ErrInvalidContentSHA256},
	} {
		req := httptest.NewRequest("PUT", "http://bucket.example/key?X-Amz-Foo=1&Signature=x", strings.NewReader(tc.body))
		if tc.sha != "" {
			req.Header.Set("X-Amz-Content-Sha256", tc.sha)
		}
		res, err := v.Verify(req)
		if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err != nil {
			continue
		}
		if res.Method != AuthNone || res.Payload != tc.mode || res.Service != "" {
			t.Fatalf("%s: %+v", tc.name, res)
		}
		b, err := io.ReadAll(res.Body)
		if !errors.Is(err, tc.bodyErr) || tc.bodyErr == nil && string(b) != tc.body {
			t.Fatalf("%s: %q %v", tc.name, b, err)
		}
	}
	req := httptest.NewRequest("GET", "http://bucket.example/key?AWSAccessKeyId=AK&Signature=x&Expires=1", nil)
	_, err := v.Verify(req)
	checkErr(t, err, ErrUnsupportedAlgorithm, "")
}

type failingCreds struct{ err error }

func (f failingCreds) Lookup(context.Context, string) (string, error) { return "", f.err }

func TestLookupErrorPassesThrough(t *testing.T) {
	boom := errors.New("database down")
	v := newVerifier()
	v.Creds = failingCreds{boom}
	req := httptest.NewRequest("GET", "http://bucket.example/key", nil)
	signS3(t, req, testCreds, emptySHA256, testRegion, testNow)
	if _, err := v.Verify(req); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	v.Creds = nil
	if _, err := v.Verify(req); !errors.Is(err, ErrInvalidAccessKeyID) {
		t.Fatal(err)
	}
}
