package iam

import (
	"context"
	"maps"
	"slices"
)

// The reads and removals of a group's policies, the counterparts of PutGroupPolicy and
// AttachGroupPolicy (without them a group given a policy could never be deleted).

// GetGroupPolicy returns the document of the group's inline policy. Errors:
// ErrValidation, ErrNotFound.
func (s *Store) GetGroupPolicy(ctx context.Context, groupName, policyName string) (string, error) {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return "", err
	}
	st, err := s.snapshot(ctx)
	if err != nil {
		return "", err
	}
	g, err := findGroup(st, groupName)
	if err != nil {
		return "", err
	}
	ip, ok := g.Inline[key(policyName)]
	if !ok {
		return "", noSuchGroupPolicy(policyName)
	}
	return ip.Doc, nil
}

func noSuchGroupPolicy(name string) error {
	return errf(ErrNotFound, "The group policy with name %s cannot be found.", name)
}

// DeleteGroupPolicy deletes the group's inline policy. Errors: ErrValidation, ErrNotFound.
func (s *Store) DeleteGroupPolicy(ctx context.Context, groupName, policyName string) error {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(w *writer) error {
		g, err := findGroup(w.st, groupName)
		if err != nil {
			return err
		}
		if _, ok := g.Inline[key(policyName)]; !ok {
			return noSuchGroupPolicy(policyName)
		}
		g = g.clone()
		delete(g.Inline, key(policyName))
		w.putGroup(g)
		return nil
	})
}

// ListGroupPolicies lists the names of the group's inline policies, sorted. Errors:
// ErrValidation, ErrNotFound.
func (s *Store) ListGroupPolicies(ctx context.Context, groupName string, pg Page) ([]string, string, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	g, err := findGroup(st, groupName)
	if err != nil {
		return nil, "", err
	}
	keys := slices.Sorted(maps.Keys(g.Inline))
	page, next, err := paginate(keys, func(k string) string { return k }, pg)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, len(page))
	for i, k := range page {
		out[i] = g.Inline[k].Name
	}
	return out, next, nil
}

// DetachGroupPolicy detaches a managed policy from the group. Errors: ErrValidation,
// ErrInvalidInput, ErrNotFound (also when it is not attached).
func (s *Store) DetachGroupPolicy(ctx context.Context, groupName, arn string) error {
	return s.update(ctx, func(w *writer) error {
		g, err := findGroup(w.st, groupName)
		if err != nil {
			return err
		}
		attached, err := s.detached(w.st, g.Attached, arn)
		if err != nil {
			return err
		}
		g = g.clone()
		g.Attached = attached
		w.putGroup(g)
		return nil
	})
}

// ListAttachedGroupPolicies lists the managed policies attached to the group whose path
// starts with pathPrefix ("" = all), by name. Errors: ErrValidation, ErrNotFound.
func (s *Store) ListAttachedGroupPolicies(ctx context.Context, groupName, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	g, err := findGroup(st, groupName)
	if err != nil {
		return nil, "", err
	}
	return s.listAttached(st, g.Attached, pathPrefix, pg)
}
