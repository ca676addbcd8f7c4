package meta

import (
	"context"

	"github.com/arcastore/arca/internal/kv"
)

// Account-level S3 Block Public Access (docs/BPA.md): one record per account that set one,
// an authenticated envelope like every record here, in its own kv bucket (created on first
// write, so a data directory that never used it is unchanged):
//
//	account-pab/<account id> -> PublicAccessBlock (JSON)
var bktAccountPAB = []byte("account-pab")

const kindAccountPAB = "account-pab"

// AccountPublicAccessBlock returns the account's Block Public Access configuration, nil
// when the account has none (S3 Control's NoSuchPublicAccessBlockConfiguration).
func (s *KVStore) AccountPublicAccessBlock(ctx context.Context, accountID string) (*PublicAccessBlock, error) {
	var out *PublicAccessBlock
	err := s.view(ctx, func(tx kv.Tx) error {
		out = nil
		b := tx.Bucket(bktAccountPAB)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(accountID))
		if v == nil {
			return nil
		}
		var p PublicAccessBlock
		if err := s.getRec(kindAccountPAB, []string{accountID}, v, &p); err != nil {
			s.damaged(kindAccountPAB, accountID, "", err)
			return err
		}
		out = &p
		return nil
	})
	return out, err
}

// PutAccountPublicAccessBlock sets the account's configuration; nil deletes it.
func (s *KVStore) PutAccountPublicAccessBlock(ctx context.Context, accountID string, p *PublicAccessBlock) error {
	return s.update(ctx, func(tx kv.Tx) error {
		if p == nil {
			if b := tx.Bucket(bktAccountPAB); b != nil {
				return b.Delete([]byte(accountID))
			}
			return nil
		}
		b, err := tx.CreateBucketIfNotExists(bktAccountPAB)
		if err != nil {
			return err
		}
		return s.putRec(b, []byte(accountID), kindAccountPAB, []string{accountID}, p)
	})
}

// walkAccountPABs calls fn for every account-level record (WalkRecords).
func walkAccountPABs(tx kv.Tx, s *KVStore, fn func(WalkedRecord)) error {
	b := tx.Bucket(bktAccountPAB)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		r := WalkedRecord{Kind: kindAccountPAB, Account: string(k)}
		var p PublicAccessBlock
		r.Err = s.getRec(kindAccountPAB, []string{string(k)}, v, &p)
		fn(r)
		return nil
	})
}
