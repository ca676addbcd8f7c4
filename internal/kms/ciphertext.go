package kms

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
)

// Ciphertext blob, format 1 (docs/KMS.md, "Ciphertext blob"):
//
//	offset  size  field
//	0       1     format byte 0xA1
//	1       16    key id (the UUID's 16 bytes)
//	17      4     material version, uint32 big-endian (1 = the key's original material)
//	21      12    random nonce
//	33      n+16  AES-256-GCM ciphertext of the n-byte plaintext, then the tag
//
// AAD = bytes 0..21 (the header up to the nonce) || canonicalContext(encryption context).
const (
	formatV1     = 0xA1
	idLen        = 16
	headerLen    = 1 + idLen + 4 // bytes covered by the AAD
	blobNonceLen = 12
	blobTagLen   = 16
	blobOverhead = headerLen + blobNonceLen + blobTagLen
	// MaxCiphertext is AWS's limit on a CiphertextBlob.
	MaxCiphertext = 6144
)

// blobHeader is the parsed, not yet authenticated, header of a ciphertext blob.
type blobHeader struct {
	keyID   string
	version uint32
}

// parseBlob splits a blob. It checks only the shape; authenticity comes from GCM. Every
// failure is ErrInvalidCiphertext with no detail.
func parseBlob(b []byte) (h blobHeader, nonce, sealed []byte, err error) {
	if len(b) < blobOverhead+1 || len(b) > MaxCiphertext || b[0] != formatV1 {
		return h, nil, nil, ErrInvalidCiphertext
	}
	h.keyID = formatUUID(b[1 : 1+idLen])
	h.version = binary.BigEndian.Uint32(b[1+idLen : headerLen])
	if h.version == 0 {
		return h, nil, nil, ErrInvalidCiphertext
	}
	return h, b[headerLen : headerLen+blobNonceLen], b[headerLen+blobNonceLen:], nil
}

// appendHeader appends the 21 header bytes for key id (a canonical UUID) and version.
func appendHeader(dst []byte, keyID string, version uint32) []byte {
	dst = append(dst, formatV1)
	dst = appendUUID(dst, keyID)
	return binary.BigEndian.AppendUint32(dst, version)
}

// canonicalContext appends the canonical form of an encryption context: the pair count,
// then each pair sorted by key (bytewise), every count and string preceded by its length
// as uint32 big-endian. {"a":"bc"} and {"ab":"c"} therefore differ, and a nil context
// equals an empty one.
func canonicalContext(dst []byte, ec map[string]string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(ec)))
	if len(ec) == 0 {
		return dst
	}
	var stack [8]string
	keys := stack[:0]
	for k := range ec {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	for _, k := range keys {
		v := ec[k]
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(k)))
		dst = append(dst, k...)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

// aad builds the additional authenticated data for a blob.
func aad(header []byte, ec map[string]string) []byte {
	n := len(header) + 4
	for k, v := range ec {
		n += 8 + len(k) + len(v)
	}
	out := make([]byte, 0, n)
	out = append(out, header...)
	return canonicalContext(out, ec)
}

// appendUUID appends the 16 bytes of a canonical lowercase UUID string.
func appendUUID(dst []byte, id string) []byte {
	var b [16]byte
	j := 0
	for i := 0; i < len(id) && j < 16; i++ {
		if id[i] == '-' {
			continue
		}
		hex.Decode(b[j:j+1], []byte(id[i:i+2]))
		i++
		j++
	}
	return append(dst, b[:]...)
}

func formatUUID(b []byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:16])
	return string(s[:])
}
