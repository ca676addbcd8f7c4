// Package sigv4 authenticates incoming AWS Signature Version 4 requests for
// Arca's S3-compatible endpoint, which also serves KMS, IAM and STS. Build a
// Verifier with a Credentials lookup and the server's region, call Verify on
// each request, and read the payload through Result.Body instead of r.Body.
// Verify accepts header-signed and presigned (query) requests exactly as
// aws-sdk-go-v2, botocore/boto3 and the aws CLI send them, every payload
// mode S3 defines (hex SHA-256, UNSIGNED-PAYLOAD and the three aws-chunked
// streaming modes), and returns Method == AuthNone with a nil error for
// anonymous requests; anything else fails with one of the package's
// sentinel errors (test with errors.Is), sometimes wrapped in a *DetailError
// carrying AWS's exact message. What is promised: signatures are compared in
// constant time; no secret, signing key or expected signature ever appears in
// an error; a signed request carrying an x-amz-* header its signature does not
// list is refused (x-amz-content-sha256 on a presigned request excepted); an
// aws-chunked body whose chunks before the last hold under 8 KiB fails;
// Result.Body never hands out a byte of an aws-chunked chunk whose
// signature has not been verified, checks the whole-body SHA-256 before
// reporting io.EOF, and bounds what it buffers (one chunk of at most 16 MiB,
// or 1 MiB of a small non-S3 body). A caller must treat any error from
// Result.Body other than io.EOF as a failure of the whole request.
// With Verifier.SigV2 set, Verify also accepts S3's Signature Version 2
// ("AWS AKID:signature" headers and AWSAccessKeyId/Signature/Expires URLs), in
// which every x-amz-* header is signed by construction; Result.Version says
// which version signed. VerifyPostPolicy checks a POST Object form's policy
// signature (SigV4 or SigV2). SigningKey and KeyCache expose the key derivation
// Verify uses. The rules are described for clients in docs/AUTH.md.
package sigv4
