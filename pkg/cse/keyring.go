package cse

import (
	"context"
	"errors"
	"fmt"
	"maps"
)

// Keyring makes and recovers the data keys that encrypt objects: a fresh 32-byte key
// per object, stored with the object wrapped under a master key the keyring holds.
//
// UnwrapKey's error contract: it returns an error wrapping ErrWrongKey when the wrapped
// key is not for this keyring (another wrapping algorithm or another master key), one
// wrapping ErrAuthentication when the keyring recognises the key as its own but the
// wrapped bytes do not authenticate (they were altered), and any other error (network,
// permissions) as it is.
type Keyring interface {
	// WrapKey returns a new data key for content encrypted with suite, wrapped. context
	// is the caller's encryption context: KMS keyrings bind it to the key, raw keyrings
	// refuse a non-empty one (they store their fixed description instead).
	WrapKey(ctx context.Context, suite Suite, context map[string]string) (*DataKey, error)
	// UnwrapKey returns the plaintext data key of key.
	UnwrapKey(ctx context.Context, key *WrappedKey) ([]byte, error)
}

// WrappedKey is a data key as stored with an object.
type WrappedKey struct {
	// Ciphertext is the wrapped key (x-amz-key-v2 or x-amz-3, base64-decoded).
	Ciphertext []byte
	// Algorithm is the wrapping algorithm: WrapKMSContext, WrapAESGCM or WrapRSAOAEP.
	Algorithm string
	// Description is the KMS encryption context (kms+context) or the raw keyring's
	// material description (x-amz-matdesc, x-amz-t or x-amz-m).
	Description map[string]string
	// Suite is the content suite the key encrypts.
	Suite Suite
}

// DataKey is a fresh data key with its wrapped form. Plaintext never leaves the client.
type DataKey struct {
	Plaintext []byte
	WrappedKey
}

// classify turns a raw keyring's failure to unwrap into ErrAuthentication when the
// stored description names this keyring's key (so the key is right and the bytes were
// altered) and into ErrWrongKey otherwise.
func classify(own, stored map[string]string) error {
	if len(own) > 0 && maps.Equal(own, stored) {
		return ErrAuthentication
	}
	return ErrWrongKey
}

// MultiKeyring wraps with its first keyring and unwraps with whichever of its keyrings
// holds the key: the way to rotate master keys. Put the new key first and keep the old
// ones after it; objects written under an old key stay readable, and 'arca cse cp' (or
// Client.Copy) re-encrypts them under the new one.
type MultiKeyring struct {
	rings []Keyring
}

var _ Keyring = (*MultiKeyring)(nil)

// NewMultiKeyring returns a keyring that wraps with primary and unwraps with primary or
// any of others, tried in order.
func NewMultiKeyring(primary Keyring, others ...Keyring) *MultiKeyring {
	return &MultiKeyring{rings: append([]Keyring{primary}, others...)}
}

// WrapKey wraps with the primary keyring.
func (m *MultiKeyring) WrapKey(ctx context.Context, suite Suite, context map[string]string) (*DataKey, error) {
	return m.rings[0].WrapKey(ctx, suite, context)
}

// UnwrapKey tries each keyring in turn. When none succeeds it returns ErrAuthentication
// if some keyring recognised the key as its own, else the first error that is not
// ErrWrongKey (a network failure, say), else ErrWrongKey.
func (m *MultiKeyring) UnwrapKey(ctx context.Context, key *WrappedKey) ([]byte, error) {
	var auth, other error
	for _, r := range m.rings {
		pt, err := r.UnwrapKey(ctx, key)
		switch {
		case err == nil:
			return pt, nil
		case errors.Is(err, ErrAuthentication):
			auth = cmpOr(auth, err)
		case !errors.Is(err, ErrWrongKey):
			other = cmpOr(other, err)
		}
	}
	if auth != nil {
		return nil, auth
	}
	if other != nil {
		return nil, other
	}
	return nil, fmt.Errorf("%w (tried %d keys)", ErrWrongKey, len(m.rings))
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func refuseContext(name string, context map[string]string) error {
	if len(context) > 0 {
		return fmt.Errorf("cse: the %s keyring takes no encryption context (it stores its description)", name)
	}
	return nil
}
