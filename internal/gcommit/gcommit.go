// Package gcommit is group commit for bbolt without a timer: while one write transaction is
// being committed (and fsync'd), new writes queue; the next transaction takes every write
// that queued. Under load many writes share one fsync; alone, a write waits for nothing.
//
// Like bbolt's Batch, a function may run more than once (when another function in the same
// group fails, the group is rolled back and retried without it), so functions must be
// idempotent apart from their effect on the transaction.
package gcommit

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// DB wraps a bbolt database with group-committed updates.
type DB struct {
	db      *bolt.DB
	mu      sync.Mutex
	pending []*call
	running bool
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
	c := &call{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	return <-c.done
}

func (g *DB) loop() {
	for {
		g.mu.Lock()
		batch := g.pending
		g.pending = nil
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
			for _, c := range batch {
				c.done <- err
			}
			return
		}
		batch[failed].done <- err
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}
