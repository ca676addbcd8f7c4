package e2e

// Helpers for tests with several accounts (docs/ACCOUNTS.md): accounts are made through
// the real CLI, 'arca account create', signed as the operator (the primary account's root).

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// createAccount creates an account named name on srv with `arca account create` as the
// operator and returns its id and its root's access key pair.
func createAccount(t testing.TB, srv *Server, name string) (accountID, ak, sk string) {
	t.Helper()
	out, err := arcaAs(testAccessKey, testSecretKey, "account", "create", name, "--endpoint", srv.HTTPURL)
	if err != nil {
		t.Fatalf("arca account create %s: %v\n%s", name, err, out)
	}
	var got struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.AccountId) != 12 || got.AccessKeyId == "" || got.SecretAccessKey == "" {
		t.Fatalf("arca account create %s printed %q (%v)", name, out, err)
	}
	return got.AccountId, got.AccessKeyId, got.SecretAccessKey
}

// arcaAs runs the arca binary with the given AWS credentials in the environment (and no
// shared config) and returns its stdout, and stderr on failure.
func arcaAs(ak, sk string, args ...string) (string, error) {
	return arcaEnv([]string{"AWS_ACCESS_KEY_ID=" + ak, "AWS_SECRET_ACCESS_KEY=" + sk,
		"AWS_REGION=" + testRegion, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_PROFILE=", "AWS_SESSION_TOKEN="}, args...)
}

// arcaEnv runs the arca binary with env added to the environment.
func arcaEnv(env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, arcaBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out) + stderr.String(), err
	}
	return string(out), nil
}

// awsCLIAs runs the aws CLI against endpoint with the given credentials and returns its
// combined output; it fails the test unless the outcome is what wantErr says.
func awsCLIAs(t testing.TB, endpoint, ak, sk string, wantErr bool, args ...string) string {
	t.Helper()
	full := append([]string{"--endpoint-url", endpoint, "--no-verify-ssl", "--cli-read-timeout", "60"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", full...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+ak, "AWS_SECRET_ACCESS_KEY="+sk,
		"AWS_DEFAULT_REGION="+testRegion, "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "PYTHONWARNINGS=ignore")
	out, err := cmd.CombinedOutput()
	if (err != nil) != wantErr {
		t.Fatalf("aws %s: err=%v wantErr=%v\n%s", strings.Join(args, " "), err, wantErr, out)
	}
	return string(out)
}
