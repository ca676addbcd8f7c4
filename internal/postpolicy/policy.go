// Package postpolicy parses and enforces the policy document of an S3 browser upload (POST
// Object): a base64 JSON object with an expiration and a list of conditions that every form
// field must meet (docs/POST-OBJECT.md).
//
// Use Parse on the form's "policy" field, then Check with the form's fields (names
// lowercased, values as sent, plus "bucket") and the time, and LengthRange for the bounds
// the file's size must keep. Errors are ErrInvalidPolicy (the document is malformed),
// ErrDenied (the form does not meet it) and, from CheckSize, a *SizeError; each carries
// AWS's message for its case (errs.E). The package knows nothing of HTTP or signatures.
package postpolicy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/errs"
)

// Sentinels, each returned inside an *errs.E carrying AWS's message.
var (
	// ErrInvalidPolicy: the policy is not a valid document (400 InvalidPolicyDocument).
	ErrInvalidPolicy = errors.New("postpolicy: invalid policy document")
	// ErrDenied: the form does not meet the policy, or it expired (403 AccessDenied).
	ErrDenied = errors.New("postpolicy: invalid according to policy")
)

// Operations of a condition.
const (
	OpEq         = "eq"
	OpStartsWith = "starts-with"
	OpRange      = "content-length-range"
)

// Condition is one condition of the policy.
type Condition struct {
	// Op is OpEq, OpStartsWith or OpRange (lowercase).
	Op string
	// Field is the form field it tests, lowercased without its "$" ("" for OpRange);
	// name is as the policy spelled it (for messages).
	Field, name string
	// Value is the value (OpEq) or prefix (OpStartsWith).
	Value string
	// Min and Max bound the file's size (OpRange), inclusive.
	Min, Max int64
}

// String renders the condition as AWS quotes it in "Policy Condition failed".
func (c Condition) String() string {
	if c.Op == OpRange {
		return `["content-length-range", ` + strconv.FormatInt(c.Min, 10) + ", " + strconv.FormatInt(c.Max, 10) + "]"
	}
	return "[" + jsonString(c.Op) + ", " + jsonString("$"+c.name) + ", " + jsonString(c.Value) + "]"
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// Policy is a parsed POST policy.
type Policy struct {
	Expiration time.Time
	Conditions []Condition
}

// maxDecoded bounds the decoded document (the form's fields before the file are bounded
// anyway; this keeps the parser's work bounded when called directly).
const maxDecoded = 64 << 10

func invalid(format string, args ...any) error {
	return errs.Newf(ErrInvalidPolicy, "Invalid Policy: "+format, args...)
}

// Parse decodes the form's "policy" field: base64 of a JSON object with exactly the members
// "expiration" (an ISO 8601 UTC time) and "conditions" (a list). Member names are
// case-sensitive; condition operations and field names are not.
func Parse(b64 string) (*Policy, error) {
	if b64 == "" {
		return nil, invalid("Expecting '{' but found End-of-Input")
	}
	if len(b64) > base64.StdEncoding.EncodedLen(maxDecoded) {
		return nil, invalid("Invalid JSON.")
	}
	doc, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, invalid("invalid Base64 encoding.")
	}
	return parseJSON(doc)
}

func parseJSON(doc []byte) (*Policy, error) {
	var top map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	if err := d.Decode(&top); err != nil || top == nil {
		return nil, invalid("Invalid JSON.")
	}
	if d.More() {
		return nil, invalid("Invalid JSON.")
	}
	for k := range top {
		if k != "expiration" && k != "conditions" {
			return nil, invalid("Unexpected: %s", jsonString(k))
		}
	}
	p := &Policy{}
	raw, ok := top["expiration"]
	if !ok {
		return nil, invalid("Policy missing expiration.")
	}
	var exp string
	if json.Unmarshal(raw, &exp) != nil {
		return nil, invalid("Invalid 'expiration' value: '%s'", bytes.TrimSpace(raw))
	}
	if p.Expiration, ok = parseExpiration(exp); !ok {
		return nil, invalid("Invalid 'expiration' value: '%s'", exp)
	}
	raw, ok = top["conditions"]
	if !ok {
		return nil, invalid("Policy missing conditions.")
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil || list == nil {
		return nil, invalid("Invalid 'conditions' value: must be a List.")
	}
	for _, c := range list {
		conds, err := parseCondition(c)
		if err != nil {
			return nil, err
		}
		p.Conditions = append(p.Conditions, conds...)
	}
	return p, nil
}

// parseExpiration accepts ISO 8601 in UTC ("2026-01-02T15:04:05Z", with or without
// fractional seconds), as S3 does.
func parseExpiration(s string) (time.Time, bool) {
	if !strings.HasSuffix(s, "Z") || len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func parseCondition(raw json.RawMessage) ([]Condition, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, invalid("Invalid condition test: must be a List or Object.")
	}
	switch raw[0] {
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return nil, invalid("Invalid JSON.")
		}
		if len(m) != 1 {
			return nil, invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return nil, invalid("Invalid Simple-Condition: value must be a string.")
			}
			return []Condition{{Op: OpEq, Field: strings.ToLower(k), name: k, Value: s}}, nil
		}
	case '[':
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) != nil {
			return nil, invalid("Invalid JSON.")
		}
		return parseList(a)
	}
	return nil, invalid("Invalid condition test: must be a List or Object.")
}

func parseList(a []json.RawMessage) ([]Condition, error) {
	var op string
	if len(a) == 0 || json.Unmarshal(a[0], &op) != nil || op == "" {
		return nil, invalid("Invalid Condition: missing operation identifier.")
	}
	lop := strings.ToLower(op)
	switch lop {
	case OpEq, OpStartsWith:
		if len(a) != 3 {
			return nil, invalid("Invalid %s: wrong number of arguments.", op)
		}
		var name, val string
		if json.Unmarshal(a[1], &name) != nil || json.Unmarshal(a[2], &val) != nil {
			return nil, invalid("Invalid %s: arguments must be strings.", op)
		}
		field, ok := strings.CutPrefix(name, "$")
		if !ok || field == "" {
			return nil, invalid("Invalid %s: the first argument must name a form field as $name.", op)
		}
		return []Condition{{Op: lop, Field: strings.ToLower(field), name: field, Value: val}}, nil
	case OpRange:
		if len(a) != 3 {
			return nil, invalid("Invalid %s: wrong number of arguments.", op)
		}
		lo, ok1 := rangeBound(a[1])
		hi, ok2 := rangeBound(a[2])
		if !ok1 || !ok2 || lo > hi {
			return nil, invalid("Invalid %s: the bounds must be integers with 0 <= min <= max.", op)
		}
		return []Condition{{Op: OpRange, Min: lo, Max: hi}}, nil
	}
	return nil, invalid("Invalid Condition: unknown operation '%s'.", op)
}

// rangeBound reads a content-length-range bound: a non-negative integer, as a number or a
// string of digits (clients send either).
func rangeBound(raw json.RawMessage) (int64, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}
