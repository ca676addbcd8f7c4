package blob

import (
	"fmt"
	"os"
	"sync"
)

// dirSyncers shares directory fsyncs between concurrent commits (group commit): a caller
// needs a sync that *started* after its rename; if one is running it waits for the next,
// which then covers every rename that happened while the previous one ran.
type dirSyncers struct {
	mu   sync.Mutex
	dirs map[string]*dirSyncer
}

type dirSyncer struct {
	mu      sync.Mutex
	cond    *sync.Cond
	started uint64
	done    uint64
	running bool
	err     error
}

func newDirSyncers() *dirSyncers { return &dirSyncers{dirs: map[string]*dirSyncer{}} }

func (ds *dirSyncers) sync(dir string) error {
	ds.mu.Lock()
	d := ds.dirs[dir]
	if d == nil {
		d = &dirSyncer{}
		d.cond = sync.NewCond(&d.mu)
		ds.dirs[dir] = d
	}
	ds.mu.Unlock()
	return d.sync(dir)
}

func (d *dirSyncer) sync(dir string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	target := d.started + 1
	for d.done < target {
		if d.running {
			d.cond.Wait()
			continue
		}
		d.running = true
		d.started++
		mine := d.started
		d.mu.Unlock()
		err := fsyncDir(dir)
		d.mu.Lock()
		d.running = false
		d.done = mine
		d.err = err
		d.cond.Broadcast()
	}
	return d.err
}

func fsyncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	return nil
}
