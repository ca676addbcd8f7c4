// Package cse is client-side encryption for any S3-compatible store, compatible with the
// Amazon S3 Encryption Client (S3EC): objects are encrypted before they leave the
// process and decrypted after they come back, so the server (Arca, AWS S3 or any other)
// only ever holds ciphertext and a wrapped data key. Objects written here are read by the
// official clients, and objects they write are read here.
//
// # Use
//
// Build a Keyring (NewKMSKeyring for a KMS key, NewAESKeyring for a raw AES-256 master
// key, NewRSAKeyring for an RSA key pair, NewMultiKeyring to rotate between them), wrap
// an aws-sdk-go-v2 S3 client with New, then call Put and Get (or GetFile). Put streams:
// bodies larger than memory go up as multipart uploads whose parts are cut in order from
// one GCM stream and sent in parallel, with memory bounded by Options.Concurrency ×
// Options.PartSize. Get streams too, with ranged GETs in parallel; GetFile writes to a
// temporary file that becomes the target only after the object has authenticated.
//
// # Formats
//
// Two content suites are written, chosen by the CommitmentPolicy:
//
//   - SuiteGCM (V2 metadata: x-amz-key-v2, x-amz-iv, x-amz-matdesc, x-amz-wrap-alg,
//     x-amz-cek-alg, x-amz-tag-len, x-amz-unencrypted-content-length): AES-256-GCM under
//     the data key with a random 12-byte IV; the body is ciphertext then the 16-byte tag.
//   - SuiteCommittingGCM (V3 metadata: x-amz-c, x-amz-3, x-amz-w, x-amz-m or x-amz-t,
//     x-amz-d, x-amz-i): HKDF-SHA512 of the data key salted with a random 28-byte message
//     ID gives the content key and a 28-byte key commitment; the reader checks the
//     commitment in constant time before decrypting anything.
//
// Metadata is stored as user metadata or, with Options.InstructionFile, in the separate
// object <key>.instruction (in V3 the x-amz-c, x-amz-d and x-amz-i entries always stay
// with the object). Both places, both formats and non-ASCII descriptions in S3's double
// encoding are read. docs/CLIENT-SIDE.md gives the byte-level layout.
//
// # Errors
//
// Failures to read an object wrap one of ErrNotEncrypted, ErrMalformed, ErrUnsupported,
// ErrWrongKey, ErrAuthentication, ErrContextMismatch or ErrCommitmentPolicy. Crypto
// failures are opaque beyond that class.
//
// # Stability
//
// The formats are the S3EC's and do not change. The API may still grow; existing names
// keep their meaning. Not supported: reading V1 objects and the legacy AES/CBC, AES/CTR,
// kms (without context), AESWrap and RSA-OAEP-SHA256 algorithms (ErrUnsupported), and
// ranged reads of plaintext.
package cse
