// Package e2e drives a real arca server process with real clients: aws-sdk-go-v2 and the
// aws CLI. TestMain builds the binary once; each test starts its own server on 127.0.0.1
// with fresh data (or reuses a data dir to test restarts and crashes).
package e2e

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const (
	testAccessKey = "AKIAE2ETESTKEY000001"
	testSecretKey = "e2e-secret-key-0123456789abcdefghijklmno"
	testRegion    = "us-east-1"
)

var arcaBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "arca-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	arcaBin = filepath.Join(dir, "arca")
	build := exec.Command("go", "build", "-o", arcaBin, "../cmd/arca")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building arca:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Server is one running arca process.
type Server struct {
	t        testing.TB
	DataDir  string
	HTTPURL  string // http://127.0.0.1:port
	HTTPSURL string // https://127.0.0.1:port
	cmd      *exec.Cmd
	done     chan struct{}
	mu       sync.Mutex
	output   strings.Builder
}

var servingRE = regexp.MustCompile(`^arca: serving (https?://127\.0\.0\.1:\d+)`)

// StartServer starts arca on fresh data with the test credentials. extraArgs are added to
// `arca server`.
func StartServer(t testing.TB, extraArgs ...string) *Server {
	return StartServerAt(t, t.TempDir(), extraArgs...)
}

// StartServerAt starts arca on dataDir (which may hold a previous server's data).
func StartServerAt(t testing.TB, dataDir string, extraArgs ...string) *Server {
	t.Helper()
	args := append([]string{"server", "--data", dataDir, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
		"--log-level", "warn"}, extraArgs...)
	cmd := exec.Command(arcaBin, args...)
	cmd.Env = append(os.Environ(), "ARCA_ROOT_ACCESS_KEY="+testAccessKey, "ARCA_ROOT_SECRET_KEY="+testSecretKey)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	s := &Server{t: t, DataDir: dataDir, cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting arca: %v", err)
	}
	ready := make(chan struct{})
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.output.WriteString(line + "\n")
			if m := servingRE.FindStringSubmatch(line); m != nil {
				if strings.HasPrefix(m[1], "https") {
					s.HTTPSURL = m[1]
				} else {
					s.HTTPURL = m[1]
				}
				if s.HTTPURL != "" && s.HTTPSURL != "" {
					close(ready)
				}
			}
			s.mu.Unlock()
		}
		cmd.Wait()
	}()
	select {
	case <-ready:
	case <-s.done:
		t.Fatalf("arca exited before serving:\n%s", s.Output())
	case <-time.After(20 * time.Second):
		s.Kill()
		t.Fatalf("arca did not start in 20s:\n%s", s.Output())
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// Output is everything the process printed so far.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.output.String()
}

// Stop sends SIGTERM and waits for a graceful exit.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		s.t.Errorf("arca did not stop within 30s of SIGTERM")
	}
}

// Kill sends SIGKILL (a crash) and waits for the process to be gone.
func (s *Server) Kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// HTTPClient trusts the server's self-signed certificate (tests only).
func HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: tr}
}

// S3 returns an aws-sdk-go-v2 S3 client for endpoint (HTTPURL or HTTPSURL), path-style,
// with the SDK's default checksum behaviour.
func (s *Server) S3(endpoint string, opts ...func(*s3.Options)) *s3.Client {
	cfg := aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""),
		HTTPClient:  HTTPClient(),
	}
	all := append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	}}, opts...)
	return s3.NewFromConfig(cfg, all...)
}

// AWS runs the aws CLI against endpoint with the test credentials and returns its
// combined output. It fails the test if the command fails, unless wantErr.
func (s *Server) AWS(t testing.TB, endpoint string, wantErr bool, args ...string) string {
	t.Helper()
	return awsCLIAs(t, endpoint, testAccessKey, testSecretKey, wantErr, args...)
}

// requireAWSCLI skips nothing: CI installs the aws CLI (see .ci/run), so a missing CLI is
// a failure, not a skip.
func requireAWSCLI(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatalf("the aws CLI is required (installed by .ci/run): %v", err)
	}
}

var _ = io.Discard
