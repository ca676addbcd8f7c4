package cse

import "errors"

// The errors below are the package's whole vocabulary for why an object cannot be read.
// Every error returned by Get, GetFile and the keyrings that is about the object (rather
// than, say, the network) wraps exactly one of them, so callers can use errors.Is. Crypto
// failures say which class they belong to and nothing more: never which byte or which
// check failed.
var (
	// ErrNotEncrypted means the object carries no client-side encryption metadata and has
	// no instruction file: it was not written by an S3 Encryption Client.
	ErrNotEncrypted = errors.New("cse: object has no client-side encryption metadata")

	// ErrMalformed means encryption metadata is present but cannot be parsed: bad base64,
	// wrong lengths, invalid JSON, or keys of two format versions mixed together.
	ErrMalformed = errors.New("cse: malformed encryption metadata")

	// ErrUnsupported means the metadata is well formed but names a legacy format or
	// algorithm this package does not read (V1 metadata, AES/CBC or AES/CTR content, the
	// kms, AESWrap or RSA-OAEP-SHA256 wrapping algorithms).
	ErrUnsupported = errors.New("cse: unsupported encryption format")

	// ErrWrongKey means no key in the keyring could unwrap the object's data key: the
	// object was written under another master key (or another wrapping algorithm).
	ErrWrongKey = errors.New("cse: no key in the keyring can decrypt the object's data key")

	// ErrAuthentication means the object failed authentication: its body, IV, message ID,
	// key commitment or wrapped key was altered after it was written. No plaintext of such
	// an object is ever released as final output.
	ErrAuthentication = errors.New("cse: object failed authentication")

	// ErrContextMismatch means the encryption context the caller required differs from
	// the one the object was written with.
	ErrContextMismatch = errors.New("cse: encryption context does not match")

	// ErrCommitmentPolicy means the commitment policy forbids the operation: reading an
	// object without key commitment under RequireEncryptRequireDecrypt.
	ErrCommitmentPolicy = errors.New("cse: commitment policy forbids this object")
)
