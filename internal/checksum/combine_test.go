package checksum

import (
	"math/rand"
	"testing"
)

// crcAlgorithms are the algorithms whose checksums combine into a full-object checksum.
var crcAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME"}

// direct is alg's checksum of data, computed over the bytes.
func direct(alg string, data []byte) string {
	h := New(alg)
	h.Write(data)
	return Encode(Sum(h))
}

// combined splits data at sizes and combines the parts' checksums.
func combined(t testing.TB, alg string, data []byte, sizes []int64) string {
	var parts []string
	off := int64(0)
	for _, n := range sizes {
		parts = append(parts, direct(alg, data[off:off+n]))
		off += n
	}
	got, ok := CombineCRC(alg, parts, sizes)
	if !ok {
		t.Fatalf("%s: CombineCRC refused %d parts", alg, len(parts))
	}
	return got
}

var combineSizeTests = [][]int64{
	{0},
	{1},
	{0, 0},
	{0, 1},
	{1, 0},
	{1, 1, 1},
	{0, 5, 0, 7, 0},
	{8, 8},
	{1, 4096},
	{4096, 1},
	{3, 1 << 16, 0, 1},
	{5 << 20, 1},
	{1, 5 << 20, 17},
	{255, 256, 257, 65535, 65536, 65537},
}

// TestCombineSizes checks the combination against the checksum over the whole data for every
// CRC and part sizes from empty and one-byte parts to multi-MiB ones.
func TestCombineSizes(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, sizes := range combineSizeTests {
		total := int64(0)
		for _, n := range sizes {
			total += n
		}
		data := make([]byte, total)
		rng.Read(data)
		for _, alg := range crcAlgorithms {
			if got, want := combined(t, alg, data, sizes), direct(alg, data); got != want {
				t.Errorf("%s %v: combined %s, whole %s", alg, sizes, got, want)
			}
		}
	}
}

// TestCombineManyParts combines 10,000 parts (S3's most), as a full upload would.
func TestCombineManyParts(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	sizes := make([]int64, 10000)
	total := int64(0)
	for i := range sizes {
		sizes[i] = int64(rng.Intn(40))
		total += sizes[i]
	}
	data := make([]byte, total)
	rng.Read(data)
	for _, alg := range crcAlgorithms {
		if got, want := combined(t, alg, data, sizes), direct(alg, data); got != want {
			t.Errorf("%s: combined %s, whole %s", alg, got, want)
		}
	}
}

func TestCombineRefuses(t *testing.T) {
	for _, tt := range []struct {
		alg   string
		parts []string
	}{
		{"SHA256", []string{direct("SHA256", nil)}},
		{"SHA1", []string{direct("SHA1", nil)}},
		{"CRC32", []string{"not base64!"}},
		{"CRC32", []string{direct("CRC64NVME", nil)}}, // wrong length
		{"CRC64NVME", []string{direct("CRC32", nil)}},
	} {
		if _, ok := CombineCRC(tt.alg, tt.parts, make([]int64, len(tt.parts))); ok {
			t.Errorf("CombineCRC(%s, %v) accepted", tt.alg, tt.parts)
		}
	}
}

// TestComposite checks the checksum of checksums against one computed by hand.
func TestComposite(t *testing.T) {
	a, b := []byte("part one"), []byte("part two")
	for _, alg := range Algorithms {
		ha, hb := New(alg), New(alg)
		ha.Write(a)
		hb.Write(b)
		h := New(alg)
		h.Write(Sum(ha))
		h.Write(Sum(hb))
		want := Encode(Sum(h)) + "-2"
		got, ok := Composite(alg, []string{Encode(Sum(ha)), Encode(Sum(hb))})
		if !ok || got != want {
			t.Errorf("%s: Composite = %s %v, want %s", alg, got, ok, want)
		}
	}
}

// FuzzCombine splits arbitrary data at arbitrary points and checks that combining the parts'
// CRCs gives the CRC of the whole, for all three CRCs.
func FuzzCombine(f *testing.F) {
	f.Add([]byte(""), []byte{0})
	f.Add([]byte("123456789"), []byte{1, 0, 3})
	f.Add([]byte("the quick brown fox jumps over the lazy dog"), []byte{7, 0, 0, 13, 255})
	f.Add(make([]byte, 1000), []byte{100, 200, 255})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var sizes []int64
		rest := int64(len(data))
		for _, c := range cuts {
			n := min(int64(c), rest)
			sizes = append(sizes, n)
			rest -= n
		}
		sizes = append(sizes, rest)
		for _, alg := range crcAlgorithms {
			if got, want := combined(t, alg, data, sizes), direct(alg, data); got != want {
				t.Fatalf("%s %v: combined %s, whole %s", alg, sizes, got, want)
			}
		}
	})
}

// BenchmarkCombineCRC combines the checksums of 10,000 parts of about 5 MiB, S3's largest
// upload, as CompleteMultipartUpload of a FULL_OBJECT upload does.
func BenchmarkCombineCRC(b *testing.B) {
	for _, alg := range crcAlgorithms {
		b.Run(alg, func(b *testing.B) {
			parts := make([]string, 10000)
			sizes := make([]int64, len(parts))
			for i := range parts {
				parts[i] = direct(alg, []byte{byte(i)})
				sizes[i] = 5<<20 + int64(i)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				CombineCRC(alg, parts, sizes)
			}
		})
	}
}
