package analyzer

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/policy"
)

// Resource types and finding sources, with AWS's names.
const (
	TypeBucket = "AWS::S3::Bucket"
	TypeKey    = "AWS::KMS::Key"

	SourcePolicy    = "POLICY"
	SourceBucketACL = "BUCKET_ACL"
	SourceKMSGrant  = "KMS_GRANT"
)

// Bucket is what the analysis reads of a bucket: its policy, its ACL (when ACLs are
// enabled) with each canonical grantee resolved to its account where known, and the Block
// Public Access settings in force (the bucket's and its account's combined).
type Bucket struct {
	Name    string
	Account string // the owner account
	Policy  string // "" = none
	// ACL grants (nil when BucketOwnerEnforced disables ACLs).
	Grants                []ACLGrant
	IgnorePublicAcls      bool
	RestrictPublicBuckets bool
}

// ACLGrant is one bucket ACL grant; Account is the grantee's account ("" for a group or an
// unknown canonical id).
type ACLGrant struct {
	acl.Grant
	Account string
}

// Key is what the analysis reads of a KMS key: its policy and grants.
type Key struct {
	ID, ARN, Account string
	Policy           string
	Grants           []KeyGrant
}

// KeyGrant is one grant of a key.
type KeyGrant struct {
	Grantee        string
	Operations     []string
	Subset, Equals map[string]string
}

// Access is one way a principal outside the zone of trust reaches a resource: AWS's
// finding content.
type Access struct {
	Resource     string
	ResourceType string
	Owner        string
	Principal    map[string]string
	Actions      []string
	Condition    map[string]string
	IsPublic     bool
	Sources      []string
}

// key identifies an access across analyses: same resource, principal, condition, source
// and publicity is the same finding (its actions may change).
func (a *Access) key() string {
	b, _ := json.Marshal([]any{a.Resource, a.Principal, a.Condition, a.IsPublic, a.Sources})
	return string(b)
}

// Engine decides reachability with the one policy engine. Its identity side stands for
// the outside accounts: every outside principal is assumed allowed by its own account's
// identity policies (AWS's assumption too), so only the resource side decides.
type Engine struct {
	az *authz.Authorizer
}

// NewEngine returns an engine; now is the clock of the global condition keys.
func NewEngine(now func() time.Time) *Engine {
	return &Engine{az: authz.New(outsideAllowsAll{}, now)}
}

type outsideAllowsAll struct{}

var allowAll = []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

func (outsideAllowsAll) PoliciesFor(context.Context, string, string) ([][]byte, error) {
	return [][]byte{allowAll}, nil
}

// outsider is a candidate principal: its identity for the engine and its finding shape.
type outsider struct {
	id        iam.Identity
	anonymous bool
	// pinned: a condition on a principal key names the outside account (never public).
	pinned    bool
	principal map[string]string
}

// otherAccount is an account id that is not own, standing for "any other account".
func otherAccount(own string) string {
	if own == "999999999999" {
		return "999999999998"
	}
	return "999999999999"
}

func identityFor(principal string) (iam.Identity, bool) {
	if len(principal) == 12 && strings.Trim(principal, "0123456789") == "" {
		return iam.RootIdentity(principal, ""), true
	}
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return iam.Identity{}, false
	}
	acct := parts[4]
	if parts[5] == "root" {
		return iam.RootIdentity(acct, ""), true
	}
	name := parts[5]
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return iam.Identity{Type: iam.TypeIAMUser, AccountID: acct, ARN: principal, UserID: "AIDAOUTSIDE" + acct, UserName: name}, true
}

// accountOf is the account a principal string names ("" if none).
func accountOf(p string) string {
	if len(p) == 12 && strings.Trim(p, "0123456789") == "" {
		return p
	}
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 {
		return parts[4]
	}
	return ""
}

// principal-bounding and source-bounding condition keys (lower case).
var principalKeys = map[string]bool{policy.KeyPrincipalAccount: true, policy.KeyPrincipalArn: true, policy.KeyCallerAccount: true}
var sourceAccountKeys = map[string]bool{"aws:sourceaccount": true, "aws:sourceowner": true}
var sourceARNKeys = map[string]bool{"aws:sourcearn": true}

