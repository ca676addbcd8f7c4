package gcmstream

import (
	"crypto/cipher"
	"encoding/binary"
)

// hashChunk is how many bytes go to the standard library's GHASH per call. It is a
// multiple of the block size, so every chunk but a section's last is whole blocks.
const hashChunk = 64 << 10

// elem is an element of GF(2^128) in GCM's bit order: hi holds bytes 0..7 and lo bytes
// 8..15 of the block, both big-endian, so the polynomial's x^0 term is the top bit of hi.
type elem struct{ hi, lo uint64 }

func load(b []byte) elem {
	return elem{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

func (e elem) put(b []byte) {
	binary.BigEndian.PutUint64(b[:8], e.hi)
	binary.BigEndian.PutUint64(b[8:16], e.lo)
}

func (e elem) xor(f elem) elem { return elem{e.hi ^ f.hi, e.lo ^ f.lo} }

// mul is the GCM product x·y (NIST SP 800-38D, Algorithm 1), without branches or
// table lookups that depend on the operands: H is secret.
func mul(x, y elem) elem {
	var z elem
	v := y
	for i := 0; i < 128; i++ {
		var bit uint64
		if i < 64 {
			bit = x.hi >> (63 - i) & 1
		} else {
			bit = x.lo >> (127 - i) & 1
		}
		m := -bit
		z.hi ^= v.hi & m
		z.lo ^= v.lo & m
		lsb := v.lo & 1
		v.lo = v.lo>>1 | v.hi<<63
		v.hi = v.hi>>1 ^ 0xe100000000000000&-lsb
	}
	return z
}

// pow is h^n for n ≥ 0.
func pow(h elem, n int) elem {
	r := elem{hi: 1 << 63} // the multiplicative identity: x^0
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r = mul(r, h)
		}
		h = mul(h, h)
	}
	return r
}

// ghash computes GHASH over sections (the additional data, then the ciphertext), each
// zero-padded to a whole block, without keeping them in memory.
//
// The bulk of the work runs in the standard library's assembly: sealing an empty
// plaintext with additional data A under a fixed nonce N gives
// T = (G(A) ⊕ L(A))·H ⊕ E(N‖1), where G(A) is the GHASH state after A's blocks and
// L(A) the length block [8·len(A)]₆₄‖[0]₆₄. So G(A)·H = T ⊕ E(N‖1) ⊕ L(A)·H, and
// consecutive chunks combine as acc ← acc·H^m ⊕ G(chunk)·H, where m is the chunk's
// number of blocks and acc is the running GHASH state times H. Only a few field
// multiplications per 64 KiB are done here.
type ghash struct {
	aead     cipher.AEAD // used only to GHASH additional data
	h        elem        // the hash key E(0¹²⁸)
	hChunk   elem        // H^(hashChunk/16)
	maskZero elem        // E(0⁹⁶‖1)
	maskFull elem        // E(0⁹⁶‖1) ⊕ L(hashChunk)·H
	acc      elem        // GHASH state so far, times H
	buf      []byte      // a section's pending bytes, fewer than hashChunk
	tag      [16]byte    // scratch for aead.Seal
}

var zeroNonce [12]byte

func newGHASH(block cipher.Block) (*ghash, error) {
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	var b [16]byte
	block.Encrypt(b[:], b[:])
	g := &ghash{aead: aead, h: load(b[:]), buf: make([]byte, 0, hashChunk)}
	b = [16]byte{15: 1}
	block.Encrypt(b[:], b[:])
	g.maskZero = load(b[:])
	g.hChunk = pow(g.h, hashChunk/16)
	g.maskFull = g.maskZero.xor(mul(elem{hi: 8 * hashChunk}, g.h))
	return g, nil
}

// absorb folds p (a whole chunk, or a section's zero-padded end) into acc.
func (g *ghash) absorb(p []byte) {
	if len(p) == 0 {
		return
	}
	t := load(g.aead.Seal(g.tag[:0], zeroNonce[:], nil, p))
	if len(p) == hashChunk {
		g.acc = mul(g.acc, g.hChunk).xor(t.xor(g.maskFull))
		return
	}
	blocks := (len(p) + 15) / 16
	mask := g.maskZero.xor(mul(elem{hi: 8 * uint64(len(p))}, g.h))
	g.acc = mul(g.acc, pow(g.h, blocks)).xor(t.xor(mask))
}

// write adds p to the current section.
func (g *ghash) write(p []byte) {
	if n := len(g.buf); n > 0 {
		k := min(hashChunk-n, len(p))
		g.buf = append(g.buf, p[:k]...)
		p = p[k:]
		if len(g.buf) < hashChunk {
			return
		}
		g.absorb(g.buf)
		g.buf = g.buf[:0]
	}
	for len(p) >= hashChunk {
		g.absorb(p[:hashChunk])
		p = p[hashChunk:]
	}
	g.buf = append(g.buf, p...)
}

// endSection pads the current section to a whole block.
func (g *ghash) endSection() {
	g.absorb(g.buf)
	g.buf = g.buf[:0]
}

// sum ends the last section and returns GHASH over everything with the final length
// block for aadLen and ctLen bytes.
func (g *ghash) sum(aadLen, ctLen uint64) elem {
	g.endSection()
	return g.acc.xor(mul(elem{8 * aadLen, 8 * ctLen}, g.h))
}
