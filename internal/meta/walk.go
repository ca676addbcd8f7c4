package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/arcastore/arca/internal/recauth"
	"strconv"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
)

// WalkedRecord is one record met by WalkRecords: where it is stored and, unless Err is set,
// what it holds.
type WalkedRecord struct {
	Kind       string // "bucket", "object", "version", "upload", "part" or "account-pab"
	Account    string // account-pab records: the account (accountbpa.go)
	Bucket     string
	Key        string // object and upload records
	UploadID   string // upload and part records
	VersionID  string // version records ("" = the null version)
	PartNumber int    // part records
	Object     *Object
	Upload     *Upload
	Part       *Part
	// Err is ErrDamagedRecord (possibly wrapped) when the record failed authentication or
	// does not decode; the fields above then say only where it is.
	Err error
}

// WalkRecords calls fn for every bucket, object, upload and part record, damaged or not,
// in one read transaction. It is what `arca admin check` reads.
func (s *KVStore) WalkRecords(ctx context.Context, fn func(WalkedRecord)) error {
	return s.view(ctx, func(tx kv.Tx) error { return s.walkRecords(tx, fn) })
}

func (s *KVStore) walkRecords(tx kv.Tx, fn func(WalkedRecord)) error {
	if err := walkAccountPABs(tx, s, fn); err != nil {
		return err
	}
	return rawWalk(tx, func(_ kv.Bucket, _ []byte, r WalkedRecord, loc []string, v []byte) error {
		switch r.Kind {
		case kindBucket:
			var b Bucket
			r.Err = s.getRec(r.Kind, loc, v, &b)
		case kindObject:
			var o Object
			if r.Err = s.getRec(r.Kind, loc, v, &o); r.Err == nil {
				if o.Key != r.Key {
					r.Err = ErrDamagedRecord
				} else {
					r.Object = &o
				}
			}
		case kindVersion:
			var o Object
			if r.Err = s.getRec(r.Kind, loc, v, &o); r.Err == nil {
				if o.Key != r.Key || o.VersionID != r.VersionID {
					r.Err = ErrDamagedRecord
				} else {
					r.Object = &o
				}
			}
		case kindUpload:
			var u Upload
			if r.Err = s.getRec(r.Kind, loc, v, &u); r.Err == nil {
				if u.Key != r.Key || u.ID != r.UploadID {
					r.Err = ErrDamagedRecord
				} else {
					r.Upload = &u
				}
			}
		case kindPart:
			var p Part
			if r.Err = s.getRec(r.Kind, loc, v, &p); r.Err == nil {
				if p.Number != r.PartNumber {
					r.Err = ErrDamagedRecord
				} else {
					r.Part = &p
				}
			}
		}
		fn(r)
		return nil
	})
}

// rawWalk calls fn with every stored record value, where it is stored (the kv bucket and
// key holding it) and its kind and location as bound into its tag. A structure that cannot
// hold a record (a value where a nested bucket belongs, an upload key without a NUL) is
// reported as a record of its kind with a nil value, which never authenticates.
func rawWalk(tx kv.Tx, fn func(b kv.Bucket, k []byte, r WalkedRecord, loc []string, v []byte) error) error {
	bb := tx.Bucket(bktBuckets)
	err := bb.ForEach(func(k, v []byte) error {
		name := string(k)
		return fn(bb, k, WalkedRecord{Kind: kindBucket, Bucket: name}, bucketLoc(name), v)
	})
	if err != nil {
		return err
	}
	objs := tx.Bucket(bktObjects)
	err = objs.ForEachBucket(func(bn []byte) error {
		bucket := string(bn)
		ob := objs.Bucket(bn)
		return ob.ForEach(func(k, v []byte) error {
			return fn(ob, k, WalkedRecord{Kind: kindObject, Bucket: bucket, Key: string(k)}, objectLoc(bucket, string(k)), v)
		})
	})
	if err != nil {
		return err
	}
	if vs := tx.Bucket(bktVersions); vs != nil {
		err = vs.ForEachBucket(func(bn []byte) error {
			bucket := string(bn)
			vb := vs.Bucket(bn)
			return vb.ForEach(func(k, v []byte) error {
				i := bytes.LastIndexByte(k, 0)
				key, sk := string(k), ""
				if i >= 0 {
					key, sk = string(k[:i]), string(k[i+1:])
				}
				vid := sk
				if len(sk) == 16+len(NullVersion) && sk[16:] == NullVersion {
					vid = ""
				}
				return fn(vb, k, WalkedRecord{Kind: kindVersion, Bucket: bucket, Key: key, VersionID: vid}, versionLoc(bucket, key, vid), v)
			})
		})
		if err != nil {
			return err
		}
	}
	ups := tx.Bucket(bktUploads)
	return ups.ForEachBucket(func(bn []byte) error {
		bucket := string(bn)
		ub := ups.Bucket(bn)
		return ub.ForEach(func(uk, v []byte) error {
			i := bytes.LastIndexByte(uk, 0)
			key, id := string(uk), ""
			if i >= 0 {
				key, id = string(uk[:i]), string(uk[i+1:])
			}
			r := WalkedRecord{Kind: kindUpload, Bucket: bucket, Key: key, UploadID: id}
			b := ub.Bucket(uk)
			if b == nil || i < 0 {
				return fn(ub, uk, r, uploadLoc(bucket, key, id), nil)
			}
			if err := fn(b, keyInfo, r, uploadLoc(bucket, key, id), b.Get(keyInfo)); err != nil {
				return err
			}
			pb := b.Bucket(keyParts)
			if pb == nil {
				return nil
			}
			return pb.ForEach(func(pk, v []byte) error {
				n, err := strconv.Atoi(string(pk))
				if err != nil {
					n = -1
				}
				pr := r
				pr.Kind, pr.PartNumber = kindPart, n
				return fn(pb, pk, pr, partLoc(bucket, key, id, n), v)
			})
		})
	})
}

