package kms

import (
	"encoding/json"
	"fmt"

	"github.com/arcastore/arca/internal/rootkey"
	bolt "go.etcd.io/bbolt"
)

// ResealAll re-seals every key material version in the keystore of db from the old root
// key to the new one, and records the new key's check value, in one bbolt transaction:
// after a crash either everything is sealed under the old key or everything under the new.
// The server must not be running (bbolt's file lock enforces it). It returns how many
// material versions were re-sealed, and ErrWrongRootKey if old is not the sealing key.
func ResealAll(db *bolt.DB, old, new *rootkey.Key) (int, error) {
	n := 0
	err := db.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = ResealTx(tx, old, new)
		return err
	})
	return n, err
}

// ResealTx is ResealAll inside the caller's transaction, so that other sealed data (the
// SSE-S3 keyring) changes root key in the same commit.
func ResealTx(tx *bolt.Tx, old, new *rootkey.Key) (int, error) {
	n := 0
	err := func() error {
		meta, keys, mat := tx.Bucket(bktMeta), tx.Bucket(bktKeys), tx.Bucket(bktMaterial)
		if meta == nil || keys == nil || mat == nil {
			return fmt.Errorf("kms: this data directory has no keystore yet")
		}
		if string(meta.Get(keyRootChk)) != old.Check() {
			return ErrWrongRootKey
		}
		type row struct {
			k, v []byte
		}
		var rows []row
		err := keys.ForEach(func(k, v []byte) error {
			var rec keyRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("kms: damaged key record %q", k)
			}
			if rec.Destroying {
				return nil // rows already overwritten; removal finishes at the next start
			}
			for _, ver := range rec.Versions {
				mk := materialKey(rec.ID, ver.N)
				name := materialAAD(rec.ID, ver.N)
				raw, err := old.Open(name, mat.Get(mk))
				if err != nil {
					return fmt.Errorf("kms: key %s material version %d: %w", rec.ID, ver.N, err)
				}
				rows = append(rows, row{mk, new.Seal(name, raw)})
				clear(raw)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := mat.Put(r.k, r.v); err != nil {
				return err
			}
		}
		n = len(rows)
		return meta.Put(keyRootChk, []byte(new.Check()))
	}()
	return n, err
}
