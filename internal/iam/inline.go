package iam

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"

	"github.com/arcastore/arca/internal/errs"
)

// validate checks a policy document: AWS's wire constraints, then the policy engine's
// parser (Config.ValidatePolicy), or without one that it is a JSON object.
func (s *Store) validate(doc string) error {
	if err := checkDocument(doc); err != nil {
		return err
	}
	if s.cfg.ValidatePolicy != nil {
		if err := s.cfg.ValidatePolicy([]byte(doc)); err != nil {
			var e *errs.E
			if errors.As(err, &e) {
				return e
			}
			return errf(ErrMalformedPolicy, "%s", err.Error())
		}
		return nil
	}
	if t := strings.TrimLeft(doc, " \t\r\n"); !strings.HasPrefix(t, "{") || !json.Valid([]byte(doc)) {
		return errf(ErrMalformedPolicy, "Syntax errors in policy.")
	}
	return nil
}

// putInline replaces or adds policy name in p's inline policies, keeping their total
// size within limit.
func (s *Store) putInline(p *principalRec, name, doc string, limit int, kind string) error {
	total := policySize(doc)
	for k, ip := range p.Inline {
		if k != key(name) {
			total += policySize(ip.Doc)
		}
	}
	if total > limit {
		return errf(ErrLimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s", limit, kind, p.Name)
	}
	p.Inline = maps.Clone(p.Inline)
	if p.Inline == nil {
		p.Inline = map[string]inlinePolicy{}
	}
	p.Inline[key(name)] = inlinePolicy{Name: name, Doc: doc}
	return nil
}

// PutUserPolicy adds or replaces an inline policy of the user. Errors: ErrValidation,
// ErrNotFound, ErrMalformedPolicy, ErrLimitExceeded (2048 characters in all of a user's
// inline policies, white space not counted).
func (s *Store) PutUserPolicy(ctx context.Context, userName, policyName, doc string) error {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return err
	}
	if policySize(doc) > maxUserInlineSize {
		return errf(ErrLimitExceeded, "Maximum policy size of %d bytes exceeded for user %s", maxUserInlineSize, userName)
	}
	if err := s.validate(doc); err != nil {
		return err
	}
	return s.update(ctx, func(w *writer) error {
		u, err := findUser(w.st, userName)
		if err != nil {
			return err
		}
		u = u.clone()
		if err := s.putInline(&u.principalRec, policyName, doc, maxUserInlineSize, "user"); err != nil {
			return err
		}
		w.putUser(u)
		return nil
	})
}

// GetUserPolicy returns the document of the user's inline policy. Errors: ErrValidation,
// ErrNotFound.
func (s *Store) GetUserPolicy(ctx context.Context, userName, policyName string) (string, error) {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return "", err
	}
	st, err := s.snapshot(ctx)
	if err != nil {
		return "", err
	}
	u, err := findUser(st, userName)
	if err != nil {
		return "", err
	}
	ip, ok := u.Inline[key(policyName)]
	if !ok {
		return "", errf(ErrNotFound, "The user policy with name %s cannot be found.", policyName)
	}
	return ip.Doc, nil
}

// DeleteUserPolicy deletes the user's inline policy. Errors: ErrValidation, ErrNotFound.
func (s *Store) DeleteUserPolicy(ctx context.Context, userName, policyName string) error {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return err
	}
	return s.update(ctx, func(w *writer) error {
		u, err := findUser(w.st, userName)
		if err != nil {
			return err
		}
		if _, ok := u.Inline[key(policyName)]; !ok {
			return errf(ErrNotFound, "The user policy with name %s cannot be found.", policyName)
		}
		u = u.clone()
		delete(u.Inline, key(policyName))
		w.putUser(u)
		return nil
	})
}

// PutGroupPolicy adds or replaces an inline policy of the group. Errors: ErrValidation,
// ErrNotFound, ErrMalformedPolicy, ErrLimitExceeded (5120 characters in all of a group's
// inline policies).
func (s *Store) PutGroupPolicy(ctx context.Context, groupName, policyName, doc string) error {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return err
	}
	if policySize(doc) > maxGrpInlineSize {
		return errf(ErrLimitExceeded, "Maximum policy size of %d bytes exceeded for group %s", maxGrpInlineSize, groupName)
	}
	if err := s.validate(doc); err != nil {
		return err
	}
	return s.update(ctx, func(w *writer) error {
		g, err := findGroup(w.st, groupName)
		if err != nil {
			return err
		}
		g = g.clone()
		if err := s.putInline(&g.principalRec, policyName, doc, maxGrpInlineSize, "group"); err != nil {
			return err
		}
		w.putGroup(g)
		return nil
	})
}
