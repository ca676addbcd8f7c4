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
