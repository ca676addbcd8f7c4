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

// A body of unknown length (Size -1, a POST form's file) is copied to its reader's EOF, of
// any size, and a reader that refuses at its end (content-length-range) fails the copy.
func TestCopyBodyUnknownLength(t *testing.T) {
	for _, size := range []int{0, 1, pipeBufSize - 1, pipeBufSize, 3*pipeBufSize + 7} {
		data := make([]byte, size)
		rand.New(rand.NewSource(int64(size))).Read(data)
		var dst bytes.Buffer
		d := newDigester(Digests{}, "")
		n, err := copyBody(&dst, iotest.HalfReader(bytes.NewReader(data)), -1, d)
		if err != nil || n != int64(size) || !bytes.Equal(dst.Bytes(), data) {
			t.Fatalf("size %d: n=%d err=%v", size, n, err)
		}
		if sum, _, _ := d.verify(nil); !bytes.Equal(sum, md5Of(data)) {
			t.Fatalf("size %d: digest of other bytes", size)
		}
	}
	refused := errors.New("file too small")
	_, err := copyBody(io.Discard, io.MultiReader(bytes.NewReader(make([]byte, pipeBufSize+3)), iotest.ErrReader(refused)), -1, newDigester(Digests{}, ""))
	if !errors.Is(err, refused) {
		t.Fatalf("refusing reader: %v", err)
	}
}

func md5Of(b []byte) []byte { s := md5.Sum(b); return s[:] }
