package meta

import (
	"bytes"
	"context"
	"strings"

	"github.com/arcastore/arca/internal/kv"
)

// skipPast is appended to a common prefix to seek beyond every key that starts with it: keys
// are UTF-8, which never contains the byte 0xFF.
const skipPast = "\xff"

func (s *KVStore) ListObjects(ctx context.Context, bucket string, opt ListOptions) (ListResult, error) {
	var res ListResult
	err := s.view(ctx, func(tx kv.Tx) error {
		ob, err := objectsOf(tx, bucket)
		if err != nil {
			return err
		}
		res = ListResult{}
		return walkListing(ob.Cursor(), opt.Prefix, opt.Delimiter, opt.After, opt.MaxKeys, &res.IsTruncated,
			func(k, v []byte) (bool, error) {
				// A damaged record is skipped (logged once): it costs that object only. A
				// key whose current version is a delete marker is not listed.
				var o Object
				if err := s.getRec(kindObject, objectLoc(bucket, string(k)), v, &o); err != nil || o.Key != string(k) {
					s.damaged(kindObject, bucket, string(k), ErrDamagedRecord)
					res.Next = string(k)
					return false, nil
				}
				if o.DeleteMarker {
					return false, nil
				}
				res.Objects = append(res.Objects, o)
				res.Next = o.Key
				return true, nil
			},
			func(cp string) {
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.Next = cp
			})
	})
	return res, err
}

// walkListing implements S3's listing walk over a sorted cursor: keys under prefix, strictly
// after `after`, rolled up at the first delimiter past the prefix into common prefixes, at
// most max entries. A common prefix not greater than `after` was already returned on an
// earlier page and is skipped whole. onObject says whether it took the entry (a skipped one
// does not count toward max).
func walkListing(c kv.Cursor, prefix, delim, after string, max int, truncated *bool,
	onObject func(k, v []byte) (counted bool, err error), onPrefix func(cp string)) error {
	start := prefix
	if after > start {
		start = after
	}
	k, v := c.Seek([]byte(start))
	if k != nil && string(k) == after {
		k, v = c.Next()
	}
	n := 0
	pfx := []byte(prefix)
	for k != nil && bytes.HasPrefix(k, pfx) {
		if delim != "" {
			rest := string(k[len(pfx):])
			if i := strings.Index(rest, delim); i >= 0 {
				cp := prefix + rest[:i+len(delim)]
				if cp > after {
					if n >= max {
						*truncated = true
						return nil
					}
					onPrefix(cp)
					n++
				}
				k, v = c.Seek([]byte(cp + skipPast))
				continue
			}
		}
		if n >= max {
			*truncated = true
			return nil
		}
		counted, err := onObject(k, v)
		if err != nil {
			return err
		}
		if counted {
			n++
		}
		k, v = c.Next()
	}
	return nil
}
