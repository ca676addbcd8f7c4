package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// callerAccount is what `aws sts get-caller-identity` answers for a key pair.
func callerAccount(t *testing.T, srv *Server, ak, sk string) (account, arn string) {
	t.Helper()
	out := awsCLIAs(t, srv.HTTPURL, ak, sk, false, "sts", "get-caller-identity", "--output", "json")
	var id struct{ Account, Arn string }
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		t.Fatalf("get-caller-identity printed %q", out)
	}
	return id.Account, id.Arn
}

// Two accounts made with the CLI each have their own root, their own IAM users and their
// own id in STS; a disabled account's keys stop working; accounts survive a restart; only
// the operator manages accounts; every call is audited.
func TestAccounts(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	primary := authzAccount(t, srv)

	a, akA, skA := createAccount(t, srv, "team-a")
	b, akB, skB := createAccount(t, srv, "team-b")
	if a == b || a == primary || b == primary {
		t.Fatalf("account ids not distinct: primary %s, a %s, b %s", primary, a, b)
	}
	for _, c := range []struct{ id, ak, sk string }{{primary, testAccessKey, testSecretKey}, {a, akA, skA}, {b, akB, skB}} {
		acct, arn := callerAccount(t, srv, c.ak, c.sk)
		if acct != c.id || arn != "arn:aws:iam::"+c.id+":root" {
			t.Errorf("get-caller-identity as %s's root = %s %s", c.id, acct, arn)
		}
	}

	// B's IAM users are B's: their ARNs carry B's id, A and the primary do not see them,
	// and a user of B authenticates as B.
	iamB := iamClient(srv.HTTPURL, akB, skB)
	u, err := iamB.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(u.User.Arn); got != "arn:aws:iam::"+b+":user/bob" {
		t.Errorf("B's user ARN = %s", got)
	}
	for _, other := range []struct{ ak, sk string }{{akA, skA}, {testAccessKey, testSecretKey}} {
		if _, err := iamClient(srv.HTTPURL, other.ak, other.sk).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err == nil {
			t.Errorf("another account sees B's user bob")
		}
		l, err := iamClient(srv.HTTPURL, other.ak, other.sk).ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil || len(l.Users) != 0 {
			t.Errorf("another account lists users %v (%v)", l, err)
		}
	}
	// The same user name in A is another user.
	iamA := iamClient(srv.HTTPURL, akA, skA)
	if _, err := iamA.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatalf("A cannot have its own bob: %v", err)
	}
	ka, err := iamA.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	bobAAK, bobASK := aws.ToString(ka.AccessKey.AccessKeyId), aws.ToString(ka.AccessKey.SecretAccessKey)
	if acct, arn := callerAccount(t, srv, bobAAK, bobASK); acct != a || arn != "arn:aws:iam::"+a+":user/bob" {
		t.Errorf("A's bob is %s %s", acct, arn)
	}
	k, err := iamB.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	bobAK, bobSK := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	if acct, arn := callerAccount(t, srv, bobAK, bobSK); acct != b || arn != "arn:aws:iam::"+b+":user/bob" {
		t.Errorf("B's bob is %s %s", acct, arn)
	}

	// Only the operator manages accounts: another account's root and an IAM user (even
	// one allowed everything) are refused.
	if _, err := iamB.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(authzAllow(`"*"`, `"*"`))}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct{ name, ak, sk string }{{"B's root", akB, skB}, {"B's user", bobAK, bobSK}} {
		for _, args := range [][]string{{"create", "x"}, {"list"}, {"disable", a}} {
			out, err := arcaAs(who.ak, who.sk, append(append([]string{"account"}, args...), "--endpoint", srv.HTTPURL)...)
			if err == nil || !strings.Contains(out, "AccessDeniedException") {
				t.Errorf("%s: arca account %v = %v %s, want AccessDeniedException", who.name, args, err, out)
			}
		}
	}

	// list shows the three accounts, the primary first.
	out, err := arcaAs(testAccessKey, testSecretKey, "admin", "account", "list", "--endpoint", srv.HTTPURL)
	if err != nil {
		t.Fatalf("list: %v %s", err, out)
	}
	var list struct {
		Accounts []struct {
			Id, Name, Status string
			Primary          bool
		}
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Accounts) != 3 || list.Accounts[0].Id != primary || !list.Accounts[0].Primary ||
		list.Accounts[1].Id != a || list.Accounts[1].Name != "team-a" || list.Accounts[2].Id != b {
		t.Fatalf("list = %s (%v)", out, err)
	}

	// The primary cannot be disabled; disabling A refuses its root's keys (and only A's).
	if out, err := arcaAs(testAccessKey, testSecretKey, "account", "disable", primary, "--endpoint", srv.HTTPURL); err == nil || !strings.Contains(out, "ConstraintViolationException") {
		t.Errorf("disable primary = %v %s", err, out)
	}
	if out, err := arcaAs(testAccessKey, testSecretKey, "account", "disable", a, "--endpoint", srv.HTTPURL); err != nil || !strings.Contains(out, `"SUSPENDED"`) {
		t.Fatalf("disable A = %v %s", err, out)
	}
	disabled := func() {
		t.Helper()
		out := awsCLIAs(t, srv.HTTPURL, akA, skA, true, "sts", "get-caller-identity")
		if !strings.Contains(out, "InvalidClientTokenId") {
			t.Errorf("a disabled account's root: %s", out)
		}
		out = awsCLIAs(t, srv.HTTPURL, akA, skA, true, "s3api", "list-buckets")
		if !strings.Contains(out, "InvalidAccessKeyId") {
			t.Errorf("a disabled account's root on S3: %s", out)
		}
		out = awsCLIAs(t, srv.HTTPURL, bobAAK, bobASK, true, "sts", "get-caller-identity")
		if !strings.Contains(out, "InvalidClientTokenId") {
			t.Errorf("a disabled account's IAM user: %s", out)
		}
		if acct, _ := callerAccount(t, srv, bobAK, bobSK); acct != b {
			t.Errorf("B's user after A was disabled: %s", acct)
		}
	}
	disabled()

	// A restart keeps the accounts, their users and A's suspension.
	srv.Stop()
	srv = StartServerAt(t, srv.DataDir)
	disabled()
	if acct, _ := callerAccount(t, srv, akB, skB); acct != b {
		t.Errorf("B's root after restart: %s", acct)
	}
	if id, err := stsClient(srv.HTTPURL, bobAK, bobSK, testRegion).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || aws.ToString(id.Account) != b {
		t.Errorf("B's user after restart: %v %v", id, err)
	}

	// Every account API call is on record, the refusals too, and no secret is.
	out = srv.AWS(t, srv.HTTPURL, false, "cloudtrail", "lookup-events", "--lookup-attributes",
		"AttributeKey=EventSource,AttributeValue=accounts.arca.amazonaws.com", "--max-results", "50", "--output", "json")
	for _, want := range []string{`\"eventName\":\"CreateAccount\"`, `\"eventName\":\"DisableAccount\"`, `\"eventName\":\"ListAccounts\"`,
		`\"accountName\":\"team-b\"`, `\"errorCode\":\"ConstraintViolationException\"`} {
		if !strings.Contains(out, want) {
			t.Errorf("audit records lack %s:\n%s", want, out)
		}
	}
	// The refusals are in the caller's account's event history (B's).
	outB := awsCLIAs(t, srv.HTTPURL, akB, skB, false, "cloudtrail", "lookup-events", "--lookup-attributes",
		"AttributeKey=EventSource,AttributeValue=accounts.arca.amazonaws.com", "--max-results", "50", "--output", "json")
	if n := strings.Count(outB, `\"errorCode\":\"AccessDeniedException\"`); n != 6 {
		t.Errorf("B's history has %d refused account API calls, want 6:\n%s", n, outB)
	}
	out += outB
	if strings.Contains(out, skB) || strings.Contains(out, skA) {
		t.Errorf("a root secret is in the audit trail")
	}
}

