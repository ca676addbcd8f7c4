package policy

import (
	"fmt"
	"testing"
	"time"
)

const (
	acct    = "123456789012"
	other   = "210987654321"
	keyARN  = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	otherK  = "arn:aws:kms:us-east-1:123456789012:key/0000abcd-12ab-34cd-56ef-1234567890ab"
	hexID   = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
	objARN  = "arn:aws:s3:::B/report.csv"
	bktARN  = "arn:aws:s3:::B"
	aliceAR = "arn:aws:iam::123456789012:user/alice"
)

var principals = map[string]Principal{
	"alice":     {Type: TypeIAMUser, ARN: aliceAR, Account: acct, Username: "alice", UserID: "AIDAALICE", CanonicalID: hexID},
	"bob":       {Type: TypeIAMUser, ARN: "arn:aws:iam::123456789012:user/bob", Account: acct, Username: "bob", UserID: "AIDABOB", CanonicalID: hexID},
	"root":      {Type: TypeRoot, ARN: "arn:aws:iam::123456789012:root", Account: acct, CanonicalID: hexID},
	"session":   {Type: TypeAssumedRole, ARN: "arn:aws:sts::123456789012:assumed-role/r/s", Account: acct, UserID: "AROAR:s"},
	"stranger":  {Type: TypeIAMUser, ARN: "arn:aws:iam::210987654321:user/alice", Account: other, Username: "alice", UserID: "AIDAX"},
	"anonymous": {Type: TypeAnonymous},
	"s3":        {Type: TypeService, ARN: "s3.amazonaws.com"},
}

