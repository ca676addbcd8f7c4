// Package gcmstream seals and opens one AES-GCM message in pieces of any size, so that a
// message larger than memory can be encrypted or decrypted as a stream. The ciphertext and
// tag are byte-for-byte those crypto/cipher's GCM produces for the whole message with the
// same key, 12-byte nonce and additional data.
//
// Counter-mode encryption and GHASH both run in the standard library's assembly; only a
// handful of field multiplications per 64 KiB are done here (see ghash).
//
// An Opener releases plaintext before the tag has been checked. Callers must treat all of
// it as unauthenticated until Verify succeeds.
package gcmstream

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"errors"
)

const (
	// NonceSize is the only nonce size supported.
	NonceSize = 12
	// TagSize is the size of the authentication tag.
	TagSize = 16
	// MaxPlaintext is GCM's limit on one message: 2³² − 2 blocks.
	MaxPlaintext = (1<<32 - 2) * 16
)

var (
	// ErrAuth is returned by Verify for a tag that does not match.
	ErrAuth = errors.New("gcmstream: message authentication failed")
	// ErrTooLarge is returned when a message would exceed MaxPlaintext.
	ErrTooLarge = errors.New("gcmstream: message exceeds the GCM size limit")
	errNonce    = errors.New("gcmstream: nonce must be 12 bytes")
)

type state struct {
	ctr    cipher.Stream
	gh     *ghash
	j0     [16]byte // E(nonce‖1), masks the tag
	aadLen uint64
	n      uint64 // message bytes so far
}

func newState(key, nonce, aad []byte) (*state, error) {
	if len(nonce) != NonceSize {
		return nil, errNonce
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gh, err := newGHASH(block)
	if err != nil {
		return nil, err
	}
	s := &state{gh: gh, aadLen: uint64(len(aad))}
	var ctr [16]byte
	copy(ctr[:], nonce)
	ctr[15] = 1
	block.Encrypt(s.j0[:], ctr[:])
	ctr[15] = 2
	s.ctr = cipher.NewCTR(block, ctr[:])
	gh.write(aad)
	gh.endSection()
	return s, nil
}

func (s *state) grow(n int) error {
	if s.n+uint64(n) > MaxPlaintext {
		return ErrTooLarge
	}
	s.n += uint64(n)
	return nil
}

func (s *state) tag() [TagSize]byte {
	var t [TagSize]byte
	s.gh.sum(s.aadLen, s.n).put(t[:])
	subtle.XORBytes(t[:], t[:], s.j0[:])
	return t
}

// Sealer encrypts one message.
type Sealer struct{ s *state }

// NewSealer starts a message under key (16, 24 or 32 bytes) and a 12-byte nonce,
// authenticating aad. A key and nonce pair must never seal two messages.
func NewSealer(key, nonce, aad []byte) (*Sealer, error) {
	s, err := newState(key, nonce, aad)
	if err != nil {
		return nil, err
	}
	return &Sealer{s}, nil
}

// Seal encrypts the next len(src) bytes of the message into dst, which must be at least
// as long and may be src itself (but must not otherwise overlap it).
func (w *Sealer) Seal(dst, src []byte) error {
	if err := w.s.grow(len(src)); err != nil {
		return err
	}
	dst = dst[:len(src)]
	w.s.ctr.XORKeyStream(dst, src)
	w.s.gh.write(dst)
	return nil
}

// Tag ends the message and returns its tag, which follows the ciphertext in GCM's
// usual layout. The Sealer must not be used afterwards.
func (w *Sealer) Tag() [TagSize]byte { return w.s.tag() }

// Opener decrypts one message.
type Opener struct{ s *state }

// NewOpener starts opening a message sealed under key, nonce and aad.
func NewOpener(key, nonce, aad []byte) (*Opener, error) {
	s, err := newState(key, nonce, aad)
	if err != nil {
		return nil, err
	}
	return &Opener{s}, nil
}

// Open decrypts the next len(src) bytes of ciphertext (without the tag) into dst, with
// the same aliasing rules as Seal. The plaintext is unauthenticated until Verify.
func (r *Opener) Open(dst, src []byte) error {
	if err := r.s.grow(len(src)); err != nil {
		return err
	}
	r.s.gh.write(src)
	r.s.ctr.XORKeyStream(dst[:len(src)], src)
	return nil
}

// Verify ends the message and compares its tag with tag in constant time; it returns
// ErrAuth if they differ. The Opener must not be used afterwards.
func (r *Opener) Verify(tag []byte) error {
	want := r.s.tag()
	if subtle.ConstantTimeCompare(want[:], tag) != 1 {
		return ErrAuth
	}
	return nil
}
