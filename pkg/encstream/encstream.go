// Package encstream implements Arca's at-rest stream format (docs/FORMAT.md): a plaintext
// cut into 64 KiB chunks, each sealed with AES-256-GCM under a per-stream object key, with
// nonces bound to the chunk index and to whether it is the final chunk, and the stream
// header bound as additional data. Truncation, extension, reordering, chunk swaps between
// streams and bit flips are all detected; nothing unauthenticated is ever returned.
//
// Use NewWriter to encrypt and NewReader to decrypt a whole stream or any byte range of it.
// The format (version 1) is stable: a stream written today decrypts with any later version
// of this package. A key must encrypt exactly one stream.
package encstream

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
)

const (
	// ChunkSize is the plaintext size of every chunk but the last.
	ChunkSize = 1 << chunkShift
	// HeaderSize is the size of the stream header.
	HeaderSize = 8
	// TagSize is the per-chunk overhead (the GCM tag).
	TagSize = 16
	// KeySize is the object key size.
	KeySize = 32

	chunkShift  = 16
	sealedChunk = ChunkSize + TagSize
	version1    = 0x01
	suiteGCM    = 0x01
)

// header is the only header version 1 streams have.
var header = [HeaderSize]byte{'A', 'R', 'C', 'S', version1, suiteGCM, chunkShift, 0}

// ErrAuth is the one error for any stream that fails to authenticate: wrong key, tampered,
// truncated, extended, reordered or foreign data. It deliberately says nothing more.
var ErrAuth = errors.New("encstream: message authentication failed")

// ErrKeySize is returned for a key that is not KeySize bytes.
var ErrKeySize = errors.New("encstream: key must be 32 bytes")

// EncryptedSize is the stored size of a stream holding plain bytes.
func EncryptedSize(plain int64) int64 {
	return HeaderSize + plain + TagSize*chunkCount(plain)
}

func chunkCount(plain int64) int64 {
	if plain == 0 {
		return 1
	}
	return (plain + ChunkSize - 1) / ChunkSize
}

// PlainSize is the plaintext size of a stream of enc stored bytes, or ErrAuth if no stream
// has that size.
func PlainSize(enc int64) (int64, error) {
	body := enc - HeaderSize
	if body < TagSize {
		return 0, ErrAuth
	}
	full := body / sealedChunk
	rest := body % sealedChunk
	switch {
	case rest == 0:
		return full * ChunkSize, nil
	case rest > TagSize:
		return full*ChunkSize + rest - TagSize, nil
	case rest == TagSize && full == 0:
		return 0, nil
	}
	return 0, ErrAuth
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, ErrKeySize
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func nonce(dst *[12]byte, i int64, final bool) []byte {
	binary.BigEndian.PutUint64(dst[:8], uint64(i))
	dst[8], dst[9], dst[10] = 0, 0, 0
	dst[11] = 0
	if final {
		dst[11] = 1
	}
	return dst[:]
}
