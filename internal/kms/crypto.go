package kms

import (
	"context"
	"crypto/rand"
	"strconv"
)

// The cryptographic operations read an immutable in-memory snapshot of the key (its
// unsealed material is cached) and write nothing to disk. Each is counted against the
// caller's account quota first.

// DataKey is what GenerateDataKey returns. Plaintext is nil for the WithoutPlaintext form.
type DataKey struct {
	KeyARN        string
	KeyMaterialID string
	Plaintext     []byte
	Ciphertext    []byte
}

// Decrypted is what Decrypt returns.
type Decrypted struct {
	KeyARN        string
	KeyMaterialID string
	Plaintext     []byte
}

// ReEncrypted is what ReEncrypt returns.
type ReEncrypted struct {
	Ciphertext                   []byte
	SourceKeyARN, KeyARN         string
	SourceMaterialID, MaterialID string
}

const maxPlaintext = 4096

// seal encrypts pt under k's newest material, binding ec.
func (s *Service) seal(k *key, pt []byte, ec map[string]string) []byte {
	n := k.rec.current()
	m := k.mat[n-1]
	out := make([]byte, 0, blobOverhead+len(pt))
	out = appendHeader(out, k.rec.ID, n)
	nonce := out[headerLen : headerLen+blobNonceLen]
	out = out[:headerLen+blobNonceLen]
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return m.aead.Seal(out, nonce, pt, aad(out[:headerLen], ec))
}

