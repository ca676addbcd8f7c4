package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func awsConfig(ak, sk, region string) aws.Config {
	return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
		HTTPClient: HTTPClient(), RetryMaxAttempts: 1}
}

func iamClient(endpoint, ak, sk string) *iam.Client {
	return iam.NewFromConfig(awsConfig(ak, sk, testRegion), func(o *iam.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func stsClient(endpoint, ak, sk, region string) *sts.Client {
	return sts.NewFromConfig(awsConfig(ak, sk, region), func(o *sts.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func s3As(endpoint, ak, sk string) *s3.Client {
	return s3.NewFromConfig(awsConfig(ak, sk, testRegion), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

// wantIAMError fails unless err is an IAM/STS error with code and HTTP status, and a
// message containing msg.
func wantIAMError(t testing.TB, what string, err error, code string, status int, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
	gotCode, gotStatus := errInfo(err)
	if gotCode != code || gotStatus != status || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s: got %d %s %q, want %d %s %q", what, gotStatus, gotCode, ae.ErrorMessage(), status, code, msg)
	}
}

const readPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`

// TestIAMSDK drives every IAM action and STS GetCallerIdentity with aws-sdk-go-v2, and
// proves a new user's access key authenticates S3, KMS and STS until it is disabled.
func TestIAMSDK(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)

	id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity")(stsClient(srv.HTTPURL, testAccessKey, testSecretKey, testRegion).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	account := *id.Account
	if len(account) != 12 || *id.Arn != "arn:aws:iam::"+account+":root" || *id.UserId != account {
		t.Fatalf("root identity: %s %s %s", *id.Account, *id.Arn, *id.UserId)
	}

	u := must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/e2e/")}))
	if *u.User.Arn != "arn:aws:iam::"+account+":user/e2e/alice" || !strings.HasPrefix(*u.User.UserId, "AIDA") {
		t.Fatalf("CreateUser: %+v", u.User)
	}
	_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	wantIAMError(t, "CreateUser again", err, "EntityAlreadyExists", 409, "User with name alice already exists.")
	_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	wantIAMError(t, "GetUser", err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	for _, n := range []string{"u1", "u2", "u3"} {
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))
	}
	var names []string
	pages := 0
	for p := iam.NewListUsersPaginator(root, &iam.ListUsersInput{MaxItems: aws.Int32(2)}); p.HasMorePages(); pages++ {
		out := must[*iam.ListUsersOutput](t, "ListUsers")(p.NextPage(ctx))
		for _, u := range out.Users {
			names = append(names, *u.UserName)
		}
	}
	if strings.Join(names, ",") != "alice,u1,u2,u3" || pages != 2 {
		t.Fatalf("ListUsers: %v in %d pages", names, pages)
	}

	// A new user's key authenticates every API (policies are not enforced yet).
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	ak, sk := *key.AccessKeyId, *key.SecretAccessKey
	if len(ak) != 20 || len(sk) != 40 || key.Status != iamtypes.StatusTypeActive {
		t.Fatalf("CreateAccessKey: %s (%d) %d %s", ak, len(ak), len(sk), key.Status)
	}
	aliceSTS := stsClient(srv.HTTPURL, ak, sk, testRegion)
	me := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as alice")(aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *me.Arn != *u.User.Arn || *me.UserId != *u.User.UserId || *me.Account != account {
		t.Fatalf("alice's identity: %s %s %s", *me.Arn, *me.UserId, *me.Account)
	}
	// Authenticated but without any policy: S3 denies, naming the action.
	_, err = s3As(srv.HTTPURL, ak, sk).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AccessDenied", 403)
	if err == nil || !strings.Contains(err.Error(), "is not authorized to perform: s3:ListAllMyBuckets") {
		t.Fatalf("denial message: %v", err)
	}
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3-list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3As(srv.HTTPURL, ak, sk).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("S3 with alice's key after an allowing policy: %v", err)
	}
	// KMS too is governed by policies: no identity policy allows kms:ListKeys yet.
	if _, err := kmsClient(srv.HTTPURL, ak, sk).ListKeys(ctx, &kms.ListKeysInput{}); err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("KMS ListKeys with alice's key and no policy: %v", err)
	}
	_, err = s3As(srv.HTTPURL, "AKIAUNKNOWNKEY000000", sk).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "InvalidAccessKeyId", 403)
	wrong := sk[:39] + "x"
	if sk[39] == 'x' { // a changed secret, whatever the generated one ends with
		wrong = sk[:39] + "y"
	}
	_, err = s3As(srv.HTTPURL, ak, wrong).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403)
	_, err = iamClient(srv.HTTPURL, ak, sk).ListUsers(ctx, &iam.ListUsersInput{})
	wantIAMError(t, "ListUsers as alice", err, "AccessDenied", 403,
		"User: "+*u.User.Arn+" is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+account+":user/ because no identity-based policy allows the iam:ListUsers action")

	must[*iam.UpdateAccessKeyOutput](t, "UpdateAccessKey")(root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: aws.String("alice"), AccessKeyId: aws.String(ak), Status: iamtypes.StatusTypeInactive}))
	_, err = s3As(srv.HTTPURL, ak, sk).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "InvalidAccessKeyId", 403)
	_, err = aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantIAMError(t, "STS with an inactive key", err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
	must[*iam.UpdateAccessKeyOutput](t, "UpdateAccessKey")(root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: aws.String("alice"), AccessKeyId: aws.String(ak), Status: iamtypes.StatusTypeActive}))
	if _, err := s3As(srv.HTTPURL, ak, sk).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("S3 after reactivation: %v", err)
	}
	key2 := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	_, err = root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantIAMError(t, "third key", err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
	keys := must[*iam.ListAccessKeysOutput](t, "ListAccessKeys")(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))
	if len(keys.AccessKeyMetadata) != 2 || keys.IsTruncated {
		t.Fatalf("ListAccessKeys: %+v", keys)
	}

	iamPolicies(t, ctx, root, account)

	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantIAMError(t, "DeleteUser with keys", err, "DeleteConflict", 409, "Cannot delete entity, must delete access keys first.")
	for _, k := range []string{ak, *key2.AccessKeyId} {
		must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(k)}))
	}
	_, err = s3As(srv.HTTPURL, ak, sk).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "InvalidAccessKeyId", 403)
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3-list")}))
	must[*iam.DeleteUserOutput](t, "DeleteUser")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
	_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantIAMError(t, "GetUser after delete", err, "NoSuchEntity", 404, "The user with name alice cannot be found.")
}

// iamPolicies exercises inline, group and managed policies on user alice.
func iamPolicies(t *testing.T, ctx context.Context, root *iam.Client, account string) {
	alice := aws.String("alice")
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: alice, PolicyName: aws.String("read"), PolicyDocument: aws.String(readPolicy)}))
	got := must[*iam.GetUserPolicyOutput](t, "GetUserPolicy")(root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: alice, PolicyName: aws.String("read")}))
	if doc, err := url.QueryUnescape(*got.PolicyDocument); err != nil || doc != readPolicy {
		t.Fatalf("GetUserPolicy document (URL-encoded as AWS sends it): %q", *got.PolicyDocument)
	}
	_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: alice, PolicyName: aws.String("bad"), PolicyDocument: aws.String("{not json")})
	wantIAMError(t, "PutUserPolicy malformed", err, "MalformedPolicyDocument", 400, "")
	// Documents are checked by the policy engine as identity policies.
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: alice, PolicyName: aws.String("bad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
	wantIAMError(t, "PutUserPolicy with a Principal", err, "MalformedPolicyDocument", 400, "Policy document should not specify a principal.")
	_, err = root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("big"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("x", 6200) + `"}]}`)})
	wantIAMError(t, "CreatePolicy too large", err, "LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144")
	_, err = root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: alice, PolicyName: aws.String("nope")})
	wantIAMError(t, "GetUserPolicy missing", err, "NoSuchEntity", 404, "The user policy with name nope cannot be found.")

	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: alice}))
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{
		GroupName: aws.String("readers"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readPolicy)}))

	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String("S3Read"), PolicyDocument: aws.String(readPolicy), Description: aws.String("read objects")})).Policy
	arn := *p.Arn
	if arn != "arn:aws:iam::"+account+":policy/S3Read" || *p.DefaultVersionId != "v1" || !p.IsAttachable {
		t.Fatalf("CreatePolicy: %+v", p)
	}
	v := must[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(root.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &arn, VersionId: aws.String("v1")}))
	if doc, _ := url.QueryUnescape(*v.PolicyVersion.Document); doc != readPolicy || !v.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion: %+v", v.PolicyVersion)
	}
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: alice, PolicyArn: &arn}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: &arn}))
	if gp := must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &arn})); *gp.Policy.AttachmentCount != 2 || *gp.Policy.Description != "read objects" {
		t.Fatalf("GetPolicy: %+v", gp.Policy)
	}
	att := must[*iam.ListAttachedUserPoliciesOutput](t, "ListAttachedUserPolicies")(root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: alice}))
	if len(att.AttachedPolicies) != 1 || *att.AttachedPolicies[0].PolicyArn != arn || *att.AttachedPolicies[0].PolicyName != "S3Read" {
		t.Fatalf("ListAttachedUserPolicies: %+v", att.AttachedPolicies)
	}
	_, err = root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: alice, PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantIAMError(t, "attach an AWS managed policy", err, "NoSuchEntity", 404, "does not exist or is not attachable.")
	_, err = root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("not-an-arn-xxxxxxxxxxxx")})
	wantIAMError(t, "GetPolicy bad ARN", err, "InvalidInput", 400, "ARN not-an-arn-xxxxxxxxxxxx is not valid.")
	_, err = root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &arn})
	wantIAMError(t, "DeletePolicy attached", err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: alice})
	wantIAMError(t, "DeleteUser with policies", err, "DeleteConflict", 409, "")

	must[*iam.DetachUserPolicyOutput](t, "DetachUserPolicy")(root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: alice, PolicyArn: &arn}))
	_, err = root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: alice, PolicyArn: &arn})
	wantIAMError(t, "DetachUserPolicy again", err, "NoSuchEntity", 404, "")
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: alice, PolicyName: aws.String("read")}))
	must[*iam.RemoveUserFromGroupOutput](t, "RemoveUserFromGroup")(root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: alice}))
}

