package kms

import (
	"encoding/json"
	"errors"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// Record authentication (docs/FORMAT.md, "Metadata records"): every JSON record the
// keystore keeps in the shared file is a recauth envelope under the file's record key
// (meta.KVStore.RecordKey, passed in as Config.RecordKey), its tag bound to its kind and
// to its key in its bucket. Key material is not a record: it is sealed under the root key,
// bound to key id and version (materialAAD). A record that fails authentication or does
// not decode as what its place says is damaged and costs that key, alias or marker only.

// Record kinds bound into each record's tag; the location is the record's key in its
// bucket (key id, alias name, marker id).
const (
	KindKey      = "kms-key"      // kms-keys/<key id>: the key's metadata, policy, grants and state
	KindAlias    = "kms-alias"    // kms-aliases/<alias name>
	KindRecovery = "kms-recovery" // kms-recoveries/<marker id>
)

var (
	// ErrDamagedRecord is a stored record that fails authentication or does not decode as
	// what its place says: edited outside Arca, or a disk fault.
	ErrDamagedRecord = recauth.ErrDamaged
	// ErrDamagedMaterial is a key whose record is sound but one of whose material versions
	// is missing or does not open with the root key.
	ErrDamagedMaterial = errors.New("kms: key material is missing or does not open")
)

// sealRecord returns the stored form of v, the record of kind at name: an envelope under
// rk, or bare JSON when rk is nil (an offline change to a file that no server of format 2
// has opened; its first start authenticates it).
func sealRecord(rk *recauth.Key, ns, kind, name string, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || rk == nil {
		return data, err
	}
	return rk.Seal(kind, location(ns, name), data), nil
}

func putRecord(b kv.Bucket, rk *recauth.Key, ns, kind, name string, v any) error {
	data, err := sealRecord(rk, ns, kind, name, v)
	if err != nil {
		return err
	}
	return b.Put([]byte(name), data)
}

// location is a record's location bound into its tag: its name, after the account id for a
// keystore of an account other than the primary, so that a record copied from one
// account's keystore into another's fails authentication.
func location(ns, name string) []string {
	if ns == "" {
		return []string{name}
	}
	return []string{ns, name}
}

// openRecord authenticates raw as the record of kind at name and decodes it into v; with
// rk nil it reads bare JSON (format 1). Any failure is ErrDamagedRecord, without detail.
func openRecord(rk *recauth.Key, ns, kind, name string, raw []byte, v any) error {
	body := raw
	if rk != nil {
		var err error
		if body, err = rk.Open(kind, location(ns, name), raw); err != nil {
			return ErrDamagedRecord
		}
	} else if !recauth.IsLegacy(raw) {
		return ErrDamagedRecord
	}
	if json.Unmarshal(body, v) != nil {
		return ErrDamagedRecord
	}
	return nil
}

// openKey reads the key record stored under id: authentic, naming id, with versions 1..n.
func openKey(rk *recauth.Key, ns, id string, raw []byte) (*keyRecord, error) {
	rec := &keyRecord{}
	if err := openRecord(rk, ns, KindKey, id, raw, rec); err != nil {
		return nil, err
	}
	if rec.ID != id || len(rec.Versions) == 0 {
		return nil, ErrDamagedRecord
	}
	for i, v := range rec.Versions {
		if v.N != uint32(i+1) {
			return nil, ErrDamagedRecord
		}
	}
	return rec, nil
}

// openAlias reads the alias record stored under name.
func openAlias(rk *recauth.Key, ns, name string, raw []byte) (*aliasRecord, error) {
	a := &aliasRecord{}
	if err := openRecord(rk, ns, KindAlias, name, raw, a); err != nil {
		return nil, err
	}
	if a.Name != name || a.KeyID == "" {
		return nil, ErrDamagedRecord
	}
	return a, nil
}

// openRecovery reads the recovery marker stored under id.
func openRecovery(rk *recauth.Key, ns, id string, raw []byte) (*Recovery, error) {
	r := &Recovery{}
	if err := openRecord(rk, ns, KindRecovery, id, raw, r); err != nil {
		return nil, err
	}
	if r.ID != id || r.KeyID == "" {
		return nil, ErrDamagedRecord
	}
	return r, nil
}

// unsealMaterial opens every material version of rec (a key not being destroyed).
func unsealMaterial(mb kv.Bucket, root *rootkey.Key, rec *keyRecord) ([]*material, error) {
	mat := make([]*material, 0, len(rec.Versions))
	for _, ver := range rec.Versions {
		sealed := mb.Get(materialKey(rec.ID, ver.N))
		if sealed == nil {
			return nil, ErrDamagedMaterial
		}
		raw, err := root.Open(materialAAD(rec.ID, ver.N), sealed)
		if err != nil {
			return nil, ErrDamagedMaterial
		}
		m, err := newMaterial(rec.ID, ver.N, raw)
		if err != nil {
			clear(raw)
			return nil, ErrDamagedMaterial
		}
		mat = append(mat, m)
	}
	return mat, nil
}

// recordTable is a bucket of records, with how each record is read.
type recordTable struct {
	bucket []byte
	kind   string
	check  func(rk *recauth.Key, name string, raw []byte) error
}

// recordTables are the buckets of records of one account's keystore.
func recordTables(bk buckets) []recordTable {
	return []recordTable{
		{bk.keys, KindKey, func(rk *recauth.Key, n string, raw []byte) error { _, err := openKey(rk, bk.ns, n, raw); return err }},
		{bk.aliases, KindAlias, func(rk *recauth.Key, n string, raw []byte) error { _, err := openAlias(rk, bk.ns, n, raw); return err }},
		{bk.recover, KindRecovery, func(rk *recauth.Key, n string, raw []byte) error {
			_, err := openRecovery(rk, bk.ns, n, raw)
			return err
		}},
	}
}

// allRecordTables are the record buckets of every account's keystore in tx.
func allRecordTables(tx kv.Tx) []recordTable {
	var out []recordTable
	for _, ns := range namespacesTx(tx) {
		out = append(out, recordTables(bucketsFor(ns))...)
	}
	if len(out) == 0 {
		out = recordTables(bucketsFor(""))
	}
	return out
}

// UpgradeRecordsTx authenticates with k every format-1 KMS record in tx (bare JSON that
// decodes as what its place says) and returns how many it authenticated; a value that does
// not decode is left as it is, so it stays damaged rather than becoming authentic. It is a
// meta.Upgrader: meta.Open runs it in the transaction that creates the record key, so
// once per data directory.
func UpgradeRecordsTx(tx kv.Tx, k *recauth.Key) (int, error) {
	n := 0
	for _, t := range allRecordTables(tx) {
		b := tx.Bucket(t.bucket)
		if b == nil {
			continue
		}
		m, err := recauth.SealLegacy(b, k, t.kind, func(name, v []byte) bool { return t.check(nil, string(name), v) == nil })
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

// WalkedRecord is one KMS record met by WalkRecordsTx.
type WalkedRecord struct {
	// Account is the account whose keystore holds it ("" for the primary account's).
	Account string
	Kind    string // KindKey, KindAlias or KindRecovery
	Name    string // the key id, alias name or marker id it is stored under
	// Err is ErrDamagedRecord when the record fails authentication or does not decode as
	// what its place says, ErrDamagedMaterial when a key's record is sound but a version of
	// its material is missing or does not open with the root key; nil otherwise.
	Err error
}

// WalkRecordsTx calls fn for every KMS record in tx, damaged or not, authenticating each
// with rk and, when root is not nil, unsealing (and forgetting) the material of every key
// that is not being destroyed. It writes nothing; it is what `arca admin check` reads.
func WalkRecordsTx(tx kv.Tx, rk *recauth.Key, root *rootkey.Key, fn func(WalkedRecord)) error {
	for _, ns := range namespacesTx(tx) {
		if err := walkNamespace(tx, bucketsFor(ns), rk, root, fn); err != nil {
			return err
		}
	}
	return nil
}

func walkNamespace(tx kv.Tx, bk buckets, rk *recauth.Key, root *rootkey.Key, fn func(WalkedRecord)) error {
	mb := tx.Bucket(bk.material)
	for _, t := range recordTables(bk) {
		b := tx.Bucket(t.bucket)
		if b == nil {
			continue
		}
		err := b.ForEach(func(name, v []byte) error {
			r := WalkedRecord{Account: bk.ns, Kind: t.kind, Name: string(name)}
			if t.kind != KindKey {
				r.Err = t.check(rk, r.Name, v)
				fn(r)
				return nil
			}
			rec, err := openKey(rk, bk.ns, r.Name, v)
			if err == nil && root != nil && !rec.Destroying {
				if mb == nil {
					err = ErrDamagedMaterial
				} else {
					var mat []*material
					if mat, err = unsealMaterial(mb, root, rec); err == nil {
						for _, m := range mat {
							clear(m.raw)
						}
					}
				}
			}
			r.Err = err
			fn(r)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
