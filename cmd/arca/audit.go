package main

import (
	"fmt"
	"io"

	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const auditUsage = `Usage: arca audit <verb> [flags]

Reads the audit trail (docs/AUDIT.md): 'tail' and 'search' ask a running server through
CloudTrail's LookupEvents; 'search --data' and 'verify' read a stopped server's data
directory.

Verbs:
  tail     follow new records on a running server, with filters, as table rows or JSON
  search   list records, newest first, by time range and filters, online or offline
  verify   check the records' hash chain, then the trails' digest and log files offline
  flush    ask a running server to deliver pending records and write a digest now

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
		return runAuditSearch(args[1:], stdout, stderr)
	case "tail":
		return runAuditTail(args[1:], stdout, stderr)
	case "flush":
		return runAuditFlush(args[1:], stdout)
	}
	return &usageError{msg: fmt.Sprintf("unknown audit verb %q", args[0]), hint: "run 'arca audit --help' to see the verbs"}
}

// openTrailDB opens the store of the data directory read-only; it fails fast while a
// server holds it.
func openTrailDB(data string) (*bolt.Store, error) {
	dir := datadir.At(data)
	db, err := dir.OpenStore(datadir.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("opening %s (is the server still running?): %w", dir.Store(), err)
	}
	return db, nil
}
