package kmsapi

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// S3's calls for SSE-KMS: aws/s3 when no key is named, a data key that decrypts under the
// same context, one record per call as the caller invoked by S3, and the caller's
// permissions decide (an IAM user without a policy is refused, recorded as refused).
func TestForS3(t *testing.T) {
	a := newAPI(t)
	rec := &recorder{}
	a.SetAudit(rec, "us-east-1")
	root := iam.RootIdentity("111122223333", "AKIATEST")
	k := a.ForS3(root, true)
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k"}
	ctx := context.Background()
	plain, blob, arn, err := k.GenerateDataKey(ctx, "", ec)
	if err != nil || len(plain) != 32 || arn == "" {
		t.Fatalf("GenerateDataKey: %v %d %q", err, len(plain), arn)
	}
	if md, err := a.svc.DescribeKey(ctx, PrincipalOf(root, "111122223333"), "alias/aws/s3"); err != nil || md.ARN != arn {
		t.Fatalf("the key is not aws/s3: %v %q", err, arn)
	}
	got, err := k.Decrypt(ctx, blob, ec)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Decrypt: %v", err)
	}
	rec.mu.Lock()
	if len(rec.recs) != 2 || rec.recs[0].EventName != "GenerateDataKey" || rec.recs[1].EventName != "Decrypt" ||
		rec.recs[1].UserIdentity.InvokedBy != "s3.amazonaws.com" || !rec.recs[1].ReadOnly || len(rec.recs[1].Resources) != 1 {
		t.Fatalf("records: %+v", rec.recs)
	}
	rec.recs = nil
	rec.mu.Unlock()

	// A customer key with the default policy: the account's IAM policies decide.
	md, err := a.svc.CreateKey(ctx, PrincipalOf(root, ""), kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, blob, _, err = k.GenerateDataKey(ctx, md.KeyID, ec)
	if err != nil {
		t.Fatal(err)
	}
	a.authz = authz.New(nil, nil).ForKeys(a.svc)
	rec.mu.Lock()
	rec.recs = nil
	rec.mu.Unlock()
	alice := iam.Identity{Type: iam.TypeIAMUser, AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice"}
	if _, err := a.ForS3(alice, true).Decrypt(ctx, blob, ec); !errors.Is(err, authz.ErrDenied) {
		t.Fatalf("alice's Decrypt: %v, want a denial", err)
	}
	if err := a.ForS3(root, true).Authorize(ctx, "kms:Decrypt", md.ARN, ec); err != nil {
		t.Fatalf("the root's Authorize: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.recs) != 1 || rec.recs[0].ErrorCode != "AccessDeniedException" || rec.recs[0].UserIdentity.ARN != alice.ARN {
		t.Fatalf("refusal record: %+v", rec.recs)
	}
}

var principalTests = []struct {
	id   iam.Identity
	want kms.Principal
}{
	{iam.Identity{}, kms.Principal{AccountID: "111122223333"}},
	{iam.RootIdentity("444455556666", "AKIAX"), kms.Principal{AccountID: "444455556666", ARN: "arn:aws:iam::444455556666:root", AccessKeyID: "AKIAX"}},
}

func TestPrincipalOf(t *testing.T) {
	for _, tc := range principalTests {
		if got := PrincipalOf(tc.id, "111122223333"); got != tc.want {
			t.Errorf("%+v: %+v, want %+v", tc.id, got, tc.want)
		}
	}
}
