// Package discovery is sensitive-data discovery (the job of Amazon Macie): detectors for
// managed data identifiers (AWS credentials, private keys, card numbers, e-mail
// addresses, US social security numbers, IBANs, phone numbers) and custom regex
// identifiers; a streaming Scanner that reads an object's plaintext in chunks and reports
// where each identifier occurs (byte offsets, lines, columns and counts, never the matched
// text); classification jobs kept per account in internal/kv and run in the background as
// their creator; and the findings they produce. It knows nothing of HTTP: internal/macieapi
// serves it as the macie2 API. docs/DISCOVERY.md is the specification.
//
// Entry points: NewScanner (one object), NewService (jobs, identifiers, findings).
package discovery

import (
	"bytes"
	"regexp"
	"strings"
)

// Category is the sensitive-data category of a detection, as Macie names it.
type Category string

// Macie's categories (SensitiveDataItemCategory).
const (
	Credentials Category = "CREDENTIALS"
	Financial   Category = "FINANCIAL_INFORMATION"
	Personal    Category = "PERSONAL_INFORMATION"
	Custom      Category = "CUSTOM_IDENTIFIER"
)

// Detector finds one type of sensitive data. The pattern's first group (or the whole
// match when it has none) is the occurrence; the rest of the match is the boundary
// around it. A detector with keywords reports an occurrence only when a keyword ends at
// most Distance bytes before it.
type Detector struct {
	// ID is the managed data identifier's id (AWS_CREDENTIALS, …) or the custom data
	// identifier's id.
	ID string
	// Name is the custom data identifier's name ("" for managed ones).
	Name     string
	Category Category
	re       *regexp.Regexp
	// keywords are lower case; keywordRe, when set, also counts as a keyword.
	keywords  []string
	keywordRe *regexp.Regexp
	distance  int
	ignore    [][]byte
	valid     func([]byte) bool
	kwFirst   [256]bool
	// next and anch, when set, find candidates and match the pattern at one
	// (candidates.go).
	next   func(buf []byte, from int) int
	anch   *regexp.Regexp
	window int
	token  *class
}

// Keyworded reports whether the detector requires a keyword in proximity.
func (d *Detector) Keyworded() bool { return len(d.keywords) > 0 || d.keywordRe != nil }

// DefaultDistance is how close (in bytes, between a keyword's end and the data's start) a
// managed identifier's keyword must be.
const DefaultDistance = 50

