package gcmstream

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
)

// reference is the standard library's one-shot GCM.
func reference(t testing.TB, key, nonce, aad, pt []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return aead.Seal(nil, nonce, pt, aad)
}

// sealPieces seals pt cut into pieces of the given sizes (cycled).
func sealPieces(t testing.TB, key, nonce, aad, pt []byte, sizes []int) []byte {
	t.Helper()
	s, err := NewSealer(key, nonce, aad)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 0, len(pt)+TagSize)
	for i := 0; len(pt) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(pt))
		buf := make([]byte, n)
		if err := s.Seal(buf, pt[:n]); err != nil {
			t.Fatal(err)
		}
		out = append(out, buf...)
		pt = pt[n:]
	}
	tag := s.Tag()
	return append(out, tag[:]...)
}

func openPieces(key, nonce, aad, sealed []byte, sizes []int) ([]byte, error) {
	o, err := NewOpener(key, nonce, aad)
	if err != nil {
		return nil, err
	}
	ct, tag := sealed[:len(sealed)-TagSize], sealed[len(sealed)-TagSize:]
	var out []byte
	for i := 0; len(ct) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(ct))
		buf := append([]byte(nil), ct[:n]...)
		if err := o.Open(buf, buf); err != nil { // in place
			return nil, err
		}
		out = append(out, buf...)
		ct = ct[n:]
	}
	return out, o.Verify(tag)
}

var pieceTests = []struct {
	name    string
	size    int
	aadSize int
	pieces  []int
}{
	{"empty", 0, 0, []int{1}},
	{"empty with aad", 0, 2, []int{1}},
	{"one byte", 1, 0, []int{1}},
	{"one block", 16, 2, []int{16}},
	{"odd", 1000, 2, []int{7, 13}},
	{"chunk exactly", hashChunk, 0, []int{hashChunk}},
	{"chunk plus one", hashChunk + 1, 2, []int{hashChunk + 1}},
	{"chunk minus one in bytes", hashChunk - 1, 0, []int{1}},
	{"several chunks unaligned", 3*hashChunk + 77, 2, []int{4097, 100000, 3}},
	{"big writes", 5*hashChunk + 15, 2, []int{1 << 20}},
	{"long aad", 300, 1000, []int{64}},
}

func TestMatchesStandardLibrary(t *testing.T) {
	for _, tc := range pieceTests {
		t.Run(tc.name, func(t *testing.T) {
			key, nonce := make([]byte, 32), make([]byte, NonceSize)
			rand.Read(key)
			rand.Read(nonce)
			aad, pt := make([]byte, tc.aadSize), make([]byte, tc.size)
			rand.Read(aad)
			rand.Read(pt)
			want := reference(t, key, nonce, aad, pt)
			got := sealPieces(t, key, nonce, aad, pt, tc.pieces)
			if !bytes.Equal(got, want) {
				t.Fatalf("sealed output differs from crypto/cipher")
			}
			back, err := openPieces(key, nonce, aad, want, tc.pieces)
			if err != nil || !bytes.Equal(back, pt) {
				t.Fatalf("open: %v", err)
			}
		})
	}
}

func TestTamperFails(t *testing.T) {
	key, nonce := make([]byte, 32), make([]byte, NonceSize)
	pt := bytes.Repeat([]byte("attack at dawn "), 10000)
	sealed := reference(t, key, nonce, []byte{0, 0x73}, pt)
	for _, pos := range []int{0, len(pt) / 2, len(pt) - 1, len(pt), len(sealed) - 1} {
		bad := append([]byte(nil), sealed...)
		bad[pos] ^= 0x80
		if _, err := openPieces(key, nonce, []byte{0, 0x73}, bad, []int{4096}); !errors.Is(err, ErrAuth) {
			t.Errorf("flip at %d: got %v, want ErrAuth", pos, err)
		}
	}
	if _, err := openPieces(key, nonce, []byte{0, 0x72}, sealed, []int{4096}); !errors.Is(err, ErrAuth) {
		t.Errorf("other aad: got %v", err)
	}
}

func TestFieldArithmetic(t *testing.T) {
	one := elem{hi: 1 << 63}
	x := elem{0x0123456789abcdef, 0xfedcba9876543210}
	y := elem{0x1111111122222222, 0x3333333344444444}
	if mul(x, one) != x || mul(one, x) != x {
		t.Fatal("1 is not the identity")
	}
	if mul(x, y) != mul(y, x) {
		t.Fatal("not commutative")
	}
	if pow(x, 5) != mul(mul(mul(mul(x, x), x), x), x) || pow(x, 0) != one {
		t.Fatal("pow")
	}
}

func TestBadNonce(t *testing.T) {
	if _, err := NewSealer(make([]byte, 32), make([]byte, 16), nil); err == nil {
		t.Fatal("16-byte nonce accepted")
	}
}

// FuzzRoundTrip checks arbitrary messages and cuts against crypto/cipher.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), []byte{0, 0x73}, uint16(3))
	f.Add(make([]byte, 70000), []byte{}, uint16(65535))
	f.Fuzz(func(t *testing.T, pt, aad []byte, cut uint16) {
		key, nonce := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{1}, NonceSize)
		sizes := []int{int(cut)%9000 + 1, 16, 1}
		want := reference(t, key, nonce, aad, pt)
		if got := sealPieces(t, key, nonce, aad, pt, sizes); !bytes.Equal(got, want) {
			t.Fatal("differs from crypto/cipher")
		}
		if back, err := openPieces(key, nonce, aad, want, sizes); err != nil || !bytes.Equal(back, pt) {
			t.Fatalf("open: %v", err)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			buf := make([]byte, size)
			b.SetBytes(int64(size))
			s, _ := NewSealer(make([]byte, 32), make([]byte, 12), nil)
			for i := 0; i < b.N; i++ {
				if s.s.n > MaxPlaintext/2 {
					s, _ = NewSealer(make([]byte, 32), make([]byte, 12), nil)
				}
				s.Seal(buf, buf)
			}
		})
	}
}

func BenchmarkStdlibSeal(b *testing.B) {
	buf := make([]byte, 1<<20)
	block, _ := aes.NewCipher(make([]byte, 32))
	aead, _ := cipher.NewGCM(block)
	out := make([]byte, 0, len(buf)+16)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		aead.Seal(out[:0], make([]byte, 12), buf, nil)
	}
}
