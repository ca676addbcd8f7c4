package analyzer

// The actions an analysis tries, as concrete requests the engine decides: the S3 actions
// Arca serves (object-level ones marked) and the KMS key actions. A policy's Action and
// NotAction patterns are never expanded by hand: each of these is put to the engine.
var s3Actions = []struct {
	Name   string
	Object bool
}{
	{"s3:AbortMultipartUpload", true}, {"s3:BypassGovernanceRetention", true},
	{"s3:DeleteBucket", false}, {"s3:DeleteBucketPolicy", false}, {"s3:DeleteObject", true},
	{"s3:DeleteObjectTagging", true}, {"s3:DeleteObjectVersion", true}, {"s3:DeleteObjectVersionTagging", true},
	{"s3:GetBucketAcl", false}, {"s3:GetBucketCORS", false}, {"s3:GetBucketLocation", false},
	{"s3:GetBucketLogging", false}, {"s3:GetBucketNotification", false}, {"s3:GetBucketObjectLockConfiguration", false},
	{"s3:GetBucketOwnershipControls", false}, {"s3:GetBucketPolicy", false}, {"s3:GetBucketPolicyStatus", false},
	{"s3:GetBucketPublicAccessBlock", false}, {"s3:GetBucketTagging", false}, {"s3:GetBucketVersioning", false},
	{"s3:GetEncryptionConfiguration", false}, {"s3:GetInventoryConfiguration", false}, {"s3:GetLifecycleConfiguration", false},
	{"s3:GetObject", true}, {"s3:GetObjectAcl", true}, {"s3:GetObjectAttributes", true},
	{"s3:GetObjectLegalHold", true}, {"s3:GetObjectRetention", true}, {"s3:GetObjectTagging", true},
	{"s3:GetObjectVersion", true}, {"s3:GetObjectVersionAcl", true}, {"s3:GetObjectVersionAttributes", true},
	{"s3:GetObjectVersionTagging", true},
	{"s3:ListBucket", false}, {"s3:ListBucketMultipartUploads", false}, {"s3:ListBucketVersions", false},
	{"s3:ListMultipartUploadParts", true},
	{"s3:PutBucketAcl", false}, {"s3:PutBucketCORS", false}, {"s3:PutBucketLogging", false},
	{"s3:PutBucketNotification", false}, {"s3:PutBucketObjectLockConfiguration", false}, {"s3:PutBucketOwnershipControls", false},
	{"s3:PutBucketPolicy", false}, {"s3:PutBucketPublicAccessBlock", false}, {"s3:PutBucketTagging", false},
	{"s3:PutBucketVersioning", false}, {"s3:PutEncryptionConfiguration", false}, {"s3:PutInventoryConfiguration", false},
	{"s3:PutLifecycleConfiguration", false},
	{"s3:PutObject", true}, {"s3:PutObjectAcl", true}, {"s3:PutObjectLegalHold", true},
	{"s3:PutObjectRetention", true}, {"s3:PutObjectTagging", true}, {"s3:PutObjectVersionAcl", true},
	{"s3:PutObjectVersionTagging", true}, {"s3:RestoreObject", true},
}

var kmsActions = []string{
	"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt", "kms:DeleteAlias",
	"kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
	"kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
	"kms:GetPublicKey", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion", "kms:Sign", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
	"kms:UpdateKeyDescription", "kms:Verify", "kms:VerifyMac",
}
