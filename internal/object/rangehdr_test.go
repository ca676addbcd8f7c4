package object

import "testing"

var rangeTests = []struct {
	h      string
	size   int64
	res    rangeResult
	start  int64
	length int64
}{
	{"bytes=0-9", 100, rangeOK, 0, 10},
	{"bytes=90-", 100, rangeOK, 90, 10},
	{"bytes=-10", 100, rangeOK, 90, 10},
	{"bytes=-200", 100, rangeOK, 0, 100},
	{"bytes=50-500", 100, rangeOK, 50, 50},
	{"bytes=100-", 100, rangeUnsatisfiable, 0, 0},
	{"bytes=100-200", 100, rangeUnsatisfiable, 0, 0},
	{"bytes=-0", 100, rangeUnsatisfiable, 0, 0},
	{"bytes=0-", 0, rangeUnsatisfiable, 0, 0},
	{"bytes=9-1", 100, rangeNone, 0, 0},
	{"bytes=0-1,5-6", 100, rangeNone, 0, 0},
	{"items=0-1", 100, rangeNone, 0, 0},
	{"bytes=a-b", 100, rangeNone, 0, 0},
	{"bytes=", 100, rangeNone, 0, 0},
	{"bytes=--1", 100, rangeNone, 0, 0},
	{"bytes=+1-2", 100, rangeNone, 0, 0},
	{"", 100, rangeNone, 0, 0},
}

func TestParseRange(t *testing.T) {
	for _, tt := range rangeTests {
		br, res := parseRange(tt.h, tt.size)
		if res != tt.res || (res == rangeOK && (br.start != tt.start || br.length != tt.length)) {
			t.Errorf("parseRange(%q, %d) = %+v %v, want %d+%d %v", tt.h, tt.size, br, res, tt.start, tt.length, tt.res)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, tt := range rangeTests {
		f.Add(tt.h, tt.size)
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
			if size < 0 {
				size = 0
			}
		}
		br, res := parseRange(h, size)
		if res == rangeOK {
			if br.start < 0 || br.length <= 0 || br.start+br.length > size {
				t.Fatalf("parseRange(%q, %d) = %+v out of bounds", h, size, br)
			}
		}
	})
}
