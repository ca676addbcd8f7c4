package kmsapi

import (
	"context"

	"github.com/arcastore/arca/internal/kms"
)

type aliasIn struct {
	AliasName   string
	TargetKeyId string
}

func createAlias(ctx context.Context, s *kms.Service, p kms.Principal, in *aliasIn) (any, error) {
	if in.AliasName == "" {
		return nil, required("aliasName")
	}
	if in.TargetKeyId == "" {
		return nil, required("targetKeyId")
	}
	return nil, s.CreateAlias(ctx, p, in.AliasName, in.TargetKeyId)
}

func updateAlias(ctx context.Context, s *kms.Service, p kms.Principal, in *aliasIn) (any, error) {
	if in.AliasName == "" {
		return nil, required("aliasName")
	}
	if in.TargetKeyId == "" {
		return nil, required("targetKeyId")
	}
	return nil, s.UpdateAlias(ctx, p, in.AliasName, in.TargetKeyId)
}

func deleteAlias(ctx context.Context, s *kms.Service, p kms.Principal, in *aliasIn) (any, error) {
	if in.AliasName == "" {
		return nil, required("aliasName")
	}
	return nil, s.DeleteAlias(ctx, p, in.AliasName)
}

type listAliasesIn struct {
	KeyId string
	paging
}

type aliasEntry struct {
	AliasName       string
	AliasArn        string
	TargetKeyId     string `json:",omitempty"`
	CreationDate    *epoch `json:",omitempty"`
	LastUpdatedDate *epoch `json:",omitempty"`
}

type listAliasesOut struct {
	Aliases []aliasEntry
	listOut
}

func listAliases(ctx context.Context, s *kms.Service, p kms.Principal, in *listAliasesIn) (any, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	as, next, err := s.ListAliases(ctx, p, in.KeyId, pg)
	if err != nil {
		return nil, err
	}
	out := listAliasesOut{Aliases: make([]aliasEntry, len(as)), listOut: more(next)}
	for i, a := range as {
		out.Aliases[i] = aliasEntry{AliasName: a.Name, AliasArn: a.ARN, TargetKeyId: a.TargetKeyID,
			CreationDate: epochPtr(a.Created), LastUpdatedDate: epochPtr(a.Updated)}
	}
	return out, nil
}

type policyIn struct {
	KeyId                          string
	PolicyName                     string
	Policy                         *string
	BypassPolicyLockoutSafetyCheck *bool
}

func putKeyPolicy(ctx context.Context, s *kms.Service, p kms.Principal, lc lockoutCheck, in *policyIn) (any, error) {
	if in.Policy == nil {
		return nil, required("policy")
	}
	return nil, s.PutKeyPolicy(ctx, p, in.KeyId, in.PolicyName, *in.Policy, lc.check(in.BypassPolicyLockoutSafetyCheck))
}

type getKeyPolicyOut struct{ Policy, PolicyName string }

func getKeyPolicy(ctx context.Context, s *kms.Service, p kms.Principal, in *policyIn) (any, error) {
	doc, err := s.GetKeyPolicy(ctx, p, in.KeyId, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return getKeyPolicyOut{Policy: doc, PolicyName: "default"}, nil
}

type keyPaging struct {
	KeyId string
	paging
}

type listKeyPoliciesOut struct {
	PolicyNames []string
	listOut
}

func listKeyPolicies(ctx context.Context, s *kms.Service, p kms.Principal, in *keyPaging) (any, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	names, next, err := s.ListKeyPolicies(ctx, p, in.KeyId, pg)
	if err != nil {
		return nil, err
	}
	return listKeyPoliciesOut{PolicyNames: names, listOut: more(next)}, nil
}

type grantConstraints struct {
	EncryptionContextSubset map[string]string `json:",omitempty"`
	EncryptionContextEquals map[string]string `json:",omitempty"`
}

type createGrantIn struct {
	KeyId             string
	GranteePrincipal  string
	RetiringPrincipal string
	Operations        []string
	Constraints       *grantConstraints
	GrantTokens       []string
	Name              string
	DryRun            bool
}

type createGrantOut struct{ GrantToken, GrantId string }

func createGrant(ctx context.Context, s *kms.Service, p kms.Principal, in *createGrantIn) (any, error) {
	if err := checkGrantTokens(in.GrantTokens); err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, kms.ErrDryRun
	}
	gi := kms.CreateGrantInput{KeyID: in.KeyId, GranteePrincipal: in.GranteePrincipal,
		RetiringPrincipal: in.RetiringPrincipal, Operations: in.Operations, Name: in.Name}
	if c := in.Constraints; c != nil {
		gi.Constraints = &kms.GrantConstraints{EncryptionContextSubset: c.EncryptionContextSubset,
			EncryptionContextEquals: c.EncryptionContextEquals}
	}
	id, token, err := s.CreateGrant(ctx, p, gi)
	if err != nil {
		return nil, err
	}
	return createGrantOut{GrantToken: token, GrantId: id}, nil
}

