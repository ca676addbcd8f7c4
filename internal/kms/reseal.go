package kms

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/rootkey"
)

// ResealAll re-seals every key material version in the keystore of db from the old root
// key to the new one, and records the new key's check value, in one transaction:
// after a crash either everything is sealed under the old key or everything under the new.
// The server must not be running (the store's lock enforces it). It returns how many
// material versions were re-sealed, and ErrWrongRootKey if old is not the sealing key.
func ResealAll(db kv.DB, old, new *rootkey.Key) (int, error) {
	n := 0
	err := db.Update(func(tx kv.Tx) error {
		var err error
		n, err = ResealTx(tx, old, new)
		return err
	})
	return n, err
}

// ResealTx is ResealAll inside the caller's transaction, so that other sealed data (the
// SSE-S3 keyring) changes root key in the same commit. It walks the material rows
// themselves, not the key records: a key whose record is damaged keeps its material under
// the root key in force, so restoring the record from a backup brings the key back. The
// rows of a key being destroyed (overwritten with zeros) are left as they are.
func ResealTx(tx kv.Tx, old, new *rootkey.Key) (int, error) {
	nss := namespacesTx(tx)
	if len(nss) == 0 {
		return 0, fmt.Errorf("kms: this data directory has no keystore yet")
	}
	n := 0
	for _, ns := range nss {
		m, err := resealNamespace(tx, bucketsFor(ns), old, new)
		if err != nil {
			if ns != "" {
				err = fmt.Errorf("kms: the keystore of account %s: %w", ns, err)
			}
			return 0, err
		}
		n += m
	}
	return n, nil
}

// resealNamespace is ResealTx for one account's keystore (every account's is sealed under
// the same root key, so all change in the one transaction).
func resealNamespace(tx kv.Tx, bk buckets, old, new *rootkey.Key) (int, error) {
	n := 0
	err := func() error {
		meta, mat := tx.Bucket(bk.meta), tx.Bucket(bk.material)
		if meta == nil || tx.Bucket(bk.keys) == nil || mat == nil {
			return fmt.Errorf("kms: this data directory has no keystore yet")
		}
		if string(meta.Get(keyRootChk)) != old.Check() {
			return ErrWrongRootKey
		}
		type row struct {
			k, v []byte
		}
		var rows []row
		err := mat.ForEach(func(k, v []byte) error {
			id, ver, ok := parseMaterialKey(k)
			if !ok || len(v) == 0 || !slices.ContainsFunc(v, func(b byte) bool { return b != 0 }) {
				return nil // not a material row, or one a destruction overwrote
			}
			name := materialAAD(id, ver)
			raw, err := old.Open(name, v)
			if err != nil {
				return fmt.Errorf("kms: key %s material version %d: %w", id, ver, err)
			}
			rows = append(rows, row{bytes.Clone(k), new.Seal(name, raw)})
			clear(raw)
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

// parseMaterialKey splits a material row's key (materialKey) into key id and version.
func parseMaterialKey(k []byte) (string, uint32, bool) {
	if len(k) < 6 || k[len(k)-5] != '/' {
		return "", 0, false
	}
	return string(k[:len(k)-5]), binary.BigEndian.Uint32(k[len(k)-4:]), true
}
