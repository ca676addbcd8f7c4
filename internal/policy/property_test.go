package policy

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Pools the generator draws statements and requests from, chosen to overlap so that
// many statements apply and Allow and Deny collide often.
var (
	genActions    = []string{`"s3:GetObject"`, `"s3:PutObject"`, `"s3:*"`, `"s3:Get*"`, `["s3:?utObject","s3:ListBucket"]`, `"s3:List*"`}
	genResources  = []string{`"arn:aws:s3:::B"`, `"arn:aws:s3:::B/*"`, `"arn:aws:s3:::C/*"`, `"arn:aws:s3:::*"`, `["arn:aws:s3:::B/home/${aws:username}/*","arn:aws:s3:::C"]`}
	genPrincipals = []string{`"*"`, `{"AWS":"123456789012"}`, `{"AWS":"arn:aws:iam::123456789012:user/alice"}`, `{"AWS":["210987654321","arn:aws:iam::123456789012:user/bob"]}`, `{"AWS":"*"}`}
	genConditions = []string{
		`{"Null":{"s3:x-amz-server-side-encryption":"true"}}`,
		`{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}`,
		`{"Bool":{"aws:SecureTransport":"false"}}`,
		`{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`,
		`{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}`,
		`{"StringLike":{"aws:username":"a*"}}`,
		`{"ForAllValues:StringEquals":{"s3:x-amz-server-side-encryption":["AES256","aws:kms"]}}`,
		`{"ForAnyValue:StringNotLikeIfExists":{"aws:PrincipalArn":"*:root"}}`,
		`{"NumericLessThan":{"s3:max-keys":100},"StringEqualsIgnoreCase":{"aws:PrincipalType":"USER"}}`,
	}
	genContext = [][2]string{
		{KeySSE, "aws:kms"}, {KeySSE, "AES256"}, {KeySecureTransport, "true"}, {KeySecureTransport, "false"},
		{KeySourceIP, "192.0.2.7"}, {KeySourceIP, "2001:db8::5"}, {"s3:max-keys", "50"}, {"s3:max-keys", "500"},
	}
	genRequests = []struct{ action, resource string }{
		{"s3:GetObject", "arn:aws:s3:::B/home/alice/x"}, {"s3:PutObject", "arn:aws:s3:::B/k"},
		{"s3:ListBucket", "arn:aws:s3:::B"}, {"s3:GetObject", "arn:aws:s3:::C/k"}, {"s3:DeleteObject", "arn:aws:s3:::B/k"},
	}
)

func pick[T any](rng *rand.Rand, l []T) T { return l[rng.IntN(len(l))] }

// genStatement returns a random statement's JSON for a bucket or identity policy.
func genStatement(rng *rand.Rand, kind Kind) string {
	var b strings.Builder
	b.WriteString(`{"Effect":"` + pick(rng, []string{"Allow", "Deny"}) + `"`)
	if kind == Bucket {
		b.WriteString(`,"` + pick(rng, []string{"Principal", "Principal", "NotPrincipal"}) + `":` + pick(rng, genPrincipals))
	}
	b.WriteString(`,"` + pick(rng, []string{"Action", "Action", "NotAction"}) + `":` + pick(rng, genActions))
	b.WriteString(`,"` + pick(rng, []string{"Resource", "Resource", "NotResource"}) + `":` + pick(rng, genResources))
	if rng.IntN(3) > 0 {
		b.WriteString(`,"Condition":` + pick(rng, genConditions))
	}
	return b.String() + "}"
}

// No policy set makes a request both allowed and explicitly denied: for generated
// policies and requests, Combine of the policies' decisions is exactly one Decision, is
// Deny exactly when some statement that applies on its own is a Deny, Allow when none is
// but some Allow applies, NotApplicable otherwise, whatever the order.
func TestPropertyDenyWins(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 2026))
	now := time.Unix(1700000000, 0)
	names := []string{"alice", "bob", "root", "session", "stranger", "anonymous"}
	for iter := 0; iter < 3000; iter++ {
		var policies []*Policy
		var singles []*Policy // each statement alone
		for n := 1 + rng.IntN(3); n > 0; n-- {
			kind := pick(rng, []Kind{Identity, Bucket})
			var stmts []string
			for m := 1 + rng.IntN(4); m > 0; m-- {
				s := genStatement(rng, kind)
				stmts = append(stmts, s)
				singles = append(singles, MustParse(`{"Version":"2012-10-17","Statement":`+s+`}`, kind))
			}
			policies = append(policies, MustParse(`{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`, kind))
		}
		for k := 0; k < 10; k++ {
			req := pick(rng, genRequests)
			r := &Request{Principal: principals[pick(rng, names)], Action: req.action, Resource: req.resource}
			r.FillGlobalKeys(now)
			for _, kv := range genContext {
				if rng.IntN(3) == 0 {
					r.Set(kv[0], kv[1])
				}
			}
			var decisions []Decision
			for _, p := range policies {
				decisions = append(decisions, p.Evaluate(r))
			}
			got := Combine(decisions...)
			anyDeny, anyAllow := false, false
			for _, s := range singles {
				switch s.Evaluate(r) {
				case Deny:
					anyDeny = true
				case Allow:
					anyAllow = true
				}
			}
			want := NotApplicable
			switch {
			case anyDeny:
				want = Deny
			case anyAllow:
				want = Allow
			}
			if got != want || got != Allow && got != Deny && got != NotApplicable {
				t.Fatalf("iteration %d: Combine = %v, statements say %v; request %+v", iter, got, want, r)
			}
			rng.Shuffle(len(decisions), func(i, j int) { decisions[i], decisions[j] = decisions[j], decisions[i] })
			if again := Combine(decisions...); again != got {
				t.Fatalf("iteration %d: Combine depends on order: %v then %v", iter, got, again)
			}
		}
	}
}
