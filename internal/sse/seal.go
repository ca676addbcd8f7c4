// Package sse is Arca's server-side encryption key hierarchy (docs/KEYS.md): it makes object
// keys, seals them under SSE-S3 master keys, KMS data keys or customer keys, and unseals them
// again, always bound to the bucket, key and upload they belong to. It knows nothing of HTTP;
// the s3api package parses headers into the requests defined here.
package sse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// ErrUnseal is the one error for a sealed key that does not open: wrong wrapping key, wrong
// context, or tampering. It says nothing more.
var ErrUnseal = errors.New("sse: sealed key does not open")

const (
	sealVersion = 0x01
	saltSize    = 32
	// SealedSize is the size of a sealed 32-byte key.
	SealedSize = 1 + saltSize + 32 + 16
)

// lp appends x with a 4-byte big-endian length prefix.
func lp(dst []byte, x string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(x)))
	return append(dst, x...)
}

func sealAAD(purpose string, ctx []string) []byte {
	aad := lp(nil, "arca/seal/v1")
	aad = lp(aad, purpose)
	for _, c := range ctx {
		aad = lp(aad, c)
	}
	return aad
}

func kekAEAD(wk, salt, aad []byte) (cipher.AEAD, error) {
	kek, err := hkdf.Key(sha256.New, wk, salt, string(aad), 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(kek)
	clear(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

var zeroNonce [12]byte

// Seal wraps p under wk for purpose and ctx (docs/KEYS.md, "The one sealing construction").
func Seal(wk []byte, purpose string, ctx []string, p []byte) ([]byte, error) {
	if len(wk) == 0 {
		return nil, errors.New("sse: empty wrapping key")
	}
	out := make([]byte, 1+saltSize, 1+saltSize+len(p)+16)
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	aad := sealAAD(purpose, ctx)
	aead, err := kekAEAD(wk, out[1:], aad)
	if err != nil {
		return nil, err
	}
	return aead.Seal(out, zeroNonce[:], p, aad), nil
}

// Unseal opens what Seal made with the same wk, purpose and ctx; anything else is ErrUnseal.
func Unseal(wk []byte, purpose string, ctx []string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1+saltSize+16 || sealed[0] != sealVersion || len(wk) == 0 {
		return nil, ErrUnseal
	}
	aad := sealAAD(purpose, ctx)
	aead, err := kekAEAD(wk, sealed[1:1+saltSize], aad)
	if err != nil {
		return nil, ErrUnseal
	}
	p, err := aead.Open(nil, zeroNonce[:], sealed[1+saltSize:], aad)
	if err != nil {
		return nil, ErrUnseal
	}
	return p, nil
}

// NewObjectKey returns a fresh random 32-byte object key.
func NewObjectKey() ([]byte, error) {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	return k, err
}
