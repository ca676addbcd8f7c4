package postpolicy

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse: any input either parses or is refused with ErrInvalidPolicy carrying a
// message, never a panic; a parsed policy's conditions are well formed.
func FuzzParse(f *testing.F) {
	for _, tc := range parseTests {
		f.Add(tc.doc)
	}
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",0,9223372036854775807]]}`)
	f.Add(`{"expiration":"2030-01-01T00:00:00Z","conditions":[["eq","$",""]]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse(b64(doc))
		if err != nil {
			if !errors.Is(err, ErrInvalidPolicy) || !strings.HasPrefix(err.Error(), ErrInvalidPolicy.Error()+": Invalid Policy: ") {
				t.Fatalf("Parse error %v", err)
			}
			return
		}
		for _, c := range p.Conditions {
			switch c.Op {
			case OpEq, OpStartsWith:
				if c.Field == "" || c.Field != strings.ToLower(c.Field) {
					t.Fatalf("condition field %q", c.Field)
				}
			case OpRange:
				if c.Min < 0 || c.Min > c.Max {
					t.Fatalf("range %d %d", c.Min, c.Max)
				}
			default:
				t.Fatalf("op %q", c.Op)
			}
		}
	})
}

// FuzzCheck: the evaluator over any policy and a form built from the fuzzer's strings
// either passes or is refused with ErrDenied; a form whose fields all equal what the
// policy's eq conditions ask is never refused for a failed eq.
func FuzzCheck(f *testing.F) {
	f.Add(`{"bucket":"b"},["starts-with","$key","u/"]`, "key", "u/x", "b")
	f.Add(`{"bucket":"b"},["eq","$Content-Type","a,b"]`, "content-type", "a, b", "b")
	f.Add(`["starts-with","$content-type","image/"]`, "content-type", ",,", "b")
	f.Fuzz(func(t *testing.T, conds, name, value, bucket string) {
		p, err := Parse(b64(`{"expiration":"2030-01-01T00:00:00Z","conditions":[` + conds + `]}`))
		if err != nil {
			return
		}
		fields := map[string]string{"bucket": bucket, strings.ToLower(name): value}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := p.Check(now, fields); err != nil && !errors.Is(err, ErrDenied) {
			t.Fatalf("Check error %v", err)
		}
		// A form made to satisfy the policy's equalities and prefixes.
		good := map[string]string{}
		for _, c := range p.Conditions {
			if c.Op == OpEq || c.Op == OpStartsWith {
				good[c.Field] = c.Value
			}
		}
		if _, ok := good["bucket"]; !ok {
			return
		}
		consistent := true
		for _, c := range p.Conditions {
			if c.Op == OpEq && good[c.Field] != c.Value || c.Op == OpStartsWith && !strings.HasPrefix(good[c.Field], c.Value) {
				consistent = false
			}
		}
		if err := p.Check(now, good); consistent && err != nil && !strings.Contains(err.Error(), "Content-Type") && !strings.Contains(strings.ToLower(err.Error()), "content-type") {
			t.Fatalf("consistent form refused: %v", err)
		}
	})
}
