package e2e

// 'arca audit tail' and 'arca audit search' against a running server (LookupEvents over
// HTTPS, trusting the server's certificate with --ca-bundle) and offline.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// auditCLI runs 'arca audit' with the given credentials in the environment.
type auditCLI struct {
	t      *testing.T
	ak, sk string
}

func (c auditCLI) cmd(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, arcaBin, append([]string{"audit"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+c.ak, "AWS_SECRET_ACCESS_KEY="+c.sk,
		"AWS_REGION="+testRegion, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL=", "ARCA_DATA=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// run runs to the end and returns stdout, stderr and the exit code.
func (c auditCLI) run(args ...string) (string, string, int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, out, errb := c.cmd(ctx, args...)
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("arca audit %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), 0
}

func (c auditCLI) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("arca audit %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// background starts a command that ends by itself (--max) and returns a function that
// waits for it (failing the test after a generous deadline) and returns its stdout.
func (c auditCLI) background(args ...string) func() string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd, out, errb := c.cmd(ctx, args...)
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	return func() string {
		c.t.Helper()
		defer cancel()
		if err := cmd.Wait(); err != nil {
			c.t.Fatalf("arca audit %s: %v (deadline: %v)\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, ctx.Err(), out, errb)
		}
		return out.String()
	}
}

// jsonLines decodes one record per line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not a JSON record: %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func eventNames(recs []map[string]any) []string {
	var names []string
	for _, r := range recs {
		names = append(names, fmt.Sprint(r["eventName"]))
	}
	return names
}

func eventIDs(recs []map[string]any) []string {
	var ids []string
	for _, r := range recs {
		ids = append(ids, fmt.Sprint(r["eventID"]))
	}
	return ids
}

// tableColumn returns column i of each table row (after the header).
func tableColumn(t *testing.T, out string, i int) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "TIME ") {
		t.Fatalf("no table header:\n%s", out)
	}
	var col []string
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 7 {
			t.Fatalf("row of %d columns, want 7: %q", len(f), l)
		}
		col = append(col, f[i])
	}
	return col
}

func TestAuditCLITailAndSearch(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	ep := srv.HTTPSURL
	ca := filepath.Join(srv.DataDir, "tls", "cert.pem")
	withConn := func(verb string, args ...string) []string {
		return append([]string{verb, "--endpoint", ep, "--ca-bundle", ca}, args...)
	}
	root := auditCLI{t: t, ak: testAccessKey, sk: testSecretKey}
	c := srv.S3(ep)
	kc := sseKMS(t, srv)
	keyID, keyARN := sseCreateKey(t, kc, "tail key")
	sseCreateAlias(t, kc, "alias/tail-key", keyID)
	user := authzUser(t, iamClient(ep, testAccessKey, testSecretKey), "tailuser")

	// Followers, each ending after the records it must print. --since covers calls made
	// before a follower's first poll.
	waitBucket := root.background(withConn("tail", "--bucket", "tail-live", "--since", "1m", "--max", "5", "--json", "--interval", "200ms")...)
	waitKey := root.background(withConn("tail", "--key", "alias/tail-key", "--event-source", "kms", "--since", "1m",
		"--max", "4", "--interval", "200ms")...)
	waitDenied := root.background(withConn("tail", "--error-code", "AccessDenied", "--user", "tailuser", "--max", "1",
		"--since", "1m", "--json", "--interval", "200ms")...)

	mustCreateBucket(t, c, "tail-live")
	mustCreateBucket(t, c, "tail-live-other")
	mustPut(t, c, "tail-live", "a.txt", []byte("tail"))
	mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("tail-live"), Key: aws.String("a.txt")})
	if _, err := s3As(ep, user.AK, user.SK).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tail-live"), Key: aws.String("a.txt")}); err == nil {
		t.Fatal("GetObject by a user without permissions succeeded")
	}
	for i := range 60 { // noise beside the followed bucket, and enough for two pages
		mustPut(t, c, "tail-live-other", fmt.Sprintf("n%02d", i), []byte("noise"))
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("tail-live"), Key: aws.String("a.txt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/tail-key"), Plaintext: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}

	followed := jsonLines(t, waitBucket())
	if got, want := eventNames(followed), []string{"CreateBucket", "PutObject", "GetObject", "GetObject", "DeleteObject"}; !slices.Equal(got, want) {
		t.Errorf("tail --bucket tail-live printed %v, want %v (oldest first, once each)", got, want)
	}
	if ids := eventIDs(followed); len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		t.Errorf("tail printed an event twice: %v", ids)
	}
	keyOut := waitKey()
	if got, want := tableColumn(t, keyOut, 2), []string{"CreateKey", "CreateAlias", "Encrypt", "DisableKey"}; !slices.Equal(got, want) {
		t.Errorf("tail --key alias/tail-key printed %v, want %v\n%s", got, want, keyOut)
	}
	if res := tableColumn(t, keyOut, 4); !slices.Contains(res, "key/"+keyID) {
		t.Errorf("tail --key: resource column %v, want key/%s", res, keyID)
	}
	if strings.Contains(keyOut, "DescribeKey") || strings.Contains(keyOut, "LookupEvents") {
		t.Errorf("tail shows its own calls:\n%s", keyOut)
	}
	denied := jsonLines(t, waitDenied())
	if len(denied) != 1 || denied[0]["eventName"] != "GetObject" || field(denied[0], "userIdentity.userName") != "tailuser" ||
		denied[0]["errorCode"] != "AccessDenied" {
		t.Errorf("tail --error-code AccessDenied --user tailuser: %v", denied)
	}

	// search: newest first, the same records the follower printed.
	found := jsonLines(t, root.ok(withConn("search", "--bucket", "tail-live", "--start", "1h", "--json")...))
	if got, want := eventIDs(found), eventIDs(followed); !slices.Equal(got, reversed(want)) {
		t.Errorf("search --bucket tail-live: %v, want the tail's records newest first %v", eventNames(found), eventNames(followed))
	}
	// Paging: 61 records on the noisy bucket, more than one LookupEvents page.
	if n := len(jsonLines(t, root.ok(withConn("search", "--bucket", "tail-live-other", "--max", "500", "--json")...))); n != 61 {
		t.Errorf("search --bucket tail-live-other: %d records, want 61 (CreateBucket and 60 PutObject)", n)
	}
	if n := len(jsonLines(t, root.ok(withConn("search", "--bucket", "tail-live-other", "--max", "55", "--json")...))); n != 55 {
		t.Errorf("search --max 55: %d records", n)
	}
	if out := root.ok(withConn("search", "--start", "2020-01-01T00:00:00Z", "--end", "2020-01-02")...); out != "" {
		t.Errorf("search of a range before the server existed printed:\n%s", out)
	}
	if got := tableColumn(t, root.ok(withConn("search", "--key", keyARN, "--event-name", "Encrypt")...), 2); !slices.Equal(got, []string{"Encrypt"}) {
		t.Errorf("search --key ARN --event-name Encrypt: %v", got)
	}
	// Mistakes: a bad time is a usage error; a caller without cloudtrail permissions is refused.
	if _, errs, code := root.run(withConn("search", "--start", "last tuesday")...); code != 2 || !strings.Contains(errs, "arca: hint: ") {
		t.Errorf("search --start 'last tuesday': exit %d\n%s", code, errs)
	}
	userCLI := auditCLI{t: t, ak: user.AK, sk: user.SK}
	if _, errs, code := userCLI.run(withConn("tail", "--max", "1")...); code != 1 || !strings.Contains(errs, "AccessDenied") {
		t.Errorf("tail by a user without cloudtrail:LookupEvents: exit %d\n%s", code, errs)
	}
	if _, errs, code := root.run("search", "--endpoint", ep, "--start", "1h"); code != 1 || !strings.Contains(errs, "certificate") {
		t.Errorf("search over HTTPS without --ca-bundle: exit %d, want a certificate error\n%s", code, errs)
	}

	// SIGINT ends a follower cleanly.
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd, _, errb := root.cmd(sctx, withConn("tail", "--interval", "200ms")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // let it poll at least once (not an assertion)
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("tail after SIGINT: %v\n%s", err, errb)
	}

	// Offline, on the stopped server's data: the same records.
	srv.Stop()
	offline := jsonLines(t, root.ok("search", "--data", srv.DataDir, "--bucket", "tail-live", "--json"))
	if got := eventIDs(offline); !slices.Equal(got, reversed(eventIDs(followed))) {
		t.Errorf("offline search --bucket tail-live: %v", eventNames(offline))
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
