package policy

import (
	"errors"
	"strings"
	"testing"
)

const (
	bucketStmt = `"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`
	keyStmt    = `"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"`
	idStmt     = `"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"`
)

var parseTests = []struct {
	kind   Kind
	doc    string
	reason string // "" = accepted
}{
	// Accepted shapes.
	{Bucket, `{"Version":"2012-10-17","Statement":[{` + bucketStmt + `}]}`, ""},
	{Bucket, `{"Version":"2008-10-17","Id":"x","Statement":{"Sid":"Public read",` + bucketStmt + `}}`, ""},
	{Bucket, `{"Statement":{` + bucketStmt + `}}`, ""},
	{Key, `{"Statement":[{` + keyStmt + `}]}`, ""},
	{Key, `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`, ""},
	{Identity, `{"Statement":{` + idStmt + `}}`, ""},
	{Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:Get*"],"NotResource":"arn:aws:iam::*:user/${aws:username}"}]}`, ""},
	{Bucket, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["123456789012","arn:aws:iam::123456789012:user/alice"],"Service":"s3.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","Federated":"cognito-identity.amazonaws.com"},"Action":["s3:*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}]}`, ""},
	{Bucket, `{"Version":"2012-10-17","Statement":[{` + bucketStmt + `,"Condition":{"ForAnyValue:StringLikeIfExists":{"s3:ExistingObjectTag/team":["a*",true,12]},"Null":{"s3:x-amz-server-side-encryption":"true"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","192.0.2.1"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"BinaryEquals":{"aws:x":"QmluYXJ5"}}}]}`, ""},
	{Key, `{"Statement":[{` + keyStmt + `,"Condition":{"StringEquals":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b/k"}}}]}`, ""},

	// Document shape.
	{Bucket, `[]`, "Policies must be valid JSON and the first byte must be '{'"},
	{Bucket, ``, "Policies must be valid JSON and the first byte must be '{'"},
	{Bucket, `{"Statement":`, "This policy contains invalid Json"},
	{Identity, `{"Statement":`, "Syntax errors in policy."},
	{Bucket, `{"Version":"2012-10-17"}`, "Missing required field Statement"},
	{Bucket, `{"Version":"2012-10-17","Statement":[]}`, "Could not parse the policy: Statement is empty!"},
	{Bucket, `{"Version":"2012-10-18","Statement":{` + bucketStmt + `}}`, "The policy must contain a valid version string"},
	{Bucket, `{"Foo":1,"Statement":{` + bucketStmt + `}}`, "Unknown field Foo"},
	{Bucket, `{"Statement":{"Foo":1,` + bucketStmt + `}}`, "Unknown field Foo"},
	{Bucket, `{"Statement":["x"]}`, "This policy contains invalid Json"},
	{Bucket, "{\"Statement\":{\"Sid\":\"\xff\"," + bucketStmt + "}}", "This policy contains invalid Json"},

	// Effect.
	{Bucket, `{"Statement":{"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Invalid effect: allow"},
	{Bucket, `{"Statement":{"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Missing required field Effect"},

	// Principal.
	{Identity, `{"Statement":{"Principal":"*",` + idStmt + `}}`, "Policy document should not specify a principal."},
	{Bucket, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Missing required field Principal"},
	{Key, `{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}`, "Missing required field Principal"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"alice","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Invalid principal in policy"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Invalid principal in policy"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Invalid principal in policy"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":{"Bob":"x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Invalid principal in policy"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Invalid principal in policy"},
	{Key, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/g"},"Action":"kms:*","Resource":"*"}}`, "Policy contains a statement with one or more invalid principals."},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, "Statement can not have both Principal and NotPrincipal"},

	// Action.
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::b/*"}}`, "Missing required field Action"},
	{Identity, `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "Policy statement must contain actions."},
	{Identity, `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, "Policy statement must contain actions."},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:Get Object","Resource":"arn:aws:s3:::b/*"}}`, "Policy has invalid action"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"arn:aws:s3:::b/*"}}`, "Policy has invalid action"},
	{Key, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, "Policy has invalid action"},
	{Identity, `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
	{Identity, `{"Statement":{"Effect":"Allow","Action":"s3:a:b","Resource":"*"}}`, "Actions/Condition can contain only one colon."},
	{Identity, `{"Statement":{"Effect":"Allow","Action":"s 3:x","Resource":"*"}}`, "Vendor s 3 is not valid"},
	{Identity, `{"Statement":{"Effect":"Allow","Action":"s3:x","NotAction":"s3:y","Resource":"*"}}`, "Syntax errors in policy."},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:x","NotAction":"s3:y","Resource":"arn:aws:s3:::b"}}`, "Statement can not have both Action and NotAction"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":7,"Resource":"arn:aws:s3:::b"}}`, "This policy contains invalid Json"},

	// Resource.
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}}`, "Missing required field Resource"},
	{Key, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt"}}`, "Missing required field Resource"},
	{Identity, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject"}}`, "Policy statement must contain resources."},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, "Policy has invalid resource"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"b/*"}}`, "Policy has invalid resource"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1::b/*"}}`, "Policy has invalid resource"},
	{Bucket, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:kms:::b"}}`, "Policy has invalid resource"},
	{Identity, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"bucket"}}`, `Resource bucket must be in ARN format or "*".`},
	{Identity, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s*:::b"}}`, `Resource arn:aws:s*:::b must be in ARN format or "*".`},

	// Condition.
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"StringEqualz":{"aws:username":"a"}}}}`, "Invalid Condition operator: StringEqualz"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"NullIfExists":{"aws:username":"true"}}}}`, "Invalid Condition operator: NullIfExists"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"ForAnyValue:Null":{"aws:username":"true"}}}}`, "Invalid Condition operator: ForAnyValue:Null"},
	{Identity, `{"Statement":{` + idStmt + `,"Condition":{"Foo":{"aws:username":"a"}}}}`, "Syntax errors in policy."},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"StringEquals":{"username":"a"}}}}`, "Policy has an invalid condition key"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"StringEquals":{"aws:username":{"a":1}}}}}`, "This policy contains invalid Json"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"StringEquals":{"aws:username":null}}}}`, "This policy contains invalid Json"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"StringEquals":"x"}}}`, "This policy contains invalid Json"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}}`, "Invalid Condition value: NumericLessThan ten"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}}`, "Invalid Condition value: DateLessThan tomorrow"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}`, "Invalid Condition value: Bool yes"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}}`, "Invalid Condition value: IpAddress 10.0.0.0/33"},
	{Bucket, `{"Statement":{` + bucketStmt + `,"Condition":{"BinaryEquals":{"aws:x":"%%%"}}}}`, "Invalid Condition value: BinaryEquals %%%"},

	// Sids in identity policies.
	{Identity, `{"Statement":[{"Sid":"a b",` + idStmt + `}]}`, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
	{Identity, `{"Statement":[{"Sid":"A",` + idStmt + `},{"Sid":"A",` + idStmt + `}]}`, "Statement IDs (SID) in a single policy must be unique."},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		_, err := Parse([]byte(tt.doc), tt.kind)
		switch {
		case tt.reason == "" && err != nil:
			t.Errorf("%v %s: %v", tt.kind, tt.doc, err)
		case tt.reason != "" && err == nil:
			t.Errorf("%v %s: accepted, want %q", tt.kind, tt.doc, tt.reason)
		case err != nil:
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge) {
				t.Errorf("%v %s: error %#v is not a malformed *ParseError", tt.kind, tt.doc, err)
			}
			if Reason(err) != tt.reason {
				t.Errorf("%v %s:\n got %q\nwant %q", tt.kind, tt.doc, Reason(err), tt.reason)
			}
		}
	}
}

var sizeTests = []struct {
	kind Kind
	pad  int // bytes of padding in the Sid
	ok   bool
}{
	{Bucket, 20480, false},
	{Bucket, 20000, true},
	{Key, 32768, false},
	{Key, 32000, true},
	{Identity, 7000, false},
	{Identity, 6000, true},
}

func TestSizeLimits(t *testing.T) {
	stmts := map[Kind]string{Bucket: bucketStmt, Key: keyStmt, Identity: idStmt}
	for _, tt := range sizeTests {
		doc := `{"Statement":{"Sid":"` + strings.Repeat("a", tt.pad) + `",` + stmts[tt.kind] + `}}`
		_, err := Parse([]byte(doc), tt.kind)
		if tt.ok != (err == nil) {
			t.Errorf("%v with %d bytes: %v", tt.kind, len(doc), err)
		}
		if err != nil && (!errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrMalformed)) {
			t.Errorf("%v: %v is not ErrTooLarge and ErrMalformed", tt.kind, err)
		}
	}
	// IAM does not count white space, S3 not white space between JSON tokens.
	doc := `{"Statement":{"Sid":"` + strings.Repeat("a", 6000) + `",` + idStmt + `}}` + strings.Repeat(" \n", 1000)
	if _, err := Parse([]byte(doc), Identity); err != nil {
		t.Errorf("white space counted: %v", err)
	}
	doc = `{"Statement":{"Sid":"` + strings.Repeat("a", 20000) + `",` + bucketStmt + `}}` + strings.Repeat(" \n", 1000)
	if _, err := Parse([]byte(doc), Bucket); err != nil {
		t.Errorf("white space counted: %v", err)
	}
	if _, err := Parse([]byte(`{}`), Kind(0)); err == nil || errors.Is(err, ErrMalformed) {
		t.Errorf("Kind(0): %v", err)
	}
}

func TestCheckBucketResources(t *testing.T) {
	for _, tt := range []struct {
		resources string
		ok        bool
	}{
		{`["arn:aws:s3:::b","arn:aws:s3:::b/*"]`, true},
		{`"arn:aws:s3:::b/home/${aws:username}/*"`, true},
		{`"arn:aws:s3:::bb/*"`, false},
		{`"arn:aws:s3:::b*"`, false},
		{`"arn:aws:s3:::other"`, false},
	} {
		p := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":`+tt.resources+`}}`, Bucket)
		err := p.CheckBucketResources("b")
		if tt.ok != (err == nil) || err != nil && Reason(err) != "Policy has invalid resource" {
			t.Errorf("%s: %v", tt.resources, err)
		}
	}
}
