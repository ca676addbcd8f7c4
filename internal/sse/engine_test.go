package sse

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/storage/bolt"
)

func testEngine(t *testing.T) *Engine {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	kr, err := OpenKeyring(context.Background(), db, testRoot(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(kr, NewBucketKeyCache(0, nil))
}

func TestSSES3StreamKeysAndRotation(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	enc, w, err := e.Begin(ctx, nil, Spec{Mode: ModeS3}, "b", "k")
	if err != nil || enc.MasterVersion != 1 {
		t.Fatalf("%+v %v", enc, err)
	}
	ok, sealed, _ := w.NewStreamKey("", 0)
	e.keyring.Rotate(ctx)
	// the object sealed under version 1 still opens after rotation
	w2, err := e.Open(ctx, nil, enc, "b", "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w2.StreamKey(sealed, "", 0)
	if err != nil || !bytes.Equal(got, ok) {
		t.Fatalf("unseal after rotation: %v", err)
	}
	// but not as another object, upload or part
	w3, _ := e.Open(ctx, nil, enc, "b", "other", nil)
	if _, err := w3.StreamKey(sealed, "", 0); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("sealed key opened for another key: %v", err)
	}
	if _, err := w2.StreamKey(sealed, "u1", 1); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("sealed key opened for another part: %v", err)
	}
	enc2, _, _ := e.Begin(ctx, nil, Spec{Mode: ModeS3}, "b", "k")
	if enc2.MasterVersion != 2 {
		t.Fatalf("new objects use version %d", enc2.MasterVersion)
	}
	md5sum := bytes.Repeat([]byte{1}, 16)
	if w.ETag(ok, md5sum) != "01010101010101010101010101010101" {
		t.Fatal("SSE-S3 ETag is not the MD5")
	}
}

func TestSSECWrongKeyVersusTamper(t *testing.T) {
	e := testEngine(t)
	ctx := context.Background()
	ck := bytes.Repeat([]byte{0x42}, 32)
	enc, w, err := e.Begin(ctx, nil, Spec{Mode: ModeC, CustomerKey: ck}, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	if enc.CustomerKeyMD5 != "mUmSMLr2c5TRjFlVRH9HuQ==" && len(enc.CustomerKeyMD5) != 24 {
		t.Fatalf("md5 %q", enc.CustomerKeyMD5)
	}
	ok, sealed, _ := w.NewStreamKey("", 0)
	if _, err := e.Open(ctx, nil, enc, "b", "k", nil); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := e.Open(ctx, nil, enc, "b", "k", bytes.Repeat([]byte{0x43}, 32)); !errors.Is(err, ErrWrongCustomerKey) {
		t.Fatalf("wrong key: %v", err)
	}
	w2, err := e.Open(ctx, nil, enc, "b", "k", ck)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w2.StreamKey(sealed, "", 0); err != nil || !bytes.Equal(got, ok) {
		t.Fatal("right key does not open")
	}
	// right key, tampered sealed key: corruption, not "wrong key"
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	if _, err := w2.StreamKey(bad, "", 0); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("tampered: %v", err)
	}
	// the customer key is nowhere in the stored record
	for _, f := range [][]byte{enc.Check, enc.CheckSalt, []byte(enc.CustomerKeyMD5), sealed} {
		if bytes.Contains(f, ck) {
			t.Fatal("customer key stored")
		}
	}
	// ETags of two uploads of the same bytes differ and are not the MD5
	_, wb, _ := e.Begin(ctx, nil, Spec{Mode: ModeC, CustomerKey: ck}, "b", "k")
	okb, _, _ := wb.NewStreamKey("", 0)
	md5sum := bytes.Repeat([]byte{1}, 16)
	if w.ETag(ok, md5sum) == wb.ETag(okb, md5sum) || w.ETag(ok, md5sum) == "01010101010101010101010101010101" {
		t.Fatal("SSE-C ETag is deterministic or the MD5")
	}
}
