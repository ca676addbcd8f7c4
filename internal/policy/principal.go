package policy

import (
	"encoding/json"
	"strings"
)

// Principals is a statement's Principal or NotPrincipal element as written.
type Principals struct {
	Wildcard      bool     // the bare "*" form
	AWS           []string // "*", account ids, IAM and STS ARNs as written
	CanonicalUser []string
	Federated     []string
	Service       []string
}

// principalSet is the compiled form of Principals.
type principalSet struct {
	all       bool     // "*" or {"AWS": "*"}
	accounts  []string // from "123456789012" and "arn:aws:iam::123456789012:root"
	arns      []string // user, role and STS ARNs
	services  []string
	canonical []string
	federated []string
}

// PrincipalType says what kind of caller a Principal is; the values are CloudTrail's
// userIdentity types.
type PrincipalType string

// Principal types.
const (
	TypeRoot        PrincipalType = "Root"        // the account's root credentials
	TypeIAMUser     PrincipalType = "IAMUser"     // an IAM user
	TypeAssumedRole PrincipalType = "AssumedRole" // a role session (ARN arn:aws:sts::A:assumed-role/R/S)
	TypeService     PrincipalType = "AWSService"  // a service principal; ARN holds its name, e.g. "s3.amazonaws.com"
	TypeAnonymous   PrincipalType = "Anonymous"   // an unsigned request
)

// Principal is who makes a request.
type Principal struct {
	ARN         string // arn:aws:iam::A:root, arn:aws:iam::A:user/N, arn:aws:sts::A:assumed-role/R/S
	Account     string // 12-digit account id; "" for anonymous callers and services
	Type        PrincipalType
	UserID      string // unique id (AIDA…, AROA…:session); the account id for the root
	Username    string // IAM user name; "" for other types
	CanonicalID string // the 64-hex canonical user id of the account, matched by CanonicalUser
}

func parsePrincipals(raw json.RawMessage, bad string) (*Principals, principalSet, error) {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, principalSet{}, malformed(bad)
		}
		return &Principals{Wildcard: true}, principalSet{all: true}, nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil, principalSet{}, malformed(bad)
	}
	var p Principals
	var set principalSet
	for typ, v := range m {
		vals, ok := stringList(v)
		if !ok || len(vals) == 0 {
			return nil, principalSet{}, malformed(bad)
		}
		for _, s := range vals {
			if s == "" || strings.ContainsAny(s, "*?") && (typ != "AWS" || s != "*") {
				return nil, principalSet{}, malformed(bad)
			}
		}
		switch typ {
		case "AWS":
			p.AWS = vals
			for _, s := range vals {
				if !set.addAWS(s) {
					return nil, principalSet{}, malformed(bad)
				}
			}
		case "Service":
			p.Service, set.services = vals, vals
		case "CanonicalUser":
			p.CanonicalUser, set.canonical = vals, vals
		case "Federated":
			p.Federated, set.federated = vals, vals
		default:
			return nil, principalSet{}, malformed(bad)
		}
	}
	return &p, set, nil
}

// addAWS adds one value of an "AWS" principal; false if it is not a principal.
func (s *principalSet) addAWS(v string) bool {
	if v == "*" {
		s.all = true
		return true
	}
	if isAccountID(v) {
		s.accounts = append(s.accounts, v)
		return true
	}
	segs, ok := splitARN(v)
	if !ok || segs[0] != "arn" || segs[1] != "aws" || segs[3] != "" || !isAccountID(segs[4]) {
		return false
	}
	typ, name, _ := strings.Cut(segs[5], "/")
	switch {
	case segs[2] == "iam" && segs[5] == "root":
		s.accounts = append(s.accounts, segs[4])
	case segs[2] == "iam" && (typ == "user" || typ == "role") && name != "",
		segs[2] == "sts" && (typ == "assumed-role" || typ == "federated-user") && name != "":
		s.arns = append(s.arns, v)
	default:
		return false
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// match reports whether the set names p. An account (id or root ARN) names every
// principal of that account; an anonymous caller is named only by "*".
func (s *principalSet) match(p *Principal) bool {
	switch {
	case s.all:
		return true
	case p.Type == TypeAnonymous:
		return false
	case p.Type == TypeService:
		return contains(s.services, p.ARN)
	}
	if p.Account != "" && contains(s.accounts, p.Account) ||
		p.CanonicalID != "" && contains(s.canonical, p.CanonicalID) ||
		p.ARN != "" && contains(s.arns, p.ARN) {
		return true
	}
	if p.Type == TypeAssumedRole {
		if role := roleARN(p.ARN); role != "" {
			return contains(s.arns, role)
		}
	}
	return false
}

// roleARN turns a role session ARN arn:aws:sts::A:assumed-role/R/S into the role's
// arn:aws:iam::A:role/R; "" if arn is not a session ARN.
func roleARN(arn string) string {
	segs, ok := splitARN(arn)
	if !ok || segs[2] != "sts" {
		return ""
	}
	rest, found := strings.CutPrefix(segs[5], "assumed-role/")
	role, _, hasSession := strings.Cut(rest, "/")
	if !found || !hasSession || role == "" {
		return ""
	}
	return "arn:" + segs[1] + ":iam::" + segs[4] + ":role/" + role
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
