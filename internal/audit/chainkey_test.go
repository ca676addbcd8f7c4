package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

// plainLink is a link as an attacker without the root key computes it: the unkeyed chain
// of docs/AUDIT.md before the chain key, SHA-256(previous link || u64be(seq) || JSON).
func plainLink(prev []byte, seq uint64, js []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(seqKey(seq))
	h.Write(js)
	return h.Sum(nil)
}

// rechainPlain rewrites records from..last with plain links (edit, if given, changes a
// record's JSON first) and moves the head to the last one, as a tool that knows the
// unkeyed chain and not the key would.
func rechainPlain(tx kv.Tx, from uint64, edit func(seq uint64, js []byte) []byte) {
	ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
	prev := make([]byte, linkSize)
	if v := ev.Get(seqKey(from - 1)); v != nil {
		prev = v[:linkSize]
	} else if b := hb.Get(keyBase); b != nil && binary.BigEndian.Uint64(b) == from-1 {
		prev = b[8 : 8+linkSize]
	}
	prev = append([]byte(nil), prev...)
	last := from - 1
	c := ev.Cursor()
	for k, v := c.Seek(seqKey(from)); k != nil; k, v = c.Next() {
		seq := binary.BigEndian.Uint64(k)
		js := append([]byte(nil), v[linkSize:]...)
		if edit != nil {
			js = edit(seq, js)
		}
		prev = plainLink(prev, seq, js)
		ev.Put(k, append(append([]byte(nil), prev...), js...))
		last = seq
	}
	hb.Put(keyHead, append(seqKey(last), prev...))
}

// renameUser changes the userName of record seq.
func renameUser(at uint64) func(uint64, []byte) []byte {
	return func(seq uint64, js []byte) []byte {
		if seq != at {
			return js
		}
		return bytes.Replace(js, []byte(`"userName":"u"`), []byte(`"userName":"x"`), 1)
	}
}

func handleN(t *testing.T, tr *Trail, from, n int) {
	t.Helper()
	for i := range n {
		if err := tr.Handle(context.Background(), rec(fmt.Sprint("Op", from+i), "u", true, false)); err != nil {
			t.Fatal(err)
		}
	}
}

func tamper(t *testing.T, db kv.DB, fn func(tx kv.Tx)) {
	t.Helper()
	if err := db.Update(func(tx kv.Tx) error { fn(tx); return nil }); err != nil {
		t.Fatal(err)
	}
}

func wantBroken(t *testing.T, db kv.DB, root *rootkey.Key, want string) {
	t.Helper()
	_, err := VerifyDB(db, root)
	if !errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), want) {
		t.Fatalf("VerifyDB: %v; want an error naming %q", err, want)
	}
}

// A record changed and the chain recomputed the unkeyed way (what anyone who can write
// meta.db could do before the chain key) is named; on an unkeyed chain the same edit
// goes unseen, which is why the chain is keyed.
func TestKeyedChainRewriteDetected(t *testing.T) {
	for _, root := range []*rootkey.Key{testRoot, nil} {
		tr, db := openTrailWith(t, filepath.Join(t.TempDir(), "meta.db"), root)
		handleN(t, tr, 0, 10)
		tr.Close()
		tamper(t, db, func(tx kv.Tx) { rechainPlain(tx, 4, renameUser(4)) })
		if root == nil {
			if c, err := VerifyDB(db, nil); err != nil || c.Records != 10 {
				t.Fatalf("unkeyed chain after a rewrite: %+v %v (the attack this change defeats)", c, err)
			}
		} else {
			wantBroken(t, db, root, "record 4 altered")
		}
		db.Close()
	}
}

