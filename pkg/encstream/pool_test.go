package encstream

import (
	"bytes"
	"crypto/rand"
	"sync"
	"testing"
)

// Writers share pooled buffers: many at once, each with its own key and data, must each
// produce a stream that opens to exactly its own plaintext, and a closed Writer refuses
// further writes instead of touching a buffer that now belongs to another.
func TestPooledWritersConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				k := key(t)
				plain := make([]byte, sizes[(g+i)%len(sizes)]%(3*ChunkSize+11))
				rand.Read(plain)
				stream := seal(t, k, plain)
				got, err := open(k, stream, 0, int64(len(plain)))
				if err != nil || !bytes.Equal(got, plain) {
					t.Errorf("writer %d/%d (%d bytes): %v, equal %v", g, i, len(plain), err, bytes.Equal(got, plain))
					return
				}
			}
		}()
	}
	wg.Wait()

	var buf bytes.Buffer
	w, err := NewWriter(&buf, key(t))
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("x"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("y")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// A small object (4 KiB, the size of the PUT benchmark) should cost little beyond the
// encryption itself; before the pools each Writer allocated and zeroed about 1 MiB.
func BenchmarkEncrypt4KiB(b *testing.B) {
	k := key(b)
	data := make([]byte, 4<<10)
	var buf bytes.Buffer
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		w, _ := NewWriter(&buf, k)
		w.Write(data)
		w.Close()
	}
}
