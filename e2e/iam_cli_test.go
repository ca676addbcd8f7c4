package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsProfile runs the aws CLI against endpoint with --profile profile from a shared
// credentials file (the way a user of the new keys would), and returns its combined
// output. It fails the test if the command fails, unless wantErr.
func awsProfile(t testing.TB, credsFile, profile, endpoint string, wantErr bool, args ...string) string {
	t.Helper()
	full := append([]string{"--endpoint-url", endpoint, "--no-verify-ssl", "--profile", profile}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", full...)
	cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+credsFile, "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_DEFAULT_REGION="+testRegion, "AWS_PAGER=", "PYTHONWARNINGS=ignore")
	out, err := cmd.CombinedOutput()
	if (err != nil) != wantErr {
		t.Fatalf("aws --profile %s %s: err=%v wantErr=%v\n%s", profile, strings.Join(args, " "), err, wantErr, out)
	}
	return string(out)
}

// TestIAMCLIWalkthrough is docs/IAM.md's walkthrough with the aws CLI: create a user and
// an access key, give it policies, use the key with --profile, disable it, and take
// everything down again.
func TestIAMCLIWalkthrough(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	dir := t.TempDir()
	awsRoot := func(wantErr bool, args ...string) string {
		t.Helper()
		return strings.TrimSpace(srv.AWS(t, srv.HTTPURL, wantErr, args...))
	}
	text := func(args ...string) string { return awsRoot(false, append(args, "--output", "text")...) }
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}

	account := text("sts", "get-caller-identity", "--query", "Account")
	if got := text("sts", "get-caller-identity", "--query", "Arn"); got != "arn:aws:iam::"+account+":root" {
		t.Fatalf("root get-caller-identity: %s", got)
	}
	if got := text("iam", "get-user", "--query", "User.Arn"); got != "arn:aws:iam::"+account+":root" {
		t.Fatalf("get-user as root: %s", got)
	}

	userARN := text("iam", "create-user", "--user-name", "cli-user", "--query", "User.Arn")
	if userARN != "arn:aws:iam::"+account+":user/cli-user" {
		t.Fatalf("create-user: %s", userARN)
	}
	if out := awsRoot(true, "iam", "create-user", "--user-name", "cli-user"); !strings.Contains(out, "EntityAlreadyExists") {
		t.Fatalf("create-user twice: %s", out)
	}
	var created struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey, Status string }
	}
	if err := json.Unmarshal([]byte(awsRoot(false, "iam", "create-access-key", "--user-name", "cli-user", "--output", "json")), &created); err != nil {
		t.Fatal(err)
	}
	ak, sk := created.AccessKey.AccessKeyId, created.AccessKey.SecretAccessKey
	if len(ak) != 20 || len(sk) != 40 || created.AccessKey.Status != "Active" {
		t.Fatalf("create-access-key: %+v", created.AccessKey)
	}
	if got := text("iam", "list-access-keys", "--user-name", "cli-user", "--query", "AccessKeyMetadata[0].[AccessKeyId,Status]"); got != ak+"\tActive" {
		t.Fatalf("list-access-keys: %q", got)
	}

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::cli-bucket","arn:aws:s3:::cli-bucket/*"]}]}`
	awsRoot(false, "iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "read-cli-bucket", "--policy-document", file("policy.json", policy))
	if got := text("iam", "get-user-policy", "--user-name", "cli-user", "--policy-name", "read-cli-bucket", "--query", "PolicyDocument.Statement[0].Action[0]"); got != "s3:GetObject" {
		t.Fatalf("get-user-policy (the CLI decodes the document): %q", got)
	}
	if out := awsRoot(true, "iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "bad", "--policy-document", "{oops"); !strings.Contains(out, "MalformedPolicyDocument") {
		t.Fatalf("malformed policy: %s", out)
	}
	policyARN := text("iam", "create-policy", "--policy-name", "CliRead", "--policy-document", file("managed.json", policy), "--query", "Policy.Arn")
	if policyARN != "arn:aws:iam::"+account+":policy/CliRead" {
		t.Fatalf("create-policy: %s", policyARN)
	}
	if got := text("iam", "get-policy", "--policy-arn", policyARN, "--query", "Policy.DefaultVersionId"); got != "v1" {
		t.Fatalf("get-policy: %s", got)
	}
	if got := text("iam", "get-policy-version", "--policy-arn", policyARN, "--version-id", "v1", "--query", "PolicyVersion.Document.Statement[0].Effect"); got != "Allow" {
		t.Fatalf("get-policy-version: %s", got)
	}
	awsRoot(false, "iam", "attach-user-policy", "--user-name", "cli-user", "--policy-arn", policyARN)
	if got := text("iam", "list-attached-user-policies", "--user-name", "cli-user", "--query", "AttachedPolicies[].PolicyName"); got != "CliRead" {
		t.Fatalf("list-attached-user-policies: %q", got)
	}
	awsRoot(false, "iam", "create-group", "--group-name", "cli-readers")
	awsRoot(false, "iam", "add-user-to-group", "--group-name", "cli-readers", "--user-name", "cli-user")
	awsRoot(false, "iam", "put-group-policy", "--group-name", "cli-readers", "--policy-name", "read", "--policy-document", file("group.json", policy))
	awsRoot(false, "iam", "attach-group-policy", "--group-name", "cli-readers", "--policy-arn", policyARN)
	if got := text("iam", "list-users", "--query", "Users[].UserName"); got != "cli-user" {
		t.Fatalf("list-users: %q", got)
	}

	// The new user's key, used as a profile.
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[cli-user]\naws_access_key_id = "+ak+"\naws_secret_access_key = "+sk+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	as := func(wantErr bool, args ...string) string {
		t.Helper()
		return strings.TrimSpace(awsProfile(t, creds, "cli-user", srv.HTTPURL, wantErr, args...))
	}
	if got := as(false, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"); got != userARN {
		t.Fatalf("get-caller-identity --profile cli-user: %s", got)
	}
	awsRoot(false, "s3", "mb", "s3://cli-bucket")
	// The user's policies allow reading cli-bucket and nothing else.
	awsRoot(false, "s3api", "put-object", "--bucket", "cli-bucket", "--key", "hello.txt", "--body", strings.TrimPrefix(file("hello.txt", "hello"), "file://"))
	as(false, "s3", "ls", "s3://cli-bucket")
	if got := as(false, "s3", "cp", "s3://cli-bucket/hello.txt", "-"); got != "hello" {
		t.Fatalf("read as cli-user: %q", got)
	}
	if out := as(true, "s3", "ls"); !strings.Contains(out, "AccessDenied") {
		t.Fatalf("ListBuckets without s3:ListAllMyBuckets: %s", out)
	}
	if out := as(true, "s3api", "put-object", "--bucket", "cli-bucket", "--key", "x", "--body", strings.TrimPrefix(file("x.txt", "x"), "file://")); !strings.Contains(out, "AccessDenied") {
		t.Fatalf("PutObject without s3:PutObject: %s", out)
	}
	if out := as(true, "iam", "list-users"); !strings.Contains(out, "AccessDenied") {
		t.Fatalf("IAM as a user: %s", out)
	}

	awsRoot(false, "iam", "update-access-key", "--user-name", "cli-user", "--access-key-id", ak, "--status", "Inactive")
	if got := text("iam", "list-access-keys", "--user-name", "cli-user", "--query", "AccessKeyMetadata[0].Status"); got != "Inactive" {
		t.Fatalf("status after update-access-key: %s", got)
	}
	if out := as(true, "s3", "ls"); !strings.Contains(out, "InvalidAccessKeyId") {
		t.Fatalf("s3 ls with an inactive key: %s", out)
	}
	if out := as(true, "sts", "get-caller-identity"); !strings.Contains(out, "InvalidClientTokenId") {
		t.Fatalf("sts with an inactive key: %s", out)
	}

	if out := awsRoot(true, "iam", "delete-policy", "--policy-arn", policyARN); !strings.Contains(out, "DeleteConflict") {
		t.Fatalf("delete-policy while attached: %s", out)
	}
	if out := awsRoot(true, "iam", "delete-user", "--user-name", "cli-user"); !strings.Contains(out, "DeleteConflict") {
		t.Fatalf("delete-user with keys: %s", out)
	}
	awsRoot(false, "iam", "delete-access-key", "--user-name", "cli-user", "--access-key-id", ak)
	awsRoot(false, "iam", "delete-user-policy", "--user-name", "cli-user", "--policy-name", "read-cli-bucket")
	awsRoot(false, "iam", "detach-user-policy", "--user-name", "cli-user", "--policy-arn", policyARN)
	awsRoot(false, "iam", "remove-user-from-group", "--group-name", "cli-readers", "--user-name", "cli-user")
	awsRoot(false, "iam", "delete-user", "--user-name", "cli-user")
	if out := awsRoot(true, "iam", "get-user", "--user-name", "cli-user"); !strings.Contains(out, "NoSuchEntity") {
		t.Fatalf("get-user after delete-user: %s", out)
	}
	if out := awsRoot(true, "iam", "delete-policy", "--policy-arn", policyARN); !strings.Contains(out, "DeleteConflict") {
		t.Fatalf("delete-policy still attached to the group: %s", out)
	}
}
