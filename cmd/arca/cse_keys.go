package main

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/arcastore/arca/pkg/cse"
)

// keyFlag is one key given on the command line, in the order given.
type keyFlag struct{ kind, value string }

// keyFlags collects --kms-key-id, --master-key-file and --rsa-key-file into one ordered
// list: the first key encrypts, all of them decrypt.
type keyFlags struct{ list []keyFlag }

type keyFlagValue struct {
	kind string
	to   *keyFlags
}

func (v keyFlagValue) String() string { return "" }

func (v keyFlagValue) Set(s string) error {
	if s == "" {
		return fmt.Errorf("empty value")
	}
	v.to.list = append(v.to.list, keyFlag{v.kind, s})
	return nil
}

func (k *keyFlags) register(fs *flag.FlagSet) {
	fs.Var(keyFlagValue{"kms", k}, "kms-key-id", "KMS key `ID`, ARN or alias that wraps data keys (repeatable)")
	fs.Var(keyFlagValue{"aes", k}, "master-key-file", "`FILE` holding a raw AES-256 master key, base64 (repeatable)")
	fs.Var(keyFlagValue{"rsa", k}, "rsa-key-file", "PEM `FILE` with an RSA private key (or a public key, to encrypt only; repeatable)")
}

// keyring builds the keyring. KMS keys need kmsc; anyKMS adds a decrypt-only keyring
// for any KMS key; forWrite requires a first key that can encrypt.
func (k *keyFlags) keyring(kmsc cse.KMSClient, anyKMS, forWrite bool) (cse.Keyring, error) {
	var rings []cse.Keyring
	for _, kf := range k.list {
		var r cse.Keyring
		var err error
		switch kf.kind {
		case "kms":
			r = cse.NewKMSKeyring(kmsc, kf.value)
		case "aes":
			r, err = loadAESKey(kf.value)
		case "rsa":
			r, err = loadRSAKey(kf.value)
		}
		if err != nil {
			return nil, err
		}
		rings = append(rings, r)
	}
	if forWrite && len(rings) == 0 {
		return nil, &usageError{msg: "no key to encrypt with",
			hint: "give --kms-key-id, --master-key-file or --rsa-key-file (make a master key with: head -c 32 /dev/urandom | base64 > master.key)"}
	}
	if anyKMS {
		rings = append(rings, cse.NewKMSAnyKeyKeyring(kmsc))
	}
	if len(rings) == 0 {
		return nil, &usageError{msg: "no key to decrypt with",
			hint: "give the key the object was written with (--kms-key-id, --master-key-file or --rsa-key-file), or --kms-any-key"}
	}
	if len(rings) == 1 {
		return rings[0], nil
	}
	return cse.NewMultiKeyring(rings[0], rings[1:]...), nil
}

// keyDescription is the material description the CLI stores for a raw key: a short
// fingerprint that names the key without revealing anything about it, so that a wrapped
// key that fails to open under the right master key is reported as tampering, not as a
// wrong key.
func keyDescription(fingerprint []byte) map[string]string {
	return map[string]string{"arca-key": hex.EncodeToString(fingerprint[:8])}
}

func loadAESKey(path string) (cse.Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("--master-key-file: %v", err), hint: "give a file holding a base64 AES-256 key"}
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, &usageError{msg: fmt.Sprintf("--master-key-file %s does not hold 32 bytes in base64", path),
			hint: "make a master key with: head -c 32 /dev/urandom | base64 > master.key"}
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("arca cse master key fingerprint"))
	return cse.NewAESKeyring(key, keyDescription(mac.Sum(nil)))
}

func loadRSAKey(path string) (cse.Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("--rsa-key-file: %v", err), hint: "give a PEM file with an RSA key"}
	}
	bad := &usageError{msg: fmt.Sprintf("--rsa-key-file %s holds no RSA key in PEM", path),
		hint: "make one with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa.pem"}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, bad
	}
	var pub *rsa.PublicKey
	var priv *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		var k any
		if k, err = x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			priv, _ = k.(*rsa.PrivateKey)
		}
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "PUBLIC KEY":
		var k any
		if k, err = x509.ParsePKIXPublicKey(block.Bytes); err == nil {
			pub, _ = k.(*rsa.PublicKey)
		}
	}
	if err != nil || (pub == nil && priv == nil) {
		return nil, bad
	}
	if priv != nil {
		pub = &priv.PublicKey
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, bad
	}
	sum := sha256.Sum256(der)
	r, err := cse.NewRSAKeyring(pub, priv, keyDescription(sum[:]))
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("--rsa-key-file %s: %v", path, err), hint: bad.hint}
	}
	return r, nil
}
