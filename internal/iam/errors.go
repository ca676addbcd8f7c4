package iam

import (
	"errors"
	"fmt"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/recauth"
)

// Sentinel errors. Every error a Store method returns is one of these (usually wrapped in
// an *errs.E carrying AWS's message) or a storage failure. internal/apierr maps each to its
// IAM error code; the comment names it.
var (
	ErrNotFound        = errors.New("iam: no such entity")            // NoSuchEntity (404)
	ErrAlreadyExists   = errors.New("iam: entity already exists")     // EntityAlreadyExists (409)
	ErrLimitExceeded   = errors.New("iam: limit exceeded")            // LimitExceeded (409)
	ErrDeleteConflict  = errors.New("iam: delete conflict")           // DeleteConflict (409)
	ErrMalformedPolicy = errors.New("iam: malformed policy document") // MalformedPolicyDocument (400)
	ErrValidation      = errors.New("iam: validation error")          // ValidationError (400)
	ErrInvalidInput    = errors.New("iam: invalid input")             // InvalidInput (400)
	ErrKeyInactive     = errors.New("iam: access key is inactive")    // only from LookupAccessKey: the server answers InvalidAccessKeyId
	ErrWrongRootKey    = errors.New("iam: the root key does not open the stored access keys")
)

// ErrDamagedRecord is returned for any request naming an entity whose stored record fails
// authentication or does not decode (stored.go): edited outside Arca, or a disk fault. It
// has no IAM error code of its own, so it reaches the client as ServiceFailure (500), as a
// damaged object is S3's InternalError; an access key of a damaged user or a damaged
// access key does not authenticate at all.
var ErrDamagedRecord = recauth.ErrDamaged

// damaged is ErrDamagedRecord naming the entity, for logs.
func damaged(what, name string) error {
	return fmt.Errorf("iam: %s %s: %w", what, name, ErrDamagedRecord)
}

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

func quota(name string, n int) error {
	return errf(ErrLimitExceeded, "Cannot exceed quota for %s: %d", name, n)
}

func deleteConflict(what string) error {
	return errf(ErrDeleteConflict, "Cannot delete entity, must %s first.", what)
}

// Messages used in several places, as AWS words them.
func noSuchUser(name string) error {
	return errf(ErrNotFound, "The user with name %s cannot be found.", name)
}

func noSuchGroup(name string) error {
	return errf(ErrNotFound, "The group with name %s cannot be found.", name)
}

func noSuchKey(id string) error {
	return errf(ErrNotFound, "The Access Key with id %s cannot be found.", id)
}

func noSuchPolicy(arn string) error { return errf(ErrNotFound, "Policy %s was not found.", arn) }

func notAttachable(arn string) error {
	return errf(ErrNotFound, "Policy %s does not exist or is not attachable.", arn)
}
