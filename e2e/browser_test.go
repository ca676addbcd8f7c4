package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const chromiumPath = "/usr/bin/chromium"

// browserPage is the page the browser loads from the second origin. It uploads with a
// presigned PUT (fetch) and with a presigned POST (a multipart form, as an HTML form
// would), reads both objects back with presigned GETs through CORS (reading the exposed
// ETag), checks that the browser refuses to let it read from a bucket without a CORS
// configuration, and reports what it saw to /result on its own origin.
var browserPage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>arca cors</title></head><body>
<script>
const cfg = {{.}};
async function run() {
  const r = {};
  try {
    const put = await fetch(cfg.putURL, {method: "PUT", body: cfg.putBody, headers: {"Content-Type": "text/plain"}});
    r.putStatus = put.status;
    r.putETag = put.headers.get("ETag");
    const got = await fetch(cfg.getPutURL);
    r.getPutStatus = got.status;
    r.getPutBody = await got.text();
    r.getPutETag = got.headers.get("ETag");

    const form = new FormData();
    for (const [k, v] of Object.entries(cfg.postFields)) form.append(k, v);
    form.append("file", new Blob([cfg.postBody], {type: "text/plain"}), "upload.txt");
    const post = await fetch(cfg.postURL, {method: "POST", body: form});
    r.postStatus = post.status;
    const got2 = await fetch(cfg.getPostURL);
    r.getPostStatus = got2.status;
    r.getPostBody = await got2.text();

    try {
      await fetch(cfg.noCORSURL);
      r.noCORS = "read";
    } catch (e) {
      r.noCORS = "blocked";
    }
  } catch (e) {
    r.error = String(e);
  }
  await fetch("/result", {method: "POST", body: JSON.stringify(r)});
}
run();
</script></body></html>`))

// browserReport is what the page reports.
type browserReport struct {
	PutStatus     int    `json:"putStatus"`
	PutETag       string `json:"putETag"`
	GetPutStatus  int    `json:"getPutStatus"`
	GetPutBody    string `json:"getPutBody"`
	GetPutETag    string `json:"getPutETag"`
	PostStatus    int    `json:"postStatus"`
	GetPostStatus int    `json:"getPostStatus"`
	GetPostBody   string `json:"getPostBody"`
	NoCORS        string `json:"noCORS"`
	Error         string `json:"error"`
}

// TestBrowserCORS: headless Chromium loads a page from a second loopback origin (another
// port), which uploads to Arca with a presigned PUT and a presigned POST and reads the
// objects back with presigned GETs through the bucket's CORS rules, while a bucket without
// CORS stays unreadable to it. It fails when Chromium is missing (scripts/install-test-deps.sh
// installs it) unless ARCA_SKIP_BROWSER=1.
func TestBrowserCORS(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("ARCA_SKIP_BROWSER") == "1" {
			t.Skip("ARCA_SKIP_BROWSER=1 and no chromium")
		}
		t.Fatalf("%s is missing (%v): run scripts/install-test-deps.sh, or set ARCA_SKIP_BROWSER=1 to skip this test", chromiumPath, err)
	}
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b, closed := "browser-cors", "browser-closed"
	mustCreateBucket(t, c, b)
	mustCreateBucket(t, c, closed)
	mustPut(t, c, closed, "secret", []byte("not for other origins"))

	reports := make(chan browserReport, 1)
	var page []byte
	var mu sync.Mutex
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			mu.Lock()
			p := page
			mu.Unlock()
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(p)
		case "/result":
			var rep browserReport
			body, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(body, &rep); err != nil {
				rep.Error = fmt.Sprintf("report %q: %v", body, err)
			}
			select {
			case reports <- rep:
			default:
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()
	origin := site.URL // http://127.0.0.1:<port>: another origin than Arca's

	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &s3types.CORSConfiguration{
		CORSRules: []s3types.CORSRule{{AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET", "PUT", "POST"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(60)}}}}); err != nil {
		t.Fatal(err)
	}
	pc := s3.NewPresignClient(c)
	presign := func(req *v4.PresignedHTTPRequest, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return req.URL
	}
	putBody, postBody := "uploaded by a browser with PUT", "uploaded by a browser with POST"
	cfg := map[string]any{
		"putBody":    putBody,
		"putURL":     presign(pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("put.txt")})),
		"getPutURL":  presign(pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("put.txt")})),
		"noCORSURL":  presign(pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(closed), Key: aws.String("secret")})),
		"postBody":   postBody,
		"getPostURL": presign(pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("post.txt")})),
	}
	post, err := pc.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("post.txt")})
	if err != nil {
		t.Fatal(err)
	}
	cfg["postURL"], cfg["postFields"] = post.URL, post.Values
	var buf strings.Builder
	if err := browserPage.Execute(&buf, cfg); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	page = []byte(buf.String())
	mu.Unlock()

	rep := runChromium(t, site.URL+"/", reports)
	t.Logf("the page reported %+v", rep)
	if rep.Error != "" {
		t.Fatalf("the page failed: %s (report %+v)", rep.Error, rep)
	}
	if rep.PutStatus != 200 || rep.PutETag == "" {
		t.Errorf("presigned PUT from the browser: status %d, ETag %q", rep.PutStatus, rep.PutETag)
	}
	if rep.GetPutStatus != 200 || rep.GetPutBody != putBody || rep.GetPutETag != rep.PutETag {
		t.Errorf("presigned GET from the browser: status %d, body %q, ETag %q (PUT's %q)", rep.GetPutStatus, rep.GetPutBody, rep.GetPutETag, rep.PutETag)
	}
	if rep.PostStatus != 204 || rep.GetPostStatus != 200 || rep.GetPostBody != postBody {
		t.Errorf("presigned POST from the browser: status %d; read back %d %q", rep.PostStatus, rep.GetPostStatus, rep.GetPostBody)
	}
	if rep.NoCORS != "blocked" {
		t.Errorf("a bucket without CORS was %q by the page, want blocked", rep.NoCORS)
	}
	// What the browser wrote is there for everyone else too.
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("put.txt")}); string(got) != putBody {
		t.Errorf("the PUT object reads %q", got)
	}
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runChromium runs headless Chromium on pageURL until the page reports (or a generous
// deadline passes, which fails the test), then kills it and everything it started.
func runChromium(t *testing.T, pageURL string, reports <-chan browserReport) browserReport {
	t.Helper()
	var out lockedBuffer
	cmd := exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), pageURL)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the browser's own process group
		<-exited
	}()
	deadline := time.NewTimer(3 * time.Minute)
	defer deadline.Stop()
	select {
	case rep := <-reports:
		return rep
	case err := <-exited:
		exited <- err
		t.Fatalf("chromium exited before the page reported (%v):\n%s", err, out.String())
	case <-deadline.C:
		t.Fatalf("no report from the page within 3 minutes; chromium said:\n%s", out.String())
	}
	return browserReport{}
}
