package kms

import (
	"context"
	"crypto/rand"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/kv"
)

// CreateKeyInput is CreateKey's request. Only symmetric encryption keys made by Arca
// (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, AWS_KMS) exist; other valid values are refused
// with ErrUnsupported.
type CreateKeyInput struct {
	Policy           string // "" = AWS's default key policy
	Description      string
	KeyUsage         string // "" = ENCRYPT_DECRYPT
	KeySpec          string // "" = SYMMETRIC_DEFAULT (CustomerMasterKeySpec is folded in by the caller)
	Origin           string // "" = AWS_KMS
	CustomKeyStoreID string
	MultiRegion      bool
	XksKeyID         string
	Tags             []Tag
	// PolicyCheck (nil: none) is the lockout safety check of Policy, called with the new
	// key's ARN; AWS's default policy is not checked.
	PolicyCheck PolicyCheck
}

var (
	keyUsages = []string{"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"}
	keySpecs  = []string{"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
		"ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
		"SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"}
	origins = []string{"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}
)

func enumCheck(v, field string, set []string) error {
	if !slices.Contains(set, v) {
		return validation(v, field, "Member must satisfy enum value set: ["+strings.Join(set, ", ")+"]")
	}
	return nil
}

// CreateKey creates a customer managed symmetric key with fresh material.
func (s *Service) CreateKey(ctx context.Context, p Principal, in CreateKeyInput) (KeyMetadata, error) {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&in.KeyUsage, "ENCRYPT_DECRYPT")
	def(&in.KeySpec, "SYMMETRIC_DEFAULT")
	def(&in.Origin, "AWS_KMS")
	if err := enumCheck(in.KeyUsage, "keyUsage", keyUsages); err != nil {
		return KeyMetadata{}, err
	}
	if err := enumCheck(in.KeySpec, "keySpec", keySpecs); err != nil {
		return KeyMetadata{}, err
	}
	if err := enumCheck(in.Origin, "origin", origins); err != nil {
		return KeyMetadata{}, err
	}
	switch {
	case in.KeySpec != "SYMMETRIC_DEFAULT":
		return KeyMetadata{}, errf(ErrUnsupported, "KeySpec %s is not supported: this KMS creates SYMMETRIC_DEFAULT keys only.", in.KeySpec)
	case in.KeyUsage != "ENCRYPT_DECRYPT":
		return KeyMetadata{}, errf(ErrValidation, "KeyUsage %s is not compatible with KeySpec SYMMETRIC_DEFAULT", in.KeyUsage)
	case in.Origin != "AWS_KMS":
		return KeyMetadata{}, errf(ErrUnsupported, "Origin %s is not supported: this KMS generates all key material itself (AWS_KMS).", in.Origin)
	case in.CustomKeyStoreID != "" || in.XksKeyID != "":
		return KeyMetadata{}, errf(ErrUnsupported, "Custom key stores are not supported.")
	case in.MultiRegion:
		return KeyMetadata{}, errf(ErrUnsupported, "Multi-Region keys are not supported: this server is a single region.")
	}
	if len(in.Description) > 8192 {
		return KeyMetadata{}, validation(in.Description, "description", "Member must have length less than or equal to 8192")
	}
	policy := in.Policy
	if policy == "" {
		policy = DefaultPolicy(s.cfg.AccountID)
	} else if err := ValidatePolicy(policy); err != nil {
		return KeyMetadata{}, err
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return KeyMetadata{}, err
	}
	rec := &keyRecord{ID: newUUID(), Account: s.cfg.AccountID, Description: in.Description,
		State: StateEnabled, Manager: ManagerCustomer, Policy: policy, Tags: tags}
	if in.Policy != "" && in.PolicyCheck != nil {
		if err := in.PolicyCheck(ctx, s.keyARN(rec.ID), policy); err != nil {
			return KeyMetadata{}, err
		}
	}
	k, err := s.insertKey(ctx, rec, "")
	if err != nil {
		return KeyMetadata{}, err
	}
	s.obs.KeyOperation(rec.ID, "CreateKey")
	return s.metadata(k), nil
}

