package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Kind is what a policy is attached to; it decides the grammar and the error wording.
type Kind uint8

// Policy kinds.
const (
	Identity Kind = iota + 1 // IAM user, group and managed policies: no Principal
	Bucket                   // S3 bucket policies: Principal and s3 actions on s3 ARNs
	Key                      // KMS key policies: Principal and kms actions
)

func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity"
	case Bucket:
		return "bucket"
	case Key:
		return "key"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MaxSize is the size limit of a kind's documents: for Identity, characters other than
// white space (as IAM counts); for Bucket, bytes of the JSON without insignificant white
// space (as S3 counts); for Key, bytes.
func (k Kind) MaxSize() int {
	switch k {
	case Identity:
		return 6144
	case Bucket:
		return 20 << 10
	}
	return 32 << 10
}

// Policy versions. A document without a Version is read as Version2008, in which
// ${...} is literal text rather than a policy variable.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed, validated policy. Its fields hold the document as written, single
// values normalized to lists; treat them as read-only, since Evaluate uses a compiled
// form built by Parse.
type Policy struct {
	Kind       Kind
	Version    string // "" when the document has none
	ID         string
	Statements []Statement
}

// Parse reads and validates a policy document of the given kind. Every problem with the
// document is reported as a *ParseError (errors.Is ErrMalformed, and ErrTooLarge for size).
func Parse(doc []byte, kind Kind) (*Policy, error) {
	if kind < Identity || kind > Key {
		return nil, fmt.Errorf("policy: unknown policy kind %d", kind)
	}
	if size(doc, kind) > kind.MaxSize() {
		return nil, &ParseError{Reason: messages[pTooLarge][kind-1], Err: ErrTooLarge}
	}
	trimmed := bytes.TrimLeft(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if kind == Bucket {
			return nil, malformed("Policies must be valid JSON and the first byte must be '{'")
		}
		return nil, fail(kind, pSyntax, "")
	}
	var top map[string]json.RawMessage
	if !utf8.Valid(doc) || json.Unmarshal(doc, &top) != nil {
		return nil, fail(kind, pSyntax, "")
	}
	if f := unknownField(top, "Version", "Id", "Statement"); f != "" {
		return nil, fail(kind, pUnknownField, f)
	}
	p := &Policy{Kind: kind}
	if raw, ok := top["Version"]; ok {
		if json.Unmarshal(raw, &p.Version) != nil || p.Version != Version2012 && p.Version != Version2008 {
			return nil, fail(kind, pVersion, "")
		}
	}
	if raw, ok := top["Id"]; ok && json.Unmarshal(raw, &p.ID) != nil {
		return nil, fail(kind, pSyntax, "")
	}
	raw, ok := top["Statement"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, fail(kind, pNoStatement, "")
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		list = []json.RawMessage{raw}
	} else if len(list) == 0 {
		return nil, fail(kind, pEmptyStatement, "")
	}
	vars := p.Version == Version2012
	for _, r := range list {
		var fields map[string]json.RawMessage
		if json.Unmarshal(r, &fields) != nil || fields == nil {
			return nil, fail(kind, pSyntax, "")
		}
		s, err := parseStatement(fields, kind, vars)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, s)
	}
	if kind == Identity {
		if err := checkSids(p.Statements); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// MustParse is Parse for documents known to be valid, such as fixed managed policies;
// it panics on error.
func MustParse(doc string, kind Kind) *Policy {
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		panic(err)
	}
	return p
}

func size(doc []byte, kind Kind) int {
	switch kind {
	case Key:
		return len(doc)
	case Bucket:
		var buf bytes.Buffer
		if len(doc) <= 2*kind.MaxSize() && json.Compact(&buf, doc) == nil {
			return buf.Len()
		}
		return len(doc)
	}
	n := 0
	for _, r := range string(doc) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// unknownField returns the first field (in sorted order) of m not in known, or "".
func unknownField(m map[string]json.RawMessage, known ...string) string {
	var bad []string
	for k := range m {
		if !slices.Contains(known, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	slices.Sort(bad)
	return bad[0]
}

// checkSids applies IAM's rules: Sids are alphanumeric and unique within a policy.
func checkSids(stmts []Statement) error {
	seen := map[string]bool{}
	for _, s := range stmts {
		for i := 0; i < len(s.Sid); i++ {
			if c := s.Sid[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return fail(Identity, pSid, "")
			}
		}
		if s.Sid != "" && seen[s.Sid] {
			return malformed("Statement IDs (SID) in a single policy must be unique.")
		}
		seen[s.Sid] = true
	}
	return nil
}

// stringList reads a string or a list of strings.
func stringList(raw json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil || list == nil {
		return nil, false
	}
	return list, true
}
