// Command arca is Arca's single binary: the server and its command-line tools.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// usageError is a mistake in how arca was called: exit 2 with a hint.
type usageError struct {
	msg  string
	hint string
}

func (e *usageError) Error() string { return e.msg }

const topUsage = `Arca: an S3-compatible object store with encryption at rest and a built-in KMS.

Usage:
  arca <command> [flags]

Commands:
  server     run the S3 endpoint (HTTP and HTTPS) on embedded storage
  bench      load-test any S3 endpoint (Arca, MinIO, AWS): PUT, GET or mixed;
             'bench kms': GenerateDataKey or Decrypt against a KMS endpoint
  admin      offline maintenance of a stopped server's data: rotate-root-key
  cse        client-side encryption (S3 Encryption Client format): put, get, cp
  audit      the audit trail: tail and search a running server; search and verify a stopped
             server's data; flush delivery now
  account    accounts on a running server (the operator's): create, list, describe, disable
  inventory  S3 Inventory reports: run one now; summary of objects by encryption and KMS key
  migrate    copy buckets from another S3 store or a directory into Arca: verified, resumable
  batch      S3 Batch Operations jobs on a running server: status, progress bar, --watch
  kms        blast-radius KEY: what depends on a KMS key (objects, bytes, buckets, trails, ...)
  posture    an account's whole picture: bucket encryption, config rules, access and sensitive-data findings, keys pending deletion
  version    print the version

Run 'arca <command> --help' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return 2
	}
	var err error
	switch cmd := args[0]; cmd {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, topUsage)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "arca %s\n", version)
		return 0
	case "server":
		err = runServer(args[1:], stdout, stderr)
	case "bench":
		err = runBench(args[1:], stdout, stderr)
	case "admin":
		err = runAdmin(args[1:], stdout, stderr)
	case "cse":
		err = runCSE(args[1:], stdout, stderr)
	case "audit":
		err = runAudit(args[1:], stdout, stderr)
	case "account":
		err = runAccount(args[1:], stdout)
	case "inventory":
		err = runInventory(args[1:], stdout, stderr)
	case "migrate":
		err = runMigrate(args[1:], stdout, stderr)
	case "batch":
		err = runBatch(args[1:], stdout, stderr)
	case "kms":
		err = runKMS(args[1:], stdout)
	case "posture":
		err = runPosture(args[1:], stdout)
	default:
		err = &usageError{msg: fmt.Sprintf("unknown command %q", cmd), hint: "run 'arca --help' to see the commands"}
	}
	return report(err, stderr)
}

func report(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "arca: error: %s\n", ue.msg)
		if ue.hint != "" {
			fmt.Fprintf(stderr, "arca: hint: %s\n", ue.hint)
		}
		return 2
	}
	fmt.Fprintf(stderr, "arca: error: %s\n", err)
	return 1
}

// parseFlags parses args with fs, turning the flag package's errors into usageErrors and
// printing help to stdout on -h/--help.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return flag.ErrHelp
		}
		msg := err.Error()
		if strings.HasPrefix(msg, "flag provided but not defined: ") {
			msg = "unknown flag " + strings.TrimPrefix(msg, "flag provided but not defined: ")
		}
		return &usageError{msg: msg, hint: fmt.Sprintf("run 'arca %s --help' to see the flags", fs.Name())}
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0)),
			hint: fmt.Sprintf("run 'arca %s --help' to see the flags", fs.Name())}
	}
	return nil
}

// envOr returns the environment variable's value if it is set (even to ""), else def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string) bool {
	switch strings.ToLower(os.Getenv(name)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
