package accesslog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is the Time field's layout, without its brackets: 06/Feb/2019:00:00:38 +0000.
const TimeLayout = "02/Jan/2006:15:04:05 -0700"

// ErrBadLine: Parse was given text that is not an access log line.
var ErrBadLine = errors.New("accesslog: not an access log line")

// Line is one server access log record, field for field and in order AWS's "Amazon S3
// server access log format" (docs/ACCESS-LOGS.md). An empty string is written as "-";
// numbers below zero are written as "-" (unknown or not applicable).
type Line struct {
	BucketOwner      string // canonical user id of the source bucket's owner
	Bucket           string
	Time             time.Time // written in UTC, to the second
	RemoteIP         string
	Requester        string // IAM ARN or canonical id; "" (written "-") for anonymous
	RequestID        string
	Operation        string // REST.<METHOD>.<RESOURCE>
	Key              string // the raw key; written URL-encoded
	RequestURI       string // quoted: "GET /bucket/key?x HTTP/1.1"
	HTTPStatus       int
	ErrorCode        string
	BytesSent        int64  // -1 or 0: "-"
	ObjectSize       int64  // -1: "-"
	TotalTime        int64  // milliseconds; -1: "-"
	TurnAroundTime   int64  // milliseconds; -1: "-"
	Referer          string // quoted
	UserAgent        string // quoted
	VersionID        string
	HostID           string
	SignatureVersion string // SigV2, SigV4
	CipherSuite      string
	AuthType         string // AuthHeader, QueryString
	HostHeader       string
	TLSVersion       string // TLSv1.2, TLSv1.3
	AccessPointARN   string
	ACLRequired      bool // written "Yes" or "-"
}

// Fields is the number of fields of a line.
const Fields = 26

// String formats l as one line, without the newline.
func (l *Line) String() string {
	var b strings.Builder
	b.Grow(512)
	w := func(s string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	w(plain(l.BucketOwner))
	w(plain(l.Bucket))
	w("[" + l.Time.UTC().Format(TimeLayout) + "]")
	w(plain(l.RemoteIP))
	w(plain(l.Requester))
	w(plain(l.RequestID))
	w(plain(l.Operation))
	if l.Key == "" {
		w("-")
	} else {
		w(EscapeKey(l.Key))
	}
	w(quoted(l.RequestURI))
	w(num(int64(l.HTTPStatus), true))
	w(plain(l.ErrorCode))
	w(num(l.BytesSent, false))
	w(num(l.ObjectSize, true))
	w(num(l.TotalTime, true))
	w(num(l.TurnAroundTime, true))
	w(quoted(l.Referer))
	w(quoted(l.UserAgent))
	w(plain(l.VersionID))
	w(plain(l.HostID))
	w(plain(l.SignatureVersion))
	w(plain(l.CipherSuite))
	w(plain(l.AuthType))
	w(plain(l.HostHeader))
	w(plain(l.TLSVersion))
	w(plain(l.AccessPointARN))
	if l.ACLRequired {
		w("Yes")
	} else {
		w("-")
	}
	return b.String()
}

// plain is an unquoted field: "-" when empty; a value that could not be read back as one
// field (a space, a quote, a control character, a leading '[' or a percent sign) is
// percent-encoded.
func plain(s string) string {
	if s == "" || s == "-" {
		return "-"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '"' || c == '%' || c >= 0x7f || (i == 0 && c == '[') {
			return escape(s, func(c byte) bool { return c > ' ' && c != '"' && c != '%' && c < 0x7f && c != '[' })
		}
	}
	return s
}

// EscapeKey is the Key field of key: URL-encoded (RFC 3986 unreserved characters and '/'
// stay as they are).
func EscapeKey(key string) string {
	return escape(key, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/'
	})
}

