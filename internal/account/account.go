// Package account is the registry of the AWS-shaped accounts one Arca holds (docs/ACCOUNTS.md).
// Each account has a 12-digit id, a name, a status and a root user with one access key
// pair. The PRIMARY account is the one every data directory has had from its first start
// (identity.json and its root credentials, kept by the server): it exists without any
// record here, its root is the operator, and it can never be disabled. Other accounts are
// records in the shared kv store, authenticated with the file's record key (recauth) and
// holding their root's secret access key sealed under the root key. Every change is
// durable before it returns.
//
// Layout (docs/FORMAT.md):
//
//	accounts/<account id> -> accountRec (JSON), recauth kind "account", location [id]
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/arcastore/arca/internal/errs"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/recauth"
	"github.com/arcastore/arca/internal/rootkey"
)

// Account statuses (AWS Organizations' names).
const (
	StatusActive    = "ACTIVE"
	StatusSuspended = "SUSPENDED"
)

// Account is one account.
type Account struct {
	ID              string // 12 digits
	Name            string
	Status          string // StatusActive or StatusSuspended
	Created         time.Time
	RootAccessKeyID string
	// Primary is true for the data directory's first account (the operator's).
	Primary bool
}

// Active reports whether the account's credentials authenticate.
func (a Account) Active() bool { return a.Status == StatusActive }

// CanonicalID is the 64-hex canonical user id S3 shows for the account (Owner elements,
// ACL grants): the SHA-256 of "arca-owner/"+id, which is what the primary account's
// identity.json has always held.
func CanonicalID(accountID string) string {
	sum := sha256.Sum256([]byte("arca-owner/" + accountID))
	return hex.EncodeToString(sum[:])
}

// Sentinel errors; internal/apierr maps them to the admin API's wire errors.
var (
	ErrNotFound      = errors.New("account: no such account")
	ErrInvalidName   = errors.New("account: invalid account name")
	ErrPrimary       = errors.New("account: the primary account cannot be changed")
	ErrSuspended     = errors.New("account: the account is suspended")
	ErrWrongRootKey  = errors.New("account: the root key does not open the stored root secrets")
	ErrDamagedRecord = recauth.ErrDamaged
)

// Record kind bound into each record's tag.
const KindAccount = "account"

var bktAccounts = []byte("accounts")

// MaxNameLen bounds an account name (AWS Organizations' AccountName: 1 to 50 characters).
const MaxNameLen = 50

// Config is what a Registry needs.
type Config struct {
	DB kv.DB
	// Root seals the roots' secret access keys.
	Root *rootkey.Key
	// RecordKey authenticates the records (meta.KVStore.RecordKey); nil: a key of this
	// Registry only (tests that never reopen).
	RecordKey *recauth.Key
	// Primary is the data directory's first account (ID, Name, Created, RootAccessKeyID);
	// PrimarySecret its root's secret access key.
	Primary       Account
	PrimarySecret string
	Log           *slog.Logger
	Now           func() time.Time
}

type accountRec struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	AKID    string    `json:"root_access_key_id"`
	Sealed  []byte    `json:"sealed_root_secret"`
	// Seq orders the accounts by creation (1 for the first created).
	Seq    int    `json:"seq"`
	secret string // unsealed, in memory only
}

func (r *accountRec) account() Account {
	return Account{ID: r.ID, Name: r.Name, Status: r.Status, Created: r.Created, RootAccessKeyID: r.AKID}
}

type state struct {
	byID  map[string]*accountRec
	byKey map[string]*accountRec // root access key id -> record
}

// Registry is the set of accounts. Safe for concurrent use; reads take no lock.
type Registry struct {
	cfg     Config
	primary Account
	cur     atomic.Pointer[state]
	wmu     sync.Mutex
}

func secretAAD(id, akid string) string { return "arca/account/root-secret/" + id + "/" + akid }

