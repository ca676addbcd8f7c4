package meta

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Versioning (docs/VERSIONS.md). A bucket's Versioning is "" (never enabled), Enabled or
// Suspended. The current version of every key stays in objects/<bucket>/<key> (an object or
// a delete marker), so GET, HEAD and ListObjects read one record as before; the noncurrent
// versions live in
//
//	versions/<bucket>/<key>\x00<vsk>   -> Object (JSON), authenticated as kind "version" at
//	                                      [bucket, key, version id or "null"]
//
// where vsk is the version id for a version that has one (ids begin with the inverted
// creation time, so a key's versions sort newest first) and, for the null version,
// inverted-time(LastModified) + "null". A vsk never holds a NUL, so the last NUL splits the
// key from it. Invariant: a key with noncurrent versions has a current version.

// Versioning states of a bucket.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// NullVersion is the wire name of the version of an object written while versioning was
// never enabled or suspended (VersionID "").
const NullVersion = "null"

// ErrNoSuchVersion: the version id names no version of the key.
var ErrNoSuchVersion = errors.New("meta: no such version")

const kindVersion = "version"

var bktVersions = []byte("versions")

func versionLoc(bucket, key, vid string) []string {
	if vid == "" {
		vid = NullVersion
	}
	return []string{bucket, key, vid}
}

// invTime is 16 hex digits that sort newest first.
func invTime(t time.Time) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], math.MaxUint64-uint64(t.UnixNano()))
	return hex.EncodeToString(b[:])
}

// NewVersionID returns a fresh version id: 16 hex digits of inverted time (so a key's
// versions sort newest first) and 16 of randomness.
func NewVersionID() string {
	var r [8]byte
	rand.Read(r[:])
	return invTime(time.Now()) + hex.EncodeToString(r[:])
}

// ValidVersionID reports whether id can name a version: "null" or an id NewVersionID makes.
func ValidVersionID(id string) bool {
	if id == NullVersion {
		return true
	}
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && id == strings.ToLower(id)
}

// vsk is where a noncurrent version is stored under its key.
func vsk(o *Object) string {
	if o.VersionID == "" {
		return invTime(o.LastModified) + NullVersion
	}
	return o.VersionID
}

func versionKey(key, sk string) []byte { return []byte(key + "\x00" + sk) }

// versionsOf returns the bucket's noncurrent versions (nil if it has none yet); create makes
// it in a write transaction.
func versionsOf(tx kv.Tx, bucket string, create bool) (kv.Bucket, error) {
	top := tx.Bucket(bktVersions)
	if top == nil {
		if !create {
			return nil, nil
		}
		var err error
		if top, err = tx.CreateBucketIfNotExists(bktVersions); err != nil {
			return nil, err
		}
	}
	vb := top.Bucket([]byte(bucket))
	if vb == nil && create {
		return top.CreateBucketIfNotExists([]byte(bucket))
	}
	return vb, nil
}

// bucketState reads a bucket's versioning state inside tx.
func (s *KVStore) bucketState(tx kv.Tx, bucket string) (string, error) {
	v := tx.Bucket(bktBuckets).Get([]byte(bucket))
	if v == nil {
		return "", ErrNoSuchBucket
	}
	b, err := s.buckets.decode(bucket, v, s.mac)
	if err != nil {
		s.damaged(kindBucket, bucket, "", err)
		return "", err
	}
	return b.Versioning, nil
}

// putNoncurrent stores o as a noncurrent version of its key.
func (s *KVStore) putNoncurrent(vb kv.Bucket, bucket string, o *Object) error {
	return s.putRec(vb, versionKey(o.Key, vsk(o)), kindVersion, versionLoc(bucket, o.Key, o.VersionID), o)
}

// noncurrentNull finds the key's noncurrent null version: its stored key, or nil.
func noncurrentNull(vb kv.Bucket, key string) []byte {
	if vb == nil {
		return nil
	}
	pfx := []byte(key + "\x00")
	c := vb.Cursor()
	for k, _ := c.Seek(pfx); k != nil && bytes.HasPrefix(k, pfx); k, _ = c.Next() {
		if bytes.HasSuffix(k, []byte(NullVersion)) && bytes.IndexByte(k[len(pfx):], 0) < 0 {
			return bytes.Clone(k)
		}
	}
	return nil
}

// noncurrentSK finds where the noncurrent version vid ("" = the null version) of key is
// stored under it, or nil if it has none (vb may be nil).
func noncurrentSK(vb kv.Bucket, key, vid string) []byte {
	if vb == nil {
		return nil
	}
	if vid == "" {
		if k := noncurrentNull(vb, key); k != nil {
			return k[len(key)+1:]
		}
		return nil
	}
	if vb.Get(versionKey(key, vid)) != nil {
		return []byte(vid)
	}
	return nil
}