// loadOrCreateRecordKey unseals the record key, or, in a file that has none (format 1, or
// new), creates it and authenticates every format-1 record in the same transaction.
// Returns how many records were upgraded.
func loadOrCreateRecordKey(tx kv.Tx, root *rootkey.Key, upgraders []Upgrader) (*recauth.Key, int, error) {
	if root == nil {
		return nil, 0, fmt.Errorf("meta: no root key to seal the record key")
	}
	kb := tx.Bucket(bktRecordKey)
	if sealed := kb.Get(keyRecordKey); sealed != nil {
		k, err := root.Open(recordKeyAAD, sealed)
		if err != nil {
			return nil, 0, fmt.Errorf("meta: the record key does not open with this root key: %w", err)
		}
		defer clear(k)
		return recauth.New(k), 0, nil
	}
	k := recauth.Generate()
	defer clear(k)
	mac := recauth.New(k)
	n, err := upgradeTx(tx, mac)
	if err != nil {
		return nil, 0, err
	}
	for _, up := range upgraders {
		m, err := up(tx, mac)
		if err != nil {
			return nil, 0, err
		}
		n += m
	}
	if err := kb.Put(keyRecordKey, root.Seal(recordKeyAAD, k)); err != nil {
		return nil, 0, err
	}
	return mac, n, nil
}

// upgradeTx wraps every format-1 record (bare JSON that decodes as its kind, at the place
// it names) into an authenticated envelope. A value that does not decode is left as it
// is: it stays damaged rather than becoming authentic.
func upgradeTx(tx kv.Tx, mac *recauth.Key) (int, error) {
	type put struct {
		b    kv.Bucket
		k, v []byte
	}
	var puts []put
	err := rawWalk(tx, func(b kv.Bucket, k []byte, r WalkedRecord, loc []string, v []byte) error {
		if len(v) == 0 || v[0] != '{' || !json.Valid(v) {
			return nil
		}
		ok := false
		switch r.Kind {
		case kindBucket:
			var x Bucket
			ok = json.Unmarshal(v, &x) == nil && x.Name == r.Bucket
		case kindObject:
			var x Object
			ok = json.Unmarshal(v, &x) == nil && x.Key == r.Key
		case kindUpload:
			var x Upload
			ok = json.Unmarshal(v, &x) == nil && x.Key == r.Key && x.ID == r.UploadID
		case kindPart:
			var x Part
			ok = json.Unmarshal(v, &x) == nil && x.Number == r.PartNumber
		}
		if ok {
			puts = append(puts, put{b, bytes.Clone(k), mac.Seal(r.Kind, loc, v)})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, p := range puts {
		if err := p.b.Put(p.k, p.v); err != nil {
			return 0, err
		}
	}
	return len(puts), nil
}

// ResealRecordKeyTx re-seals the record key under a new root key (`arca admin
// rotate-root-key`), in the caller's transaction. A file without a record key is left
// alone (the next server start creates one under the new key).
func ResealRecordKeyTx(tx kv.Tx, oldRoot, newRoot *rootkey.Key) error {
	kb := tx.Bucket(bktRecordKey)
	if kb == nil {
		return nil
	}
	sealed := kb.Get(keyRecordKey)
	if sealed == nil {
		return nil
	}
	k, err := oldRoot.Open(recordKeyAAD, sealed)
	if err != nil {
		return fmt.Errorf("meta: the record key does not open with the old root key: %w", err)
	}
	defer clear(k)
	return kb.Put(keyRecordKey, newRoot.Seal(recordKeyAAD, k))
}

// RecordKeyTx returns the record key of the file tx belongs to, unsealed with root, for
// offline tools that read or write records in their own transaction (`arca admin kms
// reset-key-policy`, `arca admin rotate-root-key`). It returns nil and no error for a file
// that has no record key yet (format 1, which no server of format 2 has opened): its
// records are bare JSON, and stay so until the next start authenticates them.
func RecordKeyTx(tx kv.Tx, root *rootkey.Key) (*recauth.Key, error) {
	kb := tx.Bucket(bktRecordKey)
	if kb == nil {
		return nil, nil
	}
	sealed := kb.Get(keyRecordKey)
	if sealed == nil {
		return nil, nil
	}
	if root == nil {
		return nil, fmt.Errorf("meta: no root key to open the record key")
	}
	k, err := root.Open(recordKeyAAD, sealed)
	if err != nil {
		return nil, fmt.Errorf("meta: the record key does not open with this root key: %w", err)
	}
	defer clear(k)
	return recauth.New(k), nil
}
