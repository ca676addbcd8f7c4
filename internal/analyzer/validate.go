package analyzer

import (
	"encoding/json"
	"errors"
	"path"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/policy"
)

// Policy types and the finding types of ValidatePolicy, with AWS's names.
const (
	PolicyIdentity = "IDENTITY_POLICY"
	PolicyResource = "RESOURCE_POLICY"
	PolicySCP      = "SERVICE_CONTROL_POLICY"

	FindingError           = "ERROR"
	FindingSecurityWarning = "SECURITY_WARNING"
	FindingWarning         = "WARNING"
	FindingSuggestion      = "SUGGESTION"
)

// PathElement is one step of a location's path: an object key or an array index.
type PathElement struct {
	Key   *string
	Index *int
}

// Location is where a policy finding is: the path to the element and its span.
type Location struct {
	Path       []PathElement
	Start, End Position
}

// PolicyFinding is one ValidatePolicy finding.
type PolicyFinding struct {
	Type, IssueCode, Details, LearnMoreLink string
	Locations                               []Location
}

const checksDoc = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"

// link is the reference's anchor for a check, as AWS's learnMoreLink names it.
func link(findingType, title string) string {
	kind := map[string]string{FindingError: "error", FindingSecurityWarning: "security-warning",
		FindingWarning: "general-warning", FindingSuggestion: "suggestion"}[findingType]
	return checksDoc + "#access-analyzer-reference-policy-checks-" + kind + "-" + strings.ReplaceAll(strings.ToLower(title), " ", "-")
}

// policyKind is the internal/policy kind a document is checked as: identity (and service
// control) policies as Identity; resource policies as a bucket policy for
// AWS::S3::Bucket or s3 actions, as a key policy for kms actions.
func policyKind(doc []byte, policyType, resourceType string) (policy.Kind, error) {
	switch policyType {
	case PolicyIdentity, PolicySCP:
		return policy.Identity, nil
	case PolicyResource:
	default:
		return 0, invalid("Arca validates IDENTITY_POLICY, RESOURCE_POLICY and SERVICE_CONTROL_POLICY documents.")
	}
	switch resourceType {
	case TypeBucket:
		return policy.Bucket, nil
	case "":
	default:
		return 0, invalid("Arca validates resource policies of AWS::S3::Bucket and of KMS keys only.")
	}
	low := strings.ToLower(string(doc))
	if strings.Contains(low, `"kms:`) && !strings.Contains(low, `"s3:`) {
		return policy.Key, nil
	}
	return policy.Bucket, nil
}

