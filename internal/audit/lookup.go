package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/kv"
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
	// Account, if set, limits the lookup to that account's event history: the records
	// whose recipientAccountId it is (Record.VisibleTo), as LookupEvents answers only the
	// caller's account's events.
	Account string
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

// TimeSkew is how far out of time order records may be stored. A record's eventTime is
// taken (and truncated to the second) when its API builds it at the choke point, just
// before Handle appends it to the queue, and the queue is committed in order; so eventTime
// does not decrease with seq except for records built concurrently (a goroutine may be
// descheduled between building and appending, or wait for room in a full queue) or across
// a step of the wall clock. Lookup relies on the skew being at most TimeSkew: it binary-
// searches seq for the end of the time range and stops scanning once records are older
// than the start of the range by more than TimeSkew. A record stored more than TimeSkew
// out of order (the clock stepped back by more) can be missed by a time-bounded Lookup;
// the chain and Verify are unaffected.
const TimeSkew = time.Minute

// Lookup returns the records matching q, newest first, and a token for the next page ("" on
// the last). Records queued but not yet committed are committed first.
func (t *Trail) Lookup(q Query, now time.Time) ([]Event, string, error) {
	q, from, err := checkQuery(q)
	if err != nil {
		return nil, "", err
	}
	start, end := q.Start, q.End
	if end.IsZero() {
		end = now
	}
	if start.IsZero() || start.Before(now.Add(-Window)) {
		start = now.Add(-Window)
	}
	if err := t.Flush(); err != nil {
		return nil, "", err
	}
	evs, next, _, err := lookupDB(t.db, q, from, start, end)
	return evs, next, err
}

// LookupDB is Lookup on a store opened directly (read-only is enough), for offline
// tools: the server must be stopped, and records it had queued are not there. Unlike
// Lookup it does not clamp Start to the 90-day window (a zero Start still means the
// window's start).
func LookupDB(db kv.DB, q Query, now time.Time) ([]Event, string, error) {
	q, from, err := checkQuery(q)
	if err != nil {
		return nil, "", err
	}
	start, end := q.Start, q.End
	if end.IsZero() {
		end = now
	}
	if start.IsZero() {
		start = now.Add(-Window)
	}
	evs, next, _, err := lookupDB(db, q, from, start, end)
	return evs, next, err
}

// checkQuery validates q as LookupEvents does, fills the default MaxResults and decodes
// the NextToken into the seq to resume from (0: from the newest).
func checkQuery(q Query) (Query, uint64, error) {
	if q.Attribute != "" && !validAttr[q.Attribute] || q.Attribute != "" && (len(q.Value) < 1 || len(q.Value) > 2000) {
		return q, 0, ErrInvalidAttribute
	}
	if q.MaxResults == 0 {
		q.MaxResults = 50
	}
	if q.MaxResults < 1 || q.MaxResults > 50 {
		return q, 0, ErrInvalidMaxResults
	}
	if !q.Start.IsZero() && !q.End.IsZero() && q.Start.After(q.End) {
		return q, 0, ErrInvalidTimeRange
	}
	from := uint64(0)
	if q.NextToken != "" {
		var err error
		if from, err = parseToken(q.NextToken); err != nil {
			return q, 0, err
		}
	}
	return q, from, nil
}

// lookupDB scans backward from the seq token from (0: from the newest record that can be
// at or before end) and returns up to q.MaxResults matches in [start, end], the next
// page's token, and how many records it examined (for tests).
func lookupDB(db kv.DB, q Query, from uint64, start, end time.Time) ([]Event, string, int, error) {
	var out []Event
	next, examined := "", 0
	err := db.View(func(tx kv.Tx) error {
		b := tx.Bucket(bucketEvents)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if from == 0 {
			k, v = seekEnd(c, end)
		} else {
			k, v = c.Seek(seqKey(from))
			if k == nil || keySeq(k) != from {
				if from <= PrunedThrough(tx) {
					return nil // pruned since the last page, and so is everything older
				}
				return ErrInvalidNextToken
			}
		}
		stopBefore := start.Add(-TimeSkew)
		for ; k != nil; k, v = c.Prev() {
			examined++
			if len(v) < sha256.Size {
				continue
			}
			raw := v[sha256.Size:]
			if at, ok := recordTime(raw); ok {
				if at.Before(stopBefore) {
					break
				}
				if at.Before(start) || at.After(end) {
					continue // skip without decoding the whole record
				}
			}
			r := new(Record)
			if json.Unmarshal(raw, r) != nil {
				continue
			}
			if r.EventTime.Before(start) || r.EventTime.After(end) || !matches(r, q.Attribute, q.Value) ||
				q.Account != "" && !r.VisibleTo(q.Account) {
				continue
			}
			if len(out) == q.MaxResults {
				next = formatToken(keySeq(k))
				break
			}
			out = append(out, Event{Record: r, JSON: append([]byte(nil), raw...)})
		}
		return nil
	})
	return out, next, examined, err
}

// seekEnd positions c on the newest record that can have an eventTime at or before end,
// or returns a nil key if none can. Records whose eventTime is after end+TimeSkew are
// "late"; since eventTime decreases by at most TimeSkew along seq, every record after a
// late one is after end. A binary search over seq finds the first late record in
// O(log n) reads; the scan starts just before it.
func seekEnd(c kv.Cursor, end time.Time) ([]byte, []byte) {
	limit := end.Add(TimeSkew)
	late := func(v []byte) bool {
		if len(v) < sha256.Size {
			return false // unreadable: not known to be late, so scan it
		}
		at, ok := recordTime(v[sha256.Size:])
		return ok && at.After(limit)
	}
	k, v := c.Last()
	if k == nil || !late(v) {
		return k, v
	}
	hi := keySeq(k) // invariant: the first record at or after hi is late
	k, v = c.First()
	if late(v) {
		return nil, nil
	}
	lo := keySeq(k) // invariant: lo is a record that is not late
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		k, v := c.Seek(seqKey(mid)) // exists: hi's record is at or after mid
		if late(v) {
			hi = mid
		} else {
			lo = keySeq(k)
		}
	}
	return c.Seek(seqKey(lo))
}

// recordTime reads eventTime from a stored record without decoding the rest. The encoder
// writes eventVersion and userIdentity first, and a quote inside a JSON string is always
// escaped, so the first `"eventTime":"` is the field itself.
func recordTime(raw []byte) (time.Time, bool) {
	const key = `"eventTime":"`
	i := bytes.Index(raw, []byte(key))
	if i < 0 {
		return time.Time{}, false
	}
	rest := raw[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
	return at, err == nil
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
