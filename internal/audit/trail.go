package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/kv"

	"github.com/arcastore/arca/internal/rootkey"
)

// Buckets of the kv store the trail owns.
var (
	bucketEvents = []byte("audit.events") // seq (8 bytes, big endian) -> link (32) || record JSON
	bucketHead   = []byte("audit.head")   // "head" -> seq (8) || link (32); "base" (prune.go); "chainkey", "headmac" (chainkey.go)
	keyHead      = []byte("head")
)

// MaxFlushInterval is the durability bound of records that are not Durable: at most this
// much of them is at risk on a crash.
const MaxFlushInterval = time.Second

// maxFlushBuf is the largest encoding buffer a Trail keeps between flushes.
const maxFlushBuf = 1 << 20

// Config configures a Trail.
type Config struct {
	// DB is the store (group-committed) the records are kept in, shared with the rest of Arca.
	DB kv.DB
	// AccountID fills recipientAccountId.
	AccountID string
	// Root seals the chain key (chainkey.go): on first open with a root key the chain is
	// keyed from the next record on. The server always gives it. Without it (tests of
	// other packages) the chain stays unkeyed, and a chain that is already keyed does not
	// open (ErrRootKeyNeeded).
	Root *rootkey.Key
	// FlushInterval is how often queued records are committed (default and maximum 1 s).
	FlushInterval time.Duration
	// MaxQueue bounds queued records; a Handle that finds the queue full waits for the
	// flush in progress (default 65536).
	MaxQueue int
	Log      *slog.Logger
}

