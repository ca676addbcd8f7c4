package discovery

import (
	"bytes"
	"strings"
	"testing"
)

func scanAll(t testing.TB, data []byte, piece int) map[string]Detection {
	t.Helper()
	s := NewScanner(managed)
	for len(data) > 0 {
		n := piece
		if n > len(data) {
			n = len(data)
		}
		s.Write(data[:n])
		data = data[n:]
	}
	s.Close()
	out := map[string]Detection{}
	for _, d := range s.Detections() {
		out[d.ID] = d
	}
	return out
}

var detectTests = []struct {
	name, text, id string
	want           int64
}{
	{"visa with keyword", "credit card: 4111 1111 1111 1111\n", "CREDIT_CARD_NUMBER", 1},
	{"visa no separators", "card number 4012888888881881.", "CREDIT_CARD_NUMBER", 1},
	{"card failing luhn", "credit card: 4111 1111 1111 1112\n", "CREDIT_CARD_NUMBER", 0},
	{"card without keyword", "order id 4111111111111111\n", "CREDIT_CARD_NUMBER", 0},
	{"card keyword too far", "credit card" + strings.Repeat(" ", 60) + "4111111111111111\n", "CREDIT_CARD_NUMBER", 0},
	{"mixed separators", "credit card 4111-1111 1111-1111\n", "CREDIT_CARD_NUMBER", 0},
	{"ssn", "SSN: 123-45-6789\n", "USA_SOCIAL_SECURITY_NUMBER", 1},
	{"two ssns", "ssn 123-45-6789 234-56-7890\n", "USA_SOCIAL_SECURITY_NUMBER", 2},
	{"ssn area 000", "SSN: 000-45-6789\n", "USA_SOCIAL_SECURITY_NUMBER", 0},
	{"ssn area 666", "SSN: 666-45-6789\n", "USA_SOCIAL_SECURITY_NUMBER", 0},
	{"ssn area 9xx", "SSN: 912-45-6789\n", "USA_SOCIAL_SECURITY_NUMBER", 0},
	{"ssn group 00", "SSN: 123-00-6789\n", "USA_SOCIAL_SECURITY_NUMBER", 0},
	{"ssn serial 0000", "SSN: 123-45-0000\n", "USA_SOCIAL_SECURITY_NUMBER", 0},
	{"ssn no keyword", "ref 123-45-6789\n", "USA_SOCIAL_SECURITY_NUMBER", 0},
	{"iban", "pay to GB82 WEST 1234 5698 7654 32 today", "INTERNATIONAL_BANK_ACCOUNT_NUMBER", 1},
	{"iban compact", "DE89370400440532013000\n", "INTERNATIONAL_BANK_ACCOUNT_NUMBER", 1},
	{"iban bad check digits", "GB83 WEST 1234 5698 7654 32\n", "INTERNATIONAL_BANK_ACCOUNT_NUMBER", 0},
	{"iban wrong length", "DE8937040044053201300\n", "INTERNATIONAL_BANK_ACCOUNT_NUMBER", 0},
	{"email", "mail alice@example.com now", "EMAIL_ADDRESS", 1},
	{"not an email", "alice@localhost", "EMAIL_ADDRESS", 0},
	{"phone", "phone: (206) 555-0123\n", "PHONE_NUMBER", 1},
	{"phone intl", "tel +44 20 7946 0958\n", "PHONE_NUMBER", 1},
	{"phone no keyword", "id 206-555-0123\n", "PHONE_NUMBER", 0},
	{"openssh", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", "OPENSSH_PRIVATE_KEY", 1},
	{"pem rsa", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", "PKCS", 1},
	{"pem public is not", "-----BEGIN PUBLIC KEY-----\nMIIE\n", "PKCS", 0},
	{"aws pair", "AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "AWS_CREDENTIALS", 1},
	{"aws keyword", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "AWS_CREDENTIALS", 1},
	{"aws secret alone", "blob wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "AWS_CREDENTIALS", 0},
}

func TestDetectors(t *testing.T) {
	for _, tt := range detectTests {
		got := scanAll(t, []byte(tt.text), 1<<20)[tt.id].Count
		if got != tt.want {
			t.Errorf("%s: %s count = %d, want %d", tt.name, tt.id, got, tt.want)
		}
	}
}

// Occurrences that straddle a chunk boundary are found once, at the right offset, line
// and column, whatever the write sizes.
func TestScannerChunkBoundaries(t *testing.T) {
	var b bytes.Buffer
	var offs []int64
	line := int64(1)
	var lines []int64
	for b.Len() < 3*ChunkSize {
		b.WriteString(strings.Repeat("x", 1000+b.Len()%777) + "\n")
		line++
		b.WriteString("ssn ")
		offs = append(offs, int64(b.Len()))
		lines = append(lines, line)
		b.WriteString("123-45-6789\n")
		line++
	}
	for _, piece := range []int{1 << 20, ChunkSize, 4093, 1} {
		if piece == 1 && testing.Short() {
			continue
		}
		d := scanAll(t, b.Bytes(), piece)["USA_SOCIAL_SECURITY_NUMBER"]
		if d.Count != int64(len(offs)) {
			t.Fatalf("piece %d: count %d, want %d", piece, d.Count, len(offs))
		}
		for i, o := range d.Occurrences {
			if o.Start != offs[i] || o.End != offs[i]+11 || o.StartLine != lines[i] || o.Column != 5 {
				t.Fatalf("piece %d: occurrence %d = %+v, want start %d line %d col 5", piece, i, o, offs[i], lines[i])
			}
		}
	}
}

// A card number placed across every position of a chunk boundary is found exactly once.
func TestScannerStraddle(t *testing.T) {
	for shift := -40; shift <= 40; shift += 5 {
		pre := ChunkSize + Overlap + Lookbehind - 1 - Overlap + shift // the first scan's limit, shifted
		data := append(bytes.Repeat([]byte("a"), pre-20), []byte(" credit card number: 4111111111111111 end")...)
		data = append(data, bytes.Repeat([]byte("b"), ChunkSize)...)
		d := scanAll(t, data, 64<<10)["CREDIT_CARD_NUMBER"]
		if d.Count != 1 || d.Occurrences[0].Start != int64(pre-20+21) {
			t.Fatalf("shift %d: %+v", shift, d)
		}
	}
}

func TestCustomDetector(t *testing.T) {
	d, err := NewCustomDetector("cid", "employee", `EMP-[0-9]{6}`, []string{"Employee"}, []string{"EMP-000000"}, 20)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScanner([]*Detector{d})
	s.Write([]byte("employee id EMP-123456, employee EMP-000000, EMP-654321 far " + strings.Repeat(".", 30) + " EMP-111111"))
	s.Close()
	ds := s.Detections()
	if len(ds) != 1 || ds[0].Count != 2 {
		t.Fatalf("%+v", ds)
	}
}

func FuzzScanner(f *testing.F) {
	for _, tt := range detectTests {
		f.Add([]byte(tt.text), 7)
	}
	f.Fuzz(func(t *testing.T, data []byte, piece int) {
		if piece <= 0 || piece > 1<<16 {
			piece = 1 + (piece&0xffff+0xffff)%4096
		}
		whole := scanAll(t, data, len(data)+1)
		parts := scanAll(t, data, piece)
		for id, d := range whole {
			p := parts[id]
			if p.Count != d.Count {
				t.Fatalf("%s: %d whole, %d in pieces of %d", id, d.Count, p.Count, piece)
			}
			for _, o := range d.Occurrences {
				if o.Start < 0 || o.End > int64(len(data)) || o.Start >= o.End {
					t.Fatalf("%s: occurrence %+v outside %d bytes", id, o, len(data))
				}
			}
		}
	})
}

func BenchmarkScanner(b *testing.B) {
	var buf bytes.Buffer
	for buf.Len() < 8<<20 {
		buf.WriteString("2024-01-02 user alice@example.com paid with card 4111 1111 1111 1111; ref 8842-1123 lorem ipsum dolor sit amet\n")
		buf.WriteString(strings.Repeat("the quick brown fox jumps over the lazy dog 0123456789 ", 20) + "\n")
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := NewScanner(managed)
		s.Write(data)
		s.Close()
	}
}

// FuzzCustomDetector: any pattern either fails to compile or scans any data without
// panicking, reporting occurrences inside the data, the same in pieces as whole.
func FuzzCustomDetector(f *testing.F) {
	f.Add(`EMP-[0-9]{6}`, "employee", []byte("employee EMP-123456\n"), 3)
	f.Add(`a*`, "", []byte("aaa bbb aaa"), 1)
	f.Add(`(?i)secret[=:]\S+`, "key", []byte("key secret=abc\nSECRET:x"), 5)
	f.Add(`^$`, "", []byte("\n\n"), 1)
	f.Fuzz(func(t *testing.T, pattern, keyword string, data []byte, piece int) {
		if len(pattern) > 512 || len(keyword) > maxKeywordLen {
			return
		}
		var kws []string
		if keyword != "" {
			kws = []string{keyword}
		}
		d, err := NewCustomDetector("id", "n", pattern, kws, nil, 50)
		if err != nil {
			return
		}
		if piece <= 0 {
			piece = 1 + (piece&0xff+0xff)%97
		}
		count := func(p int) Detection {
			s := NewScanner([]*Detector{d})
			for rest := data; len(rest) > 0; {
				n := min(p, len(rest))
				s.Write(rest[:n])
				rest = rest[n:]
			}
			s.Close()
			for _, x := range s.Detections() {
				return x
			}
			return Detection{}
		}
		whole, parts := count(len(data)+1), count(piece)
		if whole.Count != parts.Count {
			t.Fatalf("%q: %d whole, %d in pieces of %d", pattern, whole.Count, parts.Count, piece)
		}
		for _, o := range whole.Occurrences {
			if o.Start < 0 || o.End > int64(len(data)) || o.Start >= o.End {
				t.Fatalf("occurrence %+v outside %d bytes", o, len(data))
			}
		}
	})
}
