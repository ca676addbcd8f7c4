package recauth

import (
	"bytes"

	"github.com/arcastore/arca/internal/kv"
)

// SealLegacy authenticates, with k as records of kind, the format-1 values of b (bare JSON
// objects, each stored under its name) for which valid says the value decodes as what its
// place holds, and returns how many it sealed. A value that fails valid is left as it is:
// it stays damaged rather than becoming authentic. The location bound into each tag is the
// value's name in b. Call it in the transaction that creates the record key.
func SealLegacy(b kv.Bucket, k *Key, kind string, valid func(name, v []byte) bool) (int, error) {
	var puts [][2][]byte
	err := b.ForEach(func(name, v []byte) error {
		if v != nil && IsLegacy(v) && valid(name, v) {
			puts = append(puts, [2][]byte{bytes.Clone(name), k.Seal(kind, []string{string(name)}, v)})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, p := range puts {
		if err := b.Put(p[0], p[1]); err != nil {
			return 0, err
		}
	}
	return len(puts), nil
}
