package kms

import (
	"fmt"

	"github.com/arcastore/arca/internal/kv"
)

// OpenReadOnly loads the keystore for reading only (offline tools decrypting SSE-KMS
// objects): it checks the root key and unseals every key's material like Open, but writes
// nothing — no buckets are created, no due rotation or deletion runs and no scheduler
// starts — so cfg.DB may be a read-only store. Administrative calls on the
// result fail. It returns ErrWrongRootKey if the keystore was sealed under another root
// key. A file without a keystore gives an empty one.
func OpenReadOnly(cfg Config) (*Service, error) {
	s := newService(cfg)
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	close(s.done)
	present := false
	err := cfg.DB.View(func(tx kv.Tx) error {
		for _, b := range [][]byte{s.bk.keys, s.bk.material, s.bk.aliases, s.bk.meta} {
			if tx.Bucket(b) == nil {
				return nil
			}
		}
		present = true
		if chk := tx.Bucket(s.bk.meta).Get(keyRootChk); chk != nil && string(chk) != s.root.Check() {
			return ErrWrongRootKey
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kms: opening the keystore: %w", err)
	}
	if !present {
		return s, nil
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}
