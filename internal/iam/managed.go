package iam

import (
	"context"
	"maps"
	"slices"
	"strings"
)

func (s *Store) policy(st *state, p *policyRec) ManagedPolicy {
	return ManagedPolicy{Name: p.Name, ID: p.ID, ARN: s.arn("policy", p.Path, p.Name), Path: p.Path,
		Description: p.Description, DefaultVersion: p.Default, AttachmentCount: attachments(st, key(p.Name)),
		Created: p.Created, Updated: p.Updated}
}

// attachments counts the users and groups a managed policy is attached to.
func attachments(st *state, pk string) int {
	n := 0
	for _, u := range st.users {
		if _, ok := slices.BinarySearch(u.Attached, pk); ok {
			n++
		}
	}
	for _, g := range st.groups {
		if _, ok := slices.BinarySearch(g.Attached, pk); ok {
			n++
		}
	}
	return n
}

// findPolicy resolves a managed policy ARN. A well-formed ARN that names no policy of this
// account gets notFound(arn); a malformed one InvalidInput.
func (s *Store) findPolicy(st *state, arn string, notFound func(string) error) (*policyRec, error) {
	if arn == "" {
		return nil, required("policyArn")
	}
	if err := checkLen(arn, "policyArn", 20, 2048); err != nil {
		return nil, err
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" ||
		!strings.HasPrefix(parts[5], "policy/") || strings.HasSuffix(parts[5], "/") {
		return nil, errf(ErrInvalidInput, "ARN %s is not valid.", arn)
	}
	res := parts[5]
	name := res[strings.LastIndexByte(res, '/')+1:]
	p := st.policies[key(name)]
	if p == nil && parts[4] == s.cfg.AccountID && st.isDamaged(kindPolicies, key(name)) {
		return nil, damaged("policy", key(name))
	}
	if p == nil || parts[4] != s.cfg.AccountID || parts[1] != "aws" || !strings.EqualFold(s.arn("policy", p.Path, p.Name), arn) {
		return nil, notFound(arn)
	}
	return p, nil
}

// CreatePolicy creates a customer managed policy whose version v1 is doc, the default.
// Errors: ErrValidation, ErrMalformedPolicy, ErrAlreadyExists, ErrLimitExceeded (6144
// characters per document, 1500 policies).
func (s *Store) CreatePolicy(ctx context.Context, name, path, description, doc string) (ManagedPolicy, error) {
	if err := checkName(name, "policyName", maxPolicyNameLen); err != nil {
		return ManagedPolicy{}, err
	}
	path, err := checkPath(path)
	if err != nil {
		return ManagedPolicy{}, err
	}
	if err := checkDescription(description); err != nil {
		return ManagedPolicy{}, err
	}
	if policySize(doc) > maxManagedSize {
		return ManagedPolicy{}, quota("PolicySize", maxManagedSize)
	}
	if err := s.validate(doc); err != nil {
		return ManagedPolicy{}, err
	}
	var out ManagedPolicy
	err = s.update(ctx, func(w *writer) error {
		if w.st.policies[key(name)] != nil {
			return errf(ErrAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", name)
		}
		if w.st.isDamaged(kindPolicies, key(name)) {
			return damaged("policy", key(name))
		}
		if len(w.st.policies) >= maxPolicies {
			return quota("PoliciesPerAccount", maxPolicies)
		}
		p := &policyRec{Name: name, ID: newID("ANPA", 17), Path: path, Description: description,
			Created: w.now, Updated: w.now, Default: "v1", Versions: []versionRec{{ID: "v1", Doc: doc, Created: w.now}}}
		w.putPolicy(p)
		out = s.policy(w.st, p)
		return nil
	})
	return out, err
}

// GetPolicy describes a managed policy. Errors: ErrValidation, ErrInvalidInput, ErrNotFound.
func (s *Store) GetPolicy(ctx context.Context, arn string) (ManagedPolicy, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return ManagedPolicy{}, err
	}
	p, err := s.findPolicy(st, arn, noSuchPolicy)
	if err != nil {
		return ManagedPolicy{}, err
	}
	return s.policy(st, p), nil
}

// GetPolicyVersion returns one version of a managed policy. Errors: ErrValidation,
// ErrInvalidInput, ErrNotFound.
func (s *Store) GetPolicyVersion(ctx context.Context, arn, versionID string) (PolicyVersion, error) {
	if err := checkVersionID(versionID); err != nil {
		return PolicyVersion{}, err
	}
	st, err := s.snapshot(ctx)
	if err != nil {
		return PolicyVersion{}, err
	}
	p, err := s.findPolicy(st, arn, noSuchPolicy)
	if err != nil {
		return PolicyVersion{}, err
	}
	for _, v := range p.Versions {
		if v.ID == versionID {
			return PolicyVersion{VersionID: v.ID, Document: v.Doc, IsDefault: v.ID == p.Default, Created: v.Created}, nil
		}
	}
	return PolicyVersion{}, errf(ErrNotFound, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
}

// DeletePolicy deletes a managed policy that is attached to nothing. Errors:
// ErrValidation, ErrInvalidInput, ErrNotFound, ErrDeleteConflict.
func (s *Store) DeletePolicy(ctx context.Context, arn string) error {
	return s.update(ctx, func(w *writer) error {
		p, err := s.findPolicy(w.st, arn, noSuchPolicy)
		if err != nil {
			return err
		}
		if attachments(w.st, key(p.Name)) > 0 {
			return errf(ErrDeleteConflict, "Cannot delete a policy attached to entities.")
		}
		w.del(kindPolicies, key(p.Name))
		return nil
	})
}

// attach adds pk to a sorted attachment list (ok=false when already there).
func attach(list []string, pk string) ([]string, bool) {
	i, found := slices.BinarySearch(list, pk)
	if found {
		return list, false
	}
	return slices.Insert(slices.Clone(list), i, pk), true
}

// AttachUserPolicy attaches a managed policy to the user (a no-op if it is attached).
// Errors: ErrValidation, ErrInvalidInput, ErrNotFound, ErrLimitExceeded (ten per user).
func (s *Store) AttachUserPolicy(ctx context.Context, userName, arn string) error {
	return s.update(ctx, func(w *writer) error {
		u, err := findUser(w.st, userName)
		if err != nil {
			return err
		}
		p, err := s.findPolicy(w.st, arn, notAttachable)
		if err != nil {
			return err
		}
		list, added := attach(u.Attached, key(p.Name))
		if !added {
			return nil
		}
		if len(u.Attached) >= maxAttached {
			return quota("PoliciesPerUser", maxAttached)
		}
		u = u.clone()
		u.Attached = list
		w.putUser(u)
		return nil
	})
}

// AttachGroupPolicy attaches a managed policy to the group (a no-op if it is attached).
// Errors: ErrValidation, ErrInvalidInput, ErrNotFound, ErrLimitExceeded (ten per group).
func (s *Store) AttachGroupPolicy(ctx context.Context, groupName, arn string) error {
	return s.update(ctx, func(w *writer) error {
		g, err := findGroup(w.st, groupName)
		if err != nil {
			return err
		}
		p, err := s.findPolicy(w.st, arn, notAttachable)
		if err != nil {
			return err
		}
		list, added := attach(g.Attached, key(p.Name))
		if !added {
			return nil
		}
		if len(g.Attached) >= maxAttached {
			return quota("PoliciesPerGroup", maxAttached)
		}
		g = g.clone()
		g.Attached = list
		w.putGroup(g)
		return nil
	})
}

// DetachUserPolicy detaches a managed policy from the user. Errors: ErrValidation,
// ErrInvalidInput, ErrNotFound (also when it is not attached).
func (s *Store) DetachUserPolicy(ctx context.Context, userName, arn string) error {
	return s.update(ctx, func(w *writer) error {
		u, err := findUser(w.st, userName)
		if err != nil {
			return err
		}
		attached, err := s.detached(w.st, u.Attached, arn)
		if err != nil {
			return err
		}
		u = u.clone()
		u.Attached = attached
		w.putUser(u)
		return nil
	})
}

// ListAttachedUserPolicies lists the managed policies attached to the user whose path
// starts with pathPrefix ("" = all), by name. Errors: ErrValidation, ErrNotFound.
func (s *Store) ListAttachedUserPolicies(ctx context.Context, userName, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return nil, "", err
	}
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	u, err := findUser(st, userName)
	if err != nil {
		return nil, "", err
	}
	return s.listAttached(st, u.Attached, pathPrefix, pg)
}

// listAttached pages the policies of attached (a user's or group's sorted attachment keys)
// whose path starts with pathPrefix.
func (s *Store) listAttached(st *state, attached []string, pathPrefix string, pg Page) ([]AttachedPolicy, string, error) {
	var keys []string
	for _, pk := range attached {
		if p := st.policies[pk]; p != nil && strings.HasPrefix(p.Path, pathPrefix) {
			keys = append(keys, pk)
		}
	}
	page, next, err := paginate(keys, func(k string) string { return k }, pg)
	if err != nil {
		return nil, "", err
	}
	out := make([]AttachedPolicy, len(page))
	for i, pk := range page {
		p := st.policies[pk]
		out[i] = AttachedPolicy{Name: p.Name, ARN: s.arn("policy", p.Path, p.Name)}
	}
	return out, next, nil
}

// detached is attached (sorted attachment keys) without the policy arn names; ErrNotFound
// when arn names no policy or one not attached.
func (s *Store) detached(st *state, attached []string, arn string) ([]string, error) {
	p, err := s.findPolicy(st, arn, noSuchPolicy)
	if err != nil {
		return nil, err
	}
	i, found := slices.BinarySearch(attached, key(p.Name))
	if !found {
		return nil, noSuchPolicy(arn)
	}
	return slices.Delete(slices.Clone(attached), i, i+1), nil
}

// PoliciesFor returns every identity policy document that applies to the user, for the
// policy engine: the user's inline policies, the default versions of the managed policies
// attached to the user, then for each of the user's groups its inline and attached ones.
// It reads memory only. Errors: ErrNotFound; ErrDamagedRecord when the user, one of its
// groups or one of the managed policies that apply is damaged: what it would allow or deny
// is unknown, so no decision is made (a skipped Deny would grant too much).
func (s *Store) PoliciesFor(ctx context.Context, userName string) ([][]byte, error) {
	st, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	u := st.users[key(userName)]
	if u == nil && st.isDamaged(kindUsers, key(userName)) {
		return nil, damaged("user", key(userName))
	}
	if u == nil {
		return nil, noSuchUser(userName)
	}
	var out [][]byte
	add := func(p *principalRec) error {
		for _, k := range slices.Sorted(maps.Keys(p.Inline)) {
			out = append(out, []byte(p.Inline[k].Doc))
		}
		for _, pk := range p.Attached {
			if st.isDamaged(kindPolicies, pk) {
				return damaged("policy", pk)
			}
			if mp := st.policies[pk]; mp != nil {
				for _, v := range mp.Versions {
					if v.ID == mp.Default {
						out = append(out, []byte(v.Doc))
					}
				}
			}
		}
		return nil
	}
	if err := add(&u.principalRec); err != nil {
		return nil, err
	}
	for _, gk := range u.Groups {
		if st.isDamaged(kindGroups, gk) {
			return nil, damaged("group", gk)
		}
		if g := st.groups[gk]; g != nil {
			if err := add(&g.principalRec); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
