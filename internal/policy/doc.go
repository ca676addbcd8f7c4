// Package policy is Arca's one policy engine: it parses, validates and evaluates IAM
// identity policies, S3 bucket policies and KMS key policies with AWS's grammar and
// semantics. It is pure: no HTTP, no storage, no clock of its own.
//
// Entry points: Parse a document once, when it is written, with its Kind; a *ParseError
// (errors.Is ErrMalformed, and ErrTooLarge for oversized documents) carries the message
// the owning service sends, and the protocol layers map it to MalformedPolicy,
// MalformedPolicyDocumentException or MalformedPolicyDocument. To authorize, build a
// Request (principal, action, resource ARN), call FillGlobalKeys with the current time,
// Set the request-specific condition keys (aws:SecureTransport, aws:SourceIp, s3:…,
// kms:…), Evaluate each policy that governs the request and Combine the decisions.
// NotApplicable is an implicit deny. Which policies to combine (identity or bucket policy
// for same-account S3, both across accounts, the key policy and, where it delegates to
// the account, IAM for KMS) is the caller's choice. IsPublic and CheckBucketResources
// serve S3's public-access and PutBucketPolicy checks.
//
// Promises: every condition operator of reference §5.2 with the absent-key rules listed
// there and in docs/POLICY.md; explicit Deny always wins; a Policy is immutable after
// Parse and safe for concurrent use; wildcard matching never backtracks, so no pattern
// makes evaluation slow. Parse accepts only what it can evaluate, and a parsed policy's
// MarshalJSON parses back to an equal Policy. Error messages may be reworded toward
// AWS's; the sentinels stay.
package policy
