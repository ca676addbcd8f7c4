package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/kms"
)

type keyIDIn struct {
	KeyId       string
	GrantTokens []string
}

type createKeyIn struct {
	Policy                         string
	Description                    string
	KeyUsage                       string
	KeySpec                        string
	CustomerMasterKeySpec          string
	Origin                         string
	CustomKeyStoreId               string
	XksKeyId                       string
	MultiRegion                    *bool
	BypassPolicyLockoutSafetyCheck *bool
	Tags                           []wireTag
}

func createKey(ctx context.Context, s *kms.Service, p kms.Principal, lc lockoutCheck, in *createKeyIn) (any, error) {
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	}
	md, err := s.CreateKey(ctx, p, kms.CreateKeyInput{Policy: in.Policy, Description: in.Description,
		KeyUsage: in.KeyUsage, KeySpec: spec, Origin: in.Origin, CustomKeyStoreID: in.CustomKeyStoreId,
		MultiRegion: in.MultiRegion != nil && *in.MultiRegion, XksKeyID: in.XksKeyId, Tags: fromWireTags(in.Tags),
		PolicyCheck: lc.check(in.BypassPolicyLockoutSafetyCheck)})
	if err != nil {
		return nil, err
	}
	return keyMetadataOut{toKeyMetadata(md)}, nil
}

func describeKey(ctx context.Context, s *kms.Service, p kms.Principal, in *keyIDIn) (any, error) {
	md, err := s.DescribeKey(ctx, p, in.KeyId)
	if err != nil {
		return nil, err
	}
	return keyMetadataOut{toKeyMetadata(md)}, nil
}

type keyListEntry struct{ KeyId, KeyArn string }

type listKeysOut struct {
	Keys []keyListEntry
	listOut
}

type listKeysIn struct{ paging }

func listKeys(ctx context.Context, s *kms.Service, p kms.Principal, in *listKeysIn) (any, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	keys, next, err := s.ListKeys(ctx, p, pg)
	if err != nil {
		return nil, err
	}
	out := listKeysOut{Keys: make([]keyListEntry, len(keys)), listOut: more(next)}
	for i, k := range keys {
		out.Keys[i] = keyListEntry{KeyId: k.KeyID, KeyArn: k.ARN}
	}
	return out, nil
}

type updateKeyDescriptionIn struct {
	KeyId       string
	Description *string
}

func updateKeyDescription(ctx context.Context, s *kms.Service, p kms.Principal, in *updateKeyDescriptionIn) (any, error) {
	if in.Description == nil {
		return nil, required("description")
	}
	return nil, s.UpdateKeyDescription(ctx, p, in.KeyId, *in.Description)
}

func enableKey(ctx context.Context, s *kms.Service, p kms.Principal, in *keyIDIn) (any, error) {
	return nil, s.EnableKey(ctx, p, in.KeyId)
}

func disableKey(ctx context.Context, s *kms.Service, p kms.Principal, in *keyIDIn) (any, error) {
	return nil, s.DisableKey(ctx, p, in.KeyId)
}

type scheduleKeyDeletionIn struct {
	KeyId               string
	PendingWindowInDays int
}

type scheduleKeyDeletionOut struct {
	KeyId               string
	DeletionDate        *epoch
	KeyState            string
	PendingWindowInDays int
}

func scheduleKeyDeletion(ctx context.Context, s *kms.Service, p kms.Principal, in *scheduleKeyDeletionIn) (any, error) {
	md, err := s.ScheduleKeyDeletion(ctx, p, in.KeyId, in.PendingWindowInDays)
	if err != nil {
		return nil, err
	}
	return scheduleKeyDeletionOut{KeyId: md.ARN, DeletionDate: epochPtr(md.DeletionDate), KeyState: md.KeyState,
		PendingWindowInDays: md.PendingWindow}, nil
}

type keyIDOut struct{ KeyId string }

func cancelKeyDeletion(ctx context.Context, s *kms.Service, p kms.Principal, in *keyIDIn) (any, error) {
	arn, err := s.CancelKeyDeletion(ctx, p, in.KeyId)
	if err != nil {
		return nil, err
	}
	return keyIDOut{arn}, nil
}

type enableKeyRotationIn struct {
	KeyId                string
	RotationPeriodInDays *int
}

func enableKeyRotation(ctx context.Context, s *kms.Service, p kms.Principal, in *enableKeyRotationIn) (any, error) {
	period := 0
	if in.RotationPeriodInDays != nil {
		period = *in.RotationPeriodInDays
	}
	return nil, s.EnableKeyRotation(ctx, p, in.KeyId, period)
}

func disableKeyRotation(ctx context.Context, s *kms.Service, p kms.Principal, in *keyIDIn) (any, error) {
	return nil, s.DisableKeyRotation(ctx, p, in.KeyId)
}

type rotationStatusOut struct {
	KeyId                string
	KeyRotationEnabled   bool
	RotationPeriodInDays int    `json:",omitempty"`
	NextRotationDate     *epoch `json:",omitempty"`
}

func getKeyRotationStatus(ctx context.Context, s *kms.Service, p kms.Principal, in *keyIDIn) (any, error) {
	st, err := s.GetKeyRotationStatus(ctx, p, in.KeyId)
	if err != nil {
		return nil, err
	}
	return rotationStatusOut{KeyId: st.KeyARN, KeyRotationEnabled: st.Enabled, RotationPeriodInDays: st.PeriodDays,
		NextRotationDate: epochPtr(st.Next)}, nil
}

func rotateKeyOnDemand(ctx context.Context, s *kms.Service, p kms.Principal, in *keyIDIn) (any, error) {
	arn, err := s.RotateKeyOnDemand(ctx, p, in.KeyId)
	if err != nil {
		return nil, err
	}
	return keyIDOut{arn}, nil
}

type listKeyRotationsIn struct {
	KeyId              string
	IncludeKeyMaterial string
	paging
}

type rotationEntry struct {
	KeyId            string
	KeyMaterialId    string
	KeyMaterialState string
	RotationDate     epoch
	RotationType     string `json:",omitempty"`
}

type listKeyRotationsOut struct {
	Rotations []rotationEntry
	listOut
}

func listKeyRotations(ctx context.Context, s *kms.Service, p kms.Principal, in *listKeyRotationsIn) (any, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	rs, next, err := s.ListKeyRotations(ctx, p, in.KeyId, in.IncludeKeyMaterial, pg)
	if err != nil {
		return nil, err
	}
	out := listKeyRotationsOut{Rotations: make([]rotationEntry, len(rs)), listOut: more(next)}
	for i, r := range rs {
		state := "NON_CURRENT"
		if r.Current {
			state = "CURRENT"
		}
		out.Rotations[i] = rotationEntry{KeyId: r.KeyID, KeyMaterialId: r.KeyMaterialID, KeyMaterialState: state,
			RotationDate: epoch(r.Date), RotationType: r.Type}
	}
	return out, nil
}
