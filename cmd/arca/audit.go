package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/arcastore/arca/internal/audit"
	bolt "go.etcd.io/bbolt"
)

const auditUsage = `Usage: arca audit <verb> [flags]

Reads the audit trail in a stopped server's data directory (docs/AUDIT.md). On a running
server, use 'aws cloudtrail lookup-events --endpoint-url …' instead.

Verbs:
  verify   walk the trail's hash chain and report the first missing or altered record
  search   list records, newest first, by time range and one attribute, as a table or JSON

Run 'arca audit <verb> --help' for a verb's flags.
`

func runAudit(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return &usageError{msg: "arca audit needs a verb", hint: "run 'arca audit --help'"}
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, auditUsage)
		return nil
	case "verify":
		return runAuditVerify(args[1:], stdout)
	case "search":
		return runAuditSearch(args[1:], stdout)
	case "flush":
		return runAuditFlush(args[1:], stdout)
	}
	return &usageError{msg: fmt.Sprintf("unknown audit verb %q", args[0]), hint: "run 'arca audit --help' to see the verbs"}
}

// openTrailDB opens the metadata file read-only; it fails fast while a server holds it.
func openTrailDB(data string) (*bolt.DB, error) {
	db, err := bolt.Open(filepath.Join(data, "meta.db"), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("opening %s (is the server still running?): %w", filepath.Join(data, "meta.db"), err)
	}
	return db, nil
}

const auditVerifyUsage = `Usage: arca audit verify [flags]

Walks every stored audit record in order and checks the hash chain; exits non-zero naming
the first record that is missing or altered. The server must be stopped.
`

func runAuditVerify(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	if err := parseFlags(fs, args, auditVerifyUsage, stdout); err != nil {
		return err
	}
	db, err := openTrailDB(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := audit.VerifyDB(db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "arca: audit trail intact: %d records chain\n", n)
	return nil
}

const auditSearchUsage = `Usage: arca audit search [flags]

Lists audit records, newest first (at most 50 per run). The server must be stopped.
`

func runAuditSearch(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit search", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	since := fs.Duration("since", 24*time.Hour, "how far back to look")
	attr := fs.String("attribute", "", "lookup attribute: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource or AccessKeyId")
	value := fs.String("value", "", "value the attribute must have")
	max := fs.Int("max", 50, "records to show (1–50)")
	asJSON := fs.Bool("json", false, "print the records as JSON lines")
	if err := parseFlags(fs, args, auditSearchUsage, stdout); err != nil {
		return err
	}
	db, err := openTrailDB(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	evs, _, err := audit.LookupDB(db, audit.Query{Attribute: *attr, Value: *value, Start: now.Add(-*since), MaxResults: *max}, now)
	if err != nil {
		return err
	}
	if *asJSON {
		for _, e := range evs {
			stdout.Write(append(json.RawMessage(e.JSON), '\n'))
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSOURCE\tEVENT\tUSER\tSOURCE IP\tERROR")
	for _, e := range evs {
		r := e.Record
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.EventTime.Format(time.RFC3339), r.EventSource, r.EventName,
			r.Username(), r.SourceIPAddress, r.ErrorCode)
	}
	return tw.Flush()
}
