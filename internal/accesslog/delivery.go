package accesslog

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/kv"
)

// Delivery bounds: one pass reads at most this many audit records (and bytes of them)
// before it writes their log objects and moves the watermark.
const (
	maxBatchRecords = 10000
	maxBatchBytes   = 8 << 20
	// DefaultInterval is how often logs are delivered when the configuration says nothing.
	DefaultInterval = 5 * time.Minute
)

var (
	bucketState = []byte("accesslog")
	keyState    = []byte("state")
)

// ErrTargetUnusable: the target bucket no longer exists or no longer accepts logs; the
// lines meant for it are dropped (as on S3) and the delivery goes on.
var ErrTargetUnusable = errors.New("accesslog: target bucket unusable")

// Object is one log object to write.
type Object struct {
	// Account owns the target bucket; SourceBucket is the bucket whose requests it logs.
	Account, Bucket, Key string
	SourceBucket         string
	// Target is the logging configuration the lines were made under.
	Target Config
	Body   []byte
}

// Deps are what delivery needs from the rest of Arca.
type Deps struct {
	// DB is the metadata store holding the audit records; the delivery watermark lives
	// beside them.
	DB kv.DB
	// Head commits the queued audit records and returns the newest one's seq.
	Head func() (uint64, error)
	// Put writes a log object through the object engine (encrypted by the target bucket's
	// default encryption), after checking that the target still accepts logs from the
	// source (ErrTargetUnusable when not). Writing the same key twice with the same body
	// must be harmless.
	Put func(ctx context.Context, o Object) error
	Now func() time.Time
	Log *slog.Logger
}

// state is the delivery watermark, committed in the metadata store. Cursor is the last
// audit record seq whose lines are delivered. Pending, when set, is a batch whose objects
// may be partly written: its keys are fixed (At and the seq range decide them), so after a
// crash the same objects are written again, under the same keys, with the same lines, and
// only then does Cursor move past them.
type state struct {
	Cursor  uint64   `json:"cursor"`
	Pending *pending `json:"pending,omitempty"`
}

type pending struct {
	From uint64    `json:"from"` // exclusive
	To   uint64    `json:"to"`   // inclusive
	At   time.Time `json:"at"`
}

// Service delivers access logs from the audit records. Deliver may be called from one
// goroutine at a time (it locks).
type Service struct {
	d  Deps
	mu sync.Mutex
}

// New opens the delivery state, starting at the newest audit record when there is none
// (requests made before the first start are not logged).
func New(d Deps) (*Service, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Service{d: d}
	st, err := s.load()
	if err != nil {
		return nil, err
	}
	if st == nil {
		head, err := d.Head()
		if err != nil {
			return nil, err
		}
		if err := s.store(&state{Cursor: head}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Run delivers every interval until ctx is done.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, _, err := s.Deliver(ctx); err != nil && ctx.Err() == nil {
				s.d.Log.Error("accesslog: delivery failed; retrying at the next interval", "err", err)
			}
		}
	}
}

// Deliver writes the log lines of every audit record committed since the last delivery
// and returns how many objects and lines it wrote.
func (s *Service) Deliver(ctx context.Context) (objects, lines int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load()
	if err != nil || st == nil {
		return 0, 0, err
	}
	if p := st.Pending; p != nil {
		o, n, err := s.write(ctx, p)
		if err != nil {
			return 0, 0, err
		}
		objects, lines = o, n
		st = &state{Cursor: p.To}
		if err := s.store(st); err != nil {
			return objects, lines, err
		}
	}
	head, err := s.d.Head()
	if err != nil {
		return objects, lines, err
	}
	for st.Cursor < head {
		read, err := audit.ReadAfter(s.d.DB, st.Cursor, head, maxBatchRecords, maxBatchBytes)
		if err != nil {
			return objects, lines, err
		}
		next := head
		if len(read) > 0 {
			next = read[len(read)-1].Seq
		}
		if len(entries(read)) == 0 {
			st = &state{Cursor: next}
			if err := s.store(st); err != nil {
				return objects, lines, err
			}
			continue
		}
		p := &pending{From: st.Cursor, To: next, At: s.d.Now().UTC().Truncate(time.Second)}
		if err := s.store(&state{Cursor: st.Cursor, Pending: p}); err != nil {
			return objects, lines, err
		}
		o, n, err := s.write(ctx, p)
		if err != nil {
			return objects, lines, err
		}
		objects, lines = objects+o, lines+n
		st = &state{Cursor: next}
		if err := s.store(st); err != nil {
			return objects, lines, err
		}
	}
	return objects, lines, nil
}

