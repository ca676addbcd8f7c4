package iamapi

import (
	"strings"
	"testing"
)

// Every action has a unique name, an action of its service named after it, a resource to
// be authorized on (unless anyone may call it) and a function; CloudTrail marks the Get
// and List actions readOnly.
func TestOpTables(t *testing.T) {
	for prefix, table := range map[string][]op{"iam:": iamTable, "sts:": stsTable} {
		seen := map[string]bool{}
		for _, o := range table {
			switch {
			case o.Name == "" || seen[o.Name]:
				t.Errorf("%q: empty or duplicate name", o.Name)
			case o.Action != prefix+o.Name:
				t.Errorf("%s: action %q", o.Name, o.Action)
			case o.Resource == nil && !o.Anyone:
				t.Errorf("%s: no resource to authorize on", o.Name)
			case o.Run == nil:
				t.Errorf("%s: no function", o.Name)
			case o.ReadOnly != (strings.HasPrefix(o.Name, "Get") || strings.HasPrefix(o.Name, "List")):
				t.Errorf("%s: ReadOnly %v", o.Name, o.ReadOnly)
			}
			seen[o.Name] = true
		}
	}
	for name, o := range iamOps {
		if o.Name != name || stsOps[name] != nil {
			t.Errorf("%s: indexed as %q or in both services", o.Name, name)
		}
	}
	if len(iamOps) != len(iamTable) || len(stsOps) != len(stsTable) {
		t.Error("an action is not indexed")
	}
}
