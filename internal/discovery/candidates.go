package discovery

import (
	"bytes"
	"regexp"
)

// Candidates: scanning a long text with an unanchored pattern that starts with a
// character class is slow in Go's regexp (tens of MB/s), so each managed detector names
// where an occurrence can start (a boundary byte followed by a possible first byte), found
// with a table lookup, and its pattern is matched anchored there. The result is the same
// as the unanchored scan's (docs/DISCOVERY.md, "Streaming").

// class is a set of bytes.
type class [256]bool

func newClass(ranges ...string) *class {
	var c class
	for _, r := range ranges {
		if len(r) == 3 && r[1] == '-' {
			for b := int(r[0]); b <= int(r[2]); b++ {
				c[b] = true
			}
			continue
		}
		for i := 0; i < len(r); i++ {
			c[r[i]] = true
		}
	}
	return &c
}

func (c *class) not() *class {
	var n class
	for i := range c {
		n[i] = !c[i]
	}
	return &n
}

// candidate finds, from buf[from:], the first position q where an occurrence's boundary
// byte (buf[q]) precedes a possible first byte (buf[q+1]), or -1.
type candidate struct {
	boundary, first *class
	// at, when set, must hold at q+1 as well (a quick test of the next few bytes).
	at func(b []byte) bool
}

func (c *candidate) next(buf []byte, from int) int {
	for q := from; q+1 < len(buf); q++ {
		if c.first[buf[q+1]] && c.boundary[buf[q]] && (c.at == nil || c.at(buf[q+1:])) {
			return q
		}
	}
	return -1
}

var (
	digit    = newClass("0-9")
	alnum    = newClass("0-9", "A-Z", "a-z")
	b64      = newClass("0-9", "A-Z", "a-z", "/+")
	upper    = newClass("A-Z")
	emailLoc = newClass("0-9", "A-Z", "a-z", "._%+-")
)

// anchored compiles pattern to match only at the start of its input.
func anchored(pattern string) *regexp.Regexp { return regexp.MustCompile(`\A(?:` + pattern + `)`) }

// emailNext finds e-mail candidates by their '@': the boundary before the longest run of
// local-part bytes (at most 64) that ends there.
func emailNext(buf []byte, from int) int {
	for {
		i := bytes.IndexByte(buf[from:], '@')
		if i < 0 {
			return -1
		}
		at := from + i
		q := at - 1
		for q >= from && at-q <= 65 && emailLoc[buf[q]] {
			q--
		}
		if q >= from && q < at-1 && !emailLoc[buf[q]] && alnum[buf[q+1]] {
			return q
		}
		from = at + 1
	}
}

// awsNext finds runs of exactly 40 base64 bytes.
func awsNext(buf []byte, from int) int {
	for q := from; q+1 < len(buf); {
		if b64[buf[q]] || buf[q] == '=' {
			q++
			continue
		}
		e := q + 1
		for e < len(buf) && b64[buf[e]] {
			e++
		}
		if e-q-1 == 40 {
			return q
		}
		if e == q+1 {
			q++
		} else {
			q = e
		}
	}
	return -1
}

// digitsAhead counts the digits at the start of b before a byte outside seps (or digits),
// looking at most n bytes.
func digitsAhead(b []byte, seps *class, n int) int {
	c := 0
	for i := 0; i < len(b) && i < n; i++ {
		switch {
		case digit[b[i]]:
			c++
		case !seps[b[i]]:
			return c
		}
	}
	return c
}

var (
	cardSeps  = newClass(" -")
	phoneSeps = newClass(" .-()+")
)

func cardAt(b []byte) bool { return digitsAhead(b, cardSeps, 24) >= 13 }

// ssnAt: ddd-dd-dddd, ddd dd dddd or exactly nine digits, then a byte that ends it.
func ssnAt(b []byte) bool {
	isD := func(i int) bool { return i < len(b) && digit[b[i]] }
	ends := func(i int) bool { return i >= len(b) || (!digit[b[i]] && b[i] != '-') }
	if !isD(0) || !isD(1) || !isD(2) || len(b) < 10 {
		return false
	}
	if sep := b[3]; sep == '-' || sep == ' ' {
		return isD(4) && isD(5) && len(b) > 10 && b[6] == sep && isD(7) && isD(8) && isD(9) && isD(10) && ends(11)
	}
	for i := 3; i < 9; i++ {
		if !isD(i) {
			return false
		}
	}
	return ends(9)
}
func phoneAt(b []byte) bool { return digitsAhead(b, phoneSeps, 22) >= 10 }

func ibanAt(b []byte) bool {
	return len(b) >= 4 && upper[b[1]] && digit[b[2]] && digit[b[3]]
}

// candidates of the managed detectors, by id.
var candidates = map[string]func(buf []byte, from int) int{
	"AWS_CREDENTIALS":                   awsNext,
	"CREDIT_CARD_NUMBER":                (&candidate{boundary: newClass("0-9", "-").not(), first: digit, at: cardAt}).next,
	"USA_SOCIAL_SECURITY_NUMBER":        (&candidate{boundary: newClass("0-9", "-").not(), first: digit, at: ssnAt}).next,
	"PHONE_NUMBER":                      (&candidate{boundary: newClass("0-9", "+()-").not(), first: newClass("0-9", "+("), at: phoneAt}).next,
	"INTERNATIONAL_BANK_ACCOUNT_NUMBER": (&candidate{boundary: alnum.not(), first: upper, at: ibanAt}).next,
	"EMAIL_ADDRESS":                     emailNext,
}

// windows bound how many bytes from a candidate the anchored pattern may look at: the
// longest occurrence with its two boundary bytes. (Go's backtracker clears state in
// proportion to its input, so a tight window is most of the speed.)
var windows = map[string]int{
	"AWS_CREDENTIALS": 42, "CREDIT_CARD_NUMBER": 40, "USA_SOCIAL_SECURITY_NUMBER": 13, "PHONE_NUMBER": 32,
	"INTERNATIONAL_BANK_ACCOUNT_NUMBER": 46, "EMAIL_ADDRESS": 330,
}

// tokens are the bytes an occurrence can consist of: the anchored match is tried only on
// the candidate's run of them (and the byte after, its boundary).
var tokens = map[string]*class{
	"AWS_CREDENTIALS": b64, "CREDIT_CARD_NUMBER": newClass("0-9", " -"), "USA_SOCIAL_SECURITY_NUMBER": newClass("0-9", " -"),
	"PHONE_NUMBER": newClass("0-9", " .()+-"), "INTERNATIONAL_BANK_ACCOUNT_NUMBER": newClass("0-9", "A-Z", " "),
	"EMAIL_ADDRESS": newClass("0-9", "A-Z", "a-z", "._%+-@"),
}

func init() {
	for _, d := range managed {
		if f := candidates[d.ID]; f != nil {
			d.next, d.window, d.token = f, windows[d.ID], tokens[d.ID]
			d.anch = anchored(d.re.String())
		}
	}
}
