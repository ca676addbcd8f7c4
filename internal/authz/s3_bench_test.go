package authz

import (
	"context"
	"testing"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// BenchmarkS3 is the decision of one GetObject by an IAM user: request preparation and
// evaluation, what every S3 request pays. One: the user's identity policy alone. Three: the
// identity policy, a bucket policy and an ACL input, within the owner's account and from
// another account (which needs both sides).
func BenchmarkS3(b *testing.B) {
	ids := s3Policies{ownerAcct + "/alice": {[]byte(allowGet)}, otherAcct + "/bob": {[]byte(allowGet)}}
	a := New(ids, nil)
	bp, err := a.Parsed([]byte(bucketPolicy(
		`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
		grant(otherAcct))), policy.Bucket)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		id   iam.Identity
		res  S3Resource
	}{
		{"one", ownerUser, S3Resource{Owner: ownerAcct}},
		{"three", ownerUser, S3Resource{Owner: ownerAcct, Policy: bp, ACLAllows: false}},
		{"three-cross", otherUser, S3Resource{Owner: ownerAcct, Policy: bp, ACLAllows: false}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := a.NewRequest(bc.id, "s3:GetObject", "arn:aws:s3:::b/k")
				r.Set(policy.KeySecureTransport, "true")
				if err := a.S3(context.Background(), bc.id, r, bc.res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
