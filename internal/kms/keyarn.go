package kms

// KeyARN returns the ARN of the key an identifier names (key id, key ARN, alias name or
// alias ARN), or "" when it names no key that exists (a key being destroyed does not).
// It is AuthInfo without the copy of the policy and grants, for naming a request's key in
// its audit record.
func (s *Service) KeyARN(in string) string {
	r, err := s.parseRef(in, true)
	if err != nil {
		return ""
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k, err := s.lookup(r); err == nil {
		return k.arn
	}
	return ""
}
