package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/sse"
	"github.com/arcastore/arca/internal/storage/bolt"
	"github.com/arcastore/arca/internal/trails"
)

const adminUsage = `Usage: arca admin <verb> [flags]

Offline maintenance of a stopped server's data directory.

Verbs:
  rotate-root-key   re-seal every KMS key material version, SSE-S3 master key, IAM
                    secret access key and the CloudTrail digest signing key under a new
                    root key, atomically (one transaction)
  rotate-sse-s3-key add a new SSE-S3 master key version; new objects use it, old objects
                    keep opening with the version that sealed them (no data is rewritten)
  check             list every damaged or orphaned record, blob and key, read-only
  upgrade           authenticate metadata records of an older format (the server also
                    does it at its first start)
  kms               reset-key-policy: give a key locked by its policy a usable one again

Run 'arca admin <verb> --help' for a verb's flags.
`

const rotateRootKeyUsage = `Usage: arca admin rotate-root-key [flags]

Re-seals everything the root key protects (every KMS key material version, every SSE-S3
master key, every IAM user's secret access key, the CloudTrail digest signing key, the
metadata record key, the audit chain key) under a new root key, in one transaction:
after a crash either all of it opens with the old key or all of it with the new one. The
server must be stopped.

Keys are base64 of 32 bytes (make one with 'openssl rand -base64 32'). The old key comes
from --old-root-key-file, else ARCA_OLD_ROOT_KEY, else the development key generated into
<data>/kms-root-key. The new key comes from --new-root-key-file, else ARCA_NEW_ROOT_KEY.
When the old key was the generated one, that file is removed afterwards: start the server
with --root-key-file or ARCA_ROOT_KEY holding the new key.

Example:
  openssl rand -base64 32 > /secure/arca-root-key
  arca admin rotate-root-key --data ./arca-data --new-root-key-file /secure/arca-root-key
  arca server --data ./arca-data --root-key-file /secure/arca-root-key

Flags:
`

func runAdmin(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return &usageError{msg: "arca admin needs a verb", hint: "run 'arca admin --help'"}
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, adminUsage)
		return nil
	case "rotate-sse-s3-key":
		return runRotateSSES3Key(args[1:], stdout)
	case "rotate-root-key":
		return runRotateRootKey(args[1:], stdout)
	case "check":
		return runCheck(args[1:], stdout)
	case "upgrade":
		return runUpgrade(args[1:], stdout)
	case "kms":
		return runAdminKMS(args[1:], stdout)
	case "account":
		// Accounts are managed on the running server (as 'arca account').
		return runAccount(args[1:], stdout)
	}
	return &usageError{msg: fmt.Sprintf("unknown admin verb %q", args[0]), hint: "run 'arca admin --help' to see the verbs"}
}

