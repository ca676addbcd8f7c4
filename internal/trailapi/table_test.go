package trailapi

import (
	"net/http/httptest"
	"testing"
)

// Every operation has a unique name, the action named after it and a handler.
func TestOpTable(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range opTable {
		switch {
		case o.Name == "" || seen[o.Name]:
			t.Errorf("%q: empty or duplicate name", o.Name)
		case o.Action != "cloudtrail:"+o.Name:
			t.Errorf("%s: action %q", o.Name, o.Action)
		case o.Run == nil:
			t.Errorf("%s: no handler", o.Name)
		case knownUnimplemented[o.Name]:
			t.Errorf("%s: both served and unimplemented", o.Name)
		}
		seen[o.Name] = true
		if ops[o.Name] != &opTable[len(seen)-1] {
			t.Errorf("%s: not indexed", o.Name)
		}
	}
}

var operationTests = []struct {
	target, op, name string
}{
	{TargetPrefix + "LookupEvents", "LookupEvents", "LookupEvents"},
	{ShortTargetPrefix + "LookupEvents", "LookupEvents", "LookupEvents"},
	{ArcaTargetPrefix + "FlushTrail", "FlushTrail", "FlushTrail"},
	{ShortTargetPrefix + "FlushTrail", "", "Unknown"},
	{ArcaTargetPrefix + "LookupEvents", "", "Unknown"},
	{ShortTargetPrefix + "Nope", "", "Nope"},
	{TargetPrefix + "FlushTrail", "FlushTrail", "FlushTrail"},
}

func TestOperation(t *testing.T) {
	for _, tc := range operationTests {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("X-Amz-Target", tc.target)
		o, name := operation(r)
		if got := ""; o != nil {
			got = o.Name
			if got != tc.op || name != tc.name {
				t.Errorf("%s: %q %q", tc.target, got, name)
			}
		} else if tc.op != "" || name != tc.name {
			t.Errorf("%s: none %q", tc.target, name)
		}
	}
}
