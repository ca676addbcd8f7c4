package postpolicy

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/errs"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var parseTests = []struct {
	name, doc, msg string // msg "" = parses
}{
	{"ok", `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"b"},["starts-with","$key","u/"],["content-length-range",1,10]]}`, ""},
	{"fraction", `{"expiration":"2030-01-01T00:00:00.000Z","conditions":[]}`, ""},
	{"case-insensitive ops", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["StArTs-WiTh","$KeY","foo"],{"AcL":"private"}]}`, ""},
	{"range as strings", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range","1","10"]]}`, ""},
	{"empty", ``, "Invalid Policy: Invalid JSON."},
	{"not json", `hello`, "Invalid Policy: Invalid JSON."},
	{"array", `[]`, "Invalid Policy: Invalid JSON."},
	{"trailing", `{"expiration":"2030-01-01T00:00:00Z","conditions":[]} {}`, "Invalid Policy: Invalid JSON."},
	{"EXPIRATION", `{"EXPIRATION":"2030-01-01T00:00:00Z","conditions":[]}`, `Invalid Policy: Unexpected: "EXPIRATION"`},
	{"CONDITIONS", `{"expiration":"2030-01-01T00:00:00Z","CONDITIONS":[]}`, `Invalid Policy: Unexpected: "CONDITIONS"`},
	{"no expiration", `{"conditions":[]}`, "Invalid Policy: Policy missing expiration."},
	{"no conditions", `{"expiration":"2030-01-01T00:00:00Z"}`, "Invalid Policy: Policy missing conditions."},
	{"bad expiration", `{"expiration":"2030-01-01 00:00:00+00:00","conditions":[]}`, "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00+00:00'"},
	{"offset expiration", `{"expiration":"2030-01-01T00:00:00+01:00","conditions":[]}`, "Invalid Policy: Invalid 'expiration' value: '2030-01-01T00:00:00+01:00'"},
	{"numeric expiration", `{"expiration":12,"conditions":[]}`, "Invalid Policy: Invalid 'expiration' value: '12'"},
	{"conditions object", `{"expiration":"2030-01-01T00:00:00Z","conditions":{}}`, "Invalid Policy: Invalid 'conditions' value: must be a List."},
	{"condition number", `{"expiration":"2030-01-01T00:00:00Z","conditions":[1]}`, "Invalid Policy: Invalid condition test: must be a List or Object."},
	{"empty object", `{"expiration":"2030-01-01T00:00:00Z","conditions":[{}]}`, "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
	{"two props", `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"a":"1","b":"2"}]}`, "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
	{"non-string simple", `{"expiration":"2030-01-01T00:00:00Z","conditions":[{"a":1}]}`, "Invalid Policy: Invalid Simple-Condition: value must be a string."},
	{"empty list", `{"expiration":"2030-01-01T00:00:00Z","conditions":[[]]}`, "Invalid Policy: Invalid Condition: missing operation identifier."},
	{"unknown op", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["ends-with","$key","x"]]}`, "Invalid Policy: Invalid Condition: unknown operation 'ends-with'."},
	{"eq arity", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$key"]]}`, "Invalid Policy: Invalid eq: wrong number of arguments."},
	{"range arity", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",0]]}`, "Invalid Policy: Invalid content-length-range: wrong number of arguments."},
	{"range negative", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",-1,0]]}`, "Invalid Policy: Invalid content-length-range: the bounds must be integers with 0 <= min <= max."},
	{"range reversed", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",10,1]]}`, "Invalid Policy: Invalid content-length-range: the bounds must be integers with 0 <= min <= max."},
	{"no dollar", `{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","key","x"]]}`, "Invalid Policy: Invalid eq: the first argument must name a form field as $name."},
}

func TestParse(t *testing.T) {
	for _, tc := range parseTests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(b64(tc.doc))
			if tc.doc == "" {
				_, err = Parse(" ")
			}
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidPolicy) || errs.Message(err) != tc.msg {
				t.Fatalf("Parse = %v (%q), want %q", err, errs.Message(err), tc.msg)
			}
		})
	}
	if _, err := Parse(""); errs.Message(err) != "Invalid Policy: Expecting '{' but found End-of-Input" {
		t.Fatalf("empty policy: %v", err)
	}
	if _, err := Parse("!!notbase64"); errs.Message(err) != "Invalid Policy: invalid Base64 encoding." {
		t.Fatalf("bad base64: %v", err)
	}
}

