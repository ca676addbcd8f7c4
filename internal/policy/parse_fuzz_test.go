package policy

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// FuzzParse: no input panics the parser or the evaluator, every rejection is a
// *ParseError, and an accepted policy re-marshals to a document that parses back to an
// equal Policy.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add([]byte(tt.doc), uint8(tt.kind))
	}
	for _, s := range canonical {
		f.Add([]byte(`{"Version":"2012-10-17","Statement":[`+s+`]}`), uint8(Bucket))
	}
	for _, tt := range operatorTests {
		f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"s3:x","Resource":"*","Condition":{"ForAnyValue:`+
			tt.op+`":{"a:b":`+tt.value+`}}}}`), uint8(Identity))
	}
	requests := make([]*Request, 0, len(canonicalRequests))
	for _, r := range canonicalRequests {
		requests = append(requests, r)
	}
	for _, pr := range principals {
		r := &Request{Principal: pr, Action: "kms:Decrypt", Resource: keyARN}
		r.FillGlobalKeys(time.Unix(0, 0))
		requests = append(requests, r)
	}
	f.Fuzz(func(t *testing.T, doc []byte, k uint8) {
		kind := Kind(k%3 + 1)
		p, err := Parse(doc, kind)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrMalformed) || pe.Reason == "" {
				t.Fatalf("rejection %#v is not a *ParseError with a reason", err)
			}
			return
		}
		for _, r := range requests {
			p.Evaluate(r)
		}
		p.IsPublic()
		out, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		p2, err := Parse(out, kind)
		if errors.Is(err, ErrTooLarge) {
			return // the canonical form spells numbers and booleans as strings
		}
		if err != nil {
			t.Fatalf("re-parse of %s (from %q): %v", out, doc, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip changed the policy:\n%q\n%s", doc, out)
		}
	})
}
