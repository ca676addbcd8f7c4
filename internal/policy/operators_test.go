package policy

import (
	"encoding/json"
	"fmt"
	"testing"
)

// condHolds evaluates one condition, op: {"test:key": value}, in an identity policy and
// reports whether it held. vals == nil means the key is absent.
func condHolds(t *testing.T, op, value string, vals []string) bool {
	t.Helper()
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",`+
		`"Resource":"*","Condition":{%q:{"test:key":%s}}}}`, op, value)
	p, err := Parse([]byte(doc), Identity)
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	r := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
		Principal: Principal{Type: TypeIAMUser, ARN: "arn:aws:iam::123456789012:user/alice",
			Account: "123456789012", Username: "alice", UserID: "AIDAEXAMPLE"}}
	r.Set("aws:username", "alice")
	if vals != nil {
		r.Set("Test:Key", vals...)
	}
	return p.Evaluate(r) == Allow
}

// Every operator of reference §5.2 against a request whose key is present and matches
// the positive form, present and does not, or absent; plain, …IfExists, ForAnyValue:
// and ForAllValues:. For a negated operator "match" means the value its positive form
// (StringEquals for StringNotEquals) matches, so the negated condition is false there.
var operatorTests = []struct {
	op           string
	value        string // JSON
	match, other string
	// results for [present & match, present & other, absent]
	plain, ifExists, anyValue, allValues [3]bool
}{
	{"StringEquals", `"abc"`, "abc", "ABC", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"StringNotEquals", `"abc"`, "abc", "abd", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
	{"StringEqualsIgnoreCase", `"abc"`, "ABC", "abd", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"StringNotEqualsIgnoreCase", `"abc"`, "AbC", "abd", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
	{"StringLike", `"ab*"`, "abcdef", "xab", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"StringNotLike", `"ab?"`, "abc", "abcd", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
	{"NumericEquals", `"10"`, "10", "11", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"NumericNotEquals", `10`, "10.0", "9", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
	{"NumericLessThan", `10`, "9", "10", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"NumericLessThanEquals", `"10"`, "10", "10.5", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"NumericGreaterThan", `"10"`, "11", "10", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"NumericGreaterThanEquals", `"-1.5"`, "-1.5", "-2", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"DateEquals", `"2024-01-01T00:00:00Z"`, "1704067200", "2024-01-01T00:00:01Z", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"DateNotEquals", `"2024-01-01T00:00:00Z"`, "2024-01-01T01:00:00+01:00", "2024-01-02", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
	{"DateLessThan", `"2024-01-01T00:00:00Z"`, "2023-12-31T23:59:59Z", "1704067200", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"DateLessThanEquals", `1704067200`, "2024-01-01T00:00:00Z", "2024-01-02", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"DateGreaterThan", `"2024-01-01"`, "2024-06-01T00:00:00+02:00", "2023-06-01T12:00Z", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"DateGreaterThanEquals", `"2024-01-01T00:00:00Z"`, "2024-01-01T00:00:00.000Z", "1704067199", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"Bool", `"true"`, "true", "false", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"Bool", `false`, "FALSE", "true", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"BinaryEquals", `"QmluYXJ5"`, "QmluYXJ5", "QmluYXJ6", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"IpAddress", `"203.0.113.0/24"`, "203.0.113.7", "198.51.100.1", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"IpAddress", `["2001:db8::/32"]`, "2001:db8::1", "2001:db9::1", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"IpAddress", `"203.0.113.9"`, "::ffff:203.0.113.9", "203.0.113.8", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"NotIpAddress", `"203.0.113.0/24"`, "203.0.113.7", "10.0.0.1", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
	{"ArnEquals", `"arn:aws:iam::123456789012:user/*"`, "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::210987654321:user/alice", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"ArnLike", `"arn:aws:s3:::bucket-?/*"`, "arn:aws:s3:::bucket-a/x/y:z", "arn:aws:s3:::bucket-ab/x", [3]bool{true, false, false}, [3]bool{true, false, true}, [3]bool{true, false, false}, [3]bool{true, false, true}},
	{"ArnNotEquals", `"arn:aws:kms:*:123456789012:key/*"`, "arn:aws:kms:us-east-1:123456789012:key/k1", "arn:aws:kms:us-east-1:210987654321:key/k1", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
	{"ArnNotLike", `"arn:aws:iam::*:role/admin-*"`, "arn:aws:iam::123456789012:role/admin-1", "arn:aws:iam::123456789012:user/admin-1", [3]bool{false, true, true}, [3]bool{false, true, true}, [3]bool{false, true, false}, [3]bool{false, true, true}},
}

func TestOperators(t *testing.T) {
	for _, tt := range operatorTests {
		variants := []struct {
			op   string
			want [3]bool
		}{
			{tt.op, tt.plain},
			{tt.op + "IfExists", tt.ifExists},
			{"ForAnyValue:" + tt.op, tt.anyValue},
			{"ForAllValues:" + tt.op, tt.allValues},
		}
		for _, v := range variants {
			got := [3]bool{
				condHolds(t, v.op, tt.value, []string{tt.match}),
				condHolds(t, v.op, tt.value, []string{tt.other}),
				condHolds(t, v.op, tt.value, nil),
			}
			if got != v.want {
				t.Errorf("%s %s: [match, other, absent] = %v, want %v", v.op, tt.value, got, v.want)
			}
		}
	}
}

// Null: "true" holds iff the key is absent, "false" iff it is present; a key with no
// values is absent.
var nullTests = []struct {
	value string
	vals  []string
	want  bool
}{
	{`"true"`, nil, true},
	{`"true"`, []string{"AES256"}, false},
	{`true`, []string{}, true},
	{`"false"`, nil, false},
	{`false`, []string{"aws:kms"}, true},
	{`["true","false"]`, nil, true},
	{`["true","false"]`, []string{"x"}, true},
}

func TestNull(t *testing.T) {
	for _, tt := range nullTests {
		if got := condHolds(t, "Null", tt.value, tt.vals); got != tt.want {
			t.Errorf("Null %s with %q = %v, want %v", tt.value, tt.vals, got, tt.want)
		}
	}
}

// Several policy values are OR'ed; a negated operator holds only when the request value
// matches none of them; set operators quantify over the request's values.
var multiValueTests = []struct {
	op, value string
	vals      []string
	want      bool
}{
	{"StringEquals", `["a","b"]`, []string{"b"}, true},
	{"StringEquals", `["a","b"]`, []string{"c"}, false},
	{"StringNotEquals", `["a","b"]`, []string{"a"}, false},
	{"StringNotEquals", `["a","b"]`, []string{"b"}, false},
	{"StringNotEquals", `["a","b"]`, []string{"c"}, true},
	{"StringEquals", `"a"`, []string{"x", "a"}, true},
	{"StringNotEquals", `"a"`, []string{"x", "a"}, false},
	{"StringNotLike", `["a*","b*"]`, []string{"bcd"}, false},
	{"NotIpAddress", `["10.0.0.0/8","192.168.0.0/16"]`, []string{"192.168.1.1"}, false},
	{"NotIpAddress", `["10.0.0.0/8","192.168.0.0/16"]`, []string{"172.16.0.1"}, true},
	{"ForAllValues:StringEquals", `["a","b"]`, []string{"a", "b"}, true},
	{"ForAllValues:StringEquals", `["a","b"]`, []string{"a", "c"}, false},
	{"ForAnyValue:StringEquals", `["a","b"]`, []string{"c", "b"}, true},
	{"ForAnyValue:StringEquals", `["a","b"]`, []string{"c", "d"}, false},
	{"ForAllValues:StringNotEquals", `"a"`, []string{"b", "c"}, true},
	{"ForAllValues:StringNotEquals", `"a"`, []string{"b", "a"}, false},
	{"ForAnyValue:StringNotEquals", `"a"`, []string{"a", "b"}, true},
	{"ForAnyValue:StringNotEquals", `"a"`, []string{"a"}, false},
	{"ForAllValues:StringLike", `["aws:*","app-*"]`, []string{"aws:s3:arn", "app-id"}, true},
	{"ForAnyValue:StringEqualsIfExists", `"a"`, nil, true},
	{"ForAllValues:StringEqualsIfExists", `"a"`, []string{"b"}, false},
	// A request value of the wrong type matches no policy value.
	{"NumericEquals", `"10"`, []string{"ten"}, false},
	{"NumericNotEquals", `"10"`, []string{"ten"}, true},
	{"DateLessThan", `"2030-01-01T00:00:00Z"`, []string{"soon"}, false},
	{"Bool", `"true"`, []string{"yes"}, false},
	{"IpAddress", `"0.0.0.0/0"`, []string{"not-an-ip"}, false},
	{"ArnLike", `"arn:aws:s3:::*"`, []string{"bucket"}, false},
	{"ArnLike", `"bucket-*"`, []string{"bucket-1"}, true},
	{"BinaryEquals", `"QmluYXJ5"`, []string{"!!"}, false},
	// Numbers compare exactly as integers, as floats otherwise.
	{"NumericEquals", `"9007199254740993"`, []string{"9007199254740992"}, false},
	{"NumericLessThan", `"1e3"`, []string{"999.5"}, true},
	// Policy variables resolve in string and ARN values; ${*} is a literal '*'.
	{"StringEquals", `"${aws:username}"`, []string{"alice"}, true},
	{"StringEquals", `"${aws:username}"`, []string{"${aws:username}"}, false},
	{"StringLike", `"home/${aws:username}/*"`, []string{"home/alice/docs"}, true},
	{"StringLike", `"home/${aws:username}/*"`, []string{"home/bob/docs"}, false},
	{"StringEquals", `"a${*}b"`, []string{"a*b"}, true},
	{"StringLike", `"a${*}b"`, []string{"axb"}, false},
	{"StringEquals", `"${$}{x}"`, []string{"${x}"}, true},
	{"StringEquals", `"${aws:nosuchkey}"`, []string{""}, false},
	{"StringNotEquals", `"${aws:nosuchkey}"`, []string{"x"}, true},
	{"StringEquals", `"${aws:nosuchkey, 'none'}"`, []string{"none"}, true},
	{"ArnLike", `"arn:aws:iam::*:user/${aws:username}"`, []string{"arn:aws:iam::123456789012:user/alice"}, true},
}

func TestMultiValue(t *testing.T) {
	for _, tt := range multiValueTests {
		if got := condHolds(t, tt.op, tt.value, tt.vals); got != tt.want {
			t.Errorf("%s %s with %q = %v, want %v", tt.op, tt.value, tt.vals, got, tt.want)
		}
	}
}

// Several keys and several operators in one Condition are AND'ed; condition key names
// match in any case, values only in the case of the policy.
func TestConditionsAnd(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*",
		"Condition":{"StringEquals":{"S3:X-Amz-Server-Side-Encryption":"aws:kms","aws:username":"alice"},
		"Bool":{"AWS:SecureTransport":true}}}}`, Identity)
	for _, tt := range []struct {
		ctx  map[string][]string
		want Decision
	}{
		{map[string][]string{"s3:x-amz-server-side-encryption": {"aws:kms"}, "aws:username": {"alice"}, "aws:securetransport": {"true"}}, Allow},
		{map[string][]string{"S3:x-amz-SERVER-side-encryption": {"aws:kms"}, "AWS:Username": {"alice"}, "aws:SecureTransport": {"true"}}, Allow},
		{map[string][]string{"s3:x-amz-server-side-encryption": {"AWS:KMS"}, "aws:username": {"alice"}, "aws:securetransport": {"true"}}, NotApplicable},
		{map[string][]string{"s3:x-amz-server-side-encryption": {"aws:kms"}, "aws:username": {"alice"}, "aws:securetransport": {"false"}}, NotApplicable},
		{map[string][]string{"s3:x-amz-server-side-encryption": {"aws:kms"}, "aws:securetransport": {"true"}}, NotApplicable},
	} {
		r := &Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k", Context: tt.ctx}
		if got := p.Evaluate(r); got != tt.want {
			b, _ := json.Marshal(tt.ctx)
			t.Errorf("context %s: %v, want %v", b, got, tt.want)
		}
	}
}
