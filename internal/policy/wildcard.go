package policy

import (
	"strings"
	"unicode/utf8"
)

// A glob is a compiled wildcard pattern: '*' matches any run of characters (none
// included) and '?' exactly one character. A character is a rune when the text is valid
// UTF-8 and a byte otherwise. Literal '*' and '?' (from ${*} and ${?}) are plain bytes of
// a chunk, so a glob never needs escaping.
//
// Matching never backtracks: the first segment is anchored at the start, the last at the
// end, and every middle segment is placed at its leftmost occurrence (which is always
// safe because placing it earlier leaves more room for the rest). The cost is one pass
// over the text per segment without '?', O(len(text)·len(pattern)) at worst with '?'.
type glob struct {
	segs []gseg // the pattern split at each '*'; len(segs) == stars+1
}

// gseg is a run of literal chunks separated by single-character wildcards.
type gseg struct {
	chunks []string // len(chunks) == number of '?' + 1; chunks may be empty
	runes  int      // characters the segment spans in rune mode
	bytes  int      // characters the segment spans in byte mode
}

// globPart is one element of a pattern being compiled: literal text or a wildcard.
type globPart struct {
	lit  string
	wild byte // 0 for literal text, '*' or '?'
}

// compileGlob builds a glob from parts. Literal text is made valid UTF-8 (JSON input
// always is), so chunk boundaries are character boundaries.
func compileGlob(parts []globPart) glob {
	var g glob
	cur := gseg{chunks: []string{""}}
	for _, p := range parts {
		switch p.wild {
		case '*':
			g.segs = append(g.segs, cur.finish())
			cur = gseg{chunks: []string{""}}
		case '?':
			cur.chunks = append(cur.chunks, "")
		default:
			cur.chunks[len(cur.chunks)-1] += strings.ToValidUTF8(p.lit, "\uFFFD")
		}
	}
	g.segs = append(g.segs, cur.finish())
	return g
}

// globOf compiles a pattern string in which every '*' and '?' is a wildcard.
func globOf(pattern string) glob {
	var parts []globPart
	start := 0
	for i := 0; i < len(pattern); i++ {
		if c := pattern[i]; c == '*' || c == '?' {
			parts = append(parts, globPart{lit: pattern[start:i]}, globPart{wild: c})
			start = i + 1
		}
	}
	return compileGlob(append(parts, globPart{lit: pattern[start:]}))
}

func (s gseg) finish() gseg {
	s.runes, s.bytes = len(s.chunks)-1, len(s.chunks)-1
	for _, c := range s.chunks {
		s.runes += utf8.RuneCountInString(c)
		s.bytes += len(c)
	}
	return s
}

// literal reports whether the glob has no wildcards, and its text if so.
func (g *glob) literal() (string, bool) {
	if len(g.segs) == 1 && len(g.segs[0].chunks) == 1 {
		return g.segs[0].chunks[0], true
	}
	return "", false
}

// match reports whether s matches the whole glob.
func (g *glob) match(s string) bool {
	return g.matchMode(s, !isASCII(s) && utf8.ValidString(s))
}

// matchMode matches with '?' spanning a rune (runes) or a byte.
func (g *glob) matchMode(s string, runes bool) bool {
	first := &g.segs[0]
	if len(g.segs) == 1 {
		end, ok := first.matchAt(s, 0, runes)
		return ok && end == len(s)
	}
	p, ok := first.matchAt(s, 0, runes)
	if !ok {
		return false
	}
	last := &g.segs[len(g.segs)-1]
	q := back(s, last.span(runes), runes)
	if q < p {
		return false
	}
	if end, ok := last.matchAt(s, q, runes); !ok || end != len(s) {
		return false
	}
	for i := 1; i < len(g.segs)-1; i++ {
		if p, ok = g.segs[i].find(s[:q], p, runes); !ok {
			return false
		}
	}
	return true
}

func (s *gseg) span(runes bool) int {
	if runes {
		return s.runes
	}
	return s.bytes
}

// matchAt matches the segment at s[i:] and returns where the match ends.
func (s *gseg) matchAt(text string, i int, runes bool) (int, bool) {
	for k, c := range s.chunks {
		if k > 0 {
			if i >= len(text) {
				return 0, false
			}
			i += width(text, i, runes)
		}
		if !strings.HasPrefix(text[i:], c) {
			return 0, false
		}
		i += len(c)
	}
	return i, true
}

// find places the segment at its leftmost occurrence in text[from:] and returns the end.
func (s *gseg) find(text string, from int, runes bool) (int, bool) {
	head := s.chunks[0]
	for i := from; i <= len(text); {
		if head != "" {
			j := strings.Index(text[i:], head)
			if j < 0 {
				return 0, false
			}
			i += j
		}
		if end, ok := s.matchAt(text, i, runes); ok {
			return end, true
		}
		if i == len(text) {
			break
		}
		i += width(text, i, runes)
	}
	return 0, false
}

// width is the size of the character at text[i].
func width(text string, i int, runes bool) int {
	if !runes || text[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(text[i:])
	return w
}

// back returns the index n characters before the end of s, or -1 if s is shorter.
func back(s string, n int, runes bool) int {
	if !runes {
		return len(s) - n
	}
	i := len(s)
	for ; n > 0; n-- {
		if i == 0 {
			return -1
		}
		_, w := utf8.DecodeLastRuneInString(s[:i])
		i -= w
	}
	return i
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
