package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/arcastore/arca/internal/audit"
)

const auditSearchUsage = `Usage: arca audit search [flags]

Lists audit records, newest first, as a table or JSON lines: online from a running server
through CloudTrail's LookupEvents (--endpoint, or AWS_ENDPOINT_URL; credentials, region and
TLS trust as for the aws CLI), or offline from a stopped server's data directory (--data).
One filter is applied by the server, the rest here; pages are followed until --max records
match or the range is exhausted.

Examples:
  arca audit search --endpoint https://127.0.0.1:9443 --ca-bundle cert.pem --start 24h --event-name PutBucketPolicy
  arca audit search --data ./arca-data --bucket photos --error-code AccessDenied --json

Flags:
`

func runAuditSearch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit search", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of a stopped server, for offline search [ARCA_DATA]")
	var conn connFlags
	registerEndpoint(fs, &conn)
	var f auditFilter
	f.register(fs)
	startS := fs.String("start", "", "oldest time: RFC 3339, a date, or a duration back from now such as 24h (default: 90 days back)")
	endS := fs.String("end", "", "newest time, in the same forms (default: now)")
	since := fs.String("since", "", "same as --start")
	max := fs.Int("max", 50, "stop after this many records")
	asJSON := fs.Bool("json", false, "print each record's JSON on a line")
	if err := parseFlags(fs, args, auditSearchUsage, stdout); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	if *max < 1 {
		return &usageError{msg: "--max must be at least 1", hint: "e.g. --max 200"}
	}
	if *startS == "" {
		*startS = *since
	}
	now := time.Now()
	q := audit.Query{MaxResults: 50}
	var err error
	if *startS != "" {
		if q.Start, err = parseWhen(*startS, now); err != nil {
			return err
		}
	}
	if *endS != "" {
		if q.End, err = parseWhen(*endS, now); err != nil {
			return err
		}
	}
	if !q.Start.IsZero() && !q.End.IsZero() && q.Start.After(q.End) {
		return &usageError{msg: "--start is after --end", hint: "give the older time as --start"}
	}
	ctx := context.Background()
	var src auditSource
	mine := func(*audit.Record) bool { return false }
	if online(fs, &conn) {
		cfg, err := conn.awsConfig(ctx, nil)
		if err != nil {
			return err
		}
		on := newOnlineSource(cfg)
		on.resolveKey(ctx, &f, func(msg string) { fmt.Fprintf(stderr, "arca: warning: %s\n", msg) })
		src, mine = on, on.mine
	} else {
		db, err := openTrailDB(*data)
		if err != nil {
			return err
		}
		defer db.Close()
		src = offlineSource{db}
	}
	q.Attribute, q.Value = f.serverAttribute()
	p := &auditPrinter{w: stdout, asJSON: *asJSON}
	n := 0
	for {
		evs, next, err := src.page(ctx, q)
		if err != nil {
			return fmt.Errorf("looking up events: %w", err)
		}
		for _, e := range evs {
			if f.match(e.rec) && !mine(e.rec) {
				p.print(e)
				if n++; n == *max {
					return nil
				}
			}
		}
		if next == "" {
			return nil
		}
		q.NextToken = next
	}
}

// online reports whether search should ask a running server: --data was not given, and an
// endpoint was (as a flag or AWS_ENDPOINT_URL).
func online(fs *flag.FlagSet, conn *connFlags) bool {
	dataSet := false
	fs.Visit(func(fl *flag.Flag) { dataSet = dataSet || fl.Name == "data" })
	return !dataSet && (conn.endpoint != "" || os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_CLOUDTRAIL") != "")
}
