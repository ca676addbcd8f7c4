package kms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// Offline recovery of a key whose policy lets no one administer it (docs/KMS.md, "Key
// policy lockout"). ResetKeyPolicyTx, run by `arca admin kms reset-key-policy` on a
// stopped server's metadata file, replaces the policy and leaves a Recovery marker in the
// same transaction; the next server start records each marker in the audit trail
// (Recoveries) and only then removes it (ClearRecovery), so a reset is never unrecorded:
// a crash in between records it twice, under the same event id.

// bktRecoveries holds the markers: recovery id -> Recovery (JSON, kind "kms-recovery").
var bktRecoveries = []byte("kms-recoveries")

// Recovery is the marker of one offline key policy reset. It holds no secret: policies are
// recorded in the audit trail by PutKeyPolicy too.
type Recovery struct {
	// ID is a random UUID, the audit record's event id.
	ID      string    `json:"id"`
	KeyID   string    `json:"key_id"`
	Account string    `json:"account"`
	Time    time.Time `json:"time"`
	// Policy is the policy now attached; Default says it is AWS's default key policy.
	Policy  string `json:"policy"`
	Default bool   `json:"default,omitempty"`
	// PreviousPolicy is the policy it replaced (the one that locked the key).
	PreviousPolicy string `json:"previous_policy"`
	// OSUser and Host say who ran the tool where, as the operating system tells it.
	OSUser string `json:"os_user,omitempty"`
	Host   string `json:"host,omitempty"`
}

// ResetKeyPolicyInput is what ResetKeyPolicyTx changes.
type ResetKeyPolicyInput struct {
	// KeyRef names a customer managed key: key id, key ARN or alias name.
	KeyRef string
	// Policy is the new policy; "" gives the key AWS's default key policy, which lets the
	// account root (and, through IAM policies, the account's users) do everything.
	Policy string
	// Now is the time of the reset; OSUser and Host go into the marker.
	Now          time.Time
	OSUser, Host string
}

// ResetKeyPolicyTx replaces the policy of a customer managed key in tx, whatever the old
// policy says, and leaves the Recovery marker the next server start audits. It is for a
// stopped server (the store's lock enforces it) and for the holder of the root key: it
// returns ErrWrongRootKey unless root sealed this keystore. It returns ErrNotFound for an
// unknown or destroyed key, ErrUnsupported for an AWS managed key (its policy is fixed)
// and ValidatePolicy's errors for an invalid policy. The key's state does not matter; a
// key whose record is damaged cannot be reset (ErrDamagedRecord): its other fields are
// unknown. The records are authenticated with the file's record key, unsealed with root
// (bare JSON in a file no server of format 2 has opened yet).
func ResetKeyPolicyTx(tx kv.Tx, root *rootkey.Key, in ResetKeyPolicyInput) (Recovery, error) {
	bk := bucketsFor(refNamespace(tx, in.KeyRef))
	mb, keys := tx.Bucket(bk.meta), tx.Bucket(bk.keys)
	if mb == nil || keys == nil {
		return Recovery{}, fmt.Errorf("kms: this data directory has no keystore yet")
	}
	if string(mb.Get(keyRootChk)) != root.Check() {
		return Recovery{}, ErrWrongRootKey
	}
	rk, err := meta.RecordKeyTx(tx, root)
	if err != nil {
		return Recovery{}, err
	}
	id, err := offlineKeyID(tx, bk, rk, in.KeyRef)
	if err != nil {
		return Recovery{}, err
	}
	raw := keys.Get([]byte(id))
	if id == "" || raw == nil {
		return Recovery{}, errf(ErrNotFound, "Key '%s' does not exist", in.KeyRef)
	}
	rec, err := openKey(rk, bk.ns, id, raw)
	if err != nil {
		return Recovery{}, fmt.Errorf("kms: the record of key %s is damaged (restore meta.db from a backup): %w", id, err)
	}
	switch {
	case rec.Destroying:
		return Recovery{}, errf(ErrNotFound, "Key '%s' does not exist", in.KeyRef)
	case rec.Manager == ManagerAWS:
		return Recovery{}, errf(ErrUnsupported, "%s is an AWS managed key: its key policy is fixed.", id)
	}
	r := Recovery{ID: newUUID(), KeyID: rec.ID, Account: rec.Account, Time: in.Now.UTC(),
		Policy: in.Policy, PreviousPolicy: rec.Policy, OSUser: in.OSUser, Host: in.Host}
	if r.Policy == "" {
		r.Policy, r.Default = DefaultPolicy(rec.Account), true
	} else if err := ValidatePolicy(r.Policy); err != nil {
		return Recovery{}, err
	}
	rec.Policy = r.Policy
	if err := saveKey(tx, bk, rk, rec); err != nil {
		return Recovery{}, err
	}
	b, err := tx.CreateBucketIfNotExists(bk.recover)
	if err != nil {
		return Recovery{}, err
	}
	return r, putRecord(b, rk, bk.ns, KindRecovery, r.ID, r)
}

// offlineKeyID returns the key id ref names (key id, key ARN, alias name or alias ARN),
// reading aliases from tx with rk; "" if it names none, ErrDamagedRecord (wrapped) if it
// names an alias whose record is damaged.
func offlineKeyID(tx kv.Tx, bk buckets, rk *recauth.Key, ref string) (string, error) {
	if strings.HasPrefix(ref, "arn:") {
		if _, id, ok := strings.Cut(ref, ":key/"); ok {
			return id, nil
		}
		if _, name, ok := strings.Cut(ref, ":alias/"); ok {
			ref = "alias/" + name
		}
	}
	if !strings.HasPrefix(ref, "alias/") {
		return ref, nil
	}
	b := tx.Bucket(bk.aliases)
	if b == nil {
		return "", nil
	}
	v := b.Get([]byte(ref))
	if v == nil {
		return "", nil
	}
	a, err := openAlias(rk, bk.ns, ref, v)
	if err != nil {
		return "", fmt.Errorf("kms: the record of alias %s is damaged (name the key by its id): %w", ref, err)
	}
	return a.KeyID, nil
}

// refNamespace is the keystore namespace a key ARN or alias ARN names: its account's when
// that account has a keystore of its own in tx, else the primary's ("", also for a bare key
// id or alias name).
func refNamespace(tx kv.Tx, ref string) string {
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	if parts[4] != "" && tx.Bucket(bucketsFor(parts[4]).keys) != nil {
		return parts[4]
	}
	return ""
}

// Recoveries returns the markers of offline key policy resets not yet audited, oldest
// first. A damaged marker is logged and left out (and left in place, for `arca admin
// check`): what it says cannot be trusted into the audit trail.
func (s *Service) Recoveries() ([]Recovery, error) {
	var out []Recovery
	err := s.db.View(func(tx kv.Tx) error {
		out = nil
		b := tx.Bucket(s.bk.recover)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			r, err := openRecovery(s.rk, s.bk.ns, string(k), v)
			if err != nil {
				s.logDamaged(KindRecovery, string(k), err)
				return nil
			}
			out = append(out, *r)
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b Recovery) int { return a.Time.Compare(b.Time) }) // ids are random
	return out, err
}

// ClearRecovery removes the marker id, once its audit record is durable.
func (s *Service) ClearRecovery(ctx context.Context, id string) error {
	return s.commit(ctx, func(tx kv.Tx) error {
		if b := tx.Bucket(s.bk.recover); b != nil {
			return b.Delete([]byte(id))
		}
		return nil
	})
}
