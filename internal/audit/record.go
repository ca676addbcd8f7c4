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
	EventCategory       string         `json:"eventCategory"`
	TLSDetails          *TLSDetails    `json:"tlsDetails,omitempty"`
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
		r.RecipientAccountID = accountID
	}
}

// NewEventID returns a random (version 4) UUID.
func NewEventID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
