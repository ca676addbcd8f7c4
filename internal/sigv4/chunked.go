package sigv4

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"net/http"
	"slices"
	"sync"
)

// aws-chunked limits. Signed chunks are held in memory until verified, so
// their size is capped; unsigned chunks are streamed and only bounded by the
// declared decoded length (aws-sdk-go-v2 sends a whole object as one chunk).
const (
	maxSignedChunk  = 16 << 20
	minChunk        = 8 << 10 // S3's rule: every data chunk but the last holds at least this much
	maxSizeDigits   = 16
	maxChunkLine    = 4096
	maxTrailerLines = 64
	maxTrailerBytes = 16 << 10
	chunkBufSize    = 64 << 10
)

// Buffers are pooled across requests and returned as soon as a body reaches
// its end or fails, when nothing refers to them any more.
var (
	bufioPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, chunkBufSize) }}
	chunkPool sync.Pool // *[]byte
)

// chunkConfig configures a chunkedReader.
type chunkConfig struct {
	mode     PayloadMode // a streaming mode, or PayloadUnsigned/PayloadSigned for plain aws-chunked
	decoded  int64       // x-amz-decoded-content-length; -1 = unknown (unsigned only)
	trailers []string    // names announced by x-amz-trailer, lowercase
	min      int64       // the smallest data chunk allowed before the last one (minChunk)
	// For signed modes:
	key     []byte
	amzDate string
	scope   string
	seed    string // the request signature, hex
}

// chunkedReader decodes an aws-chunked body. In signed modes it reads a whole
// chunk, verifies its signature and only then hands its bytes out.
type chunkedReader struct {
	src io.ReadCloser
	br  *bufio.Reader

	signed        bool // chunks carry chunk-signature
	signedTrailer bool // the trailer ends with x-amz-trailer-signature
	trailersOK    bool // a trailer section may carry headers
	want, got     int64
	expect        []string
	min           int64 // cfg.min
	chunks        int64 // data chunks read so far
	lastSize      int64 // size of the latest one

	key      []byte
	amzDate  string
	scope    string
	prev     [64]byte // previous signature, lowercase hex
	mac, sha hash.Hash
	sts      []byte
	sum, out [32]byte // scratch for digests

	buf  []byte // signed: the current verified chunk is buf[r:w]
	r, w int
	left int64 // unsigned: bytes of the current chunk still to hand out
	crlf bool  // unsigned: the CRLF closing the current chunk is still to read

	err     error // sticky; io.EOF once the body, trailer included, is done
	trailer http.Header
}

func newChunkedReader(src io.ReadCloser, cfg chunkConfig) *chunkedReader {
	c := &chunkedReader{
		src:    src,
		br:     bufioPool.Get().(*bufio.Reader),
		want:   cfg.decoded,
		min:    cfg.min,
		expect: cfg.trailers,
		sha:    sha256.New(),
	}
	c.br.Reset(src)
	switch cfg.mode {
	case PayloadStreamingSigned:
		c.signed = true
	case PayloadStreamingSignedTrailer:
		c.signed, c.signedTrailer, c.trailersOK = true, true, true
	default:
		c.trailersOK = true
	}
	if c.signed {
		c.key, c.amzDate, c.scope = cfg.key, cfg.amzDate, cfg.scope
		copy(c.prev[:], cfg.seed)
		c.mac = hmac.New(sha256.New, cfg.key)
	}
	return c
}

func malformed(reason string) error { return detail(ErrMalformedChunk, reason) }

var errBadTrailer = malformed(msgBadTrailer)

// ioErr maps a premature end of the body to ErrIncompleteBody.
func ioErr(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrIncompleteBody
	}
	return err
}

func (c *chunkedReader) fail(err error) {
	c.err = err
	c.r, c.w, c.left = 0, 0, 0
	c.trailer = nil
	c.release()
}

// release returns the buffers to their pools once the body has ended: after
// that only c.err is consulted.
func (c *chunkedReader) release() {
	if c.br != nil {
		c.br.Reset(nil)
		bufioPool.Put(c.br)
		c.br = nil
	}
	if c.buf != nil {
		b := c.buf[:0]
		chunkPool.Put(&b)
		c.buf = nil
	}
}

// Read returns decoded payload bytes.
func (c *chunkedReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if c.r < c.w {
			n := copy(p, c.buf[c.r:c.w])
			c.r += n
			return n, nil
		}
		if c.left > 0 {
			if int64(len(p)) > c.left {
				p = p[:c.left]
			}
			n, err := c.br.Read(p)
			c.left -= int64(n)
			if err != nil && c.left > 0 {
				c.fail(ioErr(err))
			}
			if n > 0 {
				return n, nil
			}
			continue
		}
		if c.err != nil {
			return 0, c.err
		}
		c.next()
	}
}