// managed are the managed data identifiers Arca implements (docs/DISCOVERY.md).
var managed = []*Detector{
	{
		ID: "AWS_CREDENTIALS", Category: Credentials,
		re:        regexp.MustCompile(`[^A-Za-z0-9/+=]([A-Za-z0-9/+]{40})[^A-Za-z0-9/+=]`),
		keywords:  []string{"aws_secret_access_key", "secret_access_key", "secretaccesskey", "aws secret access key", "secret access key", "aws_secret_key", "aws secret key"},
		keywordRe: regexp.MustCompile(`[^A-Z0-9](?:AKIA|ASIA)[A-Z0-9]{16}[^A-Z0-9]`),
		distance:  DefaultDistance,
		valid:     validSecretKey,
	},
	{ID: "OPENSSH_PRIVATE_KEY", Category: Credentials, re: regexp.MustCompile(`-----BEGIN OPENSSH PRIVATE KEY-----`)},
	{ID: "PKCS", Category: Credentials, re: regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----`)},
	{
		ID: "CREDIT_CARD_NUMBER", Category: Financial,
		re: regexp.MustCompile(`[^0-9-]([0-9]{13,19}|[0-9]{4}(?:[ -][0-9]{4}){2}[ -][0-9]{1,7}|[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5})[^0-9-]`),
		keywords: []string{"credit card", "card number", "card no", "card num", "cc#", "ccn", "cc number", "debit card",
			"payment card", "visa", "mastercard", "master card", "amex", "american express", "discover", "diners club", "jcb", "creditcard", "cardnumber"},
		distance: DefaultDistance,
		valid:    validCard,
	},
	{
		ID: "EMAIL_ADDRESS", Category: Personal,
		re:    regexp.MustCompile(`[^A-Za-z0-9._%+\-]([A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9][A-Za-z0-9\-]*)*\.[A-Za-z]{2,24})[^A-Za-z0-9\-@]`),
		valid: validEmail,
	},
	{
		ID: "USA_SOCIAL_SECURITY_NUMBER", Category: Personal,
		re:       regexp.MustCompile(`[^0-9-]([0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{3} [0-9]{2} [0-9]{4}|[0-9]{9})[^0-9-]`),
		keywords: []string{"ssn", "ssn#", "ss#", "ssa number", "social security", "social security number", "social security no", "soc sec", "social sec"},
		distance: DefaultDistance,
		valid:    validSSN,
	},
	{
		ID: "INTERNATIONAL_BANK_ACCOUNT_NUMBER", Category: Financial,
		re:    regexp.MustCompile(`[^A-Za-z0-9]([A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?))[^A-Za-z0-9]`),
		valid: validIBAN,
	},
	{
		ID: "PHONE_NUMBER", Category: Personal,
		re:       regexp.MustCompile(`[^0-9+()\-]((?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .\-]?[2-9][0-9]{2}[ .\-]?[0-9]{4}|\+[2-9][0-9]{0,2}[ .\-]?[0-9]{1,4}(?:[ .\-]?[0-9]{2,4}){2,4})[^0-9]`),
		keywords: []string{"phone", "telephone", "tel", "mobile", "cell", "fax", "contact number", "phone number", "tel#", "ph#"},
		distance: DefaultDistance,
		valid:    validPhone,
	},
}

func init() {
	for _, d := range managed {
		d.indexKeywords()
	}
}

// ManagedIDs lists the managed data identifiers Arca implements, in a fixed order.
func ManagedIDs() []string {
	out := make([]string, len(managed))
	for i, d := range managed {
		out[i] = d.ID
	}
	return out
}

// Managed returns the managed detector with id, or nil.
func Managed(id string) *Detector {
	for _, d := range managed {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// MaxCustomDistance is the largest maximumMatchDistance Macie accepts; DefaultCustomDistance
// its default.
const (
	MaxCustomDistance     = 300
	DefaultCustomDistance = 50
)

// NewCustomDetector compiles a custom data identifier (RE2 syntax). keywords match
// case-insensitively; ignoreWords are exact occurrences never reported.
func NewCustomDetector(id, name, pattern string, keywords, ignoreWords []string, distance int) (*Detector, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	if distance <= 0 {
		distance = DefaultCustomDistance
	}
	d := &Detector{ID: id, Name: name, Category: Custom, re: re, distance: distance}
	for _, k := range keywords {
		if k != "" {
			d.keywords = append(d.keywords, strings.ToLower(k))
		}
	}
	for _, w := range ignoreWords {
		d.ignore = append(d.ignore, []byte(w))
	}
	d.indexKeywords()
	return d, nil
}

// span is the occurrence a pattern match at loc stands for (its first group, if any).
func (d *Detector) span(loc []int) (int, int) {
	if len(loc) >= 4 && loc[2] >= 0 {
		return loc[2], loc[3]
	}
	return loc[0], loc[1]
}

// accept reports whether the occurrence buf[s:e] counts: it passes validation, is not
// an ignore word, and has a keyword close enough before it when one is required.
func (d *Detector) accept(buf []byte, s, e int) bool {
	m := buf[s:e]
	if d.valid != nil && !d.valid(m) {
		return false
	}
	for _, w := range d.ignore {
		if bytes.Equal(m, w) {
			return false
		}
	}
	if !d.Keyworded() {
		return true
	}
	from := s - d.distance - maxKeywordLen
	if from < 0 {
		from = 0
	}
	win := buf[from:s]
	if d.keywordRe != nil && d.keywordRe.Match(win) {
		return true
	}
	return d.keywordNear(win)
}

// keywordNear reports whether a keyword (ASCII case-insensitive) ends within the last
// distance bytes of win: one pass over win, comparing only at bytes that start a keyword.
func (d *Detector) keywordNear(win []byte) bool {
	for i := range win {
		c := lower(win[i])
		if !d.kwFirst[c] {
			continue
		}
		for _, k := range d.keywords {
			if k[0] != c || i+len(k) > len(win) || len(win)-(i+len(k)) > d.distance {
				continue
			}
			if equalFoldASCII(win[i:i+len(k)], k) {
				return true
			}
		}
	}
	return false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares b with the lower-case keyword k.
func equalFoldASCII(b []byte, k string) bool {
	for j := 0; j < len(k); j++ {
		if lower(b[j]) != k[j] {
			return false
		}
	}
	return true
}

// indexKeywords fills kwFirst, the first bytes of the keywords.
func (d *Detector) indexKeywords() {
	for _, k := range d.keywords {
		d.kwFirst[k[0]] = true
	}
}

// maxKeywordLen bounds a keyword's length (Macie: 90 characters for custom ones).
const maxKeywordLen = 90

func digits(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= '0' && c <= '9' {
			out = append(out, c)
		}
	}
	return out
}

// Luhn reports whether the digit string passes the Luhn (mod 10) check.
func Luhn(d []byte) bool {
	sum, alt := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if alt {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		alt = !alt
	}
	return len(d) > 0 && sum%10 == 0
}

// validCard: 13 to 19 digits with one kind of separator at most, an issuer prefix of a
// card network, and the Luhn check.
func validCard(m []byte) bool {
	if bytes.IndexByte(m, ' ') >= 0 && bytes.IndexByte(m, '-') >= 0 {
		return false
	}
	d := digits(m)
	if len(d) < 13 || len(d) > 19 || !Luhn(d) {
		return false
	}
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p4 := p2*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	switch {
	case d[0] == '4': // Visa
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
	case p2 == 34 || p2 == 37: // American Express
	case p4 == 6011, p2 == 65, p2 == 64: // Discover
	case p2 == 35: // JCB
	case p2 == 36 || p2 == 38 || (p4 >= 3000 && p4 <= 3059): // Diners Club
	case p2 == 62: // UnionPay
	default:
		return false
	}
	return true
}

// validSSN: the Social Security Administration never issues area 000, 666 or 900-999,
// group 00 or serial 0000.
func validSSN(m []byte) bool {
	d := digits(m)
	if len(d) != 9 {
		return false
	}
	area, group, serial := string(d[:3]), string(d[3:5]), string(d[5:])
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// ibanLengths is the IBAN length of each country in the IBAN registry that Arca checks
// exactly; other country codes need 15 to 34 characters.
var ibanLengths = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
	"EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
	"IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
	"NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26,
}

// validIBAN: the country's length and the ISO 7064 mod-97 check (the remainder is 1).
func validIBAN(m []byte) bool {
	s := bytes.ReplaceAll(m, []byte(" "), nil)
	if n, ok := ibanLengths[string(s[:2])]; ok && len(s) != n {
		return false
	}
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	return Mod97(append(append([]byte{}, s[4:]...), s[:4]...)) == 1
}

// Mod97 is the remainder of the number formed by s (letters as 10..35) divided by 97; -1
// for a character that is neither a digit nor an upper-case letter.
func Mod97(s []byte) int {
	r := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		default:
			return -1
		}
	}
	return r
}

// validSecretKey: a secret access key mixes upper- and lower-case letters and digits (a
// run of one class is a hash or padding, not a key).
func validSecretKey(m []byte) bool {
	var up, low, dig bool
	for _, c := range m {
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			low = true
		case c >= '0' && c <= '9':
			dig = true
		}
	}
	return up && low && dig
}

// validPhone: 10 to 15 digits (E.164), not all one digit.
func validPhone(m []byte) bool {
	d := digits(m)
	if len(d) < 10 || len(d) > 15 {
		return false
	}
	return bytes.Count(d, d[:1]) != len(d)
}

// validEmail: a local part of at most 64 bytes, at most 254 in all, no label starting or
// ending with a hyphen, no empty label.
func validEmail(m []byte) bool {
	at := bytes.IndexByte(m, '@')
	if at < 1 || at > 64 || len(m) > 254 {
		return false
	}
	for _, l := range bytes.Split(m[at+1:], []byte{'.'}) {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	return true
}
