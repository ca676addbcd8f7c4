package kmsapi

import "github.com/arcastore/arca/internal/kms"

// What each operation's request shows the authorization decision (auth) and the audit
// record (params). Secrets never appear in params: Plaintext, CiphertextBlob,
// GrantTokens and GrantToken are deliberately absent below.

func ciphertextKeyID(blob []byte) string {
	if len(blob) == 0 {
		return ""
	}
	return kms.CiphertextKeyID(blob)
}

func (in *encryptIn) auth() AuthRequest {
	return AuthRequest{KeyID: in.KeyId, EncryptionContext: in.EncryptionContext}
}

func (in *encryptIn) params() params {
	return keyParams(in.KeyId).ec("encryptionContext", in.EncryptionContext).
		str("encryptionAlgorithm", in.EncryptionAlgorithm)
}

func (in *decryptIn) auth() AuthRequest {
	return AuthRequest{KeyID: in.KeyId, CiphertextKeyID: ciphertextKeyID(in.CiphertextBlob),
		EncryptionContext: in.EncryptionContext}
}

func (in *decryptIn) params() params {
	return keyParams(in.KeyId).ec("encryptionContext", in.EncryptionContext).
		str("encryptionAlgorithm", in.EncryptionAlgorithm)
}

func (in *reEncryptIn) auth() AuthRequest {
	return AuthRequest{SourceKeyID: in.SourceKeyId, DestinationKeyID: in.DestinationKeyId,
		CiphertextKeyID: ciphertextKeyID(in.CiphertextBlob), SourceEncryptionContext: in.SourceEncryptionContext,
		DestinationEncryptionContext: in.DestinationEncryptionContext}
}

func (in *reEncryptIn) params() params {
	return params{}.str("sourceKeyId", in.SourceKeyId).str("destinationKeyId", in.DestinationKeyId).
		ec("sourceEncryptionContext", in.SourceEncryptionContext).
		ec("destinationEncryptionContext", in.DestinationEncryptionContext).
		str("sourceEncryptionAlgorithm", in.SourceEncryptionAlgorithm).
		str("destinationEncryptionAlgorithm", in.DestinationEncryptionAlgorithm)
}

func (in *generateDataKeyIn) auth() AuthRequest {
	return AuthRequest{KeyID: in.KeyId, EncryptionContext: in.EncryptionContext}
}

func (in *generateDataKeyIn) params() params {
	return keyParams(in.KeyId).ec("encryptionContext", in.EncryptionContext).
		intPtr("numberOfBytes", in.NumberOfBytes).str("keySpec", in.KeySpec)
}

func (in *generateRandomIn) auth() AuthRequest { return AuthRequest{} }

func (in *generateRandomIn) params() params {
	return params{}.intPtr("numberOfBytes", in.NumberOfBytes)
}

func (in *keyIDIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }
func (in *keyIDIn) params() params    { return keyParams(in.KeyId) }

func (in *createKeyIn) auth() AuthRequest { return AuthRequest{} }

func (in *createKeyIn) params() params {
	p := params{}.str("policy", in.Policy).str("description", in.Description).str("keyUsage", in.KeyUsage).
		str("keySpec", in.KeySpec).str("customerMasterKeySpec", in.CustomerMasterKeySpec).str("origin", in.Origin).
		boolPtr("multiRegion", in.MultiRegion).boolPtr("bypassPolicyLockoutSafetyCheck", in.BypassPolicyLockoutSafetyCheck)
	if in.Tags != nil {
		p["tags"] = in.Tags
	}
	return p
}

// limit records a list request's Limit.
func (pg *paging) limit(p params) params { return p.intPtr("limit", pg.Limit) }

func (in *listKeysIn) auth() AuthRequest { return AuthRequest{} }
func (in *listKeysIn) params() params    { return in.limit(params{}) }

func (in *updateKeyDescriptionIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }

func (in *updateKeyDescriptionIn) params() params {
	return keyParams(in.KeyId).strPtr("description", in.Description)
}

func (in *scheduleKeyDeletionIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }

func (in *scheduleKeyDeletionIn) params() params {
	p := keyParams(in.KeyId)
	if in.PendingWindowInDays != 0 {
		p["pendingWindowInDays"] = in.PendingWindowInDays
	}
	return p
}

func (in *enableKeyRotationIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }

func (in *enableKeyRotationIn) params() params {
	return keyParams(in.KeyId).intPtr("rotationPeriodInDays", in.RotationPeriodInDays)
}

func (in *listKeyRotationsIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }
func (in *listKeyRotationsIn) params() params    { return in.limit(keyParams(in.KeyId)) }

func (in *aliasIn) auth() AuthRequest {
	return AuthRequest{TargetKeyID: in.TargetKeyId, AliasName: in.AliasName}
}

func (in *aliasIn) params() params {
	return params{}.str("aliasName", in.AliasName).str("targetKeyId", in.TargetKeyId)
}

func (in *listAliasesIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }
func (in *listAliasesIn) params() params    { return in.limit(keyParams(in.KeyId)) }

func (in *policyIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }

func (in *policyIn) params() params {
	return keyParams(in.KeyId).str("policyName", in.PolicyName).strPtr("policy", in.Policy).
		boolPtr("bypassPolicyLockoutSafetyCheck", in.BypassPolicyLockoutSafetyCheck)
}

func (in *keyPaging) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }
func (in *keyPaging) params() params    { return in.limit(keyParams(in.KeyId)) }

func (in *createGrantIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }

func (in *createGrantIn) params() params {
	p := keyParams(in.KeyId).str("granteePrincipal", in.GranteePrincipal).
		str("retiringPrincipal", in.RetiringPrincipal).list("operations", in.Operations).str("name", in.Name)
	if in.Constraints != nil {
		p["constraints"] = in.Constraints
	}
	return p
}

func (in *listGrantsIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }

func (in *listGrantsIn) params() params {
	return in.limit(keyParams(in.KeyId).str("grantId", in.GrantId).str("granteePrincipal", in.GranteePrincipal))
}

func (in *listRetirableGrantsIn) auth() AuthRequest { return AuthRequest{} }

func (in *listRetirableGrantsIn) params() params {
	return in.limit(params{}.str("retiringPrincipal", in.RetiringPrincipal))
}

func (in *grantIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }
func (in *grantIn) params() params    { return keyParams(in.KeyId).str("grantId", in.GrantId) }

func (in *tagResourceIn) auth() AuthRequest { return AuthRequest{KeyID: in.KeyId} }

func (in *tagResourceIn) params() params {
	p := keyParams(in.KeyId).list("tagKeys", in.TagKeys)
	if in.Tags != nil {
		p["tags"] = in.Tags
	}
	return p
}
