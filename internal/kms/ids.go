package kms

import (
	"crypto/rand"
	"strings"
)

// Identifiers (docs/KMS.md, "Identifiers"): a key is named by its id (a UUID) or key ARN
// everywhere; crypto operations and DescribeKey also take an alias name or alias ARN.

func (s *Service) keyARN(id string) string {
	return "arn:aws:kms:" + s.cfg.Region + ":" + s.cfg.AccountID + ":key/" + id
}

func (s *Service) aliasARN(name string) string {
	return "arn:aws:kms:" + s.cfg.Region + ":" + s.cfg.AccountID + ":" + name
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func isMRK(s string) bool {
	if len(s) != 36 || !strings.HasPrefix(s, "mrk-") {
		return false
	}
	for _, c := range s[4:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b[:])
}

// ref is a parsed identifier: a key id, or an alias name ("alias/…").
type ref struct {
	keyID string
	alias string
}

// parseRef checks an identifier's shape. ARNs must name this region and account.
func (s *Service) parseRef(in string, allowAlias bool) (ref, error) {
	if in == "" {
		return ref{}, required("keyId")
	}
	if len(in) > 2048 {
		return ref{}, validation(in, "keyId", "Member must have length less than or equal to 2048")
	}
	// invalid is built only on failure: formatting it on every call cost ~1% of Decrypt.
	invalid := func() error { return errf(ErrNotFound, "Invalid keyId '%s'", in) }
	s1 := in
	if strings.HasPrefix(in, "arn:") {
		parts := strings.SplitN(in, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" || parts[1] == "" {
			return ref{}, invalid()
		}
		if parts[3] != s.cfg.Region {
			return ref{}, errf(ErrNotFound, "Invalid arn %s", parts[3])
		}
		res := parts[5]
		switch {
		case strings.HasPrefix(res, "key/"):
			id := strings.TrimPrefix(res, "key/")
			if !isUUID(id) && !isMRK(id) {
				return ref{}, invalid()
			}
			if parts[4] != s.cfg.AccountID {
				return ref{}, msgKeyNotExist(in)
			}
			return ref{keyID: strings.ToLower(id)}, nil
		case strings.HasPrefix(res, "alias/") && allowAlias:
			if parts[4] != s.cfg.AccountID {
				return ref{}, errf(ErrNotFound, "Alias %s is not found.", in)
			}
			return ref{alias: res}, nil
		}
		return ref{}, invalid()
	}
	switch {
	case isUUID(s1) || isMRK(s1):
		return ref{keyID: strings.ToLower(s1)}, nil
	case strings.HasPrefix(s1, "alias/") && allowAlias && len(s1) > len("alias/"):
		return ref{alias: s1}, nil
	}
	return ref{}, invalid()
}

// resolve finds the key an identifier names (destroyed keys do not exist) and counts
// the operation against it.
func (s *Service) resolve(in string, allowAlias bool, op string) (*key, error) {
	r, err := s.parseRef(in, allowAlias)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	k, err := s.lookup(r)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	s.obs.KeyOperation(k.rec.ID, op)
	return k, nil
}

// lookup finds the key a parsed identifier names, following an alias; a key being
// destroyed does not exist. The caller holds s.mu. Errors are AWS's NotFoundException
// messages, and ErrKeyUnavailable for a key or alias whose record is damaged.
func (s *Service) lookup(r ref) (*key, error) {
	id := r.keyID
	if r.alias != "" {
		a := s.aliases[r.alias]
		if a == nil {
			if s.damagedAliases[r.alias] {
				return nil, errf(ErrKeyUnavailable, "Alias %s is unavailable.", s.aliasARN(r.alias))
			}
			return nil, errf(ErrNotFound, "Alias %s is not found.", s.aliasARN(r.alias))
		}
		id = a.KeyID
	}
	k := s.keys[id]
	if k == nil && s.damagedKeys[id] {
		return nil, msgUnavailable(s.keyARN(id))
	}
	if k == nil || k.rec.Destroying {
		return nil, msgKeyNotExist(s.keyARN(id))
	}
	return k, nil
}

// usable checks that a key may do cryptography.
func usable(k *key) error {
	switch k.rec.State {
	case StateEnabled:
		return nil
	case StateDisabled:
		return msgDisabled(k.arn)
	case StatePendingDeletion:
		return msgPending(k.arn)
	}
	return errf(ErrInvalidState, "%s is %s.", k.arn, k.rec.State)
}
