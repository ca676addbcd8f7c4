package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/sse"
)

const rotateSSES3Usage = `Usage: arca admin rotate-sse-s3-key [flags]

Adds a new version to the SSE-S3 master keyring (docs/KEYS.md). New objects and new
multipart uploads are sealed under it; every older version is kept, so existing objects keep
opening without their data being rewritten. To move old objects onto the new version,
re-encrypt them by copying each onto itself with --sse AES256. The server must be stopped.

The root key comes from --root-key-file, else ARCA_ROOT_KEY, else the development key
generated into <data>/kms-root-key.

Flags:
`

func runRotateSSES3Key(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin rotate-sse-s3-key", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	keyFile := fs.String("root-key-file", envOr("ARCA_ROOT_KEY_FILE", ""), "file with the root key (default: ARCA_ROOT_KEY, else <data>/kms-root-key) [ARCA_ROOT_KEY_FILE]")
	if err := parseFlags(fs, args, rotateSSES3Usage, stdout); err != nil {
		return err
	}
	hint := "run 'arca admin rotate-sse-s3-key --help'"
	dir := datadir.At(*data)
	root, _, err := loadKey(*keyFile, "ARCA_ROOT_KEY", dir.RootKey())
	if err != nil {
		return &usageError{msg: "root key: " + err.Error(), hint: hint}
	}
	db, err := openOffline(dir, hint, "stop the server first: the SSE-S3 key is rotated offline")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	kr, err := sse.OpenKeyring(ctx, db, root)
	if err != nil {
		return &usageError{msg: err.Error(), hint: "give the root key the server runs with (--root-key-file or ARCA_ROOT_KEY)"}
	}
	v, err := kr.Rotate(ctx)
	if err != nil {
		return fmt.Errorf("nothing was changed: %w", err)
	}
	fmt.Fprintf(stdout, "arca: SSE-S3 master key version %d is now current (%d versions kept)\n", v, kr.Versions())
	return nil
}
