package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Condition is one operator/key pair of a statement's Condition element, e.g. Operator
// "ForAnyValue:StringLikeIfExists", Key "aws:SourceIp" (as written; matching ignores
// case), Values as written (JSON numbers and booleans as their text).
type Condition struct {
	Operator string
	Key      string
	Values   []string

	op   operator
	key  string // lowercased Key
	pats []pattern
	arns []arnPattern
	nums []number
	ts   []time.Time
	bins [][]byte
	nets []netip.Prefix
	bits []bool
}

// valueType is how an operator reads values.
type valueType uint8

const (
	tString valueType = iota
	tStringFold
	tStringLike
	tNumeric
	tDate
	tBool
	tBinary
	tIP
	tARN
	tNull
)

// cmpOp is the comparison of the Numeric and Date operators: request value OP policy value.
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type baseOp struct {
	typ valueType
	cmp cmpOp
	neg bool // a negated operator: true when no policy value matches
}

// baseOps are the operators of reference §5.2, without ForAnyValue:/ForAllValues:/IfExists.
var baseOps = map[string]baseOp{
	"StringEquals":              {typ: tString},
	"StringNotEquals":           {typ: tString, neg: true},
	"StringEqualsIgnoreCase":    {typ: tStringFold},
	"StringNotEqualsIgnoreCase": {typ: tStringFold, neg: true},
	"StringLike":                {typ: tStringLike},
	"StringNotLike":             {typ: tStringLike, neg: true},
	"NumericEquals":             {typ: tNumeric},
	"NumericNotEquals":          {typ: tNumeric, neg: true},
	"NumericLessThan":           {typ: tNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {typ: tNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {typ: tNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {typ: tNumeric, cmp: cmpGe},
	"DateEquals":                {typ: tDate},
	"DateNotEquals":             {typ: tDate, neg: true},
	"DateLessThan":              {typ: tDate, cmp: cmpLt},
	"DateLessThanEquals":        {typ: tDate, cmp: cmpLe},
	"DateGreaterThan":           {typ: tDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {typ: tDate, cmp: cmpGe},
	"Bool":                      {typ: tBool},
	"BinaryEquals":              {typ: tBinary},
	"IpAddress":                 {typ: tIP},
	"NotIpAddress":              {typ: tIP, neg: true},
	"ArnEquals":                 {typ: tARN},
	"ArnLike":                   {typ: tARN},
	"ArnNotEquals":              {typ: tARN, neg: true},
	"ArnNotLike":                {typ: tARN, neg: true},
	"Null":                      {typ: tNull},
}

type setMode uint8

const (
	setNone setMode = iota
	setAny          // ForAnyValue:
	setAll          // ForAllValues:
)

type operator struct {
	baseOp
	set      setMode
	ifExists bool
}

// parseOperator splits an operator name into prefix, base and IfExists. Null takes
// neither a prefix nor IfExists.
func parseOperator(name string) (operator, bool) {
	var op operator
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		rest, op.set = r, setAny
	} else if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		rest, op.set = r, setAll
	}
	b, ok := baseOps[rest]
	if !ok {
		if r, cut := strings.CutSuffix(rest, "IfExists"); cut {
			b, ok = baseOps[r]
			op.ifExists = true
		}
	}
	if !ok || b.typ == tNull && (op.set != setNone || op.ifExists) {
		return operator{}, false
	}
	op.baseOp = b
	return op, true
}

func parseConditions(raw json.RawMessage, kind Kind, vars bool) ([]Condition, error) {
	var ops map[string]json.RawMessage
	if json.Unmarshal(raw, &ops) != nil || ops == nil {
		return nil, fail(kind, pSyntax, "")
	}
	var out []Condition
	for name, body := range ops {
		op, ok := parseOperator(name)
		if !ok {
			return nil, fail(kind, pOperator, name)
		}
		var keys map[string]json.RawMessage
		if json.Unmarshal(body, &keys) != nil || keys == nil {
			return nil, fail(kind, pSyntax, "")
		}
		for key, v := range keys {
			if !validKeyName(key) {
				return nil, fail(kind, pConditionKey, key)
			}
			vals, ok := conditionValues(v)
			if !ok {
				return nil, fail(kind, pSyntax, "")
			}
			c := Condition{Operator: name, Key: key, Values: vals, op: op, key: strings.ToLower(key)}
			if bad, ok := c.compile(vars); !ok {
				return nil, fail(kind, pConditionValue, name+" "+bad)
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Condition) int {
		if c := strings.Compare(a.Operator, b.Operator); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

// conditionValues reads a string, number or boolean, or a list of them.
func conditionValues(raw json.RawMessage) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		switch x := x.(type) {
		case string:
			out = append(out, x)
		case json.Number:
			out = append(out, x.String())
		case bool:
			if x {
				out = append(out, "true")
			} else {
				out = append(out, "false")
			}
		default:
			return nil, false
		}
	}
	return out, true
}

// compile reads Values for the operator's type; on failure it returns the bad value.
func (c *Condition) compile(vars bool) (string, bool) {
	for _, v := range c.Values {
		switch c.op.typ {
		case tString, tStringFold:
			c.pats = append(c.pats, parsePattern(v, false, vars))
		case tStringLike:
			c.pats = append(c.pats, parsePattern(v, true, vars))
		case tARN:
			a, ok := parseARNPattern(v, vars)
			if !ok {
				a = arnPattern{flat: true, segs: []pattern{parsePattern(v, true, vars)}}
			}
			c.arns = append(c.arns, a)
		case tNumeric:
			n, ok := parseNumber(v)
			if !ok {
				return v, false
			}
			c.nums = append(c.nums, n)
		case tDate:
			t, ok := parseDate(v)
			if !ok {
				return v, false
			}
			c.ts = append(c.ts, t)
		case tBool, tNull:
			b, ok := parseBool(v)
			if !ok {
				return v, false
			}
			c.bits = append(c.bits, b)
		case tBinary:
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return v, false
			}
			c.bins = append(c.bins, b)
		case tIP:
			p, ok := parseCIDR(v)
			if !ok {
				return v, false
			}
			c.nets = append(c.nets, p)
		}
	}
	return "", true
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parseCIDR reads an address prefix, or a bare address as a one-address prefix.
func parseCIDR(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}
