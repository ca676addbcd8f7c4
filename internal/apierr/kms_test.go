package apierr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/sigv4"
)

var kmsMapTests = []struct {
	err    error
	typ    string
	status int
	msg    string
}{
	{errs.New(kms.ErrNotFound, "Invalid keyId 'x'"), "NotFoundException", 400, "Invalid keyId 'x'"},
	{errs.New(kms.ErrDisabled, "arn is disabled."), "DisabledException", 400, "arn is disabled."},
	{errs.New(kms.ErrInvalidCiphertext, "must not leak"), "InvalidCiphertextException", 400, ""},
	{kms.ErrInvalidCiphertext, "InvalidCiphertextException", 400, ""},
	{kms.ErrNotAuthorized, "NotAuthorizedException", 400, ""},
	{kms.ErrDryRun, "DryRunOperationException", 412, "The request would have succeeded, but the DryRun option is set."},
	{fmt.Errorf("wrapped: %w", errs.New(kms.ErrThrottled, "slow down")), "ThrottlingException", 400, "slow down"},
	{sigv4.ErrInvalidAccessKeyID, "UnrecognizedClientException", 400, "The security token included in the request is invalid."},
	{sigv4.ErrSignatureDoesNotMatch, "InvalidSignatureException", 400, "-"},
	{&sigv4.DetailError{Err: sigv4.ErrAuthorizationHeaderMalformed, Detail: "The authorization header is malformed; x"}, "IncompleteSignatureException", 400, "The authorization header is malformed; x"},
	{KMSUnknownOperation, "UnknownOperationException", 400, ""},
	{fmt.Errorf("%w: disk on fire at /dev/sda", kms.ErrStoreFailed), "KMSInternalException", 500, ""},
	{errors.New("anything else"), "KMSInternalException", 500, ""},
	{errs.New(authz.ErrDenied, "User: u is not authorized to perform: kms:Decrypt"), "AccessDeniedException", 400, "User: u is not authorized to perform: kms:Decrypt"},
	{authz.ErrKeyPolicyLockout, "MalformedPolicyDocumentException", 400, "The new key policy will not allow you to update the key policy in the future."},
	{&sigv4.DetailError{Err: sigv4.ErrDateRequired, Detail: "AWS authentication requires a valid Date or x-amz-date header"}, "IncompleteSignatureException", 400, "AWS authentication requires a valid Date or x-amz-date header"},
}

func TestKMSMapping(t *testing.T) {
	for _, tc := range kmsMapTests {
		got := KMS(tc.err)
		if got.Type != tc.typ || got.Status != tc.status || tc.msg != "-" && got.Message != tc.msg {
			t.Errorf("%v: got %s %d %q, want %s %d %q", tc.err, got.Type, got.Status, got.Message, tc.typ, tc.status, tc.msg)
		}
	}
	if KMS(nil) != nil {
		t.Error("nil maps to nil")
	}
}