// `arca account` takes its credentials from a profile as the aws CLI does and trusts the
// CA bundle AWS_CA_BUNDLE names over HTTPS; without a name it is a usage error.
func TestAccountCLICredentials(t *testing.T) {
	srv := StartServer(t)
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[operator]\naws_access_key_id = "+testAccessKey+"\naws_secret_access_key = "+testSecretKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=" + creds, "AWS_PROFILE=operator", "AWS_REGION=" + testRegion,
		"AWS_CA_BUNDLE=" + filepath.Join(srv.DataDir, "tls", "cert.pem")}
	out, err := arcaEnv(env, "account", "create", "via-profile", "--endpoint", srv.HTTPSURL)
	var got struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err != nil || json.Unmarshal([]byte(out), &got) != nil || len(got.AccountId) != 12 {
		t.Fatalf("create over HTTPS with a profile: %v %s", err, out)
	}
	if acct, _ := callerAccount(t, srv, got.AccessKeyId, got.SecretAccessKey); acct != got.AccountId {
		t.Errorf("get-caller-identity = %s, want %s", acct, got.AccountId)
	}
	// Without the CA bundle the self-signed certificate is refused.
	if out, err := arcaEnv(env[:len(env)-1], "account", "list", "--endpoint", srv.HTTPSURL); err == nil {
		t.Errorf("an untrusted certificate was accepted: %s", out)
	}
	if out, err := arcaEnv(env, "account", "create", "--endpoint", srv.HTTPSURL); err == nil || !strings.Contains(out, "needs an account NAME") {
		t.Errorf("create without a name: %v %s", err, out)
	}
}

// Offline tools know the accounts: `arca admin check` counts their records clean, and
// `arca admin rotate-root-key` re-seals their roots' and users' secrets, so the next start
// with the new key still authenticates them.
func TestAccountsOffline(t *testing.T) {
	requireAWSCLI(t)
	keyFile := filepath.Join(t.TempDir(), "root-key")
	writeKeyFile(t, keyFile)
	srv := StartServer(t, "--root-key-file", keyFile)
	dir := srv.DataDir
	acct, ak, sk := createAccount(t, srv, "offline")
	iamX := iamClient(srv.HTTPURL, ak, sk)
	if _, err := iamX.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatal(err)
	}
	k, err := iamX.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String("u")})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if out, err := runArca("admin", "check", "--data", dir, "--root-key-file", keyFile); err != nil {
		t.Fatalf("arca admin check: %v\n%s", err, out)
	}
	newKey := filepath.Join(t.TempDir(), "new-root-key")
	writeKeyFile(t, newKey)
	out, err := runArca("admin", "rotate-root-key", "--data", dir, "--old-root-key-file", keyFile, "--new-root-key-file", newKey)
	if err != nil || !strings.Contains(out, "re-sealed 1 account root secret access keys") {
		t.Fatalf("rotate-root-key: %v\n%s", err, out)
	}
	srv = StartServerAt(t, dir, "--root-key-file", newKey)
	if got, _ := callerAccount(t, srv, ak, sk); got != acct {
		t.Errorf("the account's root after rotation: %s", got)
	}
	if got, _ := callerAccount(t, srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)); got != acct {
		t.Errorf("the account's user after rotation: %s", got)
	}
}
