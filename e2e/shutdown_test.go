package e2e

// Graceful shutdown with a request in flight.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	if _, err := srv.S3(srv.HTTPURL).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("graceful")}); err != nil {
		t.Fatal(err)
	}
	const size = 30 << 20
	body := crashBody("big", 1, size)
	sum := md5.Sum(body)

	sending := make(chan struct{})
	pc := &pacedHTTPClient{inner: HTTPClient(), trigger: 4 << 20, chunk: 64 << 10, delay: 2 * time.Millisecond,
		onTrigger: func() { close(sending) }}
	c := srv.S3(srv.HTTPURL, func(o *s3.Options) { o.HTTPClient = pc; o.Retryer = aws.NopRetryer{} })

	stopped := make(chan time.Duration, 1)
	go func() {
		select {
		case <-sending:
		case <-time.After(30 * time.Second):
		}
		start := time.Now()
		srv.Stop()
		stopped <- time.Since(start)
	}()
	start := time.Now()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("graceful"), Key: aws.String("big"),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(size)})
	putTook := time.Since(start)
	var stopTook time.Duration
	select {
	case stopTook = <-stopped:
	case <-time.After(45 * time.Second):
		t.Fatal("the server did not exit within 45s of SIGTERM")
	}
	if !pc.triggered.Load() {
		t.Fatalf("the PUT never transmitted %d bytes (err %v); SIGTERM was not sent mid-request", pc.trigger, err)
	}
	t.Logf("PUT took %v (err %v); server exited %v after SIGTERM", putTook.Round(time.Millisecond), err, stopTook.Round(time.Millisecond))
	if err == nil && strings.Trim(aws.ToString(out.ETag), `"`) != hex.EncodeToString(sum[:]) {
		t.Errorf("PUT acknowledged with ETag %s, want %x", aws.ToString(out.ETag), sum)
	}

	srv2 := StartServerAt(t, srv.DataDir)
	c2 := srv2.S3(srv2.HTTPURL)
	got, gerr := c2.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("graceful"), Key: aws.String("big")})
	if err == nil {
		if gerr != nil {
			t.Fatalf("PUT succeeded before shutdown, but GET after restart: %v", gerr)
		}
		data, rerr := io.ReadAll(got.Body)
		got.Body.Close()
		if rerr != nil || !bytes.Equal(data, body) {
			t.Fatalf("PUT succeeded, but after restart GET returns %d bytes (err %v), want the %d bytes written", len(data), rerr, size)
		}
	} else {
		t.Logf("the PUT failed across the graceful shutdown: %v", err)
		var re *smithyhttp.ResponseError
		if gerr == nil {
			data, _ := io.ReadAll(got.Body)
			got.Body.Close()
			t.Fatalf("the PUT failed, yet after restart the object exists with %d bytes (equal to the body: %v)", len(data), bytes.Equal(data, body))
		} else if !errors.As(gerr, &re) || re.HTTPStatusCode() != http.StatusNotFound {
			t.Fatalf("the PUT failed; after restart GET should say NoSuchKey, got %v", gerr)
		}
	}
	files, tmp := crashCountBlobFiles(t, srv2.DataDir)
	want := 0
	if err == nil {
		want = 1
	}
	if files != want || tmp != 0 {
		t.Errorf("after restart: %d blob files (want %d) and %d temp files", files, want, tmp)
	}
}

// pacedHTTPClient slows request bodies down (so that a request is surely in flight) and
// calls onTrigger once trigger bytes of a body have been handed to the transport.
type pacedHTTPClient struct {
	inner     *http.Client
	trigger   int64
	chunk     int
	delay     time.Duration
	onTrigger func()
	triggered atomic.Bool
}

func (p *pacedHTTPClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = &pacedBody{p: p, rc: req.Body}
	}
	return p.inner.Do(req)
}

type pacedBody struct {
	p    *pacedHTTPClient
	rc   io.ReadCloser
	sent int64
}

func (b *pacedBody) Read(buf []byte) (int, error) {
	if len(buf) > b.p.chunk {
		buf = buf[:b.p.chunk]
	}
	time.Sleep(b.p.delay)
	n, err := b.rc.Read(buf)
	b.sent += int64(n)
	if b.sent >= b.p.trigger && b.p.triggered.CompareAndSwap(false, true) {
		b.p.onTrigger()
	}
	return n, err
}

func (b *pacedBody) Close() error { return b.rc.Close() }