// readNoncurrent decodes the noncurrent version stored at sk of key.
func (s *KVStore) readNoncurrent(vb kv.Bucket, bucket, key string, sk []byte, v []byte) (*Object, error) {
	vid := string(sk)
	if bytes.HasSuffix(sk, []byte(NullVersion)) && len(sk) == 16+len(NullVersion) {
		vid = ""
	}
	var o Object
	if err := s.getRec(kindVersion, versionLoc(bucket, key, vid), v, &o); err != nil {
		s.damaged(kindVersion, bucket, key+" (version "+string(sk)+")", err)
		return nil, err
	}
	if o.Key != key || o.VersionID != vid {
		s.damaged(kindVersion, bucket, key+" (version "+string(sk)+")", ErrDamagedRecord)
		return nil, ErrDamagedRecord
	}
	return &o, nil
}

// install makes o the current version of o.Key as the bucket's versioning state says, in
// tx: the version it replaces becomes noncurrent (Enabled; Suspended unless it is the null
// version) or is removed for good (returned in Replaced, so its blobs can go). In a
// suspended bucket the new null version also replaces a noncurrent null version. cond sees
// the current version (nil for none or a delete marker).
func (s *KVStore) install(tx kv.Tx, bucket string, o Object, cond PutCondition) (WriteResult, error) {
	var res WriteResult
	ob, err := objectsOf(tx, bucket)
	if err != nil {
		return res, err
	}
	state, err := s.bucketState(tx, bucket)
	if err != nil {
		return res, err
	}
	if err := s.applyLock(tx, bucket, &o); err != nil {
		return res, err
	}
	cur, err := s.getObject(ob, bucket, o.Key)
	if err != nil && (cond != nil || !errors.Is(err, ErrDamagedRecord)) {
		return res, err
	}
	if cond != nil {
		live := cur
		if live != nil && live.DeleteMarker {
			live = nil
		}
		if err := cond(live); err != nil {
			return res, err
		}
	}
	switch state {
	case VersioningEnabled:
		if o.VersionID == "" {
			o.VersionID = NewVersionID()
		}
	default:
		o.VersionID = ""
	}
	if cur != nil {
		if state == "" || (state == VersioningSuspended && cur.VersionID == "") {
			res.Replaced = cur
		} else {
			vb, err := versionsOf(tx, bucket, true)
			if err != nil {
				return res, err
			}
			if err := s.putNoncurrent(vb, bucket, cur); err != nil {
				return res, err
			}
		}
	}
	if state == VersioningSuspended && (cur == nil || cur.VersionID != "") {
		vb, err := versionsOf(tx, bucket, false)
		if err != nil {
			return res, err
		}
		if k := noncurrentNull(vb, o.Key); k != nil {
			old, err := s.readNoncurrent(vb, bucket, o.Key, k[len(o.Key)+1:], vb.Get(k))
			if err == nil {
				res.Replaced = old
			}
			if err := vb.Delete(k); err != nil {
				return res, err
			}
		}
	}
	res.VersionID = o.VersionID
	return res, s.putRec(ob, []byte(o.Key), kindObject, objectLoc(bucket, o.Key), o)
}

// DeleteOptions select what DeleteObject removes.
type DeleteOptions struct {
	// VersionID deletes that version for good ("null" for the null version); "" deletes the
	// key as the bucket's versioning state says (a delete marker where it is versioned).
	VersionID string
	// Cond, if set, sees the version that would be deleted (the current one for no
	// VersionID, nil if there is none or it is a delete marker) and may refuse.
	Cond PutCondition
	// BypassGovernance lets a VersionID delete remove a version under GOVERNANCE retention
	// (a locked version is otherwise refused with ErrObjectLocked; lock.go).
	BypassGovernance bool
}

// DeleteResult says what DeleteObject did.
type DeleteResult struct {
	// VersionID is the version deleted, or of the delete marker created ("" = null).
	VersionID string
	// DeleteMarker: a delete marker was created, or the version deleted was one.
	DeleteMarker bool
	// Removed is the version removed for good (its blobs can go), nil if none.
	Removed *Object
}

