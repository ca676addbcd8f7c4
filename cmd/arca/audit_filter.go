package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/audit"
)

// auditFilter selects records for 'arca audit tail' and 'search'. One filter is sent to
// the server as LookupEvents' single lookup attribute (the most selective one given); the
// record must match every filter given, which is checked here.
type auditFilter struct {
	eventName, user, key, bucket, errorCode, eventSource string
	// attribute and value are a raw LookupEvents attribute, sent as is.
	attribute, value string
	// keyARN is the key's ARN when key names it or an alias or id that was resolved.
	keyARN string
}

func (f *auditFilter) register(fs *flag.FlagSet) {
	fs.StringVar(&f.eventName, "event-name", "", "only this `eventName` (PutObject, Decrypt, CreateUser, …)")
	fs.StringVar(&f.user, "user", "", "only calls by this user `name` ('root' for the account root), principal id or ARN")
	fs.StringVar(&f.key, "key", "", "only calls on this KMS key: key `id`, key ARN, alias/NAME or alias ARN")
	fs.StringVar(&f.bucket, "bucket", "", "only calls on this S3 `bucket` or its objects")
	fs.StringVar(&f.errorCode, "error-code", "", "only failed calls with this `code` (AccessDenied, …); '*' for any failure")
	fs.StringVar(&f.eventSource, "event-source", "", "only this `service` (s3, kms, iam, sts, cloudtrail or s3.amazonaws.com, …)")
	fs.StringVar(&f.attribute, "attribute", "", "raw LookupEvents attribute: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource or AccessKeyId")
	fs.StringVar(&f.value, "value", "", "value of --attribute")
}

// check normalizes the filters and rejects contradictions.
func (f *auditFilter) check() error {
	if (f.attribute == "") != (f.value == "") {
		return &usageError{msg: "--attribute and --value go together", hint: "e.g. --attribute EventName --value PutBucketPolicy"}
	}
	if f.eventSource != "" && !strings.Contains(f.eventSource, ".") {
		f.eventSource += ".amazonaws.com"
	}
	if isKeyARN(f.key) {
		f.keyARN = f.key
	}
	return nil
}

func isKeyARN(s string) bool { return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":key/") }

// serverAttribute is the lookup attribute to send: --attribute if given, else the most
// selective filter the server can apply. The server matches ResourceName against a
// resource's ARN or its S3 name, so a bucket name also finds the calls on its objects.
func (f *auditFilter) serverAttribute() (string, string) {
	switch {
	case f.attribute != "":
		return f.attribute, f.value
	case f.keyARN != "":
		return audit.AttrResourceName, f.keyARN
	case f.bucket != "":
		return audit.AttrResourceName, f.bucket
	case f.eventName != "":
		return audit.AttrEventName, f.eventName
	case f.user != "" && !strings.HasPrefix(f.user, "arn:"):
		return audit.AttrUsername, f.user
	case f.eventSource != "":
		return audit.AttrEventSource, f.eventSource
	}
	return "", ""
}

// match reports whether r passes every filter (the raw attribute is the server's job).
func (f *auditFilter) match(r *audit.Record) bool {
	switch {
	case f.eventName != "" && r.EventName != f.eventName,
		f.eventSource != "" && r.EventSource != f.eventSource,
		f.errorCode == "*" && r.ErrorCode == "",
		f.errorCode != "" && f.errorCode != "*" && r.ErrorCode != f.errorCode,
		f.user != "" && r.Username() != f.user && r.UserIdentity.ARN != f.user && r.UserIdentity.PrincipalID != f.user,
		f.bucket != "" && !f.matchBucket(r),
		f.key != "" && !f.matchKey(r):
		return false
	}
	return true
}

func (f *auditFilter) matchBucket(r *audit.Record) bool {
	for _, res := range r.Resources {
		name, ok := strings.CutPrefix(res.ARN, "arn:aws:s3:::")
		if ok && (name == f.bucket || strings.HasPrefix(name, f.bucket+"/")) {
			return true
		}
	}
	return false
}

// matchKey matches the key's ARN among the resources; failing that (an alias or id that
// could not be resolved), a resource ARN ending in the key id, or a request that named
// the key or alias as given.
func (f *auditFilter) matchKey(r *audit.Record) bool {
	for _, res := range r.Resources {
		if res.ARN == f.keyARN || strings.HasSuffix(res.ARN, ":key/"+f.key) {
			return true
		}
	}
	if f.keyARN != "" && f.keyARN != f.key {
		return false // resolved: the resources are authoritative
	}
	for _, p := range []string{"keyId", "aliasName", "targetKeyId"} {
		if v, _ := r.RequestParameters[p].(string); v != "" && v == f.key {
			return true
		}
	}
	return false
}

// parseWhen reads a point in time: RFC 3339, a date (2006-01-02, UTC), "now", or a
// duration meaning that long before now (24h, 90m).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "now" {
		return now, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &usageError{msg: fmt.Sprintf("cannot read %q as a time", s),
		hint: "give RFC 3339 (2025-06-01T12:00:00Z), a date (2025-06-01) or a duration back from now (24h, 90m)"}
}

// auditEvent is one record as read back: decoded, and its stored JSON.
type auditEvent struct {
	rec *audit.Record
	raw []byte
}

// auditPrinter writes records as one-line table rows or as JSON lines.
type auditPrinter struct {
	w      io.Writer
	asJSON bool
	header bool
}

const auditRowFormat = "%-20s  %-12s  %-28s  %-16s  %-40s  %-24s  %s\n"

func (p *auditPrinter) print(e auditEvent) {
	if p.asJSON {
		p.w.Write(append(json.RawMessage(e.raw), '\n'))
		return
	}
	if !p.header {
		p.header = true
		fmt.Fprintf(p.w, auditRowFormat, "TIME", "SOURCE", "EVENT", "USER", "RESOURCE", "ERROR", "SOURCE IP")
	}
	r := e.rec
	fmt.Fprintf(p.w, auditRowFormat, r.EventTime.UTC().Format(time.RFC3339), strings.TrimSuffix(r.EventSource, ".amazonaws.com"),
		r.EventName, orDash(r.Username()), orDash(resourceOf(r)), orDash(r.ErrorCode), orDash(r.SourceIPAddress))
}

// resourceOf is the record's main resource as people name it: bucket/key for S3 objects,
// the bucket, key/ID for KMS keys, else the ARN.
func resourceOf(r *audit.Record) string {
	if len(r.Resources) == 0 {
		return ""
	}
	arn := r.Resources[0].ARN
	if i := strings.Index(arn, ":key/"); strings.HasPrefix(arn, "arn:aws:kms:") && i >= 0 {
		return arn[i+1:]
	}
	return audit.ResourceName(arn)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