// The pruning checkpoint carries a MAC: moving it over deleted records, stripping its
// MAC, or rewriting it with the records after it is detected, and Prune refuses to go on.
func TestKeyedCheckpointRewriteDetected(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		tamper     func(tx kv.Tx)
	}{
		{"moved over deleted records", "pruning checkpoint altered (record 15)", func(tx kv.Tx) {
			ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
			l15 := append([]byte(nil), ev.Get(seqKey(15))[:linkSize]...)
			for s := uint64(11); s <= 15; s++ {
				ev.Delete(seqKey(s))
			}
			old := hb.Get(keyBase)
			hb.Put(keyBase, append(append(seqKey(15), l15...), old[8+linkSize:]...))
		}},
		{"moved, in the unkeyed form", "pruning checkpoint damaged", func(tx kv.Tx) {
			ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
			l15 := append([]byte(nil), ev.Get(seqKey(15))[:linkSize]...)
			for s := uint64(11); s <= 15; s++ {
				ev.Delete(seqKey(s))
			}
			hb.Put(keyBase, append(seqKey(15), l15...))
		}},
		{"MAC stripped", "pruning checkpoint damaged", func(tx kv.Tx) {
			hb := tx.Bucket(bucketHead)
			hb.Put(keyBase, append([]byte(nil), hb.Get(keyBase)[:8+linkSize]...))
		}},
		{"rewritten with the records after it", "pruning checkpoint altered (record 10)", func(tx kv.Tx) {
			hb := tx.Bucket(bucketHead)
			b := append([]byte(nil), hb.Get(keyBase)...)
			copy(b[8:8+linkSize], make([]byte, linkSize))
			hb.Put(keyBase, b)
			rechainPlain(tx, 11, renameUser(12))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := minuteTrail(t, 20)
			if n, err := tr.Prune(time.Now(), 10); err != nil || n != 10 {
				t.Fatalf("Prune: %d %v", n, err)
			}
			db := tr.db
			tamper(t, db, tc.tamper)
			wantBroken(t, db, testRoot, tc.want)
			if _, err := tr.Prune(time.Now(), ^uint64(0)); !errors.Is(err, ErrChainBroken) {
				t.Fatalf("Prune over a tampered checkpoint: %v", err)
			}
		})
	}
}

// A data directory from before the chain key: its records verify as before; the first
// open with a root key keys the chain from the next record on, and records on both sides
// verify, also once pruning crosses from the unkeyed into the keyed part.
func TestLegacyThenKeyed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	tr, db := openTrailWith(t, path, nil)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for i := range 6 {
		r := rec(fmt.Sprint("Old", i), "u", true, false)
		r.EventTime = old
		tr.Handle(context.Background(), r)
	}
	tr.Close()
	if n, err := tr.Prune(time.Now(), 2); err != nil || n != 2 {
		t.Fatalf("unkeyed Prune: %d %v", n, err)
	}
	if c, err := VerifyDB(db, nil); err != nil || c.Keyed || c.Records != 4 || c.Legacy != 4 || !c.NewestLegacy.Equal(old) {
		t.Fatalf("unkeyed chain: %+v %v", c, err)
	}
	db.Close()

	tr, db = openTestTrail(t, path)
	defer db.Close()
	if _, err := VerifyDB(db, nil); !errors.Is(err, ErrRootKeyNeeded) {
		t.Fatalf("VerifyDB of a keyed chain without the root key: %v", err)
	}
	if c, err := VerifyDB(db, testRoot); err != nil || !c.Keyed || c.KeyedFrom != 7 || c.Records != 4 || c.Legacy != 4 || c.PrunedThrough != 2 {
		t.Fatalf("keyed, no keyed record yet: %+v %v", c, err)
	}
	handleN(t, tr, 0, 5)
	if c, err := VerifyDB(db, testRoot); err != nil || c.KeyedFrom != 7 || c.Records != 9 || c.Legacy != 4 {
		t.Fatalf("4 unkeyed + 5 keyed: %+v %v", c, err)
	}
	if n, err := tr.Prune(time.Now().Add(-time.Minute), ^uint64(0)); err != nil || n != 4 {
		t.Fatalf("Prune of the unkeyed records: %d %v", n, err)
	}
	if c, err := VerifyDB(db, testRoot); err != nil || c.Records != 5 || c.Legacy != 0 || c.PrunedThrough != 6 {
		t.Fatalf("after pruning the unkeyed records: %+v %v", c, err)
	}
	if n, err := tr.Prune(time.Now().Add(time.Minute), 8); err != nil || n != 2 {
		t.Fatalf("Prune into the keyed records: %d %v", n, err)
	}
	if c, err := VerifyDB(db, testRoot); err != nil || c.Records != 3 || c.PrunedThrough != 8 {
		t.Fatalf("after pruning keyed records: %+v %v", c, err)
	}
	tr.Close()
}

