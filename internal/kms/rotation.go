package kms

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

const (
	defaultRotationDays = 365
	maxOnDemand         = 25
	day                 = 24 * time.Hour
)

// testHookRotate, when set (tests only), runs inside a rotation's transaction after the
// new material row is written and before the key record is; an error aborts the
// transaction, as a crash at that point would.
var testHookRotate func() error

// EnableKeyRotation turns on automatic rotation every period days (90..2560; 0 = 365).
func (s *Service) EnableKeyRotation(ctx context.Context, p Principal, keyID string, period int) error {
	if period == 0 {
		period = defaultRotationDays
	}
	if period < 90 {
		return validation(strconv.Itoa(period), "rotationPeriodInDays", "Member must have value greater than or equal to 90")
	}
	if period > 2560 {
		return validation(strconv.Itoa(period), "rotationPeriodInDays", "Member must have value less than or equal to 2560")
	}
	_, err := s.changeKey(ctx, keyID, false, "EnableKeyRotation", func(k *key, r *keyRecord) error {
		if err := notManaged(k, "its rotation is automatic and yearly"); err != nil {
			return err
		}
		if err := usable(k); err != nil {
			return err
		}
		if r.RotationEnabled && r.RotationPeriod == period {
			return nil
		}
		r.RotationEnabled, r.RotationPeriod = true, period
		r.NextRotation = s.cfg.Now().UTC().Add(time.Duration(period) * day)
		return nil
	})
	return err
}

// DisableKeyRotation turns automatic rotation off.
func (s *Service) DisableKeyRotation(ctx context.Context, p Principal, keyID string) error {
	_, err := s.changeKey(ctx, keyID, false, "DisableKeyRotation", func(k *key, r *keyRecord) error {
		if err := notManaged(k, "its rotation is automatic and yearly"); err != nil {
			return err
		}
		if err := usable(k); err != nil {
			return err
		}
		r.RotationEnabled, r.RotationPeriod, r.NextRotation = false, 0, time.Time{}
		return nil
	})
	return err
}

// GetKeyRotationStatus reports whether and when the key rotates automatically.
func (s *Service) GetKeyRotationStatus(ctx context.Context, p Principal, keyID string) (RotationStatus, error) {
	k, err := s.resolve(keyID, false, "GetKeyRotationStatus")
	if err != nil {
		return RotationStatus{}, err
	}
	st := RotationStatus{KeyARN: k.arn, Enabled: k.rec.RotationEnabled}
	if st.Enabled {
		st.PeriodDays, st.Next = k.rec.RotationPeriod, k.rec.NextRotation
	}
	return st, nil
}

// RotateKeyOnDemand adds a material version now (at most 25 times per key). New
// encryptions use it; older versions keep decrypting. Subscribers get EventRotated.
func (s *Service) RotateKeyOnDemand(ctx context.Context, p Principal, keyID string) (string, error) {
	s.admin.Lock()
	k, err := s.resolve(keyID, false, "RotateKeyOnDemand")
	if err == nil {
		err = notManaged(k, "it cannot be rotated on demand")
	}
	if err == nil {
		err = usable(k)
	}
	if err == nil && k.rec.OnDemand >= maxOnDemand {
		err = errf(ErrLimitExceeded, "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: %s", k.arn)
	}
	if err == nil {
		k, err = s.addVersion(ctx, k, RotationOnDemand)
	}
	s.admin.Unlock()
	if err != nil {
		return "", err
	}
	s.emit(EventRotated, k)
	return k.arn, nil
}

// addVersion commits a new material version; the caller holds s.admin.
func (s *Service) addVersion(ctx context.Context, k *key, typ string) (*key, error) {
	now := s.cfg.Now().UTC()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	rec := k.rec.clone()
	n := rec.current() + 1
	m, err := newMaterial(rec.ID, n, raw)
	if err != nil {
		return nil, err
	}
	rec.Versions = append(rec.Versions, versionRecord{N: n, Created: now, Type: typ})
	switch typ {
	case RotationOnDemand:
		rec.OnDemand++
	case RotationAutomatic:
		rec.NextRotation = now.Add(time.Duration(rec.RotationPeriod) * day)
	}
	sealed := s.root.Seal(materialAAD(rec.ID, n), raw)
	err = s.commit(ctx, func(tx kv.Tx) error {
		if err := tx.Bucket(s.bk.material).Put(materialKey(rec.ID, n), sealed); err != nil {
			return err
		}
		if testHookRotate != nil {
			if err := testHookRotate(); err != nil {
				return err
			}
		}
		return saveKey(tx, s.bk, s.rk, rec)
	})
	if err != nil {
		clear(raw)
		return nil, err
	}
	nk := &key{rec: rec, arn: k.arn, mat: append(k.mat, m)}
	s.publish(nk)
	return nk, nil
}

