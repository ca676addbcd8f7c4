package policy

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// publicCase is one line of testdata/public.jsonl: a bucket policy's statements (BUCKET
// stands for the bucket) and whether S3 calls the policy public. The e2e suite runs the
// same table through PutBucketPolicy and GetBucketPolicyStatus (e2e/bpa_test.go).
type publicCase struct {
	Name      string          `json:"name"`
	Public    bool            `json:"public"`
	Statement json.RawMessage `json:"statement"`
}

func loadPublicCases(t *testing.T) []publicCase {
	t.Helper()
	f, err := os.Open("testdata/public.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []publicCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c publicCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("testdata/public.jsonl: %v: %s", err, sc.Text())
		}
		cases = append(cases, c)
	}
	return cases
}

func TestIsPublicTable(t *testing.T) {
	cases := loadPublicCases(t)
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		doc := `{"Version":"2012-10-17","Statement":` + strings.ReplaceAll(string(c.Statement), "BUCKET", "examplebucket") + `}`
		p, err := Parse([]byte(doc), Bucket)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if got := p.IsPublic(); got != c.Public {
			t.Errorf("%s: IsPublic = %v, want %v", c.Name, got, c.Public)
		}
	}
}

func TestIsPublicNil(t *testing.T) {
	var p *Policy
	if p.IsPublic() {
		t.Error("a nil policy is public")
	}
	if MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Identity).IsPublic() {
		t.Error("an identity policy is public")
	}
}

// FuzzIsPublic: IsPublic never panics on a policy Parse accepts, and a policy is public
// only through an Allow statement (removing the Allows leaves it non-public).
func FuzzIsPublic(f *testing.F) {
	for _, line := range []string{
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`,
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:userid":"AROAX:*"}}}`,
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:DataAccessPointArn":"arn:aws:s3:r:111122223333:accesspoint/*"}}}`,
		`{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`,
		`{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}}`,
	} {
		f.Add(`{"Version":"2012-10-17","Statement":` + line + `}`)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse([]byte(doc), Bucket)
		if err != nil {
			return
		}
		public := p.IsPublic()
		var denies []Statement
		for _, s := range p.Statements {
			if s.Effect == EffectDeny {
				denies = append(denies, s)
			}
		}
		if public && len(denies) == len(p.Statements) {
			t.Fatalf("a policy of Deny statements is public: %s", doc)
		}
		q := *p
		q.Statements = denies
		if q.IsPublic() {
			t.Fatalf("Deny statements made %s public", doc)
		}
	})
}
