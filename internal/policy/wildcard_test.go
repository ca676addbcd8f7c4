package policy

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var globTests = []struct {
	pattern, text string
	want          bool
}{
	{"", "", true},
	{"", "a", false},
	{"*", "", true},
	{"*", "anything/at:all", true},
	{"?", "", false},
	{"?", "é", true},
	{"??", "é", false},
	{"a?c", "aéc", true},
	{"abc", "abc", true},
	{"abc", "abcd", false},
	{"ab*", "ab", true},
	{"*bc", "abc", true},
	{"*bc", "abcbc", true},
	{"a*b*c", "aXbYc", true},
	{"a*b*c", "aXcYb", false},
	{"*a*a*a*a*b", strings.Repeat("a", 50), false},
	{"*a*a*a*a*b", strings.Repeat("a", 50) + "b", true},
	{"a*?", "a", false},
	{"a*?", "ab", true},
	{"*?*?*", "x", false},
	{"*?*?*", "xy", true},
	{"s3:get*", "s3:getobject", true},
	{"s3:*object", "s3:getobject", true},
	{"s3:?etobject", "s3:getobject", true},
	{"ab*ab", "ab", false},
	{"ab*ba", "aba", false},
	{"*x*", "\xff\xfex", true},
	{"?x", "\xffx", true},
	{"?x", "éx", true},
}

func TestGlob(t *testing.T) {
	for _, tt := range globTests {
		g := globOf(tt.pattern)
		if got := g.match(tt.text); got != tt.want {
			t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.text, got, tt.want)
		}
		if ref := refMatch(tt.pattern, tt.text); ref != tt.want {
			t.Errorf("reference: %q ~ %q = %v, want %v", tt.pattern, tt.text, ref, tt.want)
		}
	}
}

// refMatch is the obvious dynamic program over characters: runes when the text is
// valid UTF-8, bytes otherwise.
func refMatch(pattern, text string) bool {
	var p, s []rune
	if utf8.ValidString(text) {
		p, s = []rune(pattern), []rune(text)
	} else {
		for _, b := range []byte(pattern) {
			p = append(p, rune(b))
		}
		for _, b := range []byte(text) {
			s = append(s, rune(b))
		}
	}
	// ok[j]: p[:i] matches s[:j]
	ok := make([]bool, len(s)+1)
	ok[0] = true
	for _, c := range p {
		next := make([]bool, len(s)+1)
		for j := 0; j <= len(s); j++ {
			switch {
			case c == '*':
				next[j] = ok[j] || j > 0 && next[j-1]
			case j > 0 && (c == '?' || c == s[j-1]):
				next[j] = ok[j-1]
			}
		}
		ok = next
	}
	return ok[len(s)]
}

// Patterns built to make backtracking matchers explode take time linear in the text:
// four times the text takes about four times as long (a quadratic matcher would take 16
// times, a backtracking one far more).
func TestGlobNoBacktracking(t *testing.T) {
	patterns := []string{
		strings.Repeat("a*", 30) + "b",
		"*" + strings.Repeat("a*", 30) + "b*",
		strings.Repeat("*a", 30) + "?b",
		strings.Repeat("*?", 30) + "b",
		"*" + strings.Repeat("a?", 30) + "b*",
		"*" + strings.Repeat("a", 60) + "b*",
		strings.Repeat("*aa", 30) + "b*",
	}
	for _, p := range patterns {
		g := globOf(p)
		small, large := timeMatch(t, &g, 1<<16), timeMatch(t, &g, 1<<18)
		if large > 20*time.Millisecond && large > 12*small {
			t.Errorf("%q: 64 KiB in %v, 256 KiB in %v: not linear", p, small, large)
		}
	}
}

// timeMatch returns the best of three times to match n bytes of 'a' (no pattern matches).
func timeMatch(t *testing.T, g *glob, n int) time.Duration {
	text := strings.Repeat("a", n)
	best := time.Hour
	for i := 0; i < 3; i++ {
		start := time.Now()
		if g.match(text) {
			t.Fatalf("matched %d bytes of a", n)
		}
		best = min(best, time.Since(start))
	}
	return best
}

// FuzzWildcard: the matcher agrees with the reference, and on a long text built from the
// input it stays within a budget that any super-linear matcher would blow.
func FuzzWildcard(f *testing.F) {
	for _, tt := range globTests {
		f.Add(tt.pattern, tt.text)
	}
	f.Add("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 64 || len(text) > 256 || !utf8.ValidString(pattern) {
			return
		}
		g := globOf(pattern)
		if got, want := g.match(text), refMatch(pattern, text); got != want {
			t.Fatalf("%q ~ %q = %v, reference says %v", pattern, text, got, want)
		}
		if text == "" {
			return
		}
		long := strings.Repeat(text, (1<<16)/len(text)+1)
		start := time.Now()
		g.match(long)
		if d := time.Since(start); d > 250*time.Millisecond {
			t.Fatalf("%q on %d bytes of %q took %v", pattern, len(long), text, d)
		}
	})
}
