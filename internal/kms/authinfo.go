package kms

// What the authorization layer needs to decide a request on a key, without touching key
// material: the key's ARN, its policy, who manages it and its grants. Keeping the decision
// outside this package keeps one policy engine for S3, IAM and KMS.

// GrantInfo is a grant as the authorization layer sees it.
type GrantInfo struct {
	Grantee    string
	Operations []string
	// EncryptionContextSubset / EncryptionContextEquals constraints (nil = none).
	Subset, Equals map[string]string
}

// KeyAuth is a key's authorization view.
type KeyAuth struct {
	KeyID   string
	ARN     string
	Policy  string
	Manager string // "AWS" or "CUSTOMER"
	Grants  []GrantInfo
}

// AuthInfo returns the authorization view of the key an identifier names (key id, key ARN,
// alias name or alias ARN when allowAlias). Errors are those of the operation itself
// (NotFoundException with AWS's messages), so a caller may simply let the operation report
// them.
func (s *Service) AuthInfo(ref string, allowAlias bool) (KeyAuth, error) {
	r, err := s.parseRef(ref, allowAlias)
	if err != nil {
		return KeyAuth{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, err := s.lookup(r)
	if err != nil {
		return KeyAuth{}, err
	}
	ka := KeyAuth{KeyID: k.rec.ID, ARN: k.arn, Policy: k.rec.Policy, Manager: k.rec.Manager}
	for _, g := range k.rec.Grants {
		ka.Grants = append(ka.Grants, GrantInfo{Grantee: g.Grantee, Operations: g.Operations, Subset: g.Subset, Equals: g.Equals})
	}
	return ka, nil
}

// CiphertextKeyID returns the key id a ciphertext blob names, or "" if the blob is not one
// of ours (Decrypt then reports InvalidCiphertextException).
func CiphertextKeyID(blob []byte) string {
	h, _, _, err := parseBlob(blob)
	if err != nil {
		return ""
	}
	return h.keyID
}
