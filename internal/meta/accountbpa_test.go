package meta

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/arcastore/arca/internal/kv"
)

// Account-level Block Public Access records: none until set, kept per account across a
// reopen, removed by a nil put, and authenticated like every record (a record moved to
// another account's key is damaged, not read as that account's).
func TestAccountPublicAccessBlock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := openAt(t, path, testRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.AccountPublicAccessBlock(ctx, "111122223333"); p != nil || err != nil {
		t.Fatalf("before any: %+v %v", p, err)
	}
	want := PublicAccessBlock{BlockPublicPolicy: true, RestrictPublicBuckets: true}
	if err := s.PutAccountPublicAccessBlock(ctx, "111122223333", &want); err != nil {
		t.Fatal(err)
	}
	if err := s.PutAccountPublicAccessBlock(ctx, "444455556666", &PublicAccessBlock{IgnorePublicAcls: true}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = openAt(t, path, testRoot(t)); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if p, err := s.AccountPublicAccessBlock(ctx, "111122223333"); err != nil || p == nil || *p != want {
		t.Fatalf("after reopen: %+v %v", p, err)
	}
	// Move one account's record under the other's key: authentication fails.
	err = s.kv.Update(func(tx kv.Tx) error {
		b := tx.Bucket(bktAccountPAB)
		return b.Put([]byte("444455556666"), append([]byte(nil), b.Get([]byte("111122223333"))...))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AccountPublicAccessBlock(ctx, "444455556666"); !errors.Is(err, ErrDamagedRecord) {
		t.Errorf("a moved record: %v, want ErrDamagedRecord", err)
	}
	// arca admin check reads them through WalkRecords.
	walked := map[string]error{}
	if err := s.WalkRecords(ctx, func(r WalkedRecord) {
		if r.Kind == "account-pab" {
			walked[r.Account] = r.Err
		}
	}); err != nil {
		t.Fatal(err)
	}
	if e, ok := walked["111122223333"]; !ok || e != nil || !errors.Is(walked["444455556666"], ErrDamagedRecord) {
		t.Errorf("WalkRecords: %v", walked)
	}
	if err := s.PutAccountPublicAccessBlock(ctx, "111122223333", nil); err != nil {
		t.Fatal(err)
	}
	if p, err := s.AccountPublicAccessBlock(ctx, "111122223333"); p != nil || err != nil {
		t.Errorf("after delete: %+v %v", p, err)
	}
}
