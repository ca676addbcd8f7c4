package iam

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// Layout in the shared kv store, one top-level bucket with four nested ones; every record
// is a recauth envelope of its kind bound to its key in its bucket (stored.go):
//
//	iam/users/<lowercase name>     -> userRec (JSON), kind "iam-user"
//	iam/groups/<lowercase name>    -> groupRec (JSON), kind "iam-group"
//	iam/policies/<lowercase name>  -> policyRec (JSON), kind "iam-policy"
//	iam/keys/<access key id>       -> keyRec (JSON; the secret sealed under the root key), kind "iam-access-key"
//
// A store with a Namespace (an account other than the primary, docs/ACCOUNTS.md) keeps the
// same four nested buckets under iam-accounts/<namespace>/ instead of iam/, and binds the
// namespace into every record's tag (location [namespace, name]), so a record copied from
// one account to another fails authentication.
var (
	bktIAM         = []byte("iam")
	bktIAMAccounts = []byte("iam-accounts")
	kinds          = [...]string{kindUsers, kindGroups, kindPolicies, kindKeys}
)

const (
	kindUsers    = "users"
	kindGroups   = "groups"
	kindPolicies = "policies"
	kindKeys     = "keys"
)

type inlinePolicy struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// principalRec is what users and groups share: identity, path and policies.
type principalRec struct {
	Name     string                  `json:"name"`
	ID       string                  `json:"id"`
	Path     string                  `json:"path"`
	Created  time.Time               `json:"created"`
	Inline   map[string]inlinePolicy `json:"inline,omitempty"`   // by lowercase policy name
	Attached []string                `json:"attached,omitempty"` // lowercase managed policy names, sorted
}

type userRec struct {
	principalRec
	Groups []string `json:"groups,omitempty"` // lowercase group names, sorted
	Keys   []string `json:"keys,omitempty"`   // access key ids, oldest first
}

type groupRec struct {
	principalRec
}

type versionRec struct {
	ID      string    `json:"id"`
	Doc     string    `json:"doc"`
	Created time.Time `json:"created"`
}

type policyRec struct {
	Name        string       `json:"name"`
	ID          string       `json:"id"`
	Path        string       `json:"path"`
	Description string       `json:"description,omitempty"`
	Created     time.Time    `json:"created"`
	Updated     time.Time    `json:"updated"`
	Default     string       `json:"default"`
	Versions    []versionRec `json:"versions"`
}

type keyRec struct {
	ID      string    `json:"id"`
	User    string    `json:"user"` // lowercase user name
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	Sealed  []byte    `json:"sealed_secret"`
	// secret is the unsealed secret, held in memory only while the key is Active.
	secret string
}

func (p principalRec) clone() principalRec {
	p.Inline = maps.Clone(p.Inline)
	p.Attached = slices.Clone(p.Attached)
	return p
}

func (u *userRec) clone() *userRec {
	c := *u
	c.principalRec = u.principalRec.clone()
	c.Groups, c.Keys = slices.Clone(u.Groups), slices.Clone(u.Keys)
	return &c
}

func (g *groupRec) clone() *groupRec { return &groupRec{g.principalRec.clone()} }

// state is an immutable snapshot of everything. Records in it are never modified: a
// writer clones the maps, replaces records with modified copies and publishes the new
// snapshot once it is durable.
type state struct {
	users    map[string]*userRec
	groups   map[string]*groupRec
	policies map[string]*policyRec
	keys     map[string]*keyRec
	// damaged names the records that failed authentication at Open: a request naming one
	// gets ErrDamagedRecord. Deleting the place (DeleteUser, DeleteAccessKey) clears it.
	damaged map[ref]bool
}

func (s *state) clone() *state {
	return &state{users: maps.Clone(s.users), groups: maps.Clone(s.groups),
		policies: maps.Clone(s.policies), keys: maps.Clone(s.keys), damaged: maps.Clone(s.damaged)}
}

// isDamaged reports whether the record kind/name failed authentication at Open.
func (s *state) isDamaged(kind, name string) bool { return s.damaged[ref{kind, name}] }

// Store is the identity store. It is safe for concurrent use: changes are serialised and
// durable before they return; reads use the current snapshot without locking.
type Store struct {
	cfg Config
	cur atomic.Pointer[state]
	wmu sync.Mutex // serialises writers; readers never take it
}

