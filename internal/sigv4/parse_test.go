package sigv4

import (
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const goodCred = "AK/20261122/us-east-1/s3/aws4_request"

var parseAuthorizationTests = []struct {
	in   string
	want authHeader
	err  error
}{
	{in: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host;x-amz-date, Signature=abc",
		want: authHeader{goodCred, "host;x-amz-date", "abc"}},
	{in: "AWS4-HMAC-SHA256 Credential=" + goodCred + ",SignedHeaders=host,Signature=abc",
		want: authHeader{goodCred, "host", "abc"}},
	{in: "  AWS4-HMAC-SHA256   Credential=" + goodCred + " ,  SignedHeaders=host , Signature=abc ",
		want: authHeader{goodCred, "host", "abc"}},
	{in: "AWS4-HMAC-SHA256 Credential=" + goodCred + " SignedHeaders=host Signature=abc",
		want: authHeader{goodCred, "host", "abc"}},
	{in: "AWS4-HMAC-SHA256 Signature=abc, SignedHeaders=host, Credential=" + goodCred,
		want: authHeader{goodCred, "host", "abc"}},
	{in: "AWS4-HMAC-SHA256 Credential=AK=/x/20261122/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc",
		want: authHeader{"AK=/x/20261122/us-east-1/s3/aws4_request", "host", "abc"}},
	{in: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host", err: ErrAuthorizationHeaderMalformed},
	{in: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host, Signature=", err: ErrAuthorizationHeaderMalformed},
	{in: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", Credential=" + goodCred + ", SignedHeaders=host, Signature=abc",
		err: ErrAuthorizationHeaderMalformed},
	{in: "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host, Signature=abc, Extra=1", err: ErrAuthorizationHeaderMalformed},
	{in: "AWS4-HMAC-SHA256 Credential", err: ErrAuthorizationHeaderMalformed},
	{in: "AWS4-HMAC-SHA256", err: ErrAuthorizationHeaderMalformed},
	{in: "AWS4-HMAC-SHA256 ", err: ErrAuthorizationHeaderMalformed},
	{in: "", err: ErrUnsupportedAlgorithm},
	{in: "aws4-hmac-sha256 Credential=" + goodCred + ", SignedHeaders=host, Signature=abc", err: ErrUnsupportedAlgorithm},
	{in: "AWS4-ECDSA-P256-SHA256 Credential=" + goodCred + ", SignedHeaders=host, Signature=abc", err: ErrUnsupportedAlgorithm},
	{in: "AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", err: ErrUnsupportedAlgorithm},
	{in: "Bearer token", err: ErrUnsupportedAlgorithm},
}

func TestParseAuthorization(t *testing.T) {
	for _, tc := range parseAuthorizationTests {
		got, err := parseAuthorization(tc.in)
		if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("%q: error %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

var parseCredentialTests = []struct {
	in     string
	want   credScope
	reason string // prefix of the error reason
}{
	{in: goodCred, want: credScope{"AK", "20261122", "us-east-1", "s3", "20261122/us-east-1/s3/aws4_request"}},
	{in: "a/b/c/20261122/eu-west-1/kms/aws4_request", want: credScope{"a/b/c", "20261122", "eu-west-1", "kms", "20261122/eu-west-1/kms/aws4_request"}},
	{in: "/20261122/us-east-1/s3/aws4_request", reason: "the Credential is mal-formed"},
	{in: "20261122/us-east-1/s3/aws4_request", reason: "the Credential is mal-formed"},
	{in: "AK/2026112/us-east-1/s3/aws4_request", reason: `incorrect date format "2026112"`},
	{in: "AK/20261322/us-east-1/s3/aws4_request", reason: "incorrect date format"},
	{in: "AK/20260230/us-east-1/s3/aws4_request", reason: "incorrect date format"},
	{in: "AK/20261122//s3/aws4_request", reason: "the Credential is mal-formed"},
	{in: "AK/20261122/us-east-1//aws4_request", reason: "the Credential is mal-formed"},
	{in: "AK/20261122/us-east-1/s3/aws4_request/", reason: "incorrect date format"},
	{in: "AK/20261122/us-east-1/s3/aws5_request", reason: `incorrect terminal "aws5_request"`},
	{in: "", reason: "the Credential is mal-formed"},
}

func TestParseCredential(t *testing.T) {
	for _, tc := range parseCredentialTests {
		got, reason := parseCredential(tc.in)
		if !strings.HasPrefix(reason, tc.reason) || (reason == "") != (tc.reason == "") {
			t.Errorf("%q: reason %q, want %q", tc.in, reason, tc.reason)
		}
		if tc.reason == "" && got != tc.want {
			t.Errorf("%q: %+v", tc.in, got)
		}
	}
}

var signedHeadersTests = []struct {
	in   string
	want string // names joined by ","; "!" = invalid
}{
	{"host", "host"},
	{"host;x-amz-date", "host,x-amz-date"},
	{"Host;X-Amz-Date", "host,x-amz-date"},
	{"", "!"},
	{";", "!"},
	{"host;", "!"},
	{";host", "!"},
	{"host;;x", "!"},
	{"ho st", "!"},
	{"host:x", "!"},
}

func TestParseSignedHeaders(t *testing.T) {
	for _, tc := range signedHeadersTests {
		names, ok := parseSignedHeaders(tc.in)
		got := strings.Join(names, ",")
		if !ok {
			got = "!"
		}
		if got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

var amzDateTests = []struct {
	in   string
	want time.Time
	ok   bool
}{
	{"20261122T123000Z", time.Date(2026, 11, 22, 12, 30, 0, 0, time.UTC), true},
	{"20240229T235959Z", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), true},
	{"20230229T000000Z", time.Time{}, false},
	{"20261122T243000Z", time.Time{}, false},
	{"20261122T126000Z", time.Time{}, false},
	{"20261122T123060Z", time.Time{}, false},
	{"20261122T123000", time.Time{}, false},
	{"20261122 123000Z", time.Time{}, false},
	{"2026112xT123000Z", time.Time{}, false},
	{"+0261122T123000Z", time.Time{}, false},
}

func TestParseAmzDate(t *testing.T) {
	for _, tc := range amzDateTests {
		got, ok := parseAmzDate(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%q: %v %v", tc.in, got, ok)
		}
	}
}

var canonicalURITests = []struct{ in, want string }{
	{"", "/"},
	{"/", "/"},
	{"/bucket/key", "/bucket/key"},
	{"/a%20b/c+d", "/a%20b/c%2Bd"},
	{"/%7Etilde/~", "/~tilde/~"},
	{"/%c3%bc", "/%C3%BC"},
	{"/ü", "/%C3%BC"},
	{"/a%2Fb", "/a%2Fb"},
	{"/a/../b/./c//d", "/a/../b/./c//d"},
	{"/100%", "/100%25"},
	{"/%zz%4", "/%25zz%254"},
	{"/!$&'()*,;=:@", "/%21%24%26%27%28%29%2A%2C%3B%3D%3A%40"},
}

func TestCanonicalURI(t *testing.T) {
	for _, tc := range canonicalURITests {
		if got := string(appendCanonicalURI(nil, tc.in)); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

var canonicalQueryTests = []struct{ in, want string }{
	{"", ""},
	{"acl", "acl="},
	{"b=2&a=1", "a=1&b=2"},
	{"a=2&a=1&a=10", "a=1&a=10&a=2"},
	{"a=a/b&a=a-b", "a=a%2Fb&a=a-b"}, // sorted after encoding: '%' < '-'
	{"p=a+b&q=a%20b", "p=a%20b&q=a%20b"},
	{"k=%7e&k2=~", "k=~&k2=~"},
	{"&&x=1&", "x=1"},
	{"x=1;y=2", "x=1%3By%3D2"},
	{"u=%C3%BC&e=%", "e=%25&u=%C3%BC"},
	{"X-Amz-Signature=abc&b=1", "X-Amz-Signature=abc&b=1"},
	{"=v", "=v"},
}

func TestCanonicalQuery(t *testing.T) {
	for _, tc := range canonicalQueryTests {
		p := parseQuery(tc.in)
		sortQuery(p)
		if got := string(appendCanonicalQuery(nil, p, false)); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	p := parseQuery("b=1&X-Amz-Signature=abc&a=2")
	sortQuery(p)
	if got := string(appendCanonicalQuery(nil, p, true)); got != "a=2&b=1" {
		t.Errorf("presigned: %q", got)
	}
}

var headerValueTests = []struct{ in, want string }{
	{"a", "a"},
	{"  a  ", "a"},
	{"a   b    c", "a b c"},
	{"\ta b\t", "a b"},
	{"", ""},
}

func TestHeaderValue(t *testing.T) {
	for _, tc := range headerValueTests {
		if got := string(appendHeaderValue(nil, tc.in)); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Headers net/http moves out of r.Header still canonicalise as sent.
func TestMovedHeaders(t *testing.T) {
	r := httptest.NewRequest("PUT", "http://h/", strings.NewReader("abc"))
	r.TransferEncoding = []string{"chunked"}
	r.ContentLength = 3
	got := string(appendCanonicalHeaders(nil, r, []string{"content-length", "host", "transfer-encoding"}, "h:1"))
	if want := "content-length:3\nhost:h:1\ntransfer-encoding:chunked\n"; got != want {
		t.Fatalf("%q", got)
	}
}

func TestSigningKey(t *testing.T) {
	// The derivation example in the IAM documentation.
	got := hex.EncodeToString(SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	if got != "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d" {
		t.Fatal(got)
	}
}

func TestKeyCache(t *testing.T) {
	c := NewKeyCache(8)
	k1 := c.SigningKey("s", "20261122", "us-east-1", "s3")
	if hex.EncodeToString(k1) != hex.EncodeToString(SigningKey("s", "20261122", "us-east-1", "s3")) {
		t.Fatal("cached key differs")
	}
	for i := range 100 {
		c.SigningKey("s", "20261122", "r"+string(rune('a'+i%26))+string(rune('a'+i/26)), "s3")
		if c.SigningKey("s", "20261122", "us-east-1", "s3") == nil || c.Len() > 8 {
			t.Fatalf("len %d", c.Len())
		}
	}
	if &c.SigningKey("s", "20261122", "us-east-1", "s3")[0] != &k1[0] {
		t.Fatal("hot key was evicted")
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				region := []string{"a", "b", "c", "d", "e"}[(g+i)%5]
				if k := c.SigningKey("secret", "20261122", region, "s3"); hex.EncodeToString(k) != hex.EncodeToString(SigningKey("secret", "20261122", region, "s3")) {
					t.Error("wrong key")
					return
				}
			}
		}()
	}
	wg.Wait()
}
