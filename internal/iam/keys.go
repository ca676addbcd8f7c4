package iam

import (
	"context"
	"slices"
	"strings"
)

func accessKey(k *keyRec, u *userRec) AccessKey {
	return AccessKey{ID: k.ID, UserName: u.Name, Status: k.Status, Created: k.Created}
}

// CreateAccessKey makes a new Active access key for the user. The returned AccessKey is
// the only place its Secret ever appears. Errors: ErrValidation, ErrNotFound,
// ErrLimitExceeded (a user has at most two keys, Active or not).
func (s *Store) CreateAccessKey(ctx context.Context, userName string) (AccessKey, error) {
	var out AccessKey
	err := s.update(ctx, func(w *writer) error {
		u, err := findUser(w.st, userName)
		if err != nil {
			return err
		}
		if len(u.Keys) >= maxKeysPerUser {
			return quota("AccessKeysPerUser", maxKeysPerUser)
		}
		id := newID("AKIA", 16)
		for w.st.keys[id] != nil {
			id = newID("AKIA", 16)
		}
		secret := newSecret()
		k := &keyRec{ID: id, User: key(u.Name), Status: StatusActive, Created: w.now,
			Sealed: s.cfg.Root.Seal(secretAAD(id), []byte(secret)), secret: secret}
		u = u.clone()
		u.Keys = append(u.Keys, id)
		w.putUser(u)
		w.putKey(k)
		out = accessKey(k, u)
		out.Secret = secret
		return nil
	})
	return out, err
}

// ListAccessKeys lists the user's access keys, oldest first, without secrets.
// Errors: ErrValidation, ErrNotFound.
func (s *Store) ListAccessKeys(ctx context.Context, userName string, p Page) ([]AccessKey, string, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	u, err := findUser(st, userName)
	if err != nil {
		return nil, "", err
	}
	keys := make([]*keyRec, 0, len(u.Keys))
	for _, id := range u.Keys {
		if k := st.keys[id]; k != nil { // a damaged access key record is not served
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b *keyRec) int { return strings.Compare(keyOrder(a), keyOrder(b)) })
	page, next, err := paginate(keys, keyOrder, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]AccessKey, len(page))
	for i, k := range page {
		out[i] = accessKey(k, u)
	}
	return out, next, nil
}

// keyOrder sorts a user's keys oldest first (ties by id).
func keyOrder(k *keyRec) string { return k.Created.Format("20060102150405") + k.ID }

// findKey returns the user's key keyID.
func findKey(st *state, userName, keyID string) (*userRec, *keyRec, error) {
	u, err := findUser(st, userName)
	if err != nil {
		return nil, nil, err
	}
	if err := checkKeyID(keyID); err != nil {
		return nil, nil, err
	}
	k := st.keys[keyID]
	if k == nil && st.isDamaged(kindKeys, keyID) && slices.Contains(u.Keys, keyID) {
		return u, nil, damaged("access key", keyID)
	}
	if k == nil || k.User != key(u.Name) {
		return nil, nil, noSuchKey(keyID)
	}
	return u, k, nil
}

// UpdateAccessKey sets a key's status (Active or Inactive). An Inactive key stops
// authenticating as soon as this returns. Errors: ErrValidation, ErrNotFound.
func (s *Store) UpdateAccessKey(ctx context.Context, userName, keyID, status string) error {
	if err := checkStatus(status); err != nil {
		return err
	}
	return s.update(ctx, func(w *writer) error {
		_, k, err := findKey(w.st, userName, keyID)
		if err != nil {
			return err
		}
		if k.Status == status {
			return nil
		}
		c := *k
		c.Status, c.secret = status, ""
		if status == StatusActive {
			if c.secret, err = openSecret(s.cfg.Root, &c); err != nil {
				return err
			}
		}
		w.putKey(&c)
		return nil
	})
}

// DeleteAccessKey deletes a user's key, also one whose record is damaged (the user's own
// record lists it). Errors: ErrValidation, ErrNotFound.
func (s *Store) DeleteAccessKey(ctx context.Context, userName, keyID string) error {
	return s.update(ctx, func(w *writer) error {
		u, _, err := findKey(w.st, userName, keyID)
		if err != nil && (u == nil || !isDamaged(err)) {
			return err
		}
		u = u.clone()
		u.Keys = slices.DeleteFunc(u.Keys, func(id string) bool { return id == keyID })
		w.putUser(u)
		w.del(kindKeys, keyID)
		return nil
	})
}

// LookupAccessKey returns the secret of an Active access key and the Identity it
// authenticates. It reads memory only and is meant for every request. Errors: ErrNotFound
// (unknown key; also a damaged key record, a key whose user's record is damaged, or a key
// its user's record does not list), ErrKeyInactive; both must reach the client as
// InvalidAccessKeyId.
func (s *Store) LookupAccessKey(ctx context.Context, accessKeyID string) (string, Identity, error) {
	st := s.cur.Load()
	k := st.keys[accessKeyID]
	if k == nil {
		return "", Identity{}, ErrNotFound
	}
	if k.Status != StatusActive {
		return "", Identity{}, ErrKeyInactive
	}
	u := st.users[k.User]
	if u == nil || !slices.Contains(u.Keys, k.ID) { // the user's record is damaged (or the two disagree)
		return "", Identity{}, ErrNotFound
	}
	return k.secret, s.identity(u, k.ID), nil
}
