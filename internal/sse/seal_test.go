package sse

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealBindsEverything(t *testing.T) {
	wk := bytes.Repeat([]byte{7}, 32)
	ok := bytes.Repeat([]byte{9}, 32)
	ctx := []string{"bucket", "key", "", "0"}
	s, err := Seal(wk, "sse-s3", ctx, ok)
	if err != nil || len(s) != SealedSize {
		t.Fatalf("seal: %v len %d", err, len(s))
	}
	if got, err := Unseal(wk, "sse-s3", ctx, s); err != nil || !bytes.Equal(got, ok) {
		t.Fatalf("unseal: %v", err)
	}
	bad := []struct {
		name    string
		wk      []byte
		purpose string
		ctx     []string
		sealed  []byte
	}{
		{"other wrapping key", bytes.Repeat([]byte{8}, 32), "sse-s3", ctx, s},
		{"other purpose", wk, "sse-c", ctx, s},
		{"other bucket", wk, "sse-s3", []string{"bucket2", "key", "", "0"}, s},
		{"other key", wk, "sse-s3", []string{"bucket", "key2", "", "0"}, s},
		{"shifted boundary", wk, "sse-s3", []string{"bucketk", "ey", "", "0"}, s},
		{"other part", wk, "sse-s3", []string{"bucket", "key", "", "1"}, s},
		{"short", wk, "sse-s3", ctx, s[:20]},
	}
	for _, b := range bad {
		if _, err := Unseal(b.wk, b.purpose, b.ctx, b.sealed); !errors.Is(err, ErrUnseal) {
			t.Errorf("%s: %v", b.name, err)
		}
	}
	for i := range s {
		c := bytes.Clone(s)
		c[i] ^= 0x80
		if _, err := Unseal(wk, "sse-s3", ctx, c); !errors.Is(err, ErrUnseal) {
			t.Fatalf("flip at %d accepted", i)
		}
	}
	s2, _ := Seal(wk, "sse-s3", ctx, ok)
	if bytes.Equal(s, s2) {
		t.Fatal("two seals of the same key are identical (salt not random)")
	}
}

func FuzzUnseal(f *testing.F) {
	wk := bytes.Repeat([]byte{7}, 32)
	s, _ := Seal(wk, "p", []string{"a"}, []byte("k"))
	f.Add(s)
	f.Fuzz(func(t *testing.T, b []byte) {
		Unseal(wk, "p", []string{"a"}, b)
	})
}
