package encstream

import (
	"testing"
)

// BenchmarkRawGCM64KiB is the ceiling: AES-256-GCM sealing 64 KiB chunks with no framing.
func BenchmarkRawGCM64KiB(b *testing.B) {
	aead, _ := newAEAD(make([]byte, KeySize))
	pt := make([]byte, ChunkSize)
	out := make([]byte, 0, sealedChunk)
	var nb [12]byte
	b.SetBytes(ChunkSize)
	for b.Loop() {
		out = aead.Seal(out[:0], nonce(&nb, 1, false), pt, header[:])
	}
}
