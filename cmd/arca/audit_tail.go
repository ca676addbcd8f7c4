package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/aws/smithy-go"

	"github.com/arcastore/arca/internal/audit"
)

const auditTailUsage = `Usage: arca audit tail [flags]

Follows a running server's audit trail: polls CloudTrail's LookupEvents every --interval and
prints each new matching record once, oldest first, as a table row or its JSON. The
endpoint, credentials, region and TLS trust come from the flags or the standard AWS
environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_PROFILE, ...). Runs until
interrupted (Ctrl-C), or until --max records or --until-idle without a new one.

Examples:
  arca audit tail --endpoint https://127.0.0.1:9443 --ca-bundle cert.pem --key alias/payroll
  arca audit tail --event-name Decrypt --error-code AccessDenied --since 10m --json

Flags:
`

// tailOverlap is how far before the newest record seen each poll asks again. eventTime
// has one-second resolution and a record is queued just after its time is taken, so a
// record can appear after newer ones; asking again over this window (and dropping event
// ids already printed) catches it.
const tailOverlap = 5 * time.Second

func runAuditTail(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit tail", flag.ContinueOnError)
	var conn connFlags
	registerEndpoint(fs, &conn)
	var f auditFilter
	f.register(fs)
	since := fs.Duration("since", 0, "first show the records of this long before now (e.g. 10m)")
	interval := fs.Duration("interval", time.Second, "time between polls")
	max := fs.Int("max", 0, "exit after printing this many records (0: no limit)")
	idle := fs.Duration("until-idle", 0, "exit after this long without a new matching record (0: never)")
	asJSON := fs.Bool("json", false, "print each record's JSON on a line")
	if err := parseFlags(fs, args, auditTailUsage, stdout); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	if *interval < 100*time.Millisecond || *since < 0 || *max < 0 || *idle < 0 {
		return &usageError{msg: "--interval must be at least 100ms, and --since, --max and --until-idle not negative",
			hint: "e.g. --interval 2s --since 10m"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := conn.awsConfig(ctx, nil)
	if err != nil {
		return err
	}
	warn := func(msg string) { fmt.Fprintf(stderr, "arca: warning: %s\n", msg) }
	src := newOnlineSource(cfg)
	src.resolveKey(ctx, &f, warn)
	t := &tailer{src: src, f: &f, p: &auditPrinter{w: stdout, asJSON: *asJSON}, max: *max,
		from: time.Now().Add(-*since).Truncate(time.Second), seen: map[string]time.Time{}}
	t.q.Attribute, t.q.Value = f.serverAttribute()
	lastNew := time.Now()
	failing := false
	for {
		printed, err := t.poll(ctx)
		switch {
		case ctx.Err() != nil:
			return nil // interrupted
		case err != nil:
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) {
				return fmt.Errorf("looking up events: %w", err) // refused: retrying will not help
			}
			if !failing {
				warn(fmt.Sprintf("looking up events: %v; retrying every %v", err, *interval))
			}
			failing = true
		default:
			failing = false
		}
		if t.done() {
			return nil
		}
		if printed > 0 {
			lastNew = time.Now()
		} else if *idle > 0 && time.Since(lastNew) >= *idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

// tailer is the state of 'arca audit tail' between polls.
type tailer struct {
	src   *onlineSource
	f     *auditFilter
	p     *auditPrinter
	q     audit.Query
	max   int
	count int
	// from is where the next poll starts: tailOverlap before the newest eventTime seen.
	from time.Time
	// seen holds the event ids already handled with their eventTime, for those not older
	// than from.
	seen map[string]time.Time
}

func (t *tailer) done() bool { return t.max > 0 && t.count >= t.max }

// poll reads every record since t.from (all pages), and prints the new matching ones
// oldest first. It returns how many it printed.
func (t *tailer) poll(ctx context.Context) (int, error) {
	q := t.q
	q.Start, q.MaxResults = t.from, 50
	var batch []auditEvent
	for {
		evs, next, err := t.src.page(ctx, q)
		if err != nil {
			return 0, err
		}
		batch = append(batch, evs...)
		if next == "" {
			break
		}
		q.NextToken = next
	}
	slices.Reverse(batch) // LookupEvents answers newest first
	printed := 0
	newest := t.from
	for _, e := range batch {
		r := e.rec
		if r.EventTime.After(newest) {
			newest = r.EventTime
		}
		if _, ok := t.seen[r.EventID]; ok {
			continue
		}
		t.seen[r.EventID] = r.EventTime
		if t.done() || t.src.mine(r) || !t.f.match(r) {
			continue
		}
		t.p.print(e)
		t.count++
		printed++
	}
	if from := newest.Add(-tailOverlap); from.After(t.from) {
		t.from = from
	}
	for id, at := range t.seen {
		if at.Before(t.from) {
			delete(t.seen, id)
		}
	}
	return printed, nil
}
