package alarm

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/arcastore/arca/internal/audit"
)

// pattern is one value of a match field: an exact string, or a glob where `*` stands for
// any run of characters (including none).
type pattern struct {
	exact string
	parts []string // a glob split at '*'; nil for an exact value
}

func newPattern(v string) pattern {
	if !strings.Contains(v, "*") {
		return pattern{exact: v}
	}
	return pattern{parts: strings.Split(v, "*")}
}

func (p pattern) match(s string) bool {
	if p.parts == nil {
		return s == p.exact
	}
	first, last := p.parts[0], p.parts[len(p.parts)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for _, mid := range p.parts[1 : len(p.parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

// patterns is a field's any-of list; a nil patterns does not constrain the field.
type patterns []pattern

func (ps patterns) match(s string) bool {
	for _, p := range ps {
		if p.match(s) {
			return true
		}
	}
	return false
}

// ipPatterns is sourceIPAddress's list: CIDR prefixes, and exact or glob values (a service
// name such as s3.amazonaws.com is not an address).
type ipPatterns struct {
	prefixes []netip.Prefix
	others   patterns
}

func (p *ipPatterns) match(s string) bool {
	if p.others.match(s) {
		return true
	}
	if len(p.prefixes) == 0 {
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, pf := range p.prefixes {
		if pf.Contains(a) {
			return true
		}
	}
	return false
}

// matcher is one compiled match object: a record matches when every given field matches.
type matcher struct {
	eventName, eventSource, errorCode, errorMessage, userName, invokedBy, resource patterns
	accountID, recipient                                                           patterns
	sourceIP                                                                       *ipPatterns
	readOnly                                                                       *bool
	// names are eventName's values when all are exact (the index key), else nil.
	names []string
}

func (m *matcher) match(r *audit.Record) bool {
	if m.eventName != nil && !m.eventName.match(r.EventName) {
		return false
	}
	if m.eventSource != nil && !m.eventSource.match(r.EventSource) {
		return false
	}
	if m.errorCode != nil && !m.errorCode.match(r.ErrorCode) {
		return false
	}
	if m.readOnly != nil && *m.readOnly != r.ReadOnly {
		return false
	}
	if m.userName != nil && !m.userName.match(r.Username()) {
		return false
	}
	if m.invokedBy != nil && !m.invokedBy.match(r.UserIdentity.InvokedBy) {
		return false
	}
	if m.sourceIP != nil && !m.sourceIP.match(r.SourceIPAddress) {
		return false
	}
	if m.errorMessage != nil && !m.errorMessage.match(r.ErrorMessage) {
		return false
	}
	if m.resource != nil && !m.matchResource(r.Resources) {
		return false
	}
	if m.accountID != nil && !m.accountID.match(r.UserIdentity.AccountID) {
		return false
	}
	if m.recipient != nil && !m.recipient.match(r.RecipientAccountID) {
		return false
	}
	return true
}

// matchResource matches any resource by its ARN or, for S3, by its name (bucket or
// bucket/key) as LookupEvents' ResourceName does.
func (m *matcher) matchResource(rs []audit.Resource) bool {
	for _, res := range rs {
		if m.resource.match(res.ARN) {
			return true
		}
		if name, ok := strings.CutPrefix(res.ARN, "arn:aws:s3:::"); ok && m.resource.match(name) {
			return true
		}
	}
	return false
}

// compileMatch turns a match object of the file into a matcher.
func compileMatch(s *MatchSpec) (*matcher, error) {
	m := &matcher{
		eventName:    compileList(s.EventName, nil),
		eventSource:  compileList(s.EventSource, expandSource),
		errorCode:    compileList(s.ErrorCode, nil),
		errorMessage: compileList(s.ErrorMessage, nil),
		userName:     compileList(s.UserName, nil),
		invokedBy:    compileList(s.InvokedBy, expandSource),
		resource:     compileList(s.Resource, nil),
		accountID:    compileList(s.AccountID, nil),
		recipient:    compileList(s.RecipientAccountID, nil),
		readOnly:     s.ReadOnly,
	}
	if s.EventName.set {
		for _, v := range s.EventName.values {
			if strings.Contains(v, "*") {
				m.names = nil
				break
			}
			m.names = append(m.names, v)
		}
	}
	if s.SourceIPAddress.set {
		m.sourceIP = &ipPatterns{}
		for _, v := range s.SourceIPAddress.values {
			if strings.Contains(v, "/") {
				pf, err := netip.ParsePrefix(v)
				if err != nil {
					return nil, fmt.Errorf("match.sourceIPAddress: %q is not a CIDR prefix (e.g. 10.0.0.0/8)", v)
				}
				m.sourceIP.prefixes = append(m.sourceIP.prefixes, pf.Masked())
				continue
			}
			m.sourceIP.others = append(m.sourceIP.others, newPattern(v))
		}
	}
	if !s.any() {
		return nil, fmt.Errorf("match: give at least one field (an empty match would fire on every request)")
	}
	return m, nil
}

func compileList(l StringList, expand func(string) string) patterns {
	if !l.set {
		return nil
	}
	ps := make(patterns, 0, len(l.values))
	for _, v := range l.values {
		if expand != nil {
			v = expand(v)
		}
		ps = append(ps, newPattern(v))
	}
	return ps
}

// expandSource lets a service be named short: "kms" is kms.amazonaws.com. A value with a
// dot or a `*` is taken as written.
func expandSource(v string) string {
	if v == "" || strings.ContainsAny(v, ".*") {
		return v
	}
	return v + ".amazonaws.com"
}

// index finds the rules that may match a record by its eventName without trying all.
type index struct {
	byName map[string][]int // rules whose every match object names exact eventNames
	always []int            // rules that must be tried on every record
}

func buildIndex(rules []*Rule) index {
	ix := index{byName: map[string][]int{}}
	for i, r := range rules {
		exact := true
		for _, m := range r.match {
			if m.names == nil {
				exact = false
			}
		}
		if !exact {
			ix.always = append(ix.always, i)
			continue
		}
		seen := map[string]bool{}
		for _, m := range r.match {
			for _, n := range m.names {
				if !seen[n] {
					seen[n] = true
					ix.byName[n] = append(ix.byName[n], i)
				}
			}
		}
	}
	return ix
}

// matches reports whether rule r matches rec.
func (r *Rule) matches(rec *audit.Record) bool {
	for _, m := range r.match {
		if m.match(rec) {
			return true
		}
	}
	return false
}
