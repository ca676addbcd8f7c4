package kms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// Config is what a Service needs.
type Config struct {
	// DB is the store (group-committed) the keystore shares with the rest of Arca.
	DB kv.DB
	// Root seals key material before it is written.
	Root *rootkey.Key
	// RecordKey authenticates the keystore's records (meta.KVStore.RecordKey; stored.go).
	// nil: a key of this Service only, for tests that never reopen the file: what it
	// writes is damaged for any later Open.
	RecordKey *recauth.Key
	// Region and AccountID make ARNs.
	Region, AccountID string
	// Namespace names the kv buckets of this account's keystore: "" for the primary
	// account (the names every data directory had before accounts), the account id for
	// any other (record.go, bucketsFor). Keystores sets it.
	Namespace string
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
	db    kv.DB
	root  *rootkey.Key
	rk    *recauth.Key
	bk    buckets
	obs   Observer
	log   *slog.Logger
	quota *quota

	admin   sync.Mutex   // held by every change, across its commit
	mu      sync.RWMutex // guards keys and aliases (swaps only; values are immutable)
	keys    map[string]*key
	aliases map[string]*aliasRecord
	// damagedKeys and damagedAliases name the records that failed authentication at load
	// (or whose material did not open): requests naming them get ErrKeyUnavailable.
	damagedKeys    map[string]bool
	damagedAliases map[string]bool

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
	if cfg.RecordKey == nil {
		cfg.RecordKey = recauth.New(recauth.Generate())
	}
	return &Service{cfg: cfg, db: cfg.DB, root: cfg.Root, rk: cfg.RecordKey, bk: bucketsFor(cfg.Namespace), obs: cfg.Observer, log: cfg.Log,
		quota: newQuota(cfg.CryptoRateLimit, cfg.Now), keys: map[string]*key{},
		aliases: map[string]*aliasRecord{}, damagedKeys: map[string]bool{}, damagedAliases: map[string]bool{},
		subs: map[int]func(Event){}}
}

// Open loads the keystore from cfg.DB (creating its buckets on first use), unseals every
// key's material, finishes any destruction a crash interrupted, runs what became due while
// the server was down, and starts the scheduler. It returns ErrWrongRootKey if the
// keystore was sealed under another root key.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	s := newService(cfg)
	err := s.db.Update(func(tx kv.Tx) error {
		for _, b := range [][]byte{s.bk.keys, s.bk.material, s.bk.aliases, s.bk.meta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(s.bk.meta)
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

// Close stops the scheduler. The store belongs to the caller.
func (s *Service) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	return nil
}

// load reads every key and alias. A damaged record (or a key whose material does not
// open) costs that key or alias only: it is logged once and answers ErrKeyUnavailable.
func (s *Service) load() error {
	return s.db.View(func(tx kv.Tx) error {
		mb := tx.Bucket(s.bk.material)
		err := tx.Bucket(s.bk.keys).ForEach(func(k, v []byte) error {
			id := string(k)
			rec, err := openKey(s.rk, s.bk.ns, id, v)
			var mat []*material
			if err == nil && !rec.Destroying {
				mat, err = unsealMaterial(mb, s.root, rec)
			}
			if err != nil {
				s.damagedKeys[id] = true
				s.logDamaged(KindKey, id, err)
				return nil
			}
			s.keys[id] = &key{rec: rec, arn: s.keyARN(id), mat: mat}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(s.bk.aliases).ForEach(func(k, v []byte) error {
			a, err := openAlias(s.rk, s.bk.ns, string(k), v)
			if err != nil {
				s.damagedAliases[string(k)] = true
				s.logDamaged(KindAlias, string(k), err)
				return nil
			}
			s.aliases[a.Name] = a
			return nil
		})
	})
}

// logDamaged logs a damaged record (named by where it is stored; nothing of its content).
func (s *Service) logDamaged(kind, name string, err error) {
	what := "its stored record fails authentication or does not decode"
	if errors.Is(err, ErrDamagedMaterial) {
		what = "its key material is missing or does not open with the root key"
	}
	s.log.Error("kms: damaged record: "+what+"; it is not usable until restored (run 'arca admin check' on the stopped server)",
		"kind", kind, "name", name)
}

// commit runs fn in a durable transaction. Errors of our own (sentinels) pass through;
// anything else is a storage failure.
func (s *Service) commit(ctx context.Context, fn func(tx kv.Tx) error) error {
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

// saveKey writes rec inside tx, authenticated with rk.
func saveKey(tx kv.Tx, bk buckets, rk *recauth.Key, rec *keyRecord) error {
	return putRecord(tx.Bucket(bk.keys), rk, bk.ns, KindKey, rec.ID, rec)
}

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
	if err := s.commit(ctx, func(tx kv.Tx) error { return saveKey(tx, s.bk, s.rk, rec) }); err != nil {
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
