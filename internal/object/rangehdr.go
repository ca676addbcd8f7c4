package object

import (
	"strconv"
	"strings"
)

// byteRange is a resolved, satisfiable range [start, start+length).
type byteRange struct {
	start, length int64
}

// rangeResult classifies a Range header against an object size.
type rangeResult int

const (
	rangeNone          rangeResult = iota // absent or ignorable: serve the whole object
	rangeOK                               // serve br
	rangeUnsatisfiable                    // 416 InvalidRange
)

// parseRange interprets a Range header as S3 does: one range of the forms "bytes=a-b",
// "bytes=a-" and "bytes=-n"; an end past the object is clamped; a malformed header or
// several ranges are ignored (the whole object is served); a start at or past the end, or a
// zero suffix, is unsatisfiable.
func parseRange(h string, size int64) (byteRange, rangeResult) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return byteRange{}, rangeNone
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return byteRange{}, rangeNone
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		n, err := parseUint(last)
		if err != nil {
			return byteRange{}, rangeNone
		}
		if n == 0 || size == 0 {
			return byteRange{}, rangeUnsatisfiable
		}
		if n > size {
			n = size
		}
		return byteRange{size - n, n}, rangeOK
	}
	a, err := parseUint(first)
	if err != nil {
		return byteRange{}, rangeNone
	}
	b := size - 1
	if last != "" {
		if b2, err := parseUint(last); err != nil || b2 < a {
			return byteRange{}, rangeNone
		} else if b2 < b {
			b = b2
		}
	}
	if a >= size {
		return byteRange{}, rangeUnsatisfiable
	}
	return byteRange{a, b - a + 1}, rangeOK
}

func parseUint(s string) (int64, error) {
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}