// ValidatePolicy checks a policy document: grammar with internal/policy's parser (the one
// that decides what S3, KMS and IAM accept), then best-practice checks on the parsed
// statements. Findings carry AWS's issue codes where one applies.
func ValidatePolicy(doc []byte, policyType, resourceType string) ([]PolicyFinding, error) {
	kind, err := policyKind(doc, policyType, resourceType)
	if err != nil {
		return nil, err
	}
	var syn *json.SyntaxError
	var top any
	if err := json.Unmarshal(doc, &top); err != nil {
		off := 0
		if errors.As(err, &syn) {
			off = int(syn.Offset)
		}
		p := position(doc, off)
		return []PolicyFinding{{Type: FindingError, IssueCode: "JSON_SYNTAX_ERROR",
			Details:       "Fix the JSON syntax error at index " + strconv.Itoa(off) + " line " + strconv.Itoa(p.Line) + " column " + strconv.Itoa(p.Column) + ".",
			LearnMoreLink: link(FindingError, "Json syntax error"), Locations: []Location{{Start: p, End: p}}}}, nil
	}
	idx := indexJSON(doc)
	loc := func(parts ...any) Location {
		var l Location
		keys := make([]string, 0, len(parts))
		for _, p := range parts {
			switch v := p.(type) {
			case string:
				v2 := v
				l.Path = append(l.Path, PathElement{Key: &v2})
				keys = append(keys, v)
			case int:
				v2 := v
				l.Path = append(l.Path, PathElement{Index: &v2})
				keys = append(keys, strconv.Itoa(v))
			}
		}
		if l.Path == nil {
			l.Path = []PathElement{}
		}
		// The deepest indexed element the path reaches.
		for n := len(keys); n >= 0; n-- {
			if sp, ok := idx[strings.Join(keys[:n], "/")]; ok {
				l.Start, l.End = position(doc, sp[0]), position(doc, sp[1])
				break
			}
		}
		return l
	}
	if f, ok := structural(top, kind, loc); ok {
		return []PolicyFinding{f}, nil
	}
	p, perr := policy.Parse(doc, kind)
	if perr != nil {
		code, title := issueOf(policy.Reason(perr), errors.Is(perr, policy.ErrTooLarge))
		return []PolicyFinding{{Type: FindingError, IssueCode: code, Details: policy.Reason(perr),
			LearnMoreLink: link(FindingError, title), Locations: []Location{loc()}}}, nil
	}
	var out []PolicyFinding
	if p.Version == "" {
		out = append(out, PolicyFinding{Type: FindingWarning, IssueCode: "MISSING_VERSION",
			Details:       "We recommend that you specify the Version element to help you with debugging permission issues.",
			LearnMoreLink: link(FindingWarning, "Missing version"), Locations: []Location{loc()}})
	}
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == policy.EffectAllow && s.NotPrincipal != nil {
			out = append(out, PolicyFinding{Type: FindingSecurityWarning, IssueCode: "ALLOW_WITH_NOT_PRINCIPAL",
				Details:       "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.",
				LearnMoreLink: link(FindingSecurityWarning, "Allow with NotPrincipal"), Locations: []Location{loc("Statement", i, "NotPrincipal")}})
		}
		field, list := "Action", s.Action
		if s.NotAction != nil {
			field, list = "NotAction", s.NotAction
		}
		for j, a := range list {
			for k, b := range list {
				if j != k && a != b && covers(b, a) {
					out = append(out, PolicyFinding{Type: FindingSuggestion, IssueCode: "REDUNDANT_ACTION",
						Details:       "The " + strconv.Quote(a) + " action is redundant because it provides similar permissions to " + strconv.Quote(b) + ".",
						LearnMoreLink: link(FindingSuggestion, "Redundant action"), Locations: []Location{loc("Statement", i, field, j)}})
					break
				}
			}
		}
	}
	if stmts, ok := statementsOf(top); ok {
		for i, st := range stmts {
			if sid, _ := st["Sid"].(string); sid == "" {
				continue
			}
			for j := 0; j < i; j++ {
				if stmts[j]["Sid"] == st["Sid"] {
					out = append(out, PolicyFinding{Type: FindingError, IssueCode: "UNIQUE_SIDS_REQUIRED",
						Details:       "Duplicate statement IDs (SIDs) are not supported for this policy type.",
						LearnMoreLink: link(FindingError, "Unique Sids required"), Locations: []Location{loc("Statement", i, "Sid")}})
					break
				}
			}
		}
	}
	return out, nil
}

// covers reports whether action pattern b matches everything a does (a redundant beside b).
func covers(b, a string) bool {
	if !strings.ContainsAny(b, "*?") {
		return false
	}
	ok, err := path.Match(strings.ToLower(b), strings.ToLower(a))
	return err == nil && ok && !strings.ContainsAny(a, "*?") || (b == "*" && a != "*")
}

func statementsOf(top any) ([]map[string]any, bool) {
	m, ok := top.(map[string]any)
	if !ok {
		return nil, false
	}
	var out []map[string]any
	switch st := m["Statement"].(type) {
	case []any:
		for _, s := range st {
			sm, _ := s.(map[string]any)
			out = append(out, sm)
		}
	case map[string]any:
		out = append(out, st)
	default:
		return nil, false
	}
	return out, true
}

