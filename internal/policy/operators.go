package policy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// eval applies the absent-key rules of reference §5.2, then the operator.
//
//	absent key (no values):  Null            true iff the policy says "true"
//	                         …IfExists       true
//	                         ForAnyValue:    false
//	                         ForAllValues:   true
//	                         negated         true
//	                         positive        false
//	present:                 ForAnyValue:    some request value satisfies the operator
//	                         ForAllValues:   every request value satisfies it
//	                         plain           positive: some value matches some policy value;
//	                                         negated: no value matches any policy value
//
// A request value satisfies a positive operator when it matches any policy value (the
// policy values are OR'ed) and a negated one when it matches none of them.
func (c *Condition) eval(ec *evalContext) bool {
	vals, present := ec.get(c.key)
	if c.op.typ == tNull {
		for _, wantAbsent := range c.bits {
			if wantAbsent != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.op.ifExists:
			return true
		case c.op.set == setAny:
			return false
		case c.op.set == setAll:
			return true
		}
		return c.op.neg
	}
	switch c.op.set {
	case setAny:
		for _, v := range vals {
			if c.matchAny(v, ec) != c.op.neg {
				return true
			}
		}
		return false
	case setAll:
		for _, v := range vals {
			if c.matchAny(v, ec) == c.op.neg {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchAny(v, ec) {
			return !c.op.neg
		}
	}
	return c.op.neg
}

// matchAny reports whether request value v matches any policy value under the
// operator's positive form (StringEquals for StringNotEquals, and so on). A value that
// is not of the operator's type (not a number, date, boolean, base64, address or ARN)
// matches nothing.
func (c *Condition) matchAny(v string, ec *evalContext) bool {
	switch c.op.typ {
	case tString, tStringFold:
		for i := range c.pats {
			lit, ok := c.pats[i].text(ec)
			if ok && (lit == v || c.op.typ == tStringFold && strings.EqualFold(lit, v)) {
				return true
			}
		}
	case tStringLike:
		for i := range c.pats {
			if c.pats[i].match(v, ec) {
				return true
			}
		}
	case tARN:
		segs, isARN := splitARN(v)
		for i := range c.arns {
			a := &c.arns[i]
			if a.flat && a.match(v, ec) || !a.flat && isARN && a.matchSegs(&segs, ec) {
				return true
			}
		}
	case tNumeric:
		n, ok := parseNumber(v)
		for _, p := range c.nums {
			if ok && compare(n.cmp(p), c.op.cmp) {
				return true
			}
		}
	case tDate:
		t, ok := parseDate(v)
		for _, p := range c.ts {
			if ok && compare(t.Compare(p), c.op.cmp) {
				return true
			}
		}
	case tBool:
		b, ok := parseBool(v)
		for _, p := range c.bits {
			if ok && b == p {
				return true
			}
		}
	case tBinary:
		b, err := base64.StdEncoding.DecodeString(v)
		for _, p := range c.bins {
			if err == nil && bytes.Equal(b, p) {
				return true
			}
		}
	case tIP:
		a, err := netip.ParseAddr(v)
		a = a.Unmap().WithZone("")
		for _, p := range c.nets {
			if err == nil && p.Contains(a) {
				return true
			}
		}
	}
	return false
}

// compare turns a three-way comparison of request against policy value into the result.
func compare(c int, op cmpOp) bool {
	switch op {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return c == 0
}

// number is a Numeric operand: compared exactly as integers when both sides are
// integers, as float64 otherwise.
type number struct {
	i     int64
	f     float64
	isInt bool
}

func parseNumber(s string) (number, bool) {
	if s == "" || strings.Trim(s, "0123456789+-.eE") != "" {
		return number{}, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return number{i: i, f: float64(i), isInt: true}, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return number{}, false
	}
	return number{f: f}, true
}

func (n number) cmp(o number) int {
	if n.isInt && o.isInt {
		switch {
		case n.i < o.i:
			return -1
		case n.i > o.i:
			return 1
		}
		return 0
	}
	switch {
	case n.f < o.f:
		return -1
	case n.f > o.f:
		return 1
	}
	return 0
}

// dateLayouts are the W3C ISO 8601 forms AWS accepts; a bare integer is epoch seconds.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < -1e11 || n > 1e11 {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
