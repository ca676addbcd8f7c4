package trails

import (
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/arcastore/arca/internal/kv"

	"github.com/arcastore/arca/internal/rootkey"
)

// bucketSigning holds fingerprint -> JSON(signingKey): the digest signing key pairs, the
// private halves sealed under the root key.
var bucketSigning = []byte("audit.signing")

// signingKey is one stored key pair.
type signingKey struct {
	Fingerprint string    `json:"fp"`
	Public      []byte    `json:"pub"`    // DER PKCS#1 RSAPublicKey
	Sealed      []byte    `json:"sealed"` // rootkey.Seal(signingAAD(fp), DER PKCS#1 RSAPrivateKey)
	Created     time.Time `json:"created"`
}

// SignatureAlgorithm is the digest signature algorithm as CloudTrail names it.
const SignatureAlgorithm = "SHA256withRSA"

// signingAAD binds a sealed private key to its fingerprint.
func signingAAD(fp string) string { return "arca/cloudtrail/digest-signing-key/v1/" + fp }

// Fingerprint is how a public key is named in digests and ListPublicKeys: hex MD5 of its
// DER form (32 hex digits, the shape of CloudTrail's fingerprints). It identifies the key;
// the signature check itself uses the whole key.
func Fingerprint(pubDER []byte) string {
	sum := md5.Sum(pubDER)
	return hex.EncodeToString(sum[:])
}

// ErrWrongRootKey is returned by ResealTx when the old root key does not open the signing key.
var ErrWrongRootKey = errors.New("trails: the root key is not the one that sealed the digest signing key")

// signer returns the current signing key, generating (RSA-2048) and storing it on first use.
func (s *Service) signer() (*rsa.PrivateKey, string, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, s.keyFP, nil
	}
	var cur *signingKey
	err := s.cfg.DB.View(func(tx kv.Tx) error {
		keys, err := loadKeys(tx)
		if len(keys) > 0 {
			cur = keys[len(keys)-1]
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		der, err := s.cfg.Root.Open(signingAAD(cur.Fingerprint), cur.Sealed)
		if err != nil {
			return nil, "", fmt.Errorf("trails: opening the digest signing key: %w", err)
		}
		k, err := x509.ParsePKCS1PrivateKey(der)
		clear(der)
		if err != nil {
			return nil, "", fmt.Errorf("trails: the digest signing key is damaged: %w", err)
		}
		s.key, s.keyFP = k, cur.Fingerprint
		return k, cur.Fingerprint, nil
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", err
	}
	pub := x509.MarshalPKCS1PublicKey(&k.PublicKey)
	fp := Fingerprint(pub)
	der := x509.MarshalPKCS1PrivateKey(k)
	rec := &signingKey{Fingerprint: fp, Public: pub, Sealed: s.cfg.Root.Seal(signingAAD(fp), der), Created: s.cfg.Now().UTC().Truncate(time.Second)}
	clear(der)
	data, err := json.Marshal(rec)
	if err != nil {
		return nil, "", err
	}
	if err := s.cfg.DB.Update(func(tx kv.Tx) error { return tx.Bucket(bucketSigning).Put([]byte(fp), data) }); err != nil {
		return nil, "", fmt.Errorf("trails: storing the digest signing key: %w", err)
	}
	s.key, s.keyFP = k, fp
	return k, fp, nil
}

// loadKeys returns the stored key pairs, oldest first.
func loadKeys(tx kv.Tx) ([]*signingKey, error) {
	b := tx.Bucket(bucketSigning)
	if b == nil {
		return nil, nil
	}
	var out []*signingKey
	err := b.ForEach(func(k, v []byte) error {
		rec := new(signingKey)
		if err := json.Unmarshal(v, rec); err != nil {
			return fmt.Errorf("trails: damaged signing key record %q: %w", k, err)
		}
		out = append(out, rec)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, err
}

// PublicKey is one ListPublicKeys entry.
type PublicKey struct {
	DER         []byte // PKCS#1 RSAPublicKey
	Fingerprint string
	Start, End  time.Time
}

// PublicKeys returns the public halves of the signing keys valid at some time in
// [start, end]. A key is valid from its creation until the next key's creation; the
// current key until now. Zero start and end mean "the current key".
func (s *Service) PublicKeys(start, end time.Time) ([]PublicKey, error) {
	now := s.cfg.Now().UTC()
	if end.IsZero() {
		end = now
	}
	if start.IsZero() {
		start = end
	}
	if start.After(end) {
		return nil, errf(ErrTimeRange, "Start time must be earlier than end time.")
	}
	var keys []*signingKey
	if err := s.cfg.DB.View(func(tx kv.Tx) error {
		var err error
		keys, err = loadKeys(tx)
		return err
	}); err != nil {
		return nil, err
	}
	var out []PublicKey
	for i, k := range keys {
		until := now
		if i+1 < len(keys) {
			until = keys[i+1].Created
		}
		if k.Created.After(end) || until.Before(start) {
			continue
		}
		out = append(out, PublicKey{DER: k.Public, Fingerprint: k.Fingerprint, Start: k.Created, End: until})
	}
	return out, nil
}

// sign is RSA PKCS#1 v1.5 over SHA-256 of msg, hex encoded.
func sign(k *rsa.PrivateKey, msg []byte) (string, error) {
	sum := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sig), nil
}

// ResealTx re-seals the digest signing keys from old to new inside tx (for `arca admin
// rotate-root-key`, in the same transaction as the rest). It returns how many were
// re-sealed, and ErrWrongRootKey if old does not open them.
func ResealTx(tx kv.Tx, old, new *rootkey.Key) (int, error) {
	b := tx.Bucket(bucketSigning)
	if b == nil {
		return 0, nil
	}
	keys, err := loadKeys(tx)
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		der, err := old.Open(signingAAD(k.Fingerprint), k.Sealed)
		if err != nil {
			return 0, fmt.Errorf("%w (key %s)", ErrWrongRootKey, k.Fingerprint)
		}
		k.Sealed = new.Seal(signingAAD(k.Fingerprint), der)
		clear(der)
		data, err := json.Marshal(k)
		if err != nil {
			return 0, err
		}
		if err := b.Put([]byte(k.Fingerprint), data); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
