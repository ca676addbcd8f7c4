package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/arcastore/arca/internal/gcommit"
)

// Buckets of the metadata file the trail owns.
var (
	bucketEvents = []byte("audit.events") // seq (8 bytes, big endian) -> chain hash (32) || record JSON
	bucketHead   = []byte("audit.head")   // "head" -> seq (8) || chain hash (32); "base" (prune.go)
	keyHead      = []byte("head")
)

// MaxFlushInterval is the durability bound of records that are not Durable: at most this
// much of them is at risk on a crash.
const MaxFlushInterval = time.Second

// maxFlushBuf is the largest encoding buffer a Trail keeps between flushes.
const maxFlushBuf = 1 << 20

// Config configures a Trail.
type Config struct {
	// DB is the group-committed metadata file the records are stored in.
	DB *gcommit.DB
	// AccountID fills recipientAccountId.
	AccountID string
	// FlushInterval is how often queued records are committed (default and maximum 1 s).
	FlushInterval time.Duration
	// MaxQueue bounds queued records; a Handle that finds the queue full waits for the
	// flush in progress (default 65536).
	MaxQueue int
	Log      *slog.Logger
}

// Trail stores records in the metadata file, each chained to the one before by
// SHA-256(previous hash || seq || record JSON), so that a deleted, inserted or altered
// record breaks the chain (Verify).
type Trail struct {
	cfg Config
	db  *gcommit.DB

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
	err := cfg.DB.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketEvents); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketHead)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: opening the trail: %w", err)
	}
	t := &Trail{cfg: cfg, db: cfg.DB, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	t.space = sync.NewCond(&t.mu)
	go t.flusher()
	return t, nil
}

// Handle stores r: a Durable record is committed (with everything queued before it) before
// Handle returns; any other is queued and committed within FlushInterval.
func (t *Trail) Handle(ctx context.Context, r *Record) error {
	r.Fill(t.cfg.AccountID)
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
		err = t.db.Update(func(tx *bolt.Tx) error { return appendRecords(tx, encoded) })
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
// recomputes the chain from the committed head).
func appendRecords(tx *bolt.Tx, encoded [][]byte) error {
	ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
	if ev == nil || hb == nil {
		return errors.New("audit: trail buckets missing")
	}
	seq, prev := uint64(0), make([]byte, sha256.Size)
	if h := hb.Get(keyHead); len(h) == 8+sha256.Size {
		seq = binary.BigEndian.Uint64(h)
		copy(prev, h[8:])
	}
	for _, rec := range encoded {
		seq++
		sum := chainHash(prev, seq, rec)
		val := make([]byte, 0, len(sum)+len(rec))
		val = append(append(val, sum...), rec...)
		if err := ev.Put(seqKey(seq), val); err != nil {
			return err
		}
		prev = sum
	}
	head := append(seqKey(seq), prev...)
	return hb.Put(keyHead, head)
}

func chainHash(prev []byte, seq uint64, rec []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(seqKey(seq))
	h.Write(rec)
	return h.Sum(nil)
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

// link checks that the stored record k/v is record want and chains to prev (the previous
// record's chain hash), and returns its own chain hash.
func link(k, v []byte, want uint64, prev []byte) ([]byte, error) {
	if len(k) != 8 || keySeq(k) != want {
		return nil, fmt.Errorf("%w: record %d missing", ErrChainBroken, want)
	}
	if len(v) < sha256.Size || !bytes.Equal(v[:sha256.Size], chainHash(prev, want, v[sha256.Size:])) {
		return nil, fmt.Errorf("%w: record %d altered", ErrChainBroken, want)
	}
	return v[:sha256.Size], nil
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

// ErrChainBroken is returned by Verify when the stored records do not chain.
var ErrChainBroken = errors.New("audit: the trail's hash chain is broken")

// Verify walks every stored record and checks the chain; it returns the number of records
// and, if they do not chain, an error wrapping ErrChainBroken naming the first bad
// sequence number. After pruning (Prune) the walk starts from the checkpoint: the first
// stored record must be the one after it and chain to its hash. The checkpoint itself
// cannot be checked here (what it replaced is gone); the digest chain of delivered log
// files is the proof for pruned history.
func (t *Trail) Verify() (int, error) {
	t.Flush()
	return VerifyDB(t.db.Bolt())
}

// VerifyDB is Verify on a metadata file opened directly (read-only is enough), for offline
// tools.
func VerifyDB(db *bolt.DB) (int, error) {
	n := 0
	err := db.View(func(tx *bolt.Tx) error {
		ev, hb := tx.Bucket(bucketEvents), tx.Bucket(bucketHead)
		if ev == nil || hb == nil {
			return nil
		}
		base, prev, err := baseTx(hb)
		if err != nil {
			return err
		}
		want := base + 1
		c := ev.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if prev, err = link(k, v, want, prev); err != nil {
				return err
			}
			want++
			n++
		}
		head := hb.Get(keyHead)
		switch {
		case head == nil && n == 0 && base == 0:
			return nil
		case len(head) != 8+sha256.Size || binary.BigEndian.Uint64(head) != want-1:
			return fmt.Errorf("%w: records after %d missing", ErrChainBroken, want-1)
		case !bytes.Equal(head[8:], prev):
			return fmt.Errorf("%w: head does not match record %d", ErrChainBroken, want-1)
		}
		return nil
	})
	return n, err
}
