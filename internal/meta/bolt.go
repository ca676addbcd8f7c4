package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/arcastore/arca/internal/recauth"
	"log/slog"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/gcommit"
	"github.com/arcastore/arca/internal/rootkey"
	bolt "go.etcd.io/bbolt"
)

// Layout of the bbolt file (every value an authenticated envelope, record.go):
//
//	buckets/<name>                       -> Bucket (JSON)
//	objects/<bucket>/<key>               -> Object (JSON)
//	uploads/<bucket>/<key>\x00<uploadID>/ i -> Upload (JSON); p/<%05d> -> Part (JSON)
//	meta-record-key/k                    -> the record key, sealed under the root key
//
// Upload ids are issued by Arca (validUploadID: 40 hex digits, no NUL), so the split of an
// upload's key at its last NUL is unique whatever the object key holds.
// bbolt orders keys bytewise, which is S3's UTF-8 binary listing order.
var (
	bktBuckets   = []byte("buckets")
	bktObjects   = []byte("objects")
	bktUploads   = []byte("uploads")
	bktRecordKey = []byte("meta-record-key")
	keyInfo      = []byte("i")
	keyParts     = []byte("p")
	keyRecordKey = []byte("k")
)

// BoltStore is the bbolt implementation of Store. Writes go through bbolt's Batch, so
// concurrent writers share one fsync'd commit (group commit); every write is durable when
// its method returns.
type BoltStore struct {
	db      *bolt.DB
	gc      *gcommit.DB
	buckets bucketCache
	mac     *recauth.Key
	log     *slog.Logger
	// reported holds the damaged records already logged, so each is logged once.
	reported sync.Map
	// upgraded counts the format-1 records authenticated when this store was opened.
	upgraded int
}

var _ Store = (*BoltStore)(nil)

// OpenBolt opens or creates the metadata file at path. root seals the record key
// (docs/FORMAT.md, "Metadata records"); a file written before records were authenticated
// (format 1) is upgraded in the same transaction that creates the record key: see Upgraded.
// log receives one line per damaged record met (nil: slog.Default()).
//
// upgraders authenticate the format-1 records other packages keep in the same file (KMS
// keys, IAM entities), in that same transaction; their counts add to Upgraded.
func OpenBolt(path string, root *rootkey.Key, log *slog.Logger, upgraders ...Upgrader) (*BoltStore, error) {
	// The freelist is rebuilt at open instead of being written at every commit: commits
	// are smaller and faster, opening a large file slower.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second,
		NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("meta: open %s: %w", path, err)
	}
	s := &BoltStore{db: db, gc: gcommit.New(db), log: log}
	if s.log == nil {
		s.log = slog.Default()
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktBuckets, bktObjects, bktUploads, bktRecordKey} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		var err error
		s.mac, s.upgraded, err = loadOrCreateRecordKey(tx, root, upgraders)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("meta: init: %w", err)
	}
	return s, nil
}

// Upgrader authenticates, with key, the format-1 records a package other than meta keeps in
// the metadata file, and returns how many it authenticated. OpenBolt runs it in the
// transaction that creates the record key, so it runs once per data directory.
type Upgrader func(tx *bolt.Tx, key *recauth.Key) (int, error)

// RecordKey is the key that authenticates records in this file: packages keeping records
// of their own in it (through Committer) seal and open them with it.
func (s *BoltStore) RecordKey() *recauth.Key { return s.mac }

// Upgraded is the number of format-1 (unauthenticated) records that OpenBolt authenticated
// because the file had no record key yet: non-zero once per data directory, at the first
// start of a server of format 2. Seen again later, it means someone removed the record key.
func (s *BoltStore) Upgraded() int { return s.upgraded }

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
		if err := s.putRec(bb, []byte(b.Name), kindBucket, bucketLoc(b.Name), b); err != nil {
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
		b, err = s.buckets.decode(name, v, s.mac)
		if err != nil {
			s.damaged(kindBucket, name, "", err)
		}
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
		if err := s.getRec(kindBucket, bucketLoc(name), v, &b); err != nil {
			s.damaged(kindBucket, name, "", err)
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		b.Name = name
		return s.putRec(bb, []byte(name), kindBucket, bucketLoc(name), b)
	})
}

