package trails

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/kv"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/rootkey"
)

// Default intervals, as CloudTrail's.
const (
	DefaultDeliveryInterval = 5 * time.Minute
	DefaultDigestInterval   = time.Hour
)

// Object is one file to write into a bucket through the S3 write path.
type Object struct {
	// Account is the trail's account: its KMS keys (and aws/s3) are the ones to use.
	Account         string
	Bucket, Key     string
	Body            []byte
	ContentType     string
	ContentEncoding string
	// UserMeta are x-amz-meta-* entries (lowercase names without the prefix).
	UserMeta map[string]string
	// KMSKeyARN, if set, encrypts with SSE-KMS under that key and EncryptionContext;
	// otherwise the bucket's default encryption applies (SSE-S3 when none is configured).
	KMSKeyARN         string
	EncryptionContext map[string]string
}

// Config is what the Service needs.
type Config struct {
	// DB is the store (shared with the rest of Arca); Records is the audit trail kept in it.
	DB      kv.DB
	Records *audit.Trail
	// Root seals the digest signing key.
	Root *rootkey.Key
	// AccountID is the primary account (the trails stored without an account are its);
	// Region the one region.
	AccountID, Region string
	// PutObject writes a file durably (it returns once the object is committed).
	PutObject func(ctx context.Context, o Object) error
	// BucketExists reports whether a bucket exists.
	BucketExists func(ctx context.Context, bucket string) (bool, error)
	// BucketAccount, if set, is the account that owns an existing bucket: a trail's
	// bucket must be its own account's (nil: not checked).
	BucketAccount func(ctx context.Context, bucket string) (string, error)
	// ResolveKMSKey turns a key id, ARN, alias name or alias ARN, as account names it,
	// into the key's ARN; it returns ErrKMSKeyNotFound, ErrKMSKeyInvalid or
	// ErrKMSKeyUnusable (with a message).
	ResolveKMSKey func(ctx context.Context, account, ref string) (string, error)
	// DeliveryInterval and DigestInterval (defaults 5 min and 1 h).
	DeliveryInterval, DigestInterval time.Duration
	Log                              *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Service manages trails and delivers to them.
type Service struct {
	cfg Config
	// mu serializes every change to a trail and every delivery, so a delivery's cursor
	// never races a StartLogging.
	mu sync.Mutex

	keyMu sync.Mutex
	key   *rsa.PrivateKey
	keyFP string
}

// New opens the trails in cfg.DB.
func New(cfg Config) (*Service, error) {
	if cfg.DeliveryInterval <= 0 {
		cfg.DeliveryInterval = DefaultDeliveryInterval
	}
	if cfg.DigestInterval <= 0 {
		cfg.DigestInterval = DefaultDigestInterval
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	err := cfg.DB.Update(func(tx kv.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketTrails); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketSigning)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("trails: opening: %w", err)
	}
	return &Service{cfg: cfg}, nil
}

// Default is the built-in trail of account ("" = the primary account) as the API
// describes it. Every account has one: its event history, the records LookupEvents
// answers it.
func (s *Service) Default(account string) *Trail {
	account = s.account(account)
	return &Trail{Name: DefaultName, ARN: ARN(s.cfg.Region, account, DefaultName), HomeRegion: s.cfg.Region, IsLogging: true}
}

// CreateInput is a CreateTrail request.
type CreateInput struct {
	Name, Bucket, Prefix, KMSKeyID string
	Validation                     bool
}

// Create stores a new trail of account ("" = the primary account), not logging yet (as
// CloudTrail's CreateTrail).
func (s *Service) Create(ctx context.Context, account string, in CreateInput) (*Trail, error) {
	account = s.account(account)
	if err := ValidateName(in.Name); err != nil {
		return nil, err
	}
	if in.Name == DefaultName {
		return nil, errf(ErrAlreadyExists, "Trail %s already exists for customer: %s", in.Name, account)
	}
	t := &Trail{Name: in.Name, ARN: ARN(s.cfg.Region, account, in.Name), HomeRegion: s.cfg.Region,
		Validation: in.Validation, Created: s.cfg.Now().UTC()}
	if account != s.cfg.AccountID {
		t.Account = account
	}
	if err := s.checkDestination(ctx, account, t, in.Bucket, in.Prefix, in.KMSKeyID); err != nil {
		return nil, err
	}
	t.DigestFrom = t.Created.Truncate(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.cfg.DB.Update(func(tx kv.Tx) error {
		old, err := load(tx, s.storeKey(account, t.Name))
		if err != nil {
			return err
		}
		if old != nil {
			return errf(ErrAlreadyExists, "Trail %s already exists for customer: %s", t.Name, account)
		}
		all, err := loadAll(tx)
		if err != nil {
			return err
		}
		n := 0
		for _, o := range all {
			if o.OwnerAccount(s.cfg.AccountID) == account {
				n++
			}
		}
		if n >= MaxTrails {
			return errf(ErrTooMany, "User: %s already has %d trails in %s.", account, MaxTrails, s.cfg.Region)
		}
		return store(tx, s.storeKey(account, t.Name), t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkDestination validates and sets a trail's bucket, prefix and KMS key. The bucket
// must be account's own (Config.BucketAccount): a trail never writes into another
// account's bucket.
func (s *Service) checkDestination(ctx context.Context, account string, t *Trail, bucket, prefix, kmsKey string) error {
	if !validBucketName(bucket) {
		return errf(ErrInvalidBucketName, "Bucket name %q is not valid.", bucket)
	}
	ok, err := s.cfg.BucketExists(ctx, bucket)
	if err != nil {
		return err
	}
	if !ok {
		return errf(ErrNoSuchBucket, "S3 bucket %s does not exist.", bucket)
	}
	if s.cfg.BucketAccount != nil {
		owner, err := s.cfg.BucketAccount(ctx, bucket)
		if err != nil {
			return err
		}
		if owner != account {
			return errf(ErrBucketPolicy, "Incorrect S3 bucket policy is detected for bucket: %s", bucket)
		}
	}
	if len(prefix) > 200 {
		return errf(ErrInvalidPrefix, "S3 key prefix is too long. Maximum allowed length: 200 characters.")
	}
	t.Bucket, t.Prefix, t.KMSKeyARN = bucket, prefix, ""
	if kmsKey != "" {
		if t.KMSKeyARN, err = s.cfg.ResolveKMSKey(ctx, account, kmsKey); err != nil {
			return err
		}
	}
	return nil
}

// UpdateInput is an UpdateTrail request; nil fields stay as they are.
type UpdateInput struct {
	Ref                      string
	Bucket, Prefix, KMSKeyID *string
	Validation               *bool
}

// Update changes a trail's destination or log file validation. Turning validation off
// ends the digest chain; turning it on again starts a new one.
func (s *Service) Update(ctx context.Context, account string, in UpdateInput) (*Trail, error) {
	account = s.account(account)
	name, err := s.nameOf(account, in.Ref)
	if err != nil {
		return nil, err
	}
	if name == DefaultName {
		return nil, errf(ErrDefaultTrail, "The built-in trail %s has no bucket and cannot be changed; create a trail instead.", DefaultName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.get(account, name, in.Ref)
	if err != nil {
		return nil, err
	}
	t := *cur
	bucket, prefix, kmsKey := t.Bucket, t.Prefix, t.KMSKeyARN
	if in.Bucket != nil {
		bucket = *in.Bucket
	}
	if in.Prefix != nil {
		prefix = *in.Prefix
	}
	if in.KMSKeyID != nil {
		kmsKey = *in.KMSKeyID
	}
	if err := s.checkDestination(ctx, account, &t, bucket, prefix, kmsKey); err != nil {
		return nil, err
	}
	if in.Validation != nil && *in.Validation != t.Validation {
		t.Validation = *in.Validation
		t.Pending, t.Prev, t.DigestFrom = nil, nil, s.cfg.Now().UTC().Truncate(time.Second)
	}
	err = s.update(&t, func(st *Trail) error {
		st.Bucket, st.Prefix, st.KMSKeyARN = t.Bucket, t.Prefix, t.KMSKeyARN
		st.Validation, st.Pending, st.Prev, st.DigestFrom = t.Validation, t.Pending, t.Prev, t.DigestFrom
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Delete removes a trail. Files already delivered stay in its bucket.
func (s *Service) Delete(ctx context.Context, account, ref string) error {
	account = s.account(account)
	name, err := s.nameOf(account, ref)
	if err != nil {
		return err
	}
	if name == DefaultName {
		return errf(ErrDefaultTrail, "The built-in trail %s keeps the records LookupEvents reads and cannot be deleted.", DefaultName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.storeKey(account, name)
	return s.cfg.DB.Update(func(tx kv.Tx) error {
		t, err := load(tx, key)
		if err != nil {
			return err
		}
		if t == nil {
			return notFound(ref, account)
		}
		return tx.Bucket(bucketTrails).Delete(key)
	})
}

// Start makes a trail log: it delivers records committed from now on. Records made while
// it was stopped are skipped; those made before StopLogging and not yet delivered are
// delivered first.
func (s *Service) Start(ctx context.Context, account, ref string) error {
	account = s.account(account)
	name, err := s.nameOf(account, ref)
	if err != nil || name == DefaultName {
		return err // the default trail always logs
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.get(account, name, ref)
	if err != nil || t.IsLogging {
		return err
	}
	if t.Cursor < t.StopSeq {
		if _, _, derr := s.deliver(ctx, t, t.StopSeq); derr != nil {
			s.cfg.Log.Error("trails: records logged before StopLogging could not be delivered and are skipped", "trail", t.ARN, "err", derr)
		}
	}
	head, err := s.cfg.Records.Head()
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	return s.update(t, func(t *Trail) error {
		t.IsLogging, t.StartedAt, t.Cursor, t.StopSeq = true, now, head, 0
		return nil
	})
}

// Stop stops a trail logging. Records committed before the call are still delivered.
func (s *Service) Stop(ctx context.Context, account, ref string) error {
	account = s.account(account)
	name, err := s.nameOf(account, ref)
	if err != nil {
		return err
	}
	if name == DefaultName {
		return errf(ErrDefaultTrail, "The built-in trail %s records every call and cannot be stopped.", DefaultName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.get(account, name, ref)
	if err != nil || !t.IsLogging {
		return err
	}
	head, err := s.cfg.Records.Head()
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	return s.update(t, func(t *Trail) error {
		t.IsLogging, t.StoppedAt, t.StopSeq = false, now, head
		return nil
	})
}

// Get returns account's trail by name or ARN (the default trail included).
func (s *Service) Get(account, ref string) (*Trail, error) {
	account = s.account(account)
	name, err := s.nameOf(account, ref)
	if err != nil {
		return nil, err
	}
	if name == DefaultName {
		return s.Default(account), nil
	}
	return s.get(account, name, ref)
}

func (s *Service) get(account, name, ref string) (*Trail, error) {
	var t *Trail
	err := s.cfg.DB.View(func(tx kv.Tx) error {
		var err error
		t, err = load(tx, s.storeKey(account, name))
		return err
	})
	if err == nil && t == nil {
		err = notFound(ref, account)
	}
	return t, err
}

// List returns account's trails, its default one first, then by name.
func (s *Service) List(account string) ([]*Trail, error) {
	account = s.account(account)
	all, err := s.all()
	if err != nil {
		return nil, err
	}
	out := []*Trail{s.Default(account)}
	for _, t := range all {
		if t.OwnerAccount(s.cfg.AccountID) == account {
			out = append(out, t)
		}
	}
	return out, nil
}

// all returns every account's stored trails (not the default ones), by account and name.
func (s *Service) all() ([]*Trail, error) {
	var all []*Trail
	err := s.cfg.DB.View(func(tx kv.Tx) error {
		var err error
		all, err = loadAll(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	sortTrails(all)
	return all, nil
}

// update applies fn to t's stored record in one transaction; ErrNotFound if it is gone.
func (s *Service) update(t *Trail, fn func(*Trail) error) error {
	key := s.storeKey(t.Account, t.Name)
	return s.cfg.DB.Update(func(tx kv.Tx) error {
		st, err := load(tx, key)
		if err != nil {
			return err
		}
		if st == nil {
			return notFound(t.Name, t.OwnerAccount(s.cfg.AccountID))
		}
		if err := fn(st); err != nil {
			return err
		}
		return store(tx, key, st)
	})
}

// IsNotFound reports whether err says a trail does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
