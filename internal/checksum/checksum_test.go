package checksum

import (
	"encoding/hex"
	"math/rand"
	"testing"
)

var checkTests = []struct {
	alg, in, hexsum string
}{
	{"CRC32", "123456789", "cbf43926"},
	{"CRC32C", "123456789", "e3069283"},
	{"CRC64NVME", "123456789", "ae8b14860a799888"},
	{"SHA1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{"SHA256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
}

func TestKnownVectors(t *testing.T) {
	for _, tt := range checkTests {
		h := New(tt.alg)
		h.Write([]byte(tt.in))
		if got := hex.EncodeToString(Sum(h)); got != tt.hexsum {
			t.Errorf("%s(%q) = %s, want %s", tt.alg, tt.in, got, tt.hexsum)
		}
	}
}

func TestCombineMatchesWhole(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME"} {
		for trial := 0; trial < 20; trial++ {
			var whole []byte
			var parts []string
			var sizes []int64
			for i := 0; i < 1+rng.Intn(5); i++ {
				p := make([]byte, rng.Intn(3000))
				rng.Read(p)
				whole = append(whole, p...)
				h := New(alg)
				h.Write(p)
				parts = append(parts, Encode(Sum(h)))
				sizes = append(sizes, int64(len(p)))
			}
			h := New(alg)
			h.Write(whole)
			got, ok := CombineCRC(alg, parts, sizes)
			if !ok || got != Encode(Sum(h)) {
				t.Fatalf("%s: combine = %s ok=%v, want %s", alg, got, ok, Encode(Sum(h)))
			}
		}
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	for _, a := range Algorithms {
		if FromHeader(Header(a)) != a {
			t.Errorf("round trip %s", a)
		}
	}
	if FromHeader("x-amz-checksum-md5") != "" || FromHeader("content-md5") != "" {
		t.Error("unknown header accepted")
	}
}