// The four canonical bucket policies of reference §5.3.
var canonical = map[string]string{
	"DenyUnencryptedPut": `{"Sid":"DenyUnencryptedPut","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
		"Resource":"arn:aws:s3:::B/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}`,
	"DenyWrongSSE": `{"Sid":"DenyWrongSSE","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
		"Resource":"arn:aws:s3:::B/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}`,
	"DenyWrongKey": `{"Sid":"DenyWrongKey","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::B/*",
		"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"` + keyARN + `"}}}`,
	"DenyNonTLS": `{"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"s3:*",
		"Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
}

// s3req builds a request from alice: action, resource, TLS or not, and SSE headers.
func s3req(action, resource string, tls bool, headers ...string) *Request {
	r := &Request{Principal: principals["alice"], Action: action, Resource: resource}
	r.FillGlobalKeys(time.Unix(1700000000, 0))
	r.Set(KeySecureTransport, fmt.Sprint(tls))
	r.Set(KeySourceIP, "192.0.2.10")
	for i := 0; i+1 < len(headers); i += 2 {
		r.Set(headers[i], headers[i+1])
	}
	return r
}

var canonicalRequests = map[string]*Request{
	"put no header https":   s3req("s3:PutObject", objARN, true),
	"put AES256 https":      s3req("s3:PutObject", objARN, true, KeySSE, "AES256"),
	"put aws:kms https":     s3req("s3:PutObject", objARN, true, KeySSE, "aws:kms"),
	"put aws:kms K https":   s3req("s3:PutObject", objARN, true, KeySSE, "aws:kms", KeySSEKMSKeyID, keyARN),
	"put aws:kms K2 https":  s3req("s3:PutObject", objARN, true, KeySSE, "aws:kms", KeySSEKMSKeyID, otherK),
	"put SSE-C https":       s3req("s3:PutObject", objARN, true, KeySSECAlgorithm, "AES256"),
	"put no header http":    s3req("s3:PutObject", objARN, false),
	"put aws:kms K http":    s3req("s3:PutObject", objARN, false, KeySSE, "aws:kms", KeySSEKMSKeyID, keyARN),
	"get http":              s3req("s3:GetObject", objARN, false),
	"get https":             s3req("s3:GetObject", objARN, true),
	"list http":             s3req("s3:ListBucket", bktARN, false),
	"put other bucket http": s3req("s3:PutObject", "arn:aws:s3:::C/x", false),
}

// Expected decisions, D = Deny, - = NotApplicable. Header-less and SSE-C uploads carry no
// x-amz-server-side-encryption key, so the negated operators deny them too.
var canonicalTests = []struct {
	policy string
	denied []string
}{
	{"DenyUnencryptedPut", []string{"put no header https", "put SSE-C https", "put no header http"}},
	{"DenyWrongSSE", []string{"put no header https", "put AES256 https", "put SSE-C https", "put no header http"}},
	{"DenyWrongKey", []string{"put no header https", "put AES256 https", "put aws:kms https", "put aws:kms K2 https",
		"put SSE-C https", "put no header http"}},
	{"DenyNonTLS", []string{"put no header http", "put aws:kms K http", "get http", "list http"}},
}

func TestCanonicalBucketPolicies(t *testing.T) {
	allow := `{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"s3:*","Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]}`
	for _, tt := range canonicalTests {
		deny := MustParse(`{"Version":"2012-10-17","Statement":[`+canonical[tt.policy]+`]}`, Bucket)
		both := MustParse(`{"Version":"2012-10-17","Statement":[`+allow+`,`+canonical[tt.policy]+`]}`, Bucket)
		for name, r := range canonicalRequests {
			want := NotApplicable
			for _, d := range tt.denied {
				if d == name {
					want = Deny
				}
			}
			if got := deny.Evaluate(r); got != want {
				t.Errorf("%s, %s: %v, want %v", tt.policy, name, got, want)
			}
			wantBoth := want
			if want == NotApplicable && name != "put other bucket http" {
				wantBoth = Allow
			}
			if got := both.Evaluate(r); got != wantBoth {
				t.Errorf("%s with an Allow, %s: %v, want %v", tt.policy, name, got, wantBoth)
			}
		}
	}
}

var principalTests = []struct {
	principal string
	matches   []string
}{
	{`"*"`, []string{"alice", "bob", "root", "session", "stranger", "anonymous", "s3"}},
	{`{"AWS":"*"}`, []string{"alice", "bob", "root", "session", "stranger", "anonymous", "s3"}},
	{`{"AWS":"123456789012"}`, []string{"alice", "bob", "root", "session"}},
	{`{"AWS":"arn:aws:iam::123456789012:root"}`, []string{"alice", "bob", "root", "session"}},
	{`{"AWS":["arn:aws:iam::123456789012:user/alice"]}`, []string{"alice"}},
	{`{"AWS":["arn:aws:iam::210987654321:user/alice","arn:aws:iam::123456789012:user/bob"]}`, []string{"bob", "stranger"}},
	{`{"AWS":"arn:aws:iam::123456789012:role/r"}`, []string{"session"}},
	{`{"AWS":"arn:aws:iam::123456789012:role/q"}`, nil},
	{`{"AWS":"arn:aws:sts::123456789012:assumed-role/r/s"}`, []string{"session"}},
	{`{"Service":"s3.amazonaws.com"}`, []string{"s3"}},
	{`{"CanonicalUser":"` + hexID + `"}`, []string{"alice", "bob", "root"}},
	{`{"Federated":"cognito-identity.amazonaws.com"}`, nil},
}

func TestPrincipals(t *testing.T) {
	for _, tt := range principalTests {
		for _, not := range []bool{false, true} {
			elem, effect := "Principal", "Allow"
			if not {
				elem, effect = "NotPrincipal", "Deny"
			}
			p := MustParse(`{"Statement":{"Effect":"`+effect+`","`+elem+`":`+tt.principal+`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::B/*"}}`, Bucket)
			for name, pr := range principals {
				matched := false
				for _, m := range tt.matches {
					matched = matched || m == name
				}
				want := NotApplicable
				switch {
				case !not && matched:
					want = Allow
				case not && !matched:
					want = Deny
				}
				r := &Request{Principal: pr, Action: "s3:GetObject", Resource: objARN}
				if got := p.Evaluate(r); got != want {
					t.Errorf("%s %s, caller %s: %v, want %v", elem, tt.principal, name, got, want)
				}
			}
		}
	}
}

var statementTests = []struct {
	name     string
	kind     Kind
	stmt     string
	action   string
	resource string
	want     Decision
}{
	{"action case", Identity, `"Effect":"Allow","Action":"S3:getOBJECT","Resource":"*"`, "s3:GetObject", objARN, Allow},
	{"action wildcard", Identity, `"Effect":"Allow","Action":"s3:Get*","Resource":"*"`, "s3:GetObjectTagging", objARN, Allow},
	{"action ?", Identity, `"Effect":"Allow","Action":"s3:?etObject","Resource":"*"`, "s3:PutObject", objARN, NotApplicable},
	{"other action", Identity, `"Effect":"Allow","Action":"s3:Get*","Resource":"*"`, "s3:PutObject", objARN, NotApplicable},
	{"NotAction miss", Identity, `"Effect":"Allow","NotAction":"iam:*","Resource":"*"`, "s3:GetObject", objARN, Allow},
	{"NotAction hit", Identity, `"Effect":"Allow","NotAction":["iam:*","s3:Delete*"],"Resource":"*"`, "s3:DeleteObject", objARN, NotApplicable},
	{"NotAction deny", Identity, `"Effect":"Deny","NotAction":"kms:*","Resource":"*"`, "iam:CreateUser", "arn:aws:iam::123456789012:user/x", Deny},
	{"NotResource deny", Bucket, `"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]`, "s3:GetObject", "arn:aws:s3:::C/k", Deny},
	{"NotResource own", Bucket, `"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]`, "s3:GetObject", objARN, NotApplicable},
	{"object pattern vs bucket", Bucket, `"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::B/*"`, "s3:ListBucket", bktARN, NotApplicable},
	{"star crosses slash and colon", Bucket, `"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::B*"`, "s3:GetObject", "arn:aws:s3:::B/a/b:c", Allow},
	{"key ARN other account", Key, `"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"arn:aws:kms:*:123456789012:key/*"`, "kms:Decrypt", "arn:aws:kms:us-east-1:210987654321:key/k", NotApplicable},
	{"key ARN any region", Key, `"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"arn:aws:kms:*:123456789012:key/*"`, "kms:Decrypt", keyARN, Allow},
	{"star in region only", Key, `"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"arn:aws:kms:*:123456789012:key/*"`, "kms:Decrypt", "arn:aws:kms:us-east-1:x:123456789012:key/k", NotApplicable},
	{"non-ARN resource", Key, `"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"arn:aws:kms:*:*:*"`, "kms:ListKeys", "*", NotApplicable},
	{"non-ARN resource, *", Key, `"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"`, "kms:ListKeys", "*", Allow},
	{"home directory", Identity, `"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::B/home/${aws:username}/*"`, "s3:GetObject", "arn:aws:s3:::B/home/alice/x", Allow},
	{"home directory, other user", Identity, `"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::B/home/${aws:username}/*"`, "s3:GetObject", "arn:aws:s3:::B/home/bob/x", NotApplicable},
	{"variable in account", Identity, `"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"`, "iam:GetUser", aliceAR, Allow},
}

func TestStatements(t *testing.T) {
	for _, tt := range statementTests {
		p := MustParse(`{"Version":"2012-10-17","Statement":{`+tt.stmt+`}}`, tt.kind)
		r := &Request{Principal: principals["alice"], Action: tt.action, Resource: tt.resource}
		r.FillGlobalKeys(time.Now())
		if got := p.Evaluate(r); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Variables resolve only in 2012-10-17 policies, to literal text; an unresolvable one
// matches nothing unless it has a default.
var variableTests = []struct {
	version, resource, username, key string
	want                             Decision
}{
	{Version2012, "home/${aws:username}/*", "alice", "home/alice/x", Allow},
	{Version2012, "home/${aws:username}/*", "a*", "home/abc/x", NotApplicable},
	{Version2012, "home/${aws:username}/*", "a*", "home/a*/x", Allow},
	{Version2012, "home/${aws:username}/*", "", "home//x", NotApplicable},
	{Version2012, "home/${aws:username, 'shared'}/*", "", "home/shared/x", Allow},
	{Version2012, "${*}${?}${$}", "alice", "*?$", Allow},
	{Version2012, "${*}${?}${$}", "alice", "a?$", NotApplicable},
	{Version2012, "${aws:username", "alice", "${aws:username", Allow},
	{Version2008, "home/${aws:username}/*", "alice", "home/alice/x", NotApplicable},
	{Version2008, "home/${aws:username}/*", "alice", "home/${aws:username}/x", Allow},
	{"", "home/${aws:username}/*", "alice", "home/${aws:username}/x", Allow},
}

func TestVariables(t *testing.T) {
	for _, tt := range variableTests {
		doc := `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::B/` + tt.resource + `"}}`
		if tt.version != "" {
			doc = `{"Version":"` + tt.version + `",` + doc[1:]
		}
		p := MustParse(doc, Identity)
		pr := principals["alice"]
		pr.Username = tt.username
		r := &Request{Principal: pr, Action: "s3:GetObject", Resource: "arn:aws:s3:::B/" + tt.key}
		r.FillGlobalKeys(time.Now())
		if got := p.Evaluate(r); got != tt.want {
			t.Errorf("%s %q, user %q, key %q: %v, want %v", tt.version, tt.resource, tt.username, tt.key, got, tt.want)
		}
	}
}

// Deny wins over Allow within a policy and across policies.
func TestDenyWins(t *testing.T) {
	p := MustParse(`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"},{"Effect":"Allow","Action":"s3:Delete*","Resource":"*"}]}`, Identity)
	r := &Request{Principal: principals["alice"], Action: "s3:DeleteObject", Resource: objARN}
	if got := p.Evaluate(r); got != Deny {
		t.Errorf("Evaluate = %v, want Deny", got)
	}
	for _, tt := range []struct {
		in   []Decision
		want Decision
	}{
		{nil, NotApplicable},
		{[]Decision{NotApplicable, NotApplicable}, NotApplicable},
		{[]Decision{NotApplicable, Allow}, Allow},
		{[]Decision{Allow, Deny, Allow}, Deny},
		{[]Decision{Deny, NotApplicable}, Deny},
	} {
		if got := Combine(tt.in...); got != tt.want {
			t.Errorf("Combine(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// A parsed Policy is shared by concurrent requests (run with -race).
func TestConcurrentEvaluate(t *testing.T) {
	p := MustParse(benchPolicy, Bucket)
	done := make(chan Decision)
	for i := 0; i < 8; i++ {
		go func() {
			r := &Request{Principal: principals["alice"], Action: "s3:GetObject", Resource: "arn:aws:s3:::B/home/alice/x"}
			r.FillGlobalKeys(time.Now())
			r.Set("AWS:SecureTransport", "true")
			d := NotApplicable
			for j := 0; j < 200; j++ {
				d = p.Evaluate(r)
			}
			done <- d
		}()
	}
	for i := 0; i < 8; i++ {
		if d := <-done; d != Allow {
			t.Errorf("decision %v, want Allow", d)
		}
	}
	var nilPolicy *Policy
	if d := nilPolicy.Evaluate(&Request{}); d != NotApplicable || nilPolicy.IsPublic() {
		t.Errorf("nil policy: %v", d)
	}
}
