package kms

import (
	"context"
	"errors"
	"strings"
	"time"
)

// AWS managed keys exist per service and are created on first use. Their policy is fixed,
// they rotate every year, and they cannot be disabled, deleted, rotated on demand, tagged
// or re-described.
var managedKeys = map[string]string{
	"alias/aws/s3": "Default key that protects my S3 objects when no other key is defined",
}

func managedDescription(alias string) string { return managedKeys[alias] }

// EnsureAWSManagedKey returns the AWS managed key for name ("aws/s3"; "alias/aws/s3" is
// accepted too), creating it and its alias the first time. Unknown names are ErrNotFound;
// if the alias or its key is damaged it is ErrKeyUnavailable (never replaced silently).
func (s *Service) EnsureAWSManagedKey(ctx context.Context, name string) (KeyMetadata, error) {
	alias := name
	if !strings.HasPrefix(alias, "alias/") {
		alias = "alias/" + alias
	}
	desc := managedDescription(alias)
	if desc == "" {
		return KeyMetadata{}, errf(ErrNotFound, "Alias %s is not found.", s.aliasARN(alias))
	}
	for {
		s.mu.RLock()
		a := s.aliases[alias]
		var k *key
		damaged := a == nil && s.damagedAliases[alias]
		if a != nil {
			k = s.keys[a.KeyID]
			damaged = k == nil && s.damagedKeys[a.KeyID]
		}
		s.mu.RUnlock()
		if k != nil {
			return s.metadata(k), nil
		}
		if damaged {
			return KeyMetadata{}, errf(ErrKeyUnavailable, "Alias %s is unavailable.", s.aliasARN(alias))
		}
		svc := strings.TrimPrefix(alias, "alias/aws/")
		now := s.cfg.Now().UTC()
		rec := &keyRecord{ID: newUUID(), Account: s.cfg.AccountID, Description: desc, State: StateEnabled,
			Manager: ManagerAWS, Policy: managedPolicy(s.cfg.AccountID, s.cfg.Region, svc),
			RotationEnabled: true, RotationPeriod: defaultRotationDays,
			NextRotation: now.Add(defaultRotationDays * 24 * time.Hour)}
		k, err := s.insertKey(ctx, rec, alias)
		if errors.Is(err, ErrAlreadyExists) {
			continue // created concurrently; use that one
		}
		if err != nil {
			return KeyMetadata{}, err
		}
		s.log.Info("kms: created the AWS managed key", "alias", alias, "key", rec.ID)
		return s.metadata(k), nil
	}
}
