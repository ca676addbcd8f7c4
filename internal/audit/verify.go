package audit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/arcastore/arca/internal/kv"

	"github.com/arcastore/arca/internal/rootkey"
)

// ErrChainBroken is returned by Verify when the stored records do not chain.
var ErrChainBroken = errors.New("audit: the trail's hash chain is broken")

// Chain is what VerifyDB found in a chain that verifies.
type Chain struct {
	// Records is how many stored records were checked (after the pruning checkpoint).
	Records int
	// Keyed reports that the chain has a chain key; KeyedFrom is the first record it links.
	Keyed     bool
	KeyedFrom uint64
	// Legacy is how many of the records are unkeyed: stored before the chain was keyed
	// (all of them when it is not); NewestLegacy is the eventTime of the last of them.
	Legacy       int
	NewestLegacy time.Time
	// PrunedThrough is the pruning checkpoint's seq (0: nothing pruned).
	PrunedThrough uint64
}

// Verify walks every stored record and checks the chain; it returns the number of records
// and, if they do not chain, an error wrapping ErrChainBroken naming the first bad
// sequence number (VerifyDB).
func (t *Trail) Verify() (int, error) {
	t.Flush()
	c, err := VerifyDB(t.db, t.cfg.Root)
	return c.Records, err
}

// VerifyDB checks the chain in a store opened directly (read-only is enough), for
// offline tools. root opens the chain key; it may be nil for a chain that has none (else
// ErrRootKeyNeeded). It returns ErrWrongRootKey if root does not open the chain key, and an
// error wrapping ErrChainBroken naming the first record that is missing, altered or
// inserted, a truncated tail, or a pruning checkpoint, head or run of unkeyed records the
// chain key does not vouch for.
//
// The walk starts from the pruning checkpoint (Prune): the first stored record must be the
// one after it and chain to its link. On a keyed chain the checkpoint and the head carry a
// MAC, so neither can be moved without the root key; records before the keyed chain starts
// are checked by their SHA-256 links and, as a whole, by the link the chain key was made
// with. Without a chain key the checkpoint and the head cannot be checked: whoever rewrites
// them with the records is not detected here.
func VerifyDB(db kv.DB, root *rootkey.Key) (Chain, error) {
	var c Chain
	err := db.View(func(tx kv.Tx) error {
		var err error
		c, err = verifyTx(tx, root)
		return err
	})
	return c, err
}

func verifyTx(tx kv.Tx, root *rootkey.Key) (Chain, error) {
	var c Chain
	ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
	if ev == nil || hb == nil {
		return c, nil
	}
	ck, err := openChainKey(hb, root)
	if err != nil {
		return c, err
	}
	l := newLinker(ck)
	if ck == nil && (hb.Get(keyHeadMAC) != nil || len(hb.Get(keyBase)) == 8+2*linkSize) {
		return c, fmt.Errorf("%w: the chain key is missing (the head or checkpoint carries a MAC)", ErrChainBroken)
	}
	if ck != nil {
		c.Keyed, c.KeyedFrom = true, ck.from
	}
	base, prev, err := baseTx(hb, l)
	if err != nil {
		return c, err
	}
	c.PrunedThrough = base
	if err := l.checkAnchor(base, prev); err != nil {
		return c, err
	}
	want := base + 1
	cur := ev.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if prev, err = l.next(k, v, want, prev); err != nil {
			return c, err
		}
		if !l.keyed(want) {
			c.Legacy++
			if at, ok := recordTime(v[linkSize:]); ok {
				c.NewestLegacy = at
			}
		}
		want++
		c.Records++
	}
	last := want - 1
	if ck != nil && last+1 < ck.from {
		return c, fmt.Errorf("%w: records %d-%d missing", ErrChainBroken, last+1, ck.from-1)
	}
	head := hb.Get(keyHead)
	switch {
	case head == nil && last == 0:
		return c, nil
	case len(head) != 8+linkSize || binary.BigEndian.Uint64(head) != last:
		return c, fmt.Errorf("%w: records after %d missing", ErrChainBroken, last)
	case !bytes.Equal(head[8:], prev):
		return c, fmt.Errorf("%w: head does not match record %d", ErrChainBroken, last)
	}
	return c, checkHead(hb, l, last, prev)
}
