package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/config"
	"github.com/arcastore/arca/internal/server"
	"github.com/arcastore/arca/internal/trails"
)

const auditVerifyUsage = `Usage: arca audit verify [flags]

Checks a stopped server's data directory, offline:

1. the audit records' chain in the metadata file: every record in order, reporting the
   first that is missing or altered. The chain is keyed (HMAC-SHA256 under a key sealed
   by the root key), so the root key is needed; records stored before the server keyed
   the chain are checked by their SHA-256 links and counted as legacy records;
2. for every trail with log file validation (or the one named by --trail), the checks of
   'aws cloudtrail validate-logs': its digest files newest to oldest within --start and
   --end, each digest's signature with the trail's public key, each digest's link to the
   previous one (SHA-256 and signature), and the SHA-256 of every log file a digest lists.
   The files are read from the data directory through the same decryption as GetObject.

The root key comes from --root-key-file, ARCA_ROOT_KEY, else <data>/kms-root-key.

Exits 0 only if everything is valid; otherwise 1, naming each invalid file. Nothing in the
data directory is changed.

Flags:
`

func runAuditVerify(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	trail := fs.String("trail", "", "check only this trail (name or ARN); default: every trail with log file validation")
	startS := fs.String("start", "", "check digests from this time: RFC 3339, a date or a duration back (default: the trail's creation)")
	endS := fs.String("end", "", "check digests up to this time (default: now)")
	rootKeyFile := fs.String("root-key-file", envOr("ARCA_ROOT_KEY_FILE", ""), "file holding the root key the server runs with (default: ARCA_ROOT_KEY, else <data>/kms-root-key) [ARCA_ROOT_KEY_FILE]")
	verbose := fs.Bool("verbose", false, "list every file checked, not only the invalid ones")
	if err := parseFlags(fs, args, auditVerifyUsage, stdout); err != nil {
		return err
	}
	now := time.Now().UTC()
	var start, end time.Time
	var err error
	if *startS != "" {
		if start, err = parseWhen(*startS, now); err != nil {
			return err
		}
	}
	end = now
	if *endS != "" {
		if end, err = parseWhen(*endS, now); err != nil {
			return err
		}
	}
	if !start.IsZero() && start.After(end) {
		return &usageError{msg: "--start is after --end", hint: "give a --start before --end"}
	}

	offCfg := config.Config{DataDir: *data, RootKey: os.Getenv("ARCA_ROOT_KEY"), RootKeyFile: *rootKeyFile}
	root, rootErr := server.OfflineRootKey(offCfg) // needed only if the chain is keyed
	db, err := openTrailDB(*data)
	if err != nil {
		return err
	}
	chain, chainErr := audit.VerifyDB(db, root)
	all, err := trails.StoredTrails(db)
	db.Close()
	if err != nil {
		return err
	}
	if errors.Is(chainErr, audit.ErrRootKeyNeeded) && rootErr != nil {
		chainErr = fmt.Errorf("%w (%v)", chainErr, rootErr)
	}
	if chainErr == nil {
		writeChain(stdout, chain)
	} else {
		fmt.Fprintf(stdout, "arca: audit trail: %v\n", chainErr)
	}
	selected, err := selectTrails(all, *trail)
	if err != nil {
		return err
	}
	if len(selected) == 0 {
		fmt.Fprintln(stdout, "arca: no trail has log file validation: no digests to check")
		return chainErr
	}

	off, err := server.OpenOffline(offCfg)
	if err != nil {
		return err
	}
	defer off.Close()
	keys, bad, err := trails.StoredPublicKeys(off.Store(), off.RootKey())
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintf(stdout, "arca: not trusted: %s\n", b)
	}
	var failed []string
	for _, t := range selected {
		in, err := trails.ValidateInputFor(t)
		if err != nil {
			return err
		}
		in.Keys, in.Start, in.End = keys, start, end
		if in.Start.IsZero() {
			in.Start = t.Created.Truncate(time.Second)
		}
		fmt.Fprintln(stdout)
		rep, err := trails.Validate(context.Background(), off, in)
		if err != nil {
			fmt.Fprintf(stdout, "Trail %s: %v\n", t.ARN, err)
			failed = append(failed, fmt.Sprintf("trail %s: %v", t.Name, err))
			continue
		}
		rep.Write(stdout, *verbose)
		if len(t.Pending) > 0 {
			fmt.Fprintf(stdout, "%d log file(s) delivered after the last digest are not in a digest yet (the next digest lists them; 'arca audit flush' writes it now)\n", len(t.Pending))
		}
		if !rep.OK() {
			failed = append(failed, fmt.Sprintf("trail %s: %d digest and %d log files INVALID", t.Name, rep.InvalidDigests, rep.InvalidLogs))
		}
	}
	switch {
	case chainErr != nil && len(failed) > 0:
		return fmt.Errorf("%w; %s", chainErr, strings.Join(failed, "; "))
	case chainErr != nil:
		return chainErr
	case len(failed) > 0:
		return fmt.Errorf("log file validation failed: %s", strings.Join(failed, "; "))
	}
	return nil
}

// writeChain says what the chain check found: how many records chain (from the retention
// checkpoint, if records were pruned), whether under the chain key, and the legacy records
// from before the chain was keyed.
func writeChain(w io.Writer, c audit.Chain) {
	from := ""
	if c.PrunedThrough > 0 {
		from = fmt.Sprintf(" from the retention checkpoint (records 1-%d pruned)", c.PrunedThrough)
	}
	switch {
	case !c.Keyed:
		fmt.Fprintf(w, "arca: audit trail intact: %d records chain%s, none keyed: %d legacy unkeyed records\n", c.Records, from, c.Legacy)
		fmt.Fprintln(w, "arca: warning: the chain has no chain key, so it proves only that nobody changed it naively; a server keys it at its next start (a data directory a server of this version has run on always has one: if this one has not, the key was removed)")
	case c.Legacy > 0:
		fmt.Fprintf(w, "arca: audit trail intact: %d records chain%s, keyed from record %d on; %d legacy unkeyed records (before the server keyed the chain, newest %s), fixed by the chain key\n",
			c.Records, from, c.KeyedFrom, c.Legacy, c.NewestLegacy.UTC().Format(time.RFC3339))
	default:
		fmt.Fprintf(w, "arca: audit trail intact: %d records chain%s, keyed\n", c.Records, from)
	}
}

// selectTrails picks the trail named by ref (name or ARN), or every trail with log file
// validation.
func selectTrails(all []*trails.Trail, ref string) ([]*trails.Trail, error) {
	if ref == "" {
		var out []*trails.Trail
		for _, t := range all {
			if t.Validation {
				out = append(out, t)
			}
		}
		return out, nil
	}
	for _, t := range all {
		if t.Name == ref || t.ARN == ref {
			return []*trails.Trail{t}, nil
		}
	}
	if ref == trails.DefaultName {
		return nil, &usageError{msg: "the built-in trail " + ref + " has no bucket and no digests",
			hint: "its records are checked by the hash chain; name a trail with a bucket"}
	}
	return nil, &usageError{msg: fmt.Sprintf("no trail %q in this data directory", ref), hint: "run 'aws cloudtrail describe-trails' against the server to list them"}
}
