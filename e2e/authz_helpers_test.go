package e2e

// Helpers of the authorization suites (authz_*_test.go): IAM users with a policy and a key,
// per-identity SDK clients that close their connections, exact denial checks, and aws CLI
// runs with profiles that may go concurrently.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// authzCreds is one identity's key pair and ARN.
type authzCreds struct {
	ARN, AK, SK string
}

func authzRoot(account string) authzCreds {
	return authzCreds{ARN: "arn:aws:iam::" + account + ":root", AK: testAccessKey, SK: testSecretKey}
}

// authzAccount is the server's account id, from STS as the root.
func authzAccount(t testing.TB, srv *Server) string {
	t.Helper()
	id, err := stsClient(srv.HTTPURL, testAccessKey, testSecretKey, testRegion).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return aws.ToString(id.Account)
}

// authzUser creates an IAM user with an access key and, for each document, an inline
// policy named p0, p1, ….
func authzUser(t testing.TB, root *iam.Client, name string, policies ...string) authzCreds {
	t.Helper()
	ctx := context.Background()
	u, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	for i, doc := range policies {
		authzPutUserPolicy(t, root, name, fmt.Sprintf("p%d", i), doc)
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateAccessKey %s: %v", name, err)
	}
	return authzCreds{ARN: aws.ToString(u.User.Arn), AK: aws.ToString(k.AccessKey.AccessKeyId), SK: aws.ToString(k.AccessKey.SecretAccessKey)}
}

func authzPutUserPolicy(t testing.TB, root *iam.Client, user, name, doc string) {
	t.Helper()
	if _, err := root.PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{UserName: aws.String(user),
		PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatalf("PutUserPolicy %s/%s: %v", user, name, err)
	}
}

// authzAllow is an identity policy with one Allow statement.
func authzAllow(actions, resources string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":` + resources + `}]}`
}

// authzS3 is an S3 client for endpoint as c, path-style, whose idle connections are closed
// when t ends (so the server's graceful stop does not wait for them).
func authzS3(t testing.TB, endpoint string, c authzCreds) *s3.Client {
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	cfg := aws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider(c.AK, c.SK, ""),
		HTTPClient: hc, RetryMaxAttempts: 1}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
}

// authzKMS is a KMS client for endpoint as c, like authzS3.
func authzKMS(t testing.TB, endpoint string, c authzCreds) *kms.Client {
	hc := HTTPClient()
	t.Cleanup(hc.CloseIdleConnections)
	cfg := aws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider(c.AK, c.SK, ""),
		HTTPClient: hc, RetryMaxAttempts: 1}
	return kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// Why a request was denied, in AWS's words.
const (
	whyResourceDeny = "with an explicit deny in a resource-based policy"
	whyIdentityDeny = "with an explicit deny in an identity-based policy"
)

func whyNoIdentity(action string) string {
	return "because no identity-based policy allows the " + action + " action"
}

func whyNoResource(action string) string {
	return "because no resource-based policy allows the " + action + " action"
}

// s3DenyMsg is S3's denial of an S3 action (the resource is quoted).
func s3DenyMsg(who, action, resource, why string) string {
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: \"%s\" %s", who, action, resource, why)
}

// kmsDenyMsg is KMS's denial, also what S3 reports when a KMS call it makes for SSE-KMS is
// denied (the key ARN is not quoted).
func kmsDenyMsg(who, action, keyARN, why string) string {
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", who, action, keyARN, why)
}

// wantS3Denied fails unless err is S3's 403 AccessDenied with message msg ("" checks only
// the status and code: HEAD responses have no body).
func wantS3Denied(t testing.TB, what string, err error, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want 403 AccessDenied %q", what, msg)
		return
	}
	code, status := errInfo(err)
	var ae smithy.APIError
	got := ""
	if errors.As(err, &ae) {
		got = ae.ErrorMessage()
	}
	if status != 403 || (msg != "" && (code != "AccessDenied" || got != msg)) {
		t.Errorf("%s: got %d %s %q\n\twant 403 AccessDenied %q", what, status, code, got, msg)
	}
}

// wantKMSDenied fails unless err is KMS's AccessDeniedException (HTTP 400) with message msg.
func wantKMSDenied(t testing.TB, what string, err error, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want AccessDeniedException %q", what, msg)
		return
	}
	code, status := errInfo(err)
	var ae smithy.APIError
	got := ""
	if errors.As(err, &ae) {
		got = ae.ErrorMessage()
	}
	if code != "AccessDeniedException" || status != 400 || got != msg {
		t.Errorf("%s: got %d %s %q\n\twant 400 AccessDeniedException %q", what, status, code, got, msg)
	}
}

// wantOK fails the test if err is not nil.
func wantOK(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// cliCall is one aws CLI run with a profile of a shared credentials file.
type cliCall struct {
	Profile string
	WantErr bool
	Args    []string
}

// cliRun runs the aws CLI against endpoint as profile from credsFile without touching t (so
// it may run on any goroutine).
func cliRun(credsFile, profile, endpoint string, args ...string) (string, error) {
	full := append([]string{"--endpoint-url", endpoint, "--no-verify-ssl", "--cli-read-timeout", "60", "--profile", profile}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", full...)
	cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+credsFile, "AWS_CONFIG_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_DEFAULT_REGION="+testRegion, "AWS_PAGER=", "PYTHONWARNINGS=ignore")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cliBatch runs independent CLI calls concurrently (each aws CLI run costs about a second of
// Python start-up) and returns their trimmed outputs in order. It fails the test if a call
// did not fail or succeed as wanted.
func cliBatch(t testing.TB, credsFile, endpoint string, calls ...cliCall) []string {
	t.Helper()
	outs := make([]string, len(calls))
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = cliRun(credsFile, c.Profile, endpoint, c.Args...)
			outs[i] = strings.TrimSpace(outs[i])
		}()
	}
	wg.Wait()
	failed := false
	for i, c := range calls {
		if (errs[i] != nil) != c.WantErr {
			t.Errorf("aws --profile %s %s: err=%v wantErr=%v\n%s", c.Profile, strings.Join(c.Args, " "), errs[i], c.WantErr, outs[i])
			failed = true
		}
	}
	if failed {
		t.FailNow()
	}
	return outs
}