// Trail stores records in the kv store, each chained to the one before by an
// HMAC-SHA256 under the chain key over (seq, previous link, record JSON), so that a
// deleted, inserted or altered record breaks the chain (Verify) and whoever rewrites the
// file without the root key cannot make a new chain. Records stored before the chain was
// keyed keep their SHA-256 links (chainkey.go).
type Trail struct {
	cfg Config
	db  kv.DB
	ck  *chainKey // nil: unkeyed (no root key given)

	mu      sync.Mutex
	space   *sync.Cond // signalled when a flush empties the queue
	queue   []queued
	closed  bool
	failing bool // a flush failed; logged once

	flushMu sync.Mutex // one flush at a time, so the queue is committed in order
	buf     []byte     // Flush's encoding buffer, under flushMu
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

// OpenTrail opens (creating if needed) the trail in cfg.DB and starts the flusher.
func OpenTrail(cfg Config) (*Trail, error) {
	if cfg.FlushInterval <= 0 || cfg.FlushInterval > MaxFlushInterval {
		cfg.FlushInterval = MaxFlushInterval
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = 1 << 16
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	var ck *chainKey
	made := false
	err := cfg.DB.Update(func(tx kv.Tx) error {
		ck, made = nil, false // the function may run more than once
		if _, err := tx.CreateBucketIfNotExists(bucketEvents); err != nil {
			return err
		}
		hb, err := tx.CreateBucketIfNotExists(bucketHead)
		if err != nil {
			return err
		}
		if ck, err = openChainKey(hb, cfg.Root); err != nil || ck != nil || cfg.Root == nil {
			return err
		}
		ck, err = makeChainKey(hb, cfg.Root)
		made = err == nil
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: opening the trail: %w", err)
	}
	if made && ck.from > 1 {
		// Once per data directory, at the first start of a server that keys the chain; seen
		// again later, someone removed the chain key.
		cfg.Log.Warn("audit: the chain is keyed from now on (HMAC-SHA256 under a key sealed by the root key); the records before stay unkeyed",
			"keyed_from_record", ck.from, "unkeyed_records", ck.from-1)
	}
	t := &Trail{cfg: cfg, db: cfg.DB, ck: ck, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	t.space = sync.NewCond(&t.mu)
	go t.flusher()
	return t, nil
}

// Handle stores r: a Durable record is committed (with everything queued before it) before
// Handle returns; any other is queued and committed within FlushInterval.
//
// A cross-account call (Record.CrossAccount: the caller's account is not the recipient)
// is stored twice, as CloudTrail delivers it to both accounts: r for the recipient (the
// resource owner) and a copy for the caller's account, with recipientAccountId the
// caller's, its own eventID and the same sharedEventID. Both enter the one chain in the
// same commit.
func (t *Trail) Handle(ctx context.Context, r *Record) error {
	r.Fill(t.cfg.AccountID)
	var twin *Record
	if r.CrossAccount() {
		if r.SharedEventID == "" {
			r.SharedEventID = NewEventID()
		}
		c := *r
		c.EventID, c.RecipientAccountID = NewEventID(), r.UserIdentity.AccountID
		twin = &c
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return ErrClosed
	}
	for len(t.queue) >= t.cfg.MaxQueue && !t.closed {
		t.signal()
		t.space.Wait()
	}
	var done chan error
	if r.Durable() {
		done = make(chan error, 1)
	}
	if twin != nil {
		t.queue = append(t.queue, queued{twin, nil}) // committed with r: a flush takes the whole queue
	}
	t.queue = append(t.queue, queued{r, done})
	n := len(t.queue)
	t.mu.Unlock()
	if done != nil {
		t.Flush()
		return <-done
	}
	if n >= 4096 {
		t.signal()
	}
	return nil
}

// queued is a record waiting for a flush; done, if set, receives the flush's result.
type queued struct {
	r    *Record
	done chan error
}

func (t *Trail) signal() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// Flush commits every queued record and returns once they are durable.
func (t *Trail) Flush() error {
	t.flushMu.Lock()
	defer t.flushMu.Unlock()
	t.mu.Lock()
	batch := t.queue
	t.queue = nil
	t.space.Broadcast()
	t.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	// The records are encoded back to back into t.buf, reused from flush to flush: safe
	// because appendRecords copies each into the value it Puts, and Update returns only
	// after the last run of its function.
	encoded := make([][]byte, 0, len(batch))
	buf := t.buf[:0]
	var err error
	for _, q := range batch {
		start := len(buf)
		var merr error
		if buf, merr = q.r.appendJSON(buf); merr != nil {
			err = fmt.Errorf("audit: encoding a record: %w", merr)
			break
		}
		encoded = append(encoded, buf[start:len(buf):len(buf)])
	}
	if cap(buf) <= maxFlushBuf {
		t.buf = buf
	}
	if err == nil {
		err = t.db.Update(func(tx kv.Tx) error { return appendRecords(tx, newLinker(t.ck), encoded) })
	}
	for _, q := range batch {
		if q.done != nil {
			q.done <- err
		}
	}
	t.mu.Lock()
	if err != nil && !t.failing {
		t.failing = true
		t.cfg.Log.Error("audit: cannot write the trail; management calls will fail until this is fixed", "records_lost", len(batch), "err", err)
	} else if err == nil {
		t.failing = false
	}
	t.mu.Unlock()
	if err != nil {
		return fmt.Errorf("audit: writing the trail: %w", err)
	}
	return nil
}

// appendRecords chains encoded records after the head, inside tx (so a retried transaction
// recomputes the chain from the committed head). On a keyed chain it first checks the
// head's MAC and refuses to append after a head it does not vouch for: chaining new
// records to a head moved back over deleted records would hide the deletion. Without a
// head it refuses if records are stored (it would overwrite them).
func appendRecords(tx kv.Tx, l *linker, encoded [][]byte) error {
	ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
	if ev == nil || hb == nil {
		return errors.New("audit: trail buckets missing")
	}
	seq, prev := uint64(0), make([]byte, linkSize)
	switch h := hb.Get(keyHead); {
	case len(h) == 8+linkSize:
		seq = binary.BigEndian.Uint64(h)
		copy(prev, h[8:])
		if err := checkHead(hb, l, seq, prev); err != nil {
			return err
		}
	case h != nil:
		return fmt.Errorf("%w: the head is damaged", ErrChainBroken)
	default:
		if k, _ := ev.Cursor().First(); k != nil || (l.ck != nil && l.ck.from > 1) {
			return fmt.Errorf("%w: the head is missing", ErrChainBroken)
		}
	}
	for _, rec := range encoded {
		seq++
		val := make([]byte, 0, linkSize+len(rec))
		val = append(l.link(val, prev, seq, rec), rec...)
		if err := ev.Put(seqKey(seq), val); err != nil {
			return err
		}
		prev = val[:linkSize]
	}
	if err := hb.Put(keyHead, append(seqKey(seq), prev...)); err != nil {
		return err
	}
	if l.ck == nil {
		return nil
	}
	return hb.Put(keyHeadMAC, l.tag(lpHead, seq, prev))
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// keySeq reads a key of audit.events as a seq without trusting its length (only tampering
// makes one that is not 8 bytes): a short key is padded with zeros on the right, a long one
// read by its first 8 bytes, which keeps the keys' byte order, so cursor seeks and the
// binary search stay monotonic. Verify reports such a key as a missing record.
func keySeq(k []byte) uint64 {
	var b [8]byte
	copy(b[:], k)
	return binary.BigEndian.Uint64(b[:])
}

func (t *Trail) flusher() {
	defer close(t.done)
	tick := time.NewTicker(t.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		case <-t.kick:
		}
		t.Flush()
	}
}

// Close stops the flusher and commits what is queued. Handle fails with ErrClosed after.
func (t *Trail) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.space.Broadcast()
	t.mu.Unlock()
	close(t.stop)
	<-t.done
	return t.Flush()
}
