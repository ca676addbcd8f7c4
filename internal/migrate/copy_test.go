package migrate

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"hash/crc64"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/checksum"
)

var plainMD5Tests = []struct {
	etag string
	want bool
}{
	{`"9e107d9d372bb6826bd81d3542a419d6"`, true},
	{`9e107d9d372bb6826bd81d3542a419d6`, true},
	{`"9e107d9d372bb6826bd81d3542a419d6-2"`, false},
	{`"9e107d9d372bb6826bd81d3542a419dz"`, false},
	{`"9e107d9d"`, false},
	{``, false},
	{`file:3:1700000000`, false},
}

func TestIsPlainMD5(t *testing.T) {
	for _, tt := range plainMD5Tests {
		if got := IsPlainMD5(tt.etag); got != tt.want {
			t.Errorf("IsPlainMD5(%q) = %v, want %v", tt.etag, got, tt.want)
		}
	}
}

func newReader(s string) *reader {
	return &reader{r: strings.NewReader(s), md5: md5.New(), crc: checksum.New("CRC64NVME")}
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return `"` + hex.EncodeToString(h[:]) + `"`
}

// TestReaderChecks: the source's bytes must be exactly its size and, for a plain ETag,
// have that MD5; anything else is ErrVerify before the copy is committed.
func TestReaderChecks(t *testing.T) {
	tests := []struct {
		name, body string
		size       int
		meta       Meta
		check      bool
		wantErr    string
	}{
		{"exact", "hello", 5, Meta{Size: 5, ETag: md5hex("hello"), PlainMD5: true}, true, ""},
		{"short", "hell", 5, Meta{Size: 5}, true, "fewer than its size"},
		{"long", "hello!", 5, Meta{Size: 5}, true, "more than its size"},
		{"md5", "hellO", 5, Meta{Size: 5, ETag: md5hex("hello"), PlainMD5: true}, true, "the bytes read have MD5"},
		{"md5 not plain", "hellO", 5, Meta{Size: 5, ETag: md5hex("hello")}, true, ""},
		{"md5 check off", "hellO", 5, Meta{Size: 5, ETag: md5hex("hello"), PlainMD5: true}, false, ""},
		{"empty", "", 0, Meta{Size: 0, ETag: md5hex(""), PlainMD5: true}, true, ""},
	}
	for _, tt := range tests {
		r := newReader(tt.body)
		err := r.fill(make([]byte, tt.size))
		if err == nil {
			err = r.finish(tt.meta, tt.check)
		}
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err %v, want ErrVerify saying %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestReaderCRC(t *testing.T) {
	r := newReader("123456789")
	b := make([]byte, 9)
	if err := r.fill(b[:4]); err != nil {
		t.Fatal(err)
	}
	if err := r.fill(b[4:]); err != nil {
		t.Fatal(err)
	}
	// CRC-64/NVME check value of "123456789".
	want := crc64.Checksum([]byte("123456789"), crc64.MakeTable(0x9A6C9329AC4BC9B5))
	if want != 0xAE8B14860A799888 {
		t.Fatalf("reference CRC %x", want)
	}
	if got := r.crc.Sum(nil); hex.EncodeToString(got) != "ae8b14860a799888" {
		t.Errorf("CRC64NVME %x", got)
	}
}

func TestDestKey(t *testing.T) {
	o := Options{SrcPrefix: "logs/", DstPrefix: "old/logs/"}
	if got := o.destKey("logs/2024/a.gz"); got != "old/logs/2024/a.gz" {
		t.Errorf("destKey = %q", got)
	}
	if got := (&Options{}).destKey("a/b"); got != "a/b" {
		t.Errorf("destKey without prefixes = %q", got)
	}
}
