package alarm

import (
	"testing"

	"github.com/arcastore/arca/internal/audit"
)

var globTests = []struct {
	pattern, s string
	want       bool
}{
	{"Decrypt", "Decrypt", true},
	{"Decrypt", "decrypt", false},
	{"Decrypt", "DecryptX", false},
	{"", "", true},
	{"", "x", false},
	{"*", "", true},
	{"*", "anything", true},
	{"AccessDenied*", "AccessDenied", true},
	{"AccessDenied*", "AccessDeniedException", true},
	{"AccessDenied*", "NotAccessDenied", false},
	{"*Bucket*", "DeleteBucketPolicy", true},
	{"Put*Policy", "PutKeyPolicy", true},
	{"Put*Policy", "PutKeyPolicyX", false},
	{"a*b*c", "abc", true},
	{"a*b*c", "aXbYbZc", true},
	{"a*b*c", "acb", false},
	{"ab*ba", "aba", false}, // prefix and suffix may not overlap
}

func TestGlob(t *testing.T) {
	for _, tt := range globTests {
		if got := newPattern(tt.pattern).match(tt.s); got != tt.want {
			t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func mustRule(t *testing.T, yaml string) *Rule {
	t.Helper()
	f, err := Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Build("test.yaml", f, Options{NoDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	return rules[0]
}

func kmsRec(name, user, errCode string) *audit.Record {
	return &audit.Record{EventName: name, EventSource: audit.SourceKMS, ErrorCode: errCode, ManagementEvent: true,
		SourceIPAddress: "10.1.2.3",
		UserIdentity:    audit.UserIdentity{Type: "IAMUser", UserName: user, ARN: "arn:aws:iam::123456789012:user/" + user},
		Resources:       []audit.Resource{{ARN: "arn:aws:kms:us-east-1:123456789012:key/k1", Type: "AWS::KMS::Key"}}}
}

var matchTests = []struct {
	name, rule string
	rec        func() *audit.Record
	want       bool
}{
	{"eventName list", "match: {eventName: [DisableKey, ScheduleKeyDeletion]}",
		func() *audit.Record { return kmsRec("ScheduleKeyDeletion", "a", "") }, true},
	{"eventName other", "match: {eventName: [DisableKey, ScheduleKeyDeletion]}",
		func() *audit.Record { return kmsRec("EnableKey", "a", "") }, false},
	{"short eventSource", "match: {eventSource: kms, eventName: DisableKey}",
		func() *audit.Record { return kmsRec("DisableKey", "a", "") }, true},
	{"full eventSource", "match: {eventSource: s3.amazonaws.com, eventName: DisableKey}",
		func() *audit.Record { return kmsRec("DisableKey", "a", "") }, false},
	{"errorCode empty: success", `match: {eventName: DisableKey, errorCode: ""}`,
		func() *audit.Record { return kmsRec("DisableKey", "a", "") }, true},
	{"errorCode empty: failure", `match: {eventName: DisableKey, errorCode: ""}`,
		func() *audit.Record { return kmsRec("DisableKey", "a", "AccessDeniedException") }, false},
	{"errorCode glob", `match: {errorCode: "AccessDenied*"}`,
		func() *audit.Record { return kmsRec("Decrypt", "a", "AccessDeniedException") }, true},
	{"userName glob", `match: {userName: "ev*"}`, func() *audit.Record { return kmsRec("Decrypt", "eve", "") }, true},
	{"userName root", `match: {userName: root}`, func() *audit.Record {
		r := kmsRec("Decrypt", "", "")
		r.UserIdentity.Type = "Root"
		return r
	}, true},
	{"resource ARN glob", `match: {resource: "arn:aws:kms:*:key/k1"}`, func() *audit.Record { return kmsRec("Decrypt", "a", "") }, true},
	{"resource S3 name", `match: {resource: "logs/2025/*"}`, func() *audit.Record {
		r := kmsRec("GetObject", "a", "")
		r.Resources = []audit.Resource{{ARN: "arn:aws:s3:::logs", Type: "AWS::S3::Bucket"},
			{ARN: "arn:aws:s3:::logs/2025/01.gz", Type: "AWS::S3::Object"}}
		return r
	}, true},
	{"resource none", `match: {resource: "*"}`, func() *audit.Record {
		r := kmsRec("ListKeys", "a", "")
		r.Resources = nil
		return r
	}, false},
	{"CIDR in", "match: {sourceIPAddress: 10.0.0.0/8}", func() *audit.Record { return kmsRec("Decrypt", "a", "") }, true},
	{"CIDR out", "match: {sourceIPAddress: 192.168.0.0/16}", func() *audit.Record { return kmsRec("Decrypt", "a", "") }, false},
	{"CIDR v4-mapped", "match: {sourceIPAddress: 10.0.0.0/8}", func() *audit.Record {
		r := kmsRec("Decrypt", "a", "")
		r.SourceIPAddress = "::ffff:10.9.9.9"
		return r
	}, true},
	{"CIDR vs service name", "match: {sourceIPAddress: 10.0.0.0/8}", func() *audit.Record {
		r := kmsRec("Decrypt", "a", "")
		r.SourceIPAddress = "s3.amazonaws.com"
		return r
	}, false},
	{"exact address", `match: {sourceIPAddress: "10.1.2.3"}`, func() *audit.Record { return kmsRec("Decrypt", "a", "") }, true},
	{"readOnly", "match: {eventSource: kms, readOnly: true}", func() *audit.Record { return kmsRec("Decrypt", "a", "") }, false},
	{"invokedBy short", "match: {invokedBy: s3}", func() *audit.Record {
		r := kmsRec("Decrypt", "a", "")
		r.UserIdentity.InvokedBy = audit.SourceS3
		return r
	}, true},
	{"all fields must match", "match: {eventName: Decrypt, userName: b}", func() *audit.Record { return kmsRec("Decrypt", "a", "") }, false},
	{"any of the match objects", "match: [{eventName: X}, {userName: a}]", func() *audit.Record { return kmsRec("Decrypt", "a", "") }, true},
}

func TestMatch(t *testing.T) {
	for _, tt := range matchTests {
		r := mustRule(t, "rules:\n- name: r\n  "+tt.rule+"\n")
		if got := r.matches(tt.rec()); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The built-in denied-Decrypt rule counts each denied client request once.
func TestDecryptDeniedMatches(t *testing.T) {
	var rule *Rule
	for _, r := range Defaults(nil) {
		if r.Name == DecryptDeniedRule {
			rule = r
		}
	}
	direct := kmsRec("Decrypt", "a", "AccessDeniedException")
	viaS3 := kmsRec("Decrypt", "a", "AccessDeniedException")
	viaS3.UserIdentity.InvokedBy = audit.SourceS3
	get := &audit.Record{EventName: "GetObject", EventSource: audit.SourceS3, ErrorCode: "AccessDenied",
		ErrorMessage: "User: arn:aws:iam::123456789012:user/a is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/k1 because no identity-based policy allows the kms:Decrypt action"}
	put := &audit.Record{EventName: "PutObject", EventSource: audit.SourceS3, ErrorCode: "AccessDenied",
		ErrorMessage: "User: arn:aws:iam::123456789012:user/a is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:123456789012:key/k1 because no identity-based policy allows the kms:GenerateDataKey action"}
	s3Denied := &audit.Record{EventName: "GetObject", EventSource: audit.SourceS3, ErrorCode: "AccessDenied", ErrorMessage: "Access Denied"}
	for _, c := range []struct {
		name string
		rec  *audit.Record
		want bool
	}{
		{"direct KMS Decrypt denied", direct, true},
		{"KMS Decrypt S3 made (its S3 request counts)", viaS3, false},
		{"S3 read denied kms:Decrypt", get, true},
		{"S3 write denied kms:GenerateDataKey", put, false},
		{"S3 read denied by S3 policy", s3Denied, false},
		{"direct KMS Decrypt allowed", kmsRec("Decrypt", "a", ""), false},
	} {
		if got := rule.matches(c.rec); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Rules naming exact eventNames are found through the index only for those names; others
// are tried on every record.
func TestIndex(t *testing.T) {
	f, err := Parse("x.yaml", []byte(`rules:
- {name: a, match: {eventName: [DisableKey, PutKeyPolicy]}}
- {name: b, match: {eventName: "Put*"}}
- {name: c, match: [{eventName: Decrypt}, {errorCode: AccessDenied}]}
- {name: d, match: [{eventName: Decrypt}, {eventName: DisableKey}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Build("x.yaml", f, Options{NoDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	ix := buildIndex(rules)
	if got := ix.always; len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("always: %v", got)
	}
	if got := ix.byName["DisableKey"]; len(got) != 2 || got[0] != 0 || got[1] != 3 {
		t.Errorf("DisableKey: %v", got)
	}
	if got := ix.byName["Decrypt"]; len(got) != 1 || got[0] != 3 {
		t.Errorf("Decrypt: %v", got)
	}
}
