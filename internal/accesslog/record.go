package accesslog

import (
	"encoding/json"
	"time"
)

// DetailsKey is the additionalEventData entry of an S3 request's audit record that holds
// its Details: present only on requests to a bucket that had logging enabled when the
// request was answered, which is what makes a record a log line.
const DetailsKey = "accessLog"

// Details is what a log line needs beyond the CloudTrail record of the request: the
// logging configuration in force (so that a line goes where the configuration said when
// the request was made) and the HTTP facts CloudTrail does not keep. The S3 API adds it at
// its audit choke point; it holds no secret (the request URI's signature is redacted).
type Details struct {
	Target      Config `json:"target"`
	Owner       string `json:"owner"` // canonical id of the bucket owner
	OwnerAcct   string `json:"ownerAccount"`
	Region      string `json:"region"`
	Operation   string `json:"op"`
	RequestURI  string `json:"uri"`
	Status      int    `json:"status"`
	ObjectSize  int64  `json:"objectSize"` // -1: none
	TotalMs     int64  `json:"totalMs"`
	TurnMs      int64  `json:"turnMs"`
	Referer     string `json:"referer,omitempty"`
	Host        string `json:"host,omitempty"`
	TLSVersion  string `json:"tls,omitempty"`
	VersionID   string `json:"versionId,omitempty"`
	ACLRequired bool   `json:"aclRequired,omitempty"`
}

// recordView is the part of a stored CloudTrail record a log line is made of.
type recordView struct {
	EventTime    time.Time `json:"eventTime"`
	SourceIP     string    `json:"sourceIPAddress"`
	UserAgent    string    `json:"userAgent"`
	ErrorCode    string    `json:"errorCode"`
	RequestID    string    `json:"requestID"`
	UserIdentity struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		PrincipalID string `json:"principalId"`
		AccountID   string `json:"accountId"`
	} `json:"userIdentity"`
	Params struct {
		Bucket string `json:"bucketName"`
		Key    string `json:"key"`
	} `json:"requestParameters"`
	Add struct {
		Log       *Details `json:"accessLog"`
		BytesOut  int64    `json:"bytesTransferredOut"`
		HostID    string   `json:"x-amz-id-2"`
		Signature string   `json:"SignatureVersion"`
		Cipher    string   `json:"CipherSuite"`
		Auth      string   `json:"AuthenticationMethod"`
	} `json:"additionalEventData"`
}

// Entry is a log line with where it goes.
type Entry struct {
	Line   Line
	Target Config
	// SourceAccount and SourceRegion are the source bucket's, for a PartitionedPrefix key.
	SourceAccount string
	SourceRegion  string
}

// FromRecord returns the log entry of a stored audit record (its JSON), and false when the
// record is not a request on a logged bucket (or does not decode).
func FromRecord(raw []byte) (Entry, bool) {
	var v recordView
	if err := json.Unmarshal(raw, &v); err != nil || v.Add.Log == nil || v.Params.Bucket == "" ||
		v.Add.Log.Target.TargetBucket == "" {
		return Entry{}, false
	}
	d := v.Add.Log
	requester := v.UserIdentity.ARN
	switch {
	case v.UserIdentity.AccountID == "anonymous" || v.UserIdentity.Type == "Unknown":
		requester = ""
	case requester == "":
		requester = v.UserIdentity.PrincipalID
	}
	l := Line{
		BucketOwner: d.Owner, Bucket: v.Params.Bucket, Time: v.EventTime.UTC().Truncate(time.Second),
		RemoteIP: v.SourceIP, Requester: requester, RequestID: v.RequestID, Operation: d.Operation,
		Key: v.Params.Key, RequestURI: d.RequestURI, HTTPStatus: d.Status, ErrorCode: v.ErrorCode,
		BytesSent: v.Add.BytesOut, ObjectSize: d.ObjectSize, TotalTime: d.TotalMs, TurnAroundTime: d.TurnMs,
		Referer: d.Referer, UserAgent: v.UserAgent, VersionID: d.VersionID, HostID: v.Add.HostID,
		SignatureVersion: v.Add.Signature, CipherSuite: v.Add.Cipher, AuthType: v.Add.Auth,
		HostHeader: d.Host, TLSVersion: d.TLSVersion, ACLRequired: d.ACLRequired,
	}
	return Entry{Line: l, Target: d.Target, SourceAccount: d.OwnerAcct, SourceRegion: d.Region}, true
}
