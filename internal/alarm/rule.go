// Package alarm watches the audit records Arca makes and raises alarms (docs/ALARMS.md):
// rules from a JSON or YAML file plus built-in defaults match records by field, optionally
// count them over a sliding window, and fire actions — a log line, an audit record of the
// alarm itself, and HTTP webhooks with retries.
//
// Entry points: Load (the rule file, the defaults and the flags into compiled Rules), New
// (the Engine, an audit.Handler to put in an audit.Multi after the Trail), (*Engine).Close.
// What is promised: Handle never blocks the request path (a full queue drops the match and
// counts it); the engine never matches its own alarm records; Close fires what is pending
// and waits a bounded time for webhooks in flight. Only webhook.go knows HTTP.
package alarm

import (
	"time"
)

// Alarm records: the eventSource, eventName and eventType of the audit record an alarm
// writes about itself. Records from SourceAlarms are never matched (no loops).
const (
	SourceAlarms    = "arca.alarms"
	EventTriggered  = "AlarmTriggered"
	EventTypeAlarms = "AwsServiceEvent"
)

// Limits of a rule.
const (
	MaxCount        = 100000         // threshold.count
	MaxWindow       = 24 * time.Hour // threshold.window
	MaxCooldown     = 24 * time.Hour // cooldown
	MaxAttempts     = 10             // webhook maxAttempts
	MaxTimeout      = time.Minute    // webhook timeout
	MaxGroups       = 10000          // groups per grouped rule; more share one overflow group
	MaxSamples      = 10             // events listed in one alarm (count covers them all)
	DefaultCooldown = time.Minute
)

// GroupBy fields a threshold may count per value of.
var groupByFields = map[string]bool{"userName": true, "sourceIPAddress": true, "eventName": true,
	"eventSource": true, "errorCode": true, "resource": true, "accessKeyId": true}

// Rule is one compiled rule: what it matches, when it fires and what it does.
type Rule struct {
	Name        string
	Description string
	// Builtin is true for the defaults of defaults.go.
	Builtin bool
	// match is any-of: the rule matches a record that one of them matches.
	match []*matcher
	// Count events within Window fire the rule (Count 1 and Window 0 for a rule without a
	// threshold); GroupBy counts per value of that field ("" for one count per rule).
	Count   int
	Window  time.Duration
	GroupBy string
	// Cooldown is the least time between two firings of the rule (per group); matches in
	// between are counted into the next firing.
	Cooldown time.Duration
	// Actions.
	Log      bool
	Record   bool
	Webhooks []Webhook
}

// Webhook is a webhook action: a POST of the alarm as JSON to URL.
type Webhook struct {
	URL string
	// Headers are added to every request (e.g. an Authorization token); never logged.
	Headers     map[string]string
	Timeout     time.Duration // per attempt
	MaxAttempts int
}

// Default webhook settings.
const (
	DefaultWebhookTimeout  = 5 * time.Second
	DefaultWebhookAttempts = 5
)

// Event is the part of a record an alarm carries: small and with nothing secret (records
// hold no secrets, and this keeps the webhook body small too).
type Event struct {
	EventID         string    `json:"eventID"`
	EventTime       time.Time `json:"eventTime"`
	EventName       string    `json:"eventName"`
	EventSource     string    `json:"eventSource"`
	UserName        string    `json:"userName,omitempty"`
	ARN             string    `json:"arn,omitempty"`
	SourceIPAddress string    `json:"sourceIPAddress,omitempty"`
	ErrorCode       string    `json:"errorCode,omitempty"`
	Resources       []string  `json:"resources,omitempty"`

	accessKeyID   string
	resourceTypes []string
}

// groupKey is the value of field in e that a grouped rule counts by.
func (e *Event) groupKey(field string) string {
	switch field {
	case "userName":
		return e.UserName
	case "sourceIPAddress":
		return e.SourceIPAddress
	case "eventName":
		return e.EventName
	case "eventSource":
		return e.EventSource
	case "errorCode":
		return e.ErrorCode
	case "accessKeyId":
		return e.accessKeyID
	case "resource":
		if len(e.Resources) > 0 {
			return e.Resources[0]
		}
	}
	return ""
}
