package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/datadir"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/kv"
)

const adminKMSUsage = `Usage: arca admin kms <verb> [flags]

Offline KMS maintenance of a stopped server's data directory.

Verbs:
  reset-key-policy  give a key whose policy locks everyone out a policy that lets the
                    account root administer it again (audited at the next start)

Run 'arca admin kms <verb> --help' for a verb's flags.
`

const resetKeyPolicyUsage = `Usage: arca admin kms reset-key-policy --key-id ID [flags]

Replaces the key policy of a customer managed key, whatever that policy says, on a stopped
server's data directory: the way back for a key whose policy (attached with
BypassPolicyLockoutSafetyCheck) lets no one, not even the account root, use or administer
it, so that nothing encrypted under it can be read. Only the holder of the root key can do
it: the root key must be the one that sealed the keystore.

Without --policy-file the key gets AWS's default key policy, which allows the account root
kms:* (and the account's IAM users what their IAM policies allow). A policy file must
still let the account root change the key policy. The change and a marker are written in
one transaction; the server records the reset in its audit trail at its next start
(LookupEvents: event name ResetKeyPolicy) and then removes the marker.

The root key comes from --root-key-file, else ARCA_ROOT_KEY, else the development key
generated into <data>/kms-root-key. --key-id takes a key id, key ARN or alias name.

Example:
  arca admin kms reset-key-policy --data ./arca-data --key-id 1234abcd-12ab-34cd-56ef-1234567890ab

Flags:
`

func runAdminKMS(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{msg: "arca admin kms needs a verb", hint: "run 'arca admin kms --help'"}
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, adminKMSUsage)
		return nil
	case "reset-key-policy":
		return runResetKeyPolicy(args[1:], stdout)
	}
	return &usageError{msg: fmt.Sprintf("unknown admin kms verb %q", args[0]), hint: "run 'arca admin kms --help' to see the verbs"}
}

func runResetKeyPolicy(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin kms reset-key-policy", flag.ContinueOnError)
	data := fs.String("data", envOr("ARCA_DATA", "./arca-data"), "data directory of the stopped server [ARCA_DATA]")
	keyRef := fs.String("key-id", "", "the locked key: key id, key ARN or alias name (required)")
	policyFile := fs.String("policy-file", "", "file with the key policy to attach (default: AWS's default key policy)")
	keyFile := fs.String("root-key-file", envOr("ARCA_ROOT_KEY_FILE", ""), "file with the root key (default: ARCA_ROOT_KEY, else <data>/kms-root-key) [ARCA_ROOT_KEY_FILE]")
	region := fs.String("region", envOr("ARCA_REGION", "us-east-1"), "the server's region, for the key ARN a policy file may name [ARCA_REGION]")
	if err := parseFlags(fs, args, resetKeyPolicyUsage, stdout); err != nil {
		return err
	}
	hint := "run 'arca admin kms reset-key-policy --help'"
	if *keyRef == "" {
		return &usageError{msg: "--key-id is required", hint: hint}
	}
	var doc string
	if *policyFile != "" {
		b, err := os.ReadFile(*policyFile)
		if err != nil {
			return &usageError{msg: err.Error(), hint: hint}
		}
		doc = string(b)
	}
	dir := datadir.At(*data)
	root, _, err := loadKey(*keyFile, "ARCA_ROOT_KEY", dir.RootKey())
	if err != nil {
		return &usageError{msg: "root key: " + err.Error(), hint: hint}
	}
	db, err := openOffline(dir, hint, "stop the server first: a key policy is reset offline")
	if err != nil {
		return err
	}
	in := kms.ResetKeyPolicyInput{KeyRef: *keyRef, Policy: doc, Now: time.Now()}
	if u, err := user.Current(); err == nil {
		in.OSUser = u.Username
	}
	in.Host, _ = os.Hostname()
	var r kms.Recovery
	err = db.Update(func(tx kv.Tx) error {
		var err error
		if r, err = kms.ResetKeyPolicyTx(tx, root, in); err != nil {
			return err
		}
		// The point is to let the root administer the key again: a policy file that does
		// not is refused by the same check as PutKeyPolicy's.
		arn := "arn:aws:kms:" + *region + ":" + r.Account + ":key/" + r.KeyID
		return authz.New(nil, nil).KMSPolicyLockout(context.Background(), iam.RootIdentity(r.Account, ""), arn, r.Policy, false, true)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, kms.ErrWrongRootKey):
		return &usageError{msg: "the root key is not the one that sealed this data directory", hint: "give the key the server runs with in --root-key-file or ARCA_ROOT_KEY"}
	case errors.Is(err, kms.ErrNotFound):
		return &usageError{msg: fmt.Sprintf("no customer managed key %q in %s", *keyRef, *data), hint: "give a key id, key ARN or alias name (aws kms list-keys, list-aliases)"}
	case errors.Is(err, kms.ErrUnsupported):
		return &usageError{msg: kms.Message(err), hint: "AWS managed keys cannot be locked: their policy is AWS's"}
	case errors.Is(err, kms.ErrMalformedPolicy), errors.Is(err, kms.ErrLimitExceeded):
		return &usageError{msg: fmt.Sprintf("%s: %s", *policyFile, kms.Message(err)), hint: "omit --policy-file to attach AWS's default key policy"}
	case errors.Is(err, authz.ErrKeyPolicyLockout):
		return &usageError{msg: *policyFile + " would not let the account root update the key policy either", hint: "allow arn:aws:iam::" + r.Account + ":root kms:PutKeyPolicy, or omit --policy-file to attach AWS's default key policy"}
	case err != nil:
		return fmt.Errorf("nothing was changed: %w", err)
	}
	what := "the policy of " + *policyFile
	if r.Default {
		what = "AWS's default key policy (the account root arn:aws:iam::" + r.Account + ":root may do kms:*)"
	}
	fmt.Fprintf(stdout, "arca: key %s now has %s\n", r.KeyID, what)
	fmt.Fprintf(stdout, "arca: the server records this reset in its audit trail (ResetKeyPolicy, event id %s) at its next start\n", r.ID)
	return nil
}