// TestIAMGlobalRegion: on a server in another region, IAM and STS clients signing for
// us-east-1 (as global-service clients do) are accepted, and so is the server's region.
func TestIAMGlobalRegion(t *testing.T) {
	srv := StartServer(t, "--region", "eu-west-1")
	ctx := context.Background()
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		out, err := stsClient(srv.HTTPURL, testAccessKey, testSecretKey, region).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || !strings.HasSuffix(*out.Arn, ":root") {
			t.Fatalf("STS signed for %s: %v", region, err)
		}
	}
	if _, err := iamClient(srv.HTTPURL, testAccessKey, testSecretKey).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("IAM signed for us-east-1: %v", err)
	}
	_, err := stsClient(srv.HTTPURL, testAccessKey, testSecretKey, "ap-south-1").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantIAMError(t, "STS signed for a third region", err, "IncompleteSignature", 400, "the region 'ap-south-1' is wrong")
}

// TestIAMUnsigned: an unsigned IAM/STS query gets the query protocol's error.
func TestIAMUnsigned(t *testing.T) {
	srv := StartServer(t)
	req, _ := http.NewRequest(http.MethodPost, srv.HTTPURL+"/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := doReq(t, req)
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "<Code>MissingAuthenticationToken</Code>") {
		t.Fatalf("unsigned query: %d %s", r.Status, r.Body)
	}
}

