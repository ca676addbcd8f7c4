package kms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/gcommit"
	"github.com/arcastore/arca/internal/rootkey"
	bolt "go.etcd.io/bbolt"
)

// Config is what a Service needs.
type Config struct {
	// DB is the group-committed bbolt file the keystore shares with the rest of Arca.
	DB *gcommit.DB
	// Root seals key material before it is written.
	Root *rootkey.Key
	// Region and AccountID make ARNs.
	Region, AccountID string
	// Now is the clock (nil = time.Now). Rotation and deletion follow it.
	Now func() time.Time
	// Observer counts operations per key (nil = none).
	Observer Observer
	// CryptoRateLimit is the per-account quota of cryptographic operations per second
	// (token bucket, burst of one second's worth); 0 = unlimited.
	CryptoRateLimit float64
	// SchedulerInterval is how often the background scheduler looks for due rotations and
	// deletions (0 = one minute; negative = no background scheduler, call RunDue).
	SchedulerInterval time.Duration
	// Log receives operational messages (never key material).
	Log *slog.Logger
}

// Service is the key store and the cryptographic operations over it. It is safe for
// concurrent use. Administrative changes are serialised and durable before they return;
// cryptographic operations read an in-memory snapshot and write nothing.
type Service struct {
	cfg   Config
	db    *gcommit.DB
	root  *rootkey.Key
	obs   Observer
	log   *slog.Logger
	quota *quota

	admin   sync.Mutex   // held by every change, across its commit
	mu      sync.RWMutex // guards keys and aliases (swaps only; values are immutable)
	keys    map[string]*key
	aliases map[string]*aliasRecord

	subsMu  sync.Mutex
	subs    map[int]func(Event)
	nextSub int

	stop chan struct{}
	done chan struct{}
}

// newService applies cfg's defaults and returns a Service with empty tables.
func newService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, db: cfg.DB, root: cfg.Root, obs: cfg.Observer, log: cfg.Log,
		quota: newQuota(cfg.CryptoRateLimit, cfg.Now), keys: map[string]*key{},
		aliases: map[string]*aliasRecord{}, subs: map[int]func(Event){}}
}

// Open loads the keystore from cfg.DB (creating its buckets on first use), unseals every
// key's material, finishes any destruction a crash interrupted, runs what became due while
// the server was down, and starts the scheduler. It returns ErrWrongRootKey if the
// keystore was sealed under another root key.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	s := newService(cfg)
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktKeys, bktMaterial, bktAliases, bktMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bktMeta)
		switch chk := meta.Get(keyRootChk); {
		case chk == nil:
			return meta.Put(keyRootChk, []byte(s.root.Check()))
		case string(chk) != s.root.Check():
			return ErrWrongRootKey
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("kms: opening the keystore: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	if err := s.RunDue(ctx); err != nil {
		return nil, err
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	if cfg.SchedulerInterval >= 0 {
		iv := cfg.SchedulerInterval
		if iv == 0 {
			iv = time.Minute
		}
		go s.schedule(iv)
	} else {
		close(s.done)
	}
	return s, nil
}

// Close stops the scheduler. The bbolt file belongs to the caller.
func (s *Service) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	return nil
}

func (s *Service) load() error {
	return s.db.Bolt().View(func(tx *bolt.Tx) error {
		mb := tx.Bucket(bktMaterial)
		err := tx.Bucket(bktKeys).ForEach(func(k, v []byte) error {
			rec := &keyRecord{}
			if err := json.Unmarshal(v, rec); err != nil || len(rec.Versions) == 0 {
				return fmt.Errorf("kms: damaged key record %q", k)
			}
			kk := &key{rec: rec, arn: s.keyARN(rec.ID)}
			if !rec.Destroying {
				for _, ver := range rec.Versions {
					sealed := mb.Get(materialKey(rec.ID, ver.N))
					if sealed == nil {
						return fmt.Errorf("kms: key %s is missing material version %d", rec.ID, ver.N)
					}
					raw, err := s.root.Open(materialAAD(rec.ID, ver.N), sealed)
					if err != nil {
						return fmt.Errorf("kms: key %s material version %d: %w", rec.ID, ver.N, err)
					}
					m, err := newMaterial(rec.ID, ver.N, raw)
					if err != nil {
						return err
					}
					kk.mat = append(kk.mat, m)
				}
			}
			s.keys[rec.ID] = kk
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bktAliases).ForEach(func(k, v []byte) error {
			a := &aliasRecord{}
			if err := json.Unmarshal(v, a); err != nil {
				return fmt.Errorf("kms: damaged alias record %q", k)
			}
			s.aliases[a.Name] = a
			return nil
		})
	})
}

// commit runs fn in a durable transaction. Errors of our own (sentinels) pass through;
// anything else is a storage failure.
func (s *Service) commit(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(fn)
	if err != nil && !isDomain(err) {
		s.log.Error("kms: keystore commit failed", "err", err)
		return fmt.Errorf("%w: %w", ErrStoreFailed, err)
	}
	return err
}

func isDomain(err error) bool {
	var e *Error
	return errors.As(err, &e) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrAlreadyExists) ||
		errors.Is(err, ErrInvalidState) || errors.Is(err, ErrValidation)
}

// saveKey writes rec inside tx.
func saveKey(tx *bolt.Tx, rec *keyRecord) error { return putJSON(tx.Bucket(bktKeys), rec.ID, rec) }

// publish makes a committed key snapshot visible.
func (s *Service) publish(k *key) {
	s.mu.Lock()
	s.keys[k.rec.ID] = k
	s.mu.Unlock()
}

// changeKey is the shape of most administrative operations: under the admin lock, check
// and change a clone of the key's record, commit it, publish it.
func (s *Service) changeKey(ctx context.Context, ref string, allowAlias bool, op string,
	fn func(k *key, rec *keyRecord) error) (*key, error) {
	s.admin.Lock()
	defer s.admin.Unlock()
	k, err := s.resolve(ref, allowAlias, op)
	if err != nil {
		return nil, err
	}
	rec := k.rec.clone()
	if err := fn(k, rec); err != nil {
		return nil, err
	}
	if err := s.commit(ctx, func(tx *bolt.Tx) error { return saveKey(tx, rec) }); err != nil {
		return nil, err
	}
	nk := &key{rec: rec, arn: k.arn, mat: k.mat}
	s.publish(nk)
	return nk, nil
}

// Subscribe registers fn for key events (DisableKey, ScheduleKeyDeletion, destruction,
// rotation), delivered synchronously after the change is durable, outside any lock.
// fn must be quick. The returned function unsubscribes.
func (s *Service) Subscribe(fn func(Event)) (cancel func()) {
	s.subsMu.Lock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	s.subsMu.Unlock()
	return func() {
		s.subsMu.Lock()
		delete(s.subs, id)
		s.subsMu.Unlock()
	}
}

func (s *Service) emit(kind EventKind, k *key) {
	ev := Event{Kind: kind, KeyID: k.rec.ID, KeyARN: k.arn, Time: s.cfg.Now()}
	s.subsMu.Lock()
	fns := make([]func(Event), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.subsMu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

func (s *Service) schedule(iv time.Duration) {
	defer close(s.done)
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := s.RunDue(context.Background()); err != nil {
				s.log.Error("kms: scheduled rotation or deletion failed; will retry", "err", err)
			}
		}
	}
}
