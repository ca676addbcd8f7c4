package blastradius

import (
	"strings"
	"testing"
)

// FuzzResolve: any key reference a bucket default or inventory configuration may hold
// (id, ARN, alias name or ARN, garbage) resolves to the key's ARN or to "", never panics,
// and never to a key ARN it does not name.
func FuzzResolve(f *testing.F) {
	e := newEnvF(f)
	k := e.key(f, "alias/seed")
	for _, s := range []string{"", k.KeyID, k.ARN, "alias/seed", "arn:aws:kms:us-east-1:" + testAccount + ":alias/seed",
		"arn:aws:kms:us-east-1:999999999999:alias/seed", "arn:", "arn:aws:kms", "arn:aws:kms:::", "alias/", "key/x", "arn:aws:kms:us-east-1:1:key/"} {
		f.Add(testAccount, s)
		f.Add("", s)
		f.Add("999999999999", s)
	}
	f.Fuzz(func(t *testing.T, account, ref string) {
		got := e.svc.resolve(account, ref)
		switch {
		case got == "", got == k.ARN:
		case strings.HasPrefix(ref, "arn:") && got == ref:
		default:
			t.Fatalf("resolve(%q, %q) = %q", account, ref, got)
		}
	})
}
