package kmsapi

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// Every operation has a unique name, an action, a handler; the ReEncrypt shape alone has
// a second action.
func TestOpTable(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range opTable {
		switch {
		case o.Name == "" || seen[o.Name]:
			t.Errorf("%q: empty or duplicate name", o.Name)
		case !strings.HasPrefix(o.Action, "kms:") || (o.Key != sourceAndDestination && o.Action != "kms:"+o.Name && o.Name != "ArcaGetKeyBlastRadius"):
			t.Errorf("%s: action %q", o.Name, o.Action)
		case o.Run.decode == nil || o.Run.run == nil:
			t.Errorf("%s: no handler", o.Name)
		case (o.ToAction != "") != (o.Key == sourceAndDestination):
			t.Errorf("%s: ToAction %q with key %d", o.Name, o.ToAction, o.Key)
		case o.Manage && o.ReadOnly:
			t.Errorf("%s: administers the key yet is read-only", o.Name)
		}
		seen[o.Name] = true
		if ops[o.Name] == nil || ops[o.Name].Name != o.Name {
			t.Errorf("%s: not indexed", o.Name)
		}
		// CloudTrail marks the reads and the cryptographic operations readOnly.
		crypto := slices.Contains([]string{"Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateRandom"}, o.Name)
		read := strings.HasPrefix(o.Name, "Describe") || strings.HasPrefix(o.Name, "List") || strings.HasPrefix(o.Name, "Get") ||
			strings.HasPrefix(o.Name, "ArcaGet") // Arca's extensions (ArcaGetKeyBlastRadius is authorized as kms:DescribeKey)
		if o.ReadOnly != (crypto || read) {
			t.Errorf("%s: ReadOnly %v", o.Name, o.ReadOnly)
		}
	}
	if len(ops) != len(opTable) {
		t.Errorf("%d indexed, %d in the table", len(ops), len(opTable))
	}
}

// askedKeys records which key references a decision looks up (and lets every request
// through: an unknown key is the operation's to report).
type askedKeys struct{ refs []string }

func (k *askedKeys) AuthInfo(ref string, allowAlias bool) (kms.KeyAuth, error) {
	if !allowAlias {
		ref += " (no alias)"
	}
	k.refs = append(k.refs, ref)
	return kms.KeyAuth{}, kms.ErrNotFound
}

var full = AuthRequest{KeyID: "key", TargetKeyID: "target", SourceKeyID: "src", DestinationKeyID: "dst",
	AliasName: "alias/name", CiphertextKeyID: "blob"}

var authorizeTests = []struct {
	op   string
	in   AuthRequest
	want []string // the keys decided, in order
}{
	{"CreateKey", full, nil},
	{"ListKeys", full, nil},
	{"GenerateRandom", full, nil},
	{"ListRetirableGrants", full, nil},
	{"DescribeKey", full, []string{"key"}},
	{"Encrypt", full, []string{"key"}},
	{"PutKeyPolicy", full, []string{"key"}},
	{"ListAliases", full, []string{"key"}},
	{"ListAliases", AuthRequest{}, nil},
	{"Decrypt", full, []string{"key"}},
	{"Decrypt", AuthRequest{CiphertextKeyID: "blob"}, []string{"blob"}},
	{"ReEncrypt", full, []string{"src", "dst"}},
	{"ReEncrypt", AuthRequest{CiphertextKeyID: "blob", DestinationKeyID: "dst"}, []string{"blob", "dst"}},
	{"CreateAlias", full, []string{"target (no alias)"}},
	{"UpdateAlias", full, []string{"target (no alias)"}},
	{"DeleteAlias", full, []string{"alias/name"}},
}

func TestAuthorizeSelectsTheKey(t *testing.T) {
	root := iam.RootIdentity("111122223333", "AKIATEST")
	for _, tc := range authorizeTests {
		keys := &askedKeys{}
		g := authz.New(nil, nil).ForKeys(keys)
		if err := ops[tc.op].authorize(context.Background(), g, &Caller{Identity: root}, tc.in); err != nil {
			t.Errorf("%s: %v", tc.op, err)
		}
		if !slices.Equal(keys.refs, tc.want) {
			t.Errorf("%s %+v: decided on %q, want %q", tc.op, tc.in, keys.refs, tc.want)
		}
	}
}
