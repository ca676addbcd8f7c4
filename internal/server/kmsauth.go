package server

import (
	"context"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kmsapi"
	"github.com/arcastore/arca/internal/policy"
)

// kmsNoKeyOps name no key: only identity policies decide them.
var kmsNoKeyOps = map[string]bool{"CreateKey": true, "ListKeys": true, "GenerateRandom": true, "ListRetirableGrants": true}

// authorizeKMSRequest is the KMS API's policy check (kmsapi.Authorizer), on what the
// operation's decoded request names (a body that does not decode never gets here: the
// operation answers SerializationException). A key the decision cannot resolve is let
// through so the operation itself reports the error AWS would.
func (s *Server) authorizeKMSRequest(ctx context.Context, c *kmsapi.Caller, op string, f kmsapi.AuthRequest) error {
	action := "kms:" + op
	switch {
	case kmsNoKeyOps[op] || (op == "ListAliases" && f.KeyID == ""):
		return s.kmsCheckIdentity(ctx, c.Identity, action, c.TLS)
	case op == "Decrypt":
		ref := f.KeyID
		if ref == "" {
			ref = f.CiphertextKeyID
		}
		return s.kmsCheck(ctx, c.Identity, c.Principal.ViaService, action, ref, true, f.EncryptionContext, c.TLS)
	case op == "ReEncrypt":
		src := f.SourceKeyID
		if src == "" {
			src = f.CiphertextKeyID
		}
		if err := s.kmsCheck(ctx, c.Identity, "", "kms:ReEncryptFrom", src, true, f.SourceEncryptionContext, c.TLS); err != nil {
			return err
		}
		return s.kmsCheck(ctx, c.Identity, "", "kms:ReEncryptTo", f.DestinationKeyID, true, f.DestinationEncryptionContext, c.TLS)
	case op == "CreateAlias" || op == "UpdateAlias":
		return s.kmsCheck(ctx, c.Identity, "", action, f.TargetKeyID, false, nil, c.TLS)
	case op == "DeleteAlias":
		return s.kmsCheck(ctx, c.Identity, "", action, f.AliasName, true, nil, c.TLS)
	}
	return s.kmsCheck(ctx, c.Identity, "", action, f.KeyID, true, f.EncryptionContext, c.TLS)
}

func (s *Server) kmsCheckIdentity(ctx context.Context, id iam.Identity, action string, tls bool) error {
	r := s.authz.KMSRequest(id, action, "*", "", tls, nil)
	return s.authz.KMSIdentity(ctx, id, r)
}

// kmsCheck decides action on the key ref names, for id, as the key policy, the caller's
// identity policies and the key's grants say.
func (s *Server) kmsCheck(ctx context.Context, id iam.Identity, via, action, ref string, allowAlias bool, ec map[string]string, tls bool) error {
	if ref == "" {
		return nil // the operation reports the missing or invalid parameter
	}
	info, err := s.kms.AuthInfo(ref, allowAlias)
	if err != nil {
		return nil // NotFound and friends come from the operation, with AWS's messages
	}
	if info.Manager == "AWS" && managementOps[action] && id.IsRoot() {
		// AWS-managed keys cannot be administered at all; the operation answers so
		// (UnsupportedOperationException) rather than a policy denial.
		return nil
	}
	kp, err := s.authz.Parsed([]byte(info.Policy), policy.Key)
	if err != nil {
		return err
	}
	grants := make([]authz.Grant, len(info.Grants))
	for i, g := range info.Grants {
		grants[i] = authz.Grant{Grantee: g.Grantee, Operations: g.Operations, Subset: g.Subset, Equals: g.Equals}
	}
	r := s.authz.KMSRequest(id, action, info.ARN, via, tls, ec)
	return s.authz.KMS(ctx, id, r, kp, grants, ec)
}

// managementOps administer a key rather than use it.
var managementOps = map[string]bool{
	"kms:ScheduleKeyDeletion": true, "kms:CancelKeyDeletion": true, "kms:DisableKey": true, "kms:EnableKey": true,
	"kms:PutKeyPolicy": true, "kms:EnableKeyRotation": true, "kms:DisableKeyRotation": true, "kms:RotateKeyOnDemand": true,
	"kms:UpdateKeyDescription": true, "kms:TagResource": true, "kms:UntagResource": true, "kms:CreateGrant": true,
	"kms:RevokeGrant": true, "kms:CreateAlias": true, "kms:UpdateAlias": true,
}
