package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
)

// PrincipalOf is the KMS caller for an authenticated identity. An anonymous S3 request
// (zero Identity) calls KMS in accountID, the account that owns the data.
func PrincipalOf(id iam.Identity, accountID string) kms.Principal {
	if id.AccountID == "" {
		return kms.Principal{AccountID: accountID}
	}
	return kms.Principal{AccountID: id.AccountID, ARN: id.ARN, AccessKeyID: id.AccessKeyID}
}

// ForS3 is the KMS as S3 calls it for SSE-KMS on behalf of the caller id (tls: whether the
// S3 request came over HTTPS), with kms:ViaService = s3.<region>.amazonaws.com. Every
// call, including one a cached bucket key saves (Authorize), is decided as that caller, so
// an SSE-KMS read needs kms:Decrypt as well as s3:GetObject; every call S3 makes is
// recorded as a KMS event of that caller, invoked by S3. It has the method set of sse.KMS.
func (a *API) ForS3(id iam.Identity, tls bool) *S3Caller {
	p := PrincipalOf(id, a.cfg.AccountID)
	p.ViaService = "s3." + a.cfg.Region + ".amazonaws.com"
	return &S3Caller{a: a, p: p, id: id, tls: tls}
}

// S3Caller is the KMS bound to one S3 caller (see ForS3).
type S3Caller struct {
	a   *API
	p   kms.Principal
	id  iam.Identity
	tls bool
}

// awsManagedS3 is the AWS-managed key SSE-KMS uses when no key is named.
const awsManagedS3 = "alias/aws/s3"

// GenerateDataKey returns a 32-byte data key under keyID ("" = aws/s3), its ciphertext
// blob and the key's ARN.
func (k *S3Caller) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	if keyID == "" {
		md, err := k.a.svc.EnsureAWSManagedKey(ctx, awsManagedS3)
		if err != nil {
			return nil, nil, "", err
		}
		keyID = md.ARN
	}
	if err := k.Authorize(ctx, "kms:GenerateDataKey", keyID, ec); err != nil {
		k.record(ctx, "GenerateDataKey", keyID, ec, err)
		return nil, nil, "", err
	}
	dk, err := k.a.svc.GenerateDataKey(ctx, k.p, keyID, ec, 32)
	k.record(ctx, "GenerateDataKey", keyID, ec, err)
	if err != nil {
		return nil, nil, "", err
	}
	return dk.Plaintext, dk.Ciphertext, dk.KeyARN, nil
}

// Decrypt returns the plaintext of a blob made by GenerateDataKey with ec.
func (k *S3Caller) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, error) {
	keyRef := kms.CiphertextKeyID(blob)
	if err := k.Authorize(ctx, "kms:Decrypt", keyRef, ec); err != nil {
		k.record(ctx, "Decrypt", keyRef, ec, err)
		return nil, err
	}
	d, err := k.a.svc.Decrypt(ctx, k.p, blob, ec)
	k.record(ctx, "Decrypt", keyRef, ec, err)
	if err != nil {
		return nil, err
	}
	return d.Plaintext, nil
}

// Authorize decides action on the key for the S3 caller via S3. The bucket-key cache calls
// it on every hit (a key that stops being usable empties the cache through KMS events).
func (k *S3Caller) Authorize(ctx context.Context, action, keyRef string, ec map[string]string) error {
	if k.a.authz == nil {
		return nil
	}
	return k.a.authz.Key(ctx, k.id, authz.KeyCheck{Action: action, Ref: keyRef, Alias: true, Via: k.p.ViaService, EC: ec, TLS: k.tls})
}

// s3Service is the invokedBy, source address and user agent of the KMS calls S3 makes.
const s3Service = "s3.amazonaws.com"

// record writes the audit record of a KMS call S3 made for SSE-KMS on the caller's behalf:
// its own record, with the caller's identity, invokedBy S3 and the encryption context.
// Like every KMS cryptographic call it is a read-only management event, group-committed.
func (k *S3Caller) record(ctx context.Context, op, keyRef string, ec map[string]string, err error) {
	if k.a.audit == nil {
		return
	}
	rec := &audit.Record{
		UserIdentity:    audithttp.Identity(k.id),
		EventSource:     audit.SourceKMS,
		EventName:       op,
		AWSRegion:       k.a.cfg.Region,
		SourceIPAddress: s3Service,
		UserAgent:       s3Service,
		RequestID:       audit.NewEventID(),
		ReadOnly:        true,
		ManagementEvent: true,
	}
	rec.UserIdentity.InvokedBy = s3Service
	params := map[string]any{"encryptionContext": ec}
	if op == "GenerateDataKey" {
		params["keySpec"] = "AES_256"
	} else {
		params["encryptionAlgorithm"] = "SYMMETRIC_DEFAULT"
	}
	if keyRef != "" {
		params["keyId"] = keyRef
	}
	rec.RequestParameters = params
	rec.Resources = KeyResource(k.a.svc, keyRef)
	if err != nil {
		e := apierr.KMS(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	if herr := k.a.audit.Handle(ctx, rec); herr != nil {
		k.a.log.Error("kms: audit record of an SSE-KMS call lost", "op", op, "err", herr)
	}
}
