package audit

import (
	"context"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/arcastore/arca/internal/gcommit"
)

// BenchmarkChainLink is the chain's cost per record alone: one link over an S3 GetObject
// record's JSON (about 1.2 KB).
func BenchmarkChainLink(b *testing.B) {
	js := s3GetObjectRecord().AppendJSON(nil)
	prev := make([]byte, 32)
	b.SetBytes(int64(len(js)))
	b.ReportAllocs()
	seq := uint64(0)
	for b.Loop() {
		seq++
		prev = chainHash(prev, seq, js)
	}
}

// BenchmarkFlush is the trail's cost per record on the write path: Handle, then a Flush
// of 256 records (encode, chain, put, commit; the file is not fsync'd, so the disk does
// not drown the rest).
func BenchmarkFlush(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "meta.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tr, err := OpenTrail(Config{DB: gcommit.New(db), AccountID: "123456789012"})
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
