package kms

import "strings"

// KeyARN returns the ARN of the key an identifier names (key id, key ARN, alias name or
// alias ARN), or "" when it names no key that exists (a key being destroyed does not).
// It is AuthInfo without the copy of the policy and grants and without building error
// values, for naming a request's key in its audit record; a bare key id, the common case,
// costs a map lookup.
func (s *Service) KeyARN(in string) string {
	var r ref
	if isUUID(in) || isMRK(in) {
		r.keyID = strings.ToLower(in) // what parseRef answers for a bare key id
	} else {
		var err error
		if r, err = s.parseRef(in, true); err != nil {
			return ""
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id := r.keyID
	if r.alias != "" {
		a := s.aliases[r.alias]
		if a == nil {
			return ""
		}
		id = a.KeyID
	}
	if k := s.keys[id]; k != nil && !k.rec.Destroying {
		return k.arn
	}
	return ""
}
