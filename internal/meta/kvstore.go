package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// Layout in the kv store (every value an authenticated envelope, record.go):
//
//	buckets/<name>                       -> Bucket (JSON)
//	objects/<bucket>/<key>               -> Object (JSON)
//	uploads/<bucket>/<key>\x00<uploadID>/ i -> Upload (JSON); p/<%05d> -> Part (JSON)
//	meta-record-key/k                    -> the record key, sealed under the root key
//
// Upload ids are issued by Arca (validUploadID: 40 hex digits, no NUL), so the split of an
// upload's key at its last NUL is unique whatever the object key holds.
// kv orders keys bytewise, which is S3's UTF-8 binary listing order.
var (
	bktBuckets   = []byte("buckets")
	bktObjects   = []byte("objects")
	bktUploads   = []byte("uploads")
	bktRecordKey = []byte("meta-record-key")
	keyInfo      = []byte("i")
	keyParts     = []byte("p")
	keyRecordKey = []byte("k")
)

// KVStore is Store on a kv.DB (the storage seam), so any kv backend serves it. Writes are
// kv updates, so concurrent writers share one durable commit (group commit); every write
// is durable when its method returns.
type KVStore struct {
	db      kv.DB
	buckets bucketCache
	mac     *recauth.Key
	log     *slog.Logger
	// reported holds the damaged records already logged, so each is logged once.
	reported sync.Map
	// upgraded counts the format-1 records authenticated when this store was opened.
	upgraded int
}

var _ Store = (*KVStore)(nil)

// Open opens the metadata in db, creating its buckets on first use. root seals the record
// key (docs/FORMAT.md, "Metadata records"); a store written before records were
// authenticated (format 1) is upgraded in the same transaction that creates the record
// key: see Upgraded. log receives one line per damaged record met (nil: slog.Default()).
// db belongs to the caller, who closes it after the store.
//
// upgraders authenticate the format-1 records other packages keep in the same store (KMS
// keys, IAM entities), in that same transaction; their counts add to Upgraded.
func Open(db kv.DB, root *rootkey.Key, log *slog.Logger, upgraders ...Upgrader) (*KVStore, error) {
	s := &KVStore{db: db, log: log}
	if s.log == nil {
		s.log = slog.Default()
	}
	err := db.Update(func(tx kv.Tx) error {
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
		return nil, fmt.Errorf("meta: init: %w", err)
	}
	return s, nil
}

// Upgrader authenticates, with key, the format-1 records a package other than meta keeps in
// the store, and returns how many it authenticated. Open runs it in the transaction that
// creates the record key, so it runs once per store.
type Upgrader func(tx kv.Tx, key *recauth.Key) (int, error)

// RecordKey is the key that authenticates records in this store: packages keeping records
// of their own in it (kms, iam) seal and open them with it.
func (s *KVStore) RecordKey() *recauth.Key { return s.mac }

// Upgraded is the number of format-1 (unauthenticated) records that Open authenticated
// because the store had no record key yet: non-zero once per data directory, at the first
// start of a server of format 2. Seen again later, it means someone removed the record key.
func (s *KVStore) Upgraded() int { return s.upgraded }

// Close releases nothing: the kv.DB belongs to whoever opened it.
func (s *KVStore) Close() error { return nil }

func (s *KVStore) view(ctx context.Context, fn func(tx kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

// update runs fn in a group-committed transaction. fn may run more than once (a group is
// retried without a member that failed), so it must only set its results, never accumulate
// them.
func (s *KVStore) update(ctx context.Context, fn func(tx kv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(fn)
}

func (s *KVStore) CreateBucket(ctx context.Context, b Bucket) error {
	return s.update(ctx, func(tx kv.Tx) error {
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

func (s *KVStore) GetBucket(ctx context.Context, name string) (Bucket, error) {
	var b Bucket
	err := s.view(ctx, func(tx kv.Tx) error {
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

func (s *KVStore) UpdateBucket(ctx context.Context, name string, fn func(*Bucket) error) error {
	return s.update(ctx, func(tx kv.Tx) error {
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
func (s *KVStore) ListBuckets(ctx context.Context) ([]Bucket, error) {
	var out []Bucket
	err := s.view(ctx, func(tx kv.Tx) error {
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

func (s *KVStore) DeleteBucket(ctx context.Context, name string) error {
	return s.update(ctx, func(tx kv.Tx) error {
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
		vb, err := versionsOf(tx, name, false)
		if err != nil {
			return err
		}
		if vb != nil {
			if k, _ := vb.Cursor().First(); k != nil {
				return ErrBucketNotEmpty
			}
			if err := tx.Bucket(bktVersions).DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		for _, top := range [][]byte{bktObjects, bktUploads} {
			if err := tx.Bucket(top).DeleteBucket([]byte(name)); err != nil && !errors.Is(err, kv.ErrBucketNotFound) {
				return err
			}
		}
		return tx.Bucket(bktBuckets).Delete([]byte(name))
	})
}

func objectsOf(tx kv.Tx, bucket string) (kv.Bucket, error) {
	ob := tx.Bucket(bktObjects).Bucket([]byte(bucket))
	if ob == nil {
		return nil, ErrNoSuchBucket
	}
	return ob, nil
}

// getObject returns the object at key (nil, nil if none), or ErrDamagedRecord.
func (s *KVStore) getObject(ob kv.Bucket, bucket, key string) (*Object, error) {
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

// PutObject makes o the current version of o.Key (see install). A damaged current record is
// replaced when the write is unconditional (its blobs, unknown, are left to the orphan
// sweep); a conditional write over a damaged record fails with ErrDamagedRecord, since the
// condition cannot be evaluated.
func (s *KVStore) PutObject(ctx context.Context, bucket string, o Object, cond PutCondition) (WriteResult, error) {
	var res WriteResult
	err := s.update(ctx, func(tx kv.Tx) error {
		var err error
		res, err = s.install(tx, bucket, o, cond)
		return err
	})
	if err != nil {
		return WriteResult{}, err
	}
	return res, nil
}

// GetObject returns the current version of key unless it is a delete marker; returns
// ErrNoSuchBucket, ErrNoSuchKey or ErrDamagedRecord.
func (s *KVStore) GetObject(ctx context.Context, bucket, key string) (Object, error) {
	var o *Object
	err := s.view(ctx, func(tx kv.Tx) error {
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		o, err = s.getObject(ob, bucket, key)
		if err == nil && (o == nil || o.DeleteMarker) {
			err = ErrNoSuchKey
		}
		return err
	})
	if err != nil {
		return Object{}, err
	}
	return *o, nil
}

// putRec stores v as the authenticated record (kind, loc) under k.
func (s *KVStore) putRec(b kv.Bucket, k []byte, kind string, loc []string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, s.mac.Seal(kind, loc, data))
}

// getRec authenticates the stored value raw as the record (kind, loc) and decodes it into
// v; any failure is ErrDamagedRecord.
func (s *KVStore) getRec(kind string, loc []string, raw []byte, v any) error {
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
func (s *KVStore) damaged(kind, bucket, key string, err error) {
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
func (s *KVStore) WalkBlobIDs(ctx context.Context, fn func(id string)) (damaged int, err error) {
	err = s.view(ctx, func(tx kv.Tx) error {
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
