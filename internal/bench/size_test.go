package bench

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string // substring of the error, "" for success
	}{
		{"100", 100, ""},
		{"0", 0, ""},
		{"100B", 100, ""},
		{"4k", 4 << 10, ""},
		{"4K", 4 << 10, ""},
		{"4KB", 4 << 10, ""},
		{"4KiB", 4 << 10, ""},
		{"4kib", 4 << 10, ""},
		{"1m", 1 << 20, ""},
		{"1MiB", 1 << 20, ""},
		{"64MiB", 64 << 20, ""},
		{"64 MiB", 64 << 20, ""},
		{" 2g ", 2 << 30, ""},
		{"5GiB", 5 << 30, ""},
		{"1TiB", 1 << 40, ""},
		{"1.5MiB", 3 << 19, ""},
		{"0.5k", 512, ""},
		{"", 0, "empty"},
		{"MiB", 0, "does not start with a number"},
		{"-1", 0, "negative"},
		{"-4k", 0, "negative"},
		{"4x", 0, "unknown unit"},
		{"4 lbs", 0, "unknown unit"},
		{"1.1.1k", 0, "not a valid number"},
		{"0.3", 0, "whole number"},
		{"99999999999999999999", 0, "too large"},
		{"9999999999T", 0, "too large"},
	} {
		got, err := ParseSize(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("ParseSize(%q): unexpected error %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseSize(%q) = %d, %v; want error containing %q", tc.in, got, err, tc.err)
		case tc.err == "" && got != tc.want:
			t.Errorf("ParseSize(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{100, "100B"}, {4 << 10, "4KiB"}, {1 << 20, "1MiB"}, {64 << 20, "64MiB"},
		{3 << 29, "1.5GiB"}, {10_000, "9.77KiB"}, {1 << 40, "1TiB"},
	} {
		if got := FormatSize(tc.in); got != tc.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, n := range []int64{1, 4 << 10, 1 << 20, 3 << 29} {
		if back, err := ParseSize(FormatSize(n)); err != nil || back != n {
			t.Errorf("ParseSize(FormatSize(%d)) = %d, %v", n, back, err)
		}
	}
}
