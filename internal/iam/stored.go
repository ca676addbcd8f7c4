package iam

import (
	"encoding/json"
	"errors"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
)

// Record authentication (docs/FORMAT.md, "Metadata records"): every record the store keeps
// in the shared file is a recauth envelope under the file's record key
// (meta.KVStore.RecordKey, passed in as Config.RecordKey), its tag bound to its kind and
// to its key in its bucket. A record that fails authentication or does not decode as what
// its place says is damaged and costs that entity only.

// Record kinds bound into each record's tag; the location is the record's key in its
// bucket (the lowercase name, or the access key id).
const (
	KindUser      = "iam-user"       // iam/users/<lowercase name>
	KindGroup     = "iam-group"      // iam/groups/<lowercase name>
	KindPolicy    = "iam-policy"     // iam/policies/<lowercase name>
	KindAccessKey = "iam-access-key" // iam/keys/<access key id>
)

// recordKind is the kind of the records of each nested bucket.
var recordKind = map[string]string{kindUsers: KindUser, kindGroups: KindGroup, kindPolicies: KindPolicy, kindKeys: KindAccessKey}

// sealRec returns the stored form of rec, kept in bucket under name: an envelope under rk,
// or bare JSON when rk is nil (an offline change to a file that no server of format 2 has
// opened; its first start authenticates it).
func sealRec(rk *recauth.Key, ns, bucket, name string, rec any) ([]byte, error) {
	data, err := json.Marshal(rec)
	if err != nil || rk == nil {
		return data, err
	}
	return rk.Seal(recordKind[bucket], location(ns, name), data), nil
}

// location is a record's location bound into its tag: its name, after its namespace for a
// store of an account other than the primary.
func location(ns, name string) []string {
	if ns == "" {
		return []string{name}
	}
	return []string{ns, name}
}

// openRec authenticates raw as the record kept in bucket under name (rk nil: bare JSON,
// format 1) and decodes it: *userRec, *groupRec, *policyRec or *keyRec, naming name. Any
// failure is ErrDamagedRecord, without detail.
func openRec(rk *recauth.Key, ns, bucket, name string, raw []byte) (any, error) {
	body := raw
	if rk != nil {
		var err error
		if body, err = rk.Open(recordKind[bucket], location(ns, name), raw); err != nil {
			return nil, ErrDamagedRecord
		}
	} else if !recauth.IsLegacy(raw) {
		return nil, ErrDamagedRecord
	}
	var rec any
	ok := false
	switch bucket {
	case kindUsers:
		u := &userRec{}
		ok, rec = json.Unmarshal(body, u) == nil && u.Name != "" && key(u.Name) == name, u
	case kindGroups:
		g := &groupRec{}
		ok, rec = json.Unmarshal(body, g) == nil && g.Name != "" && key(g.Name) == name, g
	case kindPolicies:
		p := &policyRec{}
		ok, rec = json.Unmarshal(body, p) == nil && p.Name != "" && key(p.Name) == name, p
	case kindKeys:
		k := &keyRec{}
		ok, rec = json.Unmarshal(body, k) == nil && k.ID == name && k.User != "", k
	}
	if !ok {
		return nil, ErrDamagedRecord
	}
	return rec, nil
}

// UpgradeRecordsTx authenticates with k every format-1 IAM record in tx (bare JSON that
// decodes as what its place says) and returns how many it authenticated; a value that does
// not decode is left as it is, so it stays damaged rather than becoming authentic. It is a
// meta.Upgrader: meta.Open runs it in the transaction that creates the record key, so
// once per data directory.
func UpgradeRecordsTx(tx kv.Tx, k *recauth.Key) (int, error) {
	top := tx.Bucket(bktIAM)
	if top == nil {
		return 0, nil
	}
	n := 0
	for _, bucket := range kinds {
		b := top.Bucket([]byte(bucket))
		if b == nil {
			continue
		}
		m, err := recauth.SealLegacy(b, k, recordKind[bucket], func(name, v []byte) bool {
			_, err := openRec(nil, "", bucket, string(name), v)
			return err == nil
		})
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

// WalkedRecord is one IAM record met by WalkRecordsTx.
type WalkedRecord struct {
	Kind string // KindUser, KindGroup, KindPolicy or KindAccessKey
	Name string // the lowercase name or access key id it is stored under
	// Namespace is the account namespace of the store it belongs to ("" = the primary).
	Namespace string
	// Err is ErrDamagedRecord when the record fails authentication or does not decode as
	// what its place says; nil otherwise.
	Err error
}

// WalkRecordsTx calls fn for every IAM record in tx, damaged or not, authenticating each
// with rk. It writes nothing; it is what `arca admin check` reads.
func WalkRecordsTx(tx kv.Tx, rk *recauth.Key, fn func(WalkedRecord)) error {
	for _, ns := range namespacesTx(tx) {
		top := topBucket(tx, ns)
		for _, bucket := range kinds {
			b := top.Bucket([]byte(bucket))
			if b == nil {
				continue
			}
			err := b.ForEach(func(name, v []byte) error {
				_, err := openRec(rk, ns, bucket, string(name), v)
				fn(WalkedRecord{Kind: recordKind[bucket], Name: string(name), Namespace: ns, Err: err})
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// isDamaged reports whether err is a damaged record.
func isDamaged(err error) bool { return errors.Is(err, ErrDamagedRecord) }
