package iam

import (
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AWS's constraints on names and paths (IAM API reference, "Request Parameters").
const (
	patName       = `[\w+=,.@-]+`
	patPath       = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	patPathPrefix = `\u002F[\u0021-\u007E]*`
	patDocument   = `[\u0009\u000A\u000D\u0020-\u00FF]+`
	patKeyID      = `[\w]+`
	patVersion    = `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`
)

func isWord(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func checkLen(v, field string, lo, hi int) error {
	n := utf8.RuneCountInString(v)
	if n < lo {
		return validation(v, field, "Member must have length greater than or equal to "+strconv.Itoa(lo))
	}
	if n > hi {
		return validation(v, field, "Member must have length less than or equal to "+strconv.Itoa(hi))
	}
	return nil
}

func checkPattern(v, field, pattern string, ok func(rune) bool) error {
	for _, c := range v {
		if !ok(c) {
			return validation(v, field, "Member must satisfy regular expression pattern: "+pattern)
		}
	}
	return nil
}

// checkName validates a user, group or policy name (field is the API member name).
func checkName(v, field string, max int) error {
	if v == "" {
		return required(field)
	}
	if err := checkLen(v, field, 1, max); err != nil {
		return err
	}
	return checkPattern(v, field, patName, func(c rune) bool { return isWord(c) || strings.ContainsRune("+=,.@-", c) })
}

// checkPath validates a path, "" meaning "/".
func checkPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if err := checkLen(p, "path", 1, 512); err != nil {
		return "", err
	}
	ok := p == "/" || len(p) >= 3 && p[0] == '/' && p[len(p)-1] == '/'
	for _, c := range p {
		ok = ok && c >= 0x21 && c <= 0x7e
	}
	if !ok {
		return "", validation(p, "path", "Member must satisfy regular expression pattern: "+patPath)
	}
	return p, nil
}

func checkPathPrefix(p string) error {
	if p == "" {
		return nil
	}
	if err := checkLen(p, "pathPrefix", 1, 512); err != nil {
		return err
	}
	ok := p[0] == '/'
	for _, c := range p {
		ok = ok && c >= 0x21 && c <= 0x7e
	}
	if !ok {
		return validation(p, "pathPrefix", "Member must satisfy regular expression pattern: "+patPathPrefix)
	}
	return nil
}

func checkKeyID(id string) error {
	if id == "" {
		return required("accessKeyId")
	}
	if err := checkLen(id, "accessKeyId", 16, 128); err != nil {
		return err
	}
	return checkPattern(id, "accessKeyId", patKeyID, isWord)
}

func checkStatus(s string) error {
	switch s {
	case StatusActive, StatusInactive:
		return nil
	case "":
		return required("status")
	}
	return validation(s, "status", "Member must satisfy enum value set: [Active, Inactive]")
}

// checkDocument applies the wire constraints on a policy document and its size quota
// (counted, as AWS does, without white space).
func checkDocument(doc string) error {
	if doc == "" {
		return required("policyDocument")
	}
	if err := checkLen(doc, "policyDocument", 1, 131072); err != nil {
		return err
	}
	return checkPattern(doc, "policyDocument", patDocument, func(c rune) bool {
		return c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c <= 0xff
	})
}

// policySize is a document's size as IAM counts it against quotas: white space excluded.
func policySize(doc string) int {
	n := 0
	for _, c := range doc {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			n += utf8.RuneLen(c)
		}
	}
	return n
}

func checkVersionID(v string) error {
	if v == "" {
		return required("versionId")
	}
	rest, ok := strings.CutPrefix(v, "v")
	num, suffix, _ := strings.Cut(rest, ".")
	ok = ok && num != "" && num[0] != '0'
	for _, c := range num {
		ok = ok && c >= '0' && c <= '9'
	}
	for _, c := range suffix {
		ok = ok && (isWord(c) && c != '_' || c == '-')
	}
	if !ok {
		return validation(v, "versionId", "Member must satisfy regular expression pattern: "+patVersion)
	}
	return nil
}

func checkDescription(d string) error { return checkLen(d, "description", 0, 1000) }

// key is the case-insensitive identity of a name: IAM names are unique regardless of case.
func key(name string) string { return strings.ToLower(name) }

// idAlphabet is 32 characters, so a random byte masked to 5 bits picks one without bias.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newID returns prefix followed by n random characters, as AWS's unique ids look
// ("AIDA" users, "AGPA" groups, "ANPA" policies, "AKIA" access keys).
func newID(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = idAlphabet[b[i]&31]
	}
	return prefix + string(b)
}

// newSecret returns a 40-character secret access key (30 random bytes in base64).
func newSecret() string {
	var b [30]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

func secretAAD(keyID string) string { return "arca/iam/access-key/" + keyID }
