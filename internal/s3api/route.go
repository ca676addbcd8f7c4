package s3api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
)

func parseQuery(raw string) (map[string][]string, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, apierr.InvalidURI
	}
	return v, nil
}

// subresources is every query parameter by which AWS's S3 REST API selects an operation
// (the sub-resources of the S3 API reference), whether or not Arca serves it. It is AWS's
// list, not Arca's: which of them Arca serves, at which level and with which methods, is
// read from opTable alone, so a new row is all a new operation needs. Parameters that
// modify an operation rather than select one (versionId, partNumber on GET and HEAD,
// list-type, prefix, response-*, x-id, …) are not in it.
var subresources = []string{
	"abac", "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption",
	"intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging",
	"metadataConfiguration", "metadataInventoryTable", "metadataJournalTable", "metadataTable",
	"metrics", "notification", "object-lock", "ownershipControls", "policy", "policyStatus",
	"publicAccessBlock", "renameObject", "replication", "requestPayment", "restore",
	"retention", "select", "session", "tagging", "torrent", "uploadId", "uploads",
	"versioning", "versions", "website",
}

// route picks the operation from opTable for what the path addresses (level), the method
// and the sub-resources the query names:
//
//  1. a named sub-resource that no row of the level serves, with any method, answers
//     NotImplemented (operation "Unsupported"): Arca never serves a request as something
//     it did not ask for;
//  2. else the first row with a Query the request matches (its method and one of its
//     query parameters) wins;
//  3. else, when the query names a sub-resource (served at this level, but not with this
//     method), MethodNotAllowed, as AWS answers;
//  4. else the first plain row that matches, or MethodNotAllowed.
//
// route has no side effect on q (rejectedOp calls it for the audit record); allowHeader
// gives the Allow header of its MethodNotAllowed.
func route(q *request) (string, *op, error) {
	lvl := levelOf(q)
	if lvl == onControl {
		if o := matchControl(q); o != nil {
			return o.Name, o, nil
		}
		if controlPathServed(q.r.URL.Path) {
			return "", nil, apierr.MethodNotAllowed.With("Method", q.r.Method).With("ResourceType", resourceTypes[lvl])
		}
		return "Unsupported", nil, apierr.NotImplemented.Msg("Arca does not implement this S3 Control operation.")
	}
	named := namedSubresources(q)
	for _, s := range named {
		if len(methodsFor(lvl, s)) == 0 {
			return "Unsupported", nil, apierr.NotImplemented.Msg("Arca does not implement the ?%s sub-resource yet.", s)
		}
	}
	if o := matchRow(q, lvl, true); o != nil {
		return o.Name, o, nil
	}
	if len(named) == 0 {
		if o := matchRow(q, lvl, false); o != nil {
			return o.Name, o, nil
		}
	}
	return "", nil, apierr.MethodNotAllowed.With("Method", q.r.Method).With("ResourceType", resourceTypes[lvl])
}

// resourceTypes is what a MethodNotAllowed error names as the resource addressed.
var resourceTypes = [...]string{onService: "SERVICE", onBucket: "BUCKET", onObject: "OBJECT", onControl: "SERVICE"}

func levelOf(q *request) level {
	switch {
	case isControlRequest(q.r):
		return onControl
	case q.bucket == "":
		return onService
	case q.key == "":
		return onBucket
	}
	return onObject
}

// namedSubresources is the sub-resources q's query names, in the order of subresources.
func namedSubresources(q *request) []string {
	var named []string
	for _, s := range subresources {
		if q.qhas(s) {
			named = append(named, s)
		}
	}
	return named
}

// methodsFor is the methods of the rows of level lvl selected by query parameter s (s ""
// : the plain rows), in table order without repeats.
func methodsFor(lvl level, s string) []string {
	var ms []string
	for i := range opTable {
		m := &opTable[i].Route
		if m.On != lvl || (s == "") != (len(m.Query) == 0) || s != "" && !slices.Contains(m.Query, s) {
			continue
		}
		if !slices.Contains(ms, m.Method) {
			ms = append(ms, m.Method)
		}
	}
	return ms
}

// allowHeader is the Allow header of the MethodNotAllowed that route answers for q: the
// methods Arca serves on the sub-resource q names (the first, if several) or, naming none,
// on the level's plain form; nil when there are none.
func allowHeader(q *request) http.Header {
	s := ""
	if named := namedSubresources(q); len(named) > 0 {
		s = named[0]
	}
	ms := methodsFor(levelOf(q), s)
	if len(ms) == 0 {
		return nil
	}
	return http.Header{"Allow": {strings.Join(ms, ", ")}}
}

// matchRow is the first row of level lvl, among those with (withQuery) or without a Query,
// that q matches.
func matchRow(q *request, lvl level, withQuery bool) *op {
	for i := range opTable {
		o := &opTable[i]
		if m := o.Route; m.On == lvl && (len(m.Query) > 0) == withQuery && m.matches(q) {
			return o
		}
	}
	return nil
}

func (m *match) matches(q *request) bool {
	if q.r.Method != m.Method || m.CopySource && q.header("x-amz-copy-source") == "" || m.Path != "" && q.r.URL.Path != m.Path {
		return false
	}
	if m.Param != "" {
		k, v, withValue := strings.Cut(m.Param, "=")
		if withValue && q.qget(k) != v || !withValue && !q.qhas(k) {
			return false
		}
	}
	if len(m.Query) == 0 {
		return true
	}
	for _, k := range m.Query {
		if q.qhas(k) {
			return true
		}
	}
	return false
}
