package object

import (
	"io"
	"math"
	"sync"
)

// Large payloads are copied with the hashing on another goroutine (another core): the
// caller's goroutine reads from the socket and writes to the blob while a helper feeds the
// same buffers to the digester. MD5 alone runs at under 1 GB/s per core, so doing it
// in-line would cap PUT throughput well below what the disk and the network can do.

const (
	pipeBufSize   = 1 << 20
	pipeBufs      = 4
	pipeThreshold = 2 * pipeBufSize
)

var pipeBufPool = sync.Pool{New: func() any { b := make([]byte, pipeBufSize); return &b }}

type pipeChunk struct {
	buf  *[]byte
	n    int
	done chan struct{}
}

// pipelinedCopy copies exactly n bytes (or until src ends; all of src when n < 0) from src
// to dst, feeding every byte to side concurrently. It returns the bytes copied and the first
// error of src or dst.
func pipelinedCopy(dst io.Writer, side io.Writer, src io.Reader, n int64) (int64, error) {
	unbounded := n < 0
	if unbounded {
		n = math.MaxInt64
	}
	work := make(chan *pipeChunk, pipeBufs)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for c := range work {
			side.Write((*c.buf)[:c.n])
			close(c.done)
		}
	}()
	var ring [pipeBufs]*pipeChunk
	for i := range ring {
		ring[i] = &pipeChunk{buf: pipeBufPool.Get().(*[]byte)}
	}
	defer func() {
		close(work)
		wg.Wait()
		for _, c := range ring {
			pipeBufPool.Put(c.buf)
		}
	}()
	var total int64
	for i := 0; total < n; i++ {
		c := ring[i%pipeBufs]
		if c.done != nil {
			<-c.done // the side has finished with this buffer
		}
		want := int64(pipeBufSize)
		if n-total < want {
			want = n - total
		}
		k, rerr := io.ReadFull(src, (*c.buf)[:want])
		if k > 0 {
			c.n, c.done = k, make(chan struct{})
			work <- c
			if _, werr := dst.Write((*c.buf)[:k]); werr != nil {
				return total, werr
			}
			total += int64(k)
		} else {
			c.done = nil
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			if total < n && !unbounded {
				return total, io.ErrUnexpectedEOF
			}
			break
		}
		if rerr != nil {
			return total, rerr
		}
	}
	return total, nil
}