// write writes p's objects: the lines of the records (p.From, p.To], grouped by source
// bucket and target (and event day for an EventTime partition), one object per group.
func (s *Service) write(ctx context.Context, p *pending) (objects, lines int, err error) {
	read, err := audit.ReadAfter(s.d.DB, p.From, p.To, int(min(p.To-p.From, 1<<30)), 1<<40)
	if err != nil {
		return 0, 0, err
	}
	for _, g := range groups(entries(read), p) {
		err := s.d.Put(ctx, g.obj)
		if errors.Is(err, ErrTargetUnusable) {
			s.d.Log.Warn("accesslog: target bucket does not accept logs; lines dropped", "source", g.obj.SourceBucket, "target", g.obj.Bucket, "lines", g.lines, "err", err)
			continue
		}
		if err != nil {
			return objects, lines, fmt.Errorf("accesslog: writing s3://%s/%s: %w", g.obj.Bucket, g.obj.Key, err)
		}
		objects, lines = objects+1, lines+g.lines
	}
	return objects, lines, nil
}

func entries(read []audit.Stored) []Entry {
	var out []Entry
	for _, r := range read {
		if e, ok := FromRecord(r.JSON); ok {
			out = append(out, e)
		}
	}
	return out
}

type group struct {
	obj   Object
	lines int
}

// groups builds the objects of a batch, in a fixed order with fixed keys.
func groups(es []Entry, p *pending) []group {
	type gk struct {
		src, account, region string
		target               Config
		day                  string
	}
	byKey := map[gk]*strings.Builder{}
	count := map[gk]int{}
	var order []gk
	for _, e := range es {
		k := gk{src: e.Line.Bucket, account: e.SourceAccount, region: e.SourceRegion, target: e.Target}
		if e.Target.KeyFormat == FormatPartitioned && e.Target.PartitionDateSource == DateEventTime {
			k.day = e.Line.Time.UTC().Format("2006/01/02")
		}
		b := byKey[k]
		if b == nil {
			b = &strings.Builder{}
			byKey[k] = b
			order = append(order, k)
		}
		b.WriteString(e.Line.String())
		b.WriteByte('\n')
		count[k]++
	}
	sort.SliceStable(order, func(i, j int) bool { return fmt.Sprint(order[i]) < fmt.Sprint(order[j]) })
	out := make([]group, 0, len(order))
	for _, k := range order {
		h := sha256.New()
		var n [16]byte
		binary.BigEndian.PutUint64(n[:8], p.From)
		binary.BigEndian.PutUint64(n[8:], p.To)
		h.Write(n[:])
		h.Write([]byte(fmt.Sprint(k)))
		unique := strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:16])
		key := ObjectKey(k.target, k.account, k.region, k.src, p.At, k.day, unique)
		out = append(out, group{obj: Object{Account: k.account, Bucket: k.target.TargetBucket, Key: key, SourceBucket: k.src,
			Target: k.target, Body: []byte(byKey[k].String())}, lines: count[k]})
	}
	return out
}

// ObjectKey is a log object's key. SimplePrefix:
// [TargetPrefix][YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString]; PartitionedPrefix:
// [TargetPrefix][SourceAccountId]/[SourceRegion]/[SourceBucket]/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString],
// the partition date being day (YYYY/MM/DD, for EventTime) or the delivery's.
func ObjectKey(c Config, account, region, src string, at time.Time, day, unique string) string {
	at = at.UTC()
	name := at.Format("2006-01-02-15-04-05") + "-" + unique
	if c.KeyFormat != FormatPartitioned {
		return c.TargetPrefix + name
	}
	if day == "" {
		day = at.Format("2006/01/02")
	}
	return c.TargetPrefix + account + "/" + region + "/" + src + "/" + day + "/" + name
}

func (s *Service) load() (*state, error) {
	var st *state
	err := s.d.DB.View(func(tx kv.Tx) error {
		b := tx.Bucket(bucketState)
		if b == nil {
			return nil
		}
		v := b.Get(keyState)
		if v == nil {
			return nil
		}
		st = new(state)
		return json.Unmarshal(v, st)
	})
	return st, err
}

func (s *Service) store(st *state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.d.DB.Update(func(tx kv.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketState)
		if err != nil {
			return err
		}
		return b.Put(keyState, data)
	})
}

// Cursor is the last audit record seq whose lines are delivered: audit records after it
// must not be pruned.
func (s *Service) Cursor() (uint64, error) { return PruneBound(s.d.DB) }

// PruneBound is the highest audit record seq that may be pruned without losing an
// undelivered line (audit.Trail.Prune's maxSeq): the delivery cursor, or the start of a
// pass in progress; the largest seq when delivery has never run (nothing to hold back).
func PruneBound(db kv.DB) (uint64, error) {
	s := &Service{d: Deps{DB: db}}
	st, err := s.load()
	if err != nil || st == nil {
		return ^uint64(0), err
	}
	if st.Pending != nil {
		return st.Pending.From, nil
	}
	return st.Cursor, nil
}
