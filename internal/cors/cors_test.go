package cors

import (
	"errors"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/errs"
)

const (
	origin  = "<AllowedOrigin>https://example.com</AllowedOrigin>"
	method  = "<AllowedMethod>GET</AllowedMethod>"
	minimal = origin + method
)

func doc(rules ...string) string {
	var b strings.Builder
	b.WriteString(`<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for _, r := range rules {
		b.WriteString("<CORSRule>" + r + "</CORSRule>")
	}
	b.WriteString("</CORSConfiguration>")
	return b.String()
}

var malformedTests = []struct{ name, doc string }{
	{"empty", ""},
	{"not XML", "AllowedOrigin: *"},
	{"not UTF-8", "<\xff\xfe>"},
	{"unclosed", "<CORSConfiguration><CORSRule>" + minimal + "</CORSConfiguration>"},
	{"doctype", "<!DOCTYPE CORSConfiguration>" + doc(minimal)},
	{"other root", "<CORSRules><CORSRule>" + minimal + "</CORSRule></CORSRules>"},
	{"lowercase root", "<corsconfiguration><CORSRule>" + minimal + "</CORSRule></corsconfiguration>"},
	{"other namespace", `<CORSConfiguration xmlns="urn:x"><CORSRule>` + minimal + "</CORSRule></CORSConfiguration>"},
	{"two roots", doc(minimal) + doc(minimal)},
	{"no rule", doc()},
	{"rule elements in root", "<CORSConfiguration>" + minimal + "</CORSConfiguration>"},
	{"101 rules", doc(strings.Split(strings.Repeat(minimal+"|", 101), "|")[:101]...)},
	{"unknown element next to a rule", "<CORSConfiguration><CORSRule>" + minimal + "</CORSRule><Owner>me</Owner></CORSConfiguration>"},
	{"text next to a rule", "<CORSConfiguration>text<CORSRule>" + minimal + "</CORSRule></CORSConfiguration>"},
	{"rule in a rule", doc("<CORSRule>" + minimal + "</CORSRule>")},
	{"empty rule", doc("")},
	{"no origin", doc(method)},
	{"no method", doc(origin)},
	{"second rule without method", doc(minimal, origin)},
	{"text in a rule", doc(minimal + "text")},
	{"unknown element", doc(minimal + "<AllowedHeaders>*</AllowedHeaders>")},
	{"element in a value", doc("<AllowedOrigin><Origin>*</Origin></AllowedOrigin>" + method)},
	{"MaxAgeSeconds empty", doc(minimal + "<MaxAgeSeconds></MaxAgeSeconds>")},
	{"MaxAgeSeconds word", doc(minimal + "<MaxAgeSeconds>hour</MaxAgeSeconds>")},
	{"MaxAgeSeconds negative", doc(minimal + "<MaxAgeSeconds>-1</MaxAgeSeconds>")},
	{"MaxAgeSeconds 2^31", doc(minimal + "<MaxAgeSeconds>2147483648</MaxAgeSeconds>")},
	{"MaxAgeSeconds twice", doc(minimal + "<MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>1</MaxAgeSeconds>")},
	{"ID of 256", doc(minimal + "<ID>" + strings.Repeat("a", 256) + "</ID>")},
	{"ID twice", doc(minimal + "<ID></ID><ID>b</ID>")},
	// Structure is judged before values.
	{"bad method and no origin", doc("<AllowedMethod>PATCH</AllowedMethod>")},
	{"too large", doc(minimal + "<ID>" + strings.Repeat(" ", MaxDocument) + "</ID>")},
}

func TestParseMalformed(t *testing.T) {
	for _, tt := range malformedTests {
		if _, err := Parse([]byte(tt.doc)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", tt.name, err)
		}
	}
}

var invalidTests = []struct{ name, doc, msg string }{
	{"method PATCH", doc(origin + "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PATCH</AllowedMethod>"),
		"Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
	{"method get", doc(origin + "<AllowedMethod>get</AllowedMethod>"), "Found unsupported HTTP method in CORS config. Unsupported method is get"},
	{"method empty", doc(origin + "<AllowedMethod></AllowedMethod>"), "Found unsupported HTTP method in CORS config. Unsupported method is "},
	{"origin two wildcards", doc("<AllowedOrigin>https://*.example.*</AllowedOrigin>" + method),
		`AllowedOrigin "https://*.example.*" can not have more than one wildcard.`},
	{"escaped characters", doc("<AllowedOrigin>*&lt;&amp;&gt;*</AllowedOrigin>" + method),
		`AllowedOrigin "*<&>*" can not have more than one wildcard.`},
	{"header two wildcards", doc(minimal + "<AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>**</AllowedHeader>"),
		`AllowedHeader "**" can not have more than one wildcard.`},
	{"expose wildcard", doc(minimal + "<ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-*</ExposeHeader>"),
		`ExposeHeader "x-amz-*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
	{"method before origin", doc("<ExposeHeader>x-*</ExposeHeader><AllowedHeader>*-*</AllowedHeader><AllowedOrigin>*.*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"),
		"Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
	{"origin before header", doc("<AllowedHeader>*-*</AllowedHeader><AllowedOrigin>*.*</AllowedOrigin>" + method),
		`AllowedOrigin "*.*" can not have more than one wildcard.`},
	{"first bad rule", doc(minimal, minimal+"<ExposeHeader>x-*</ExposeHeader>", origin+"<AllowedMethod>PATCH</AllowedMethod>"),
		`ExposeHeader "x-*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalidTests {
		_, err := Parse([]byte(tt.doc))
		if !errors.Is(err, ErrInvalid) || errs.Message(err) != tt.msg {
			t.Errorf("%s: %v, want ErrInvalid %q", tt.name, err, tt.msg)
		}
	}
}

func TestParseKeepsValues(t *testing.T) {
	c, err := Parse([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + doc(
		"<ID>Rule &lt;1&gt;</ID><AllowedOrigin>HTTPS://Example.COM</AllowedOrigin><AllowedOrigin> x </AllowedOrigin>"+
			"<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>Content-Type</AllowedHeader><ExposeHeader>ETag</ExposeHeader>"+
			"<MaxAgeSeconds>0042</MaxAgeSeconds><!-- note -->",
		minimal+"<MaxAgeSeconds>0</MaxAgeSeconds><ID></ID>")))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Rules[0]
	if r.ID != "Rule <1>" || !r.HasID || r.AllowedOrigins[0] != "HTTPS://Example.COM" || r.AllowedOrigins[1] != " x " ||
		r.AllowedHeaders[0] != "Content-Type" || r.ExposeHeaders[0] != "ETag" || r.MaxAgeSeconds != 42 || !r.HasMaxAge {
		t.Fatalf("%+v", r)
	}
	if r := c.Rules[1]; !r.HasMaxAge || r.MaxAgeSeconds != 0 || !r.HasID || r.ID != "" {
		t.Fatalf("%+v", r)
	}
	out, err := c.XML()
	if err != nil {
		t.Fatal(err)
	}
	want := `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>Rule &lt;1&gt;</ID><AllowedMethod>HEAD</AllowedMethod>` +
		`<AllowedOrigin>HTTPS://Example.COM</AllowedOrigin><AllowedOrigin> x </AllowedOrigin><AllowedHeader>Content-Type</AllowedHeader>` +
		`<MaxAgeSeconds>42</MaxAgeSeconds><ExposeHeader>ETag</ExposeHeader></CORSRule><CORSRule><ID></ID><AllowedMethod>GET</AllowedMethod>` +
		`<AllowedOrigin>https://example.com</AllowedOrigin><MaxAgeSeconds>0</MaxAgeSeconds></CORSRule></CORSConfiguration>`
	if string(out) != want {
		t.Fatalf("XML:\n%s\nwant\n%s", out, want)
	}
	rules := make([]string, 100)
	for i := range rules {
		rules[i] = minimal
	}
	if c, err := Parse([]byte(doc(rules...))); err != nil || len(c.Rules) != 100 {
		t.Fatalf("100 rules: %v", err)
	}
}

var wildcardTests = []struct {
	pattern, s string
	ok         bool
}{
	{"https://example.com", "https://example.com", true},
	{"https://example.com", "https://example.com:8443", false},
	{"https://*.example.com", "https://a.b.example.com", true},
	{"https://*.example.com", "https://.example.com", true},
	{"https://*.example.com", "https://example.com", false},
	{"https://example.com:*", "https://example.com:", true},
	{"https://a*a", "https://aa", true},
	{"https://a*a", "https://a", false},
	{"ab*ba", "aba", false},
	{"prefix*", "prefix", true},
	{"*suffix", "foo.suffix.get", false},
	{"", "", true},
	{"", "x", false},
}

func TestWildcard(t *testing.T) {
	for _, tt := range wildcardTests {
		if got := Wildcard(tt.pattern, tt.s); got != tt.ok {
			t.Errorf("Wildcard(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

var site = &Config{Rules: []Rule{
	{ID: "site", AllowedOrigins: []string{"https://example.com", "https://*.example.com"}, AllowedMethods: []string{"GET", "PUT", "DELETE"},
		AllowedHeaders: []string{"Content-Type", "x-amz-*"}, ExposeHeaders: []string{"ETag", "x-amz-request-id"}, MaxAgeSeconds: 3000, HasMaxAge: true},
	{ID: "public", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}},
}}

func headers(a *Answer) string {
	var b []string
	for _, h := range a.Headers() {
		b = append(b, h[0]+": "+h[1])
	}
	return strings.Join(b, "\n")
}

var preflightTests = []struct {
	name, origin, method string
	hasMethod            bool
	reqHeaders           string
	want                 string // headers, or the error's message/sentinel name
	err                  error
}{
	{"exact origin with headers", "https://example.com", "PUT", true, "Content-Type,X-Amz-Date ,  x-amz-meta-Name", "Access-Control-Allow-Origin: https://example.com\n" +
		"Access-Control-Allow-Methods: GET, PUT, DELETE\nAccess-Control-Allow-Headers: content-type, x-amz-date, x-amz-meta-name\n" +
		"Access-Control-Expose-Headers: ETag, x-amz-request-id\nAccess-Control-Max-Age: 3000\nAccess-Control-Allow-Credentials: true\nVary: " + Vary, nil},
	{"pattern origin", "https://app.example.com", "DELETE", true, "", "Access-Control-Allow-Origin: https://app.example.com\n" +
		"Access-Control-Allow-Methods: GET, PUT, DELETE\nAccess-Control-Expose-Headers: ETag, x-amz-request-id\nAccess-Control-Max-Age: 3000\n" +
		"Access-Control-Allow-Credentials: true\nVary: " + Vary, nil},
	{"only * allows", "https://example.org", "GET", true, " , ,", "Access-Control-Allow-Origin: *\nAccess-Control-Allow-Methods: GET, HEAD\nVary: " + Vary, nil},
	{"second rule's method", "https://example.com", "HEAD", true, "", "Access-Control-Allow-Origin: *\nAccess-Control-Allow-Methods: GET, HEAD\nVary: " + Vary, nil},
	{"no origin", "", "GET", true, "", "", ErrNoOrigin},
	{"no origin, bad method", "", "PATCH", true, "", "", ErrNoOrigin},
	{"no method", "https://example.com", "", false, "", "Invalid Access-Control-Request-Method: null", ErrBadMethod},
	{"empty method", "https://example.com", "", true, "", "Invalid Access-Control-Request-Method: ", ErrBadMethod},
	{"method OPTIONS", "https://example.com", "OPTIONS", true, "", "Invalid Access-Control-Request-Method: OPTIONS", ErrBadMethod},
	{"method get", "https://example.com", "get", true, "", "Invalid Access-Control-Request-Method: get", ErrBadMethod},
	{"origin case", "https://EXAMPLE.com", "PUT", true, "", "", ErrNotAllowed},
	{"method no rule allows", "https://example.com", "POST", true, "", "", ErrNotAllowed},
	{"header not allowed", "https://example.com", "PUT", true, "content-type, authorization", "", ErrNotAllowed},
	{"header for a rule without AllowedHeader", "https://example.org", "GET", true, "content-type", "", ErrNotAllowed},
}

func TestPreflight(t *testing.T) {
	for _, tt := range preflightTests {
		a, err := Preflight(site, tt.origin, tt.method, tt.hasMethod, tt.reqHeaders)
		switch {
		case tt.err != nil:
			if !errors.Is(err, tt.err) || errs.Message(err) != tt.want {
				t.Errorf("%s: %v (%q), want %v %q", tt.name, err, errs.Message(err), tt.err, tt.want)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case headers(a) != tt.want:
			t.Errorf("%s:\n%s\nwant\n%s", tt.name, headers(a), tt.want)
		}
	}
	if _, err := Preflight(nil, "https://example.com", "GET", true, ""); !errors.Is(err, ErrNotEnabled) {
		t.Errorf("no configuration: %v", err)
	}
	if _, err := Preflight(nil, "https://example.com", "PATCH", true, ""); !errors.Is(err, ErrBadMethod) {
		t.Errorf("no configuration, bad method: %v", err)
	}
}

func TestActual(t *testing.T) {
	for _, tt := range []struct{ origin, method, want string }{
		{"https://example.com", "PUT", "Access-Control-Allow-Origin: https://example.com\nAccess-Control-Allow-Methods: GET, PUT, DELETE\n" +
			"Access-Control-Expose-Headers: ETag, x-amz-request-id\nAccess-Control-Max-Age: 3000\nAccess-Control-Allow-Credentials: true\nVary: " + Vary},
		{"https://example.org", "GET", "Access-Control-Allow-Origin: *\nAccess-Control-Allow-Methods: GET, HEAD\nVary: " + Vary},
		{"https://example.org", "PUT", ""},
		{"https://example.com", "OPTIONS", ""},
		{"", "GET", ""},
	} {
		a := site.Actual(tt.origin, tt.method)
		got := ""
		if a != nil {
			got = headers(a)
		}
		if got != tt.want {
			t.Errorf("%s %s:\n%s\nwant\n%s", tt.method, tt.origin, got, tt.want)
		}
	}
	var none *Config
	if none.Actual("https://example.com", "GET") != nil {
		t.Error("nil config answered")
	}
}

func TestClone(t *testing.T) {
	c := site.Clone()
	c.Rules[0].AllowedOrigins[0] = "x"
	c.Rules[0].ExposeHeaders[0] = "x"
	if site.Rules[0].AllowedOrigins[0] != "https://example.com" || site.Rules[0].ExposeHeaders[0] != "ETag" {
		t.Fatal("Clone shares slices")
	}
	if (*Config)(nil).Clone() != nil {
		t.Fatal("nil clone")
	}
}
