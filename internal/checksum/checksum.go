// Package checksum implements S3's flexible checksums: CRC32, CRC32C, CRC64NVME, SHA1 and
// SHA256, as the base64 strings S3 puts in x-amz-checksum-* headers, plus the composite
// (checksum-of-checksums "-N") form for multipart objects.
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strconv"
	"strings"
)

// Algorithms in S3's names, in the order S3 documents them.
var Algorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	// CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones.
	nvme = crc64.MakeTable(0x9A6C9329AC4BC9B5)
)

// Valid reports whether alg (upper case) is a known algorithm.
func Valid(alg string) bool {
	for _, a := range Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}

// New returns a hash for alg, or nil if alg is unknown.
func New(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(castagnoli)
	case "CRC64NVME":
		return crc64.New(nvme)
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// Size is the raw digest size of alg, 0 if unknown.
func Size(alg string) int {
	if h := New(alg); h != nil {
		return h.Size()
	}
	return 0
}

// Header is the request/response header carrying alg's value.
func Header(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// FromHeader maps a header name back to its algorithm ("" if it is not a checksum header).
func FromHeader(name string) string {
	name = strings.ToLower(name)
	if !strings.HasPrefix(name, "x-amz-checksum-") {
		return ""
	}
	alg := strings.ToUpper(strings.TrimPrefix(name, "x-amz-checksum-"))
	if !Valid(alg) {
		return ""
	}
	return alg
}

// Encode is the wire form of a digest.
func Encode(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// ValidValue reports whether v is a well-formed base64 digest for alg.
func ValidValue(alg, v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == Size(alg)
}

// Composite computes the multipart checksum-of-checksums: the digest, under alg, of the
// concatenated raw part digests, with "-N" appended. Parts are base64 values.
func Composite(alg string, parts []string) (string, bool) {
	h := New(alg)
	if h == nil {
		return "", false
	}
	for _, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return "", false
		}
		h.Write(b)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)), true
}

// CombineCRC returns the full-object CRC of parts laid end to end, from each part's CRC and
// length, without the data (zlib's crc32_combine, generalised to 64 bits). Only the CRC
// algorithms combine; ok is false otherwise.
func CombineCRC(alg string, parts []string, sizes []int64) (string, bool) {
	var poly uint64
	var width int
	switch alg {
	case "CRC32":
		poly, width = uint64(crc32.IEEE), 32
	case "CRC32C":
		poly, width = uint64(crc32.Castagnoli), 32
	case "CRC64NVME":
		poly, width = 0x9A6C9329AC4BC9B5, 64
	default:
		return "", false
	}
	var crc uint64
	for i, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil || len(b) != width/8 {
			return "", false
		}
		var c uint64
		if width == 32 {
			c = uint64(binary.BigEndian.Uint32(b))
		} else {
			c = binary.BigEndian.Uint64(b)
		}
		if i == 0 {
			crc = c
			continue
		}
		crc = combine(crc, c, sizes[i], poly, width)
	}
	out := make([]byte, width/8)
	if width == 32 {
		binary.BigEndian.PutUint32(out, uint32(crc))
	} else {
		binary.BigEndian.PutUint64(out, crc)
	}
	return Encode(out), true
}

// Sum returns the raw digest bytes of a finished hash in the wire byte order (big endian for
// the CRCs, as S3 sends them).
func Sum(h hash.Hash) []byte { return h.Sum(nil) }
