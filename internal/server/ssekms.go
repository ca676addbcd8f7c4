package server

import (
	"context"

	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/s3api"
	"github.com/arcastore/arca/internal/sse"
)

// ssekmsProvider adapts the KMS service to what SSE needs, acting as the S3 caller with
// kms:ViaService = s3.<region>.amazonaws.com, as S3 does when it calls KMS for SSE-KMS.
type ssekmsProvider struct{ s *Server }

func (p ssekmsProvider) ForCaller(c *s3api.Caller) sse.KMS {
	pr := p.s.kmsPrincipal(c.Identity)
	pr.ViaService = "s3." + p.s.cfg.Region + ".amazonaws.com"
	return &ssekms{svc: p.s.kms, p: pr}
}

type ssekms struct {
	svc *kms.Service
	p   kms.Principal
}

// awsManagedS3 is the AWS-managed key SSE-KMS uses when no key is named.
const awsManagedS3 = "alias/aws/s3"

func (k *ssekms) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	if keyID == "" {
		md, err := k.svc.EnsureAWSManagedKey(ctx, awsManagedS3)
		if err != nil {
			return nil, nil, "", err
		}
		keyID = md.ARN
	}
	dk, err := k.svc.GenerateDataKey(ctx, k.p, keyID, ec, 32)
	if err != nil {
		return nil, nil, "", err
	}
	return dk.Plaintext, dk.Ciphertext, dk.KeyARN, nil
}

func (k *ssekms) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, error) {
	d, err := k.svc.Decrypt(ctx, k.p, blob, ec)
	if err != nil {
		return nil, err
	}
	return d.Plaintext, nil
}
