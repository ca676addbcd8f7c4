package policy

import (
	"bytes"
	"encoding/json"
)

type jsonPolicy struct {
	Version   string          `json:"Version,omitempty"`
	ID        string          `json:"Id,omitempty"`
	Statement []jsonStatement `json:"Statement"`
}

type jsonStatement struct {
	Sid          string                    `json:"Sid,omitempty"`
	Effect       Effect                    `json:"Effect"`
	Principal    any                       `json:"Principal,omitempty"`
	NotPrincipal any                       `json:"NotPrincipal,omitempty"`
	Action       any                       `json:"Action,omitempty"`
	NotAction    any                       `json:"NotAction,omitempty"`
	Resource     any                       `json:"Resource,omitempty"`
	NotResource  any                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]any `json:"Condition,omitempty"`
}

// MarshalJSON writes the policy in a canonical form: Statement always a list, one-element
// lists as plain strings, condition values as strings, keys in a fixed order. Parsing
// the result with the same Kind gives an equal Policy. Callers that must return a
// document as the client wrote it (GetBucketPolicy, GetKeyPolicy) keep the original text.
func (p *Policy) MarshalJSON() ([]byte, error) {
	out := jsonPolicy{Version: p.Version, ID: p.ID, Statement: make([]jsonStatement, len(p.Statements))}
	for i := range p.Statements {
		s := &p.Statements[i]
		j := jsonStatement{
			Sid: s.Sid, Effect: s.Effect,
			Principal: principalsJSON(s.Principal), NotPrincipal: principalsJSON(s.NotPrincipal),
			Action: listJSON(s.Action), NotAction: listJSON(s.NotAction),
			Resource: listJSON(s.Resource), NotResource: listJSON(s.NotResource),
		}
		for _, c := range s.Condition {
			if j.Condition == nil {
				j.Condition = map[string]map[string]any{}
			}
			if j.Condition[c.Operator] == nil {
				j.Condition[c.Operator] = map[string]any{}
			}
			j.Condition[c.Operator][c.Key] = c.Values
			if len(c.Values) == 1 {
				j.Condition[c.Operator][c.Key] = c.Values[0]
			}
		}
		out.Statement[i] = j
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func listJSON(l []string) any {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return l
}

func principalsJSON(p *Principals) any {
	if p == nil {
		return nil
	}
	if p.Wildcard {
		return "*"
	}
	m := map[string]any{}
	for name, l := range map[string][]string{"AWS": p.AWS, "CanonicalUser": p.CanonicalUser,
		"Federated": p.Federated, "Service": p.Service} {
		if v := listJSON(l); v != nil {
			m[name] = v
		}
	}
	return m
}
