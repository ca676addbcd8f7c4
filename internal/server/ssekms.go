package server

import (
	"context"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/s3api"
	"github.com/arcastore/arca/internal/sse"
)

// ssekmsProvider adapts the KMS service to what SSE needs, acting as the S3 caller with
// kms:ViaService = s3.<region>.amazonaws.com, as S3 does when it calls KMS for SSE-KMS:
// every call, including one a cached bucket key saves, is authorized as that caller, so an
// SSE-KMS read needs kms:Decrypt as well as s3:GetObject.
type ssekmsProvider struct{ s *Server }

func (p ssekmsProvider) ForCaller(c *s3api.Caller) sse.KMS {
	pr := p.s.kmsPrincipal(c.Identity)
	pr.ViaService = "s3." + p.s.cfg.Region + ".amazonaws.com"
	return &ssekms{s: p.s, p: pr, id: c.Identity, tls: c.TLS}
}

type ssekms struct {
	s   *Server
	p   kms.Principal
	id  iam.Identity
	tls bool
}

// awsManagedS3 is the AWS-managed key SSE-KMS uses when no key is named.
const awsManagedS3 = "alias/aws/s3"

func (k *ssekms) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	if keyID == "" {
		md, err := k.s.kms.EnsureAWSManagedKey(ctx, awsManagedS3)
		if err != nil {
			return nil, nil, "", err
		}
		keyID = md.ARN
	}
	if err := k.Authorize(ctx, "kms:GenerateDataKey", keyID, ec); err != nil {
		k.auditSSEKMS(ctx, "GenerateDataKey", keyID, ec, err)
		return nil, nil, "", err
	}
	dk, err := k.s.kms.GenerateDataKey(ctx, k.p, keyID, ec, 32)
	k.auditSSEKMS(ctx, "GenerateDataKey", keyID, ec, err)
	if err != nil {
		return nil, nil, "", err
	}
	return dk.Plaintext, dk.Ciphertext, dk.KeyARN, nil
}

func (k *ssekms) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, error) {
	keyRef := kms.CiphertextKeyID(blob)
	if err := k.Authorize(ctx, "kms:Decrypt", keyRef, ec); err != nil {
		k.auditSSEKMS(ctx, "Decrypt", keyRef, ec, err)
		return nil, err
	}
	d, err := k.s.kms.Decrypt(ctx, k.p, blob, ec)
	k.auditSSEKMS(ctx, "Decrypt", keyRef, ec, err)
	if err != nil {
		return nil, err
	}
	return d.Plaintext, nil
}

// Authorize decides action on the key for the S3 caller via S3. The bucket-key cache calls
// it on every hit (a key that stops being usable empties the cache through KMS events).
func (k *ssekms) Authorize(ctx context.Context, action, keyRef string, ec map[string]string) error {
	return k.s.kmsCheck(ctx, k.id, k.p.ViaService, action, keyRef, true, ec, k.tls)
}
