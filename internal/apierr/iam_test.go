package apierr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/sigv4"
)

var iamMapTests = []struct {
	err            error
	code, msg, typ string
	status         int
}{
	{errs.New(iam.ErrNotFound, "The user with name bob cannot be found."), "NoSuchEntity", "The user with name bob cannot be found.", "Sender", 404},
	{errs.New(iam.ErrAlreadyExists, "m"), "EntityAlreadyExists", "m", "Sender", 409},
	{errs.New(iam.ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2"), "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", "Sender", 409},
	{errs.New(iam.ErrDeleteConflict, "m"), "DeleteConflict", "m", "Sender", 409},
	{errs.New(iam.ErrMalformedPolicy, "Syntax errors in policy."), "MalformedPolicyDocument", "Syntax errors in policy.", "Sender", 400},
	{errs.New(iam.ErrValidation, "m"), "ValidationError", "m", "Sender", 400},
	{errs.New(iam.ErrInvalidInput, "m"), "InvalidInput", "m", "Sender", 400},
	{iam.ErrKeyInactive, "InvalidClientTokenId", "The security token included in the request is invalid.", "Sender", 403},
	{sigv4.ErrInvalidAccessKeyID, "InvalidClientTokenId", "The security token included in the request is invalid.", "Sender", 403},
	{sigv4.ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", IAMSignatureDoesNotMatch.Message, "Sender", 403},
	{&sigv4.DetailError{Err: sigv4.ErrAuthorizationHeaderMalformed, Detail: "bad region"}, "IncompleteSignature", "bad region", "Sender", 400},
	{IAMAccessDenied.WithMessage("no"), "AccessDenied", "no", "Sender", 403},
	{errs.New(authz.ErrDenied, "User: u is not authorized to perform: iam:GetUser"), "AccessDenied", "User: u is not authorized to perform: iam:GetUser", "Sender", 403},
	{&sigv4.DetailError{Err: sigv4.ErrMalformedChunk, Detail: "chunk detail"}, "MalformedQueryString", "The request body is not valid aws-chunked encoding.", "Sender", 400},
	{fmt.Errorf("disk on fire: %w", errors.New("secret detail")), "ServiceFailure", IAMServiceFailure.Message, "Receiver", 500},
}

func TestIAMMapping(t *testing.T) {
	for _, tc := range iamMapTests {
		w := IAM(tc.err)
		if w.Code != tc.code || w.Message != tc.msg || w.Status != tc.status || w.Type() != tc.typ {
			t.Errorf("IAM(%v) = %s %q %d %s", tc.err, w.Code, w.Message, w.Status, w.Type())
		}
	}
	if IAM(nil) != nil {
		t.Error("IAM(nil) != nil")
	}
}
