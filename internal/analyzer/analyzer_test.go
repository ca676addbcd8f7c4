package analyzer

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const (
	own   = "111122223333"
	other = "444455556666"
)

func bp(stmts string) string { return `{"Version":"2012-10-17","Statement":[` + stmts + `]}` }

// bucketTests: a bucket's policy, ACL and Block Public Access, and the findings expected
// (principal value of "AWS" or "CanonicalUser", isPublic, one action that must be in it).
var bucketTests = []struct {
	name     string
	b        Bucket
	want     []string // "principal|public|action|source"
	wantNone bool
}{
	{name: "public read", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		want: []string{"*|true|s3:GetObject|POLICY"}},
	{name: "public via AWS star", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}`)},
		want: []string{"*|true|s3:ListBucket|POLICY"}},
	{name: "cross-account root", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}`)},
		want: []string{"arn:aws:iam::" + other + ":root|false|s3:PutObject|POLICY"}},
	{name: "cross-account by id", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		want: []string{other + "|false|s3:GetObject|POLICY"}},
	{name: "cross-account user", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:user/u"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		want: []string{"arn:aws:iam::" + other + ":user/u|false|s3:GetObject|POLICY"}},
	{name: "own account only", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + own + `:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`)},
		wantNone: true},
	{name: "star bounded to own account", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + own + `"}}}`)},
		wantNone: true},
	{name: "star bounded to own source account", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceAccount":"` + own + `"}}}`)},
		wantNone: true},
	{name: "star pinned to other account", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + other + `"}}}`)},
		want: []string{"*|false|s3:GetObject|POLICY"}},
	{name: "star pinned to an org", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}`)},
		want: []string{"*|false|s3:GetObject|POLICY"}},
	{name: "star by source ip", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/24"}}}`)},
		want: []string{"*|false|s3:GetObject|POLICY"}},
	{name: "public blocked by RestrictPublicBuckets", b: Bucket{RestrictPublicBuckets: true, Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		wantNone: true},
	{name: "cross-account kept under RestrictPublicBuckets", b: Bucket{RestrictPublicBuckets: true, Policy: bp(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
		want: []string{other + "|false|s3:GetObject|POLICY"}},
	{name: "allow taken back by deny", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"` + own + `"}}}`)},
		wantNone: true},
	{name: "NotAction grants the rest", b: Bucket{Policy: bp(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"NotAction":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}`)},
		want: []string{other + "|false|s3:GetObject|POLICY"}},
	{name: "public ACL", b: Bucket{Grants: []ACLGrant{{Grant: acl.Grant{Grantee: acl.Grantee{URI: acl.AllUsers}, Permission: acl.Read}}}},
		want: []string{"*|true|s3:ListBucket|BUCKET_ACL"}},
	{name: "authenticated-users ACL", b: Bucket{Grants: []ACLGrant{{Grant: acl.Grant{Grantee: acl.Grantee{URI: acl.AuthenticatedUsers}, Permission: acl.Write}}}},
		want: []string{"*|true|s3:PutObject|BUCKET_ACL"}},
	{name: "public ACL under IgnorePublicAcls", b: Bucket{IgnorePublicAcls: true, Grants: []ACLGrant{{Grant: acl.Grant{Grantee: acl.Grantee{URI: acl.AllUsers}, Permission: acl.Read}}}},
		wantNone: true},
	{name: "ACL grant to other account", b: Bucket{Grants: []ACLGrant{{Account: other, Grant: acl.Grant{Grantee: acl.Grantee{ID: "ab" + fmt.Sprintf("%062d", 1)}, Permission: acl.ReadACP}}}},
		want: []string{"ab" + fmt.Sprintf("%062d", 1) + "|false|s3:GetBucketAcl|BUCKET_ACL"}},
	{name: "ACL grant to own account", b: Bucket{Grants: []ACLGrant{{Account: own, Grant: acl.Grant{Grantee: acl.Grantee{ID: "cd" + fmt.Sprintf("%062d", 1)}, Permission: acl.FullControl}}}},
		wantNone: true},
}

func describe(a Access) string {
	p := a.Principal["AWS"]
	if p == "" {
		p = a.Principal["CanonicalUser"]
	}
	return fmt.Sprintf("%s|%v|%v", p, a.IsPublic, a.Sources)
}