// ListKeyRotations lists a key's rotations (include = "ALL_KEY_MATERIAL" also lists the
// original material), oldest first.
func (s *Service) ListKeyRotations(ctx context.Context, p Principal, keyID, include string, pg Page) ([]Rotation, string, error) {
	switch include {
	case "", "ROTATIONS_ONLY", "ALL_KEY_MATERIAL":
	default:
		return nil, "", enumCheck(include, "includeKeyMaterial", []string{"ALL_KEY_MATERIAL", "ROTATIONS_ONLY"})
	}
	k, err := s.resolve(keyID, false, "ListKeyRotations")
	if err != nil {
		return nil, "", err
	}
	var all []Rotation
	cur := k.rec.current()
	for _, v := range k.rec.Versions {
		if v.Type == "" && include != "ALL_KEY_MATERIAL" {
			continue
		}
		all = append(all, Rotation{KeyID: k.rec.ID, KeyMaterialID: materialID(k.rec.ID, v.N),
			Date: v.Created, Type: v.Type, Current: v.N == cur})
	}
	return paginate(all, func(r Rotation) string { return fmt.Sprintf("%020d", r.Date.UnixNano()) + r.KeyMaterialID },
		pg, 100, 1000)
}

// RunDue does what the clock says is due: destroys keys whose deletion window has
// passed (and finishes destructions a crash interrupted), and rotates enabled keys whose
// next rotation date has passed (once, however long ago: a server that was down catches
// up with one rotation and schedules the next a full period later). The scheduler calls
// it periodically; tests call it after moving the clock.
func (s *Service) RunDue(ctx context.Context) error {
	now := s.cfg.Now()
	s.mu.RLock()
	var due []*key
	for _, k := range s.keys {
		r := k.rec
		if r.Destroying || r.State == StatePendingDeletion && !now.Before(r.DeletionDate) ||
			r.State == StateEnabled && r.RotationEnabled && !now.Before(r.NextRotation) {
			due = append(due, k)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(due, func(a, b *key) int { return a.rec.Created.Compare(b.rec.Created) })
	for _, k := range due {
		if err := s.runDueKey(ctx, k.rec.ID, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) runDueKey(ctx context.Context, id string, now time.Time) error {
	s.admin.Lock()
	k := s.keys[id] // the admin lock keeps s.keys stable
	if k == nil {
		s.admin.Unlock()
		return nil
	}
	r := k.rec
	var (
		kind EventKind
		err  error
	)
	switch {
	case r.Destroying:
		err = s.finishDestroy(ctx, k)
	case r.State == StatePendingDeletion && !now.Before(r.DeletionDate):
		if err = s.destroy(ctx, k); err == nil {
			err, kind = s.finishDestroy(ctx, k), EventDestroyed
		}
	case r.State == StateEnabled && r.RotationEnabled && !now.Before(r.NextRotation):
		k, err = s.addVersion(ctx, k, RotationAutomatic)
		kind = EventRotated
	}
	s.admin.Unlock()
	if err == nil && kind != 0 {
		if kind == EventDestroyed {
			s.log.Info("kms: key deleted after its waiting period; its material is destroyed", "key", id)
		}
		s.emit(kind, k)
	}
	return err
}

// destroy overwrites the key's sealed material rows and marks it Destroying, in one
// commit; from then on the key answers NotFound. Its unsealed material is zeroed.
func (s *Service) destroy(ctx context.Context, k *key) error {
	rec := k.rec.clone()
	rec.Destroying = true
	err := s.commit(ctx, func(tx kv.Tx) error {
		mb := tx.Bucket(s.bk.material)
		for _, v := range rec.Versions {
			mk := materialKey(rec.ID, v.N)
			if old := mb.Get(mk); old != nil {
				if err := mb.Put(mk, make([]byte, len(old))); err != nil {
					return err
				}
			}
		}
		return saveKey(tx, s.bk, s.rk, rec)
	})
	if err != nil {
		return err
	}
	for _, m := range k.mat {
		clear(m.raw)
	}
	s.publish(&key{rec: rec, arn: k.arn})
	return nil
}

// finishDestroy deletes a Destroying key's material rows, its aliases and its record.
func (s *Service) finishDestroy(ctx context.Context, k *key) error {
	var aliases []string
	s.mu.RLock()
	for name, a := range s.aliases {
		if a.KeyID == k.rec.ID {
			aliases = append(aliases, name)
		}
	}
	s.mu.RUnlock()
	err := s.commit(ctx, func(tx kv.Tx) error {
		mb := tx.Bucket(s.bk.material)
		for _, v := range k.rec.Versions {
			if err := mb.Delete(materialKey(k.rec.ID, v.N)); err != nil {
				return err
			}
		}
		for _, name := range aliases {
			if err := tx.Bucket(s.bk.aliases).Delete([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket(s.bk.keys).Delete([]byte(k.rec.ID))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.keys, k.rec.ID)
	for _, name := range aliases {
		delete(s.aliases, name)
	}
	s.mu.Unlock()
	return nil
}
