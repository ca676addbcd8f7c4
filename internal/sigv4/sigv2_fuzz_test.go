package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func init() {
	sentinels = append(sentinels, ErrInvalidArgument, ErrQueryAuthV2)
}

var parseV2HeaderSeeds = []string{
	"AWS AKIDEXAMPLE:D2Av2uLsTUbnm6Sr9/QOpYV+KJM=", "AWS AKIDEXAMPLE:", "AWS :sig", "AWS AKID", "AWS",
	"AWS  AKID:sig ", "AWS a:b:c", "AWS4-HMAC-SHA256 Credential=x", "aws AKID:sig", "AWS AK ID:sig", "\tAWS AKID:sig\t",
}

func FuzzParseV2Header(f *testing.F) {
	for _, s := range parseV2HeaderSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseV2Header(s)
		if err != nil {
			var ae *ArgumentError
			if !errors.As(err, &ae) || ae.Name != "Authorization" || len(ae.Value) > 64*3+3 || strings.ContainsAny(ae.Value, "\x00\r\n") {
				t.Fatalf("error %#v", err)
			}
			return
		}
		if a.accessKey == "" || a.signature == "" || strings.ContainsAny(a.accessKey+a.signature, " \t") ||
			strings.Contains(a.signature, ":") ||
			strings.Trim(strings.TrimPrefix(strings.TrimLeft(s, " \t"), "AWS "), " \t") != a.accessKey+":"+a.signature {
			t.Fatalf("%q parsed as %+v", s, a)
		}
	})
}

// FuzzVerifyV2Header varies a botocore-signed SigV2 request's Authorization, Date and
// one more header: whatever comes in, Verify answers with a sentinel, and it accepts
// nothing but the signed request itself.
func FuzzVerifyV2Header(f *testing.F) {
	seed := botocoreV2Tests[0]
	f.Add(seed.headers["Authorization"], seed.headers["Date"], "", "")
	f.Add(seed.headers["Authorization"], seed.headers["Date"], "X-Amz-Copy-Source", "/bucket/secret")
	f.Add(seed.headers["Authorization"], seed.headers["Date"], "X-Amz-Date", seed.headers["Date"])
	f.Add(seed.headers["Authorization"], " "+seed.headers["Date"]+" ", "Content-Type", "text/html")
	f.Add(seed.headers["Authorization"], "Mon, 23 Nov 2026 12:30:00 +0000", "", "")
	f.Add(seed.headers["Authorization"], "20261123T123000Z", "X-Amz-Content-Sha256", unsignedPayload)
	f.Add("AWS AKIDEXAMPLE", "", "", "")
	f.Add("AWS :x", "x", "X-Amz-Meta-A", "\r\n b")
	v := v2Verifier()
	f.Fuzz(func(t *testing.T, authz, date, hname, hvalue string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/bucket/photos/puppy.jpg"}, Host: "localhost:9000",
			Header: http.Header{"Authorization": {authz}}, Body: http.NoBody}
		if date != "" {
			r.Header["Date"] = []string{date}
		}
		if hname != "" {
			r.Header[hname] = append(r.Header[hname], hvalue)
		}
		res, err := v.Verify(r)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("unexpected error %v", err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Fatal("secret in error")
			}
			return
		}
		if res.Method == AuthNone {
			return // not a SigV2 header (or no header at all): anonymous
		}
		if res.Version == SigV2 {
			l := strings.ToLower(hname)
			if strings.HasPrefix(l, "x-amz-") || l == "content-type" || l == "content-md5" ||
				strings.TrimSpace(date) != seed.headers["Date"] {
				t.Fatalf("accepted a changed request: Date %q, %s: %q", date, hname, hvalue)
			}
		}
	})
}

// FuzzVerifyV2Query varies a botocore-presigned SigV2 URL's query and adds a header.
func FuzzVerifyV2Query(f *testing.F) {
	seed, _ := url.Parse(botocoreV2Tests[7].url)
	good := seed.RawQuery
	f.Add(good, "", "")
	f.Add(good, "X-Amz-Copy-Source", "/bucket/secret")
	f.Add(good+"&acl", "", "")
	f.Add(good+"&x-id=GetObject", "", "")
	f.Add(good+"&x-amz-server-side-encryption=AES256", "", "")
	f.Add(strings.Replace(good, "Expires=1795440600", "Expires=soon", 1), "", "")
	f.Add("AWSAccessKeyId=a&Signature=b", "", "")
	f.Add("AWSAccessKeyId=a&Signature=b&Expires=-1&AWSAccessKeyId=c", "", "")
	f.Add("Signature=%zz&Expires=99999999999999999999", "Content-Type", "x")
	v := v2Verifier()
	want := v2SubResourceString(good)
	f.Fuzz(func(t *testing.T, q, hname, hvalue string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: seed.Path, RawQuery: q}, Host: seed.Host,
			Header: http.Header{}, Body: http.NoBody}
		if hname != "" {
			r.Header[hname] = []string{hvalue}
		}
		res, err := v.Verify(r)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if res.Version != SigV2 {
			return
		}
		l := strings.ToLower(hname)
		if strings.HasPrefix(l, "x-amz-") || l == "content-type" || l == "content-md5" {
			t.Fatalf("accepted added header %s: %q", hname, hvalue)
		}
		if got := v2SubResourceString(q); got != want {
			t.Fatalf("accepted changed sub-resources %q (signed %q)", got, want)
		}
		for _, p := range parseQuery(q) {
			if strings.HasPrefix(strings.ToLower(p.key), "x-amz-") {
				t.Fatalf("accepted added query header %q", p.key)
			}
		}
	})
}

// v2SubResourceString lists the sub-resources of a raw query, sorted, as signed.
func v2SubResourceString(q string) string {
	p := parseQuery(q)
	sortQuery(p)
	var b strings.Builder
	for _, x := range p {
		if isV2SubResource(x.key) {
			b.WriteString(x.key + "=" + x.value + "&")
		}
	}
	return b.String()
}
