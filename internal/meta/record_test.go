package meta

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

func testMAC() *recauth.Key { return recauth.New(bytes.Repeat([]byte{9}, 32)) }

// FuzzRecordOpen: no value opens unless it is exactly the seal of its body at the place it
// is opened for, and opening never panics.
func FuzzRecordOpen(f *testing.F) {
	m := testMAC()
	f.Add([]byte(`{"key":"k"}`), "b", "k")
	f.Add(m.Seal(kindObject, objectLoc("b", "k"), []byte(`{"key":"k"}`)), "b", "k")
	f.Add([]byte{0x02}, "", "")
	s := &KVStore{mac: m}
	f.Fuzz(func(t *testing.T, v []byte, bucket, key string) {
		// An authentic envelope around any body decodes or is damaged, never panics.
		var o Object
		if err := s.getRec(kindObject, objectLoc(bucket, key), m.Seal(kindObject, objectLoc(bucket, key), v), &o); err != nil && !errors.Is(err, ErrDamagedRecord) {
			t.Fatalf("decode: %v", err)
		}
		body, err := m.Open(kindObject, objectLoc(bucket, key), v)
		if err != nil {
			if !errors.Is(err, ErrDamagedRecord) {
				t.Fatalf("open: %v", err)
			}
			return
		}
		if !bytes.Equal(m.Seal(kindObject, objectLoc(bucket, key), body), v) {
			t.Fatalf("opened a value that is not the seal of its body")
		}
	})
}

// FuzzRecordLocations: the tag's input is length-prefixed, so a record sealed for one
// (kind, location) never opens at another, however the strings are cut.
func FuzzRecordLocations(f *testing.F) {
	m := testMAC()
	f.Add("object", "ab", "c", "object", "a", "bc", []byte("{}"))
	f.Add("upload", "b", "k\x00x", "upload", "b\x00k", "x", []byte("{}"))
	f.Fuzz(func(t *testing.T, k1, a1, b1, k2, a2, b2 string, body []byte) {
		v := m.Seal(k1, []string{a1, b1}, body)
		_, err := m.Open(k2, []string{a2, b2}, v)
		same := k1 == k2 && a1 == a2 && b1 == b2
		if same != (err == nil) {
			t.Fatalf("sealed at %q %q %q, opened at %q %q %q: err %v", k1, a1, b1, k2, a2, b2, err)
		}
	})
}

// TestRecordEditsDetected edits a stored object record in place (every byte of the value,
// flipped alone) and checks that the store never returns it, that the rest of the store
// still works, and that a moved record fails too.
func TestRecordEditsDetected(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := openAt(t, path, testRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.CreateBucket(ctx, Bucket{Name: "b"})
	o := Object{Key: "k", Size: 3, ETag: "e", ContentType: "text/plain", UserMeta: map[string]string{"a": "b"},
		Pieces: []Piece{{BlobID: "x", Size: 1, SealedKey: []byte{1}}, {BlobID: "y", Size: 2, Upload: uid(1), Part: 2}}}
	s.PutObject(ctx, "b", o, nil)
	s.PutObject(ctx, "b", Object{Key: "other"}, nil)
	var orig []byte
	s.db.View(func(tx kv.Tx) error {
		orig = bytes.Clone(tx.Bucket(bktObjects).Bucket([]byte("b")).Get([]byte("k")))
		return nil
	})
	set := func(k string, v []byte) {
		err := s.db.Update(func(tx kv.Tx) error { return tx.Bucket(bktObjects).Bucket([]byte("b")).Put([]byte(k), v) })
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range orig {
		v := bytes.Clone(orig)
		v[i] ^= 0x01
		set("k", v)
		if got, err := s.GetObject(ctx, "b", "k"); !errors.Is(err, ErrDamagedRecord) {
			t.Fatalf("byte %d flipped: GetObject = %+v, %v", i, got, err)
		}
	}
	set("k", orig[:len(orig)-1])
	if _, err := s.GetObject(ctx, "b", "k"); !errors.Is(err, ErrDamagedRecord) {
		t.Fatalf("truncated: %v", err)
	}
	set("other", orig) // authentic bytes at the wrong key
	if _, err := s.GetObject(ctx, "b", "other"); !errors.Is(err, ErrDamagedRecord) {
		t.Fatalf("moved: %v", err)
	}
	res, err := s.ListObjects(ctx, "b", ListOptions{MaxKeys: 10})
	if err != nil || len(res.Objects) != 0 {
		t.Fatalf("listing with damaged records: %+v %v", res, err)
	}
	n, err := s.WalkBlobIDs(ctx, func(string) {})
	if err != nil || n != 2 {
		t.Fatalf("WalkBlobIDs: %d damaged, %v", n, err)
	}
	set("k", orig)
	if got, err := s.GetObject(ctx, "b", "k"); err != nil || !slices.Equal(got.BlobIDs(), []string{"x", "y"}) {
		t.Fatalf("restored: %+v %v", got, err)
	}
	if res, err := s.DeleteObject(ctx, "b", "other", DeleteOptions{}); err != nil || res.Removed != nil {
		t.Fatalf("deleting a damaged record: %v %v", res, err)
	}
	s.Close()

	// The record key is sealed under the root key: another root key does not open the file,
	// and a re-seal carries it over.
	other, _ := rootkey.New(bytes.Repeat([]byte{8}, rootkey.Size))
	if _, err := openAt(t, path, other); err == nil {
		t.Fatal("opened with another root key")
	}
	db, _ := bolt.Open(path, bolt.Options{})
	if err := db.Update(func(tx kv.Tx) error { return ResealRecordKeyTx(tx, testRoot(t), other) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = openAt(t, path, other)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetObject(ctx, "b", "k"); err != nil {
		t.Fatalf("after re-seal: %v", err)
	}
}

// TestUpgradeFormat1 authenticates bare-JSON records once, leaves undecodable ones damaged.
func TestUpgradeFormat1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx kv.Tx) error {
		bb, _ := tx.CreateBucket(bktBuckets)
		bb.Put([]byte("b"), []byte(`{"name":"b"}`))
		ob, _ := tx.CreateBucket(bktObjects)
		obb, _ := ob.CreateBucket([]byte("b"))
		obb.Put([]byte("k"), []byte(`{"key":"k","size":1}`))
		obb.Put([]byte("bad"), []byte(`{"key":`))
		obb.Put([]byte("elsewhere"), []byte(`{"key":"k"}`))
		ub, _ := tx.CreateBucket(bktUploads)
		ub.CreateBucket([]byte("b"))
		return nil
	})
	db.Close()
	s, err := openAt(t, path, testRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Upgraded() != 2 {
		t.Fatalf("upgraded %d records, want 2 (the bucket and k)", s.Upgraded())
	}
	ctx := context.Background()
	if o, err := s.GetObject(ctx, "b", "k"); err != nil || o.Size != 1 {
		t.Fatalf("upgraded record: %+v %v", o, err)
	}
	for _, k := range []string{"bad", "elsewhere"} {
		if _, err := s.GetObject(ctx, "b", k); !errors.Is(err, ErrDamagedRecord) {
			t.Fatalf("%s: %v", k, err)
		}
	}
}
