package server

import (
	"context"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/audithttp"
	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/policy"
)

// openAudit opens the audit trail in the metadata file, its chain keyed by a key sealed
// under the root key (made on the first start that has none). With --no-audit the trail
// stays readable (LookupEvents) but nothing new is recorded.
func (s *Server) openAudit() error {
	t, err := audit.OpenTrail(audit.Config{DB: s.store, AccountID: s.id.AccountID, Root: s.rootKey, Log: s.log})
	if err != nil {
		return err
	}
	s.trail = t
	if !s.cfg.AuditDisabled {
		s.audit = t
	}
	return nil
}

// s3Service is the invokedBy, source address and user agent of the KMS calls S3 makes.
const s3Service = "s3.amazonaws.com"

// auditSSEKMS records a KMS call S3 made for SSE-KMS on the caller's behalf: its own
// record, with the caller's identity, invokedBy S3 and the encryption context. Like every
// KMS cryptographic call it is a read-only management event, group-committed.
func (k *ssekms) auditSSEKMS(ctx context.Context, op, keyRef string, ec map[string]string, err error) {
	if k.s.audit == nil {
		return
	}
	rec := &audit.Record{
		UserIdentity:    audithttp.Identity(k.id),
		EventSource:     audit.SourceKMS,
		EventName:       op,
		AWSRegion:       k.s.cfg.Region,
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
	rec.Resources = kmsapi.KeyResource(k.s.kms, keyRef)
	if err != nil {
		e := apierr.KMS(err)
		rec.ErrorCode, rec.ErrorMessage = e.Type, e.Message
	}
	if herr := k.s.audit.Handle(ctx, rec); herr != nil {
		k.s.log.Error("kms: audit record of an SSE-KMS call lost", "op", op, "err", herr)
	}
}

// authorizeCloudTrail decides CloudTrail calls with the caller's identity policies (the
// root may do everything).
func (s *Server) authorizeCloudTrail(ctx context.Context, id iam.Identity, action string) error {
	if id.IsRoot() {
		return nil
	}
	d, err := s.authz.Identity(ctx, id, s.authz.NewRequest(id, action, "*"))
	if err != nil {
		return err
	}
	if d == policy.Allow {
		return nil
	}
	why := "because no identity-based policy allows the " + action + " action"
	if d == policy.Deny {
		why = "with an explicit deny in an identity-based policy"
	}
	return errs.New(authz.ErrDenied, "User: "+id.ARN+" is not authorized to perform: "+action+" on resource: * "+why)
}