// legacyKeyed is a trail with 5 unkeyed records followed by 5 keyed ones.
func legacyKeyed(t *testing.T) *bolt.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "meta.db")
	tr, db := openTrailWith(t, path, nil)
	handleN(t, tr, 0, 5)
	tr.Close()
	db.Close()
	tr, db = openTestTrail(t, path)
	handleN(t, tr, 5, 5)
	tr.Close()
	t.Cleanup(func() { db.Close() })
	if c, err := VerifyDB(db, testRoot); err != nil || c.Records != 10 || c.Legacy != 5 || c.KeyedFrom != 6 {
		t.Fatalf("setup: %+v %v", c, err)
	}
	return db
}

// Downgrades: keyed records passed off as unkeyed ones, the chain key removed, or the
// unkeyed records before the key rewritten with their hashes recomputed.
func TestKeyedDowngradeDetected(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		tamper     func(tx kv.Tx)
	}{
		{"one keyed record stripped to the unkeyed form", "record 7 altered", func(tx kv.Tx) {
			rechainPlain(tx, 7, nil)
		}},
		{"every keyed record stripped", "record 6 altered", func(tx kv.Tx) {
			rechainPlain(tx, 6, renameUser(8))
		}},
		{"chain key removed and every record stripped", "the chain key is missing", func(tx kv.Tx) {
			tx.Bucket(bucketHead).Delete(keyChainKey)
			rechainPlain(tx, 6, renameUser(8))
		}},
		{"chain key removed", "record 6 altered", func(tx kv.Tx) {
			hb := tx.Bucket(bucketHead)
			hb.Delete(keyChainKey)
			hb.Delete(keyHeadMAC)
		}},
		{"unkeyed records rewritten", "the unkeyed records up to 5 were rewritten", func(tx kv.Tx) {
			ev := tx.Bucket(bucketEvents)
			keyed := map[uint64][]byte{}
			for s := uint64(6); s <= 10; s++ {
				keyed[s] = append([]byte(nil), ev.Get(seqKey(s))...)
			}
			rechainPlain(tx, 2, renameUser(2))
			for s, v := range keyed {
				ev.Put(seqKey(s), v)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := legacyKeyed(t)
			tamper(t, db, tc.tamper)
			wantBroken(t, db, testRoot, tc.want)
		})
	}
	// The anchor also holds before any keyed record was written.
	path := filepath.Join(t.TempDir(), "meta.db")
	tr, db := openTrailWith(t, path, nil)
	handleN(t, tr, 0, 5)
	tr.Close()
	db.Close()
	tr, db = openTestTrail(t, path)
	tr.Close()
	defer db.Close()
	tamper(t, db, func(tx kv.Tx) { rechainPlain(tx, 3, renameUser(3)) })
	wantBroken(t, db, testRoot, "the unkeyed records up to 5 were rewritten")
}

// The head carries a MAC: the newest records deleted and the head moved back over them is
// detected, and the trail refuses to append after such a head (it would hide the cut).
func TestKeyedHeadTruncation(t *testing.T) {
	tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
	defer db.Close()
	handleN(t, tr, 0, 10)
	tamper(t, db, func(tx kv.Tx) {
		ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
		l8 := append([]byte(nil), ev.Get(seqKey(8))[:linkSize]...)
		ev.Delete(seqKey(9))
		ev.Delete(seqKey(10))
		hb.Put(keyHead, append(seqKey(8), l8...))
	})
	wantBroken(t, db, testRoot, "the head (record 8)")
	if err := tr.Handle(context.Background(), rec("After", "u", true, false)); !errors.Is(err, ErrChainBroken) {
		t.Fatalf("a durable record after a moved head: %v", err)
	}
	tamper(t, db, func(tx kv.Tx) { tx.Bucket(bucketHead).Delete(keyHead) })
	if err := tr.Handle(context.Background(), rec("After", "u", true, false)); !errors.Is(err, ErrChainBroken) {
		t.Fatalf("a durable record without a head over stored records: %v", err)
	}
	tr.Close()
}

