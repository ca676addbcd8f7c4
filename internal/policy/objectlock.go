package policy

// Object Lock condition keys (lowercased), set by S3 where AWS documents them: on
// PutObject from the x-amz-object-lock-* headers, on PutObjectRetention and
// PutObjectLegalHold from the body, and on BypassGovernanceRetention from either.
const (
	KeyObjectLockMode          = "s3:object-lock-mode"                     // GOVERNANCE or COMPLIANCE
	KeyObjectLockRetainUntil   = "s3:object-lock-retain-until-date"        // ISO 8601, as sent
	KeyObjectLockRemainingDays = "s3:object-lock-remaining-retention-days" // whole days left, rounded up
	KeyObjectLockLegalHold     = "s3:object-lock-legal-hold"               // ON or OFF
)