// Encrypt encrypts up to 4096 bytes under a key (id, ARN, alias name or alias ARN),
// binding the encryption context. Returns the ciphertext blob and the key ARN.
func (s *Service) Encrypt(ctx context.Context, p Principal, keyID string, plaintext []byte, ec map[string]string) ([]byte, string, error) {
	if err := s.admit(p, "Encrypt"); err != nil {
		return nil, "", err
	}
	if len(plaintext) == 0 {
		return nil, "", errf(ErrValidation, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(plaintext) > maxPlaintext {
		return nil, "", errf(ErrValidation, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	}
	k, err := s.resolve(keyID, true, "Encrypt")
	if err != nil {
		return nil, "", err
	}
	if err := usable(k); err != nil {
		return nil, "", err
	}
	return s.seal(k, plaintext, ec), k.arn, nil
}

// GenerateDataKey returns numBytes (1..1024) random bytes and their encryption under a
// key, bound to ec. This is what SSE-KMS calls per object (or per bucket key).
func (s *Service) GenerateDataKey(ctx context.Context, p Principal, keyID string, ec map[string]string, numBytes int) (DataKey, error) {
	return s.generate(ctx, p, keyID, ec, numBytes, "GenerateDataKey")
}

// GenerateDataKeyWithoutPlaintext is GenerateDataKey without returning the plaintext.
func (s *Service) GenerateDataKeyWithoutPlaintext(ctx context.Context, p Principal, keyID string, ec map[string]string, numBytes int) (DataKey, error) {
	dk, err := s.generate(ctx, p, keyID, ec, numBytes, "GenerateDataKeyWithoutPlaintext")
	clear(dk.Plaintext)
	dk.Plaintext = nil
	return dk, err
}

func checkNumberOfBytes(n int) error {
	if n < 1 {
		return validation(strconv.Itoa(n), "numberOfBytes", "Member must have value greater than or equal to 1")
	}
	if n > 1024 {
		return validation(strconv.Itoa(n), "numberOfBytes", "Member must have value less than or equal to 1024")
	}
	return nil
}

func (s *Service) generate(ctx context.Context, p Principal, keyID string, ec map[string]string, n int, op string) (DataKey, error) {
	if err := s.admit(p, op); err != nil {
		return DataKey{}, err
	}
	if err := checkNumberOfBytes(n); err != nil {
		return DataKey{}, err
	}
	k, err := s.resolve(keyID, true, op)
	if err != nil {
		return DataKey{}, err
	}
	if err := usable(k); err != nil {
		return DataKey{}, err
	}
	pt := make([]byte, n)
	if _, err := rand.Read(pt); err != nil {
		return DataKey{}, err
	}
	return DataKey{KeyARN: k.arn, KeyMaterialID: k.mat[k.rec.current()-1].id,
		Plaintext: pt, Ciphertext: s.seal(k, pt, ec)}, nil
}

// Decrypt decrypts a blob made by Encrypt or GenerateDataKey: the blob names its key and
// material version, so no key id is needed. A wrong encryption context, a damaged blob or
// anything else that fails authentication is ErrInvalidCiphertext, nothing more.
func (s *Service) Decrypt(ctx context.Context, p Principal, blob []byte, ec map[string]string) (Decrypted, error) {
	return s.DecryptWithKeyID(ctx, p, blob, ec, "")
}

// DecryptWithKeyID is Decrypt with the optional KeyId of the API: when keyID is not "",
// it must name the key the blob was made with (ErrIncorrectKey otherwise).
func (s *Service) DecryptWithKeyID(ctx context.Context, p Principal, blob []byte, ec map[string]string, keyID string) (Decrypted, error) {
	if err := s.admit(p, "Decrypt"); err != nil {
		return Decrypted{}, err
	}
	return s.decrypt(blob, ec, keyID, "Decrypt")
}

func (s *Service) decrypt(blob []byte, ec map[string]string, keyID, op string) (Decrypted, error) {
	h, nonce, sealed, err := parseBlob(blob)
	if err != nil {
		return Decrypted{}, err
	}
	if keyID != "" {
		want, err := s.resolve(keyID, true, op)
		if err != nil {
			return Decrypted{}, err
		}
		if want.rec.ID != h.keyID {
			return Decrypted{}, errf(ErrIncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	s.mu.RLock()
	k, damaged := s.keys[h.keyID], s.damagedKeys[h.keyID]
	s.mu.RUnlock()
	if k == nil && damaged {
		return Decrypted{}, msgUnavailable(s.keyARN(h.keyID))
	}
	if k == nil || k.rec.Destroying {
		return Decrypted{}, errf(ErrAccessDenied, msgUnknownCiphertextKey)
	}
	if keyID == "" {
		s.obs.KeyOperation(h.keyID, op)
	}
	if err := usable(k); err != nil {
		return Decrypted{}, err
	}
	if int(h.version) > len(k.mat) {
		return Decrypted{}, ErrInvalidCiphertext
	}
	m := k.mat[h.version-1]
	pt, err := m.aead.Open(nil, nonce, sealed, aad(blob[:headerLen], ec))
	if err != nil {
		return Decrypted{}, ErrInvalidCiphertext
	}
	return Decrypted{KeyARN: k.arn, KeyMaterialID: m.id, Plaintext: pt}, nil
}

// ReEncrypt decrypts a blob (checking sourceKeyID when given) and encrypts the plaintext
// under dstKeyID with dstEC, without the plaintext leaving the service.
func (s *Service) ReEncrypt(ctx context.Context, p Principal, blob []byte, srcEC map[string]string, srcKeyID, dstKeyID string, dstEC map[string]string) (ReEncrypted, error) {
	if err := s.admit(p, "ReEncrypt"); err != nil {
		return ReEncrypted{}, err
	}
	if dstKeyID == "" {
		return ReEncrypted{}, required("destinationKeyId")
	}
	d, err := s.decrypt(blob, srcEC, srcKeyID, "ReEncryptFrom")
	if err != nil {
		return ReEncrypted{}, err
	}
	defer clear(d.Plaintext)
	k, err := s.resolve(dstKeyID, true, "ReEncryptTo")
	if err != nil {
		return ReEncrypted{}, err
	}
	if err := usable(k); err != nil {
		return ReEncrypted{}, err
	}
	return ReEncrypted{Ciphertext: s.seal(k, d.Plaintext, dstEC), SourceKeyARN: d.KeyARN, KeyARN: k.arn,
		SourceMaterialID: d.KeyMaterialID, MaterialID: k.mat[k.rec.current()-1].id}, nil
}

// GenerateRandom returns n (1..1024) random bytes.
func (s *Service) GenerateRandom(ctx context.Context, p Principal, n int) ([]byte, error) {
	if err := s.admit(p, "GenerateRandom"); err != nil {
		return nil, err
	}
	if err := checkNumberOfBytes(n); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	_, err := rand.Read(b)
	return b, err
}
