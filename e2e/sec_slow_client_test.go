package e2e

// Server limits against slow and numerous clients (docs/LIMITS.md): the idle timeout, the
// cap on requests in flight, and the part-count limit of CompleteMultipartUpload.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// stalledPut is a signed PutObject (UNSIGNED-PAYLOAD) on a raw connection of its own, of
// which the client has sent the headers and the first sent bytes of the body.
type stalledPut struct {
	conn net.Conn
	br   *bufio.Reader
	body []byte
	sent int
	// closing is set once a response said the server closes the connection after it.
	closing bool
}

// startStalledPut sends the headers of a signed PUT /bucket/key with Content-Length size,
// then the first sent bytes of the body, and stops there. With expect100 it asks for
// "100 Continue" and waits for it: the server sends it when the handler starts reading the
// body, so on return the request is being handled.
func startStalledPut(t *testing.T, endpoint, bucket, key string, size, sent int, expect100 bool) *stalledPut {
	t.Helper()
	body := bytes.Repeat([]byte("s"), size)
	req := newRawRequest(t, endpoint, rawReq{Method: http.MethodPut, Path: "/" + bucket + "/" + key, Body: body,
		PayloadHash: "UNSIGNED-PAYLOAD"})
	var conn net.Conn
	var err error
	if req.URL.Scheme == "https" {
		conn, err = tls.Dial("tcp", req.URL.Host, &tls.Config{InsecureSkipVerify: true})
	} else {
		conn, err = net.Dial("tcp", req.URL.Host)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// Far beyond any timeout under test: a server that never ends the request fails the
	// test instead of hanging it.
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	var head bytes.Buffer
	fmt.Fprintf(&head, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.URL.RequestURI(), req.URL.Host, size)
	if expect100 {
		head.WriteString("Expect: 100-continue\r\n")
	}
	req.Header.Write(&head)
	head.WriteString("\r\n")
	if !expect100 {
		head.Write(body[:sent])
	}
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	p := &stalledPut{conn: conn, br: bufio.NewReader(conn), body: body}
	if expect100 {
		line, err := p.br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
			t.Fatalf("waiting for 100 Continue: %q, %v", line, err)
		}
		if _, err := p.br.ReadString('\n'); err != nil { // the blank line after it
			t.Fatal(err)
		}
		if _, err := conn.Write(body[:sent]); err != nil {
			t.Fatal(err)
		}
	}
	p.sent = sent
	return p
}

// finish sends the rest of the body and returns the response.
func (p *stalledPut) finish(t *testing.T) rawResp {
	t.Helper()
	if _, err := p.conn.Write(p.body[p.sent:]); err != nil {
		t.Fatalf("sending the rest of the body: %v", err)
	}
	return p.response(t)
}

