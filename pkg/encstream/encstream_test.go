package encstream

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand"
	"testing"
)

func key(t testing.TB) []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

func seal(t testing.TB, k, plain []byte) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, k)
	if err != nil {
		t.Fatal(err)
	}
	// odd write sizes exercise chunk boundaries inside Write
	for p := plain; len(p) > 0; {
		n := min(len(p), 1+mrand.Intn(100000))
		w.Write(p[:n])
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(k, stream []byte, off, n int64) ([]byte, error) {
	r, err := NewReader(bytes.NewReader(stream), int64(len(stream)), k)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	_, err = r.WriteRangeTo(&out, off, n)
	return out.Bytes(), err
}

var sizes = []int{0, 1, 100, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 3*ChunkSize + 7, 17*ChunkSize + 3, 8<<20 + 3}

func TestRoundTripAndSizes(t *testing.T) {
	for _, size := range sizes {
		k := key(t)
		plain := make([]byte, size)
		rand.Read(plain)
		stream := seal(t, k, plain)
		if int64(len(stream)) != EncryptedSize(int64(size)) {
			t.Fatalf("size %d: stored %d, EncryptedSize says %d", size, len(stream), EncryptedSize(int64(size)))
		}
		if ps, err := PlainSize(int64(len(stream))); err != nil || ps != int64(size) {
			t.Fatalf("size %d: PlainSize = %d, %v", size, ps, err)
		}
		got, err := open(k, stream, 0, int64(size))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: round trip failed: %v", size, err)
		}
		if bytes.Contains(stream, plain[:min(size, 64)]) && size >= 16 {
			t.Fatalf("size %d: plaintext visible in stream", size)
		}
	}
}

func TestRanges(t *testing.T) {
	k := key(t)
	plain := make([]byte, 5*ChunkSize+123)
	rand.Read(plain)
	stream := seal(t, k, plain)
	rng := mrand.New(mrand.NewSource(7))
	cases := [][2]int64{{0, 1}, {ChunkSize - 1, 2}, {ChunkSize, ChunkSize}, {int64(len(plain)) - 1, 1}, {3, int64(len(plain)) - 3}}
	for i := 0; i < 200; i++ {
		off := rng.Int63n(int64(len(plain)))
		cases = append(cases, [2]int64{off, rng.Int63n(int64(len(plain))-off) + 1})
	}
	for _, c := range cases {
		got, err := open(k, stream, c[0], c[1])
		if err != nil || !bytes.Equal(got, plain[c[0]:c[0]+c[1]]) {
			t.Fatalf("range %v: %v", c, err)
		}
	}
	if _, err := open(k, stream, int64(len(plain)), 1); err == nil {
		t.Fatal("range past end accepted")
	}
}

// every way of damaging a stream must give ErrAuth, never wrong bytes
func TestTamper(t *testing.T) {
	k := key(t)
	plain := make([]byte, 3*ChunkSize+500)
	rand.Read(plain)
	stream := seal(t, k, plain)
	full := int64(len(plain))
	mustFail := func(name string, s []byte, k []byte) {
		t.Helper()
		got, err := open(k, s, 0, min(full, func() int64 { p, _ := PlainSize(int64(len(s))); return p }()))
		if err == nil {
			t.Fatalf("%s: accepted (%d bytes)", name, len(got))
		}
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("%s: error %v, want ErrAuth", name, err)
		}
	}
	// a flip in every byte position of header, first chunk edges, tags and final chunk
	positions := []int{0, 3, 4, 5, 6, 7}
	for i := HeaderSize; i < len(stream); i += 997 {
		positions = append(positions, i)
	}
	positions = append(positions, HeaderSize+sealedChunk-1, len(stream)-1, len(stream)-TagSize)
	for _, p := range positions {
		s := bytes.Clone(stream)
		s[p] ^= 0x01
		mustFail("flip", s, k)
	}
	// truncation at a chunk boundary and mid-chunk
	mustFail("truncate chunk", stream[:HeaderSize+2*sealedChunk], k)
	mustFail("truncate mid", stream[:len(stream)-7], k)
	// extension
	mustFail("append chunk", append(bytes.Clone(stream), stream[HeaderSize:HeaderSize+sealedChunk]...), k)
	mustFail("append byte", append(bytes.Clone(stream), 0), k)
	// reorder chunks 0 and 1
	s := bytes.Clone(stream)
	c0 := bytes.Clone(s[HeaderSize : HeaderSize+sealedChunk])
	copy(s[HeaderSize:], s[HeaderSize+sealedChunk:HeaderSize+2*sealedChunk])
	copy(s[HeaderSize+sealedChunk:], c0)
	mustFail("reorder", s, k)
	// duplicate chunk 0 over chunk 1
	s = bytes.Clone(stream)
	copy(s[HeaderSize+sealedChunk:], stream[HeaderSize:HeaderSize+sealedChunk])
	mustFail("duplicate", s, k)
	// swap a chunk in from another stream of the same length, and the whole stream
	k2 := key(t)
	other := seal(t, k2, plain)
	s = bytes.Clone(stream)
	copy(s[HeaderSize+sealedChunk:], other[HeaderSize+sealedChunk:HeaderSize+2*sealedChunk])
	mustFail("foreign chunk", s, k)
	mustFail("foreign stream", other, k)
	mustFail("wrong key", stream, k2)
	// a final chunk moved: drop the middle chunks so the first is followed by the final
	s = append(bytes.Clone(stream[:HeaderSize+sealedChunk]), stream[HeaderSize+3*sealedChunk:]...)
	mustFail("splice", s, k)
}

func TestBadSizesAndKeys(t *testing.T) {
	for _, n := range []int64{-1, 0, 7, HeaderSize, HeaderSize + TagSize - 1, HeaderSize + sealedChunk + 5} {
		if _, err := PlainSize(n); err == nil && n != HeaderSize+TagSize {
			t.Errorf("PlainSize(%d) accepted", n)
		}
	}
	if _, err := NewWriter(io.Discard, make([]byte, 16)); !errors.Is(err, ErrKeySize) {
		t.Fatal("short key accepted")
	}
}

func FuzzOpen(f *testing.F) {
	k := make([]byte, KeySize)
	f.Add(seal(f, k, []byte("hello")), int64(0), int64(5))
	f.Add(seal(f, k, make([]byte, ChunkSize+1)), int64(ChunkSize-1), int64(2))
	f.Fuzz(func(t *testing.T, stream []byte, off, n int64) {
		r, err := NewReader(bytes.NewReader(stream), int64(len(stream)), k)
		if err != nil {
			return
		}
		if off < 0 || n < 0 || off > r.Size() || n > r.Size()-off {
			return
		}
		var out bytes.Buffer
		m, err := r.WriteRangeTo(&out, off, n)
		if err == nil && m != n {
			t.Fatalf("returned %d of %d bytes without error", m, n)
		}
		if err != nil && int64(out.Len()) > n {
			t.Fatal("more bytes than asked")
		}
	})
}

func BenchmarkEncrypt64MiB(b *testing.B) {
	k := key(b)
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		w, _ := NewWriter(io.Discard, k)
		for off := 0; off < len(data); off += 1 << 20 {
			w.Write(data[off : off+1<<20])
		}
		w.Close()
	}
}

func BenchmarkDecrypt64MiB(b *testing.B) {
	k := key(b)
	data := make([]byte, 64<<20)
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, k)
	w.Write(data)
	w.Close()
	stream := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, _ := NewReader(bytes.NewReader(stream), int64(len(stream)), k)
		if _, err := r.WriteRangeTo(io.Discard, 0, int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}