func runRotateRootKey(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin rotate-root-key", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	oldFile := fs.String("old-root-key-file", envOr("ARCA_OLD_ROOT_KEY_FILE", ""), "file with the current root key (default: ARCA_OLD_ROOT_KEY, else <data>/kms-root-key) [ARCA_OLD_ROOT_KEY_FILE]")
	newFile := fs.String("new-root-key-file", envOr("ARCA_NEW_ROOT_KEY_FILE", ""), "file with the new root key (default: ARCA_NEW_ROOT_KEY) [ARCA_NEW_ROOT_KEY_FILE]")
	if err := parseFlags(fs, args, rotateRootKeyUsage, stdout); err != nil {
		return err
	}
	hint := "run 'arca admin rotate-root-key --help'"
	dir := datadir.At(*data)
	generated := dir.RootKey()
	old, oldIsGenerated, err := loadKey(*oldFile, "ARCA_OLD_ROOT_KEY", generated)
	if err != nil {
		return &usageError{msg: "old root key: " + err.Error(), hint: hint}
	}
	newKey, _, err := loadKey(*newFile, "ARCA_NEW_ROOT_KEY", "")
	if err != nil {
		return &usageError{msg: "new root key: " + err.Error(), hint: "make one with 'openssl rand -base64 32 > FILE' and pass --new-root-key-file FILE"}
	}
	if old.Check() == newKey.Check() {
		return &usageError{msg: "the new root key is the same as the old one", hint: "make a new one with 'openssl rand -base64 32'"}
	}
	db, err := openOffline(dir, hint, "stop the server first: the root key is rotated offline")
	if err != nil {
		return err
	}
	var n, nIAM, nAcct, nTrail, nChain int
	err = db.Update(func(tx kv.Tx) error {
		var err error
		if n, err = kms.ResealTx(tx, old, newKey); err != nil {
			return err
		}
		if err := sse.ResealKeyring(tx, old, newKey); err != nil {
			return err
		}
		if err := meta.ResealRecordKeyTx(tx, old, newKey); err != nil {
			return err
		}
		if nIAM, err = iam.ResealTx(tx, old, newKey); err != nil {
			return err
		}
		if nAcct, err = account.ResealTx(tx, old, newKey); err != nil {
			return err
		}
		if nTrail, err = trails.ResealTx(tx, old, newKey); err != nil {
			return err
		}
		nChain, err = audit.ResealTx(tx, old, newKey)
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, kms.ErrWrongRootKey) || errors.Is(err, iam.ErrWrongRootKey) || errors.Is(err, account.ErrWrongRootKey) || errors.Is(err, trails.ErrWrongRootKey) || errors.Is(err, audit.ErrWrongRootKey) {
		return &usageError{msg: "the old root key is not the one that sealed this data directory", hint: "give the key the server runs with in --old-root-key-file or ARCA_OLD_ROOT_KEY"}
	}
	if err != nil {
		return fmt.Errorf("nothing was changed: %w", err)
	}
	fmt.Fprintf(stdout, "arca: re-sealed %d KMS key material versions, the SSE-S3 keyring, the metadata record key, %d IAM secret access keys and %d CloudTrail digest signing keys under the new root key\n", n, nIAM, nTrail)
	if nAcct > 0 {
		fmt.Fprintf(stdout, "arca: re-sealed %d account root secret access keys under the new root key\n", nAcct)
	}
	if nChain > 0 {
		fmt.Fprintln(stdout, "arca: re-sealed the audit chain key under the new root key")
	}
	if oldIsGenerated {
		if err := os.Remove(generated); err != nil {
			return fmt.Errorf("the data is re-sealed, but removing the old generated key failed: %w", err)
		}
		fmt.Fprintf(stdout, "arca: removed the old generated key %s; start the server with --root-key-file or ARCA_ROOT_KEY holding the new key\n", generated)
	}
	return nil
}

// openOffline opens the store of dir for an offline verb that writes: a usage error (with
// hint) when dir has no store, or with inUse when a server holds it.
func openOffline(dir datadir.Dir, hint, inUse string) (*bolt.Store, error) {
	if !dir.HasStore() {
		return nil, &usageError{msg: fmt.Sprintf("%s: no metadata file (is --data the server's data directory?)", dir.Store()), hint: hint}
	}
	db, err := dir.OpenStore(datadir.Offline)
	if errors.Is(err, datadir.ErrInUse) {
		return nil, &usageError{msg: dir.Store() + " is in use", hint: inUse}
	}
	return db, err
}

// loadKey reads a root key from file, else the environment variable env, else fallback
// (a file; "" for none). fromFallback reports the last case.
func loadKey(file, env, fallback string) (k *rootkey.Key, fromFallback bool, err error) {
	switch {
	case file != "":
		k, err = rootkey.ReadFile(file)
	case os.Getenv(env) != "":
		k, err = rootkey.Parse(os.Getenv(env))
		if err != nil {
			err = fmt.Errorf("%s: %w", env, err)
		}
	case fallback != "":
		k, err = rootkey.ReadFile(fallback)
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("no key given and no generated key at %s", fallback)
		}
		fromFallback = true
	default:
		err = errors.New("not given")
	}
	return k, fromFallback, err
}
