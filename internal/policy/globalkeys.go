package policy

import (
	"strconv"
	"time"
)

// Global condition keys that FillGlobalKeys sets, lowercased.
const (
	KeyPrincipalArn     = "aws:principalarn"
	KeyPrincipalAccount = "aws:principalaccount"
	KeyPrincipalType    = "aws:principaltype"
	KeyUsername         = "aws:username"
	KeyUserID           = "aws:userid"
	KeyCurrentTime      = "aws:currenttime"
	KeyEpochTime        = "aws:epochtime"
)

// Request-specific condition keys callers set themselves (Set lowercases any spelling).
const (
	KeySecureTransport = "aws:securetransport" // "true" over TLS, "false" otherwise
	KeySourceIP        = "aws:sourceip"        // the client address
	KeyViaService      = "kms:viaservice"      // "s3.<region>.amazonaws.com" when S3 calls KMS for the caller
	KeyCallerAccount   = "kms:calleraccount"   // the caller's account id
	KeySSE             = "s3:x-amz-server-side-encryption"
	KeySSEKMSKeyID     = "s3:x-amz-server-side-encryption-aws-kms-key-id"
	KeySSECAlgorithm   = "s3:x-amz-server-side-encryption-customer-algorithm"
)

// FillGlobalKeys sets the global condition keys that follow from r.Principal and now:
// aws:PrincipalType (Account, User, AssumedRole, AWSService or Anonymous),
// aws:PrincipalArn and aws:PrincipalAccount (not for anonymous callers or services; the
// role's ARN for a role session), aws:userid ("anonymous" for anonymous callers, the
// account id for the root when UserID is empty), aws:username (IAM users only),
// aws:CurrentTime (RFC 3339, UTC, seconds) and aws:EpochTime. Keys that do not apply are
// removed, so a reused Request does not keep stale values.
func (r *Request) FillGlobalKeys(now time.Time) {
	if r.Context == nil {
		r.Context = make(map[string][]string, 12)
	}
	set := func(k, v string) {
		if v == "" {
			delete(r.Context, k)
			return
		}
		r.Context[k] = []string{v}
	}
	p := &r.Principal
	typ, arn, account, userID, username := "", p.ARN, p.Account, p.UserID, ""
	switch p.Type {
	case TypeRoot:
		typ = "Account"
		if userID == "" {
			userID = p.Account
		}
	case TypeIAMUser:
		typ, username = "User", p.Username
	case TypeAssumedRole:
		typ = "AssumedRole"
		if role := roleARN(p.ARN); role != "" {
			arn = role
		}
	case TypeService:
		typ, arn, account, userID = "AWSService", "", "", ""
	case TypeAnonymous:
		typ, arn, account, userID = "Anonymous", "", "", "anonymous"
	}
	set(KeyPrincipalType, typ)
	set(KeyPrincipalArn, arn)
	set(KeyPrincipalAccount, account)
	set(KeyUserID, userID)
	set(KeyUsername, username)
	set(KeyCurrentTime, now.UTC().Format(time.RFC3339))
	set(KeyEpochTime, strconv.FormatInt(now.Unix(), 10))
}
