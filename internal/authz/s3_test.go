package authz

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// s3Policies are identity policies by account and user name.
type s3Policies map[string][][]byte

func (p s3Policies) PoliciesFor(_ context.Context, accountID, userName string) ([][]byte, error) {
	return p[accountID+"/"+userName], nil
}

const (
	ownerAcct = "111122223333"
	otherAcct = "444455556666"
)

var (
	ownerRoot = iam.Identity{Type: iam.TypeRoot, AccountID: ownerAcct, ARN: "arn:aws:iam::" + ownerAcct + ":root"}
	ownerUser = iam.Identity{Type: iam.TypeIAMUser, AccountID: ownerAcct, ARN: "arn:aws:iam::" + ownerAcct + ":user/alice", UserName: "alice", UserID: "AIDAALICE"}
	otherRoot = iam.Identity{Type: iam.TypeRoot, AccountID: otherAcct, ARN: "arn:aws:iam::" + otherAcct + ":root"}
	otherUser = iam.Identity{Type: iam.TypeIAMUser, AccountID: otherAcct, ARN: "arn:aws:iam::" + otherAcct + ":user/bob", UserName: "bob", UserID: "AIDABOB"}
	otherBare = iam.Identity{Type: iam.TypeIAMUser, AccountID: otherAcct, ARN: "arn:aws:iam::" + otherAcct + ":user/carol", UserName: "carol", UserID: "AIDACAROL"}
)

const allowGet = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

func bucketPolicy(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func grant(principal string) string {
	return `{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`
}

// The decision table of docs/POLICY.md: same account = identity OR resource allow; another
// account = identity AND resource allow; an explicit deny anywhere wins.
func TestS3CrossAccount(t *testing.T) {
	ids := s3Policies{ownerAcct + "/alice": {[]byte(allowGet)}, otherAcct + "/bob": {[]byte(allowGet)}}
	a := New(ids, nil)
	tests := []struct {
		name   string
		id     iam.Identity
		policy string
		acl    bool
		want   string // "" allowed, else the end of the denial
	}{
		{"owner root, no policy", ownerRoot, "", false, ""},
		{"owner user, identity allow", ownerUser, "", false, ""},
		{"owner account user without identity allow, bucket policy names it", iam.Identity{Type: iam.TypeIAMUser, AccountID: ownerAcct,
			ARN: "arn:aws:iam::" + ownerAcct + ":user/dave", UserName: "dave"}, bucketPolicy(grant("arn:aws:iam::" + ownerAcct + ":user/dave")), false, ""},
		{"other root, no policy", otherRoot, "", false, "because no resource-based policy allows the s3:GetObject action"},
		{"other user with identity allow, no policy", otherUser, "", false, "because no resource-based policy allows the s3:GetObject action"},
		{"other root, account id", otherRoot, bucketPolicy(grant(otherAcct)), false, ""},
		{"other root, root ARN", otherRoot, bucketPolicy(grant("arn:aws:iam::" + otherAcct + ":root")), false, ""},
		{"other user, account id", otherUser, bucketPolicy(grant(otherAcct)), false, ""},
		{"other user, its ARN", otherUser, bucketPolicy(grant(otherUser.ARN)), false, ""},
		{"other user, everyone", otherUser, bucketPolicy(grant("*")), false, ""},
		{"other user, another user's ARN", otherUser, bucketPolicy(grant(otherBare.ARN)), false, "because no resource-based policy allows the s3:GetObject action"},
		{"other user without identity allow, account granted", otherBare, bucketPolicy(grant(otherAcct)), false, "because no identity-based policy allows the s3:GetObject action"},
		{"other user without identity allow, its ARN granted", otherBare, bucketPolicy(grant(otherBare.ARN)), false, "because no identity-based policy allows the s3:GetObject action"},
		{"other root, ACL allows", otherRoot, "", true, ""},
		{"other user without identity allow, ACL allows", otherBare, "", true, "because no identity-based policy allows the s3:GetObject action"},
		{"other root, explicit deny", otherRoot, bucketPolicy(grant(otherAcct), `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"`+otherAcct+`"}}}`), true,
			"with an explicit deny in a resource-based policy"},
		{"owner user, deny on the resource account", ownerUser, bucketPolicy(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"s3:ResourceAccount":"` + ownerAcct + `"}}}`), false,
			"with an explicit deny in a resource-based policy"},
		{"other user, grant bounded by aws:ResourceAccount", otherUser, bucketPolicy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:ResourceAccount":"` + ownerAcct + `","aws:PrincipalAccount":"` + otherAcct + `"}}}`), false, ""},
		{"anonymous, no policy", iam.Identity{}, "", false, "Access Denied"},
		{"anonymous, everyone", iam.Identity{}, bucketPolicy(grant("*")), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bp *policy.Policy
			if tt.policy != "" {
				var err error
				if bp, err = a.Parsed([]byte(tt.policy), policy.Bucket); err != nil {
					t.Fatal(err)
				}
			}
			r := a.NewRequest(tt.id, "s3:GetObject", "arn:aws:s3:::b/k")
			err := a.S3(context.Background(), tt.id, r, S3Resource{Owner: ownerAcct, Policy: bp, ACLAllows: tt.acl})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("denied: %v", err)
			case tt.want != "" && (!errors.Is(err, ErrDenied) || !strings.HasSuffix(errs.Message(err), tt.want)):
				t.Fatalf("got %v (%q), want a denial ending %q", err, errs.Message(err), tt.want)
			}
			if r.ResourceAccount != ownerAcct {
				t.Fatalf("resource account = %q", r.ResourceAccount)
			}
		})
	}
}

// RestrictPublicBuckets drops a public policy's grants for callers from outside the
// owner's account only.
func TestS3RestrictPublic(t *testing.T) {
	a := New(nil, nil)
	bp, err := a.Parsed([]byte(bucketPolicy(grant("*"))), policy.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	res := S3Resource{Owner: ownerAcct, Policy: bp, IgnorePublic: true}
	for _, tt := range []struct {
		id      iam.Identity
		allowed bool
	}{{iam.Identity{}, false}, {otherRoot, false}, {ownerRoot, true}} {
		err := a.S3(context.Background(), tt.id, a.NewRequest(tt.id, "s3:GetObject", "arn:aws:s3:::b/k"), res)
		if (err == nil) != tt.allowed {
			t.Errorf("%s: err %v, want allowed %v", tt.id.ARN, err, tt.allowed)
		}
	}
}
