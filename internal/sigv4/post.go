package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// PostForm holds the authentication fields of a browser POST upload (POST Object), as
// the form sent them. Field names are matched case-insensitively by the caller.
type PostForm struct {
	Policy string // "policy": the base64 policy document exactly as sent; it is the string signed

	// Signature Version 4 fields.
	Algorithm  string // "x-amz-algorithm"
	Credential string // "x-amz-credential": AKID/YYYYMMDD/region/s3/aws4_request
	Date       string // "x-amz-date": ISO 8601 basic, its day must equal the credential's
	Signature  string // "x-amz-signature": hex HMAC-SHA256 of Policy under the SigV4 signing key

	// Signature Version 2 fields.
	AccessKeyID string // "AWSAccessKeyId"
	SignatureV2 string // "signature": base64 HMAC-SHA1 of Policy under the secret

	SecurityToken string // "x-amz-security-token", "" if absent; not checked here (as Verify)
}

// ErrPostFieldMissing: 400 InvalidArgument, "Bucket POST must contain a field named
// '<name>'.  If it is specified, please check the order of the fields.", with
// ArgumentName <name> and an empty ArgumentValue. Always returned as a *PostFieldError.
var ErrPostFieldMissing = errors.New("sigv4: POST form lacks an authentication field")

// ErrPostUnsigned: 403 AccessDenied, "Access Denied": a POST form with a policy but none
// of the fields that sign it.
var ErrPostUnsigned = errors.New("sigv4: POST policy without a signature")

// PostFieldError is ErrPostFieldMissing naming the field, spelled as S3 spells it in
// ArgumentName (X-Amz-Credential, AWSAccessKeyId, Signature, Policy, ...).
type PostFieldError struct{ Field string }

func (e *PostFieldError) Error() string { return ErrPostFieldMissing.Error() + ": " + e.Field }

// Unwrap returns ErrPostFieldMissing.
func (e *PostFieldError) Unwrap() error { return ErrPostFieldMissing }

// Detail is AWS's message for the case.
func (e *PostFieldError) Detail() string {
	return "Bucket POST must contain a field named '" + e.Field + "'.  If it is specified, please check the order of the fields."
}

// VerifyPostPolicy authenticates a POST Object form: the signature covers the base64
// policy string and nothing else, so the caller must then enforce the policy (expiration,
// conditions) against the form. A form with neither a policy nor any signing field is
// anonymous (Method AuthNone, nil error): the caller decides, as Verify's callers do.
//
// A form with any SigV4 field (x-amz-algorithm, -credential, -date, -signature) is SigV4
// and must carry all four; otherwise one with AWSAccessKeyId or signature is SigV2 and must
// carry both (refused with ErrUnsupportedAlgorithm unless v.SigV2). A missing field gives a
// *PostFieldError; a policy with no signing field ErrPostUnsigned; signing fields without a
// policy a *PostFieldError for Policy. The credential is checked as a presigned URL's
// (AuthorizationQueryParametersError with AWS's X-Amz-Credential messages; the service
// must be s3 and the region the server's). Signatures are compared in constant time; an
// unknown key gives the Credentials' error (ErrInvalidAccessKeyID), a wrong signature
// ErrSignatureDoesNotMatch. x-amz-date is not checked against the clock: a POST form's
// lifetime is its policy's expiration.
//
// The Result has Method AuthPostForm, Service "s3", Payload PayloadUnsigned, Version SigV4
// or SigV2, and a nil Body: the caller reads the form itself.
func (v *Verifier) VerifyPostPolicy(ctx context.Context, f PostForm) (*Result, error) {
	isV4 := f.Algorithm != "" || f.Credential != "" || f.Date != "" || f.Signature != ""
	isV2 := f.AccessKeyID != "" || f.SignatureV2 != ""
	switch {
	case !isV4 && !isV2 && f.Policy == "":
		return &Result{Method: AuthNone, ContentLength: -1, Trailer: noTrailer}, nil
	case !isV4 && !isV2:
		return nil, ErrPostUnsigned
	case isV4:
		return v.postV4(ctx, f)
	}
	return v.postV2(ctx, f)
}

