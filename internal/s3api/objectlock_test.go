package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/policy"
)

var lockHeaderTests = []struct {
	name            string
	mode, until, lh string
	wantMsg         string // "" = accepted
}{
	{"none", "", "", "", ""},
	{"both", "GOVERNANCE", "2999-01-01T00:00:00Z", "", ""},
	{"hold only", "", "", "ON", ""},
	{"mode only", "COMPLIANCE", "", "", "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"},
	{"date only", "", "2999-01-01T00:00:00Z", "", "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"},
	{"bad mode", "governance", "2999-01-01T00:00:00Z", "", "Unknown wormMode directive."},
	{"past", "GOVERNANCE", "2001-01-01T00:00:00Z", "", "The retain until date must be in the future!"},
	{"not ISO 8601", "GOVERNANCE", "Mon, 01 Jan 2999 00:00:00 GMT", "", "The retain until date must be provided in ISO 8601 format"},
	{"bad hold", "", "", "on", "Legal Hold must be either of 'ON' or 'OFF'"},
}

func TestParseLockHeaders(t *testing.T) {
	for _, tt := range lockHeaderTests {
		h := http.Header{}
		for k, v := range map[string]string{hLockMode: tt.mode, hLockUntil: tt.until, hLockLegalHold: tt.lh} {
			if v != "" {
				h.Set(k, v)
			}
		}
		r, hold, err := parseLockHeaders(h)
		if tt.wantMsg == "" {
			if err != nil || (tt.mode != "" && (r == nil || r.Mode != tt.mode || !r.Until.After(time.Now()))) || hold != tt.lh {
				t.Errorf("%s: %+v %q %v", tt.name, r, hold, err)
			}
			continue
		}
		if e := apierr.S3(err); e == nil || e.Code != "InvalidArgument" || e.Message != tt.wantMsg {
			t.Errorf("%s: %v, want InvalidArgument %q", tt.name, err, tt.wantMsg)
		}
	}
}

func ip(n int) *int { return &n }

var lockConfigTests = []struct {
	name  string
	cfg   objectLockConfiguration
	code  string
	mode  string
	days  int
	years int
}{
	{"enabled only", objectLockConfiguration{ObjectLockEnabled: "Enabled"}, "", "", 0, 0},
	{"days", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{&defaultRetention{Mode: "GOVERNANCE", Days: ip(3)}}}, "", "GOVERNANCE", 3, 0},
	{"years", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{&defaultRetention{Mode: "COMPLIANCE", Years: ip(2)}}}, "", "COMPLIANCE", 0, 2},
	{"not enabled", objectLockConfiguration{ObjectLockEnabled: "Disabled"}, "MalformedXML", "", 0, 0},
	{"both", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{&defaultRetention{Mode: "COMPLIANCE", Days: ip(1), Years: ip(1)}}}, "MalformedXML", "", 0, 0},
	{"no period", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{&defaultRetention{Mode: "COMPLIANCE"}}}, "MalformedXML", "", 0, 0},
	{"no mode", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{&defaultRetention{Days: ip(1)}}}, "MalformedXML", "", 0, 0},
	{"empty rule", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{}}, "MalformedXML", "", 0, 0},
	{"zero", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{&defaultRetention{Mode: "GOVERNANCE", Days: ip(0)}}}, "InvalidArgument", "", 0, 0},
	{"too long", objectLockConfiguration{ObjectLockEnabled: "Enabled", Rule: &lockRule{&defaultRetention{Mode: "GOVERNANCE", Years: ip(101)}}}, "InvalidArgument", "", 0, 0},
}

func TestCheckLockConfig(t *testing.T) {
	for _, tt := range lockConfigTests {
		l, err := checkLockConfig(&tt.cfg)
		if tt.code != "" {
			if e := apierr.S3(err); e == nil || e.Code != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
			continue
		}
		if err != nil || !l.Enabled || l.Mode != tt.mode || l.Days != tt.days || l.Years != tt.years {
			t.Errorf("%s: %+v %v", tt.name, l, err)
		}
	}
}

// The Object Lock condition keys come from the headers of a write and from the body of
// PutObjectRetention and PutObjectLegalHold, each only on the actions AWS documents.
func TestLockKeys(t *testing.T) {
	until := time.Now().Add(36 * time.Hour).UTC().Format(time.RFC3339)
	put := httptest.NewRequest(http.MethodPut, "/b/k", nil)
	put.Header.Set(hLockMode, "GOVERNANCE")
	put.Header.Set(hLockUntil, until)
	put.Header.Set(hLockLegalHold, "ON")
	body := `<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>` + until + `</RetainUntilDate></Retention>`
	ret := httptest.NewRequest(http.MethodPut, "/b/k?retention", strings.NewReader(body))
	sum := md5.Sum([]byte(body))
	ret.Header.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
	tests := []struct {
		name   string
		r      *http.Request
		op     string
		action string
		want   map[string]string
	}{
		{"PutObject", put, "PutObject", "s3:PutObject", map[string]string{policy.KeyObjectLockMode: "GOVERNANCE",
			policy.KeyObjectLockRetainUntil: until, policy.KeyObjectLockRemainingDays: "2", policy.KeyObjectLockLegalHold: "ON"}},
		{"GetObject", put, "GetObject", "s3:GetObject", map[string]string{}},
		{"PutObjectRetention", ret, "PutObjectRetention", "s3:PutObjectRetention", map[string]string{policy.KeyObjectLockMode: "COMPLIANCE",
			policy.KeyObjectLockRetainUntil: until, policy.KeyObjectLockRemainingDays: "2"}},
	}
	for _, tt := range tests {
		var row *op
		for i := range opTable {
			if opTable[i].Name == tt.op {
				row = &opTable[i]
			}
		}
		q := &request{r: tt.r, o: row, caller: &Caller{Body: io.NopCloser(tt.r.Body)}}
		r := &policy.Request{}
		lockKeys(q, tt.action, r)
		if len(r.Context) != len(tt.want) {
			t.Errorf("%s: keys %v, want %v", tt.name, r.Context, tt.want)
		}
		for k, v := range tt.want {
			if got := r.Context[k]; len(got) != 1 || got[0] != v {
				t.Errorf("%s: %s = %v, want %q", tt.name, k, got, v)
			}
		}
	}
}
