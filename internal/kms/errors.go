package kms

import (
	"errors"
	"fmt"

	"github.com/arcastore/arca/internal/errs"
)

// Sentinel errors. Every error the Service returns is one of these (possibly carrying an
// AWS-worded message, as an *errs.E) or a storage failure. internal/apierr maps each to its AWS
// KMS exception; the comment names it.
var (
	ErrNotFound             = errors.New("kms: not found")                     // NotFoundException
	ErrAlreadyExists        = errors.New("kms: already exists")                // AlreadyExistsException
	ErrDisabled             = errors.New("kms: key is disabled")               // DisabledException
	ErrInvalidState         = errors.New("kms: key state does not allow this") // KMSInvalidStateException
	ErrInvalidCiphertext    = errors.New("kms: invalid ciphertext")            // InvalidCiphertextException, always with an empty message
	ErrIncorrectKey         = errors.New("kms: incorrect key")                 // IncorrectKeyException
	ErrAccessDenied         = errors.New("kms: access denied")                 // AccessDeniedException
	ErrNotAuthorized        = errors.New("kms: not authorized")                // NotAuthorizedException (reserved alias/aws/ names)
	ErrInvalidAliasName     = errors.New("kms: invalid alias name")            // InvalidAliasNameException
	ErrLimitExceeded        = errors.New("kms: limit exceeded")                // LimitExceededException
	ErrUnsupported          = errors.New("kms: unsupported operation")         // UnsupportedOperationException
	ErrMalformedPolicy      = errors.New("kms: malformed policy document")     // MalformedPolicyDocumentException
	ErrTag                  = errors.New("kms: invalid tags")                  // TagException
	ErrValidation           = errors.New("kms: validation error")              // ValidationException
	ErrInvalidMarker        = errors.New("kms: invalid marker")                // InvalidMarkerException
	ErrInvalidGrantID       = errors.New("kms: invalid grant id")              // InvalidGrantIdException
	ErrInvalidGrantToken    = errors.New("kms: invalid grant token")           // InvalidGrantTokenException
	ErrInvalidKeyUsage      = errors.New("kms: invalid key usage")             // InvalidKeyUsageException
	ErrThrottled            = errors.New("kms: request rate exceeded")         // ThrottlingException
	ErrDryRun               = errors.New("kms: dry run")                       // DryRunOperationException
	ErrInvalidArn           = errors.New("kms: invalid arn")                   // InvalidArnException
	ErrStoreFailed          = errors.New("kms: keystore write failed")         // KMSInternalException
	ErrWrongRootKey         = errors.New("kms: the root key is not the one that sealed this keystore")
	errDestroyedDuringWrite = errors.New("kms: key was destroyed")
)

// ErrKeyUnavailable answers every request that names a key, or an alias, whose stored
// record is damaged (stored.go): KMSInvalidStateException, as AWS answers for a key in the
// Unavailable state, since the key exists but cannot be used until an operator acts.
var ErrKeyUnavailable = fmt.Errorf("%w: its stored record is damaged", ErrInvalidState)

// Error is the one shape of an error carrying AWS's message (errs.E); the name stays for
// the keystore code that tests for it.
type Error = errs.E

// Message returns the client-facing message an error carries, "" if none.
func Message(err error) string { return errs.Message(err) }

func errf(sentinel error, format string, args ...any) error {
	return errs.Newf(sentinel, format, args...)
}

// validation builds AWS's "1 validation error detected: …" message.
func validation(value, field, constraint string) error {
	return errf(ErrValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

// required is AWS's message for a missing required member.
func required(field string) error {
	return errf(ErrValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

// Messages used in several places, as AWS words them.
func msgDisabled(arn string) error { return errf(ErrDisabled, "%s is disabled.", arn) }
func msgPending(arn string) error  { return errf(ErrInvalidState, "%s is pending deletion.", arn) }
func msgKeyNotExist(arn string) error {
	return errf(ErrNotFound, "Key '%s' does not exist", arn)
}

func msgUnavailable(arn string) error {
	return errf(ErrKeyUnavailable, "%s is unavailable.", arn)
}

const msgUnknownCiphertextKey = "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access."
