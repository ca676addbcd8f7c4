package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"github.com/arcastore/arca/internal/kv"

	"github.com/arcastore/arca/internal/rootkey"
)

// The chain key (docs/AUDIT.md, "The hash chain"). In LP() notation (docs/KEYS.md):
//
//	K       = random(32), stored in audit.head/"chainkey" as
//	          rootkey.Seal("arca/audit/chain-key/v1", K || u64be(from) || anchor)
//	link_n  = SHA-256(link_{n-1} || u64be(n) || JSON_n)                            n < from (legacy)
//	link_n  = HMAC(K, LP("arca/audit/record/v1") || u64be(n) || LP(link_{n-1}) || LP(JSON_n))  n >= from
//	base    = u64be(s) || link_s || HMAC(K, LP("arca/audit/checkpoint/v1") || u64be(s) || LP(link_s))
//	headmac = HMAC(K, LP("arca/audit/head/v1") || u64be(h) || LP(link_h))
//
// from is the first record written after the key was made and anchor the link of record
// from-1 at that moment (the zero hash when there was none): both are sealed with K, so
// records before from cannot be rewritten and records from on cannot be passed off as
// unkeyed without the root key.
var (
	keyChainKey = []byte("chainkey")
	keyHeadMAC  = []byte("headmac")
)

const chainKeyAAD = "arca/audit/chain-key/v1"

// linkSize is the size of every link, keyed or not.
const linkSize = sha256.Size

// sealedKeySize is the chain key's sealed plaintext: K || u64be(from) || anchor.
const sealedKeySize = 32 + 8 + linkSize

// The first input of every MAC under the chain key, LP(purpose), so that no MAC made for
// one purpose verifies for another.
var (
	lpRecord     = lp("arca/audit/record/v1")
	lpCheckpoint = lp("arca/audit/checkpoint/v1")
	lpHead       = lp("arca/audit/head/v1")
)

func lp(s string) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(s))), s...)
}

// ErrRootKeyNeeded is returned by VerifyDB and OpenTrail when the chain is keyed and no
// root key was given.
var ErrRootKeyNeeded = errors.New("audit: the chain is keyed: the root key is needed to check it")

// ErrWrongRootKey is returned when the root key does not open the chain key: it is not the
// key the server ran with, or the sealed chain key was altered (nothing tells which).
var ErrWrongRootKey = errors.New("audit: the root key does not open the chain key (the wrong root key, or the sealed chain key was altered)")

// chainKey is an opened chain key.
type chainKey struct {
	key    []byte // 32 bytes
	from   uint64 // the first keyed record
	anchor []byte // link of record from-1 when the key was made
}

// openChainKey opens the chain key in hb (nil, nil when the chain has none).
func openChainKey(hb kv.Bucket, root *rootkey.Key) (*chainKey, error) {
	sealed := hb.Get(keyChainKey)
	if sealed == nil {
		return nil, nil
	}
	if root == nil {
		return nil, ErrRootKeyNeeded
	}
	pt, err := root.Open(chainKeyAAD, sealed)
	if err != nil || len(pt) != sealedKeySize {
		clear(pt)
		return nil, ErrWrongRootKey
	}
	return &chainKey{key: pt[:32:32], from: binary.BigEndian.Uint64(pt[32:40]), anchor: pt[40:]}, nil
}

// makeChainKey keys the chain in hb (which has no key) from the record after the head on:
// it stores a new sealed key and puts the MAC on the head and the pruning checkpoint as
// they are, so that what was written before is vouched for from now on.
func makeChainKey(hb kv.Bucket, root *rootkey.Key) (*chainKey, error) {
	ck := &chainKey{key: make([]byte, 32), anchor: make([]byte, linkSize)}
	rand.Read(ck.key)
	head := hb.Get(keyHead)
	if len(head) == 8+linkSize {
		ck.from = binary.BigEndian.Uint64(head) + 1
		copy(ck.anchor, head[8:])
	} else {
		ck.from = 1
	}
	pt := make([]byte, 0, sealedKeySize)
	pt = append(binary.BigEndian.AppendUint64(append(pt, ck.key...), ck.from), ck.anchor...)
	err := hb.Put(keyChainKey, root.Seal(chainKeyAAD, pt))
	clear(pt)
	if err != nil {
		return nil, err
	}
	l := newLinker(ck)
	if len(head) == 8+linkSize {
		if err := hb.Put(keyHeadMAC, l.tag(lpHead, ck.from-1, ck.anchor)); err != nil {
			return nil, err
		}
	}
	if v := hb.Get(keyBase); len(v) == 8+linkSize {
		if err := putBase(hb, l, binary.BigEndian.Uint64(v), v[8:]); err != nil {
			return nil, err
		}
	}
	return ck, nil
}

