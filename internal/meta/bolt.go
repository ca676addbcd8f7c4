package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/gcommit"
	bolt "go.etcd.io/bbolt"
)

// Layout of the bbolt file:
//
//	buckets/<name>                       -> Bucket (JSON)
//	objects/<bucket>/<key>               -> Object (JSON)
//	uploads/<bucket>/<key>\x00<uploadID>/ i -> Upload (JSON); p/<%05d> -> Part (JSON)
//
// bbolt orders keys bytewise, which is S3's UTF-8 binary listing order.
var (
	bktBuckets = []byte("buckets")
	bktObjects = []byte("objects")
	bktUploads = []byte("uploads")
	keyInfo    = []byte("i")
	keyParts   = []byte("p")
)

// BoltStore is the bbolt implementation of Store. Writes go through bbolt's Batch, so
// concurrent writers share one fsync'd commit (group commit); every write is durable when
// its method returns.
type BoltStore struct {
	db      *bolt.DB
	gc      *gcommit.DB
	buckets bucketCache
}

var _ Store = (*BoltStore)(nil)

// OpenBolt opens or creates the metadata file at path.
func OpenBolt(path string) (*BoltStore, error) {
	// The freelist is rebuilt at open instead of being written at every commit: commits
	// are smaller and faster, opening a large file slower.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("meta: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktBuckets, bktObjects, bktUploads} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("meta: init: %w", err)
	}
	return &BoltStore{db: db, gc: gcommit.New(db)}, nil
}

// Committer exposes the group-committed database so other subsystems (small blobs, the KMS
// keystore, the audit trail) keep their own top-level buckets in the same file and share
// its commits.
func (s *BoltStore) Committer() *gcommit.DB { return s.gc }

// Close closes the file.
func (s *BoltStore) Close() error { return s.db.Close() }

func (s *BoltStore) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

// update runs fn in a group-committed transaction. fn may run more than once (a group is
// retried without a member that failed), so it must only set its results, never accumulate
// them.
func (s *BoltStore) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.gc.Update(fn)
}

func (s *BoltStore) CreateBucket(ctx context.Context, b Bucket) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		bb := tx.Bucket(bktBuckets)
		if bb.Get([]byte(b.Name)) != nil {
			return ErrBucketExists
		}
		if err := putJSON(bb, []byte(b.Name), b); err != nil {
			return err
		}
		if _, err := tx.Bucket(bktObjects).CreateBucketIfNotExists([]byte(b.Name)); err != nil {
			return err
		}
		_, err := tx.Bucket(bktUploads).CreateBucketIfNotExists([]byte(b.Name))
		return err
	})
}

func (s *BoltStore) GetBucket(ctx context.Context, name string) (Bucket, error) {
	var b Bucket
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bktBuckets).Get([]byte(name))
		if v == nil {
			return ErrNoSuchBucket
		}
		var err error
		b, err = s.buckets.decode(name, v)
		return err
	})
	return b, err
}

func (s *BoltStore) UpdateBucket(ctx context.Context, name string, fn func(*Bucket) error) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		bb := tx.Bucket(bktBuckets)
		v := bb.Get([]byte(name))
		if v == nil {
			return ErrNoSuchBucket
		}
		var b Bucket
		if err := json.Unmarshal(v, &b); err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		b.Name = name
		return putJSON(bb, []byte(name), b)
	})
}

func (s *BoltStore) ListBuckets(ctx context.Context) ([]Bucket, error) {
	var out []Bucket
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bktBuckets).ForEach(func(k, v []byte) error {
			var b Bucket
			if err := json.Unmarshal(v, &b); err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	})
	return out, err
}

func (s *BoltStore) DeleteBucket(ctx context.Context, name string) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bktBuckets).Get([]byte(name)) == nil {
			return ErrNoSuchBucket
		}
		if ob := tx.Bucket(bktObjects).Bucket([]byte(name)); ob != nil {
			if k, _ := ob.Cursor().First(); k != nil {
				return ErrBucketNotEmpty
			}
		}
		if ub := tx.Bucket(bktUploads).Bucket([]byte(name)); ub != nil {
			if k, _ := ub.Cursor().First(); k != nil {
				return ErrBucketNotEmpty
			}
		}
		for _, top := range [][]byte{bktObjects, bktUploads} {
			if err := tx.Bucket(top).DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return err
			}
		}
		return tx.Bucket(bktBuckets).Delete([]byte(name))
	})
}

func objectsOf(tx *bolt.Tx, bucket string) (*bolt.Bucket, error) {
	ob := tx.Bucket(bktObjects).Bucket([]byte(bucket))
	if ob == nil {
		return nil, ErrNoSuchBucket
	}
	return ob, nil
}

func getObject(ob *bolt.Bucket, key string) (*Object, error) {
	v := ob.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	var o Object
	if err := json.Unmarshal(v, &o); err != nil {
		return nil, fmt.Errorf("meta: corrupt object record %q: %w", key, err)
	}
	return &o, nil
}

func (s *BoltStore) PutObject(ctx context.Context, bucket string, o Object, cond PutCondition) (*Object, error) {
	var old *Object
	err := s.update(ctx, func(tx *bolt.Tx) error {
		old = nil
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		cur, err := getObject(ob, o.Key)
		if err != nil {
			return err
		}
		if cond != nil {
			if err := cond(cur); err != nil {
				return err
			}
		}
		old = cur
		return putJSON(ob, []byte(o.Key), o)
	})
	if err != nil {
		return nil, err
	}
	return old, nil
}

func (s *BoltStore) GetObject(ctx context.Context, bucket, key string) (Object, error) {
	var o *Object
	err := s.view(ctx, func(tx *bolt.Tx) error {
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		o, err = getObject(ob, key)
		if err == nil && o == nil {
			err = ErrNoSuchKey
		}
		return err
	})
	if err != nil {
		return Object{}, err
	}
	return *o, nil
}

func (s *BoltStore) DeleteObject(ctx context.Context, bucket, key string) (*Object, error) {
	var old *Object
	err := s.update(ctx, func(tx *bolt.Tx) error {
		old = nil
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		cur, err := getObject(ob, key)
		if err != nil || cur == nil {
			return err
		}
		old = cur
		return ob.Delete([]byte(key))
	})
	return old, err
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func (s *BoltStore) WalkBlobIDs(ctx context.Context, fn func(id string)) error {
	return s.view(ctx, func(tx *bolt.Tx) error {
		err := tx.Bucket(bktObjects).ForEachBucket(func(name []byte) error {
			return tx.Bucket(bktObjects).Bucket(name).ForEach(func(k, v []byte) error {
				var o Object
				if err := json.Unmarshal(v, &o); err != nil {
					return err
				}
				for _, p := range o.Pieces {
					fn(p.BlobID)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bktUploads).ForEachBucket(func(name []byte) error {
			ub := tx.Bucket(bktUploads).Bucket(name)
			return ub.ForEachBucket(func(uk []byte) error {
				pb := ub.Bucket(uk).Bucket(keyParts)
				if pb == nil {
					return nil
				}
				return pb.ForEach(func(k, v []byte) error {
					var p Part
					if err := json.Unmarshal(v, &p); err != nil {
						return err
					}
					fn(p.BlobID)
					return nil
				})
			})
		})
	})
}