func (s *KVStore) DeleteObject(ctx context.Context, bucket, key string, opt DeleteOptions) (DeleteResult, error) {
	var res DeleteResult
	err := s.update(ctx, func(tx kv.Tx) error {
		res = DeleteResult{}
		if opt.VersionID != "" {
			var err error
			res, err = s.deleteVersion(tx, bucket, key, opt)
			return err
		}
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		state, err := s.bucketState(tx, bucket)
		if err != nil {
			return err
		}
		cur, err := s.getObject(ob, bucket, key)
		if errors.Is(err, ErrDamagedRecord) && opt.Cond == nil {
			// A damaged current record goes (a delete marker replaces it where versioned);
			// its blobs are left to the orphan sweep.
			if state == "" {
				return ob.Delete([]byte(key))
			}
			cur, err = nil, nil
		}
		if err != nil {
			return err
		}
		if opt.Cond != nil {
			live := cur
			if live != nil && live.DeleteMarker {
				live = nil
			}
			if err := opt.Cond(live); err != nil {
				return err
			}
		}
		if state == "" {
			if cur != nil {
				res.Removed = cur
				return ob.Delete([]byte(key))
			}
			return nil
		}
		marker := Object{Key: key, DeleteMarker: true, LastModified: time.Now().UTC()}
		wr, err := s.install(tx, bucket, marker, nil)
		if err != nil {
			return err
		}
		res.VersionID, res.DeleteMarker, res.Removed = wr.VersionID, true, wr.Replaced
		return nil
	})
	return res, err
}

// deleteVersion removes one version for good; when it was the current one, the newest
// noncurrent version becomes current.
func (s *KVStore) deleteVersion(tx kv.Tx, bucket, key string, opt DeleteOptions) (DeleteResult, error) {
	res := DeleteResult{VersionID: opt.VersionID}
	if opt.VersionID == NullVersion {
		res.VersionID = ""
	}
	ob, err := objectsOf(tx, bucket)
	if err != nil {
		return res, err
	}
	vb, err := versionsOf(tx, bucket, false)
	if err != nil {
		return res, err
	}
	cur, err := s.getObject(ob, bucket, key)
	if err != nil {
		return res, err
	}
	check := func(o *Object) error {
		if err := deletable(o, opt.BypassGovernance); err != nil {
			return err
		}
		if opt.Cond == nil {
			return nil
		}
		if o != nil && o.DeleteMarker {
			o = nil
		}
		return opt.Cond(o)
	}
	if cur != nil && cur.VersionID == res.VersionID {
		if err := check(cur); err != nil {
			return res, err
		}
		res.Removed, res.DeleteMarker = cur, cur.DeleteMarker
		if vb != nil {
			pfx := []byte(key + "\x00")
			c := vb.Cursor()
			if k, v := c.Seek(pfx); k != nil && bytes.HasPrefix(k, pfx) {
				next, err := s.readNoncurrent(vb, bucket, key, k[len(pfx):], v)
				if err != nil {
					return res, err
				}
				if err := vb.Delete(bytes.Clone(k)); err != nil {
					return res, err
				}
				return res, s.putRec(ob, []byte(key), kindObject, objectLoc(bucket, key), next)
			}
		}
		return res, ob.Delete([]byte(key))
	}
	if vb == nil {
		return res, nil
	}
	sk := noncurrentSK(vb, key, res.VersionID)
	if sk == nil {
		return res, nil // no such version: deleting it changes nothing, as S3 answers
	}
	k := versionKey(key, string(sk))
	o, err := s.readNoncurrent(vb, bucket, key, sk, vb.Get(k))
	if err != nil && !errors.Is(err, ErrDamagedRecord) {
		return res, err
	}
	if err == nil {
		if err := check(o); err != nil {
			return res, err
		}
		res.Removed, res.DeleteMarker = o, o.DeleteMarker
	}
	return res, vb.Delete(k)
}

// findVersion locates a version of key in tx: the current one (a delete marker included,
// IsLatest set) when versionID is "", else the one with that id ("null" for the null
// version). It returns the version and the kv bucket holding it (objects/ for the current
// one, versions/ for a noncurrent one). Returns ErrNoSuchBucket, ErrNoSuchKey (no current
// version), ErrNoSuchVersion or ErrDamagedRecord.
func (s *KVStore) findVersion(tx kv.Tx, bucket, key, versionID string) (*Object, kv.Bucket, error) {
	ob, err := objectsOf(tx, bucket)
	if err != nil {
		return nil, nil, err
	}
	cur, err := s.getObject(ob, bucket, key)
	if err != nil {
		return nil, nil, err
	}
	want := versionID
	if want == NullVersion {
		want = ""
	}
	if versionID == "" || (cur != nil && cur.VersionID == want) {
		if cur == nil {
			if versionID == "" {
				return nil, nil, ErrNoSuchKey
			}
			return nil, nil, ErrNoSuchVersion
		}
		cur.IsLatest = true
		return cur, ob, nil
	}
	vb, err := versionsOf(tx, bucket, false)
	if err != nil {
		return nil, nil, err
	}
	sk := noncurrentSK(vb, key, want)
	if sk == nil {
		return nil, nil, ErrNoSuchVersion
	}
	o, err := s.readNoncurrent(vb, bucket, key, sk, vb.Get(versionKey(key, string(sk))))
	if err != nil {
		return nil, nil, err
	}
	return o, vb, nil
}

