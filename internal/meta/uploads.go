package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// uploadKey is the key of an upload's nested bucket: object key, NUL, upload id. Upload ids
// are time-ordered, so uploads of one key list in initiation order.
func uploadKey(key, id string) []byte { return []byte(key + "\x00" + id) }

func uploadsOf(tx *bolt.Tx, bucket string) (*bolt.Bucket, error) {
	ub := tx.Bucket(bktUploads).Bucket([]byte(bucket))
	if ub == nil {
		return nil, ErrNoSuchBucket
	}
	return ub, nil
}

func uploadBucket(tx *bolt.Tx, bucket, key, id string) (*bolt.Bucket, error) {
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

func (s *BoltStore) CreateUpload(ctx context.Context, bucket string, u Upload) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		ub, err := uploadsOf(tx, bucket)
		if err != nil {
			return err
		}
		b, err := ub.CreateBucketIfNotExists(uploadKey(u.Key, u.ID))
		if err != nil {
			return err
		}
		if _, err := b.CreateBucketIfNotExists(keyParts); err != nil {
			return err
		}
		return putJSON(b, keyInfo, u)
	})
}

func readUpload(b *bolt.Bucket) (Upload, error) {
	var u Upload
	err := json.Unmarshal(b.Get(keyInfo), &u)
	return u, err
}

func (s *BoltStore) GetUpload(ctx context.Context, bucket, key, id string) (Upload, error) {
	var u Upload
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b, err := uploadBucket(tx, bucket, key, id)
		if err != nil {
			return err
		}
		u, err = readUpload(b)
		return err
	})
	return u, err
}

func (s *BoltStore) PutPart(ctx context.Context, bucket, key, id string, p Part) (*Part, error) {
	var old *Part
	err := s.update(ctx, func(tx *bolt.Tx) error {
		old = nil
		b, err := uploadBucket(tx, bucket, key, id)
		if err != nil {
			return err
		}
		pb := b.Bucket(keyParts)
		if v := pb.Get(partKey(p.Number)); v != nil {
			var prev Part
			if err := json.Unmarshal(v, &prev); err != nil {
				return err
			}
			old = &prev
		}
		return putJSON(pb, partKey(p.Number), p)
	})
	return old, err
}

func readParts(b *bolt.Bucket) ([]Part, error) {
	var parts []Part
	err := b.Bucket(keyParts).ForEach(func(k, v []byte) error {
		var p Part
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		parts = append(parts, p)
		return nil
	})
	return parts, err
}

func (s *BoltStore) ListParts(ctx context.Context, bucket, key, id string, after, max int) ([]Part, bool, error) {
	var out []Part
	var more bool
	err := s.view(ctx, func(tx *bolt.Tx) error {
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
			var p Part
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, more, err
}

func (s *BoltStore) CompleteUpload(ctx context.Context, bucket, id string, o Object, cond PutCondition) (*Object, []Part, error) {
	var old *Object
	var unused []Part
	err := s.update(ctx, func(tx *bolt.Tx) error {
		old, unused = nil, nil
		b, err := uploadBucket(tx, bucket, o.Key, id)
		if err != nil {
			return err
		}
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
		parts, err := readParts(b)
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
		if err := putJSON(ob, []byte(o.Key), o); err != nil {
			return err
		}
		ub, _ := uploadsOf(tx, bucket)
		old = cur
		return ub.DeleteBucket(uploadKey(o.Key, id))
	})
	if err != nil {
		return nil, nil, err
	}
	return old, unused, nil
}

func (s *BoltStore) AbortUpload(ctx context.Context, bucket, key, id string) ([]Part, error) {
	var parts []Part
	err := s.update(ctx, func(tx *bolt.Tx) error {
		parts = nil
		b, err := uploadBucket(tx, bucket, key, id)
		if err != nil {
			return err
		}
		if parts, err = readParts(b); err != nil {
			return err
		}
		ub, _ := uploadsOf(tx, bucket)
		return ub.DeleteBucket(uploadKey(key, id))
	})
	return parts, err
}

func (s *BoltStore) ListUploads(ctx context.Context, bucket string, opt UploadListOptions) (UploadListResult, error) {
	var res UploadListResult
	err := s.view(ctx, func(tx *bolt.Tx) error {
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
			func(k, v []byte) error {
				u, err := readUpload(ub.Bucket(k))
				if err != nil {
					return err
				}
				res.Uploads = append(res.Uploads, u)
				res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.ID
				return nil
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
