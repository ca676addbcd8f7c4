package audit

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/storage/bolt"
)

// BenchmarkChainLink is the chain's cost per record alone: one keyed link over an S3
// GetObject record's JSON (about 1.3 KB).
func BenchmarkChainLink(b *testing.B) {
	js := s3GetObjectRecord().AppendJSON(nil)
	l := newLinker(&chainKey{key: make([]byte, 32), from: 1, anchor: make([]byte, linkSize)})
	prev, next := make([]byte, linkSize), make([]byte, 0, linkSize)
	b.SetBytes(int64(len(js)))
	b.ReportAllocs()
	seq := uint64(0)
	for b.Loop() {
		seq++
		next = l.link(next[:0], prev, seq, js)
		prev, next = next, prev
	}
}

// BenchmarkFlush is the trail's cost per record on the write path: Handle, then a Flush
// of 256 records (encode, chain, put, commit; the file is not fsync'd, so the disk does
// not drown the rest).
func BenchmarkFlush(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tr, err := OpenTrail(Config{DB: db, AccountID: "123456789012", Root: testRoot})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	r := s3GetObjectRecord()
	ctx := context.Background()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		c := *r
		tr.Handle(ctx, &c)
		if n++; n%256 == 0 {
			if err := tr.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