// GetVersion returns a version of key (see findVersion).
func (s *KVStore) GetVersion(ctx context.Context, bucket, key, versionID string) (Object, error) {
	var out Object
	err := s.view(ctx, func(tx kv.Tx) error {
		o, _, err := s.findVersion(tx, bucket, key, versionID)
		if err == nil {
			out = *o
		}
		return err
	})
	return out, err
}

// VersionListOptions select versions for ListObjectVersions.
type VersionListOptions struct {
	Prefix, Delimiter string
	// KeyMarker and VersionIDMarker: list after this version of this key (after every
	// version of KeyMarker when VersionIDMarker is "").
	KeyMarker, VersionIDMarker string
	MaxKeys                    int
}

// VersionListResult is one page of ListObjectVersions: versions and delete markers in key
// order, each key's newest first, with IsLatest set on current ones.
type VersionListResult struct {
	Versions                           []Object
	CommonPrefixes                     []string
	IsTruncated                        bool
	NextKeyMarker, NextVersionIDMarker string
}

func wireVersion(vid string) string {
	if vid == "" {
		return NullVersion
	}
	return vid
}

func (s *KVStore) ListVersions(ctx context.Context, bucket string, opt VersionListOptions) (VersionListResult, error) {
	var res VersionListResult
	err := s.view(ctx, func(tx kv.Tx) error {
		res = VersionListResult{}
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		vb, err := versionsOf(tx, bucket, false)
		if err != nil {
			return err
		}
		n := 0
		full := func() bool {
			if n >= opt.MaxKeys {
				res.IsTruncated = true
				return true
			}
			return false
		}
		// Versions of the marker key after VersionIDMarker come first.
		after := opt.KeyMarker
		resumeKey := ""
		if opt.KeyMarker != "" && opt.VersionIDMarker != "" {
			resumeKey = opt.KeyMarker
		}
		c := ob.Cursor()
		start := opt.Prefix
		if after > start {
			start = after
		}
		k, v := c.Seek([]byte(start))
		pfx := []byte(opt.Prefix)
		for k != nil && bytes.HasPrefix(k, pfx) {
			key := string(k)
			if key == after && key != resumeKey {
				k, v = c.Next()
				continue
			}
			if opt.Delimiter != "" {
				rest := key[len(pfx):]
				if i := strings.Index(rest, opt.Delimiter); i >= 0 {
					cp := opt.Prefix + rest[:i+len(opt.Delimiter)]
					if cp > after {
						if full() {
							return nil
						}
						res.CommonPrefixes = append(res.CommonPrefixes, cp)
						res.NextKeyMarker, res.NextVersionIDMarker = cp, ""
						n++
					}
					k, v = c.Seek([]byte(cp + skipPast))
					continue
				}
			}
			// The key's versions, newest first: the current one, then the noncurrent ones.
			var vs []Object
			var cur Object
			if err := s.getRec(kindObject, objectLoc(bucket, key), v, &cur); err == nil && cur.Key == key {
				cur.IsLatest = true
				vs = append(vs, cur)
			} else {
				s.damaged(kindObject, bucket, key, ErrDamagedRecord)
			}
			if vb != nil {
				vp := []byte(key + "\x00")
				vc := vb.Cursor()
				for vk, vv := vc.Seek(vp); vk != nil && bytes.HasPrefix(vk, vp); vk, vv = vc.Next() {
					if bytes.IndexByte(vk[len(vp):], 0) >= 0 {
						continue // a longer key holding a NUL
					}
					o, err := s.readNoncurrent(vb, bucket, key, vk[len(vp):], vv)
					if err != nil {
						continue
					}
					vs = append(vs, *o)
				}
			}
			skip := key == resumeKey
			for _, o := range vs {
				if skip {
					if wireVersion(o.VersionID) == opt.VersionIDMarker {
						skip = false
					}
					continue
				}
				if full() {
					return nil
				}
				res.Versions = append(res.Versions, o)
				res.NextKeyMarker, res.NextVersionIDMarker = key, wireVersion(o.VersionID)
				n++
			}
			k, v = c.Next()
		}
		return nil
	})
	return res, err
}
