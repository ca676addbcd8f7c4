package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// SigningKey derives the SigV4 signing key
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
// date is the scope date, YYYYMMDD.
func SigningKey(secret, date, region, service string) []byte {
	k := make([]byte, 0, 4+len(secret))
	k = append(k, "AWS4"...)
	k = append(k, secret...)
	k = hmacSHA256(k, date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

type keyCacheKey struct {
	secret, date, region, service string
}

// KeyCache remembers derived signing keys, keyed by secret, date, region and
// service. It holds at most its size entries and is safe for concurrent use.
// Eviction is generational: when the young generation fills up it becomes
// the old one and the previous old generation is dropped, so entries in use
// survive (they are promoted on hit) and memory stays bounded.
type KeyCache struct {
	mu    sync.Mutex
	half  int
	young map[keyCacheKey][]byte
	old   map[keyCacheKey][]byte
}

// NewKeyCache returns a cache holding at most size keys (minimum 2).
func NewKeyCache(size int) *KeyCache {
	if size < 2 {
		size = 2
	}
	return &KeyCache{half: size / 2, young: make(map[keyCacheKey][]byte)}
}

// defaultKeys is the cache Verify uses.
var defaultKeys = NewKeyCache(1024)

// SigningKey returns the signing key for the arguments, deriving and caching
// it when absent. The returned slice is shared: callers must not modify it.
func (c *KeyCache) SigningKey(secret, date, region, service string) []byte {
	k := keyCacheKey{secret, date, region, service}
	c.mu.Lock()
	if v, ok := c.young[k]; ok {
		c.mu.Unlock()
		return v
	}
	if v, ok := c.old[k]; ok {
		delete(c.old, k)
		c.putLocked(k, v)
		c.mu.Unlock()
		return v
	}
	c.mu.Unlock()
	v := SigningKey(secret, date, region, service)
	c.mu.Lock()
	c.putLocked(k, v)
	c.mu.Unlock()
	return v
}

// Len reports how many keys the cache holds.
func (c *KeyCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.young) + len(c.old)
}

func (c *KeyCache) putLocked(k keyCacheKey, v []byte) {
	if len(c.young) >= c.half {
		c.old = c.young
		c.young = make(map[keyCacheKey][]byte, c.half)
	}
	c.young[k] = v
}
