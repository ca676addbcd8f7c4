package kmsapi

import (
	"context"
	"strings"

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

// keys is the keystore a key reference of the S3 caller addresses, as AWS resolves it for
// S3: a key id or alias name (aws/s3 included) in the caller's own account — the
// requester's, not the bucket owner's — and a key ARN or alias ARN in the account it names.
// blobKey (Decrypt) is the key id a ciphertext names, found in whichever account holds it.
func (k *S3Caller) keys(ctx context.Context, ref, blobKey string) (*kms.Service, error) {
	if k.a.stores == nil {
		return k.a.svc, nil
	}
	own, err := k.a.stores.For(ctx, k.p.AccountID)
	if err != nil {
		return nil, err
	}
	other := refAccount(ref)
	if other == "" && blobKey != "" {
		other = k.a.stores.KeyAccount(blobKey)
	}
	if other != "" && other != k.p.AccountID {
		if s := k.a.stores.Lookup(other); s != nil {
			return s, nil
		}
	}
	return own, nil
}

// GenerateDataKey returns a 32-byte data key under keyID ("" = aws/s3 of the caller's
// account), its ciphertext blob and the key's ARN.
func (k *S3Caller) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	svc, err := k.keys(ctx, keyID, "")
	if err != nil {
		return nil, nil, "", err
	}
	if keyID == "" {
		md, err := svc.EnsureAWSManagedKey(ctx, awsManagedS3)
		if err != nil {
			return nil, nil, "", err
		}
		keyID = md.ARN
	}
	if err := k.authorize(ctx, svc, "kms:GenerateDataKey", keyID, ec); err != nil {
		k.record(ctx, svc, "GenerateDataKey", keyID, ec, err)
		return nil, nil, "", err
	}
	dk, err := svc.GenerateDataKey(ctx, k.p, keyID, ec, 32)
	k.record(ctx, svc, "GenerateDataKey", keyID, ec, err)
	if err != nil {
		return nil, nil, "", err
	}
	return dk.Plaintext, dk.Ciphertext, dk.KeyARN, nil
}

// Decrypt returns the plaintext of a blob made by GenerateDataKey with ec.
func (k *S3Caller) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, error) {
	keyRef := kms.CiphertextKeyID(blob)
	svc, err := k.keys(ctx, "", keyRef)
	if err != nil {
		return nil, err
	}
	if err := k.authorize(ctx, svc, "kms:Decrypt", keyRef, ec); err != nil {
		k.record(ctx, svc, "Decrypt", keyRef, ec, err)
		return nil, err
	}
	d, err := svc.Decrypt(ctx, k.p, blob, ec)
	k.record(ctx, svc, "Decrypt", keyRef, ec, err)
	if err != nil {
		return nil, err
	}
	return d.Plaintext, nil
}

// Authorize decides action on the key for the S3 caller via S3. The bucket-key cache calls
// it on every hit (a key that stops being usable empties the cache through KMS events).
func (k *S3Caller) Authorize(ctx context.Context, action, keyRef string, ec map[string]string) error {
	blobKey := ""
	if refAccount(keyRef) == "" && !strings.HasPrefix(keyRef, "alias/") {
		blobKey = keyRef // a bare key id, as a cached bucket key names it: found where it is
	}
	svc, err := k.keys(ctx, keyRef, blobKey)
	if err != nil {
		return err
	}
	return k.authorize(ctx, svc, action, keyRef, ec)
}

func (k *S3Caller) authorize(ctx context.Context, svc *kms.Service, action, keyRef string, ec map[string]string) error {
	if k.a.authz == nil {
		return nil
	}
	kc := authz.KeyCheck{Action: action, Ref: keyRef, Alias: true, Via: k.p.ViaService, EC: ec, TLS: k.tls}
	if svc != nil {
		kc.Keys = svc
	}
	return k.a.authz.Key(ctx, k.id, kc)
}

// s3Service is the invokedBy, source address and user agent of the KMS calls S3 makes.
const s3Service = "s3.amazonaws.com"

// record writes the audit record of a KMS call S3 made for SSE-KMS on the caller's behalf:
// its own record, with the caller's identity, invokedBy S3 and the encryption context.
// Like every KMS cryptographic call it is a read-only management event, group-committed.
func (k *S3Caller) record(ctx context.Context, svc *kms.Service, op, keyRef string, ec map[string]string, err error) {
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
	rec.Resources = KeyResource(svc, keyRef)
	if err != nil {
		e := apierr.KMS(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	if herr := k.a.audit.Handle(ctx, rec); herr != nil {
		k.a.log.Error("kms: audit record of an SSE-KMS call lost", "op", op, "err", herr)
	}
}

// CallerAccount is the account the S3 caller works in: where a key id or alias name (and
// aws/s3) resolves, so that the bucket-key cache keeps writers of different accounts apart.
func (k *S3Caller) CallerAccount() string { return k.p.AccountID }
