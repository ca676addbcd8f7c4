package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// The idle timeout (Config.IdleTimeout) bounds how long a request may stall: its body must
// keep arriving and its response must keep being taken. It is enforced with the
// connection's read and write deadlines, moved forward before every read of the body and
// every write of the response, so a slow but steady transfer of any size never hits it,
// while a client that sends (or takes) nothing for the timeout gets S3's 400
// RequestTimeout where a response can still be written, and its connection is closed.
// Without it a client that stops sending holds a handler and its buffers for ever.

// errIdle is what a request body returns once nothing arrived for the idle timeout. It
// wraps context.DeadlineExceeded, which apierr answers as S3's 400 RequestTimeout.
var errIdle = fmt.Errorf("server: the request body stalled past the idle timeout: %w", context.DeadlineExceeded)

// idleWatch is the response writer of one request under the idle timeout.
type idleWatch struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
	// body reads the request body under the timeout; nil when the request has none.
	body *idleBody
}

// watchIdle starts the idle timeout d on w and r. The write deadline a previous request on
// the connection left is cleared; a request with a body gets a read deadline at once, so
// that the server's own read of a body the handler leaves unread (to keep the connection)
// is bounded too. Call done when the handler returns.
func watchIdle(w http.ResponseWriter, r *http.Request, d time.Duration) *idleWatch {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	iw := &idleWatch{ResponseWriter: w, rc: rc, d: d}
	if r.Body != nil && r.Body != http.NoBody {
		iw.body = &idleBody{ReadCloser: r.Body, rc: rc, d: d}
		rc.SetReadDeadline(time.Now().Add(d))
	}
	return iw
}

// WriteHeader gives the headers the time to leave.
func (w *idleWatch) WriteHeader(code int) {
	w.extendWrite()
	w.ResponseWriter.WriteHeader(code)
}

// idleWriteChunk is the most a write is given one timeout for: a response must move at
// least this much per timeout (3.2 KiB/s at the default 20 s), however large the writes
// of the handler.
const idleWriteChunk = 64 << 10

// Write gives p the time to leave, a chunk at a time.
func (w *idleWatch) Write(p []byte) (int, error) {
	n := 0
	for {
		w.extendWrite()
		k, err := w.ResponseWriter.Write(p[n:min(len(p), n+idleWriteChunk)])
		n += k
		if err != nil || n >= len(p) {
			return n, err
		}
	}
}

// extendWrite moves the write deadline one timeout ahead, or two while the request body
// has not ended: the write that sends the headers (whichever does, as the server buffers)
// first reads what the handler left of the body, up to 256 KiB, to keep the connection,
// which the read deadline bounds by one timeout, and that must not eat the write's time.
func (w *idleWatch) extendWrite() {
	d := w.d
	if w.body != nil && !w.body.ended.Load() {
		d *= 2
	}
	w.rc.SetWriteDeadline(time.Now().Add(d))
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *idleWatch) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// done gives the server's last flush of the response, after the handler returned, the
// time a write has (with the headers, if they are still to be sent).
func (w *idleWatch) done() { w.extendWrite() }

// idleBody is a request body under the idle timeout.
type idleBody struct {
	io.ReadCloser
	rc  *http.ResponseController
	d   time.Duration
	err error // errIdle once the timeout passed; every later read returns it
	// ended is set once a read returned an error (io.EOF included): nothing is left for the
	// server to wait for.
	ended atomic.Bool
}

// Read gives the next bytes the timeout to arrive. At the end of the body the deadline is
// cleared: the server then reads in the background to notice a client that goes away, and
// that read must not fail (it would cancel the request's context).
func (b *idleBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	b.rc.SetReadDeadline(time.Now().Add(b.d))
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.ended.Store(true)
	}
	switch {
	case err == io.EOF:
		b.rc.SetReadDeadline(time.Time{})
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		b.err = errIdle
		return n, b.err
	}
	return n, err
}
