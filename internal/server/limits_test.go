package server

import (
	"sync"
	"testing"
)

// The cap admits up to max at once, refuses the next without waiting, and frees a slot on
// every release, also under concurrent use.
func TestRequestLimit(t *testing.T) {
	var l requestLimit
	for i := range 3 {
		if !l.acquire(3) {
			t.Fatalf("slot %d of 3 refused", i+1)
		}
	}
	if l.acquire(3) {
		t.Fatal("a fourth request admitted under a cap of 3")
	}
	l.release()
	if !l.acquire(3) {
		t.Fatal("a freed slot was not given out again")
	}
	for range 3 {
		l.release()
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	in, most := 0, 0
	for range 64 {
		wg.Go(func() {
			for range 200 {
				if !l.acquire(4) {
					continue
				}
				mu.Lock()
				in++
				most = max(most, in)
				in--
				mu.Unlock()
				l.release()
			}
		})
	}
	wg.Wait()
	if most > 4 || l.n.Load() != 0 {
		t.Fatalf("at most %d at once under a cap of 4, %d left taken", most, l.n.Load())
	}
}
