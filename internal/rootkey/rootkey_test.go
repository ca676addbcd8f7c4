package rootkey

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k, err := Parse(Generate())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := Parse(Generate())
	secret := []byte("thirty-two bytes of key material")
	sealed := k.Seal("arca/kms/key-material/x/1", secret)
	if bytes.Contains(sealed, secret) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := k.Open("arca/kms/key-material/x/1", sealed)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open: %v", err)
	}
	for name, tc := range map[string]struct {
		k    *Key
		aad  string
		data []byte
	}{
		"other key":   {other, "arca/kms/key-material/x/1", sealed},
		"other name":  {k, "arca/kms/key-material/x/2", sealed},
		"truncated":   {k, "arca/kms/key-material/x/1", sealed[:len(sealed)-1]},
		"empty":       {k, "arca/kms/key-material/x/1", nil},
		"bad version": {k, "arca/kms/key-material/x/1", append([]byte{2}, sealed[1:]...)},
	} {
		if _, err := tc.k.Open(tc.aad, tc.data); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if k.Check() == other.Check() || len(k.Check()) < 16 {
		t.Fatal("check values must tell keys apart")
	}
}

func TestParse(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, 32)
	for _, text := range []string{
		"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc",
		"  BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
	} {
		k, err := Parse(text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		want, _ := New(raw)
		if k.Check() != want.Check() {
			t.Fatalf("%q parsed to another key", text)
		}
	}
	for _, text := range []string{"", "c2hvcnQ=", "not base64!!", strings.Repeat("A", 64)} {
		if _, err := Parse(text); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kms-root-key")
	k1, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("first: %v %v", created, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	k2, created, err := LoadOrCreate(path)
	if err != nil || created || k1.Check() != k2.Check() {
		t.Fatalf("second: %v %v", created, err)
	}
}
