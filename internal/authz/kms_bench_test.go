package authz

import (
	"context"
	"testing"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// BenchmarkKMSDecrypt is the decision of one Decrypt by the root under the default key
// policy with an SSE-KMS-style encryption context: request preparation and evaluation,
// what every KMS cryptographic call pays.
func BenchmarkKMSDecrypt(b *testing.B) {
	a := New(nil, nil)
	const account = "111122223333"
	keyARN := "arn:aws:kms:us-east-1:" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	kp, err := a.Parsed([]byte(`{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",`+
		`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":"kms:*","Resource":"*"}]}`), policy.Key)
	if err != nil {
		b.Fatal(err)
	}
	id := iam.Identity{Type: iam.TypeRoot, AccountID: account, ARN: "arn:aws:iam::" + account + ":root"}
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::arca-bench/object"}
	b.ReportAllocs()
	for b.Loop() {
		r := a.KMSRequest(id, "kms:Decrypt", keyARN, "", false, ec)
		if err := a.KMS(context.Background(), id, r, kp, nil, ec); err != nil {
			b.Fatal(err)
		}
	}
}
