package kms

import (
	"bytes"
	"testing"
)

// FuzzParseBlob: the parser never panics, accepts only what it could have produced, and
// a blob that parses round-trips through appendHeader.
func FuzzParseBlob(f *testing.F) {
	good := appendHeader(nil, "0f8e2a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b", 3)
	good = append(good, make([]byte, blobNonceLen+blobTagLen+5)...)
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{formatV1})
	f.Add(bytes.Repeat([]byte{formatV1}, MaxCiphertext+1))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, nonce, sealed, err := parseBlob(b)
		if err != nil {
			if err != ErrInvalidCiphertext {
				t.Fatalf("error %v is not the opaque one", err)
			}
			return
		}
		if len(nonce) != blobNonceLen || len(sealed) < blobTagLen+1 || h.version == 0 {
			t.Fatalf("bad split: nonce %d sealed %d version %d", len(nonce), len(sealed), h.version)
		}
		if hdr := appendHeader(nil, h.keyID, h.version); !bytes.Equal(hdr, b[:headerLen]) {
			t.Fatalf("header does not round-trip: %x vs %x", hdr, b[:headerLen])
		}
	})
}

// FuzzDecrypt: arbitrary blobs never decrypt and never panic the service.
func FuzzDecrypt(f *testing.F) {
	e := newEnv(f)
	md, err := e.svc.CreateKey(testCtx, caller, CreateKeyInput{})
	if err != nil {
		f.Fatal(err)
	}
	good, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("x"), nil)
	f.Add(good)
	f.Add([]byte{formatV1, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := e.svc.Decrypt(testCtx, caller, b, map[string]string{"c": "1"})
		if err == nil {
			t.Fatal("a blob decrypted under a context it was not made with")
		}
	})
}
