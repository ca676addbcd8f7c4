package s3api

import (
	"net/url"
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

// Sub-resources Arca does not implement yet; they answer NotImplemented rather than being
// mistaken for a plain object or bucket operation.
var unsupportedSubresources = []string{
	"acl", "cors", "lifecycle", "logging", "notification", "replication", "website",
	"requestPayment", "inventory", "analytics", "metrics", "intelligent-tiering",
	"restore", "select", "torrent",
	"accelerate", "ownershipControls", "attributes", "encryption", "policy", "policyStatus",
	"publicAccessBlock",
}

// route picks the operation from opTable: of the rows for what the path addresses, first
// those that need a query parameter (sub-resources, upload ids), then the plain forms, the
// first that matches winning. A sub-resource Arca does not implement answers NotImplemented
// (operation "Unsupported"): for an object before any row is tried, for a bucket once none
// of its sub-resource rows matched. Nothing matching is MethodNotAllowed (no operation).
func route(q *request) (string, *op, error) {
	lvl := onObject
	switch {
	case q.bucket == "":
		lvl = onService
	case q.key == "":
		lvl = onBucket
	}
	if lvl == onObject {
		if err := unsupported(q, ""); err != nil {
			return "Unsupported", nil, err
		}
	}
	if o := matchRow(q, lvl, true); o != nil {
		return o.Name, o, nil
	}
	if lvl == onBucket {
		if err := unsupported(q, ""); err != nil {
			return "Unsupported", nil, err
		}
	}
	if o := matchRow(q, lvl, false); o != nil {
		return o.Name, o, nil
	}
	return "", nil, apierr.MethodNotAllowed
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
	if q.r.Method != m.Method || m.CopySource && q.header("x-amz-copy-source") == "" {
		return false
	}
	if m.Param != "" {
		k, v, _ := strings.Cut(m.Param, "=")
		if q.qget(k) != v {
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

// unsupported is NotImplemented when q names a sub-resource Arca does not implement (but
// except).
func unsupported(q *request, except string) error {
	for _, s := range unsupportedSubresources {
		if q.qhas(s) && s != except {
			return apierr.NotImplemented.Msg("Arca does not implement the ?%s sub-resource yet.", s)
		}
	}
	return nil
}
