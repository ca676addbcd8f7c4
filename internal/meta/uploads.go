package meta

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/kv"
)

// uploadKey is the key of an upload's nested bucket: object key, NUL, upload id. Upload ids
// are time-ordered, so uploads of one key list in initiation order. Ids hold no NUL
// (validUploadID), so the last NUL splits the two unambiguously.
func uploadKey(key, id string) []byte { return []byte(key + "\x00" + id) }

// uploadIDLen is the length of the ids Arca issues: 16 hex digits of time, 24 of randomness.
const uploadIDLen = 40

// validUploadID reports whether id has the shape of an id Arca issues (lowercase hex,
// uploadIDLen long). Anything else names no upload: ErrNoSuchUpload, before any lookup.
func validUploadID(id string) bool {
	if len(id) != uploadIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func uploadsOf(tx kv.Tx, bucket string) (kv.Bucket, error) {
	ub := tx.Bucket(bktUploads).Bucket([]byte(bucket))
	if ub == nil {
		return nil, ErrNoSuchBucket
	}
	return ub, nil
}

func uploadBucket(tx kv.Tx, bucket, key, id string) (kv.Bucket, error) {
	if !validUploadID(id) {
		return nil, ErrNoSuchUpload
	}
	ub, err := uploadsOf(tx, bucket)
	if err != nil {
		return nil, ErrNoSuchUpload
	}
	b := ub.Bucket(uploadKey(key, id))
	if b == nil {
		return nil, ErrNoSuchUpload
	}
	return b, nil
}

func partKey(n int) []byte { return []byte(fmt.Sprintf("%05d", n)) }

func (s *KVStore) CreateUpload(ctx context.Context, bucket string, u Upload) error {
	return s.update(ctx, func(tx kv.Tx) error {
		ub, err := uploadsOf(tx, bucket)
		if err != nil {
			return err
		}
		if !validUploadID(u.ID) {
			return fmt.Errorf("meta: upload id %q is not one Arca issues", u.ID)
		}
		b, err := ub.CreateBucketIfNotExists(uploadKey(u.Key, u.ID))
		if err != nil {
			return err
		}
		if _, err := b.CreateBucketIfNotExists(keyParts); err != nil {
			return err
		}
		return s.putRec(b, keyInfo, kindUpload, uploadLoc(bucket, u.Key, u.ID), u)
	})
}

// readUpload reads the upload record of (bucket, key, id) from its nested bucket b.
func (s *KVStore) readUpload(b kv.Bucket, bucket, key, id string) (Upload, error) {
	var u Upload
	err := s.getRec(kindUpload, uploadLoc(bucket, key, id), b.Get(keyInfo), &u)
	if err == nil && (u.Key != key || u.ID != id) {
		err = ErrDamagedRecord
	}
	if err != nil {
		s.damaged(kindUpload, bucket, key+" (upload "+id+")", err)
	}
	return u, err
}

// readPart reads part n of upload (bucket, key, id) from its stored value v.
func (s *KVStore) readPart(bucket, key, id string, n int, v []byte) (Part, error) {
	var p Part
	err := s.getRec(kindPart, partLoc(bucket, key, id, n), v, &p)
	if err == nil && p.Number != n {
		err = ErrDamagedRecord
	}
	if err != nil {
		s.damaged(kindPart, bucket, fmt.Sprintf("%s (upload %s, part %d)", key, id, n), err)
	}
	return p, err
}

func (s *KVStore) GetUpload(ctx context.Context, bucket, key, id string) (Upload, error) {
	var u Upload
	err := s.view(ctx, func(tx kv.Tx) error {
		b, err := uploadBucket(tx, bucket, key, id)
		if err != nil {
			return err
		}
		u, err = s.readUpload(b, bucket, key, id)
		return err
	})
	return u, err
}

func (s *KVStore) PutPart(ctx context.Context, bucket, key, id string, p Part) (*Part, error) {
	var old *Part
	err := s.update(ctx, func(tx kv.Tx) error {
		old = nil
		b, err := uploadBucket(tx, bucket, key, id)
		if err != nil {
			return err
		}
		pb := b.Bucket(keyParts)
		if _, err := s.readUpload(b, bucket, key, id); err != nil {
			return err
		}
		if v := pb.Get(partKey(p.Number)); v != nil {
			// A damaged part being replaced: its blob is unknown, left to the orphan sweep.
			if prev, err := s.readPart(bucket, key, id, p.Number, v); err == nil {
				old = &prev
			}
		}
		return s.putRec(pb, partKey(p.Number), kindPart, partLoc(bucket, key, id, p.Number), p)
	})
	return old, err
}

func (s *KVStore) readParts(b kv.Bucket, bucket, key, id string) ([]Part, error) {
	var parts []Part
	err := b.Bucket(keyParts).ForEach(func(k, v []byte) error {
		n, err := strconv.Atoi(string(k))
		if err != nil {
			return ErrDamagedRecord
		}
		p, err := s.readPart(bucket, key, id, n, v)
		if err != nil {
			return err
		}
		parts = append(parts, p)
		return nil
	})
	return parts, err
}

func (s *KVStore) ListParts(ctx context.Context, bucket, key, id string, after, max int) ([]Part, bool, error) {
	var out []Part
	var more bool
	err := s.view(ctx, func(tx kv.Tx) error {
		b, err := uploadBucket(tx, bucket, key, id)
		if err != nil {
			return err
		}
		c := b.Bucket(keyParts).Cursor()
		for k, v := c.Seek(partKey(after + 1)); k != nil; k, v = c.Next() {
			if max > 0 && len(out) >= max {
				more = true
				break
			}
			n, err := strconv.Atoi(string(k))
			if err != nil {
				return ErrDamagedRecord
			}
			p, err := s.readPart(bucket, key, id, n, v)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, more, err
}

func (s *KVStore) CompleteUpload(ctx context.Context, bucket, id string, o Object, cond PutCondition) (WriteResult, []Part, error) {
	var res WriteResult
	var unused []Part
	err := s.update(ctx, func(tx kv.Tx) error {
		res, unused = WriteResult{}, nil
		b, err := uploadBucket(tx, bucket, o.Key, id)
		if err != nil {
			return err
		}
		if _, err := s.readUpload(b, bucket, o.Key, id); err != nil {
			return err
		}
		parts, err := s.readParts(b, bucket, o.Key, id)
		if err != nil {
			return err
		}
		used := make(map[string]bool, len(o.Pieces))
		for _, p := range o.Pieces {
			used[p.BlobID] = true
		}
		for _, p := range parts {
			if !used[p.BlobID] {
				unused = append(unused, p)
			}
		}
		if res, err = s.install(tx, bucket, o, cond); err != nil {
			return err
		}
		ub, _ := uploadsOf(tx, bucket)
		return ub.DeleteBucket(uploadKey(o.Key, id))
	})
	if err != nil {
		return WriteResult{}, nil, err
	}
	return res, unused, nil
}

func (s *KVStore) AbortUpload(ctx context.Context, bucket, key, id string) ([]Part, error) {
	var parts []Part
	err := s.update(ctx, func(tx kv.Tx) error {
		parts = nil
		b, err := uploadBucket(tx, bucket, key, id)
		if err != nil {
			return err
		}
		// A damaged part does not stop an abort: its blob is left to the orphan sweep.
		parts, _ = s.readParts(b, bucket, key, id)
		ub, _ := uploadsOf(tx, bucket)
		return ub.DeleteBucket(uploadKey(key, id))
	})
	return parts, err
}

func (s *KVStore) ListUploads(ctx context.Context, bucket string, opt UploadListOptions) (UploadListResult, error) {
	var res UploadListResult
	err := s.view(ctx, func(tx kv.Tx) error {
		res = UploadListResult{}
		ub, err := uploadsOf(tx, bucket)
		if err != nil {
			return err
		}
		// Uploads of the marker key with ids <= UploadIDMarker were already listed.
		after := opt.KeyMarker
		if opt.KeyMarker != "" && opt.UploadIDMarker != "" {
			after = opt.KeyMarker + "\x00" + opt.UploadIDMarker
		} else if opt.KeyMarker != "" {
			after = opt.KeyMarker + "\x00" + skipPast
		}
		return walkListing(ub.Cursor(), opt.Prefix, opt.Delimiter, after, opt.MaxUploads, &res.IsTruncated,
			func(k, v []byte) (bool, error) {
				i := bytes.LastIndexByte(k, 0)
				if i < 0 || ub.Bucket(k) == nil {
					return false, nil // damaged structure: listed by arca admin check
				}
				u, err := s.readUpload(ub.Bucket(k), bucket, string(k[:i]), string(k[i+1:]))
				if err != nil {
					return false, nil // damaged: skipped here (logged once), listed by arca admin check
				}
				res.Uploads = append(res.Uploads, u)
				res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.ID
				return true, nil
			},
			func(cp string) {
				// The NUL separator sorts before any delimiter, so a prefix is a key prefix.
				cp = strings.SplitN(cp, "\x00", 2)[0]
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextKeyMarker, res.NextUploadIDMarker = cp, ""
			})
	})
	sort.SliceStable(res.CommonPrefixes, func(i, j int) bool { return res.CommonPrefixes[i] < res.CommonPrefixes[j] })
	return res, err
}
