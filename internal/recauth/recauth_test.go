package recauth

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k := New(bytes.Repeat([]byte{1}, KeySize))
	v := k.Seal("object", []string{"b", "k"}, []byte(`{"key":"k"}`))
	if body, err := k.Open("object", []string{"b", "k"}, v); err != nil || string(body) != `{"key":"k"}` {
		t.Fatalf("Open = %q, %v", body, err)
	}
	for name, open := range map[string]func() error{
		"other kind":     func() error { _, err := k.Open("bucket", []string{"b", "k"}, v); return err },
		"other location": func() error { _, err := k.Open("object", []string{"b", "k2"}, v); return err },
		"split moved":    func() error { _, err := k.Open("object", []string{"bk", ""}, v); return err },
		"other key": func() error {
			_, err := New(bytes.Repeat([]byte{2}, KeySize)).Open("object", []string{"b", "k"}, v)
			return err
		},
		"bare JSON": func() error { _, err := k.Open("object", []string{"b", "k"}, []byte(`{"key":"k"}`)); return err },
		"truncated": func() error { _, err := k.Open("object", []string{"b", "k"}, v[:len(v)-1]); return err },
		"empty":     func() error { _, err := k.Open("object", []string{"b", "k"}, nil); return err },
	} {
		if err := open(); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v, want ErrDamaged", name, err)
		}
	}
	if body, err := NewLegacy().Open("object", nil, []byte(`{"a":1}`)); err != nil || string(body) != `{"a":1}` {
		t.Errorf("legacy: %q %v", body, err)
	}
}

// BenchmarkOpen: authenticating one object record of a typical size, as every read does.
func BenchmarkOpen(b *testing.B) {
	k := New(bytes.Repeat([]byte{1}, KeySize))
	body := bytes.Repeat([]byte("x"), 600)
	v := k.Seal("object", []string{"bucket", "some/key.txt"}, body)
	b.SetBytes(int64(len(v)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open("object", []string{"bucket", "some/key.txt"}, v); err != nil {
			b.Fatal(err)
		}
	}
}