type grantEntry struct {
	KeyId             string
	GrantId           string
	Name              string `json:",omitempty"`
	CreationDate      epoch
	GranteePrincipal  string
	RetiringPrincipal string `json:",omitempty"`
	IssuingAccount    string
	Operations        []string
	Constraints       *grantConstraints `json:",omitempty"`
}

type grantsOut struct {
	Grants []grantEntry
	listOut
}

func toGrants(gs []kms.Grant, next string) grantsOut {
	out := grantsOut{Grants: make([]grantEntry, len(gs)), listOut: more(next)}
	for i, g := range gs {
		out.Grants[i] = grantEntry{KeyId: g.KeyID, GrantId: g.GrantID, Name: g.Name, CreationDate: epoch(g.Created),
			GranteePrincipal: g.GranteePrincipal, RetiringPrincipal: g.RetiringPrincipal,
			IssuingAccount: g.IssuingAccount, Operations: g.Operations}
		if c := g.Constraints; c != nil {
			out.Grants[i].Constraints = &grantConstraints{EncryptionContextSubset: c.EncryptionContextSubset,
				EncryptionContextEquals: c.EncryptionContextEquals}
		}
	}
	return out
}

type listGrantsIn struct {
	KeyId            string
	GrantId          string
	GranteePrincipal string
	paging
}

func listGrants(ctx context.Context, s *kms.Service, p kms.Principal, in *listGrantsIn) (any, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	gs, next, err := s.ListGrants(ctx, p, in.KeyId, in.GrantId, in.GranteePrincipal, pg)
	if err != nil {
		return nil, err
	}
	return toGrants(gs, next), nil
}

type listRetirableGrantsIn struct {
	RetiringPrincipal string
	paging
}

func listRetirableGrants(ctx context.Context, s *kms.Service, p kms.Principal, in *listRetirableGrantsIn) (any, error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	gs, next, err := s.ListRetirableGrants(ctx, p, in.RetiringPrincipal, pg)
	if err != nil {
		return nil, err
	}
	return toGrants(gs, next), nil
}

type grantIn struct {
	GrantToken string
	KeyId      string
	GrantId    string
	DryRun     bool
}

func retireGrant(ctx context.Context, s *kms.Service, p kms.Principal, in *grantIn) (any, error) {
	if in.DryRun {
		return nil, kms.ErrDryRun
	}
	return nil, s.RetireGrant(ctx, p, in.GrantToken, in.KeyId, in.GrantId)
}

func revokeGrant(ctx context.Context, s *kms.Service, p kms.Principal, in *grantIn) (any, error) {
	if in.DryRun {
		return nil, kms.ErrDryRun
	}
	return nil, s.RevokeGrant(ctx, p, in.KeyId, in.GrantId)
}

type tagResourceIn struct {
	KeyId   string
	Tags    []wireTag
	TagKeys []string
}

func tagResource(ctx context.Context, s *kms.Service, p kms.Principal, in *tagResourceIn) (any, error) {
	return nil, s.TagResource(ctx, p, in.KeyId, fromWireTags(in.Tags))
}

func untagResource(ctx context.Context, s *kms.Service, p kms.Principal, in *tagResourceIn) (any, error) {
	return nil, s.UntagResource(ctx, p, in.KeyId, in.TagKeys)
}

type listTagsOut struct {
	Tags []wireTag
	listOut
}

func listResourceTags(ctx context.Context, s *kms.Service, p kms.Principal, in *keyPaging) (any, error) {
	pg := kms.Page{Marker: in.Marker}
	if in.Limit != nil {
		if err := kms.CheckLimit(*in.Limit, 50); err != nil {
			return nil, err
		}
		pg.Limit = *in.Limit
	}
	tags, next, err := s.ListResourceTags(ctx, p, in.KeyId, pg)
	if err != nil {
		return nil, err
	}
	out := listTagsOut{Tags: make([]wireTag, len(tags)), listOut: more(next)}
	for i, t := range tags {
		out.Tags[i] = wireTag{TagKey: t.Key, TagValue: t.Value}
	}
	return out, nil
}
