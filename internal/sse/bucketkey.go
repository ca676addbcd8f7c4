package sse

import (
	"context"
	"strings"
	"sync"
	"time"
)

// BucketKeyTTL bounds how long a bucket key is reused (for new objects and for reads).
const BucketKeyTTL = 5 * time.Minute

// BucketKeyCache holds S3 bucket keys (docs/KEYS.md): one KMS data key per (bucket, KMS key)
// reused for new objects for a bounded time, and the unsealed bucket keys of recent reads.
// Invalidate drops every entry of a KMS key at once; the server calls it on KMS events
// (disable, scheduled deletion, destruction), so a cached key never outlives the KMS key's
// usability. Concurrent misses for one entry share one KMS call.
type BucketKeyCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	writers map[writerKey]*bucketKey
	readers map[string]*bucketKey // by blob
	flights map[string]*flight
	calls   int64
}

type writerKey struct{ bucket, keyID string }

type bucketKey struct {
	key     []byte
	blob    []byte
	keyARN  string
	expires time.Time
}

type flight struct {
	done chan struct{}
	bk   *bucketKey
	err  error
}

// NewBucketKeyCache returns a cache with the given TTL (0 = BucketKeyTTL) and clock (nil =
// time.Now).
func NewBucketKeyCache(ttl time.Duration, now func() time.Time) *BucketKeyCache {
	if ttl == 0 {
		ttl = BucketKeyTTL
	}
	if now == nil {
		now = time.Now
	}
	return &BucketKeyCache{ttl: ttl, now: now, writers: map[writerKey]*bucketKey{},
		readers: map[string]*bucketKey{}, flights: map[string]*flight{}}
}

// KMSCalls is how many KMS calls the cache has made (for tests and metrics).
func (c *BucketKeyCache) KMSCalls() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// do runs fn once for concurrent callers with the same id.
func (c *BucketKeyCache) do(id string, fn func() (*bucketKey, error)) (*bucketKey, error) {
	c.mu.Lock()
	if f, ok := c.flights[id]; ok {
		c.mu.Unlock()
		<-f.done
		return f.bk, f.err
	}
	f := &flight{done: make(chan struct{})}
	c.flights[id] = f
	c.calls++
	c.mu.Unlock()
	f.bk, f.err = fn()
	c.mu.Lock()
	delete(c.flights, id)
	c.mu.Unlock()
	close(f.done)
	return f.bk, f.err
}

// Get returns the bucket key to seal new objects of bucket under KMS key keyID, generating
// one with ec ({"aws:s3:arn": bucket ARN} plus any user pairs) when none is fresh.
func (c *BucketKeyCache) Get(ctx context.Context, kms KMS, bucket, keyID string, ec map[string]string) (*bucketKey, error) {
	// A key id or alias name ("" = aws/s3) resolves in the caller's account (docs/KMS.md,
	// "Accounts"): writers of two accounts naming the same relative key get different keys.
	scope := keyID
	if ac, ok := kms.(interface{ CallerAccount() string }); ok && !strings.HasPrefix(keyID, "arn:") {
		scope = ac.CallerAccount() + "/" + keyID
	}
	wk := writerKey{bucket, scope}
	c.mu.Lock()
	if bk, ok := c.writers[wk]; ok && c.now().Before(bk.expires) && len(ec) == 1 {
		c.mu.Unlock()
		if err := kms.Authorize(ctx, "kms:GenerateDataKey", bk.keyARN, ec); err != nil {
			return nil, err
		}
		return bk, nil
	}
	c.mu.Unlock()
	if len(ec) != 1 {
		// A user encryption context is part of the bucket key's context: such keys are not
		// shared between objects.
		dk, blob, arn, err := kms.GenerateDataKey(ctx, keyID, ec)
		if err != nil {
			return nil, err
		}
		return &bucketKey{key: dk, blob: blob, keyARN: arn}, nil
	}
	return c.do("w/"+bucket+"/"+scope, func() (*bucketKey, error) {
		dk, blob, arn, err := kms.GenerateDataKey(ctx, keyID, ec)
		if err != nil {
			return nil, err
		}
		bk := &bucketKey{key: dk, blob: blob, keyARN: arn, expires: c.now().Add(c.ttl)}
		c.mu.Lock()
		c.writers[wk] = bk
		c.readers[string(blob)] = bk
		c.mu.Unlock()
		return bk, nil
	})
}

// Open returns the plaintext of a bucket key blob, from the cache or from KMS Decrypt.
func (c *BucketKeyCache) Open(ctx context.Context, kms KMS, keyARN string, blob []byte, ec map[string]string) ([]byte, error) {
	c.mu.Lock()
	if bk, ok := c.readers[string(blob)]; ok && c.now().Before(bk.expires) {
		c.mu.Unlock()
		if err := kms.Authorize(ctx, "kms:Decrypt", keyARN, ec); err != nil {
			return nil, err
		}
		return bk.key, nil
	}
	c.mu.Unlock()
	bk, err := c.do("r/"+string(blob), func() (*bucketKey, error) {
		dk, err := kms.Decrypt(ctx, blob, ec)
		if err != nil {
			return nil, err
		}
		bk := &bucketKey{key: dk, blob: blob, keyARN: keyARN, expires: c.now().Add(c.ttl)}
		c.mu.Lock()
		c.readers[string(blob)] = bk
		c.mu.Unlock()
		return bk, nil
	})
	if err != nil {
		return nil, err
	}
	return bk.key, nil
}

// Invalidate drops every cached bucket key made under keyARN.
func (c *BucketKeyCache) Invalidate(keyARN string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, bk := range c.writers {
		if bk.keyARN == keyARN {
			delete(c.writers, k)
		}
	}
	for k, bk := range c.readers {
		if bk.keyARN == keyARN {
			delete(c.readers, k)
		}
	}
}