// The chain key opens only with the root key that sealed it, and survives a re-seal
// under a new root key (arca admin rotate-root-key).
func TestChainKeyRootKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	tr, db := openTestTrail(t, path)
	handleN(t, tr, 0, 3)
	tr.Close()
	other, _ := rootkey.Parse(rootkey.Generate())
	if _, err := VerifyDB(db, other); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("VerifyDB with another root key: %v", err)
	}
	var n int
	if err := db.Update(func(tx kv.Tx) error {
		var err error
		if _, err = ResealTx(tx, other, testRoot); !errors.Is(err, ErrWrongRootKey) {
			t.Errorf("ResealTx with the wrong old key: %v", err)
		}
		n, err = ResealTx(tx, testRoot, other)
		return err
	}); err != nil || n != 1 {
		t.Fatalf("ResealTx: %d %v", n, err)
	}
	if _, err := VerifyDB(db, testRoot); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("VerifyDB with the old root key after the re-seal: %v", err)
	}
	if c, err := VerifyDB(db, other); err != nil || c.Records != 3 || c.Legacy != 0 {
		t.Fatalf("VerifyDB with the new root key: %+v %v", c, err)
	}
	db.Close()
	db2, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	for _, root := range []*rootkey.Key{testRoot, nil} {
		if _, err := OpenTrail(Config{DB: db2, Root: root}); err == nil {
			t.Fatalf("OpenTrail with root %v over a chain sealed under another key succeeded", root)
		}
	}
	tr, err = OpenTrail(Config{DB: db2, Root: other})
	if err != nil {
		t.Fatal(err)
	}
	handleN(t, tr, 3, 2)
	tr.Close()
	if c, err := VerifyDB(db2, other); err != nil || c.Records != 5 {
		t.Fatalf("after appending under the new root key: %+v %v", c, err)
	}
	tamper(t, db2, func(tx kv.Tx) {
		hb := tx.Bucket(bucketHead)
		v := append([]byte(nil), hb.Get(keyChainKey)...)
		v[len(v)/2] ^= 1
		hb.Put(keyChainKey, v)
	})
	if _, err := VerifyDB(db2, other); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("VerifyDB of an altered sealed key: %v", err)
	}
}

// The MAC inputs are length-prefixed: the same bytes split differently between the
// previous link and the JSON, or a purpose's MAC offered for another, do not match.
func TestChainKeyInputsCanonical(t *testing.T) {
	l := newLinker(&chainKey{key: bytes.Repeat([]byte{7}, 32), from: 1, anchor: make([]byte, linkSize)})
	prev := bytes.Repeat([]byte{1}, linkSize)
	a := l.link(nil, prev, 5, []byte(`{"a":1}`))
	if b := l.link(nil, prev[:linkSize-1], 5, append([]byte{1}, `{"a":1}`...)); bytes.Equal(a, b) {
		t.Fatal("moving a byte from the link to the JSON keeps the MAC")
	}
	if b := l.link(nil, prev, 6, []byte(`{"a":1}`)); bytes.Equal(a, b) {
		t.Fatal("the seq is not in the MAC")
	}
	if bytes.Equal(l.tag(lpHead, 5, prev), l.tag(lpCheckpoint, 5, prev)) {
		t.Fatal("a head MAC verifies as a checkpoint MAC")
	}
	if plain := plainLink(prev, 5, []byte(`{"a":1}`)); bytes.Equal(a, plain) || !bytes.Equal(newLinker(nil).link(nil, prev, 5, []byte(`{"a":1}`)), plain) {
		t.Fatal("keyed and unkeyed links")
	}
}
