package audit

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends r's JSON encoding to b and returns the extended buffer. The bytes are
// exactly those json.Marshal(r) returns (field order, omitempty, RFC 3339 event time,
// encoding/json's string escaping including its HTML escaping, sorted map keys), without
// reflection: the trail hashes and stores these bytes, and LookupEvents reads them back
// with json.Unmarshal. Map values of a type not handled here are encoded by json.Marshal.
//
// A record json.Marshal rejects (an event time outside years 0–9999, a NaN or an
// unsupported type in a map) leaves b unchanged; the trail uses appendJSON, which returns
// json.Marshal's error.
func (r *Record) AppendJSON(b []byte) []byte {
	out, err := r.appendJSON(b)
	if err != nil {
		return b
	}
	return out
}

// appendJSON is AppendJSON returning the error json.Marshal(r) would; on error the
// returned slice holds a partial encoding and is to be discarded.
func (r *Record) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = appendField(b, `{"eventVersion":`, r.EventVersion)
	b = append(b, `,"userIdentity":`...)
	b = r.UserIdentity.appendJSON(b)
	b = append(b, `,"eventTime":`...)
	if b, err = appendJSONTime(b, r.EventTime); err != nil {
		return b, err
	}
	b = appendField(b, `,"eventSource":`, r.EventSource)
	b = appendField(b, `,"eventName":`, r.EventName)
	b = appendField(b, `,"awsRegion":`, r.AWSRegion)
	b = appendField(b, `,"sourceIPAddress":`, r.SourceIPAddress)
	b = appendField(b, `,"userAgent":`, r.UserAgent)
	b = appendOptField(b, `,"errorCode":`, r.ErrorCode)
	b = appendOptField(b, `,"errorMessage":`, r.ErrorMessage)
	b = append(b, `,"requestParameters":`...)
	if b, err = appendJSONMap(b, r.RequestParameters, 0); err != nil {
		return b, err
	}
	b = append(b, `,"responseElements":`...)
	if b, err = appendJSONMap(b, r.ResponseElements, 0); err != nil {
		return b, err
	}
	if len(r.AdditionalEventData) > 0 {
		b = append(b, `,"additionalEventData":`...)
		if b, err = appendJSONMap(b, r.AdditionalEventData, 0); err != nil {
			return b, err
		}
	}
	b = appendField(b, `,"requestID":`, r.RequestID)
	b = appendField(b, `,"eventID":`, r.EventID)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, r.ReadOnly)
	if len(r.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.Resources[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = appendField(b, `,"eventType":`, r.EventType)
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, r.ManagementEvent)
	b = appendField(b, `,"recipientAccountId":`, r.RecipientAccountID)
	b = appendOptField(b, `,"sharedEventID":`, r.SharedEventID)
	b = appendField(b, `,"eventCategory":`, r.EventCategory)
	if r.TLSDetails != nil {
		b = appendField(b, `,"tlsDetails":{"tlsVersion":`, r.TLSDetails.TLSVersion)
		b = appendField(b, `,"cipherSuite":`, r.TLSDetails.CipherSuite)
		b = appendField(b, `,"clientProvidedHostHeader":`, r.TLSDetails.ClientProvidedHostHeader)
		b = append(b, '}')
	}
	if len(r.ServiceEventDetails) > 0 {
		b = append(b, `,"serviceEventDetails":`...)
		if b, err = appendJSONMap(b, r.ServiceEventDetails, 0); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func (u *UserIdentity) appendJSON(b []byte) []byte {
	b = appendField(b, `{"type":`, u.Type)
	b = appendField(b, `,"principalId":`, u.PrincipalID)
	b = appendOptField(b, `,"arn":`, u.ARN)
	b = appendField(b, `,"accountId":`, u.AccountID)
	b = appendOptField(b, `,"accessKeyId":`, u.AccessKeyID)
	b = appendOptField(b, `,"userName":`, u.UserName)
	b = appendOptField(b, `,"invokedBy":`, u.InvokedBy)
	return append(b, '}')
}

func (x *Resource) appendJSON(b []byte) []byte {
	b = appendField(b, `{"ARN":`, x.ARN)
	b = appendOptField(b, `,"accountId":`, x.AccountID)
	b = appendField(b, `,"type":`, x.Type)
	return append(b, '}')
}

// appendJSONTime is time.Time.MarshalJSON: RFC 3339 with nanoseconds. The times it rejects
// (a year not four digits wide, a zone offset of 24 hours or more) go to json.Marshal for
// its error.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	n0 := len(b)
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	s := b[n0+1:]
	bad := s[len("9999")] != '-'
	if !bad && s[len(s)-1] != 'Z' {
		c := s[len(s)-len("Z07:00")]
		z := s[len(s)-len("07:00"):]
		bad = '0' <= c && c <= '9' || 10*(z[0]-'0')+(z[1]-'0') >= 24
	}
	if bad {
		return appendJSONFallback(b[:n0], t)
	}
	return append(b, '"'), nil
}

// appendJSONFallback appends json.Marshal(v).
func appendJSONFallback(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// maxJSONDepth bounds the nesting encoded here; deeper values (or a map that contains
// itself, which json.Marshal reports as a cycle) go to json.Marshal.
const maxJSONDepth = 64

// appendJSONValue encodes the value types the API packages put in records directly, as
// encoding/json would, and any other through json.Marshal.
func appendJSONValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return appendJSONFallback(b, v)
		}
		return appendJSONFloat(b, v), nil
	case map[string]any:
		return appendJSONMap(b, v, depth)
	case map[string]string:
		return appendJSONStringMap(b, v), nil
	case []string:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		if depth >= maxJSONDepth {
			return appendJSONFallback(b, v)
		}
		b = append(b, '[')
		var err error
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSONValue(b, e, depth+1); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	return appendJSONFallback(b, v)
}

// appendJSONFloat is encoding/json's float64 encoding (ES6 number to string) of a finite f.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// smallMap is the most keys whose sort needs no allocation.
const smallMap = 32

func appendJSONMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	if depth >= maxJSONDepth {
		return appendJSONFallback(b, m)
	}
	var arr [smallMap]string
	keys := arr[:0]
	if len(m) > smallMap {
		keys = make([]string, 0, len(m))
	}
	for k := range m {
		keys = append(keys, k)
	}
	sortKeys(keys)
	b = append(b, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if b, err = appendJSONValue(b, m[k], depth+1); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendJSONStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var arr [smallMap]string
	keys := arr[:0]
	if len(m) > smallMap {
		keys = make([]string, 0, len(m))
	}
	for k := range m {
		keys = append(keys, k)
	}
	sortKeys(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

// sortKeys sorts map keys in byte order, as encoding/json does.
func sortKeys(keys []string) {
	if len(keys) > 12 {
		slices.Sort(keys)
		return
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// jsonSafe marks the ASCII bytes encoding/json copies into a string unescaped (with its
// HTML escaping on): everything from space up except ", \, <, > and &.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping: control
// characters, ", \, <, > and & escaped, U+2028 and U+2029 as \u2028 and \u2029, and each
// byte of invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendField appends key (the JSON punctuation and name, e.g. `,"eventName":`) and v as
// a JSON string.
func appendField(b []byte, key, v string) []byte {
	return appendJSONString(append(b, key...), v)
}

// appendOptField is appendField for an omitempty field: nothing when v is "".
func appendOptField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendField(b, key, v)
}
