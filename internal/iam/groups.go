package iam

import (
	"context"
	"slices"
)

func (s *Store) group(g *groupRec) Group {
	return Group{Name: g.Name, ID: g.ID, ARN: s.arn("group", g.Path, g.Name), Path: g.Path, Created: g.Created}
}

func findGroup(st *state, name string) (*groupRec, error) {
	if err := checkName(name, "groupName", maxGroupNameLen); err != nil {
		return nil, err
	}
	g := st.groups[key(name)]
	if g == nil && st.isDamaged(kindGroups, key(name)) {
		return nil, damaged("group", key(name))
	}
	if g == nil {
		return nil, noSuchGroup(name)
	}
	return g, nil
}

// CreateGroup creates a group under path ("" = "/"). Errors: ErrValidation,
// ErrAlreadyExists, ErrLimitExceeded.
func (s *Store) CreateGroup(ctx context.Context, name, path string) (Group, error) {
	if err := checkName(name, "groupName", maxGroupNameLen); err != nil {
		return Group{}, err
	}
	path, err := checkPath(path)
	if err != nil {
		return Group{}, err
	}
	var out Group
	err = s.update(ctx, func(w *writer) error {
		if w.st.groups[key(name)] != nil {
			return errf(ErrAlreadyExists, "Group with name %s already exists.", name)
		}
		if w.st.isDamaged(kindGroups, key(name)) {
			return damaged("group", key(name))
		}
		if len(w.st.groups) >= maxGroups {
			return quota("GroupsPerAccount", maxGroups)
		}
		g := &groupRec{principalRec{Name: name, ID: newID("AGPA", 17), Path: path, Created: w.now}}
		w.putGroup(g)
		out = s.group(g)
		return nil
	})
	return out, err
}

// GetGroup returns the group named name. Errors: ErrValidation, ErrNotFound.
func (s *Store) GetGroup(ctx context.Context, name string) (Group, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return Group{}, err
	}
	g, err := findGroup(st, name)
	if err != nil {
		return Group{}, err
	}
	return s.group(g), nil
}

// AddUserToGroup makes the user a member of the group (a no-op if it is one already).
// Errors: ErrValidation, ErrNotFound, ErrLimitExceeded (ten groups per user).
func (s *Store) AddUserToGroup(ctx context.Context, groupName, userName string) error {
	return s.update(ctx, func(w *writer) error {
		g, err := findGroup(w.st, groupName)
		if err != nil {
			return err
		}
		u, err := findUser(w.st, userName)
		if err != nil {
			return err
		}
		gk := key(g.Name)
		i, found := slices.BinarySearch(u.Groups, gk)
		if found {
			return nil
		}
		if len(u.Groups) >= maxGroupsPerUser {
			return quota("GroupsPerUser", maxGroupsPerUser)
		}
		u = u.clone()
		u.Groups = slices.Insert(u.Groups, i, gk)
		w.putUser(u)
		return nil
	})
}

// RemoveUserFromGroup ends the user's membership. Errors: ErrValidation, ErrNotFound
// (also when the user is not a member).
func (s *Store) RemoveUserFromGroup(ctx context.Context, groupName, userName string) error {
	return s.update(ctx, func(w *writer) error {
		g, err := findGroup(w.st, groupName)
		if err != nil {
			return err
		}
		u, err := findUser(w.st, userName)
		if err != nil {
			return err
		}
		i, found := slices.BinarySearch(u.Groups, key(g.Name))
		if !found {
			return errf(ErrNotFound, "User %s is not in group %s.", u.Name, g.Name)
		}
		u = u.clone()
		u.Groups = slices.Delete(u.Groups, i, i+1)
		w.putUser(u)
		return nil
	})
}