// ListBuckets skips (and logs) a damaged bucket record: it costs that bucket only.
func (s *BoltStore) ListBuckets(ctx context.Context) ([]Bucket, error) {
	var out []Bucket
	err := s.view(ctx, func(tx *bolt.Tx) error {
		out = nil
		return tx.Bucket(bktBuckets).ForEach(func(k, v []byte) error {
			var b Bucket
			if err := s.getRec(kindBucket, bucketLoc(string(k)), v, &b); err != nil {
				s.damaged(kindBucket, string(k), "", err)
				return nil
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

// getObject returns the object at key (nil, nil if none), or ErrDamagedRecord.
func (s *BoltStore) getObject(ob *bolt.Bucket, bucket, key string) (*Object, error) {
	v := ob.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	var o Object
	if err := s.getRec(kindObject, objectLoc(bucket, key), v, &o); err != nil {
		s.damaged(kindObject, bucket, key, err)
		return nil, err
	}
	if o.Key != key {
		s.damaged(kindObject, bucket, key, ErrDamagedRecord)
		return nil, ErrDamagedRecord
	}
	return &o, nil
}

// PutObject replaces a damaged record when the write is unconditional (its blobs, unknown,
// are left to the orphan sweep); a conditional write over a damaged record fails with
// ErrDamagedRecord, since the condition cannot be evaluated.
func (s *BoltStore) PutObject(ctx context.Context, bucket string, o Object, cond PutCondition) (*Object, error) {
	var old *Object
	err := s.update(ctx, func(tx *bolt.Tx) error {
		old = nil
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		cur, err := s.getObject(ob, bucket, o.Key)
		if err != nil && (cond != nil || !errors.Is(err, ErrDamagedRecord)) {
			return err
		}
		if cond != nil {
			if err := cond(cur); err != nil {
				return err
			}
		}
		old = cur
		return s.putRec(ob, []byte(o.Key), kindObject, objectLoc(bucket, o.Key), o)
	})
	if err != nil {
		return nil, err
	}
	return old, nil
}

// GetObject returns ErrNoSuchBucket, ErrNoSuchKey or ErrDamagedRecord.
func (s *BoltStore) GetObject(ctx context.Context, bucket, key string) (Object, error) {
	var o *Object
	err := s.view(ctx, func(tx *bolt.Tx) error {
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		o, err = s.getObject(ob, bucket, key)
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

// DeleteObject removes a damaged record too (returning nil: its blobs are unknown and left
// to the orphan sweep), so a client can always remove what it cannot read.
func (s *BoltStore) DeleteObject(ctx context.Context, bucket, key string) (*Object, error) {
	var old *Object
	err := s.update(ctx, func(tx *bolt.Tx) error {
		old = nil
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		cur, err := s.getObject(ob, bucket, key)
		if errors.Is(err, ErrDamagedRecord) {
			return ob.Delete([]byte(key))
		}
		if err != nil || cur == nil {
			return err
		}
		old = cur
		return ob.Delete([]byte(key))
	})
	return old, err
}

// putRec stores v as the authenticated record (kind, loc) under k.
func (s *BoltStore) putRec(b *bolt.Bucket, k []byte, kind string, loc []string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, s.mac.Seal(kind, loc, data))
}

// getRec authenticates the stored value raw as the record (kind, loc) and decodes it into
// v; any failure is ErrDamagedRecord.
func (s *BoltStore) getRec(kind string, loc []string, raw []byte, v any) error {
	body, err := s.mac.Open(kind, loc, raw)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %v", ErrDamagedRecord, err)
	}
	return nil
}

// damaged logs a damaged record once per location.
func (s *BoltStore) damaged(kind, bucket, key string, err error) {
	if !errors.Is(err, ErrDamagedRecord) {
		return
	}
	id := kind + "\x00" + bucket + "\x00" + key
	if _, seen := s.reported.LoadOrStore(id, true); seen {
		return
	}
	s.log.Error("damaged metadata record: it failed authentication and is not served; run 'arca admin check' on the stopped server",
		"kind", kind, "bucket", bucket, "key", key)
}

// WalkBlobIDs calls fn for every blob id referenced by an object or a part. Damaged
// records are skipped and counted: their blob ids are unknown, so a caller that removes
// unreferenced blobs must not do so while damaged > 0.
func (s *BoltStore) WalkBlobIDs(ctx context.Context, fn func(id string)) (damaged int, err error) {
	err = s.view(ctx, func(tx *bolt.Tx) error {
		damaged = 0
		return s.walkRecords(tx, func(r WalkedRecord) {
			switch {
			case r.Err != nil:
				damaged++
			case r.Object != nil:
				for _, p := range r.Object.Pieces {
					fn(p.BlobID)
				}
			case r.Part != nil:
				fn(r.Part.BlobID)
			}
		})
	})
	return damaged, err
}
