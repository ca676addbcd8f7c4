package meta

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"sync"

	"github.com/arcastore/arca/internal/inventory"
	"github.com/arcastore/arca/internal/recauth"
)

// bucketCache saves decoding a bucket's record on every request (every bucket-scoped S3
// request reads it for authorization, writes read it again for default encryption). It is
// keyed by content, not invalidated: an entry is used only when the stored bytes read in
// the caller's transaction equal the bytes it was decoded from, so a concurrent
// UpdateBucket can never make it answer stale data.
type bucketCache struct {
	mu      sync.Mutex
	entries map[string]*bucketEntry
}

type bucketEntry struct {
	raw []byte
	b   Bucket
}

// maxCachedBuckets bounds the cache (S3 accounts hold 10,000 buckets by default); past it
// the cache starts over.
const maxCachedBuckets = 10000

// decode returns the Bucket stored as raw under name: a copy of the cached value when raw
// is what it was decoded from, else a fresh decode that then replaces the entry. raw is
// only valid during the caller's transaction, so the cache keeps its own copy.
// A cache miss authenticates raw with mac first.
func (c *bucketCache) decode(name string, raw []byte, mac *recauth.Key) (Bucket, error) {
	c.mu.Lock()
	e := c.entries[name]
	c.mu.Unlock()
	if e != nil && bytes.Equal(e.raw, raw) {
		return e.b.clone(), nil
	}
	body, err := mac.Open(kindBucket, bucketLoc(name), raw)
	if err != nil {
		return Bucket{}, err
	}
	var b Bucket
	if err := json.Unmarshal(body, &b); err != nil {
		return Bucket{}, ErrDamagedRecord
	}
	e = &bucketEntry{raw: bytes.Clone(raw), b: b.clone()}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxCachedBuckets {
		c.entries = map[string]*bucketEntry{}
	}
	c.entries[name] = e
	c.mu.Unlock()
	return b, nil
}

// clone is a deep copy: callers may change what they get.
func (b Bucket) clone() Bucket {
	if b.Encryption != nil {
		e := *b.Encryption
		e.Blocked = slices.Clone(e.Blocked)
		b.Encryption = &e
	}
	if b.PublicAccessBlock != nil {
		p := *b.PublicAccessBlock
		b.PublicAccessBlock = &p
	}
	if b.ObjectLock != nil {
		l := *b.ObjectLock
		b.ObjectLock = &l
	}
	b.Tags = maps.Clone(b.Tags)
	b.CORS = b.CORS.Clone()
	if b.ACL != nil {
		x := *b.ACL
		x.Grants = slices.Clone(x.Grants)
		b.ACL = &x
	}
	b.Inventory = inventory.CloneAll(b.Inventory)
	b.Logging = b.Logging.Clone()
	return b
}
