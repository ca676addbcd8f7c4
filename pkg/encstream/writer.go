package encstream

import (
	"crypto/cipher"
	"errors"
	"io"
	"sync"
)

// writeBatch is how many sealed chunks a Writer gathers before writing them out.
const writeBatch = 16

// A Writer's two buffers (a chunk of plaintext, a batch of sealed chunks: about 1 MiB) come
// from pools and go back at Close, so that a small object does not cost a megabyte of
// freshly zeroed memory. Plaintext buffers are cleared before they go back; the io.Writer
// contract (dst must not retain p) makes reusing the sealed buffer safe.
var (
	plainBufs  = sync.Pool{New: func() any { b := make([]byte, 0, ChunkSize); return &b }}
	sealedBufs = sync.Pool{New: func() any { b := make([]byte, 0, HeaderSize+writeBatch*sealedChunk); return &b }}
)

// Writer encrypts a stream. Write plaintext to it, then Close, which seals the final chunk;
// Close does not close the underlying writer.
type Writer struct {
	dst    io.Writer
	aead   cipher.AEAD
	buf    []byte // plaintext of the chunk not yet sealed (we only know it is not final once more data comes)
	out    []byte // sealed chunks waiting to be written
	seq    int64
	err    error
	closed bool
	nonce  [12]byte
}

// NewWriter returns a Writer that writes the stream header and chunks to dst.
func NewWriter(dst io.Writer, key []byte) (*Writer, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	w := &Writer{dst: dst, aead: aead,
		buf: (*plainBufs.Get().(*[]byte))[:0],
		out: (*sealedBufs.Get().(*[]byte))[:0]}
	w.out = append(w.out, header[:]...)
	return w, nil
}

// Write encrypts p.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, errors.New("encstream: write after close")
	}
	n := len(p)
	for len(p) > 0 {
		if len(w.buf) == ChunkSize {
			// More data follows, so the buffered chunk is not the final one.
			if err := w.seal(false); err != nil {
				return n - len(p), err
			}
		}
		k := copy(w.buf[len(w.buf):ChunkSize], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
	}
	return n, nil
}

func (w *Writer) seal(final bool) error {
	w.out = w.aead.Seal(w.out, nonce(&w.nonce, w.seq, final), w.buf, header[:])
	w.seq++
	w.buf = w.buf[:0]
	if final || len(w.out)+sealedChunk > cap(w.out) {
		return w.flush()
	}
	return nil
}

func (w *Writer) flush() error {
	if len(w.out) == 0 {
		return nil
	}
	if _, err := w.dst.Write(w.out); err != nil {
		w.err = err
		return err
	}
	w.out = w.out[:0]
	return nil
}

// Close seals the final chunk and writes everything out.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.seal(true)
	clear(w.buf[:cap(w.buf)]) // no plaintext left behind in memory we keep
	if err == nil {
		// After a failed write dst may still be using out (it did not return cleanly);
		// only a clean Close hands the buffers back.
		buf, out := w.buf[:0], w.out[:0]
		plainBufs.Put(&buf)
		sealedBufs.Put(&out)
	}
	w.buf, w.out = nil, nil
	return err
}
