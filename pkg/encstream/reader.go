package encstream

import (
	"crypto/cipher"
	"errors"
	"io"
	"sync"
)

// readBatch is how many sealed chunks a Reader fetches per ReadAt.
const readBatch = 16

var readBufs = sync.Pool{New: func() any { b := make([]byte, readBatch*sealedChunk); return &b }}

// Reader decrypts a stream stored in src.
type Reader struct {
	src    io.ReaderAt
	aead   cipher.AEAD
	enc    int64 // stored size
	plain  int64
	chunks int64
}

// NewReader prepares to decrypt the stream of encSize stored bytes in src. It checks the
// header; a stream whose size matches no plaintext size fails with ErrAuth.
func NewReader(src io.ReaderAt, encSize int64, key []byte) (*Reader, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	plain, err := PlainSize(encSize)
	if err != nil {
		return nil, err
	}
	var h [HeaderSize]byte
	if _, err := src.ReadAt(h[:], 0); err != nil {
		return nil, readErr(err)
	}
	if h != header {
		return nil, ErrAuth
	}
	return &Reader{src: src, aead: aead, enc: encSize, plain: plain, chunks: chunkCount(plain)}, nil
}

// Size is the plaintext size.
func (r *Reader) Size() int64 { return r.plain }

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrAuth
	}
	return err
}

// WriteRangeTo decrypts plaintext bytes [off, off+n) and writes them to dst, opening only
// the chunks that hold them. Each chunk's bytes are written only after it authenticated.
// It returns the number of plaintext bytes written.
func (r *Reader) WriteRangeTo(dst io.Writer, off, n int64) (int64, error) {
	if off < 0 || n < 0 || off+n > r.plain {
		return 0, errors.New("encstream: range outside the stream")
	}
	if n == 0 {
		return 0, nil
	}
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	buf := *bp
	var nb [12]byte
	first, last := off/ChunkSize, (off+n-1)/ChunkSize
	var written int64
	for i := first; i <= last; {
		batch := min(last-i+1, readBatch)
		start := HeaderSize + i*sealedChunk
		end := min(start+batch*sealedChunk, r.enc)
		raw := buf[:end-start]
		if k, err := r.src.ReadAt(raw, start); k < len(raw) {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return written, readErr(err)
		}
		for j := int64(0); j < batch; j++ {
			idx := i + j
			c := raw[j*sealedChunk : min((j+1)*sealedChunk, int64(len(raw)))]
			pt, err := r.aead.Open(c[:0], nonce(&nb, idx, idx == r.chunks-1), c, header[:])
			if err != nil {
				return written, ErrAuth
			}
			lo, hi := int64(0), int64(len(pt))
			if idx == first {
				lo = off - first*ChunkSize
			}
			if idx == last {
				hi = off + n - last*ChunkSize
			}
			if _, err := dst.Write(pt[lo:hi]); err != nil {
				return written, err
			}
			written += hi - lo
		}
		i += batch
	}
	return written, nil
}
