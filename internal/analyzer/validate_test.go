package analyzer

import (
	"strings"
	"testing"
	"time"
)

var validateTests = []struct {
	name, doc, policyType, resourceType string
	want                                []string // findingType:issueCode
	path                                string   // the first finding's path, keys and indexes joined by "/"
}{
	{name: "clean identity", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, policyType: PolicyIdentity},
	{name: "missing version", doc: `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"WARNING:MISSING_VERSION"}},
	{name: "json syntax", doc: `{"Version":"2012-10-17",`, policyType: PolicyIdentity, want: []string{"ERROR:JSON_SYNTAX_ERROR"}},
	{name: "missing effect", doc: `{"Version":"2012-10-17","Statement":[{"Action":"s3:GetObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:MISSING_EFFECT"}, path: "Statement/0"},
	{name: "invalid effect", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:INVALID_EFFECT"}, path: "Statement/0/Effect"},
	{name: "invalid version", doc: `{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:INVALID_VERSION"}, path: "Version"},
	{name: "unknown element", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Foo":1}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:INVALID_POLICY_ELEMENT"}, path: "Statement/0/Foo"},
	{name: "principal in identity policy", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:UNSUPPORTED_PRINCIPAL"}},
	{name: "missing principal in bucket policy", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, policyType: PolicyResource, resourceType: TypeBucket,
		want: []string{"ERROR:MISSING_PRINCIPAL"}},
	{name: "invalid action in bucket policy", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:Get-Object","Resource":"arn:aws:s3:::b/*"}]}`, policyType: PolicyResource, resourceType: TypeBucket,
		want: []string{"ERROR:INVALID_ACTION"}},
	{name: "both Action and NotAction", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:UNSUPPORTED_ELEMENT_COMBINATION"}},
	{name: "allow with NotPrincipal", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, policyType: PolicyResource, resourceType: TypeBucket,
		want: []string{"SECURITY_WARNING:ALLOW_WITH_NOT_PRINCIPAL"}, path: "Statement/0/NotPrincipal"},
	{name: "redundant action", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:GetObject"],"Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"SUGGESTION:REDUNDANT_ACTION"}, path: "Statement/0/Action/1"},
	{name: "duplicate sid", doc: `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:UNIQUE_SIDS_REQUIRED"}},
	{name: "sid not alphanumeric", doc: `{"Version":"2012-10-17","Statement":[{"Sid":"a b","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, policyType: PolicyIdentity,
		want: []string{"ERROR:UNSUPPORTED_SID"}},
	{name: "key policy", doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`, policyType: PolicyResource},
}

func TestValidatePolicy(t *testing.T) {
	for _, tt := range validateTests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := ValidatePolicy([]byte(tt.doc), tt.policyType, tt.resourceType)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Type+":"+f.IssueCode)
				if f.Details == "" || !strings.HasPrefix(f.LearnMoreLink, "https://docs.aws.amazon.com/") || len(f.Locations) == 0 {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if tt.path != "" {
				var parts []string
				for _, p := range fs[0].Locations[0].Path {
					if p.Key != nil {
						parts = append(parts, *p.Key)
					} else {
						parts = append(parts, itoa(*p.Index))
					}
				}
				if strings.Join(parts, "/") != tt.path {
					t.Errorf("path %v, want %s", parts, tt.path)
				}
				l := fs[0].Locations[0]
				if l.End.Offset <= l.Start.Offset || l.End.Offset > len(tt.doc) {
					t.Errorf("span %+v", l)
				}
			}
		})
	}
}

func TestChecks(t *testing.T) {
	e := NewEngine(time.Now)
	ctx := t.Context()
	pub := bp(`{"Sid":"open","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	r, err := e.CheckNoPublicAccess(ctx, own, []byte(pub), TypeBucket)
	if err != nil || r.Pass || len(r.Reasons) != 1 || r.Reasons[0].StatementID != "open" {
		t.Fatalf("public bucket policy: %+v %v", r, err)
	}
	xacct := bp(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	if r, err := e.CheckNoPublicAccess(ctx, own, []byte(xacct), TypeBucket); err != nil || !r.Pass {
		t.Fatalf("cross-account bucket policy: %+v %v", r, err)
	}
	if r, err := e.CheckNoPublicAccess(ctx, own, []byte(kp(`,{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}`)), TypeKey); err != nil || r.Pass {
		t.Fatalf("public key policy: %+v %v", r, err)
	}
	if _, err := e.CheckNoPublicAccess(ctx, own, []byte(`{`), TypeBucket); err == nil {
		t.Fatal("malformed policy passed")
	}
	id := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObjectAcl","Resource":"*"}]}`
	if r, err := e.CheckAccessNotGranted(own, []byte(id), PolicyIdentity, []string{"s3:GetObject"}, nil); err != nil || r.Pass || r.Reasons[0].StatementIndex != 0 {
		t.Fatalf("granted: %+v %v", r, err)
	}
	if r, err := e.CheckAccessNotGranted(own, []byte(id), PolicyIdentity, []string{"s3:GetObjectAcl", "s3:PutObject"}, nil); err != nil || !r.Pass {
		t.Fatalf("denied or not granted: %+v %v", r, err)
	}
	if r, err := e.CheckAccessNotGranted(own, []byte(xacct), PolicyResource, []string{"s3:GetObject"}, []string{"arn:aws:s3:::b/k"}); err != nil || r.Pass {
		t.Fatalf("resource policy grants: %+v %v", r, err)
	}
	if r, err := e.CheckAccessNotGranted(own, []byte(xacct), PolicyResource, []string{"s3:GetObject"}, []string{"arn:aws:s3:::other/k"}); err != nil || !r.Pass {
		t.Fatalf("resource policy on another resource: %+v %v", r, err)
	}
}

// FuzzValidatePolicy: any document gets findings (or a validation error), never a panic,
// and every location's span lies within the document.
func FuzzValidatePolicy(f *testing.F) {
	for _, tt := range validateTests {
		f.Add(tt.doc, uint8(0))
	}
	f.Add(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Sid":"a"},"Id":"x"}`, uint8(1))
	f.Add(`{"Statement":[{"Sid":"a","Effect":"Deny","Principal":"*","NotAction":"kms:*","Resource":"*"},{"Sid":"a"}]}`, uint8(2))
	types := []string{PolicyIdentity, PolicyResource, PolicySCP}
	f.Fuzz(func(t *testing.T, doc string, typ uint8) {
		fs, err := ValidatePolicy([]byte(doc), types[int(typ)%len(types)], "")
		if err != nil {
			return
		}
		for _, x := range fs {
			for _, l := range x.Locations {
				if l.Start.Offset < 0 || l.End.Offset > len(doc) || l.End.Offset < l.Start.Offset {
					t.Fatalf("span %+v outside %q", l, doc)
				}
			}
		}
	})
}