func TestBucketAccess(t *testing.T) {
	e := NewEngine(time.Now)
	for _, tt := range bucketTests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b
			b.Name, b.Account = "b", own
			got, err := e.BucketAccess(context.Background(), &b)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNone {
				if len(got) != 0 {
					t.Fatalf("got %+v, want none", got)
				}
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %v", got, tt.want)
			}
			for i, w := range tt.want {
				var p, pub, act, src string
				fmt.Sscanf(replaceBars(w), "%s %s %s %s", &p, &pub, &act, &src)
				if d := describe(got[i]); d != fmt.Sprintf("%s|%s|[%s]", p, pub, src) || !slices.Contains(got[i].Actions, act) {
					t.Errorf("got %s %v, want %s", d, got[i].Actions, w)
				}
				if got[i].Resource != "arn:aws:s3:::b" || got[i].ResourceType != TypeBucket || got[i].Owner != own {
					t.Errorf("resource %+v", got[i])
				}
			}
		})
	}
}

func replaceBars(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '|' {
			b[i] = ' '
		}
	}
	return string(b)
}

func kp(stmts string) string {
	return bp(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + own + `:root"},"Action":"kms:*","Resource":"*"}` + stmts)
}

var keyTests = []struct {
	name    string
	k       Key
	want    string // principal|public|actions ("" = no finding)
	actions []string
}{
	{name: "default policy", k: Key{Policy: kp("")}},
	{name: "other account decrypt", k: Key{Policy: kp(`,{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}`)},
		want: "arn:aws:iam::" + other + ":root|false|[]", actions: []string{"kms:Decrypt", "kms:DescribeKey"}},
	{name: "public key", k: Key{Policy: kp(`,{"Effect":"Allow","Principal":"*","Action":"kms:Encrypt","Resource":"*"}`)},
		want: "*|true|[]", actions: []string{"kms:Encrypt"}},
	{name: "star via service in own account", k: Key{Policy: kp(`,{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` + own + `","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}`)}},
	{name: "star for the other account", k: Key{Policy: kp(`,{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` + other + `"}}}`)},
		want: "*|false|[]", actions: []string{"kms:Decrypt"}},
	{name: "grant to other account", k: Key{Policy: kp(""), Grants: []KeyGrant{{Grantee: "arn:aws:iam::" + other + ":root", Operations: []string{"Decrypt", "GenerateDataKey"}, Subset: map[string]string{"app": "x"}}}},
		want: "arn:aws:iam::" + other + ":root|false|[KMS_GRANT]", actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}},
	{name: "grant to own user", k: Key{Policy: kp(""), Grants: []KeyGrant{{Grantee: "arn:aws:iam::" + own + ":user/u", Operations: []string{"Decrypt"}}}}},
	{name: "grant denied by key policy", k: Key{Policy: kp(`,{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"kms:CallerAccount":"` + own + `"}}}`),
		Grants: []KeyGrant{{Grantee: "arn:aws:iam::" + other + ":root", Operations: []string{"Decrypt"}}}}},
}

func TestKeyAccess(t *testing.T) {
	e := NewEngine(time.Now)
	for _, tt := range keyTests {
		t.Run(tt.name, func(t *testing.T) {
			k := tt.k
			k.ARN, k.Account = "arn:aws:kms:us-east-1:"+own+":key/k", own
			got, err := e.KeyAccess(context.Background(), &k)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("got %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || describe(got[0]) != tt.want || !slices.Equal(got[0].Actions, tt.actions) {
				t.Fatalf("got %+v, want %s %v", got, tt.want, tt.actions)
			}
		})
	}
	// The "star for the other account" case is reported with its conditions.
	k := keyTests[4].k
	k.ARN, k.Account = "arn:aws:kms:us-east-1:"+own+":key/k", own
	got, _ := e.KeyAccess(context.Background(), &k)
	if len(got) != 1 || got[0].Condition["kms:CallerAccount"] != other {
		t.Errorf("conditions %+v", got)
	}
}

// facts is a fixed set of resources for the service tests.
type facts struct {
	buckets map[string]Bucket
	keys    map[string]Key
}

func (f *facts) Buckets(_ context.Context, acct string) ([]Bucket, error) {
	var out []Bucket
	for _, b := range f.buckets {
		if b.Account == acct {
			out = append(out, b)
		}
	}
	return out, nil
}

func (f *facts) Bucket(_ context.Context, acct, name string) (Bucket, bool, error) {
	b, ok := f.buckets[name]
	return b, ok && b.Account == acct, nil
}

func (f *facts) Keys(_ context.Context, acct string) ([]Key, error) {
	var out []Key
	for _, k := range f.keys {
		if k.Account == acct {
			out = append(out, k)
		}
	}
	return out, nil
}

