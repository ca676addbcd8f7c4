package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/bench"
	"github.com/arcastore/arca/internal/migrate"
)

// migrateProgress shows a migration's progress on stderr: a redrawn bar on a terminal (or
// with --progress), otherwise a plain line every interval; nothing with --no-progress.
// Messages (failures, a dry run's plan) go through println so they never cut into the bar.
type migrateProgress struct {
	w        io.Writer
	bar      bool // redraw one line (terminal or --progress)
	forced   bool // --progress: the bar always ends with its final state
	tty      bool
	quiet    bool
	interval time.Duration

	mu      sync.Mutex
	p       *migrate.Progress
	begin   time.Time
	drawn   bool
	stop    chan struct{}
	stopped chan struct{}
}

func newMigrateProgress(w io.Writer, force, never bool, interval time.Duration) *migrateProgress {
	tty := isTerminal(w)
	return &migrateProgress{w: w, bar: !never && (force || tty), forced: force && !never, tty: tty, quiet: never, interval: interval}
}

func (m *migrateProgress) start(p *migrate.Progress) {
	m.p, m.begin = p, time.Now()
	if m.quiet || (!m.bar && m.interval <= 0) {
		return
	}
	every := m.interval
	if m.bar {
		every = 250 * time.Millisecond
	}
	m.stop, m.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(m.stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.mu.Lock()
				m.draw()
				m.mu.Unlock()
			}
		}
	}()
}

func (m *migrateProgress) finish() {
	if m.stop == nil {
		return
	}
	close(m.stop)
	<-m.stopped
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bar && (m.drawn || m.forced) {
		m.draw()
		io.WriteString(m.w, "\n")
		m.drawn = false
	}
}

// println writes a whole line, clearing the bar first if one is drawn.
func (m *migrateProgress) println(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bar && m.drawn && m.tty {
		io.WriteString(m.w, "\r\x1b[K")
	} else if m.bar && m.drawn {
		io.WriteString(m.w, "\n")
	}
	io.WriteString(m.w, s+"\n")
	m.drawn = false
}

func (m *migrateProgress) draw() {
	c := m.p.Snapshot()
	elapsed := time.Since(m.begin).Seconds()
	rate := float64(c.Bytes) / max(elapsed, 1e-3)
	var b strings.Builder
	done := c.Copied + c.Skipped + c.Failed
	if m.bar {
		b.WriteString("\rmigrate ")
		if c.ListingDone && c.Listed > 0 {
			const width = 24
			frac := min(float64(done)/float64(c.Listed), 1)
			fill := int(frac * width)
			fmt.Fprintf(&b, "[%s%s] %3.0f%% ", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), frac*100)
		}
	} else {
		b.WriteString("arca: migrate: ")
	}
	fmt.Fprintf(&b, "%d/%d objects", done, c.Listed)
	if !c.ListingDone {
		b.WriteString("+ (listing)")
	}
	fmt.Fprintf(&b, ", %d copied, %d skipped, %d failed, %s at %s/s", c.Copied, c.Skipped, c.Failed,
		bench.FormatSize(c.Bytes), bench.FormatSize(int64(rate)))
	if m.bar {
		if m.tty {
			b.WriteString("\x1b[K")
		}
		m.drawn = true
	} else {
		b.WriteString("\n")
	}
	io.WriteString(m.w, b.String())
}
