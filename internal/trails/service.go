package trails

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"sort"
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
	Root              *rootkey.Key
	AccountID, Region string
	// PutObject writes a file durably (it returns once the object is committed).
	PutObject func(ctx context.Context, o Object) error
	// BucketExists reports whether a bucket exists.
	BucketExists func(ctx context.Context, bucket string) (bool, error)
	// ResolveKMSKey turns a key id, ARN, alias name or alias ARN into the key's ARN;
	// it returns ErrKMSKeyNotFound, ErrKMSKeyInvalid or ErrKMSKeyUnusable (with a message).
	ResolveKMSKey func(ctx context.Context, ref string) (string, error)
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

// Default is the built-in trail as the API describes it.
func (s *Service) Default() *Trail {
	return &Trail{Name: DefaultName, ARN: ARN(s.cfg.Region, s.cfg.AccountID, DefaultName), HomeRegion: s.cfg.Region, IsLogging: true}
}

// CreateInput is a CreateTrail request.
type CreateInput struct {
	Name, Bucket, Prefix, KMSKeyID string
	Validation                     bool
}

// Create stores a new trail, not logging yet (as CloudTrail's CreateTrail).
func (s *Service) Create(ctx context.Context, in CreateInput) (*Trail, error) {
	if err := ValidateName(in.Name); err != nil {
		return nil, err
	}
	if in.Name == DefaultName {
		return nil, errf(ErrAlreadyExists, "Trail %s already exists for customer: %s", in.Name, s.cfg.AccountID)
	}
	t := &Trail{Name: in.Name, ARN: ARN(s.cfg.Region, s.cfg.AccountID, in.Name), HomeRegion: s.cfg.Region,
		Validation: in.Validation, Created: s.cfg.Now().UTC()}
	if err := s.checkDestination(ctx, t, in.Bucket, in.Prefix, in.KMSKeyID); err != nil {
		return nil, err
	}
	t.DigestFrom = t.Created.Truncate(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.cfg.DB.Update(func(tx kv.Tx) error {
		old, err := load(tx, t.Name)
		if err != nil {
			return err
		}
		if old != nil {
			return errf(ErrAlreadyExists, "Trail %s already exists for customer: %s", t.Name, s.cfg.AccountID)
		}
		if countKeys(tx.Bucket(bucketTrails)) >= MaxTrails {
			return errf(ErrTooMany, "User: %s already has %d trails in %s.", s.cfg.AccountID, MaxTrails, s.cfg.Region)
		}
		return store(tx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkDestination validates and sets a trail's bucket, prefix and KMS key.
func (s *Service) checkDestination(ctx context.Context, t *Trail, bucket, prefix, kmsKey string) error {
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
	if len(prefix) > 200 {
		return errf(ErrInvalidPrefix, "S3 key prefix is too long. Maximum allowed length: 200 characters.")
	}
	t.Bucket, t.Prefix, t.KMSKeyARN = bucket, prefix, ""
	if kmsKey != "" {
		if t.KMSKeyARN, err = s.cfg.ResolveKMSKey(ctx, kmsKey); err != nil {
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
func (s *Service) Update(ctx context.Context, in UpdateInput) (*Trail, error) {
	name, err := s.nameOf(in.Ref)
	if err != nil {
		return nil, err
	}
	if name == DefaultName {
		return nil, errf(ErrDefaultTrail, "The built-in trail %s has no bucket and cannot be changed; create a trail instead.", DefaultName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.get(name, in.Ref)
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
	if err := s.checkDestination(ctx, &t, bucket, prefix, kmsKey); err != nil {
		return nil, err
	}
	if in.Validation != nil && *in.Validation != t.Validation {
		t.Validation = *in.Validation
		t.Pending, t.Prev, t.DigestFrom = nil, nil, s.cfg.Now().UTC().Truncate(time.Second)
	}
	err = s.update(name, func(st *Trail) error {
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
func (s *Service) Delete(ctx context.Context, ref string) error {
	name, err := s.nameOf(ref)
	if err != nil {
		return err
	}
	if name == DefaultName {
		return errf(ErrDefaultTrail, "The built-in trail %s keeps the records LookupEvents reads and cannot be deleted.", DefaultName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.DB.Update(func(tx kv.Tx) error {
		t, err := load(tx, name)
		if err != nil {
			return err
		}
		if t == nil {
			return notFound(ref, s.cfg.AccountID)
		}
		return tx.Bucket(bucketTrails).Delete([]byte(name))
	})
}

// Start makes a trail log: it delivers records committed from now on. Records made while
// it was stopped are skipped; those made before StopLogging and not yet delivered are
// delivered first.
func (s *Service) Start(ctx context.Context, ref string) error {
	name, err := s.nameOf(ref)
	if err != nil || name == DefaultName {
		return err // the default trail always logs
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.get(name, ref)
	if err != nil || t.IsLogging {
		return err
	}
	if t.Cursor < t.StopSeq {
		if _, _, derr := s.deliver(ctx, t, t.StopSeq); derr != nil {
			s.cfg.Log.Error("trails: records logged before StopLogging could not be delivered and are skipped", "trail", name, "err", derr)
		}
	}
	head, err := s.cfg.Records.Head()
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	return s.update(name, func(t *Trail) error {
		t.IsLogging, t.StartedAt, t.Cursor, t.StopSeq = true, now, head, 0
		return nil
	})
}

// Stop stops a trail logging. Records committed before the call are still delivered.
func (s *Service) Stop(ctx context.Context, ref string) error {
	name, err := s.nameOf(ref)
	if err != nil {
		return err
	}
	if name == DefaultName {
		return errf(ErrDefaultTrail, "The built-in trail %s records every call and cannot be stopped.", DefaultName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.get(name, ref)
	if err != nil || !t.IsLogging {
		return err
	}
	head, err := s.cfg.Records.Head()
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	return s.update(name, func(t *Trail) error {
		t.IsLogging, t.StoppedAt, t.StopSeq = false, now, head
		return nil
	})
}

// Get returns a trail by name or ARN (the default trail included).
func (s *Service) Get(ref string) (*Trail, error) {
	name, err := s.nameOf(ref)
	if err != nil {
		return nil, err
	}
	if name == DefaultName {
		return s.Default(), nil
	}
	return s.get(name, ref)
}

func (s *Service) get(name, ref string) (*Trail, error) {
	var t *Trail
	err := s.cfg.DB.View(func(tx kv.Tx) error {
		var err error
		t, err = load(tx, name)
		return err
	})
	if err == nil && t == nil {
		err = notFound(ref, s.cfg.AccountID)
	}
	return t, err
}

// List returns every trail, the default one first, then by name.
func (s *Service) List() ([]*Trail, error) {
	var all []*Trail
	err := s.cfg.DB.View(func(tx kv.Tx) error {
		var err error
		all, err = loadAll(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return append([]*Trail{s.Default()}, all...), nil
}

// update applies fn to the stored trail in one transaction; ErrNotFound if it is gone.
func (s *Service) update(name string, fn func(*Trail) error) error {
	return s.cfg.DB.Update(func(tx kv.Tx) error {
		t, err := load(tx, name)
		if err != nil {
			return err
		}
		if t == nil {
			return notFound(name, s.cfg.AccountID)
		}
		if err := fn(t); err != nil {
			return err
		}
		return store(tx, t)
	})
}

// IsNotFound reports whether err says a trail does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// countKeys is the number of keys in b (a handful: at most MaxTrails trails).
func countKeys(b kv.Bucket) int {
	n := 0
	b.ForEach(func([]byte, []byte) error { n++; return nil })
	return n
}
