package server

import (
	"context"
	"sync"
	"time"
)

// handlerGrace is how long shutdown waits, after the 30 s drain and cutting the remaining
// connections, for handlers to return before closing the audit trail. A handler still
// running then (blocked on something other than its connection) loses its record.
const handlerGrace = 10 * time.Second

// inflight counts the requests whose handlers are running.
type inflight struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero
}

func (f *inflight) enter() {
	f.mu.Lock()
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
	f.mu.Unlock()
}

func (f *inflight) leave() {
	f.mu.Lock()
	f.n--
	if f.n == 0 {
		close(f.idle)
	}
	f.mu.Unlock()
}

// wait returns 0 once no handler is running, or the number still running when ctx ends.
func (f *inflight) wait(ctx context.Context) int {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return 0
	}
	idle := f.idle
	f.mu.Unlock()
	select {
	case <-idle:
		return 0
	case <-ctx.Done():
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.n
	}
}