var checkTests = []struct {
	name   string
	conds  string
	fields map[string]string
	msg    string // "" = passes
}{
	{"eq and starts-with", `{"bucket":"b"},["starts-with","$key","u/"],{"acl":"private"}`,
		map[string]string{"bucket": "b", "key": "u/x", "acl": "private"}, ""},
	{"case-insensitive names", `{"bUcKeT":"b"},["StArTs-WiTh","$KeY","foo"]`,
		map[string]string{"bucket": "b", "key": "foo.txt"}, ""},
	{"empty prefix matches anything", `{"bucket":"b"},["starts-with","$key",""],["starts-with","$x-amz-meta-a",""]`,
		map[string]string{"bucket": "b", "key": "anything", "x-amz-meta-a": "v"}, ""},
	{"exempt fields", `{"bucket":"b"},["eq","$key","k"]`,
		map[string]string{"bucket": "b", "key": "k", "policy": "p", "x-amz-signature": "s", "awsaccesskeyid": "a", "signature": "s", "x-ignore-me": "1"}, ""},
	{"wrong bucket", `{"bucket":"b"}`, map[string]string{"bucket": "c"},
		`Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "b"]`},
	{"starts-with fails", `{"bucket":"b"},["starts-with","$key","u/"]`, map[string]string{"bucket": "b", "key": "v/x"},
		`Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "u/"]`},
	{"absent field fails", `{"bucket":"b"},["starts-with","$x-amz-meta-foo","bar"]`, map[string]string{"bucket": "b"},
		`Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-foo", "bar"]`},
	{"eq empty vs value", `{"bucket":"b"},["eq","$x-amz-meta-foo",""]`, map[string]string{"bucket": "b", "x-amz-meta-foo": "barclamp"},
		`Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-foo", ""]`},
	{"extra field", `{"bucket":"b"}`, map[string]string{"bucket": "b", "content-type": "text/plain", "acl": "private"},
		"Invalid according to Policy: Extra input fields: acl, content-type"},
	{"no bucket condition", `["eq","$key","k"]`, map[string]string{"bucket": "b", "key": "k"},
		"Invalid according to Policy: Extra input fields: bucket"},
	{"content-type list", `{"bucket":"b"},["starts-with","$Content-Type","image/"]`, map[string]string{"bucket": "b", "content-type": "image/png, image/jpeg"}, ""},
	{"content-type list fails", `{"bucket":"b"},["starts-with","$Content-Type","image/"]`, map[string]string{"bucket": "b", "content-type": "image/png, text/plain"},
		`Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]`},
}

func TestCheck(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range checkTests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[` + tc.conds + `]}`))
			if err != nil {
				t.Fatal(err)
			}
			err = p.Check(now, tc.fields)
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrDenied) || errs.Message(err) != tc.msg {
				t.Fatalf("Check = %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestExpired(t *testing.T) {
	p, err := Parse(b64(`{"expiration":"2026-01-01T00:00:00.000Z","conditions":[{"bucket":"b"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC), map[string]string{"bucket": "b"}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	err = p.Check(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), map[string]string{"bucket": "b"})
	if !errors.Is(err, ErrDenied) || errs.Message(err) != "Invalid according to Policy: Policy expired." {
		t.Fatalf("at expiry: %v", err)
	}
}

func TestLengthRange(t *testing.T) {
	p, err := Parse(b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",1,100],["content-length-range","5",50]]}`))
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, ok := p.LengthRange()
	if !ok || lo != 5 || hi != 50 {
		t.Fatalf("LengthRange = %d %d %v", lo, hi, ok)
	}
	var se *SizeError
	if err := CheckSize(51, lo, hi); !errors.As(err, &se) || se.Kind != ErrTooLarge || se.Bound != 50 {
		t.Fatalf("51: %v", err)
	}
	if err := CheckSize(4, lo, hi); !errors.Is(err, ErrTooSmall) {
		t.Fatalf("4: %v", err)
	}
	if CheckSize(5, lo, hi) != nil || CheckSize(50, lo, hi) != nil {
		t.Fatal("bounds are inclusive")
	}
	if _, _, ok := (&Policy{}).LengthRange(); ok {
		t.Fatal("no range")
	}
}

func TestConditionString(t *testing.T) {
	c := Condition{Op: OpEq, name: "x-amz-meta-<a>", Value: `q"&`}
	if got := c.String(); got != `["eq", "$x-amz-meta-<a>", "q\"&"]` {
		t.Fatalf("String = %s", got)
	}
	if !strings.Contains((Condition{Op: OpRange, Min: 1, Max: 2}).String(), "1, 2") {
		t.Fatal("range")
	}
}
