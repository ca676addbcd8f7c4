package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Lookup attribute keys (LookupEvents' AttributeKey).
const (
	AttrEventID      = "EventId"
	AttrEventName    = "EventName"
	AttrReadOnly     = "ReadOnly"
	AttrUsername     = "Username"
	AttrResourceType = "ResourceType"
	AttrResourceName = "ResourceName"
	AttrEventSource  = "EventSource"
	AttrAccessKeyID  = "AccessKeyId"
)

// Window is how far back Lookup sees, as LookupEvents.
const Window = 90 * 24 * time.Hour

// Errors of Lookup (the CloudTrail API maps each to its exception).
var (
	ErrInvalidAttribute  = errors.New("audit: invalid lookup attribute")
	ErrInvalidTimeRange  = errors.New("audit: invalid time range")
	ErrInvalidMaxResults = errors.New("audit: invalid max results")
	ErrInvalidNextToken  = errors.New("audit: invalid next token")
)

// Query is a LookupEvents request. Zero Start/End mean the window's start and now.
type Query struct {
	Attribute, Value string // at most one attribute; "" for none
	Start, End       time.Time
	MaxResults       int // 1–50, 0 means 50
	NextToken        string
}

// Event is one matching record: the decoded record and its stored JSON.
type Event struct {
	Record *Record
	JSON   []byte
}

// ResourceName is what LookupEvents shows for a resource: the bucket or bucket/key of an S3
// ARN, else the ARN.
func ResourceName(arn string) string {
	if rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok {
		return rest
	}
	return arn
}

var validAttr = map[string]bool{AttrEventID: true, AttrEventName: true, AttrReadOnly: true, AttrUsername: true,
	AttrResourceType: true, AttrResourceName: true, AttrEventSource: true, AttrAccessKeyID: true}

// Lookup returns the records matching q, newest first, and a token for the next page ("" on
// the last). Records queued but not yet committed are committed first.
func (t *Trail) Lookup(q Query, now time.Time) ([]Event, string, error) {
	if q.Attribute != "" && !validAttr[q.Attribute] || q.Attribute != "" && (len(q.Value) < 1 || len(q.Value) > 2000) {
		return nil, "", ErrInvalidAttribute
	}
	if q.MaxResults == 0 {
		q.MaxResults = 50
	}
	if q.MaxResults < 1 || q.MaxResults > 50 {
		return nil, "", ErrInvalidMaxResults
	}
	start, end := q.Start, q.End
	if end.IsZero() {
		end = now
	}
	if start.IsZero() || start.Before(now.Add(-Window)) {
		start = now.Add(-Window)
	}
	if !q.Start.IsZero() && !q.End.IsZero() && q.Start.After(q.End) {
		return nil, "", ErrInvalidTimeRange
	}
	from := uint64(0) // 0: from the newest
	if q.NextToken != "" {
		var err error
		if from, err = parseToken(q.NextToken); err != nil {
			return nil, "", err
		}
	}
	if err := t.Flush(); err != nil {
		return nil, "", err
	}
	return lookupDB(t.db.Bolt(), q, from, start, end)
}

// LookupDB is Lookup on a metadata file opened directly (read-only is enough), for offline
// tools: the server must be stopped, and records it had queued are not there.
func LookupDB(db *bolt.DB, q Query, now time.Time) ([]Event, string, error) {
	if q.MaxResults == 0 {
		q.MaxResults = 50
	}
	q.NextToken, q.MaxResults = "", min(q.MaxResults, 50)
	start, end := q.Start, q.End
	if end.IsZero() {
		end = now
	}
	if start.IsZero() {
		start = now.Add(-Window)
	}
	return lookupDB(db, q, 0, start, end)
}

func lookupDB(db *bolt.DB, q Query, from uint64, start, end time.Time) ([]Event, string, error) {
	var out []Event
	next := ""
	err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if from == 0 {
			k, v = c.Last()
		} else {
			k, v = c.Seek(seqKey(from))
			if k == nil || binary.BigEndian.Uint64(k) != from {
				return ErrInvalidNextToken
			}
		}
		// Records are appended in roughly time order; allow for requests that finished out
		// of order before stopping at the start of the range.
		stopBefore := start.Add(-time.Minute)
		for ; k != nil; k, v = c.Prev() {
			if len(v) < sha256.Size {
				continue
			}
			raw := v[sha256.Size:]
			r := new(Record)
			if json.Unmarshal(raw, r) != nil {
				continue
			}
			if r.EventTime.Before(stopBefore) {
				break
			}
			if r.EventTime.Before(start) || r.EventTime.After(end) || !matches(r, q.Attribute, q.Value) {
				continue
			}
			if len(out) == q.MaxResults {
				next = formatToken(binary.BigEndian.Uint64(k))
				break
			}
			out = append(out, Event{Record: r, JSON: append([]byte(nil), raw...)})
		}
		return nil
	})
	return out, next, err
}

func matches(r *Record, attr, val string) bool {
	switch attr {
	case "":
		return true
	case AttrEventID:
		return r.EventID == val
	case AttrEventName:
		return r.EventName == val
	case AttrReadOnly:
		return strconv.FormatBool(r.ReadOnly) == strings.ToLower(val)
	case AttrUsername:
		return r.Username() == val
	case AttrEventSource:
		return r.EventSource == val
	case AttrAccessKeyID:
		return r.UserIdentity.AccessKeyID == val
	case AttrResourceType, AttrResourceName:
		for _, res := range r.Resources {
			if attr == AttrResourceType && res.Type == val ||
				attr == AttrResourceName && (res.ARN == val || ResourceName(res.ARN) == val) {
				return true
			}
		}
	}
	return false
}

func formatToken(seq uint64) string { return "v1." + hex.EncodeToString(seqKey(seq)) }

func parseToken(s string) (uint64, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "v1."))
	if err != nil || len(b) != 8 || !strings.HasPrefix(s, "v1.") {
		return 0, ErrInvalidNextToken
	}
	return binary.BigEndian.Uint64(b), nil
}
