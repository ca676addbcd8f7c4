package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestREADMEWalkthrough runs the README's walkthroughs as a newcomer would: every sh block
// from "Walkthrough with the aws CLI" on, in one bash, in a fresh HOME, with the arca binary
// on PATH and no AWS or Arca variables set. Only what cannot run here as written is changed:
// the server listens on free ports instead of 9000/9443 (the commands are rewritten to
// match), `arca audit tail`, which follows forever, stops after a few seconds, and the
// benchmarks run for a second on small objects. Every input must come from the README
// itself; the commands the README marks as failing must fail, in its words, and no other.
func TestREADMEWalkthrough(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## Walkthrough with the aws CLI")
	if start < 0 {
		t.Fatal(`README.md has no "## Walkthrough with the aws CLI"`)
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(text[start:], -1) {
		blocks = append(blocks, m[1])
	}
	if len(blocks) < 5 {
		t.Fatalf("found %d sh blocks after the walkthrough's heading", len(blocks))
	}
	script := strings.Join(blocks, "\n")

	httpPort, tlsPort := freePort(t), freePort(t)
	script = strings.NewReplacer("127.0.0.1:9000", "127.0.0.1:"+httpPort, "127.0.0.1:9443", "127.0.0.1:"+tlsPort).Replace(script)
	if n := strings.Count(script, "arca server > arca.log"); n != 1 {
		t.Fatalf("the walkthrough starts the server %d times as `arca server > arca.log`, want once", n)
	}
	script = strings.Replace(script, "arca server > arca.log",
		fmt.Sprintf("arca server --listen 127.0.0.1:%s --tls-listen 127.0.0.1:%s > arca.log", httpPort, tlsPort), 1)
	script = strings.ReplaceAll(script, "arca audit tail", "timeout 5 arca audit tail")
	if !strings.Contains(script, "ARCA_PID=$!\n") {
		t.Fatal("the walkthrough keeps no ARCA_PID=$! after starting the server")
	}
	script = strings.Replace(script, "ARCA_PID=$!\n", "ARCA_PID=$!; echo $ARCA_PID > ~/arca.pid\n", 1)
	var lines []string
	for _, l := range strings.Split(script, "\n") {
		if strings.HasPrefix(l, "arca bench") {
			l = regexp.MustCompile(`\s+--duration\s+\S+`).ReplaceAllString(l, "")
			l = strings.ReplaceAll(l, "64MiB", "1MiB")
			if i := strings.Index(l, "#"); i >= 0 {
				l = l[:i]
			}
			l += " --duration 1s"
		}
		lines = append(lines, l)
	}
	script = "shopt -s expand_aliases\n" + strings.Join(lines, "\n") +
		"\nkill $ARCA_PID 2>/dev/null\necho README-WALKTHROUGH-END\n"

	home := t.TempDir()
	path := filepath.Join(home, "walkthrough.sh")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "PATH=" + filepath.Dir(arcaBin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"LANG=C.UTF-8", "PYTHONWARNINGS=ignore", "AWS_PAGER="}
	// pyenv's shims (where the aws CLI may live) find their root through HOME unless told.
	if root := os.Getenv("PYENV_ROOT"); root != "" {
		env = append(env, "PYENV_ROOT="+root)
	} else if h, err := os.UserHomeDir(); err == nil {
		if _, err := os.Stat(filepath.Join(h, ".pyenv")); err == nil {
			env = append(env, "PYENV_ROOT="+filepath.Join(h, ".pyenv"))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", path)
	cmd.Env, cmd.Dir = env, home
	out, err := cmd.CombinedOutput()
	demo := filepath.Join(home, "arca-demo")
	// Whatever happened, the server it started goes (the walkthrough stops it at its end).
	if pid, rerr := os.ReadFile(filepath.Join(home, "arca.pid")); rerr == nil {
		exec.Command("kill", strings.TrimSpace(string(pid))).Run()
	}
	log := string(out)
	if err != nil || !strings.Contains(log, "README-WALKTHROUGH-END") {
		t.Fatalf("the walkthrough did not run to its end (%v):\n%s", err, log)
	}

	// What the README says each step shows.
	for _, want := range []string{
		"make_bucket: photos",
		"for my eyes only", // the SSE-C object read back over HTTPS
		`"NONE"`,           // get-bucket-encryption after allowing SSE-C
		"\nv1\n",           // the old version
		"PreconditionFailed",
		"\nsecret\n", // the KMS round trip
		"make_bucket: vault",
		"arn:aws:iam::",      // alice's get-caller-identity
		"200000 holiday.jpg", // alice lists photos/2026/
		"(AccessDenied) when calling the DeleteObject operation",
		"(InvalidAccessKeyId) when calling the ListObjectsV2 operation",
		"1/1 digest files valid",
		"0 problem(s)",
		"audit trail intact",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the walkthrough's output lacks %q", want)
		}
	}
	// team-b lists the photos bucket shared with it, as alice did before.
	if n := strings.Count(log, "200000 holiday.jpg"); n < 2 {
		t.Errorf("the shared bucket was listed by %d callers, want alice and team-b", n)
	}
	if !strings.Contains(log, `"team-b"`) {
		t.Errorf("arca account list does not show team-b")
	}
	// The backfill: the first summary shows holiday.jpg under SSE-S3, the job rewraps it
	// (one task, found by the generator's encryption filter), the second summary has no
	// SSE-S3 line left.
	if !strings.Contains(log, "1 succeeded, 0 failed, 1 total") {
		t.Errorf("the rewrap job did not report its one task succeeded")
	}
	if n := regexp.MustCompile(`(?m)^  SSE-S3 +1 +200000$`).FindAllStringIndex(log, -1); len(n) != 1 {
		t.Errorf("SSE-S3 in %d inventory summaries, want only the one before the job", len(n))
	}
	if n := strings.Count(log, "\n  SSE-S3 "); n != 1 {
		t.Errorf("%d summary lines for SSE-S3, want 1", n)
	}
	// The failures it shows are the three it announces, and nothing differs that it compares.
	if n := strings.Count(log, "An error occurred"); n != 3 {
		t.Errorf("%d failed aws commands, want the 3 the README marks", n)
	}
	for _, bad := range []string{" differ: ", "cmp: EOF", "command not found", "No such file", "arca: error", "Traceback", "usage:"} {
		if strings.Contains(log, bad) {
			t.Errorf("the walkthrough's output has %q", bad)
		}
	}
	for _, f := range []string{"fetched.jpg", "copy.jpg", "report-back.pdf", "v1.txt", "first100.bin"} {
		if _, err := os.Stat(filepath.Join(demo, f)); err != nil {
			t.Errorf("the walkthrough made no %s: %v", f, err)
		}
	}
	if t.Failed() {
		t.Logf("walkthrough output:\n%s", log)
	}
}

// freePort returns a loopback TCP port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
