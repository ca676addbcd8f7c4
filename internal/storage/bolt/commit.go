package bolt

import (
	"fmt"
	"sync"

	bbolt "go.etcd.io/bbolt"

	"github.com/arcastore/arca/internal/kv"
)

// committer is group commit for bbolt without a timer: while one write transaction is
// being committed (and fsync'd), new writes queue; the next transaction takes every write
// that queued. Under load many writes share one fsync; alone, a write waits for nothing.
//
// Ordering: functions commit in the order they were queued (a later function is in the
// same transaction as an earlier one or a later transaction). Failure is sticky: once a
// commit fails for a reason other than a function's own error (an I/O error, say), every
// later update fails with kv.ErrFailed. Together these make updateAsync safe: when any
// later update returns nil, every function queued before it is durable too.
//
// Like bbolt's Batch, a function may run more than once (when another function in the same
// group fails, the group is rolled back and retried without it), so functions must be
// idempotent apart from their effect on the transaction.
type committer struct {
	db      *bbolt.DB
	mu      sync.Mutex
	pending []*call
	running bool
	failed  error
}

type call struct {
	fn   func(*bbolt.Tx) error
	done chan error
}

// update runs fn in a write transaction shared with concurrent callers and returns once
// that transaction is durably committed (or fn's own error).
func (g *committer) update(fn func(*bbolt.Tx) error) error {
	return <-g.updateAsync(fn)
}

// updateAsync queues fn and returns at once; the channel yields the result (kv's errors)
// once fn's transaction committed. See the type's comment for what ordering this gives.
func (g *committer) updateAsync(fn func(*bbolt.Tx) error) <-chan error {
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

func (g *committer) poison(err error) {
	g.mu.Lock()
	if g.failed == nil {
		g.failed = fmt.Errorf("%w: %v", kv.ErrFailed, err)
	}
	g.mu.Unlock()
}

func (g *committer) loop() {
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
func (g *committer) run(batch []*call) {
	for len(batch) > 0 {
		failed := -1
		err := g.db.Update(func(tx *bbolt.Tx) error {
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
				err = fmt.Errorf("%w: %v", kv.ErrFailed, err)
			}
			for _, c := range batch {
				c.done <- err
			}
			return
		}
		batch[failed].done <- mapErr(err)
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}
