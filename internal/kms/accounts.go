package kms

import (
	"context"
	"fmt"
	"sync"

	"github.com/arcastore/arca/internal/kv"
)

// Keystores is every account's keystore (docs/KMS.md, "Accounts"): each account has its
// own keys, aliases, policies, grants and AWS managed keys, in a Service of its own over
// the shared store. The primary account's keystore keeps the bucket names every data
// directory had before accounts (so existing keys are unchanged); another account's lives
// in buckets named with its id (bucketsFor), created the first time that account needs
// one (its first CreateKey, or its first SSE-KMS write under aws/s3). Every keystore that
// exists is opened at start, so a ciphertext blob (which names its key by id only) finds
// its key in whichever account holds it. It is safe for concurrent use.
type Keystores struct {
	cfg      Config // the template: AccountID is the primary account's
	primary  *Service
	readOnly bool // OpenKeystoresReadOnly: no keystore is ever created

	mu   sync.RWMutex
	open map[string]*Service // by account id, the primary's included

	subsMu  sync.Mutex
	subs    map[int]func(Event)
	nextSub int
}

// OpenKeystores opens the primary account's keystore (cfg, whose AccountID is the primary
// account) and every other account's that exists in cfg.DB.
func OpenKeystores(ctx context.Context, cfg Config) (*Keystores, error) {
	cfg.Namespace = ""
	ks := &Keystores{cfg: cfg, open: map[string]*Service{}, subs: map[int]func(Event){}}
	p, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ks.adopt(cfg.AccountID, p)
	ks.primary = p
	var nss []string
	if err := cfg.DB.View(func(tx kv.Tx) error { nss = namespacesTx(tx); return nil }); err != nil {
		ks.Close()
		return nil, err
	}
	for _, ns := range nss {
		if ns == "" || ns == cfg.AccountID {
			continue
		}
		if _, err := ks.openAccount(ctx, ns); err != nil {
			ks.Close()
			return nil, err
		}
	}
	return ks, nil
}

// Single wraps one Service as the only keystore (tests and tools with one account).
func Single(s *Service) *Keystores {
	ks := &Keystores{cfg: s.cfg, open: map[string]*Service{}, subs: map[int]func(Event){}, primary: s}
	ks.adopt(s.cfg.AccountID, s)
	return ks
}

func (ks *Keystores) adopt(account string, s *Service) {
	ks.open[account] = s
	s.Subscribe(ks.dispatch)
}

// openAccount opens (creating its buckets if needed) account's keystore; the caller
// makes sure it is not open yet or holds no lock (a second opener keeps the first).
func (ks *Keystores) openAccount(ctx context.Context, account string) (*Service, error) {
	cfg := ks.cfg
	cfg.AccountID, cfg.Namespace = account, account
	s, err := Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("kms: the keystore of account %s: %w", account, err)
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if prev := ks.open[account]; prev != nil {
		s.Close()
		return prev, nil
	}
	ks.adopt(account, s)
	return s, nil
}

// Primary is the primary account's keystore.
func (ks *Keystores) Primary() *Service { return ks.primary }

// PrimaryAccount is the primary account's id.
func (ks *Keystores) PrimaryAccount() string { return ks.cfg.AccountID }

// For returns account's keystore, creating it the first time ("" is the primary
// account). account must be one that exists (an authenticated caller's): the buckets are
// created for whatever id is given.
func (ks *Keystores) For(ctx context.Context, account string) (*Service, error) {
	if account == "" {
		return ks.primary, nil
	}
	ks.mu.RLock()
	s := ks.open[account]
	ks.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	if ks.readOnly {
		return nil, fmt.Errorf("kms: account %s has no keystore in this read-only store", account)
	}
	return ks.openAccount(ctx, account)
}

// Lookup returns account's keystore if it has one, else nil; it never creates one (an ARN
// naming another account must not make a keystore appear).
func (ks *Keystores) Lookup(account string) *Service {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return ks.open[account]
}

// KeyAccount returns the account whose keystore holds the key id (also a damaged or
// destroying one), or "" if none does.
func (ks *Keystores) KeyAccount(keyID string) string {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	for acct, s := range ks.open {
		s.mu.RLock()
		ok := s.keys[keyID] != nil || s.damagedKeys[keyID]
		s.mu.RUnlock()
		if ok {
			return acct
		}
	}
	return ""
}

// All returns every open keystore by account id.
func (ks *Keystores) All() map[string]*Service {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	out := make(map[string]*Service, len(ks.open))
	for a, s := range ks.open {
		out[a] = s
	}
	return out
}

// Subscribe registers fn for the key events of every account's keystore (Service.Subscribe),
// those opened later included.
func (ks *Keystores) Subscribe(fn func(Event)) (cancel func()) {
	ks.subsMu.Lock()
	id := ks.nextSub
	ks.nextSub++
	ks.subs[id] = fn
	ks.subsMu.Unlock()
	return func() {
		ks.subsMu.Lock()
		delete(ks.subs, id)
		ks.subsMu.Unlock()
	}
}

func (ks *Keystores) dispatch(ev Event) {
	ks.subsMu.Lock()
	fns := make([]func(Event), 0, len(ks.subs))
	for _, fn := range ks.subs {
		fns = append(fns, fn)
	}
	ks.subsMu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

// Close stops every keystore's scheduler.
func (ks *Keystores) Close() error {
	for _, s := range ks.All() {
		s.Close()
	}
	return nil
}

// OpenKeystoresReadOnly is OpenReadOnly for every account's keystore in cfg.DB (offline
// tools decrypting what any account encrypted); For never creates one on the result.
func OpenKeystoresReadOnly(cfg Config) (*Keystores, error) {
	cfg.Namespace = ""
	p, err := OpenReadOnly(cfg)
	if err != nil {
		return nil, err
	}
	ks := &Keystores{cfg: cfg, open: map[string]*Service{}, subs: map[int]func(Event){}, primary: p, readOnly: true}
	ks.adopt(cfg.AccountID, p)
	var nss []string
	if err := cfg.DB.View(func(tx kv.Tx) error { nss = namespacesTx(tx); return nil }); err != nil {
		return nil, err
	}
	for _, ns := range nss {
		if ns == "" || ns == cfg.AccountID {
			continue
		}
		c := cfg
		c.AccountID, c.Namespace = ns, ns
		s, err := OpenReadOnly(c)
		if err != nil {
			return nil, fmt.Errorf("kms: the keystore of account %s: %w", ns, err)
		}
		ks.adopt(ns, s)
	}
	return ks, nil
}

// ForCiphertext is the keystore holding the key a ciphertext blob names (the primary's when
// none does: its Decrypt then reports the blob as AWS would).
func (ks *Keystores) ForCiphertext(blob []byte) *Service {
	if a := ks.KeyAccount(CiphertextKeyID(blob)); a != "" {
		if s := ks.Lookup(a); s != nil {
			return s
		}
	}
	return ks.primary
}

// AccountID is the account whose keystore s is.
func (s *Service) AccountID() string { return s.cfg.AccountID }