// Open loads the registry from cfg.DB, creating its bucket on first use. A record that
// fails authentication is logged and skipped (its root does not authenticate).
func Open(ctx context.Context, cfg Config) (*Registry, error) {
	if cfg.DB == nil || cfg.Root == nil || len(cfg.Primary.ID) != 12 {
		return nil, fmt.Errorf("account: Open needs a database, a root key and the primary account")
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
	if err := cfg.DB.Update(func(tx kv.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bktAccounts)
		return err
	}); err != nil {
		return nil, fmt.Errorf("account: init: %w", err)
	}
	st := &state{byID: map[string]*accountRec{}, byKey: map[string]*accountRec{}}
	err := cfg.DB.View(func(tx kv.Tx) error {
		return tx.Bucket(bktAccounts).ForEach(func(k, v []byte) error {
			rec, err := openRec(cfg.RecordKey, string(k), v)
			if err != nil {
				cfg.Log.Error("account: damaged record: it fails authentication or does not decode; the account's root does not authenticate; run 'arca admin check' on the stopped server", "account", string(k))
				return nil
			}
			st.byID[rec.ID] = rec
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	for _, rec := range st.byID {
		raw, err := cfg.Root.Open(secretAAD(rec.ID, rec.AKID), rec.Sealed)
		if err != nil {
			return nil, fmt.Errorf("%w (account %s)", ErrWrongRootKey, rec.ID)
		}
		rec.secret = string(raw)
		st.byKey[rec.AKID] = rec
	}
	p := cfg.Primary
	p.Primary, p.Status = true, StatusActive
	if p.Name == "" {
		p.Name = "primary"
	}
	r := &Registry{cfg: cfg, primary: p}
	r.cur.Store(st)
	return r, nil
}

func openRec(rk *recauth.Key, id string, raw []byte) (*accountRec, error) {
	body, err := rk.Open(KindAccount, []string{id}, raw)
	if err != nil {
		return nil, ErrDamagedRecord
	}
	rec := &accountRec{}
	if json.Unmarshal(body, rec) != nil || rec.ID != id || rec.AKID == "" {
		return nil, ErrDamagedRecord
	}
	return rec, nil
}

func sealRec(rk *recauth.Key, rec *accountRec) []byte {
	data, _ := json.Marshal(rec)
	return rk.Seal(KindAccount, []string{rec.ID}, data)
}

// Primary returns the primary account.
func (r *Registry) Primary() Account { return r.primary }

// IsPrimary reports whether id is the primary account.
func (r *Registry) IsPrimary(id string) bool { return id == r.primary.ID }

// Get returns the account id.
func (r *Registry) Get(ctx context.Context, id string) (Account, error) {
	if err := ctx.Err(); err != nil {
		return Account{}, err
	}
	if id == r.primary.ID {
		return r.primary, nil
	}
	rec, ok := r.cur.Load().byID[id]
	if !ok {
		return Account{}, errs.Newf(ErrNotFound, "Account %s does not exist.", id)
	}
	return rec.account(), nil
}

// List returns every account, the primary first, then in the order they were created.
func (r *Registry) List(ctx context.Context) ([]Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs := slices.Collect(maps.Values(r.cur.Load().byID))
	slices.SortFunc(recs, func(a, b *accountRec) int {
		if a.Seq != b.Seq {
			return a.Seq - b.Seq
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := []Account{r.primary}
	for _, rec := range recs {
		out = append(out, rec.account())
	}
	return out, nil
}

// LookupRoot returns the account whose root holds accessKeyID and its secret: the primary
// (compared in constant time) or another account. ErrNotFound when no root holds it;
// ErrSuspended (with the account) when the account is suspended.
func (r *Registry) LookupRoot(ctx context.Context, accessKeyID string) (Account, string, error) {
	if err := ctx.Err(); err != nil {
		return Account{}, "", err
	}
	if subtle.ConstantTimeCompare([]byte(accessKeyID), []byte(r.primary.RootAccessKeyID)) == 1 {
		return r.primary, r.cfg.PrimarySecret, nil
	}
	rec, ok := r.cur.Load().byKey[accessKeyID]
	if !ok {
		return Account{}, "", ErrNotFound
	}
	if rec.Status != StatusActive {
		return rec.account(), "", ErrSuspended
	}
	return rec.account(), rec.secret, nil
}

// ValidName checks an account name: 1 to MaxNameLen characters, printable, no control
// characters.
func ValidName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxNameLen || !utf8.ValidString(name) || strings.TrimSpace(name) != name {
		return errs.Newf(ErrInvalidName, "The account name must be 1 to %d characters, without leading or trailing spaces.", MaxNameLen)
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f {
			return errs.New(ErrInvalidName, "The account name must not contain control characters.")
		}
	}
	return nil
}

// Create makes an active account named name with a new 12-digit id and root access key
// pair, durable before it returns; it returns the account and its root's secret.
func (r *Registry) Create(ctx context.Context, name string) (Account, string, error) {
	if err := ValidName(name); err != nil {
		return Account{}, "", err
	}
	if err := ctx.Err(); err != nil {
		return Account{}, "", err
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	old := r.cur.Load()
	var id string
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(9e11))
		if err != nil {
			return Account{}, "", err
		}
		id = fmt.Sprintf("%012d", n.Int64()+1e11)
		if _, taken := old.byID[id]; !taken && id != r.primary.ID {
			break
		}
	}
	akid, secret := NewAccessKeyPair()
	rec := &accountRec{ID: id, Name: name, Status: StatusActive, Created: r.now(), AKID: akid, Seq: len(old.byID) + 1,
		Sealed: r.cfg.Root.Seal(secretAAD(id, akid), []byte(secret)), secret: secret}
	if err := r.put(rec); err != nil {
		return Account{}, "", err
	}
	st := &state{byID: maps.Clone(old.byID), byKey: maps.Clone(old.byKey)}
	st.byID[id], st.byKey[akid] = rec, rec
	r.cur.Store(st)
	return rec.account(), secret, nil
}

// Disable suspends account id: its root's and its IAM users' credentials stop
// authenticating. Disabling a suspended account is not an error; the primary account
// cannot be disabled (ErrPrimary).
func (r *Registry) Disable(ctx context.Context, id string) (Account, error) {
	if err := ctx.Err(); err != nil {
		return Account{}, err
	}
	if id == r.primary.ID {
		return Account{}, errs.New(ErrPrimary, "The primary account (the operator's) cannot be disabled.")
	}
	r.wmu.Lock()
	defer r.wmu.Unlock()
	old := r.cur.Load()
	cur, ok := old.byID[id]
	if !ok {
		return Account{}, errs.Newf(ErrNotFound, "Account %s does not exist.", id)
	}
	if cur.Status == StatusSuspended {
		return cur.account(), nil
	}
	rec := *cur
	rec.Status = StatusSuspended
	if err := r.put(&rec); err != nil {
		return Account{}, err
	}
	st := &state{byID: maps.Clone(old.byID), byKey: maps.Clone(old.byKey)}
	st.byID[id], st.byKey[rec.AKID] = &rec, &rec
	r.cur.Store(st)
	return rec.account(), nil
}

// put writes rec durably.
func (r *Registry) put(rec *accountRec) error {
	data := sealRec(r.cfg.RecordKey, rec)
	if err := r.cfg.DB.Update(func(tx kv.Tx) error {
		return tx.Bucket(bktAccounts).Put([]byte(rec.ID), data)
	}); err != nil {
		return fmt.Errorf("account: write: %w", err)
	}
	return nil
}

func (r *Registry) now() time.Time {
	if r.cfg.Now != nil {
		return r.cfg.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

// NewAccessKeyPair returns a fresh access key id ("AKIA" and 16 base-32 characters) and a
// 40-character secret, shaped as AWS's.
func NewAccessKeyPair() (akid, secret string) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	var sb [30]byte
	rand.Read(sb[:])
	return "AKIA" + string(b), strings.NewReplacer("+", "A", "/", "z").Replace(base64.StdEncoding.EncodeToString(sb[:]))
}

// ResealTx re-seals every account root's secret from old to new inside tx (for `arca
// admin rotate-root-key`, in the same transaction as the record key's re-sealing: it is
// opened with old, else new). It returns how many it re-sealed; a damaged record is left
// as it is.
func ResealTx(tx kv.Tx, old, new *rootkey.Key) (int, error) {
	b := tx.Bucket(bktAccounts)
	if b == nil {
		return 0, nil
	}
	rk, err := meta.RecordKeyTx(tx, old)
	if err != nil {
		if rk, err = meta.RecordKeyTx(tx, new); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrWrongRootKey, err)
		}
	}
	type row struct{ k, v []byte }
	var out []row
	err = b.ForEach(func(k, v []byte) error {
		rec, err := openRec(rk, string(k), v)
		if err != nil {
			return nil
		}
		secret, err := old.Open(secretAAD(rec.ID, rec.AKID), rec.Sealed)
		if err != nil {
			return fmt.Errorf("%w (account %s)", ErrWrongRootKey, rec.ID)
		}
		rec.Sealed = new.Seal(secretAAD(rec.ID, rec.AKID), secret)
		out = append(out, row{[]byte(rec.ID), sealRec(rk, rec)})
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

// WalkedRecord is one account record met by WalkRecordsTx.
type WalkedRecord struct {
	ID  string
	Err error // ErrDamagedRecord or nil
}

// WalkRecordsTx calls fn for every account record in tx, authenticating each with rk
// (for `arca admin check`).
func WalkRecordsTx(tx kv.Tx, rk *recauth.Key, fn func(WalkedRecord)) error {
	b := tx.Bucket(bktAccounts)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		_, err := openRec(rk, string(k), v)
		fn(WalkedRecord{ID: string(k), Err: err})
		return nil
	})
}

// ListTx returns the ids of the stored (non-primary) accounts that authenticate, for
// offline tools that open each account's stores.
func ListTx(tx kv.Tx, rk *recauth.Key) ([]string, error) {
	var ids []string
	err := WalkRecordsTx(tx, rk, func(w WalkedRecord) {
		if w.Err == nil {
			ids = append(ids, w.ID)
		}
	})
	return ids, err
}
