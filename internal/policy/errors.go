package policy

import (
	"errors"
	"fmt"
)

// Sentinel errors. Parse returns only *ParseError values, which wrap one of these.
var (
	// ErrMalformed: the document is not an acceptable policy. S3 answers MalformedPolicy,
	// KMS MalformedPolicyDocumentException, IAM MalformedPolicyDocument.
	ErrMalformed = errors.New("policy: malformed policy document")
	// ErrTooLarge: the document exceeds its kind's size limit. A *ParseError with it also
	// matches ErrMalformed; IAM answers LimitExceeded, KMS LimitExceededException, S3
	// MalformedPolicy.
	ErrTooLarge = errors.New("policy: policy document too large")
)

// ParseError says why a document was rejected. Reason is the client-facing message,
// worded as the service that owns the policy kind words it.
type ParseError struct {
	Reason string
	Err    error // ErrMalformed or ErrTooLarge
}

func (e *ParseError) Error() string { return e.Err.Error() + ": " + e.Reason }

// Unwrap returns the sentinels the error matches: ErrTooLarge errors match ErrMalformed too.
func (e *ParseError) Unwrap() []error {
	if e.Err == ErrMalformed {
		return []error{ErrMalformed}
	}
	return []error{e.Err, ErrMalformed}
}

// Reason returns the client-facing message of a Parse error, "" for any other error.
func Reason(err error) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return ""
}

func malformed(reason string) error { return &ParseError{Reason: reason, Err: ErrMalformed} }

func malformedf(format string, args ...any) error { return malformed(fmt.Sprintf(format, args...)) }

// problem names a rejection whose wording differs between IAM, S3 and KMS.
type problem int

const (
	pSyntax problem = iota
	pVersion
	pNoStatement
	pEmptyStatement
	pUnknownField
	pEffect
	pPrincipalInIdentity
	pNoPrincipal
	pBadPrincipal
	pNoAction
	pBadAction
	pNoResource
	pBadResource
	pBoth
	pNoEffect
	pOperator
	pConditionKey
	pConditionValue
	pSid
	pTooLarge
)

// messages holds each problem's wording for Identity, Bucket and Key policies. A %s is
// filled with the offending value.
var messages = [...][3]string{
	pSyntax:              {"Syntax errors in policy.", "This policy contains invalid Json", "This policy contains invalid Json"},
	pVersion:             {"Syntax errors in policy.", "The policy must contain a valid version string", "The policy must contain a valid version string"},
	pNoStatement:         {"Syntax errors in policy.", "Missing required field Statement", "Missing required field Statement"},
	pEmptyStatement:      {"Syntax errors in policy.", "Could not parse the policy: Statement is empty!", "Could not parse the policy: Statement is empty!"},
	pUnknownField:        {"Syntax errors in policy.", "Unknown field %s", "Unknown field %s"},
	pEffect:              {"Syntax errors in policy.", "Invalid effect: %s", "Invalid effect: %s"},
	pPrincipalInIdentity: {"Policy document should not specify a principal.", "", ""},
	pNoPrincipal:         {"", "Missing required field Principal", "Missing required field Principal"},
	pBadPrincipal:        {"", "Invalid principal in policy", "Policy contains a statement with one or more invalid principals."},
	pNoAction:            {"Policy statement must contain actions.", "Missing required field Action", "Missing required field Action"},
	pBadAction:           {"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", "Policy has invalid action", "Policy has invalid action"},
	pNoResource:          {"Policy statement must contain resources.", "Missing required field Resource", "Missing required field Resource"},
	pBadResource:         {"Resource %s must be in ARN format or \"*\".", "Policy has invalid resource", "Policy has invalid resource"},
	pBoth:                {"Syntax errors in policy.", "Statement can not have both %s and Not%[1]s", "Statement can not have both %s and Not%[1]s"},
	pNoEffect:            {"Syntax errors in policy.", "Missing required field Effect", "Missing required field Effect"},
	pOperator:            {"Syntax errors in policy.", "Invalid Condition operator: %s", "Invalid Condition operator: %s"},
	pConditionKey:        {"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", "Policy has an invalid condition key", "Policy has an invalid condition key"},
	pConditionValue:      {"Invalid Condition value: %s", "Invalid Condition value: %s", "Invalid Condition value: %s"},
	pSid:                 {"Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*", "", ""},
	pTooLarge:            {"Cannot exceed quota for PolicySize: 6144", "Policy exceeds the maximum allowed document size.", "The key policy exceeds the size limit of 32768 bytes."},
}

// fail returns the ParseError for problem p in a policy of kind k.
func fail(k Kind, p problem, arg string) error {
	msg := messages[p][k-1]
	for i := 0; i < len(msg); i++ {
		if msg[i] == '%' {
			return malformedf(msg, arg)
		}
	}
	return malformed(msg)
}
