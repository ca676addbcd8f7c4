package audit

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// keyBase in audit.head is the pruning checkpoint: seq (8) || link (32) of the last pruned
// record, and on a keyed chain the checkpoint's MAC (32, chainkey.go), so that it cannot be
// moved forward over records deleted without the root key. Absent, nothing was pruned
// (base 0, the zero hash).
var keyBase = []byte("base")

// pruneBatch bounds the records one pruning transaction deletes, so that pruning never
// holds the group committer (and the writes queued behind it) for long.
const pruneBatch = 10000

// Prune deletes the oldest records whose eventTime is before before and whose seq is at
// most maxSeq, stopping at the first record that is newer (records are stored in time
// order within TimeSkew, so one out of order by less waits for a later pass). It deletes in
// transactions of at most 10 000 records through the group committer, each also moving
// the checkpoint (seq and link of the last pruned record, with its MAC) that Verify starts
// from.
// Before deleting a record it checks that it chains to the checkpoint: a record that does
// not is left in place (so Verify keeps naming it) and Prune returns an error wrapping
// ErrChainBroken. It returns how many records it deleted.
func (t *Trail) Prune(before time.Time, maxSeq uint64) (int, error) {
	total := 0
	for {
		n, more, err := t.pruneOnce(before, maxSeq, pruneBatch)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// pruneOnce deletes up to limit records in one transaction; more reports that it stopped
// only because of limit.
func (t *Trail) pruneOnce(before time.Time, maxSeq uint64, limit int) (n int, more bool, err error) {
	err = t.db.Update(func(tx kv.Tx) error {
		n, more = 0, false // the function may run more than once
		ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
		if ev == nil || hb == nil {
			return nil
		}
		l := newLinker(t.ck)
		base, prev, err := baseTx(hb, l)
		if err != nil {
			return err
		}
		var dead [][]byte
		c := ev.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(dead) == limit {
				more = true
				break
			}
			if keySeq(k) > maxSeq {
				break
			}
			h, err := l.next(k, v, base+1, prev)
			if err != nil {
				return err
			}
			at, ok := recordTime(v[linkSize:])
			if !ok || !at.Before(before) {
				break
			}
			dead = append(dead, append([]byte(nil), k...))
			base, prev = base+1, append([]byte(nil), h...)
		}
		if len(dead) == 0 {
			more = false
			return nil
		}
		for _, k := range dead {
			if err := ev.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return putBase(hb, l, base, prev)
	})
	if err != nil {
		return 0, false, err
	}
	return n, more, nil
}

// baseTx reads the pruning checkpoint: the seq and link the first stored record chains to
// (0 and the zero hash when nothing was pruned). On a keyed chain it checks the MAC.
func baseTx(hb kv.Bucket, l *linker) (uint64, []byte, error) {
	v := hb.Get(keyBase)
	if v == nil {
		return 0, make([]byte, linkSize), nil
	}
	size := 8 + linkSize
	if l.ck != nil {
		size += linkSize
	}
	if len(v) != size {
		return 0, nil, fmt.Errorf("%w: pruning checkpoint damaged", ErrChainBroken)
	}
	seq, link := binary.BigEndian.Uint64(v), append([]byte(nil), v[8:8+linkSize]...)
	if l.ck != nil && !hmac.Equal(v[8+linkSize:], l.tag(lpCheckpoint, seq, link)) {
		return 0, nil, fmt.Errorf("%w: pruning checkpoint altered (record %d)", ErrChainBroken, seq)
	}
	return seq, link, nil
}

// PrunedThrough is the seq of the last pruned record in tx's view (0 if none was pruned).
func PrunedThrough(tx kv.Tx) uint64 {
	hb := tx.Bucket(bucketHead)
	if hb == nil {
		return 0
	}
	if v := hb.Get(keyBase); len(v) >= 8+linkSize {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}
