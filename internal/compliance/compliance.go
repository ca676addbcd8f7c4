// Package compliance is Arca's subset of AWS Config: config rules (AWS's managed rules by
// their SourceIdentifier, plus Arca's own under Source Owner "ARCA"), their evaluation
// over the facts of an account's buckets, keys and trails, and the stored evaluation
// results. A change of a resource's compliance is written as a CloudTrail-shaped record
// (AwsServiceEvent "ComplianceChange" from config.amazonaws.com) through the audit
// handler chain, so alarms can match it (docs/COMPLIANCE.md).
//
// Use New with a kv store and a Facts implementation; Service.Put/Describe/Delete manage
// rules, Service.Evaluate runs them, Service.Trigger is the audit.Handler that queues
// evaluations for the resources a recorded change touched, Service.Run is the worker and
// periodic scheduler. Everything is per account. No HTTP.
package compliance

import (
	"errors"
	"time"
)

// Compliance types, as AWS Config names them.
const (
	Compliant        = "COMPLIANT"
	NonCompliant     = "NON_COMPLIANT"
	NotApplicable    = "NOT_APPLICABLE"
	InsufficientData = "INSUFFICIENT_DATA"
)

// Resource types Arca's rules report on.
const (
	TypeBucket  = "AWS::S3::Bucket"
	TypeKey     = "AWS::KMS::Key"
	TypeTrail   = "AWS::CloudTrail::Trail"
	TypeAccount = "AWS::::Account"
)

// Source owners: AWS's managed rules, and Arca's own rules where AWS has none.
const (
	OwnerAWS  = "AWS"
	OwnerArca = "ARCA"
)

// Execution frequencies of periodic rules (MaximumExecutionFrequency).
var frequencies = map[string]time.Duration{
	"One_Hour": time.Hour, "Three_Hours": 3 * time.Hour, "Six_Hours": 6 * time.Hour,
	"Twelve_Hours": 12 * time.Hour, "TwentyFour_Hours": 24 * time.Hour,
}

// MaxRules is the number of config rules an account may have (AWS's default quota).
const MaxRules = 1000

// Sentinels; internal/apierr maps them to AWS Config's exceptions. Most are returned as
// errs.E carrying AWS's message.
var (
	ErrNoSuchRule       = errors.New("compliance: no such config rule")
	ErrInvalidParameter = errors.New("compliance: invalid parameter value")
	ErrValidation       = errors.New("compliance: validation failed")
	ErrTooManyRules     = errors.New("compliance: maximum number of config rules exceeded")
	ErrResourceInUse    = errors.New("compliance: resource in use")
	ErrInvalidNextToken = errors.New("compliance: invalid next token")
)

// Rule is one config rule as stored.
type Rule struct {
	Name        string    `json:"name"`
	ARN         string    `json:"arn"`
	ID          string    `json:"id"`
	Description string    `json:"desc,omitempty"`
	Owner       string    `json:"owner"`
	Identifier  string    `json:"ident"`
	Scope       *Scope    `json:"scope,omitempty"`
	Input       string    `json:"input,omitempty"` // InputParameters as given
	Frequency   string    `json:"freq,omitempty"`  // MaximumExecutionFrequency
	State       string    `json:"state"`
	Created     time.Time `json:"created"`
	// LastRun is when the rule last evaluated every resource in its scope.
	LastRun time.Time `json:"lastRun,omitempty"`
	// LastChange is when the rule was last put (its results older than that are stale).
	LastChange time.Time `json:"lastChange"`
}

// Scope limits a rule to resource types and optionally one resource id.
type Scope struct {
	ResourceTypes []string `json:"types,omitempty"`
	ResourceID    string   `json:"id,omitempty"`
}

// Result is one rule's evaluation of one resource.
type Result struct {
	Rule         string    `json:"rule"`
	ResourceType string    `json:"type"`
	ResourceID   string    `json:"id"`
	Compliance   string    `json:"c"`
	Annotation   string    `json:"a,omitempty"`
	Ordering     time.Time `json:"o"` // when the facts were read (OrderingTimestamp)
	Recorded     time.Time `json:"r"` // ResultRecordedTime
	Invoked      time.Time `json:"i"` // ConfigRuleInvokedTime
}

// Evaluation is what a rule decides about one resource.
type Evaluation struct {
	ResourceType string
	ResourceID   string
	Compliance   string
	Annotation   string
}
