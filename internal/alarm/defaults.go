package alarm

import "fmt"

// DecryptDeniedRule is the name of the built-in threshold rule: 10 or more denied KMS
// Decrypts within 5 minutes.
const DecryptDeniedRule = "kms-decrypt-denied"

// builtinRules are the built-in rules (docs/ALARMS.md), on unless --no-default-alarms or
// defaults.enabled false, written in the rule file's own schema. The single-event ones fire
// on successful calls only (errorCode ""): they report a change that happened; a denied
// attempt changed nothing (a file rule can watch those).
//
// kms-decrypt-denied counts each denied client request once: the caller's own KMS Decrypt
// calls (invokedBy "": not the ones S3 makes on its behalf, whose S3 request is counted
// instead), and S3 requests refused because the caller may not kms:Decrypt the object's key
// (SSE-KMS reads, whether or not a cached bucket key spared the KMS call).
const builtinRules = `[
 {"name": "kms-key-disabled",
  "description": "A KMS key was disabled: data encrypted under it cannot be read until it is enabled again.",
  "match": {"eventSource": "kms", "eventName": "DisableKey", "errorCode": ""}},
 {"name": "kms-key-deletion-scheduled",
  "description": "A KMS key was scheduled for deletion: once deleted, data encrypted under it is lost.",
  "match": {"eventSource": "kms", "eventName": "ScheduleKeyDeletion", "errorCode": ""}},
 {"name": "kms-key-policy-changed",
  "description": "A KMS key policy was replaced (by PutKeyPolicy, or offline by arca admin kms reset-key-policy): who may use or administer the key changed.",
  "match": {"eventSource": "kms", "eventName": ["PutKeyPolicy", "ResetKeyPolicy"], "errorCode": ""}},
 {"name": "s3-bucket-policy-deleted",
  "description": "A bucket policy was deleted: the protections it gave (e.g. TLS only, required encryption) are gone.",
  "match": {"eventSource": "s3", "eventName": "DeleteBucketPolicy", "errorCode": ""}},
 {"name": "s3-bucket-encryption-deleted",
  "description": "A bucket's default encryption configuration was deleted.",
  "match": {"eventSource": "s3", "eventName": "DeleteBucketEncryption", "errorCode": ""}},
 {"name": "kms-decrypt-denied",
  "description": "10 or more KMS Decrypt calls (direct, or for SSE-KMS reads through S3) were denied within 5 minutes.",
  "match": [
   {"eventSource": "kms", "eventName": "Decrypt", "errorCode": "AccessDenied*", "invokedBy": ""},
   {"eventSource": "s3", "errorCode": "AccessDenied", "errorMessage": "*not authorized to perform: kms:Decrypt *"}],
  "threshold": {"count": 10, "window": "5m"},
  "cooldown": "5m"}
]`

// Defaults returns the built-in rules, with hooks as their webhooks.
func Defaults(hooks []Webhook) []*Rule {
	var specs []RuleSpec
	if err := strictDecode([]byte(builtinRules), &specs); err != nil {
		panic(fmt.Sprintf("alarm: built-in rules: %v", err)) // a bug caught by every test
	}
	out := make([]*Rule, 0, len(specs))
	for i := range specs {
		r, err := compileRule(&specs[i], hooks)
		if err != nil {
			panic(fmt.Sprintf("alarm: built-in rule %s: %v", specs[i].Name, err))
		}
		r.Builtin = true
		out = append(out, r)
	}
	return out
}

// DefaultNames lists the built-in rules' names.
func DefaultNames() []string {
	var out []string
	for _, r := range Defaults(nil) {
		out = append(out, r.Name)
	}
	return out
}
