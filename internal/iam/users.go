package iam

import (
	"context"
	"slices"
	"strings"
)

// Quotas (AWS's defaults).
const (
	maxUsers          = 5000
	maxGroups         = 300
	maxPolicies       = 1500
	maxKeysPerUser    = 2
	maxGroupsPerUser  = 10
	maxAttached       = 10
	maxUserInlineSize = 2048
	maxGrpInlineSize  = 5120
	maxManagedSize    = 6144
	maxUserNameLen    = 64
	maxGroupNameLen   = 128
	maxPolicyNameLen  = 128
)

func (s *Store) arn(kind, path, name string) string {
	return "arn:aws:iam::" + s.cfg.AccountID + ":" + kind + path + name
}

func (s *Store) user(u *userRec) User {
	return User{Name: u.Name, ID: u.ID, ARN: s.arn("user", u.Path, u.Name), Path: u.Path, Created: u.Created}
}

// identity is the Identity of user u authenticated with accessKeyID.
func (s *Store) identity(u *userRec, accessKeyID string) Identity {
	return Identity{Type: TypeIAMUser, AccountID: s.cfg.AccountID, ARN: s.arn("user", u.Path, u.Name),
		UserID: u.ID, UserName: u.Name, AccessKeyID: accessKeyID}
}

// findUser returns the user named name, or a validation, NoSuchEntity or ErrDamagedRecord
// error.
func findUser(st *state, name string) (*userRec, error) {
	if err := checkName(name, "userName", maxUserNameLen); err != nil {
		return nil, err
	}
	u := st.users[key(name)]
	if u == nil && st.isDamaged(kindUsers, key(name)) {
		return nil, damaged("user", key(name))
	}
	if u == nil {
		return nil, noSuchUser(name)
	}
	return u, nil
}

// CreateUser creates a user under path ("" = "/"). Errors: ErrValidation,
// ErrAlreadyExists, ErrLimitExceeded.
func (s *Store) CreateUser(ctx context.Context, name, path string) (User, error) {
	if err := checkName(name, "userName", maxUserNameLen); err != nil {
		return User{}, err
	}
	path, err := checkPath(path)
	if err != nil {
		return User{}, err
	}
	var out User
	err = s.update(ctx, func(w *writer) error {
		if w.st.users[key(name)] != nil {
			return errf(ErrAlreadyExists, "User with name %s already exists.", name)
		}
		if w.st.isDamaged(kindUsers, key(name)) {
			return damaged("user", key(name))
		}
		if len(w.st.users) >= maxUsers {
			return quota("UsersPerAccount", maxUsers)
		}
		u := &userRec{principalRec: principalRec{Name: name, ID: newID("AIDA", 17), Path: path, Created: w.now}}
		w.putUser(u)
		out = s.user(u)
		return nil
	})
	return out, err
}

// GetUser returns the user named name. Errors: ErrValidation, ErrNotFound.
func (s *Store) GetUser(ctx context.Context, name string) (User, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return User{}, err
	}
	u, err := findUser(st, name)
	if err != nil {
		return User{}, err
	}
	return s.user(u), nil
}

// ListUsers lists users whose path starts with pathPrefix ("" = all), by name.
// Errors: ErrValidation (bad prefix, MaxItems or Marker).
func (s *Store) ListUsers(ctx context.Context, pathPrefix string, p Page) ([]User, string, error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	var recs []*userRec
	for _, u := range st.users {
		if strings.HasPrefix(u.Path, pathPrefix) {
			recs = append(recs, u)
		}
	}
	slices.SortFunc(recs, func(a, b *userRec) int { return strings.Compare(key(a.Name), key(b.Name)) })
	page, next, err := paginate(recs, func(u *userRec) string { return key(u.Name) }, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]User, len(page))
	for i, u := range page {
		out[i] = s.user(u)
	}
	return out, next, nil
}

// DeleteUser deletes a user that has no access keys, inline or attached policies and is
// in no group. A user whose record is damaged is deleted with the access keys that name it
// (its policies and group memberships are in that record): the way to drop what cannot be
// trusted and create the user again. Errors: ErrValidation, ErrNotFound, ErrDeleteConflict.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	return s.update(ctx, func(w *writer) error {
		u, err := findUser(w.st, name)
		if isDamaged(err) {
			for id, k := range w.st.keys {
				if k.User == key(name) {
					w.del(kindKeys, id)
				}
			}
			w.del(kindUsers, key(name))
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case len(u.Keys) > 0:
			return deleteConflict("delete access keys")
		case len(u.Inline) > 0:
			return deleteConflict("delete policies")
		case len(u.Attached) > 0:
			return deleteConflict("detach all policies")
		case len(u.Groups) > 0:
			return deleteConflict("remove users from group")
		}
		w.del(kindUsers, key(u.Name))
		return nil
	})
}