// insertKey gives rec its first material and commits it (with an alias when alias != "").
func (s *Service) insertKey(ctx context.Context, rec *keyRecord, alias string) (*key, error) {
	now := s.cfg.Now().UTC()
	rec.Created = now
	rec.Versions = []versionRecord{{N: 1, Created: now}}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	m, err := newMaterial(rec.ID, 1, raw)
	if err != nil {
		return nil, err
	}
	sealed := s.root.Seal(materialAAD(rec.ID, 1), raw)
	var ar *aliasRecord
	if alias != "" {
		ar = &aliasRecord{Name: alias, KeyID: rec.ID, Created: now, Updated: now}
	}
	s.admin.Lock()
	defer s.admin.Unlock()
	if ar != nil {
		if a := s.aliases[alias]; a != nil && s.keys[a.KeyID] != nil { // lost a race to create the same AWS managed key
			return nil, ErrAlreadyExists
		}
	}
	err = s.commit(ctx, func(tx kv.Tx) error {
		if err := tx.Bucket(s.bk.material).Put(materialKey(rec.ID, 1), sealed); err != nil {
			return err
		}
		if ar != nil {
			if err := putRecord(tx.Bucket(s.bk.aliases), s.rk, s.bk.ns, KindAlias, alias, ar); err != nil {
				return err
			}
		}
		return saveKey(tx, s.bk, s.rk, rec)
	})
	if err != nil {
		clear(raw)
		return nil, err
	}
	k := &key{rec: rec, arn: s.keyARN(rec.ID), mat: []*material{m}}
	s.mu.Lock()
	s.keys[rec.ID] = k
	if ar != nil {
		s.aliases[alias] = ar
	}
	s.mu.Unlock()
	return k, nil
}

func (s *Service) metadata(k *key) KeyMetadata {
	r := k.rec
	md := KeyMetadata{AccountID: r.Account, KeyID: r.ID, ARN: k.arn, CreationDate: r.Created,
		Enabled: r.State == StateEnabled, Description: r.Description, KeyState: r.State,
		KeyManager: r.Manager, CurrentKeyMaterialID: materialID(r.ID, r.current())}
	if r.State == StatePendingDeletion {
		md.DeletionDate, md.PendingWindow = r.DeletionDate, r.PendingWindow
	}
	return md
}

// DescribeKey returns a key's metadata. It accepts aliases; describing a predefined AWS
// alias (alias/aws/s3) creates that AWS managed key on first use, as AWS does.
func (s *Service) DescribeKey(ctx context.Context, p Principal, keyID string) (KeyMetadata, error) {
	k, err := s.resolve(keyID, true, "DescribeKey")
	if err != nil && strings.HasPrefix(keyID, "alias/aws/") && managedDescription(keyID) != "" {
		var md KeyMetadata
		if md, err = s.EnsureAWSManagedKey(ctx, strings.TrimPrefix(keyID, "alias/")); err == nil {
			s.obs.KeyOperation(md.KeyID, "DescribeKey")
		}
		return md, err
	}
	if err != nil {
		return KeyMetadata{}, err
	}
	return s.metadata(k), nil
}

// ListKeys lists the account's keys by id (default 100 per page, at most 1000).
func (s *Service) ListKeys(ctx context.Context, p Principal, pg Page) ([]KeyListEntry, string, error) {
	s.mu.RLock()
	all := make([]KeyListEntry, 0, len(s.keys))
	for id, k := range s.keys {
		if !k.rec.Destroying {
			all = append(all, KeyListEntry{KeyID: id, ARN: k.arn})
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b KeyListEntry) int { return strings.Compare(a.KeyID, b.KeyID) })
	return paginate(all, func(e KeyListEntry) string { return e.KeyID }, pg, 100, 1000)
}

