package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// Layout in the shared kv store (docs/KMS.md, "What is stored"); every JSON record is a
// recauth envelope of its kind bound to its key in its bucket (stored.go):
//
//	kms-keys/<key id>                       -> keyRecord (JSON; no secrets), kind "kms-key"
//	kms-material/<key id>/<version u32 BE>  -> root-key-sealed material (rootkey format)
//	kms-aliases/<alias name>                -> aliasRecord (JSON), kind "kms-alias"
//	kms-recoveries/<marker id>              -> Recovery (JSON), kind "kms-recovery"
//	kms-meta/root-check                     -> rootkey.Key.Check of the sealing root key
//
// That is the primary account's keystore (the names every data directory had before
// accounts). Every other account's keystore is the same set of buckets, each named
// "<name>/<account id>" (kms-keys/111122223333 …): bucketsFor.
var (
	bktKeys     = []byte("kms-keys")
	bktMaterial = []byte("kms-material")
	bktAliases  = []byte("kms-aliases")
	bktMeta     = []byte("kms-meta")
	keyRootChk  = []byte("root-check")
)

// buckets are the kv bucket names of one account's keystore.
type buckets struct {
	ns                                     string // "" for the primary account, else the account id
	keys, material, aliases, meta, recover []byte
}

// bucketsFor returns the bucket names of the keystore of namespace ns: "" is the primary
// account's (today's names), an account id another account's ("kms-keys/<id>" …).
func bucketsFor(ns string) buckets {
	name := func(b []byte) []byte {
		if ns == "" {
			return b
		}
		return []byte(string(b) + "/" + ns)
	}
	return buckets{ns: ns, keys: name(bktKeys), material: name(bktMaterial), aliases: name(bktAliases),
		meta: name(bktMeta), recover: name(bktRecoveries)}
}

// namespacesTx returns the namespaces whose keystore exists in tx (its keys bucket): ""
// first when the primary account has one, then every other account's, in name order.
func namespacesTx(tx kv.Tx) []string {
	var out []string
	if tx.Bucket(bktKeys) != nil {
		out = append(out, "")
	}
	prefix := string(bktKeys) + "/"
	tx.ForEach(func(name []byte, _ kv.Bucket) error {
		if n, ok := strings.CutPrefix(string(name), prefix); ok && n != "" {
			out = append(out, n)
		}
		return nil
	})
	return out
}

// keyRecord is what is stored per key. A published record is never mutated: changes
// work on a clone and replace it after the commit.
type keyRecord struct {
	ID              string          `json:"id"`
	Account         string          `json:"account"`
	Created         time.Time       `json:"created"`
	Description     string          `json:"description"`
	State           string          `json:"state"`
	Manager         string          `json:"manager"`
	DeletionDate    time.Time       `json:"deletion_date,omitzero"`
	PendingWindow   int             `json:"pending_window,omitempty"`
	Policy          string          `json:"policy"`
	Tags            []Tag           `json:"tags,omitempty"`
	RotationEnabled bool            `json:"rotation_enabled,omitempty"`
	RotationPeriod  int             `json:"rotation_period,omitempty"`
	NextRotation    time.Time       `json:"next_rotation,omitzero"`
	OnDemand        int             `json:"on_demand_rotations,omitempty"`
	Versions        []versionRecord `json:"versions"`
	Grants          []grantRecord   `json:"grants,omitempty"`
	// Destroying marks a key whose material rows were overwritten and whose removal
	// must be finished (by the next scheduler pass or the next start).
	Destroying bool `json:"destroying,omitempty"`
}

type versionRecord struct {
	N       uint32    `json:"n"`
	Created time.Time `json:"created"`
	Type    string    `json:"type,omitempty"` // "" original, AUTOMATIC, ON_DEMAND
}

type grantRecord struct {
	ID         string            `json:"id"`
	Token      string            `json:"token"`
	Name       string            `json:"name,omitempty"`
	Created    time.Time         `json:"created"`
	Grantee    string            `json:"grantee"`
	Retiring   string            `json:"retiring,omitempty"`
	Issuer     string            `json:"issuer"`
	Operations []string          `json:"operations"`
	Subset     map[string]string `json:"ec_subset,omitempty"`
	Equals     map[string]string `json:"ec_equals,omitempty"`
}

type aliasRecord struct {
	Name    string    `json:"name"`
	KeyID   string    `json:"key_id"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

func (r *keyRecord) clone() *keyRecord {
	c := *r
	c.Tags = slices.Clone(r.Tags)
	c.Versions = slices.Clone(r.Versions)
	c.Grants = slices.Clone(r.Grants)
	return &c
}

func (r *keyRecord) current() uint32 { return r.Versions[len(r.Versions)-1].N }

// key is the in-memory form of a key: its record and its unsealed material.
type key struct {
	rec *keyRecord
	arn string
	mat []*material // index = version-1; append-only, shared between snapshots
}

// material is one unsealed version. raw is zeroed when the key is destroyed.
type material struct {
	raw  []byte
	aead cipher.AEAD
	id   string // materialID, computed once
}

func newMaterial(keyID string, n uint32, raw []byte) (*material, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &material{raw: raw, aead: aead, id: materialID(keyID, n)}, nil
}

// materialAAD names a sealed material row; the sealed value opens only under this name.
func materialAAD(keyID string, n uint32) string {
	return fmt.Sprintf("arca/kms/key-material/%s/%d", keyID, n)
}

func materialKey(keyID string, n uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(keyID+"/"), n)
}

// materialID is the public name of a material version (ListKeyRotations' KeyMaterialId):
// derived from the key id and version only, never from the material.
func materialID(keyID string, n uint32) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "arca/kms/material-id/%s/%d", keyID, n))
	return hex.EncodeToString(sum[:])
}
