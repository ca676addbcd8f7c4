package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/arcastore/arca/internal/config"
	"github.com/arcastore/arca/internal/server"
)

const checkUsage = `Usage: arca admin check [flags]

Reads a stopped server's data directory without writing to it (like fsck) and lists every
damaged or orphaned record, blob and key, each with what to do about it:
  - metadata records (buckets, objects, uploads, parts) that fail authentication or do not
    decode: they were edited outside Arca, or the disk damaged them; the server does not
    serve them (docs/FORMAT.md, "Metadata records");
  - blobs no record references (the server removes them at start, unless a record is
    damaged) and blobs a record names that are gone;
  - the SSE-S3 keyring, the KMS keystore and the record key, if they do not open with the
    root key, and SSE-S3 master key versions an object names that the keyring lacks.
Exits 0 when nothing was found, 1 otherwise.

Flags:
`

const upgradeUsage = `Usage: arca admin upgrade [flags]

Brings a stopped server's data directory to the current format: authenticates the metadata
records written before record authentication (format 1), in one transaction. The server
does the same at its first start on such a directory; this verb lets the operator do it
offline and see the count. Running it again does nothing.

Flags:
`

func runCheck(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin check", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	rootKeyFile := fs.String("root-key-file", envOr("ARCA_ROOT_KEY_FILE", ""), "file holding the root key the server runs with (default: ARCA_ROOT_KEY, else <data>/kms-root-key) [ARCA_ROOT_KEY_FILE]")
	if err := parseFlags(fs, args, checkUsage, stdout); err != nil {
		return err
	}
	rep, err := server.CheckDataDir(context.Background(), config.Config{DataDir: *data,
		RootKey: os.Getenv("ARCA_ROOT_KEY"), RootKeyFile: *rootKeyFile})
	if err != nil {
		return err
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n\tfix: %s\n", f.Kind, f.Where, f.Problem, f.Fix)
	}
	fmt.Fprintf(stdout, "arca: checked %d metadata records and %d blobs: %d problem(s)\n", rep.Records, rep.Blobs, len(rep.Findings))
	if len(rep.Findings) > 0 {
		return fmt.Errorf("%d problem(s) found in %s", len(rep.Findings), *data)
	}
	return nil
}

func runUpgrade(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin upgrade", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	rootKeyFile := fs.String("root-key-file", envOr("ARCA_ROOT_KEY_FILE", ""), "file holding the root key the server runs with (default: ARCA_ROOT_KEY, else <data>/kms-root-key) [ARCA_ROOT_KEY_FILE]")
	if err := parseFlags(fs, args, upgradeUsage, stdout); err != nil {
		return err
	}
	n, err := server.UpgradeDataDir(config.Config{DataDir: *data, RootKey: os.Getenv("ARCA_ROOT_KEY"), RootKeyFile: *rootKeyFile})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(stdout, "arca: %s is already in the current format\n", *data)
		return nil
	}
	fmt.Fprintf(stdout, "arca: authenticated %d metadata records of %s (format 1 to 2)\n", n, *data)
	return nil
}
