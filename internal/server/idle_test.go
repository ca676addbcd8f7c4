package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// idleServer serves handler under the idle timeout d, as serveHTTP does: the body is read
// through the watch, responses are written through it.
func idleServer(t *testing.T, d time.Duration, handler func(w http.ResponseWriter, r *http.Request, body io.Reader)) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iw := watchIdle(w, r, d)
		defer iw.done()
		var body io.Reader = http.NoBody
		if iw.body != nil {
			body = iw.body
		}
		handler(iw, r, body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// dial opens a raw connection to ts, with a deadline far beyond any timeout under test so
// that a broken server fails the test instead of hanging it.
func dial(t *testing.T, ts *httptest.Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	t.Cleanup(func() { c.Close() })
	return c
}

// A body that stops arriving ends with errIdle (S3's RequestTimeout), whatever was read
// before; the answer still reaches the client and the connection is closed after it.
func TestIdleBodyStalls(t *testing.T) {
	got := make(chan error, 1)
	ts := idleServer(t, 200*time.Millisecond, func(w http.ResponseWriter, r *http.Request, body io.Reader) {
		n, err := io.Copy(io.Discard, body)
		got <- err
		if n != 5 {
			t.Errorf("read %d bytes before the stall, want 5", n)
		}
		http.Error(w, "RequestTimeout", http.StatusBadRequest)
	})
	c := dial(t, ts)
	fmt.Fprintf(c, "PUT /x HTTP/1.1\r\nHost: arca\r\nContent-Length: 100\r\n\r\nhello")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to the stalled request: %v", err)
	}
	if err := <-got; !errors.Is(err, errIdle) {
		t.Fatalf("stalled body: %v, want errIdle", err)
	}
	if resp.StatusCode != http.StatusBadRequest || !resp.Close {
		t.Errorf("answer %d, Connection: close %v; want 400 and the connection closed", resp.StatusCode, resp.Close)
	}
	io.Copy(io.Discard, resp.Body)
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("after the answer the connection gave %v, want EOF", err)
	}
}

// The deadline moves with every read: a body arriving slowly but steadily, for longer in
// all than the timeout, is read whole.
func TestIdleBodySlowButSteady(t *testing.T) {
	const d = 3 * time.Second
	const parts = 30 // 150 ms apart: 4.5 s in all, more than d
	ts := idleServer(t, d, func(w http.ResponseWriter, r *http.Request, body io.Reader) {
		b, err := io.ReadAll(body)
		if err != nil || len(b) != parts {
			t.Errorf("read %d bytes, %v; want %d", len(b), err, parts)
		}
	})
	c := dial(t, ts)
	fmt.Fprintf(c, "PUT /x HTTP/1.1\r\nHost: arca\r\nContent-Length: %d\r\n\r\n", parts)
	start := time.Now()
	for range parts {
		time.Sleep(150 * time.Millisecond)
		c.Write([]byte("x"))
	}
	if time.Since(start) <= d {
		t.Fatalf("the body took %v, not longer than the timeout %v: the test proves nothing", time.Since(start), d)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("answer %v, %v; want 200", resp, err)
	}
}

// A client that stops taking the response makes the handler's write fail instead of
// blocking it for ever.
func TestIdleResponseStalls(t *testing.T) {
	got := make(chan error, 1)
	ts := idleServer(t, 200*time.Millisecond, func(w http.ResponseWriter, r *http.Request, _ io.Reader) {
		buf := make([]byte, 64<<10)
		var err error
		for n := 0; err == nil && n < 1<<30; n += len(buf) { // far beyond the socket buffers
			_, err = w.Write(buf)
		}
		got <- err
	})
	c := dial(t, ts)
	fmt.Fprintf(c, "GET /big HTTP/1.1\r\nHost: arca\r\n\r\n")
	select { // the client reads nothing
	case err := <-got:
		if err == nil {
			t.Fatal("1 GiB written to a client that reads nothing")
		}
	case <-time.After(time.Minute):
		t.Fatal("the handler is still blocked writing to a client that reads nothing")
	}
}

// What a request leaves on its connection does not reach the next one: a keep-alive
// connection idle for longer than the timeout serves its next request, and a handler that
// read its whole body may take longer than the timeout (the server's background read of
// the connection has no deadline, so the request's context is not cancelled).
func TestIdleDeadlinesDoNotOutliveTheRequest(t *testing.T) {
	const d = 200 * time.Millisecond
	ts := idleServer(t, d, func(w http.ResponseWriter, r *http.Request, body io.Reader) {
		if _, err := io.Copy(io.Discard, body); err != nil {
			t.Errorf("reading the body: %v", err)
		}
		if r.URL.Path == "/slow" {
			time.Sleep(3 * d)
			if err := r.Context().Err(); err != nil {
				t.Errorf("request context ended while the handler worked after reading its body: %v", err)
			}
		}
		io.WriteString(w, "ok")
	})
	c := dial(t, ts)
	br := bufio.NewReader(c)
	for i, path := range []string{"/slow", "/next", "/after-idle"} {
		if path == "/after-idle" {
			time.Sleep(3 * d)
		}
		fmt.Fprintf(c, "PUT %s HTTP/1.1\r\nHost: arca\r\nContent-Length: 5\r\n\r\nhello", path)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d (%s): %v", i, path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(b) != "ok" || resp.Close {
			t.Fatalf("request %d (%s): %d %q close=%v; want 200 ok on a kept connection", i, path, resp.StatusCode, b, resp.Close)
		}
	}
}

// A handler that never reads the body, e.g. one refusing the request, still answers a
// client that sends nothing more: the server's own read of the unread body is bounded.
func TestIdleUnreadBody(t *testing.T) {
	ts := idleServer(t, 200*time.Millisecond, func(w http.ResponseWriter, r *http.Request, _ io.Reader) {
		http.Error(w, "refused", http.StatusForbidden)
	})
	c := dial(t, ts)
	fmt.Fprintf(c, "PUT /x HTTP/1.1\r\nHost: arca\r\nContent-Length: 1000\r\n\r\nabc")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "refused") {
		t.Fatalf("answer %d %q, want 403", resp.StatusCode, b)
	}
}

// The watch's cost on a large download: a deadline per 64 KiB written.
func BenchmarkIdleWatchDownload(b *testing.B) {
	for _, d := range []time.Duration{0, 20 * time.Second} {
		b.Run(fmt.Sprintf("timeout=%v", d), func(b *testing.B) {
			buf := make([]byte, 256<<10)
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if d > 0 {
					iw := watchIdle(w, r, d)
					defer iw.done()
					w = iw
				}
				for range 64 { // 16 MiB
					w.Write(buf)
				}
			}))
			defer ts.Close()
			b.SetBytes(64 * int64(len(buf)))
			for b.Loop() {
				resp, err := http.Get(ts.URL)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