// structural finds the element-level problems whose AWS issue code the parser's message
// does not tell apart (an IAM identity policy's "Syntax errors in policy."): a missing or
// invalid Version, Statement or Effect, an unknown element, an element and its Not form.
func structural(top any, kind policy.Kind, loc func(...any) Location) (PolicyFinding, bool) {
	f := func(code, title, details string, l Location) (PolicyFinding, bool) {
		return PolicyFinding{Type: FindingError, IssueCode: code, Details: details, LearnMoreLink: link(FindingError, title),
			Locations: []Location{l}}, true
	}
	m, ok := top.(map[string]any)
	if !ok {
		return f("JSON_SYNTAX_ERROR", "Json syntax error", "The policy document must be a JSON object.", loc())
	}
	for k := range m {
		if k != "Version" && k != "Id" && k != "Statement" {
			return f("INVALID_POLICY_ELEMENT", "Invalid policy element", "The policy element "+k+" is not valid.", loc(k))
		}
	}
	if v, ok := m["Version"]; ok && v != policy.Version2012 && v != policy.Version2008 {
		return f("INVALID_VERSION", "Invalid version", "The policy version is not valid. Use 2012-10-17.", loc("Version"))
	}
	stmts, ok := statementsOf(top)
	if !ok || len(stmts) == 0 {
		return f("MISSING_STATEMENT", "Missing statement", "Add a Statement element to the policy.", loc())
	}
	known := []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	for i, s := range stmts {
		if s == nil {
			return f("JSON_SYNTAX_ERROR", "Json syntax error", "A statement must be a JSON object.", loc("Statement", i))
		}
		for k := range s {
			found := false
			for _, n := range known {
				found = found || k == n
			}
			if !found {
				return f("INVALID_POLICY_ELEMENT", "Invalid policy element", "The policy element "+k+" is not valid.", loc("Statement", i, k))
			}
		}
		for _, e := range []string{"Principal", "Action", "Resource"} {
			if _, a := s[e]; a {
				if _, b := s["Not"+e]; b {
					return f("UNSUPPORTED_ELEMENT_COMBINATION", "Unsupported element combination",
						"The policy elements "+e+" and Not"+e+" can not be used in the same statement.", loc("Statement", i, "Not"+e))
				}
			}
		}
		eff, has := s["Effect"]
		if !has {
			return f("MISSING_EFFECT", "Missing effect", "Add an Effect element to this policy statement with a value of Allow or Deny.", loc("Statement", i))
		}
		if eff != "Allow" && eff != "Deny" {
			return f("INVALID_EFFECT", "Invalid effect", "The effect value is not valid. Use Allow or Deny.", loc("Statement", i, "Effect"))
		}
		_, a := s["Action"]
		_, na := s["NotAction"]
		if !a && !na {
			return f("MISSING_ACTION", "Missing action", "Add an Action or NotAction element to the policy statement.", loc("Statement", i))
		}
		_, p := s["Principal"]
		_, np := s["NotPrincipal"]
		if kind == policy.Identity && (p || np) {
			return f("UNSUPPORTED_PRINCIPAL", "Unsupported principal", "Policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element.", loc("Statement", i, "Principal"))
		}
		if kind != policy.Identity && !p && !np {
			return f("MISSING_PRINCIPAL", "Missing principal", "Add a Principal element to the policy statement.", loc("Statement", i))
		}
		_, r := s["Resource"]
		_, nr := s["NotResource"]
		if !r && !nr {
			return f("MISSING_RESOURCE", "Missing resource", "Add a Resource or NotResource element to the policy statement.", loc("Statement", i))
		}
	}
	return PolicyFinding{}, false
}

// issueOf names the AWS check behind one of internal/policy's rejection messages.
func issueOf(reason string, tooLarge bool) (code, title string) {
	r := strings.ToLower(reason)
	switch {
	case tooLarge:
		return "POLICY_SIZE_EXCEEDED", "Policy size exceeded"
	case strings.Contains(r, "must be unique"):
		return "UNIQUE_SIDS_REQUIRED", "Unique Sids required"
	case strings.Contains(r, "action"), strings.Contains(r, "vendor"):
		return "INVALID_ACTION", "Invalid action"
	case strings.Contains(r, "resource"):
		return "INVALID_ARN_RESOURCE", "Invalid ARN resource"
	case strings.Contains(r, "principal"):
		return "INVALID_PRINCIPAL_FORMAT", "Invalid principal format"
	case strings.Contains(r, "condition operator"):
		return "INVALID_CONDITION_OPERATOR", "Invalid condition operator"
	case strings.Contains(r, "condition key"):
		return "INVALID_CONDITION_KEY_FORMAT", "Invalid condition key format"
	case strings.Contains(r, "condition value"):
		return "INVALID_CONDITION_DATA_TYPE", "Invalid condition data type"
	case strings.Contains(r, "sid"):
		return "UNSUPPORTED_SID", "Unsupported Sid"
	case strings.Contains(r, "version"):
		return "INVALID_VERSION", "Invalid version"
	}
	return "DATA_TYPE_MISMATCH", "Data type mismatch"
}
