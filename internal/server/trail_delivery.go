package server

import (
	"context"
	"errors"
	"sync"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
	"github.com/arcastore/arca/internal/trails"
)

// cloudTrailService is the principal trail delivery acts as towards KMS.
const cloudTrailService = "cloudtrail.amazonaws.com"

// openTrails opens the trails kept in the metadata file; their delivery writes through
// the S3 API's write path (so files are encrypted like any object). Needs s.s3 and s.kms.
func (s *Server) openTrails() error {
	t, err := trails.New(trails.Config{
		DB: s.store, Records: s.trail, Root: s.rootKey,
		AccountID: s.id.AccountID, Region: s.cfg.Region,
		PutObject:        s.putTrailObject,
		BucketExists:     s.bucketExists,
		BucketAccount:    s.bucketAccount,
		ResolveKMSKey:    s.resolveTrailKey,
		DeliveryInterval: s.cfg.TrailDeliveryInterval,
		DigestInterval:   s.cfg.TrailDigestInterval,
		Log:              s.log,
	})
	if err != nil {
		return err
	}
	s.trails = t
	return nil
}

// startTrailDelivery runs the delivery loop; the returned function stops it and waits for
// a delivery in progress to finish.
func (s *Server) startTrailDelivery() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.trails.Run(ctx)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// putTrailObject writes a trail's file as Arca itself: not authorized as a user and not
// audited (a delivery that made records would feed the next delivery forever).
func (s *Server) putTrailObject(ctx context.Context, o trails.Object) error {
	_, err := s.objects.PutInternal(ctx, object.InternalObject{
		Bucket: o.Bucket, Key: o.Key, Body: o.Body, ContentType: o.ContentType, ContentEncoding: o.ContentEncoding,
		UserMeta: o.UserMeta, KMSKeyID: o.KMSKeyARN, EncryptionContext: o.EncryptionContext,
	}, serviceKMS{s, o.Account})
	return err
}

func (s *Server) bucketExists(ctx context.Context, bucket string) (bool, error) {
	_, err := s.meta.GetBucket(ctx, bucket)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return false, nil
	}
	return err == nil, err
}

// bucketAccount is the account that owns an existing bucket (a record without an owner is
// the primary account's): a trail delivers only into its own account's buckets.
func (s *Server) bucketAccount(ctx context.Context, bucket string) (string, error) {
	b, err := s.meta.GetBucket(ctx, bucket)
	if err != nil {
		return "", err
	}
	if b.Owner == "" {
		return s.id.AccountID, nil
	}
	return b.Owner, nil
}

// resolveTrailKey turns a trail's KmsKeyId (key id, key ARN, alias name or alias ARN), as
// the trail's account names it, into the key's ARN; the key must be enabled.
func (s *Server) resolveTrailKey(ctx context.Context, account, ref string) (string, error) {
	ks, err := s.keystores.For(ctx, account)
	if err != nil {
		return "", err
	}
	md, err := ks.DescribeKey(ctx, s.trailPrincipal(account), ref)
	switch {
	case errors.Is(err, kms.ErrNotFound):
		return "", errs.New(trails.ErrKMSKeyNotFound, "KMS key not found: "+ref)
	case err != nil && kms.Message(err) != "":
		return "", errs.New(trails.ErrKMSKeyInvalid, kms.Message(err))
	case err != nil:
		return "", err
	case md.KeyState != kms.StateEnabled:
		return "", errs.New(trails.ErrKMSKeyUnusable, "KMS key "+md.ARN+" is "+md.KeyState+".")
	}
	return md.ARN, nil
}

func (s *Server) trailPrincipal(account string) kms.Principal {
	if account == "" {
		account = s.id.AccountID
	}
	return kms.Principal{AccountID: account, ARN: cloudTrailService, ViaService: "s3." + s.cfg.Region + ".amazonaws.com"}
}

// serviceKMS is the KMS as trail delivery uses it for SSE-KMS: as the CloudTrail service,
// which on AWS the key policy must allow; Arca lets its own service through and does not
// record these calls (see putTrailObject). account is the trail's: its key (or its aws/s3)
// is in that account's keystore.
type serviceKMS struct {
	s       *Server
	account string
}

func (k serviceKMS) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) ([]byte, []byte, string, error) {
	ks, err := k.s.keystores.For(ctx, k.account)
	if err != nil {
		return nil, nil, "", err
	}
	if keyID == "" {
		md, err := ks.EnsureAWSManagedKey(ctx, awsManagedS3)
		if err != nil {
			return nil, nil, "", err
		}
		keyID = md.ARN
	}
	dk, err := ks.GenerateDataKey(ctx, k.s.trailPrincipal(k.account), keyID, ec, 32)
	if err != nil {
		return nil, nil, "", err
	}
	return dk.Plaintext, dk.Ciphertext, dk.KeyARN, nil
}

func (k serviceKMS) Decrypt(ctx context.Context, blob []byte, ec map[string]string) ([]byte, error) {
	ks := k.s.kms // the keystore holding the key the blob names
	if a := k.s.keystores.KeyAccount(kms.CiphertextKeyID(blob)); a != "" {
		if l := k.s.keystores.Lookup(a); l != nil {
			ks = l
		}
	}
	d, err := ks.Decrypt(ctx, k.s.trailPrincipal(k.account), blob, ec)
	if err != nil {
		return nil, err
	}
	return d.Plaintext, nil
}

func (serviceKMS) Authorize(ctx context.Context, action, keyRef string, ec map[string]string) error {
	return nil
}
