// Package audit records every request Arca answers as a CloudTrail-shaped event
// (docs/AUDIT.md): the API packages build a Record at their one choke point and pass it to
// a Handler; the Trail is the Handler that stores records, chained by hash, in the metadata
// file and answers Lookup (the LookupEvents query). Nothing here knows HTTP.
//
// Entry points: OpenTrail, (*Trail).Handle, (*Trail).Lookup, (*Trail).Verify, (*Trail).Close.
// What is promised: a record whose Durable method is true (a management event that is not
// read-only: key administration, policy, encryption and IAM changes) is committed before
// Handle returns, or Handle fails; every other record is committed within FlushInterval
// (at most one second) of Handle, and at Close.
package audit

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// EventVersion is the CloudTrail record version Arca writes.
const EventVersion = "1.11"

// Event sources.
const (
	SourceS3         = "s3.amazonaws.com"
	SourceKMS        = "kms.amazonaws.com"
	SourceIAM        = "iam.amazonaws.com"
	SourceSTS        = "sts.amazonaws.com"
	SourceCloudTrail = "cloudtrail.amazonaws.com"
)

// Event categories.
const (
	CategoryManagement = "Management"
	CategoryData       = "Data"
)

// Record is one event, field for field the CloudTrail record (reference §6.1). It must never
// hold a secret: no plaintext, data keys, customer keys, secret access keys or
// Authorization headers; builders copy only named, non-secret request fields.
type Record struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        UserIdentity   `json:"userIdentity"`
	EventTime           time.Time      `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID"`
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	Resources           []Resource     `json:"resources,omitempty"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	// SharedEventID is set on the two records of a cross-account call (Trail.Handle): the
	// same GUID in the caller's account's record and in the resource owner's.
	SharedEventID string      `json:"sharedEventID,omitempty"`
	EventCategory string      `json:"eventCategory"`
	TLSDetails    *TLSDetails `json:"tlsDetails,omitempty"`
	// ServiceEventDetails describes an AwsServiceEvent (Arca's alarms: docs/ALARMS.md).
	ServiceEventDetails map[string]any `json:"serviceEventDetails,omitempty"`
}

// UserIdentity is who made the call. InvokedBy names the service that made it on the
// user's behalf (s3.amazonaws.com for the KMS calls of SSE-KMS).
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
}

// Resource is one resource the event touched.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
}

// TLSDetails describes the connection of a request that came over HTTPS.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// Durable reports whether the record must be committed before its response is sent: a
// management event that changes something (allowed or denied).
func (r *Record) Durable() bool { return r.ManagementEvent && !r.ReadOnly }

// Username is the name LookupEvents matches and shows: the user name, "root" for the
// account root, else the principal id.
func (r *Record) Username() string {
	switch {
	case r.UserIdentity.UserName != "":
		return r.UserIdentity.UserName
	case r.UserIdentity.Type == "Root":
		return "root"
	}
	return r.UserIdentity.PrincipalID
}

// Fill sets the fields every record shares when they are still empty: version, event id,
// time, event type, category and recipient account.
func (r *Record) Fill(accountID string) {
	if r.EventVersion == "" {
		r.EventVersion = EventVersion
	}
	if r.EventID == "" {
		r.EventID = NewEventID()
	}
	if r.EventTime.IsZero() {
		r.EventTime = time.Now()
	}
	r.EventTime = r.EventTime.UTC().Truncate(time.Second)
	if r.EventType == "" {
		r.EventType = "AwsApiCall"
	}
	if r.EventCategory == "" {
		r.EventCategory = CategoryData
		if r.ManagementEvent {
			r.EventCategory = CategoryManagement
		}
	}
	if r.RecipientAccountID == "" {
		r.RecipientAccountID = recipientOf(r, accountID)
	}
}

// recipientOf is the account whose resource or API a record's call was made on, when the
// API that built it did not say: the account of the first resource that names one (the
// key's account for KMS, the bucket owner for S3), else the caller's account, else (an
// anonymous or unauthenticated call on no known resource) the primary account.
func recipientOf(r *Record, primary string) string {
	for _, res := range r.Resources {
		if IsAccountID(res.AccountID) {
			return res.AccountID
		}
	}
	if IsAccountID(r.UserIdentity.AccountID) {
		return r.UserIdentity.AccountID
	}
	return primary
}

// IsAccountID reports whether s is an account id (12 digits).
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CrossAccount reports whether r is a call by one account on another's resource or API:
// then CloudTrail delivers it to both accounts, as two records (Trail.Handle).
func (r *Record) CrossAccount() bool {
	return IsAccountID(r.UserIdentity.AccountID) && r.RecipientAccountID != "" && r.UserIdentity.AccountID != r.RecipientAccountID
}

// VisibleTo reports whether account sees r in its event history and trails: the records
// whose recipientAccountId is that account (a cross-account call is stored once for each
// of the two accounts).
func (r *Record) VisibleTo(account string) bool { return r.RecipientAccountID == account }

// NewEventID returns a random (version 4) UUID.
func NewEventID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