// WriteTo writes the decoded payload to w without an intermediate copy.
func (c *chunkedReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if c.r < c.w {
			n, err := w.Write(c.buf[c.r:c.w])
			c.r += n
			total += int64(n)
			if err != nil {
				return total, err
			}
			continue
		}
		if c.left > 0 {
			if c.br.Buffered() == 0 {
				if _, err := c.br.Peek(1); err != nil {
					c.fail(ioErr(err))
					continue
				}
			}
			b, _ := c.br.Peek(int(min(int64(c.br.Buffered()), c.left)))
			n, err := w.Write(b)
			c.br.Discard(n)
			c.left -= int64(n)
			total += int64(n)
			if err != nil {
				return total, err
			}
			continue
		}
		if c.err == io.EOF {
			return total, nil
		}
		if c.err != nil {
			return total, c.err
		}
		c.next()
	}
}

// Close closes the underlying body.
func (c *chunkedReader) Close() error { return c.src.Close() }

// Trailers returns the trailing headers once the body is fully read.
func (c *chunkedReader) Trailers() http.Header {
	if c.err != io.EOF {
		return nil
	}
	return c.trailer
}

// next reads the next chunk: in signed modes it is verified before this
// returns; the final chunk also reads and checks the trailer. A chunk that
// follows a short one (under 8 KiB) fails the body: only the last data chunk
// may be short.
func (c *chunkedReader) next() {
	if c.crlf {
		if err := c.readCRLF(); err != nil {
			c.fail(err)
			return
		}
		c.crlf = false
	}
	line, err := c.readLine()
	if err != nil {
		c.fail(ioErr(err))
		return
	}
	size, sig, err := parseChunkHeader(line, c.signed)
	if err != nil {
		c.fail(err)
		return
	}
	if size == 0 {
		c.finish(sig)
		return
	}
	if c.chunks > 0 && c.lastSize < c.min {
		c.fail(&ChunkSizeError{Chunk: c.chunks + 1, BadChunkSize: c.lastSize})
		return
	}
	c.chunks, c.lastSize = c.chunks+1, size
	if c.want >= 0 && size > c.want-c.got {
		c.fail(malformed("the chunks hold more data than x-amz-decoded-content-length"))
		return
	}
	if !c.signed {
		c.left, c.crlf = size, true
		c.got += size
		return
	}
	if size > maxSignedChunk {
		c.fail(malformed("chunk larger than 16 MiB"))
		return
	}
	if err := c.fill(int(size)); err != nil {
		c.fail(err)
		return
	}
	if err := c.readCRLF(); err != nil {
		c.fail(err)
		return
	}
	if !c.verifyChunk(c.buf, &sig) {
		c.fail(ErrSignatureDoesNotMatch)
		return
	}
	c.r, c.w = 0, len(c.buf)
	c.got += size
}

// fill reads exactly n bytes into c.buf, growing it only as data arrives so
// a chunk header alone cannot make the reader allocate much.
func (c *chunkedReader) fill(n int) error {
	if c.buf == nil {
		if p, ok := chunkPool.Get().(*[]byte); ok {
			c.buf = *p
		}
	}
	c.buf = c.buf[:0]
	for len(c.buf) < n {
		step := min(n-len(c.buf), max(len(c.buf), chunkBufSize))
		c.buf = slices.Grow(c.buf, step)
		k, err := io.ReadFull(c.br, c.buf[len(c.buf):len(c.buf)+step])
		c.buf = c.buf[:len(c.buf)+k]
		if err != nil {
			return ioErr(err)
		}
	}
	return nil
}

// readLine returns the next CRLF-terminated line without its CRLF, or io.EOF
// when the body ends cleanly before it.
func (c *chunkedReader) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err == bufio.ErrBufferFull:
		return nil, malformed("line too long")
	case err != nil:
		return nil, ioErr(err)
	case len(line) > maxChunkLine:
		return nil, malformed("line too long")
	case len(line) < 2 || line[len(line)-2] != '\r':
		return nil, malformed("line not terminated by CRLF")
	}
	return line[:len(line)-2], nil
}

func (c *chunkedReader) readCRLF() error {
	b, err := c.br.Peek(2)
	if len(b) < 2 {
		return ioErr(err)
	}
	if b[0] != '\r' || b[1] != '\n' {
		return malformed("chunk data not followed by CRLF")
	}
	c.br.Discard(2)
	return nil
}
