package main

import (
	"errors"
	"fmt"

	"github.com/arcastore/arca/pkg/cse"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// hintError is a failure that is not a usage mistake (exit 1) but still deserves a hint;
// report prints its text after "arca: error: ", so the hint rides on the second line.
type hintError struct {
	msg, hint string
	err       error
}

func (e *hintError) Error() string { return e.msg + "\narca: hint: " + e.hint }
func (e *hintError) Unwrap() error { return e.err }

// explain turns the library's error classes into messages for people.
func explain(err error, src, dst location) error {
	obj := src
	if !src.isS3() {
		obj = dst
	}
	nothing := "nothing was written"
	if !dst.isS3() && dst.path != "-" {
		nothing = fmt.Sprintf("%s was not written", dst.path)
	} else if src.isS3() && dst.isS3() {
		nothing = fmt.Sprintf("%s was not written", dst)
	}
	h := func(msg, hint string) error { return &hintError{msg: msg, hint: hint, err: err} }
	var nsk *types.NoSuchKey
	var nsb *types.NoSuchBucket
	var ae smithy.APIError
	switch {
	case errors.Is(err, cse.ErrAuthentication):
		return h(fmt.Sprintf("%s failed authentication: the object or its encryption metadata was altered after it was written (or is corrupt)", obj),
			nothing+"; restore the object from a trusted copy or an earlier version")
	case errors.Is(err, cse.ErrWrongKey):
		return h(fmt.Sprintf("cannot decrypt %s: none of the given keys can unwrap its data key", obj),
			"it was encrypted under another master key: pass that one with --kms-key-id, --master-key-file or --rsa-key-file (they may be repeated), or --kms-any-key")
	case errors.Is(err, cse.ErrNotEncrypted):
		return h(fmt.Sprintf("%s is not a client-side encrypted object: it has no x-amz-key-v2 or x-amz-3 metadata and no %s%s",
			obj, obj, cse.InstructionSuffix), "read it with any S3 client (aws s3 cp) instead, or check the key name")
	case errors.Is(err, cse.ErrMalformed):
		return h(fmt.Sprintf("%s has damaged encryption metadata (%v)", obj, err),
			nothing+"; the metadata or its instruction file was altered or truncated: restore them from a trusted copy")
	case errors.Is(err, cse.ErrCommitmentPolicy):
		return h(fmt.Sprintf("%s is a V2 object without key commitment, and the commitment policy REQUIRE_ENCRYPT_REQUIRE_DECRYPT forbids reading it", obj),
			fmt.Sprintf("read it with --commitment-policy REQUIRE_ENCRYPT_ALLOW_DECRYPT; 'arca cse cp %s %s' re-encrypts it with key commitment", obj, obj))
	case errors.Is(err, cse.ErrUnsupported):
		return h(fmt.Sprintf("%s uses a legacy format this tool does not read (%v)", obj, err),
			"decrypt it with the client that wrote it, then store it again with 'arca cse put'")
	case errors.Is(err, cse.ErrContextMismatch):
		return h(fmt.Sprintf("%s was encrypted with a different encryption context than --context", obj),
			"pass the context it was written with, or leave out --context")
	case errors.As(err, &nsk), errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey":
		return h(fmt.Sprintf("%s does not exist", obj), "check the bucket and key (aws s3 ls s3://"+obj.bucket+"/)")
	case errors.As(err, &nsb), errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket":
		return h(fmt.Sprintf("bucket %s does not exist", obj.bucket), "create it first (aws s3 mb s3://"+obj.bucket+")")
	case errors.As(err, &ae) && (ae.ErrorCode() == "AccessDenied" || ae.ErrorCode() == "InvalidAccessKeyId" ||
		ae.ErrorCode() == "SignatureDoesNotMatch" || ae.ErrorCode() == "AccessDeniedException"):
		return h(err.Error(), "check the credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...), the endpoint (--endpoint-url) and the key policy")
	}
	return err
}
