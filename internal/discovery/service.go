package discovery

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
)

// Errors (each an *errs.E carrying Macie's message where there is one).
var (
	// ErrValidation: a request's parameters are invalid.
	ErrValidation = errors.New("discovery: invalid request")
	// ErrNotFound: no such job, custom data identifier, finding or bucket in the account.
	ErrNotFound = errors.New("discovery: not found")
	// ErrConflict: a clientToken reused with other parameters.
	ErrConflict = errors.New("discovery: conflict")
)

// Reader reads objects for a job: Read streams the plaintext of one object version to w
// as principal reads it (the object engine's decrypting read path, the KMS acting as
// principal). Any error means principal cannot read the object (a KMS key it may not use,
// SSE-C, a damaged object): the job counts it as unreadable.
type Reader interface {
	Read(ctx context.Context, principal iam.Identity, bucket, key, versionID string, w io.Writer) (int64, error)
}

// Config tunes the service.
type Config struct {
	Region string
	// PrimaryAccount owns the buckets whose record names no owner.
	PrimaryAccount string
	// MaxObjectSize: larger objects are skipped as Macie skips them (default 8 GiB).
	MaxObjectSize int64
	// Interval is how often the runner looks for scheduled runs that are due (default 1m).
	Interval time.Duration
	// Workers is how many objects a run scans at once (default GOMAXPROCS).
	Workers int
	Now     func() time.Time
}

// Deps are what the service works through.
type Deps struct {
	KV     kv.DB
	Meta   meta.Store
	Reader Reader
	Log    *slog.Logger
}

// Service keeps jobs, custom data identifiers and findings, and runs jobs.
type Service struct {
	cfg  Config
	db   kv.DB
	meta meta.Store
	rd   Reader
	log  *slog.Logger
	wake chan struct{}
	mu   sync.Mutex // serializes job state changes of the runner and the API
}

// NewService returns the service; Start runs its jobs.
func NewService(cfg Config, d Deps) *Service {
	if cfg.MaxObjectSize == 0 {
		cfg.MaxObjectSize = 8 << 30
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, db: d.KV, meta: d.Meta, rd: d.Reader, log: d.Log, wake: make(chan struct{}, 1)}
}

// Storage: JSON records in four kv buckets, keyed "<account>/<id>" (tokens
// "<account>/<clientToken>" → job id).
var (
	bJobs     = []byte("discovery-jobs")
	bTokens   = []byte("discovery-tokens")
	bCDIs     = []byte("discovery-cdis")
	bFindings = []byte("discovery-findings")
)

func key(account, id string) []byte { return []byte(account + "/" + id) }

func put(tx kv.Tx, bucket []byte, k []byte, v any) error {
	b, err := tx.CreateBucketIfNotExists(bucket)
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func get(tx kv.Tx, bucket []byte, k []byte, v any) (bool, error) {
	b := tx.Bucket(bucket)
	if b == nil {
		return false, nil
	}
	data := b.Get(k)
	if data == nil {
		return false, nil
	}
	return true, json.Unmarshal(data, v)
}

// each calls fn with every record of account in bucket, in id order.
func each(tx kv.Tx, bucket []byte, account string, fn func(data []byte) error) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	prefix := account + "/"
	return b.ForEach(func(k, v []byte) error {
		if v == nil || !strings.HasPrefix(string(k), prefix) {
			return nil
		}
		return fn(v)
	})
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func fingerprint(v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// CustomIdentifier is a custom data identifier.
type CustomIdentifier struct {
	ID, ARN, Account     string
	Name, Description    string
	Regex                string
	Keywords             []string
	IgnoreWords          []string
	MaximumMatchDistance int
	Tags                 map[string]string
	CreatedAt            time.Time
	ClientToken          string
	Fingerprint          string
}

// Detector compiles the identifier.
func (c *CustomIdentifier) Detector() (*Detector, error) {
	return NewCustomDetector(c.ID, c.Name, c.Regex, c.Keywords, c.IgnoreWords, c.MaximumMatchDistance)
}

// CreateCustomIdentifier validates and stores c (ID, ARN, CreatedAt are set); a retry
// with the same clientToken and parameters returns the first one's id.
func (s *Service) CreateCustomIdentifier(ctx context.Context, c CustomIdentifier) (string, error) {
	if err := validateCustom(&c); err != nil {
		return "", err
	}
	c.Fingerprint = fingerprint([]any{c.Name, c.Description, c.Regex, c.Keywords, c.IgnoreWords, c.MaximumMatchDistance, c.Tags})
	c.ID = newID()
	c.ARN = "arn:aws:macie2:" + s.cfg.Region + ":" + c.Account + ":custom-data-identifier/" + c.ID
	c.CreatedAt = s.cfg.Now().UTC()
	id := c.ID
	err := s.db.Update(func(tx kv.Tx) error {
		id = c.ID
		if c.ClientToken != "" {
			var prev string
			if ok, err := get(tx, bTokens, key(c.Account, "cdi:"+c.ClientToken), &prev); err != nil || ok {
				if err != nil {
					return err
				}
				var old CustomIdentifier
				if ok, err := get(tx, bCDIs, key(c.Account, prev), &old); err != nil || !ok {
					return err
				}
				if old.Fingerprint != c.Fingerprint {
					return errs.New(ErrConflict, "The request conflicts with a previous request that used the same client token.")
				}
				id = prev
				return nil
			}
			if err := put(tx, bTokens, key(c.Account, "cdi:"+c.ClientToken), c.ID); err != nil {
				return err
			}
		}
		return put(tx, bCDIs, key(c.Account, c.ID), &c)
	})
	return id, err
}

func validateCustom(c *CustomIdentifier) error {
	switch {
	case c.Name == "" || len(c.Name) > 128:
		return errs.New(ErrValidation, "The name must be 1 to 128 characters long.")
	case c.Regex == "" || len(c.Regex) > 512:
		return errs.New(ErrValidation, "The regular expression must be 1 to 512 characters long.")
	case len(c.Keywords) > 50 || len(c.IgnoreWords) > 10:
		return errs.New(ErrValidation, "A custom data identifier can have at most 50 keywords and 10 ignore words.")
	case c.MaximumMatchDistance < 0 || c.MaximumMatchDistance > MaxCustomDistance:
		return errs.New(ErrValidation, "maximumMatchDistance must be between 1 and 300.")
	}
	for _, k := range c.Keywords {
		if len(k) < 3 || len(k) > maxKeywordLen {
			return errs.New(ErrValidation, "Each keyword must be 3 to 90 characters long.")
		}
	}
	for _, w := range c.IgnoreWords {
		if len(w) < 4 || len(w) > 90 {
			return errs.New(ErrValidation, "Each ignore word must be 4 to 90 characters long.")
		}
	}
	if c.MaximumMatchDistance == 0 {
		c.MaximumMatchDistance = DefaultCustomDistance
	}
	if _, err := c.Detector(); err != nil {
		return errs.New(ErrValidation, "The regular expression is not valid (RE2 syntax).")
	}
	return nil
}

// GetCustomIdentifier returns ErrNotFound.
func (s *Service) GetCustomIdentifier(ctx context.Context, account, id string) (CustomIdentifier, error) {
	var c CustomIdentifier
	err := s.db.View(func(tx kv.Tx) error {
		ok, err := get(tx, bCDIs, key(account, id), &c)
		if err == nil && !ok {
			err = errs.New(ErrNotFound, "The custom data identifier "+id+" does not exist.")
		}
		return err
	})
	return c, err
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
