package policy

import (
	"testing"
	"time"
)

// Request.Lazy is asked only for keys the request lacks and only when a condition names
// them: a policy that never mentions s3:ExistingObjectTag costs no lookup.
func TestLazyKeys(t *testing.T) {
	allowPublic := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
		"Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/Class":"public"}}}}`, Bucket)
	plain := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, Bucket)
	var lazyTests = []struct {
		name  string
		p     *Policy
		tag   string // the object's "class" tag ("" = none)
		want  Decision
		calls int
	}{
		{"tag matches", allowPublic, "public", Allow, 1},
		{"tag differs", allowPublic, "private", NotApplicable, 1},
		{"no tag", allowPublic, "", NotApplicable, 1},
		{"policy without the key", plain, "public", Allow, 0},
	}
	for _, tt := range lazyTests {
		calls := 0
		r := &Request{Principal: principals["alice"], Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
		r.FillGlobalKeys(time.Now())
		r.Lazy = func(k string) []string {
			calls++
			if k == "s3:existingobjecttag/class" && tt.tag != "" {
				return []string{tt.tag}
			}
			return nil
		}
		if got := tt.p.Evaluate(r); got != tt.want || calls != tt.calls {
			t.Errorf("%s: %v after %d lookups, want %v after %d", tt.name, got, calls, tt.want, tt.calls)
		}
	}
}
