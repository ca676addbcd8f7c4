package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/authz"
)

// op is one KMS operation, the single place that says what it is: its name (the
// X-Amz-Target suffix), the IAM action it is authorized as and on which key, whether it
// administers the key, whether CloudTrail marks it readOnly (every KMS event is a
// management event), and the handler that decodes and runs it.
type op struct {
	Name string
	// Action is decided on the key Key selects. ReEncrypt also needs ToAction on its
	// destination key.
	Action, ToAction string
	Key              keySel
	// Manage marks an action that administers the key rather than uses it (on an
	// AWS-managed key the operation itself refuses it; see authz.KeyCheck).
	Manage   bool
	ReadOnly bool
	// CrossAccount marks an operation AWS lets a caller run on another account's key, named
	// by its key ARN (or, for the cryptographic ones, alias ARN or ciphertext): docs/KMS.md.
	// Any other operation works in the caller's own account only.
	CrossAccount bool
	Run          handler
}

// keySel says which key of the decoded request (AuthRequest) an operation is authorized on.
type keySel int

const (
	// keyID is the KeyId member: an id, ARN, alias name or alias ARN.
	keyID keySel = iota
	// noKey: the operation names no key; identity policies alone decide.
	noKey
	// keyIDIfAny is KeyId when given, else identity policies alone (ListAliases).
	keyIDIfAny
	// keyOrBlob is KeyId, else the key the CiphertextBlob names (Decrypt).
	keyOrBlob
	// sourceAndDestination: Action on SourceKeyId (else the blob's key) with the source
	// encryption context, ToAction on DestinationKeyId with the destination's (ReEncrypt).
	sourceAndDestination
	// aliasTarget is TargetKeyId, which may not be an alias (CreateAlias, UpdateAlias).
	aliasTarget
	// aliasName is AliasName (DeleteAlias).
	aliasName
)

// opTable is every KMS operation Arca serves.
var opTable = []op{
	// Keys.
	{Name: "CreateKey", Action: "kms:CreateKey", Key: noKey, Run: runWithLockout(createKey)},
	{Name: "DescribeKey", Action: "kms:DescribeKey", ReadOnly: true, CrossAccount: true, Run: run(describeKey)},
	{Name: "ListKeys", Action: "kms:ListKeys", Key: noKey, ReadOnly: true, Run: run(listKeys)},
	{Name: "UpdateKeyDescription", Action: "kms:UpdateKeyDescription", Manage: true, Run: run(updateKeyDescription)},
	{Name: "EnableKey", Action: "kms:EnableKey", Manage: true, Run: run(enableKey)},
	{Name: "DisableKey", Action: "kms:DisableKey", Manage: true, Run: guarded("DisableKey", run(disableKey))},
	{Name: "ScheduleKeyDeletion", Action: "kms:ScheduleKeyDeletion", Manage: true, Run: guarded("ScheduleKeyDeletion", run(scheduleKeyDeletion))},
	{Name: "CancelKeyDeletion", Action: "kms:CancelKeyDeletion", Manage: true, Run: run(cancelKeyDeletion)},
	// Arca's extension: what depends on a key (blastradius.go, docs/BLAST-RADIUS.md).
	{Name: "ArcaGetKeyBlastRadius", Action: "kms:DescribeKey", ReadOnly: true, Run: runAPI(getKeyBlastRadius)},
	// Aliases.
	{Name: "CreateAlias", Action: "kms:CreateAlias", Key: aliasTarget, Manage: true, Run: run(createAlias)},
	{Name: "UpdateAlias", Action: "kms:UpdateAlias", Key: aliasTarget, Manage: true, Run: run(updateAlias)},
	{Name: "DeleteAlias", Action: "kms:DeleteAlias", Key: aliasName, Run: run(deleteAlias)},
	{Name: "ListAliases", Action: "kms:ListAliases", Key: keyIDIfAny, ReadOnly: true, Run: run(listAliases)},
	// Rotation.
	{Name: "EnableKeyRotation", Action: "kms:EnableKeyRotation", Manage: true, Run: run(enableKeyRotation)},
	{Name: "DisableKeyRotation", Action: "kms:DisableKeyRotation", Manage: true, Run: run(disableKeyRotation)},
	{Name: "GetKeyRotationStatus", Action: "kms:GetKeyRotationStatus", ReadOnly: true, CrossAccount: true, Run: run(getKeyRotationStatus)},
	{Name: "RotateKeyOnDemand", Action: "kms:RotateKeyOnDemand", Manage: true, Run: run(rotateKeyOnDemand)},
	{Name: "ListKeyRotations", Action: "kms:ListKeyRotations", ReadOnly: true, Run: run(listKeyRotations)},
	// Cryptographic operations.
	{Name: "Encrypt", Action: "kms:Encrypt", ReadOnly: true, CrossAccount: true, Run: run(encrypt)},
	{Name: "Decrypt", Action: "kms:Decrypt", Key: keyOrBlob, ReadOnly: true, CrossAccount: true, Run: run(decrypt)},
	{Name: "ReEncrypt", Action: "kms:ReEncryptFrom", ToAction: "kms:ReEncryptTo", Key: sourceAndDestination, ReadOnly: true, CrossAccount: true, Run: run(reEncrypt)},
	{Name: "GenerateDataKey", Action: "kms:GenerateDataKey", ReadOnly: true, CrossAccount: true, Run: run(generateDataKey)},
	{Name: "GenerateDataKeyWithoutPlaintext", Action: "kms:GenerateDataKeyWithoutPlaintext", ReadOnly: true, CrossAccount: true, Run: run(generateDataKeyWithoutPlaintext)},
	{Name: "GenerateRandom", Action: "kms:GenerateRandom", Key: noKey, ReadOnly: true, Run: run(generateRandom)},
	// Key policies.
	{Name: "PutKeyPolicy", Action: "kms:PutKeyPolicy", Manage: true, Run: runWithLockout(putKeyPolicy)},
	{Name: "GetKeyPolicy", Action: "kms:GetKeyPolicy", ReadOnly: true, Run: run(getKeyPolicy)},
	{Name: "ListKeyPolicies", Action: "kms:ListKeyPolicies", ReadOnly: true, Run: run(listKeyPolicies)},
	// Grants.
	{Name: "CreateGrant", Action: "kms:CreateGrant", Manage: true, CrossAccount: true, Run: run(createGrant)},
	{Name: "ListGrants", Action: "kms:ListGrants", ReadOnly: true, CrossAccount: true, Run: run(listGrants)},
	{Name: "RetireGrant", Action: "kms:RetireGrant", CrossAccount: true, Run: run(retireGrant)},
	{Name: "RevokeGrant", Action: "kms:RevokeGrant", Manage: true, CrossAccount: true, Run: run(revokeGrant)},
	{Name: "ListRetirableGrants", Action: "kms:ListRetirableGrants", Key: noKey, ReadOnly: true, Run: run(listRetirableGrants)},
	// Tags.
	{Name: "TagResource", Action: "kms:TagResource", Manage: true, Run: run(tagResource)},
	{Name: "UntagResource", Action: "kms:UntagResource", Manage: true, Run: run(untagResource)},
	{Name: "ListResourceTags", Action: "kms:ListResourceTags", ReadOnly: true, Run: run(listResourceTags)},
}