func (v *Verifier) postV4(ctx context.Context, f PostForm) (*Result, error) {
	for _, c := range [...]struct{ name, val string }{
		{"X-Amz-Algorithm", f.Algorithm}, {"X-Amz-Credential", f.Credential},
		{"X-Amz-Date", f.Date}, {"X-Amz-Signature", f.Signature}, {"Policy", f.Policy},
	} {
		if c.val == "" {
			return nil, &PostFieldError{Field: c.name}
		}
	}
	if f.Algorithm != algorithm {
		return nil, detail(ErrUnsupportedAlgorithm, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	cs, reason := parseCredential(f.Credential)
	if reason != "" {
		return nil, queryError(msgCredPrefix + reason)
	}
	if cs.service != "s3" {
		return nil, queryError(msgCredPrefix + "incorrect service " + quote(cs.service) + `. This endpoint belongs to "s3".`)
	}
	if !v.regionOK(cs) {
		return nil, queryError(msgCredPrefix + "the region '" + clean(cs.region) + "' is wrong; expecting '" + v.Region + "'")
	}
	t, ok := parseAmzDate(f.Date)
	if !ok {
		return nil, queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	if cs.date != f.Date[:8] {
		return nil, queryError("Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	secret, err := v.lookup(ctx, cs.accessKey)
	if err != nil {
		return nil, err
	}
	var provided [32]byte
	n, err := hex.Decode(provided[:], []byte(f.Signature[:min(len(f.Signature), 64)]))
	m := hmac.New(sha256.New, defaultKeys.SigningKey(secret, cs.date, cs.region, cs.service))
	m.Write([]byte(f.Policy))
	var want [32]byte
	m.Sum(want[:0])
	if !hmac.Equal(want[:], provided[:]) || err != nil || n != 32 || len(f.Signature) != 64 {
		return nil, ErrSignatureDoesNotMatch
	}
	return postResult(SigV4, cs.accessKey, cs.region, t, f.SecurityToken), nil
}

func (v *Verifier) postV2(ctx context.Context, f PostForm) (*Result, error) {
	if !v.SigV2 {
		return nil, ErrUnsupportedAlgorithm
	}
	for _, c := range [...]struct{ name, val string }{
		{"AWSAccessKeyId", f.AccessKeyID}, {"Signature", f.SignatureV2}, {"Policy", f.Policy},
	} {
		if c.val == "" {
			return nil, &PostFieldError{Field: c.name}
		}
	}
	secret, err := v.lookup(ctx, f.AccessKeyID)
	if err != nil {
		return nil, err
	}
	if !v2SignatureOK(secret, []byte(f.Policy), f.SignatureV2) {
		return nil, ErrSignatureDoesNotMatch
	}
	return postResult(SigV2, f.AccessKeyID, v.Region, v.now().UTC(), f.SecurityToken), nil
}

func postResult(ver SignatureVersion, ak, region string, t time.Time, token string) *Result {
	return &Result{
		Method:        AuthPostForm,
		Version:       ver,
		AccessKeyID:   ak,
		Service:       "s3",
		Region:        region,
		SignedAt:      t,
		Payload:       PayloadUnsigned,
		SecurityToken: token,
		ContentLength: -1,
		Trailer:       noTrailer,
	}
}

// v2SignatureOK reports, in constant time, whether sig is the base64 HMAC-SHA1 of
// stringToSign under secret.
func v2SignatureOK(secret string, stringToSign []byte, sig string) bool {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(stringToSign)
	var want [sha1.Size]byte
	m.Sum(want[:0])
	var got [sha1.Size + 3]byte // room for a decoder that writes a little past 20 bytes
	n, err := base64.StdEncoding.Decode(got[:], []byte(sig[:min(len(sig), 28)]))
	return hmac.Equal(want[:], got[:sha1.Size]) && err == nil && n == sha1.Size && len(sig) == 28
}

// lookup resolves an access key's secret through v.Creds.
func (v *Verifier) lookup(ctx context.Context, ak string) (string, error) {
	if v.Creds == nil {
		return "", ErrInvalidAccessKeyID
	}
	return v.Creds.Lookup(ctx, ak)
}
