package cse

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"errors"
	"maps"
)

// RSAKeyring wraps data keys with RSA-OAEP (SHA-1, MGF1-SHA-1; "RSA-OAEP-SHA1"), the way
// the official clients' RSA keyrings do: what is encrypted is a "pseudo data key", one
// byte holding the data key's length, the data key, then the content cipher name
// "AES/GCM/NoPadding". Encrypting needs only the public key, decrypting the private key.
type RSAKeyring struct {
	pub  *rsa.PublicKey
	priv *rsa.PrivateKey
	desc map[string]string
}

var _ Keyring = (*RSAKeyring)(nil)

// NewRSAKeyring returns a keyring for an RSA key pair of at least 2048 bits. pub may be
// nil when priv is given; priv may be nil for a keyring that only encrypts. description
// is stored with every object, as for NewAESKeyring.
func NewRSAKeyring(pub *rsa.PublicKey, priv *rsa.PrivateKey, description map[string]string) (*RSAKeyring, error) {
	if pub == nil && priv != nil {
		pub = &priv.PublicKey
	}
	if pub == nil {
		return nil, errors.New("cse: the RSA keyring needs a public or a private key")
	}
	if pub.N.BitLen() < 2048 {
		return nil, errors.New("cse: RSA keys must have at least 2048 bits")
	}
	return &RSAKeyring{pub: pub, priv: priv, desc: maps.Clone(description)}, nil
}

// WrapKey makes a random data key and encrypts it to the public key.
func (k *RSAKeyring) WrapKey(_ context.Context, suite Suite, context map[string]string) (*DataKey, error) {
	if err := refuseContext("RSA", context); err != nil {
		return nil, err
	}
	dk := make([]byte, dataKeySize)
	rand.Read(dk)
	pseudo := append(append([]byte{dataKeySize}, dk...), cipherName...)
	wrapped, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, k.pub, pseudo, nil)
	if err != nil {
		return nil, err
	}
	desc := maps.Clone(k.desc)
	if desc == nil {
		desc = map[string]string{}
	}
	return &DataKey{Plaintext: dk, WrappedKey: WrappedKey{
		Ciphertext: wrapped, Algorithm: WrapRSAOAEP, Description: desc, Suite: suite,
	}}, nil
}

// UnwrapKey decrypts a wrapped key with the private key.
func (k *RSAKeyring) UnwrapKey(_ context.Context, key *WrappedKey) ([]byte, error) {
	if key.Algorithm != WrapRSAOAEP || k.priv == nil {
		return nil, ErrWrongKey
	}
	pseudo, err := rsa.DecryptOAEP(sha1.New(), nil, k.priv, key.Ciphertext, nil)
	if err != nil {
		return nil, classify(k.desc, key.Description)
	}
	if len(pseudo) != 1+dataKeySize+len(cipherName) || pseudo[0] != dataKeySize ||
		string(pseudo[1+dataKeySize:]) != cipherName {
		return nil, ErrAuthentication
	}
	return pseudo[1 : 1+dataKeySize], nil
}
