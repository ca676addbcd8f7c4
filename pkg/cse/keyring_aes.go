package cse

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"maps"
)

// AESKeyring wraps data keys under a raw AES-256 master key with AES-GCM ("AES/GCM"):
// the wrapped key is a random 12-byte IV followed by the GCM encryption of the data key,
// with the content cipher name "AES/GCM/NoPadding" as additional data, as the official
// clients' AES keyrings do. The master key never leaves the process.
type AESKeyring struct {
	aead cipher.AEAD
	desc map[string]string
}

var _ Keyring = (*AESKeyring)(nil)

// NewAESKeyring returns a keyring for a 32-byte master key. description is stored with
// every object as its material description (it may be nil); when it names the key (a
// key ID, say), a failure to unwrap under a matching description is reported as
// ErrAuthentication rather than ErrWrongKey.
func NewAESKeyring(key []byte, description map[string]string) (*AESKeyring, error) {
	if len(key) != 32 {
		return nil, errors.New("cse: the AES master key must be 32 bytes (AES-256)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &AESKeyring{aead: aead, desc: maps.Clone(description)}, nil
}

// WrapKey makes a random data key and wraps it.
func (k *AESKeyring) WrapKey(_ context.Context, suite Suite, context map[string]string) (*DataKey, error) {
	if err := refuseContext("AES", context); err != nil {
		return nil, err
	}
	dk := make([]byte, dataKeySize)
	rand.Read(dk)
	wrapped := make([]byte, ivSize, ivSize+dataKeySize+tagSize)
	rand.Read(wrapped)
	wrapped = k.aead.Seal(wrapped, wrapped[:ivSize], dk, []byte(cipherName))
	return &DataKey{Plaintext: dk, WrappedKey: WrappedKey{
		Ciphertext: wrapped, Algorithm: WrapAESGCM, Description: k.description(), Suite: suite,
	}}, nil
}

func (k *AESKeyring) description() map[string]string {
	if k.desc == nil {
		return map[string]string{}
	}
	return maps.Clone(k.desc)
}

// UnwrapKey recovers a data key wrapped by WrapKey (or by another client's AES/GCM
// keyring under the same master key).
func (k *AESKeyring) UnwrapKey(_ context.Context, key *WrappedKey) ([]byte, error) {
	if key.Algorithm != WrapAESGCM {
		return nil, ErrWrongKey
	}
	c := key.Ciphertext
	if len(c) != ivSize+dataKeySize+tagSize {
		return nil, classify(k.desc, key.Description)
	}
	dk, err := k.aead.Open(nil, c[:ivSize], c[ivSize:], []byte(cipherName))
	if err != nil {
		return nil, classify(k.desc, key.Description)
	}
	return dk, nil
}