func escape(s string, keep func(byte) bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; keep(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// quoted is a quoted field: "-" in quotes when empty; a quote, a backslash and the
// control characters are escaped with a backslash (\" \\ \xNN).
func quoted(s string) string {
	if s == "" {
		return `"-"`
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c == 0x7f:
			fmt.Fprintf(&b, `\x%02X`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// num is a number field; zero is "-" unless zeroShown, a negative number always.
func num(n int64, zeroShown bool) string {
	if n < 0 || n == 0 && !zeroShown {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}

// Parse reads one line (without its newline) back into a Line. "-" reads as "" (or -1 for
// a number; BytesSent "-" reads as 0).
func Parse(s string) (Line, error) {
	var f []string
	for i := 0; i < len(s); {
		if len(f) > 0 {
			if s[i] != ' ' {
				return Line{}, ErrBadLine
			}
			i++
		}
		if i >= len(s) {
			return Line{}, ErrBadLine
		}
		switch s[i] {
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return Line{}, ErrBadLine
			}
			f = append(f, s[i:i+j+1])
			i += j + 1
		case '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return Line{}, ErrBadLine
			}
			f = append(f, s[i:j+1])
			i = j + 1
		default:
			j := strings.IndexByte(s[i:], ' ')
			if j < 0 {
				j = len(s) - i
			}
			f = append(f, s[i:i+j])
			i += j
		}
	}
	if len(f) != Fields {
		return Line{}, ErrBadLine
	}
	var l Line
	var err error
	fail := func(e error) {
		if err == nil && e != nil {
			err = ErrBadLine
		}
	}
	str := func(i int) string {
		v, e := unplain(f[i])
		fail(e)
		return v
	}
	q := func(i int) string {
		v, e := unquote(f[i])
		fail(e)
		return v
	}
	n := func(i int) int64 {
		if f[i] == "-" {
			return -1
		}
		v, e := strconv.ParseInt(f[i], 10, 64)
		if e == nil && (v < 0 || strconv.FormatInt(v, 10) != f[i]) {
			e = ErrBadLine
		}
		fail(e)
		return v
	}
	l.BucketOwner, l.Bucket = str(0), str(1)
	if t := f[2]; len(t) < 2 || t[0] != '[' {
		fail(ErrBadLine)
	} else {
		l.Time, err = time.Parse(TimeLayout, t[1:len(t)-1])
		if err != nil {
			err = ErrBadLine
		}
		l.Time = l.Time.UTC()
	}
	l.RemoteIP, l.Requester, l.RequestID, l.Operation = str(3), str(4), str(5), str(6)
	l.Key = str(7)
	l.RequestURI = q(8)
	if st := n(9); st > 1<<31-1 {
		fail(ErrBadLine)
	} else {
		l.HTTPStatus = int(st)
	}
	l.ErrorCode = str(10)
	if l.BytesSent = n(11); l.BytesSent == 0 {
		fail(ErrBadLine) // written as "-"
	} else if l.BytesSent < 0 {
		l.BytesSent = 0
	}
	l.ObjectSize, l.TotalTime, l.TurnAroundTime = n(12), n(13), n(14)
	l.Referer, l.UserAgent = q(15), q(16)
	l.VersionID, l.HostID, l.SignatureVersion, l.CipherSuite = str(17), str(18), str(19), str(20)
	l.AuthType, l.HostHeader, l.TLSVersion, l.AccessPointARN = str(21), str(22), str(23), str(24)
	switch f[25] {
	case "Yes":
		l.ACLRequired = true
	case "-":
	default:
		fail(ErrBadLine)
	}
	if err != nil {
		return Line{}, err
	}
	return l, nil
}

// unplain reads an unquoted field: "-" is empty, %XX sequences are decoded.
func unplain(s string) (string, error) {
	if s == "-" {
		return "", nil
	}
	if s == "" || strings.ContainsAny(s, "\"") {
		return "", ErrBadLine
	}
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", ErrBadLine
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", ErrBadLine
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// unquote reads a quoted field: "-" in quotes is empty.
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", ErrBadLine
	}
	s = s[1 : len(s)-1]
	if s == "-" {
		return "", nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", ErrBadLine
		}
		switch s[i+1] {
		case '"', '\\':
			b.WriteByte(s[i+1])
			i++
		case 'x':
			if i+3 >= len(s) {
				return "", ErrBadLine
			}
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				return "", ErrBadLine
			}
			b.WriteByte(byte(v))
			i += 3
		default:
			return "", ErrBadLine
		}
	}
	return b.String(), nil
}
