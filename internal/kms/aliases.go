package kms

import (
	"context"
	"slices"
	"strings"

	"github.com/arcastore/arca/internal/kv"
)

const reservedAliasPrefix = "alias/aws/"

// checkAliasName validates a customer alias name as AWS does.
func checkAliasName(name string) error {
	if !strings.HasPrefix(name, "alias/") {
		return errf(ErrValidation, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	}
	if len(name) > 256 {
		return validation(name, "aliasName", "Member must have length less than or equal to 256")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '-') {
			return validation(name, "aliasName", "Member must satisfy regular expression pattern: ^[a-zA-Z0-9/_-]+$")
		}
	}
	if name == "alias/" || strings.HasSuffix(name, "/") && len(strings.Trim(name[len("alias/"):], "/")) == 0 {
		return errf(ErrInvalidAliasName, "Alias name %s is not valid.", name)
	}
	if strings.HasPrefix(name, reservedAliasPrefix) || name == "alias/aws" {
		return ErrNotAuthorized
	}
	return nil
}

// aliasTarget resolves an alias target: a key id or key ARN (never an alias) of a key
// that is not pending deletion. The caller holds s.admin.
func (s *Service) aliasTarget(target, op string) (*key, error) {
	k, err := s.resolve(target, false, op)
	if err != nil {
		return nil, err
	}
	if k.rec.State == StatePendingDeletion {
		return nil, msgPending(k.arn)
	}
	if k.rec.Manager == ManagerAWS {
		return nil, errf(ErrUnsupported, "%s is an AWS managed key: customer aliases cannot point to it.", k.arn)
	}
	return k, nil
}

// CreateAlias makes a new alias for a key. Names under alias/aws/ are reserved
// (ErrNotAuthorized).
func (s *Service) CreateAlias(ctx context.Context, p Principal, name, target string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	s.admin.Lock()
	defer s.admin.Unlock()
	k, err := s.aliasTarget(target, "CreateAlias")
	if err != nil {
		return err
	}
	if s.aliases[name] != nil || s.damagedAliases[name] {
		return errf(ErrAlreadyExists, "An alias with the name %s already exists", s.aliasARN(name))
	}
	now := s.cfg.Now().UTC()
	a := &aliasRecord{Name: name, KeyID: k.rec.ID, Created: now, Updated: now}
	return s.putAlias(ctx, a)
}

func (s *Service) putAlias(ctx context.Context, a *aliasRecord) error {
	err := s.commit(ctx, func(tx kv.Tx) error { return putRecord(tx.Bucket(s.bk.aliases), s.rk, s.bk.ns, KindAlias, a.Name, a) })
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.aliases[a.Name] = a
	s.mu.Unlock()
	return nil
}

// UpdateAlias points an existing alias at another key.
func (s *Service) UpdateAlias(ctx context.Context, p Principal, name, target string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	s.admin.Lock()
	defer s.admin.Unlock()
	old := s.aliases[name]
	if old == nil && s.damagedAliases[name] {
		return errf(ErrKeyUnavailable, "Alias %s is unavailable.", s.aliasARN(name))
	}
	if old == nil {
		return errf(ErrNotFound, "Alias %s is not found.", s.aliasARN(name))
	}
	k, err := s.aliasTarget(target, "UpdateAlias")
	if err != nil {
		return err
	}
	a := *old
	a.KeyID, a.Updated = k.rec.ID, s.cfg.Now().UTC()
	return s.putAlias(ctx, &a)
}

// DeleteAlias removes an alias; the key is unaffected. An alias whose record is damaged is
// ErrKeyUnavailable: deleting it would need an authorization on the key it names, which
// is unknown.
func (s *Service) DeleteAlias(ctx context.Context, p Principal, name string) error {
	if err := checkAliasName(name); err != nil {
		return err
	}
	s.admin.Lock()
	defer s.admin.Unlock()
	if s.damagedAliases[name] {
		return errf(ErrKeyUnavailable, "Alias %s is unavailable.", s.aliasARN(name))
	}
	if s.aliases[name] == nil {
		return errf(ErrNotFound, "Alias %s is not found.", s.aliasARN(name))
	}
	err := s.commit(ctx, func(tx kv.Tx) error { return tx.Bucket(s.bk.aliases).Delete([]byte(name)) })
	if err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.aliases, name)
	s.mu.Unlock()
	return nil
}

// ListAliases lists aliases by name (default 50 per page, at most 100), only those of
// keyID when it is not "".
func (s *Service) ListAliases(ctx context.Context, p Principal, keyID string, pg Page) ([]Alias, string, error) {
	filter := ""
	if keyID != "" {
		k, err := s.resolve(keyID, true, "ListAliases")
		if err != nil {
			return nil, "", err
		}
		filter = k.rec.ID
	}
	s.mu.RLock()
	var all []Alias
	for _, a := range s.aliases {
		if filter == "" || a.KeyID == filter {
			all = append(all, Alias{Name: a.Name, ARN: s.aliasARN(a.Name), TargetKeyID: a.KeyID,
				Created: a.Created, Updated: a.Updated})
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b Alias) int { return strings.Compare(a.Name, b.Name) })
	return paginate(all, func(a Alias) string { return a.Name }, pg, 50, 100)
}
