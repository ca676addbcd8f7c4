// Package kms is Arca's key management service: symmetric keys with versioned material,
// aliases, key policies and grants (stored and validated), tags, key states, automatic
// and on-demand rotation, scheduled deletion, and the cryptographic operations, all with
// AWS KMS semantics and error texts. It knows nothing of HTTP; internal/kmsapi speaks the
// AWS KMS JSON protocol on top of it, and the SSE layer calls it in process.
//
// Entry points: Open a Service over the shared store (a kv.DB) with the root key
// (internal/rootkey): one account's keystore; OpenKeystores opens every account's
// (Keystores: the primary account's in today's buckets, another's in buckets named with its
// id, created on first use; docs/KMS.md "Accounts"). Every operation takes a context and the calling Principal. The SSE
// layer uses EnsureAWSManagedKey (aws/s3), GenerateDataKey and Decrypt, and Subscribe to
// drop cached data keys when a key is disabled, scheduled for deletion, destroyed or
// rotated.
//
// Promises: the ciphertext blob format and the encryption-context canonical form
// (docs/KMS.md) are stable; blobs made by any version decrypt with later ones. Key material
// is sealed under the root key before it is written and is never logged; unsealed
// material lives only in memory and is zeroed when a key is destroyed. Every stored
// record (a key's metadata, policy, grants and state; an alias; a recovery marker) is
// authenticated with the metadata file's record key (Config.RecordKey, stored.go): one
// that fails authentication costs that key or alias only, which answers ErrKeyUnavailable
// (KMSInvalidStateException). Every administrative change is durable before it returns; cryptographic operations write
// nothing. Errors are the sentinels of errors.go, optionally wrapped in *Error with AWS's
// message; internal/apierr maps them to the wire.
package kms