func (f *facts) Key(_ context.Context, acct, arn string) (Key, bool, error) {
	k, ok := f.keys[arn]
	return k, ok && k.Account == acct, nil
}

func openService(t testing.TB, f Facts) *Service {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "kv.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(Config{Region: "us-east-1"}, Deps{KV: db, Facts: f})
}

func TestFindingLifecycle(t *testing.T) {
	ctx := context.Background()
	f := &facts{buckets: map[string]Bucket{
		"pub": {Name: "pub", Account: own, Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}`)},
		"his": {Name: "his", Account: other, Policy: bp(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::his/*"}`)},
	}}
	s := openService(t, f)
	if _, err := s.CreateAnalyzer(ctx, own, "a", TypeAccount, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAnalyzer(ctx, own, "a", TypeAccount, nil); err == nil {
		t.Fatal("duplicate analyzer created")
	}
	if _, err := s.CreateAnalyzer(ctx, own, "org", TypeOrganization, nil); err == nil {
		t.Fatal("organization analyzer created")
	}
	fs, _ := s.Findings(ctx, own, "a")
	if len(fs) != 1 || fs[0].Resource != "arn:aws:s3:::pub" || fs[0].Status != StatusActive {
		t.Fatalf("findings %+v", fs)
	}
	id := fs[0].ID
	if err := s.UpdateFindings(ctx, own, "a", StatusArchived, []string{id}, ""); err != nil {
		t.Fatal(err)
	}
	// Re-analysis keeps an archived finding archived, with the same id.
	if err := s.BucketChanged(ctx, own, "pub"); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.GetFinding(ctx, own, "a", id); f.Status != StatusArchived {
		t.Fatalf("after re-analysis: %+v", f)
	}
	// The policy goes: RESOLVED; it comes back: ACTIVE again.
	pol := f.buckets["pub"]
	b := pol
	b.Policy = ""
	f.buckets["pub"] = b
	s.BucketChanged(ctx, own, "pub")
	if got, _ := s.GetFinding(ctx, own, "a", id); got.Status != StatusResolved {
		t.Fatalf("after policy removal: %+v", got)
	}
	if err := s.UpdateFindings(ctx, own, "a", StatusActive, []string{id}, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetFinding(ctx, own, "a", id); got.Status != StatusResolved {
		t.Fatalf("a resolved finding was reactivated by UpdateFindings: %+v", got)
	}
	f.buckets["pub"] = pol
	s.BucketChanged(ctx, own, "pub")
	if got, _ := s.GetFinding(ctx, own, "a", id); got.Status != StatusActive {
		t.Fatalf("after policy is back: %+v", got)
	}
	// The other account has no analyzer and sees nothing of this one.
	if _, err := s.Findings(ctx, other, "a"); err == nil {
		t.Fatal("other account reads the findings")
	}
	if err := s.DeleteAnalyzer(ctx, own, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetFinding(ctx, own, "a", id); err == nil {
		t.Fatal("finding of a deleted analyzer")
	}
}

// BenchmarkAnalyze1000Policies is the figure: one full analysis of an account with
// 1,000 bucket policies (a mix of public, cross-account, condition-bounded and private).
func BenchmarkAnalyze1000Policies(b *testing.B) {
	f := &facts{buckets: map[string]Bucket{}}
	for i := range 1000 {
		name := fmt.Sprintf("b%04d", i)
		var stmt string
		switch i % 4 {
		case 0:
			stmt = `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + name + `/*"}`
		case 1:
			stmt = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::` + name + `","arn:aws:s3:::` + name + `/*"]}`
		case 2:
			stmt = `{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::` + name + `/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + own + `"}}}`
		case 3:
			stmt = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + own + `:root"},"Action":"s3:*","Resource":"arn:aws:s3:::` + name + `/*"}`
		}
		f.buckets[name] = Bucket{Name: name, Account: own, Policy: bp(stmt)}
	}
	s := openService(b, f)
	ctx := context.Background()
	if _, err := s.CreateAnalyzer(ctx, own, "a", TypeAccount, nil); err != nil {
		b.Fatal(err)
	}
	if fs, _ := s.Findings(ctx, own, "a"); len(fs) != 500 {
		b.Fatalf("%d findings, want 500", len(fs))
	}
	b.ResetTimer()
	for range b.N {
		if err := s.Rescan(ctx, own); err != nil {
			b.Fatal(err)
		}
	}
}
