package kms

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"
)

// Grants are stored and listed; like key policies they are enforced once the policy
// engine exists.

var grantOperations = []string{"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
	"ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey",
	"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "DeriveSharedSecret"}

// CreateGrantInput is CreateGrant's request.
type CreateGrantInput struct {
	KeyID             string
	GranteePrincipal  string
	RetiringPrincipal string
	Operations        []string
	Constraints       *GrantConstraints
	Name              string
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateGrant stores a grant and returns its id and token. A grant with the same Name
// and the same parameters as an existing one returns that grant (AWS's idempotency).
func (s *Service) CreateGrant(ctx context.Context, p Principal, in CreateGrantInput) (grantID, token string, err error) {
	if in.GranteePrincipal == "" {
		return "", "", required("granteePrincipal")
	}
	if len(in.Operations) == 0 {
		return "", "", validation("[]", "operations", "Member must have length greater than or equal to 1")
	}
	for _, op := range in.Operations {
		if err := enumCheck(op, "operations", grantOperations); err != nil {
			return "", "", err
		}
		if op != "Decrypt" && op != "Encrypt" && op != "GenerateDataKey" && op != "GenerateDataKeyWithoutPlaintext" &&
			op != "ReEncryptFrom" && op != "ReEncryptTo" && op != "CreateGrant" && op != "RetireGrant" && op != "DescribeKey" {
			return "", "", errf(ErrValidation, "Grant operation %s is not valid for a SYMMETRIC_DEFAULT key", op)
		}
	}
	if c := in.Constraints; c != nil && len(c.EncryptionContextEquals) > 0 && len(c.EncryptionContextSubset) > 0 {
		return "", "", errf(ErrValidation, "A grant constraint can have EncryptionContextSubset or EncryptionContextEquals, not both.")
	}
	if len(in.Name) > 256 {
		return "", "", validation(in.Name, "name", "Member must have length less than or equal to 256")
	}
	ops := slices.Clone(in.Operations)
	slices.Sort(ops)
	ops = slices.Compact(ops)
	issuer := s.cfg.AccountID
	if p.AccountID != "" {
		issuer = p.AccountID // the account that created it (another, for a cross-account CreateGrant)
	}
	g := grantRecord{ID: randomHex(32), Name: in.Name, Created: s.cfg.Now().UTC(), Grantee: in.GranteePrincipal,
		Retiring: in.RetiringPrincipal, Issuer: "arn:aws:iam::" + issuer + ":root", Operations: ops}
	if c := in.Constraints; c != nil {
		g.Subset, g.Equals = maps.Clone(c.EncryptionContextSubset), maps.Clone(c.EncryptionContextEquals)
	}
	g.Token = base64.RawURLEncoding.EncodeToString([]byte(g.ID + "." + randomHex(16)))
	_, err = s.changeKey(ctx, in.KeyID, false, "CreateGrant", func(k *key, r *keyRecord) error {
		if r.State == StatePendingDeletion {
			return msgPending(k.arn)
		}
		if g.Name != "" {
			for _, old := range r.Grants {
				if old.Name == g.Name && old.Grantee == g.Grantee && old.Retiring == g.Retiring &&
					slices.Equal(old.Operations, g.Operations) && maps.Equal(old.Subset, g.Subset) && maps.Equal(old.Equals, g.Equals) {
					g = old
					return nil
				}
			}
		}
		if len(r.Grants) >= 50000 {
			return errf(ErrLimitExceeded, "The number of grants for the key exceeds the limit.")
		}
		r.Grants = append(r.Grants, g)
		return nil
	})
	if err != nil {
		return "", "", err
	}
	return g.ID, g.Token, nil
}

func (s *Service) grantOut(k *key, g grantRecord) Grant {
	out := Grant{KeyID: k.arn, GrantID: g.ID, Name: g.Name, Created: g.Created, GranteePrincipal: g.Grantee,
		RetiringPrincipal: g.Retiring, IssuingAccount: g.Issuer, Operations: g.Operations}
	if g.Subset != nil || g.Equals != nil {
		out.Constraints = &GrantConstraints{EncryptionContextSubset: g.Subset, EncryptionContextEquals: g.Equals}
	}
	return out
}

func grantName(g Grant) string { return g.Created.Format(time.RFC3339Nano) + g.GrantID }

// ListGrants lists a key's grants, optionally only grantID's or grantee's (default 50 per
// page, at most 100).
func (s *Service) ListGrants(ctx context.Context, p Principal, keyID, grantID, grantee string, pg Page) ([]Grant, string, error) {
	k, err := s.resolve(keyID, false, "ListGrants")
	if err != nil {
		return nil, "", err
	}
	if grantID != "" && !validGrantID(grantID) {
		return nil, "", errf(ErrInvalidGrantID, "Invalid grant ID %s", grantID)
	}
	var all []Grant
	for _, g := range k.rec.Grants {
		if (grantID == "" || g.ID == grantID) && (grantee == "" || g.Grantee == grantee) {
			all = append(all, s.grantOut(k, g))
		}
	}
	slices.SortFunc(all, func(a, b Grant) int { return strings.Compare(grantName(a), grantName(b)) })
	return paginate(all, grantName, pg, 50, 100)
}

func validGrantID(id string) bool {
	if len(id) != 64 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// ListRetirableGrants lists the grants, across keys, that name retiring as their
// retiring principal (default 50 per page, at most 100).
func (s *Service) ListRetirableGrants(ctx context.Context, p Principal, retiring string, pg Page) ([]Grant, string, error) {
	if retiring == "" {
		return nil, "", required("retiringPrincipal")
	}
	s.mu.RLock()
	var all []Grant
	for _, k := range s.keys {
		for _, g := range k.rec.Grants {
			if g.Retiring == retiring && !k.rec.Destroying {
				all = append(all, s.grantOut(k, g))
			}
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b Grant) int { return strings.Compare(grantName(a), grantName(b)) })
	return paginate(all, grantName, pg, 50, 100)
}

// RetireGrant deletes a grant named by its token, or by key and grant id.
func (s *Service) RetireGrant(ctx context.Context, p Principal, token, keyID, grantID string) error {
	if token == "" && (keyID == "" || grantID == "") {
		return errf(ErrValidation, "Either GrantToken or both KeyId and GrantId must be specified.")
	}
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		id, _, ok := strings.Cut(string(raw), ".")
		if err != nil || !ok || !validGrantID(id) {
			return errf(ErrInvalidGrantToken, "Invalid grant token.")
		}
		s.mu.RLock()
		for _, k := range s.keys {
			for _, g := range k.rec.Grants {
				if g.Token == token {
					keyID, grantID = k.rec.ID, g.ID
				}
			}
		}
		s.mu.RUnlock()
		if grantID == "" {
			return errf(ErrNotFound, "Grant not found for the given token.")
		}
	}
	return s.removeGrant(ctx, keyID, grantID, "RetireGrant")
}

// RevokeGrant deletes a grant by key and grant id.
func (s *Service) RevokeGrant(ctx context.Context, p Principal, keyID, grantID string) error {
	if grantID == "" {
		return required("grantId")
	}
	return s.removeGrant(ctx, keyID, grantID, "RevokeGrant")
}

func (s *Service) removeGrant(ctx context.Context, keyID, grantID, op string) error {
	if !validGrantID(grantID) {
		return errf(ErrInvalidGrantID, "Invalid grant ID %s", grantID)
	}
	_, err := s.changeKey(ctx, keyID, false, op, func(k *key, r *keyRecord) error {
		n := len(r.Grants)
		r.Grants = slices.DeleteFunc(r.Grants, func(g grantRecord) bool { return g.ID == grantID })
		if len(r.Grants) == n {
			return errf(ErrNotFound, "Grant ID %s not found", grantID)
		}
		return nil
	})
	return err
}
