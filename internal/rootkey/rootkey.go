// Package rootkey holds Arca's root key: the 32-byte AES-256 key that seals every KMS key
// material version before it is written to disk. Load it with Parse (base64 text, as in
// ARCA_ROOT_KEY or a --root-key-file), ReadFile, or LoadOrCreate (development: a key
// generated into the data directory). Seal and Open are AES-256-GCM with a fresh random
// nonce and an AAD naming what is sealed (for example "arca/kms/key-material/<id>/<n>"),
// so a sealed value cannot be moved to another name and still open.
//
// Stable: the sealed format (docs/KMS.md, "Sealing") and Check's output, which is stored
// beside sealed data to detect a wrong root key at start.
package rootkey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/arcastore/arca/internal/durable"
	"io/fs"
	"os"
	"strings"
)

// Size is the root key's length in bytes.
const Size = 32

// sealVersion is the first byte of every sealed value.
const sealVersion = 0x01

const nonceSize = 12

// ErrOpen is the one error Open returns for anything wrong with a sealed value: wrong
// root key, wrong AAD, truncation, tampering. It says nothing about which.
var ErrOpen = errors.New("rootkey: cannot unseal (wrong root key or damaged data)")

// ErrFormat means a root key's text is not base64 of exactly 32 bytes.
var ErrFormat = errors.New("a root key must be the base64 encoding of exactly 32 bytes (make one with 'openssl rand -base64 32')")

// Key is a loaded root key. It is safe for concurrent use.
type Key struct {
	aead  cipher.AEAD
	check string
}

// New returns a Key for the 32 bytes k (which are copied into the cipher state).
func New(k []byte) (*Key, error) {
	if len(k) != Size {
		return nil, ErrFormat
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte("arca/rootkey/check/v1"))
	return &Key{aead: aead, check: base64.RawStdEncoding.EncodeToString(m.Sum(nil)[:12])}, nil
}

// Parse decodes base64 text (standard or URL alphabet, padded or not, surrounding space
// ignored) into a Key.
func Parse(text string) (*Key, error) {
	text = strings.TrimSpace(text)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil {
			k, err := New(b)
			clear(b)
			return k, err
		}
	}
	return nil, ErrFormat
}

// ReadFile reads a key file holding base64 text.
func ReadFile(path string) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	k, err := Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreate reads the key file at path, or when it does not exist generates a new key
// and writes it there (mode 0600, fsync'd). created reports the latter: the caller must
// warn that the key sits beside the data it protects.
func LoadOrCreate(path string) (k *Key, created bool, err error) {
	k, err = ReadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	var raw [Size]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, false, err
	}
	defer clear(raw[:])
	text := base64.StdEncoding.EncodeToString(raw[:]) + "\n"
	if err := writeNew(path, []byte(text)); err != nil {
		return nil, false, err
	}
	k, err = New(raw[:])
	return k, true, err
}

// Generate returns the base64 text of a fresh random key (for `arca admin` and tests).
func Generate() string {
	var raw [Size]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err)
	}
	defer clear(raw[:])
	return base64.StdEncoding.EncodeToString(raw[:])
}

func writeNew(path string, data []byte) error { return durable.CreateFile(path, data, 0o600) }

// Check is a short value derived one-way from the key (HMAC-SHA256 of a fixed label,
// truncated). Stored next to sealed data, it tells at start whether the configured root key
// is the one that sealed it, without revealing the key.
func (k *Key) Check() string { return k.check }

// Seal encrypts plaintext under the root key, binding aad. Output:
// 0x01 || nonce(12) || AES-256-GCM(plaintext, aad) with its 16-byte tag.
func (k *Key) Seal(aad string, plaintext []byte) []byte {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+k.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return k.aead.Seal(out, out[1:1+nonceSize], plaintext, []byte(aad))
}

// Open decrypts a value made by Seal with the same aad. Any failure is ErrOpen.
func (k *Key) Open(aad string, sealed []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+k.aead.Overhead() || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	pt, err := k.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], []byte(aad))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
