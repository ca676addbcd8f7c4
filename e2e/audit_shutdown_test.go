package e2e

// A request still running when the 30 s shutdown drain ends keeps its audit record: the
// server cuts its connection, waits for the handler to return, and only then closes the
// trail.

import (
	"context"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestAuditShutdownKeepsStragglers(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := srv.S3(srv.HTTPURL)
	mustCreateBucket(t, c, "straggler")

	// A presigned PUT whose body stalls after its first bytes, past the shutdown drain.
	ps, err := s3.NewPresignClient(c).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("straggler"), Key: aws.String("stalled")})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	req, err := http.NewRequest(ps.Method, ps.URL, pr)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ps.SignedHeader {
		req.Header[k] = v
	}
	req.ContentLength = 1 << 20
	putErr := make(chan error, 1)
	go func() {
		resp, err := HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				err = io.ErrUnexpectedEOF
			}
		}
		putErr <- err
	}()
	if _, err := pw.Write(make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // let the handler start reading the body (ordering, not an assertion)

	srv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-srv.done:
	case <-time.After(2 * time.Minute):
		srv.Kill()
		t.Fatalf("the server did not exit within 2 minutes of SIGTERM:\n%s", srv.Output())
	}
	pw.CloseWithError(io.ErrClosedPipe) // the client waits on its body otherwise
	select {
	case err := <-putErr:
		if err == io.ErrUnexpectedEOF {
			t.Fatal("the stalled PUT succeeded")
		}
	case <-time.After(time.Minute):
		t.Fatal("the stalled PUT did not end when the server exited")
	}
	if strings.Contains(srv.Output(), "audit record lost") || strings.Contains(srv.Output(), "still running") {
		t.Errorf("the server reports a lost record:\n%s", srv.Output())
	}

	srv = StartServerAt(t, srv.DataDir)
	recs := auditLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), cttypes.LookupAttributeKeyResourceName, "straggler/stalled")
	if len(recs) != 1 || recs[0]["eventName"] != "PutObject" || recs[0]["errorCode"] == nil {
		t.Fatalf("records of the stalled PUT after shutdown: %v", recs)
	}
	t.Logf("the stalled PUT is recorded with %v: %v", recs[0]["errorCode"], recs[0]["errorMessage"])
}