// response reads the response to the request.
func (p *stalledPut) response(t *testing.T) rawResp {
	t.Helper()
	resp, err := http.ReadResponse(p.br, nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	p.closing = resp.Close
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// An authenticated client that sends the headers of a PUT and a few bytes, then nothing,
// gets S3's 400 RequestTimeout once the idle timeout passes, its connection is closed, and
// no object is stored. (Before the timeout existed the request was held open for ever.)
func TestSecSlowUploadTimesOut(t *testing.T) {
	srv := StartServer(t, "--idle-timeout", "2s")
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "slow")

	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			p := startStalledPut(t, ep.URL, "slow", "stalled", 100, 5, false)
			resp := p.response(t)
			e := wantXMLError(t, resp, http.StatusBadRequest, "RequestTimeout")
			if want := "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."; e.Message != want {
				t.Errorf("Message %q, want %q", e.Message, want)
			}
			if !p.closing {
				t.Error("the response does not say Connection: close")
			}
			if n, err := p.br.Read(make([]byte, 1)); err == nil || isTimeout(err) {
				t.Errorf("the connection stayed open after RequestTimeout (read %d bytes, %v)", n, err)
			}
			_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("slow"), Key: aws.String("stalled")})
			wantAPIError(t, err, "", http.StatusNotFound)
		})
	}

	// A client that keeps sending, however slowly overall, is not cut off: the timeout is
	// between reads, not on the whole request.
	p := startStalledPut(t, srv.HTTPURL, "slow", "steady", 40, 0, false)
	for i := range 40 {
		if _, err := p.conn.Write(p.body[i : i+1]); err != nil {
			t.Fatalf("byte %d: %v", i, err)
		}
		time.Sleep(100 * time.Millisecond) // 4 s in all, twice the timeout
	}
	if resp := p.response(t); resp.Status != http.StatusOK {
		t.Fatalf("steady upload: %d\n%s", resp.Status, resp.Body)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// With every slot of --max-requests taken by requests in progress, the next request is
// refused at once with S3's 503 SlowDown (KMS: 400 ThrottlingException); once they finish,
// requests are served again. (Before the cap existed any number were admitted.)
func TestSecSlowRequestCap(t *testing.T) {
	const slots = 4
	srv := StartServer(t, "--max-requests", strconv.Itoa(slots), "--idle-timeout", "10m")
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "capped")

	var held []*stalledPut
	for i := range slots {
		held = append(held, startStalledPut(t, srv.HTTPURL, "capped", fmt.Sprintf("held-%d", i), 100, 10, true))
	}

	resp := do(t, srv.HTTPURL, rawReq{Method: http.MethodGet, Path: "/capped", Query: "list-type=2"})
	e := wantXMLError(t, resp, http.StatusServiceUnavailable, "SlowDown")
	if e.Message != "Please reduce your request rate." {
		t.Errorf("Message %q, want %q", e.Message, "Please reduce your request rate.")
	}
	nr := srv.S3(srv.HTTPURL, func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	_, err := nr.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("capped"), Key: aws.String("fifth"),
		Body: strings.NewReader("refused")})
	wantAPIError(t, err, "SlowDown", http.StatusServiceUnavailable)
	if status, out := kmsRaw(t, srv.HTTPURL, testAccessKey, testSecretKey, "ListKeys", "{}"); status != http.StatusBadRequest || out["__type"] != "ThrottlingException" {
		t.Errorf("KMS beyond the cap: %d %v, want 400 ThrottlingException", status, out)
	}

	for i, p := range held {
		if resp := p.finish(t); resp.Status != http.StatusOK {
			t.Fatalf("held request %d: %d\n%s", i, resp.Status, resp.Body)
		}
	}
	// A finished request gives its slot back just after its response is written; the SDK's
	// retries cover that instant.
	mustPut(t, c, "capped", "after", []byte("served again"))
	for i := range slots {
		if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("capped"), Key: aws.String(fmt.Sprintf("held-%d", i))}); err != nil {
			t.Errorf("held-%d was not stored: %v", i, err)
		}
	}
}

// CompleteMultipartUpload takes part numbers from 1 to 10,000 in ascending order, so a list
// of more than 10,000 parts is refused with InvalidArgument before any part is looked up
// (it was answered InvalidPart for the first part not uploaded), and so is a part number
// below 1 (it was InvalidPartOrder).
func TestMultipartCompleteTooManyParts(t *testing.T) {
	srv := StartServer(t)
	c := srv.S3(srv.HTTPURL, func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	ctx := context.Background()
	mustCreateBucket(t, c, "parts")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("parts"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part one")})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(parts []types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("k"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}

	parts := make([]types.CompletedPart, 10001)
	for i := range parts {
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(`"0123456789abcdef0123456789abcdef"`)}
	}
	parts[0].ETag = part.ETag
	err = complete(parts)
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	if err != nil && !strings.Contains(err.Error(), "Part number must be an integer between 1 and 10000, inclusive") {
		t.Errorf("10,001 parts: %v", err)
	}

	err = complete([]types.CompletedPart{{PartNumber: aws.Int32(0), ETag: part.ETag}})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	if err != nil && !strings.Contains(err.Error(), "PartNumber must be >= 1") {
		t.Errorf("part number 0: %v", err)
	}

	// The upload is untouched: completing it properly works.
	if err := complete([]types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}); err != nil {
		t.Fatalf("a valid complete after the refused ones: %v", err)
	}
}
