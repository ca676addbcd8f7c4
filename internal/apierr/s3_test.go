package apierr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sigv4"
)

var s3Tests = []struct {
	name   string
	err    error
	code   string
	status int
	msg    string
}{
	{"no such key", meta.ErrNoSuchKey, "NoSuchKey", 404, "The specified key does not exist."},
	{"wrapped", fmt.Errorf("ctx: %w", meta.ErrNoSuchBucket), "NoSuchBucket", 404, "The specified bucket does not exist"},
	{"bucket exists", meta.ErrBucketExists, "BucketAlreadyOwnedByYou", 409, ""},
	{"signature", sigv4.ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", 403, ""},
	{"expired", sigv4.ErrRequestExpired, "AccessDenied", 403, "Request has expired"},
	{"detail", &sigv4.DetailError{Err: sigv4.ErrAuthorizationHeaderMalformed, Detail: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'"},
		"AuthorizationHeaderMalformed", 400, "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'"},
	{"no date", &sigv4.DetailError{Err: sigv4.ErrDateRequired, Detail: "AWS authentication requires a valid Date or x-amz-date header"},
		"AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header"},
	{"two mechanisms", &sigv4.DetailError{Err: sigv4.ErrMultipleAuth, Detail: "Only one auth mechanism allowed; x"},
		"InvalidArgument", 400, "Only one auth mechanism allowed; x"},
	{"wire error passes", BadDigest.Msg("The CRC32 you specified did not match the calculated checksum."), "BadDigest", 400, "The CRC32 you specified did not match the calculated checksum."},
	{"kms not found", errs.New(kms.ErrNotFound, "Invalid keyId 'fake-key-id'"), "KMS.NotFoundException", 400, "Invalid keyId 'fake-key-id'"},
	{"kms disabled", errs.New(kms.ErrDisabled, "arn:aws:kms:us-east-1:111122223333:key/k is disabled."), "KMS.DisabledException", 400, "arn:aws:kms:us-east-1:111122223333:key/k is disabled."},
	{"kms access denied", kms.ErrAccessDenied, "AccessDenied", 403, "Access Denied"},
	{"kms storage failure stays internal", kms.ErrStoreFailed, "InternalError", 500, ""},
	{"unknown is opaque", errors.New("open /data/blobs/ab/secret-path: permission denied"), "InternalError", 500, "We encountered an internal error. Please try again."},
	{"the sentinel decides, not the text", &sigv4.DetailError{Err: sigv4.ErrMissingSecurityHeader, Detail: "AWS authentication requires a valid Date or x-amz-date header"},
		"MissingSecurityHeader", 400, "AWS authentication requires a valid Date or x-amz-date header"},
	{"denial", errs.New(authz.ErrDenied, "User: arn:aws:iam::1:user/a is not authorized"), "AccessDenied", 403, "User: arn:aws:iam::1:user/a is not authorized"},
	{"kms throttled keeps S3's words", errs.New(kms.ErrThrottled, "You have exceeded the rate at which you may call KMS."), "SlowDown", 503, "Please reduce your request rate for operations involving AWS KMS."},
	{"lockout is not a KMS exception here", authz.ErrKeyPolicyLockout, "InternalError", 500, "We encountered an internal error. Please try again."},
}

func TestS3Mapping(t *testing.T) {
	for _, tt := range s3Tests {
		e := S3(tt.err)
		if e.Code != tt.code || e.StatusCode() != tt.status || (tt.msg != "" && e.Message != tt.msg) {
			t.Errorf("%s: got %s %d %q", tt.name, e.Code, e.StatusCode(), e.Message)
		}
	}
	// Mapping must not mutate the shared definitions.
	if NoSuchKey.Cause != nil || AccessDenied.Message != "Access Denied" {
		t.Fatal("a shared error definition was modified")
	}
}