// candidates are the principals outside own that statement s may grant to, with the
// context values its conditions need.
func candidates(s *policy.Statement, own string, anonymousOK bool) []outsider {
	if s.Effect != policy.EffectAllow {
		return nil
	}
	// A condition confining the statement to own account keeps it inside the zone of trust.
	var pinned []string // accounts/ARNs named by principal conditions
	for _, c := range s.Condition {
		k := strings.ToLower(c.Key)
		if negated(c.Operator) || len(c.Values) == 0 {
			continue
		}
		switch {
		case principalKeys[k] || sourceAccountKeys[k] || sourceARNKeys[k]:
			inside := true
			for _, v := range c.Values {
				if accountOf(v) != own {
					inside = false
				}
			}
			if inside {
				return nil
			}
			if principalKeys[k] {
				pinned = append(pinned, c.Values...)
			}
		}
	}
	var out []outsider
	broad := s.NotPrincipal != nil || s.Principal != nil && (s.Principal.Wildcard || slices.Contains(s.Principal.AWS, "*"))
	if broad {
		star := map[string]string{"AWS": "*"}
		if len(pinned) > 0 {
			for _, v := range pinned {
				if id, ok := identityFor(v); ok && id.AccountID != own {
					out = append(out, outsider{id: id, pinned: true, principal: star})
				}
			}
			return out
		}
		if anonymousOK {
			out = append(out, outsider{anonymous: true, principal: star})
		}
		return append(out, outsider{id: iam.RootIdentity(otherAccount(own), ""), principal: star})
	}
	if s.Principal == nil {
		return nil
	}
	for _, v := range s.Principal.AWS {
		id, ok := identityFor(v)
		if !ok || id.AccountID == own {
			continue
		}
		out = append(out, outsider{id: id, principal: map[string]string{"AWS": v}})
	}
	return out
}

func negated(op string) bool {
	base := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:"), "IfExists")
	return strings.Contains(base, "Not") || base == "Null"
}

// satisfy sets in r the context values under which s's conditions hold, where it can
// choose them (string, ARN, IP, boolean, numeric, date operators); principal keys are the
// principal's own. It returns the finding's condition map.
func satisfy(s *policy.Statement, r *policy.Request) map[string]string {
	cond := map[string]string{}
	for _, c := range s.Condition {
		k := strings.ToLower(c.Key)
		if len(c.Values) == 0 {
			continue
		}
		cond[c.Key] = c.Values[0]
		if principalKeys[k] || k == policy.KeyPrincipalType || k == policy.KeyUserID || k == policy.KeyUsername {
			continue
		}
		if negated(c.Operator) {
			if strings.TrimSuffix(c.Operator, "IfExists") == "Null" && c.Values[0] == "false" {
				r.Set(k, "x")
			}
			continue
		}
		v := c.Values[0]
		base := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(c.Operator, "ForAnyValue:"), "ForAllValues:"), "IfExists")
		switch base {
		case "StringLike", "ArnLike":
			v = strings.NewReplacer("*", "x", "?", "x").Replace(v)
		case "IpAddress":
			if p, err := netip.ParsePrefix(v); err == nil {
				v = p.Addr().String()
			}
		case "NumericLessThan", "NumericGreaterThan":
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				d := 1.0
				if base == "NumericLessThan" {
					d = -1
				}
				v = strconv.FormatFloat(n+d, 'f', -1, 64)
			}
		case "DateLessThan", "DateGreaterThan":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				d := time.Second
				if base == "DateLessThan" {
					d = -time.Second
				}
				v = t.Add(d).UTC().Format(time.RFC3339)
			}
		}
		r.Set(k, v)
	}
	if len(cond) == 0 {
		return nil
	}
	return cond
}

// isPublicStatement: the statement alone is public by S3's rules (policy.IsPublic).
func isPublicStatement(kind policy.Kind, s *policy.Statement) bool {
	p := policy.Policy{Kind: kind, Version: policy.Version2012, Statements: []policy.Statement{*s}}
	return p.IsPublic()
}

// merge adds access a to list, joining the actions of the same finding.
func merge(list []Access, a Access) []Access {
	k := a.key()
	for i := range list {
		if list[i].key() == k {
			for _, act := range a.Actions {
				if !slices.Contains(list[i].Actions, act) {
					list[i].Actions = append(list[i].Actions, act)
				}
			}
			slices.Sort(list[i].Actions)
			return list
		}
	}
	slices.Sort(a.Actions)
	return append(list, a)
}
