package sse

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
)

// bktKeyring holds the SSE-S3 master keys: u32be(version) -> root-key-sealed key.
var bktKeyring = []byte("sse-s3-keyring")

// ErrNoMasterKey means an object names a master key version the keyring does not have.
var ErrNoMasterKey = errors.New("sse: SSE-S3 master key version not found")

func masterAAD(v int) string { return "arca/sse-s3/master/" + strconv.Itoa(v) }

// Keyring is the versioned SSE-S3 master keyring. The newest version seals new object keys;
// every version is kept so objects sealed under it still open. Unsealed keys are cached in
// memory (they are needed on every SSE-S3 request).
type Keyring struct {
	db   kv.DB
	root *rootkey.Key

	mu      sync.RWMutex
	keys    map[int][]byte
	current int
}

// OpenKeyring loads the keyring from the shared store, creating version 1 on first use.
func OpenKeyring(ctx context.Context, db kv.DB, root *rootkey.Key) (*Keyring, error) {
	k := &Keyring{db: db, root: root, keys: map[int][]byte{}}
	err := db.View(func(tx kv.Tx) error {
		b := tx.Bucket(bktKeyring)
		if b == nil {
			return nil
		}
		return b.ForEach(func(kb, v []byte) error {
			ver := int(binary.BigEndian.Uint32(kb))
			key, err := root.Open(masterAAD(ver), v)
			if err != nil {
				return fmt.Errorf("sse: SSE-S3 master key %d does not open with this root key: %w", ver, err)
			}
			k.keys[ver] = key
			k.current = max(k.current, ver)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if k.current == 0 {
		if _, err := k.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Current returns the newest version and its key.
func (k *Keyring) Current() (int, []byte) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current, k.keys[k.current]
}

// Get returns version v's key, or ErrNoMasterKey.
func (k *Keyring) Get(v int) ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	key, ok := k.keys[v]
	if !ok {
		return nil, ErrNoMasterKey
	}
	return key, nil
}

// Rotate adds a new version, durable before it is used, and returns its number.
func (k *Keyring) Rotate(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	key, err := NewObjectKey()
	if err != nil {
		return 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	v := k.current + 1
	sealed := k.root.Seal(masterAAD(v), key)
	err = k.db.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bktKeyring)
		if err != nil {
			return err
		}
		var kb [4]byte
		binary.BigEndian.PutUint32(kb[:], uint32(v))
		if b.Get(kb[:]) != nil {
			return fmt.Errorf("sse: master key version %d already exists", v)
		}
		return b.Put(kb[:], sealed)
	})
	if err != nil {
		return 0, err
	}
	k.keys[v] = key
	k.current = v
	return v, nil
}

// Versions returns how many master key versions exist.
func (k *Keyring) Versions() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.keys)
}

// ResealKeyring re-seals every SSE-S3 master key from oldRoot to newRoot inside tx (used by
// `arca admin rotate-root-key`, in the same transaction as the KMS material).
func ResealKeyring(tx kv.Tx, oldRoot, newRoot *rootkey.Key) error {
	b := tx.Bucket(bktKeyring)
	if b == nil {
		return nil
	}
	type row struct {
		k []byte
		v []byte
	}
	var out []row
	err := b.ForEach(func(kb, v []byte) error {
		ver := int(binary.BigEndian.Uint32(kb))
		key, err := oldRoot.Open(masterAAD(ver), v)
		if err != nil {
			return fmt.Errorf("sse: SSE-S3 master key %d: %w", ver, err)
		}
		out = append(out, row{append([]byte(nil), kb...), newRoot.Seal(masterAAD(ver), key)})
		clear(key)
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range out {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}
