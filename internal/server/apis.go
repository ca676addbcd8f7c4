package server

import (
	"context"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/accountapi"
	"github.com/arcastore/arca/internal/configapi"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/s3api"
	"github.com/arcastore/arca/internal/sigv4"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/internal/trailapi"
)

// awsManagedS3 is the AWS-managed key trail delivery's SSE-KMS uses when no key is named
// (kmsapi.ForS3 has the same default for S3 callers).
const awsManagedS3 = "alias/aws/s3"

// The KMS is S3's for SSE-KMS, as the caller (kmsapi.ForS3).
var _ sse.KMS = (*kmsapi.S3Caller)(nil)

// openAPIs builds the protocol handlers over the opened domain services, each as
// New(Config, Deps); the IAM API is built with the identity store (openIAM).
func (s *Server) openAPIs() {
	// SigV2 signs /bucket/key whatever the addressing style, so it needs the bucket domains.
	s.verifier.SigV2, s.verifier.Domains = s.cfg.SigV2, s.cfg.Domains
	s.kmsAPI = kmsapi.New(kmsapi.Config{Region: s.cfg.Region, AccountID: s.id.AccountID, DeletionGuard: s.cfg.KMSDeletionGuard}, kmsapi.Deps{
		KMS: s.kms, Keystores: s.keystores, Authz: s.authz.ForKeys(s.kms), Audit: s.audit, Log: s.log, Observer: s.metrics,
		BlastRadius: s.openBlastRadius(),
	})
	s.s3 = s3api.New(s3api.Config{
		Region: s.cfg.Region, AccountID: s.id.AccountID, OwnerID: s.id.OwnerID, Domains: s.cfg.Domains,
		LegacyBucketEncryption: s.cfg.LegacyBucketEncryption,
	}, s3api.Deps{
		Meta: s.meta, Objects: s.objects, Log: s.log, Observer: s.metrics, KMS: ssekmsProvider{s.kmsAPI},
		Authz: s.authz, Audit: s.audit, PostAuth: s.verifyPostForm,
		Inventory: s.inventory,
		Batch:     s.batch,
	})
	s.accountAPI = accountapi.New(accountapi.Config{Region: s.cfg.Region}, accountapi.Deps{
		Accounts: s.accounts.reg, Authz: s.authz, Audit: s.audit, Log: s.log,
		OnCreate: func(_ context.Context, a account.Account) error {
			_, err := s.accounts.IAM(a.ID) // its identity store exists from the start
			return err
		},
	})
	s.configAPI = configapi.New(configapi.Config{Region: s.cfg.Region, AccountID: s.id.AccountID}, configapi.Deps{
		Rules: s.compliance, Authz: s.authz, Audit: s.audit, Log: s.log,
	})
	s.openDiscovery()
	s.openAnalyzerAPI()
	s.trailAPI = trailapi.New(trailapi.Config{Region: s.cfg.Region, AccountID: s.id.AccountID}, trailapi.Deps{
		Trail: s.trail, Trails: s.trails, Authz: s.authz, Audit: s.audit, Log: s.log,
	})
}

// ssekmsProvider gives S3 the KMS bound to each caller.
type ssekmsProvider struct{ kms *kmsapi.API }

func (p ssekmsProvider) ForCaller(c *s3api.Caller) sse.KMS { return p.kms.ForS3(c.Identity, c.TLS) }

// verifyPostForm authenticates a POST Object form with the server's verifier and
// credentials, as serveHTTP authenticates a request.
func (s *Server) verifyPostForm(ctx context.Context, c s3api.PostCredentials) (s3api.PostCaller, error) {
	res, err := s.verifier.VerifyPostPolicy(ctx, sigv4.PostForm{
		Policy: c.Policy, Algorithm: c.Algorithm, Credential: c.Credential, Date: c.Date, Signature: c.Signature,
		AccessKeyID: c.AccessKeyID, SignatureV2: c.SignatureV2, SecurityToken: c.SecurityToken,
	})
	if err != nil {
		return s3api.PostCaller{}, err
	}
	if res.Method == sigv4.AuthNone {
		return s3api.PostCaller{Anonymous: true}, nil
	}
	id, err := s.creds.identify(ctx, res.AccessKeyID)
	if err != nil {
		return s3api.PostCaller{}, err
	}
	return s3api.PostCaller{AccessKeyID: res.AccessKeyID, Identity: id, SignatureVersion: res.Version.String()}, nil
}
