// Package gcommit is group commit for bbolt without a timer: while one write transaction is
// being committed (and fsync'd), new writes queue; the next transaction takes every write
// that queued. Under load many writes share one fsync; alone, a write waits for nothing.
//
// Ordering: functions commit in the order they were queued (a later function is in the same
// transaction as an earlier one or a later transaction). Failure is sticky: once a commit
// fails for a reason other than a function's own error (an I/O error, say), every later
// update fails with ErrFailed. Together these make UpdateAsync safe: when any later Update
// returns nil, every function queued before it is durable too.
//
// Like bbolt's Batch, a function may run more than once (when another function in the same
// group fails, the group is rolled back and retried without it), so functions must be
// idempotent apart from their effect on the transaction.
package gcommit

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// ErrFailed is returned by every update after a commit failed: the store must be reopened
// (after whatever broke is fixed) before it is trusted with writes again.
var ErrFailed = errors.New("gcommit: an earlier commit failed; the store is read-only until restart")

// DB wraps a bbolt database with group-committed updates.
type DB struct {
	db      *bolt.DB
	mu      sync.Mutex
	pending []*call
	running bool
	failed  error
}

type call struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// New wraps db.
func New(db *bolt.DB) *DB { return &DB{db: db} }

// Bolt returns the wrapped database (for reads).
func (g *DB) Bolt() *bolt.DB { return g.db }

// Update runs fn in a write transaction shared with concurrent callers and returns once that
// transaction is durably committed (or fn's own error).
func (g *DB) Update(fn func(*bolt.Tx) error) error {
	return <-g.UpdateAsync(fn)
}

// UpdateAsync queues fn and returns at once; the channel yields the result once fn's
// transaction committed. See the package comment for what ordering this gives.
func (g *DB) UpdateAsync(fn func(*bolt.Tx) error) <-chan error {
	c := &call{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	if g.failed != nil {
		g.mu.Unlock()
		c.done <- g.failed
		return c.done
	}
	g.pending = append(g.pending, c)
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	return c.done
}

func (g *DB) poison(err error) {
	g.mu.Lock()
	if g.failed == nil {
		g.failed = fmt.Errorf("%w: %v", ErrFailed, err)
	}
	g.mu.Unlock()
}

func (g *DB) loop() {
	for {
		g.mu.Lock()
		batch := g.pending
		g.pending = nil
		if g.failed != nil {
			for _, c := range batch {
				c.done <- g.failed
			}
			batch = nil
		}
		if len(batch) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		g.run(batch)
	}
}

// run commits batch; a failing function is answered with its error and the rest retried.
func (g *DB) run(batch []*call) {
	for len(batch) > 0 {
		failed := -1
		err := g.db.Update(func(tx *bolt.Tx) error {
			for i, c := range batch {
				if err := c.fn(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			if err != nil {
				g.poison(err)
				err = fmt.Errorf("%w: %v", ErrFailed, err)
			}
			for _, c := range batch {
				c.done <- err
			}
			return
		}
		batch[failed].done <- err
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}