// Open loads the store from cfg.DB, creating its buckets on first use, and unseals the
// secrets of active access keys. It fails with ErrWrongRootKey if cfg.Root does not open
// them. A record that fails authentication costs that entity only: it is logged once and
// answers ErrDamagedRecord.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.DB == nil || cfg.Root == nil || len(cfg.AccountID) != 12 {
		return nil, fmt.Errorf("iam: Open needs a database, a root key and a 12-digit account id")
	}
	if cfg.RecordKey == nil {
		cfg.RecordKey = recauth.New(recauth.Generate())
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	err := cfg.DB.Update(func(tx kv.Tx) error {
		top, err := createTop(tx, cfg.Namespace)
		if err != nil {
			return err
		}
		for _, k := range kinds {
			if _, err := top.CreateBucketIfNotExists([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("iam: init: %w", err)
	}
	st := &state{users: map[string]*userRec{}, groups: map[string]*groupRec{},
		policies: map[string]*policyRec{}, keys: map[string]*keyRec{}, damaged: map[ref]bool{}}
	err = cfg.DB.View(func(tx kv.Tx) error {
		top := topBucket(tx, cfg.Namespace)
		for _, kind := range kinds {
			err := top.Bucket([]byte(kind)).ForEach(func(k, v []byte) error {
				name := string(k)
				rec, err := openRec(cfg.RecordKey, cfg.Namespace, kind, name, v)
				switch r := rec.(type) {
				case *userRec:
					st.users[name] = r
				case *groupRec:
					st.groups[name] = r
				case *policyRec:
					st.policies[name] = r
				case *keyRec:
					st.keys[name] = r
				default:
					st.damaged[ref{kind, name}] = true
					cfg.Log.Error("iam: damaged record: it fails authentication or does not decode and is not served (a damaged user's access keys do not authenticate); run 'arca admin check' on the stopped server",
						"kind", recordKind[kind], "name", name, "err", err)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range st.keys {
		if k.Status == StatusActive {
			if k.secret, err = openSecret(cfg.Root, k); err != nil {
				return nil, err
			}
		}
	}
	s := &Store{cfg: cfg}
	s.cur.Store(st)
	return s, nil
}

func openSecret(root *rootkey.Key, k *keyRec) (string, error) {
	raw, err := root.Open(secretAAD(k.ID), k.Sealed)
	if err != nil {
		return "", fmt.Errorf("%w (access key %s)", ErrWrongRootKey, k.ID)
	}
	return string(raw), nil
}

func (s *Store) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

// snapshot returns the current state for reading.
func (s *Store) snapshot(ctx context.Context) (*state, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.cur.Load(), nil
}

// ref names one record for persisting.
type ref struct{ kind, key string }

// writer is one change being prepared on a private copy of the state.
type writer struct {
	st    *state
	dirty map[ref]struct{}
	now   time.Time
}

func (w *writer) mark(r ref) {
	delete(w.st.damaged, r) // a write replaces, a delete removes, a damaged record
	w.dirty[r] = struct{}{}
}

func (w *writer) putUser(u *userRec) {
	w.st.users[key(u.Name)] = u
	w.mark(ref{kindUsers, key(u.Name)})
}

func (w *writer) putGroup(g *groupRec) {
	w.st.groups[key(g.Name)] = g
	w.mark(ref{kindGroups, key(g.Name)})
}

func (w *writer) putPolicy(p *policyRec) {
	w.st.policies[key(p.Name)] = p
	w.mark(ref{kindPolicies, key(p.Name)})
}

func (w *writer) putKey(k *keyRec) {
	w.st.keys[k.ID] = k
	w.mark(ref{kindKeys, k.ID})
}

func (w *writer) del(kind, k string) {
	switch kind {
	case kindUsers:
		delete(w.st.users, k)
	case kindGroups:
		delete(w.st.groups, k)
	case kindPolicies:
		delete(w.st.policies, k)
	case kindKeys:
		delete(w.st.keys, k)
	}
	w.mark(ref{kind, k})
}

// record returns the record r names in st, nil if it was deleted.
func (st *state) record(r ref) any {
	var v any
	var ok bool
	switch r.kind {
	case kindUsers:
		v, ok = st.users[r.key]
	case kindGroups:
		v, ok = st.groups[r.key]
	case kindPolicies:
		v, ok = st.policies[r.key]
	case kindKeys:
		v, ok = st.keys[r.key]
	}
	if !ok {
		return nil
	}
	return v
}

// update runs fn on a private copy of the state, writes what it changed in one durable
// transaction, then publishes the copy. Writers are serialised; readers go on reading the
// old snapshot until the new one is durable.
func (s *Store) update(ctx context.Context, fn func(w *writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := &writer{st: s.cur.Load().clone(), dirty: map[ref]struct{}{}, now: s.now()}
	if err := fn(w); err != nil {
		return err
	}
	if len(w.dirty) == 0 {
		return nil
	}
	type op struct {
		r ref
		v []byte // nil = delete
	}
	ops := make([]op, 0, len(w.dirty))
	for r := range w.dirty {
		o := op{r: r}
		if rec := w.st.record(r); rec != nil {
			data, err := sealRec(s.cfg.RecordKey, s.cfg.Namespace, r.kind, r.key, rec)
			if err != nil {
				return err
			}
			o.v = data
		}
		ops = append(ops, o)
	}
	// The function may run more than once (kv.DB.Update retries a group without a failed
	// member), so it only puts precomputed values.
	err := s.cfg.DB.Update(func(tx kv.Tx) error {
		top := topBucket(tx, s.cfg.Namespace)
		for _, o := range ops {
			b := top.Bucket([]byte(o.r.kind))
			var err error
			if o.v == nil {
				err = b.Delete([]byte(o.r.key))
			} else {
				err = b.Put([]byte(o.r.key), o.v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("iam: write: %w", err)
	}
	s.cur.Store(w.st)
	return nil
}

// ResealTx re-seals every stored secret access key from old to new inside tx (for
// `arca admin rotate-root-key`, in the same transaction as the KMS material), rewriting
// each access key record authenticated with the file's record key (which that transaction
// re-seals too, before or after this: it is opened with old, else new). It returns how
// many were re-sealed, and ErrWrongRootKey if old does not open them. A damaged access key
// record is left as it is (it authenticates nothing; its secret cannot be trusted).
func ResealTx(tx kv.Tx, old, new *rootkey.Key) (int, error) {
	if tx.Bucket(bktIAM) == nil && tx.Bucket(bktIAMAccounts) == nil {
		return 0, nil
	}
	rk, err := meta.RecordKeyTx(tx, old)
	if err != nil {
		if rk, err = meta.RecordKeyTx(tx, new); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrWrongRootKey, err)
		}
	}
	n := 0
	for _, ns := range namespacesTx(tx) {
		m, err := resealNS(tx, rk, ns, old, new)
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

// namespacesTx returns "" (the primary store, when it exists) and every namespace in tx.
func namespacesTx(tx kv.Tx) []string {
	var out []string
	if tx.Bucket(bktIAM) != nil {
		out = append(out, "")
	}
	if a := tx.Bucket(bktIAMAccounts); a != nil {
		a.ForEachBucket(func(k []byte) error {
			out = append(out, string(k))
			return nil
		})
	}
	return out
}

// topBucket returns the store's top bucket for namespace ns, or nil.
func topBucket(tx kv.Tx, ns string) kv.Bucket {
	if ns == "" {
		return tx.Bucket(bktIAM)
	}
	a := tx.Bucket(bktIAMAccounts)
	if a == nil {
		return nil
	}
	return a.Bucket([]byte(ns))
}

func createTop(tx kv.Tx, ns string) (kv.Bucket, error) {
	if ns == "" {
		return tx.CreateBucketIfNotExists(bktIAM)
	}
	a, err := tx.CreateBucketIfNotExists(bktIAMAccounts)
	if err != nil {
		return nil, err
	}
	return a.CreateBucketIfNotExists([]byte(ns))
}

func resealNS(tx kv.Tx, rk *recauth.Key, ns string, old, new *rootkey.Key) (int, error) {
	b := topBucket(tx, ns).Bucket([]byte(kindKeys))
	if b == nil {
		return 0, nil
	}
	type row struct{ k, v []byte }
	var out []row
	err := b.ForEach(func(k, v []byte) error {
		r, err := openRec(rk, ns, kindKeys, string(k), v)
		if err != nil {
			return nil
		}
		rec := r.(*keyRec)
		secret, err := old.Open(secretAAD(rec.ID), rec.Sealed)
		if err != nil {
			return fmt.Errorf("%w (access key %s)", ErrWrongRootKey, rec.ID)
		}
		rec.Sealed = new.Seal(secretAAD(rec.ID), secret)
		clear(secret)
		data, err := sealRec(rk, ns, kindKeys, rec.ID, rec)
		if err != nil {
			return err
		}
		out = append(out, row{append([]byte(nil), k...), data})
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, e := range out {
		if err := b.Put(e.k, e.v); err != nil {
			return 0, err
		}
	}
	return len(out), nil
}
