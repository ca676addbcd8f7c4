package policy

import (
	"encoding/json"
	"strings"
)

// Effect is a statement's Effect.
type Effect string

// Effects.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Statement is one element of a policy's Statement. Exactly one of Action and NotAction
// is set, exactly one of Resource and NotResource, and exactly one of Principal and
// NotPrincipal in bucket and key policies (neither in identity policies).
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principals
	NotPrincipal *Principals
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition // sorted by Operator, then Key

	principals principalSet
	actions    []glob // lowercased patterns of Action or NotAction
	resources  []arnPattern
}

func parseStatement(f map[string]json.RawMessage, kind Kind, vars bool) (Statement, error) {
	var s Statement
	if bad := unknownField(f, "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
		"Resource", "NotResource", "Condition"); bad != "" {
		return s, fail(kind, pUnknownField, bad)
	}
	if raw, ok := f["Sid"]; ok && json.Unmarshal(raw, &s.Sid) != nil {
		return s, fail(kind, pSyntax, "")
	}
	raw, ok := f["Effect"]
	if !ok {
		return s, fail(kind, pNoEffect, "")
	}
	if json.Unmarshal(raw, &s.Effect) != nil {
		return s, fail(kind, pEffect, string(raw))
	}
	if s.Effect != EffectAllow && s.Effect != EffectDeny {
		return s, fail(kind, pEffect, string(s.Effect))
	}
	if err := s.parsePrincipal(f, kind); err != nil {
		return s, err
	}
	if err := s.parseActions(f, kind); err != nil {
		return s, err
	}
	if err := s.parseResources(f, kind, vars); err != nil {
		return s, err
	}
	if raw, ok := f["Condition"]; ok {
		conds, err := parseConditions(raw, kind, vars)
		if err != nil {
			return s, err
		}
		s.Condition = conds
	}
	return s, nil
}

// either returns the raw value of name or Not<name>, and whether it was the Not form.
func either(f map[string]json.RawMessage, kind Kind, name string) (raw json.RawMessage, not, ok bool, err error) {
	pos, hasPos := f[name]
	neg, hasNeg := f["Not"+name]
	switch {
	case hasPos && hasNeg:
		return nil, false, false, fail(kind, pBoth, name)
	case hasPos:
		return pos, false, true, nil
	case hasNeg:
		return neg, true, true, nil
	}
	return nil, false, false, nil
}

func (s *Statement) parsePrincipal(f map[string]json.RawMessage, kind Kind) error {
	raw, not, ok, err := either(f, kind, "Principal")
	switch {
	case err != nil:
		return err
	case kind == Identity && ok:
		return fail(kind, pPrincipalInIdentity, "")
	case kind == Identity:
		return nil
	case !ok:
		return fail(kind, pNoPrincipal, "")
	}
	p, set, err := parsePrincipals(raw, messages[pBadPrincipal][kind-1])
	if err != nil {
		return err
	}
	s.principals = set
	if not {
		s.NotPrincipal = p
	} else {
		s.Principal = p
	}
	return nil
}

func (s *Statement) parseActions(f map[string]json.RawMessage, kind Kind) error {
	raw, not, ok, err := either(f, kind, "Action")
	if err != nil {
		return err
	}
	if !ok {
		return fail(kind, pNoAction, "")
	}
	list, ok := stringList(raw)
	if !ok {
		return fail(kind, pSyntax, "")
	}
	if len(list) == 0 {
		return fail(kind, pNoAction, "")
	}
	for _, a := range list {
		if err := checkAction(a, kind); err != nil {
			return err
		}
		s.actions = append(s.actions, globOf(strings.ToLower(a)))
	}
	if not {
		s.NotAction = list
	} else {
		s.Action = list
	}
	return nil
}

// checkAction validates "*" or vendor:name, the vendor s3 in bucket policies and kms in
// key policies.
func checkAction(a string, kind Kind) error {
	if a == "*" {
		return nil
	}
	vendor, name, found := strings.Cut(a, ":")
	if kind == Identity {
		switch {
		case !found:
			return fail(kind, pBadAction, "")
		case strings.Contains(name, ":"):
			return malformed("Actions/Condition can contain only one colon.")
		case vendor == "" || strings.Trim(vendor, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != "":
			return malformedf("Vendor %s is not valid", vendor)
		case name == "":
			return malformedf("Action %s is not valid", a)
		}
		return nil
	}
	want := "s3"
	if kind == Key {
		want = "kms"
	}
	if !found || !strings.EqualFold(vendor, want) || name == "" ||
		strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*?") != "" {
		return fail(kind, pBadAction, "")
	}
	return nil
}

func (s *Statement) parseResources(f map[string]json.RawMessage, kind Kind, vars bool) error {
	raw, not, ok, err := either(f, kind, "Resource")
	if err != nil {
		return err
	}
	if !ok {
		return fail(kind, pNoResource, "")
	}
	list, ok := stringList(raw)
	if !ok {
		return fail(kind, pSyntax, "")
	}
	if len(list) == 0 {
		return fail(kind, pNoResource, "")
	}
	for _, r := range list {
		a, ok := parseARNPattern(r, vars)
		if !ok || !validResource(&a, kind) {
			return fail(kind, pBadResource, r)
		}
		s.resources = append(s.resources, a)
	}
	if not {
		s.NotResource = list
	} else {
		s.Resource = list
	}
	return nil
}

// validResource: the partition and the service are plain text; bucket policies name
// only S3 resources (arn:aws:s3:::…), never "*".
func validResource(a *arnPattern, kind Kind) bool {
	if a.all {
		return kind != Bucket
	}
	partition, ok1 := a.literalSeg(1)
	service, ok2 := a.literalSeg(2)
	if !ok1 || !ok2 || partition == "" || service == "" {
		return false
	}
	if kind != Bucket {
		return true
	}
	region, ok3 := a.literalSeg(3)
	account, ok4 := a.literalSeg(4)
	return partition == "aws" && service == "s3" && ok3 && ok4 && region == "" && account == "" &&
		len(a.segs[5].parts) > 0
}

// applies reports whether the statement covers the request, conditions included.
func (s *Statement) applies(ec *evalContext) bool {
	if s.Principal != nil || s.NotPrincipal != nil {
		if s.principals.match(&ec.req.Principal) == (s.NotPrincipal != nil) {
			return false
		}
	}
	if s.matchAction(ec.action) == (s.NotAction != nil) {
		return false
	}
	if s.matchResource(ec) == (s.NotResource != nil) {
		return false
	}
	for i := range s.Condition {
		if !s.Condition[i].eval(ec) {
			return false
		}
	}
	return true
}

func (s *Statement) matchAction(action string) bool {
	for i := range s.actions {
		if s.actions[i].matchMode(action, false) {
			return true
		}
	}
	return false
}

func (s *Statement) matchResource(ec *evalContext) bool {
	for i := range s.resources {
		r := &s.resources[i]
		if r.match(ec.req.Resource, ec) {
			return true
		}
	}
	return false
}
