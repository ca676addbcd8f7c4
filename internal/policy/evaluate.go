package policy

import (
	"strings"
	"unicode/utf8"
)

// Decision is the outcome of evaluating policies for a request. The zero value is
// NotApplicable, which callers must treat as a denial (the implicit deny).
type Decision uint8

// Decisions.
const (
	NotApplicable Decision = iota // no statement applies: implicit deny
	Allow                         // an Allow statement applies and no Deny does
	Deny                          // a Deny statement applies: explicit deny, final
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "NotApplicable"
}

// Request is what is being authorized.
type Request struct {
	Principal Principal
	Action    string // service:Action, e.g. "s3:GetObject", "kms:Decrypt" (any case)
	Resource  string // an ARN; "*" for actions on no resource (then only Resource "*" applies)
	// Context holds the condition keys with their values, keys lowercased (use Set);
	// a key that is missing or has no values is absent. FillGlobalKeys adds the global
	// keys that follow from Principal and the time.
	Context map[string][]string
	// Lazy, if set, supplies a key (lowercased) that Context lacks, when a condition asks
	// for it: for keys costly to know, such as s3:ExistingObjectTag/<key>, which needs the
	// object's record. It may be called more than once and should cache.
	Lazy func(key string) []string
	// ResourceAccount, if set, is the account that owns the resource: the value of
	// aws:ResourceAccount and s3:ResourceAccount when Context does not set them (kept out
	// of Context so a request's map stays small).
	ResourceAccount string
}

// Set sets condition key k (any case) to values.
func (r *Request) Set(k string, values ...string) {
	if r.Context == nil {
		r.Context = make(map[string][]string)
	}
	r.Context[strings.ToLower(k)] = values
}

// Evaluate returns Deny if a Deny statement applies to r, else Allow if an Allow
// statement does, else NotApplicable. A statement applies when its principal (for
// bucket and key policies), action, resource and every condition match. A nil *Policy
// (nothing attached) is NotApplicable.
func (p *Policy) Evaluate(r *Request) Decision {
	if p == nil {
		return NotApplicable
	}
	ec := newEvalContext(r)
	d := NotApplicable
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.applies(&ec) {
			continue
		}
		if s.Effect == EffectDeny {
			return Deny
		}
		d = Allow
	}
	return d
}

// Combine merges the decisions of several policies (identity, bucket, key policies…):
// Deny if any is Deny, else Allow if any is Allow, else NotApplicable.
func Combine(decisions ...Decision) Decision {
	d := NotApplicable
	for _, x := range decisions {
		switch x {
		case Deny:
			return Deny
		case Allow:
			d = Allow
		}
	}
	return d
}

// evalContext is a request prepared once for all statements of a policy.
type evalContext struct {
	req    *Request
	ctx    map[string][]string // lowercased keys
	action string              // lowercased
}

func newEvalContext(r *Request) evalContext {
	ec := evalContext{req: r, ctx: r.Context, action: strings.ToLower(r.Action)}
	for k := range r.Context {
		if hasUpper(k) && strings.ToLower(k) != k {
			ec.ctx = lowerKeys(r.Context)
			break
		}
	}
	return ec
}

// get returns the values of key k (lowercase) and whether it is present.
func (ec *evalContext) get(k string) ([]string, bool) {
	v := ec.ctx[k]
	if len(v) == 0 && ec.req != nil && ec.req.ResourceAccount != "" && (k == KeyResourceAccount || k == KeyS3ResourceAccount) {
		v = []string{ec.req.ResourceAccount}
	}
	if len(v) == 0 && ec.req != nil && ec.req.Lazy != nil {
		v = ec.req.Lazy(k)
	}
	return v, len(v) > 0
}

// hasUpper reports whether lowercasing could change s.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func lowerKeys(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk][:len(out[lk]):len(out[lk])], v...)
	}
	return out
}