// ops finds an operation by name.
var ops = func() map[string]*op {
	m := make(map[string]*op, len(opTable))
	for i := range opTable {
		m[opTable[i].Name] = &opTable[i]
	}
	return m
}()

// authorize decides the decoded request f for c, as o's row says. g nil allows everything
// (an API without a policy engine, in tests).
func (o *op) authorize(ctx context.Context, g *authz.KeyGuard, c *Caller, f AuthRequest) error {
	if g == nil {
		return nil
	}
	check := func(action, ref string, alias bool, ec map[string]string) error {
		kc := authz.KeyCheck{Action: action, Ref: ref, Alias: alias, Manage: o.Manage,
			Via: c.Principal.ViaService, EC: ec, TLS: c.TLS}
		if c.keys != nil {
			kc.Keys = c.keys
		}
		return g.Key(ctx, c.Identity, kc)
	}
	switch o.Key {
	case noKey:
		return g.NoKey(ctx, c.Identity, o.Action, c.TLS)
	case keyIDIfAny:
		if f.KeyID == "" {
			return g.NoKey(ctx, c.Identity, o.Action, c.TLS)
		}
	case keyOrBlob:
		ref := f.KeyID
		if ref == "" {
			ref = f.CiphertextKeyID
		}
		return check(o.Action, ref, true, f.EncryptionContext)
	case sourceAndDestination:
		src := f.SourceKeyID
		if src == "" {
			src = f.CiphertextKeyID
		}
		if err := check(o.Action, src, true, f.SourceEncryptionContext); err != nil {
			return err
		}
		return check(o.ToAction, f.DestinationKeyID, true, f.DestinationEncryptionContext)
	case aliasTarget:
		return check(o.Action, f.TargetKeyID, false, nil)
	case aliasName:
		return check(o.Action, f.AliasName, true, nil)
	}
	return check(o.Action, f.KeyID, true, f.EncryptionContext)
}
