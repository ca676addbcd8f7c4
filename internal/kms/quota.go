package kms

import (
	"sync"
	"time"
)

// quota is the per-account token bucket for cryptographic operations: rate tokens per
// second, holding at most max(rate, 1). A nil *quota or rate 0 allows everything.
type quota struct {
	rate    float64
	burst   float64
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newQuota(rate float64, now func() time.Time) *quota {
	if rate <= 0 {
		return nil
	}
	return &quota{rate: rate, burst: max(rate, 1), now: now, buckets: map[string]*tokenBucket{}}
}

// allow takes one token from account's bucket, reporting whether there was one.
func (q *quota) allow(account string) bool {
	if q == nil {
		return true
	}
	now := q.now()
	q.mu.Lock()
	defer q.mu.Unlock()
	b := q.buckets[account]
	if b == nil {
		b = &tokenBucket{tokens: q.burst, last: now}
		q.buckets[account] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(q.burst, b.tokens+el*q.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (s *Service) admit(p Principal, op string) error {
	if s.quota.allow(p.AccountID) {
		return nil
	}
	s.obs.Throttled(p.AccountID, op)
	return errf(ErrThrottled, "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.")
}
