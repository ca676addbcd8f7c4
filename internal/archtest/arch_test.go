package archtest

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/arcastore/arca/"

// Layers (docs/ARCHITECTURE.md, "Who may import whom").
var (
	// domain packages: no HTTP, no database driver, no protocol package.
	domain = []string{
		"internal/account", "internal/alarm", "internal/audit", "internal/authz", "internal/blob", "internal/checksum",
		"internal/durable", "internal/errs", "internal/iam", "internal/kv", "internal/kms", "internal/meta", "internal/object",
		"internal/policy", "internal/postpolicy", "internal/cors", "internal/acl", "internal/recauth", "internal/rootkey", "internal/sse", "internal/trails",
		"internal/inventory", "internal/invreport", "internal/batch", "internal/migrate", "internal/accesslog",
		"pkg/encstream",
	}
	// protocol packages: only the composition root and the command import them.
	protocol = []string{"internal/accountapi", "internal/s3api", "internal/kmsapi", "internal/iamapi", "internal/trailapi"}
	// mayImportProtocol are the packages allowed to import a protocol package.
	mayImportProtocol = []string{"internal/server", "cmd/arca"}
	// forbiddenInDomain are imports no domain package may have: a domain package keeps its
	// state through internal/kv and never knows which backend serves it.
	forbiddenInDomain = []string{"go.etcd.io/bbolt", "net/http", "github.com/jackc/pgx/v5",
		module + "internal/storage/bolt"}
)

// knownViolations are the crossings that exist today and are being removed (issue 13). The
// test fails on a new crossing, and also when one listed here is gone, so the list only
// shrinks and stays true.
var knownViolations = []string{}

// bboltOnlyIn are the packages that may import bbolt: the embedded kv backend alone.
var bboltOnlyIn = []string{"internal/storage/bolt"}

type pkg struct {
	ImportPath string
	Imports    []string
}

func rel(p string) string { return strings.TrimPrefix(p, module) }

func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "github.com/arcastore/arca/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var got []string
	seen := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		name := rel(p.ImportPath)
		if strings.HasPrefix(name, "e2e") {
			continue
		}
		for _, imp := range p.Imports {
			r := rel(imp)
			switch {
			case slices.Contains(domain, name) && slices.Contains(forbiddenInDomain, imp):
				got = append(got, fmt.Sprintf("%s imports %s", name, imp))
			case slices.Contains(domain, name) && slices.Contains(protocol, r):
				got = append(got, fmt.Sprintf("%s imports %s", name, r))
			case slices.Contains(protocol, r) && !slices.Contains(mayImportProtocol, name):
				got = append(got, fmt.Sprintf("%s imports %s", name, r))
			case imp == "go.etcd.io/bbolt" && !slices.Contains(domain, name) && !slices.Contains(bboltOnlyIn, name):
				got = append(got, fmt.Sprintf("%s imports %s", name, imp))
			}
		}
	}
	if seen < 20 {
		t.Fatalf("go list saw %d packages: the module path is wrong?", seen)
	}
	sort.Strings(got)
	want := slices.Clone(knownViolations)
	sort.Strings(want)
	for _, v := range got {
		if !slices.Contains(want, v) {
			t.Errorf("new import across a layer: %s (docs/ARCHITECTURE.md)", v)
		}
	}
	for _, v := range want {
		if !slices.Contains(got, v) {
			t.Errorf("%q no longer holds: remove it from knownViolations", v)
		}
	}
}