// ResealTx re-seals the chain key from old to new inside tx (for `arca admin
// rotate-root-key`, in the same transaction as the rest); the key itself, and so every
// link, stays. It returns how many keys were re-sealed (0 or 1), and ErrWrongRootKey if
// old does not open it.
func ResealTx(tx kv.Tx, old, new *rootkey.Key) (int, error) {
	hb := tx.Bucket(bucketHead)
	if hb == nil || hb.Get(keyChainKey) == nil {
		return 0, nil
	}
	pt, err := old.Open(chainKeyAAD, hb.Get(keyChainKey))
	if err != nil || len(pt) != sealedKeySize {
		clear(pt)
		return 0, ErrWrongRootKey
	}
	err = hb.Put(keyChainKey, new.Seal(chainKeyAAD, pt))
	clear(pt)
	if err != nil {
		return 0, err
	}
	return 1, nil
}

// linker computes and checks links: plain SHA-256 for records before ck.from (or all
// records when the chain has no key), HMAC-SHA256 under the chain key from ck.from on.
// A linker is not safe for concurrent use; make one per transaction.
type linker struct {
	ck  *chainKey
	mac hash.Hash // HMAC-SHA256 under ck.key; nil without a key
	sha hash.Hash
	n   [8]byte // scratch for u64be and LP lengths (Write would move a local to the heap)
}

func newLinker(ck *chainKey) *linker {
	l := &linker{ck: ck, sha: sha256.New()}
	if ck != nil {
		l.mac = hmac.New(sha256.New, ck.key)
	}
	return l
}

// keyed reports whether record seq is linked by the chain key.
func (l *linker) keyed(seq uint64) bool { return l.ck != nil && seq >= l.ck.from }

// link appends record seq's link (over prev, the previous record's link, and its JSON)
// to dst.
func (l *linker) link(dst, prev []byte, seq uint64, rec []byte) []byte {
	binary.BigEndian.PutUint64(l.n[:], seq)
	if !l.keyed(seq) {
		h := l.sha
		h.Reset()
		h.Write(prev)
		h.Write(l.n[:])
		h.Write(rec)
		return h.Sum(dst)
	}
	m := l.mac
	m.Reset()
	m.Write(lpRecord)
	m.Write(l.n[:])
	l.writeLP(prev)
	l.writeLP(rec)
	return m.Sum(dst)
}

// tag is the MAC of a (seq, link) pair for purpose (lpCheckpoint, lpHead); it needs a key.
func (l *linker) tag(purpose []byte, seq uint64, link []byte) []byte {
	m := l.mac
	m.Reset()
	m.Write(purpose)
	binary.BigEndian.PutUint64(l.n[:], seq)
	m.Write(l.n[:])
	l.writeLP(link)
	return m.Sum(nil)
}

func (l *linker) writeLP(b []byte) {
	binary.BigEndian.PutUint32(l.n[:4], uint32(len(b)))
	l.mac.Write(l.n[:4])
	l.mac.Write(b)
}

// next checks that the stored record k/v is record want and chains to prev, and returns
// its link. At the last record before the keyed chain starts it also checks the anchor:
// unkeyed records rewritten with their hashes recomputed end in another link.
func (l *linker) next(k, v []byte, want uint64, prev []byte) ([]byte, error) {
	if len(k) != 8 || keySeq(k) != want {
		return nil, fmt.Errorf("%w: record %d missing", ErrChainBroken, want)
	}
	if len(v) < linkSize || !hmac.Equal(v[:linkSize], l.link(nil, prev, want, v[linkSize:])) {
		return nil, fmt.Errorf("%w: record %d altered", ErrChainBroken, want)
	}
	if err := l.checkAnchor(want, v[:linkSize]); err != nil {
		return nil, err
	}
	return v[:linkSize], nil
}

// checkAnchor checks, if seq is the last record before the keyed chain, that its link is
// the one the chain key was made with.
func (l *linker) checkAnchor(seq uint64, link []byte) error {
	if l.ck == nil || seq+1 != l.ck.from || seq == 0 {
		return nil
	}
	if !hmac.Equal(link, l.ck.anchor) {
		return fmt.Errorf("%w: the unkeyed records up to %d were rewritten (they no longer end in the link the chain key was made with)", ErrChainBroken, seq)
	}
	return nil
}

// putBase stores the pruning checkpoint (seq, link): with its MAC when the chain is keyed.
func putBase(hb kv.Bucket, l *linker, seq uint64, link []byte) error {
	v := make([]byte, 0, 8+2*linkSize)
	v = append(binary.BigEndian.AppendUint64(v, seq), link...)
	if l.ck != nil {
		v = append(v, l.tag(lpCheckpoint, seq, link)...)
	}
	return hb.Put(keyBase, v)
}

// checkHead checks the head's MAC when the chain is keyed.
func checkHead(hb kv.Bucket, l *linker, seq uint64, link []byte) error {
	if l.ck == nil {
		return nil
	}
	if !hmac.Equal(hb.Get(keyHeadMAC), l.tag(lpHead, seq, link)) {
		return fmt.Errorf("%w: the head (record %d) is not the one the chain key vouches for", ErrChainBroken, seq)
	}
	return nil
}
