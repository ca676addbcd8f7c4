package iam

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Reads (and DeleteGroup) that infrastructure-as-code tools make before and after they
// change a user, group or policy: the Terraform AWS provider lists a user's groups before
// deleting it, reads a group's members, and lists a policy's versions before deleting it.

// ListGroupsForUser lists the groups the user is a member of, by name. Errors:
// ErrValidation, ErrNotFound, ErrDamagedRecord (one of the groups is damaged).
func (s *Store) ListGroupsForUser(ctx context.Context, userName string, pg Page) ([]Group, string, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	u, err := findUser(st, userName)
	if err != nil {
		return nil, "", err
	}
	page, next, err := paginate(u.Groups, func(k string) string { return k }, pg) // u.Groups is sorted
	if err != nil {
		return nil, "", err
	}
	out := make([]Group, 0, len(page))
	for _, gk := range page {
		g := st.groups[gk]
		if g == nil && st.isDamaged(kindGroups, gk) {
			return nil, "", damaged("group", gk)
		}
		if g != nil {
			out = append(out, s.group(g))
		}
	}
	return out, next, nil
}

// GetGroupUsers returns the group and a page of its members, by name. Errors:
// ErrValidation, ErrNotFound.
func (s *Store) GetGroupUsers(ctx context.Context, groupName string, pg Page) (Group, []User, string, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return Group{}, nil, "", err
	}
	g, err := findGroup(st, groupName)
	if err != nil {
		return Group{}, nil, "", err
	}
	gk := key(g.Name)
	var members []*userRec
	for _, u := range st.users {
		if _, ok := slices.BinarySearch(u.Groups, gk); ok {
			members = append(members, u)
		}
	}
	slices.SortFunc(members, func(a, b *userRec) int { return strings.Compare(key(a.Name), key(b.Name)) })
	page, next, err := paginate(members, func(u *userRec) string { return key(u.Name) }, pg)
	if err != nil {
		return Group{}, nil, "", err
	}
	out := make([]User, len(page))
	for i, u := range page {
		out[i] = s.user(u)
	}
	return s.group(g), out, next, nil
}

// DeleteGroup deletes a group that has no members and no inline or attached policies, as
// IAM does. Errors: ErrValidation, ErrNotFound, ErrDeleteConflict.
func (s *Store) DeleteGroup(ctx context.Context, name string) error {
	return s.update(ctx, func(w *writer) error {
		g, err := findGroup(w.st, name)
		if err != nil {
			return err
		}
		gk := key(g.Name)
		for _, u := range w.st.users {
			if _, ok := slices.BinarySearch(u.Groups, gk); ok {
				return deleteConflict("remove users from group")
			}
		}
		switch {
		case len(g.Inline) > 0:
			return deleteConflict("delete policies")
		case len(g.Attached) > 0:
			return deleteConflict("detach all policies")
		}
		w.del(kindGroups, gk)
		return nil
	})
}

// ListPolicyVersions lists the versions of a managed policy, oldest first, without their
// documents. Errors: ErrValidation, ErrInvalidInput, ErrNotFound.
func (s *Store) ListPolicyVersions(ctx context.Context, arn string, pg Page) ([]PolicyVersion, string, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	p, err := s.findPolicy(st, arn, noSuchPolicy)
	if err != nil {
		return nil, "", err
	}
	// The sort key is the version's place in the (creation-ordered) list, zero-padded.
	idx := make([]int, len(p.Versions))
	for i := range idx {
		idx[i] = i
	}
	page, next, err := paginate(idx, func(i int) string { return fmt.Sprintf("%08d", i) }, pg)
	if err != nil {
		return nil, "", err
	}
	out := make([]PolicyVersion, len(page))
	for i, j := range page {
		v := p.Versions[j]
		out[i] = PolicyVersion{VersionID: v.ID, IsDefault: v.ID == p.Default, Created: v.Created}
	}
	return out, next, nil
}

// ListUserPolicies lists the names of the user's inline policies, sorted. Errors:
// ErrValidation, ErrNotFound.
func (s *Store) ListUserPolicies(ctx context.Context, userName string, pg Page) ([]string, string, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	u, err := findUser(st, userName)
	if err != nil {
		return nil, "", err
	}
	keys := slices.Sorted(maps.Keys(u.Inline))
	page, next, err := paginate(keys, func(k string) string { return k }, pg)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, len(page))
	for i, k := range page {
		out[i] = u.Inline[k].Name
	}
	return out, next, nil
}

// GetLoginProfile is the user's console password profile: Arca keeps no console
// passwords, so there is none, and IAM answers NoSuchEntity for a user without one.
// Errors: ErrValidation, ErrNotFound (always, when the user exists).
func (s *Store) GetLoginProfile(ctx context.Context, userName string) error {
	st, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	u, err := findUser(st, userName)
	if err != nil {
		return err
	}
	return errf(ErrNotFound, "Login Profile for User %s cannot be found.", u.Name)
}