// UpdateKeyDescription replaces a key's description.
func (s *Service) UpdateKeyDescription(ctx context.Context, p Principal, keyID, desc string) error {
	if len(desc) > 8192 {
		return validation(desc, "description", "Member must have length less than or equal to 8192")
	}
	_, err := s.changeKey(ctx, keyID, false, "UpdateKeyDescription", func(k *key, r *keyRecord) error {
		if err := notManaged(k, "its description cannot be changed"); err != nil {
			return err
		}
		if r.State == StatePendingDeletion {
			return msgPending(k.arn)
		}
		r.Description = desc
		return nil
	})
	return err
}

// EnableKey makes a Disabled key Enabled (no-op when it is). A key pending deletion must
// first be cancelled (and is then Disabled).
func (s *Service) EnableKey(ctx context.Context, p Principal, keyID string) error {
	_, err := s.changeKey(ctx, keyID, false, "EnableKey", func(k *key, r *keyRecord) error {
		if err := notManaged(k, "it cannot be enabled or disabled"); err != nil {
			return err
		}
		if r.State == StatePendingDeletion {
			return msgPending(k.arn)
		}
		r.State = StateEnabled
		return nil
	})
	return err
}

// DisableKey makes a key Disabled: cryptographic operations fail with ErrDisabled.
// Subscribers get EventDisabled.
func (s *Service) DisableKey(ctx context.Context, p Principal, keyID string) error {
	k, err := s.changeKey(ctx, keyID, false, "DisableKey", func(k *key, r *keyRecord) error {
		if err := notManaged(k, "it cannot be enabled or disabled"); err != nil {
			return err
		}
		if r.State == StatePendingDeletion {
			return msgPending(k.arn)
		}
		r.State = StateDisabled
		return nil
	})
	if err == nil {
		s.emit(EventDisabled, k)
	}
	return err
}

// ScheduleKeyDeletion puts a key in PendingDeletion for window days (7..30; 0 = 30).
// When the window has passed, the scheduler destroys its material and the key no longer
// exists. Returns the deletion date.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, p Principal, keyID string, window int) (KeyMetadata, error) {
	if window == 0 {
		window = 30
	}
	if window < 7 || window > 30 {
		return KeyMetadata{}, validation(strconv.Itoa(window), "PendingWindowInDays",
			"Member must have minimum value of 7 and maximum value of 30.")
	}
	k, err := s.changeKey(ctx, keyID, false, "ScheduleKeyDeletion", func(k *key, r *keyRecord) error {
		if err := notManaged(k, "AWS managed keys cannot be deleted"); err != nil {
			return err
		}
		if r.State == StatePendingDeletion {
			return msgPending(k.arn)
		}
		r.State = StatePendingDeletion
		r.PendingWindow = window
		r.DeletionDate = s.cfg.Now().UTC().Add(time.Duration(window) * 24 * time.Hour)
		return nil
	})
	if err != nil {
		return KeyMetadata{}, err
	}
	s.emit(EventDeletionScheduled, k)
	return s.metadata(k), nil
}

// CancelKeyDeletion takes a key out of PendingDeletion; it becomes Disabled, as in AWS.
func (s *Service) CancelKeyDeletion(ctx context.Context, p Principal, keyID string) (string, error) {
	k, err := s.changeKey(ctx, keyID, false, "CancelKeyDeletion", func(k *key, r *keyRecord) error {
		if r.State != StatePendingDeletion {
			return errf(ErrInvalidState, "%s is not pending deletion.", k.arn)
		}
		r.State = StateDisabled
		r.DeletionDate, r.PendingWindow = time.Time{}, 0
		return nil
	})
	if err != nil {
		return "", err
	}
	return k.arn, nil
}

func notManaged(k *key, what string) error {
	if k.rec.Manager == ManagerAWS {
		return errf(ErrUnsupported, "%s is an AWS managed key: %s.", k.arn, what)
	}
	return nil
}