// TestIAMRestartAndRootKeyRotation: users and keys survive a restart and an offline
// root key rotation.
func TestIAMRestartAndRootKeyRotation(t *testing.T) {
	dir := t.TempDir()
	srv := StartServerAt(t, dir)
	ctx := context.Background()
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("keeper")}))
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("keeper")})).AccessKey
	srv.Stop()

	newKey := dir + "/../iam-new-root-key"
	writeKeyFile(t, newKey)
	if out, err := runArca("admin", "rotate-root-key", "--data", dir, "--new-root-key-file", newKey); err != nil || !strings.Contains(out, "1 IAM secret access keys") {
		t.Fatalf("rotate-root-key: %v\n%s", err, out)
	}
	srv = StartServerAt(t, dir, "--root-key-file", newKey)
	me, err := stsClient(srv.HTTPURL, *key.AccessKeyId, *key.SecretAccessKey, testRegion).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(*me.Arn, ":user/keeper") {
		t.Fatalf("keeper's key after restart and rotation: %v", err)
	}
}

// IAM calls are decided by the caller's identity policies: a user allowed iam:ListUsers can
// list users and still cannot create one.
func TestIAMPoliciesGovernIAM(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	key := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})).AccessKey
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("read-iam"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"},{"Effect":"Deny","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/root-like"}]}`)}))
	as := iamClient(srv.HTTPURL, *key.AccessKeyId, *key.SecretAccessKey)
	if _, err := as.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers allowed by policy: %v", err)
	}
	_, err := as.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
	wantIAMError(t, "CreateUser without permission", err, "AccessDenied", 403, "")
}
