package main

import (
	"fmt"
	"io"
)

const kmsUsage = `Usage: arca kms <command> [flags]

Commands on the KMS of a running server, beyond what the aws CLI offers:
  blast-radius KEY   what depends on a key: objects and bytes per bucket, bucket defaults,
                     trails, inventories and access logs encrypting under it (docs/BLAST-RADIUS.md)

Run 'arca kms <command> --help' for a command's flags.
`

func runKMS(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{msg: "arca kms needs a command", hint: "run 'arca kms --help' to see them"}
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, kmsUsage)
		return nil
	case "blast-radius":
		return runKMSBlastRadius(args[1:], stdout)
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q of arca kms", args[0]), hint: "run 'arca kms --help' to see the commands"}
}
