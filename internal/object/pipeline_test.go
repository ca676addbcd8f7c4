package object

import (
	"bytes"
	"crypto/md5"
	"errors"
	"io"
	"math/rand"
	"testing"
	"testing/iotest"
)

func TestPipelinedCopy(t *testing.T) {
	for _, size := range []int{0, 1, pipeBufSize - 1, pipeBufSize, pipeBufSize + 1, 5*pipeBufSize + 123} {
		data := make([]byte, size)
		rand.New(rand.NewSource(int64(size))).Read(data)
		var dst bytes.Buffer
		h := md5.New()
		// OneByteReader-ish short reads exercise ReadFull's loop.
		n, err := pipelinedCopy(&dst, h, iotest.HalfReader(bytes.NewReader(data)), int64(size))
		if err != nil || n != int64(size) || !bytes.Equal(dst.Bytes(), data) {
			t.Fatalf("size %d: n=%d err=%v equal=%v", size, n, err, bytes.Equal(dst.Bytes(), data))
		}
		if want := md5.Sum(data); !bytes.Equal(h.Sum(nil), want[:]) {
			t.Fatalf("size %d: side saw different bytes", size)
		}
	}
}

func TestPipelinedCopyShortAndFailing(t *testing.T) {
	data := make([]byte, 3*pipeBufSize)
	_, err := pipelinedCopy(io.Discard, io.Discard, bytes.NewReader(data[:pipeBufSize+5]), int64(len(data)))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short body: %v", err)
	}
	boom := errors.New("verification failed")
	_, err = pipelinedCopy(io.Discard, io.Discard, io.MultiReader(bytes.NewReader(data[:pipeBufSize*2]), iotest.ErrReader(boom)), int64(len(data)))
	if !errors.Is(err, boom) {
		t.Fatalf("reader error: %v", err)
	}
}
