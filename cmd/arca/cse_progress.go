package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/arcastore/arca/internal/bench"
)

// progressBar draws one line on stderr while a transfer runs: only when stderr is a
// terminal (or --progress), and only once the transfer has taken a second, so quick ones
// stay quiet. With --progress it always draws a final line.
type progressBar struct {
	w       io.Writer
	enabled bool
	forced  bool
	tty     bool // may use the erase-line escape

	mu          sync.Mutex
	label       string
	begin       time.Time
	done, total int64
	drawn       bool
	stop        chan struct{}
	stopped     chan struct{}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func newProgressBar(w io.Writer, force, never bool) *progressBar {
	tty := isTerminal(w)
	return &progressBar{w: w, enabled: !never && (force || tty), forced: force && !never, tty: tty}
}

func (p *progressBar) start(label string) {
	if !p.enabled {
		return
	}
	p.label, p.begin, p.total = label, time.Now(), -1
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case now := <-t.C:
				if p.forced || now.Sub(p.begin) >= time.Second {
					p.draw(false)
				}
			}
		}
	}()
}

// update is the cse Progress callback.
func (p *progressBar) update(done, total int64) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	p.done, p.total = done, total
	p.mu.Unlock()
}

// finish stops the bar; a bar that was drawn (or forced) ends with a last full line.
func (p *progressBar) finish(ok bool) {
	if !p.enabled || p.stop == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.mu.Lock()
	drawn := p.drawn
	p.mu.Unlock()
	if drawn || p.forced {
		p.draw(true)
	}
}

func (p *progressBar) draw(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawn = true
	elapsed := time.Since(p.begin).Seconds()
	rate := float64(p.done) / max(elapsed, 1e-3)
	var b strings.Builder
	fmt.Fprintf(&b, "\r%s ", p.label)
	if p.total > 0 {
		frac := min(float64(p.done)/float64(p.total), 1)
		const width = 24
		fill := int(frac * width)
		fmt.Fprintf(&b, "[%s%s] %3.0f%% %s/%s", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), frac*100,
			bench.FormatSize(p.done), bench.FormatSize(p.total))
	} else {
		b.WriteString(bench.FormatSize(p.done))
	}
	fmt.Fprintf(&b, " %s/s", bench.FormatSize(int64(rate)))
	if !final && p.total > 0 && rate > 0 {
		fmt.Fprintf(&b, " ETA %s", time.Duration(float64(p.total-p.done)/rate*float64(time.Second)).Round(time.Second))
	}
	if p.tty {
		b.WriteString("\x1b[K")
	}
	if final {
		fmt.Fprintf(&b, " in %s\n", time.Duration(elapsed*float64(time.Second)).Round(time.Millisecond))
	}
	io.WriteString(p.w, b.String())
}
