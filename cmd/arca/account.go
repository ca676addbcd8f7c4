package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

const accountUsage = `Usage:
  arca account create NAME [flags]   create an account; prints its id and its root's access key pair
  arca account list [flags]          list the accounts (the primary first)
  arca account describe ID [flags]   show one account
  arca account disable ID [flags]    suspend an account: its root's and its users' keys stop working

The account admin API of a running server (docs/ACCOUNTS.md), signed with the caller's AWS
credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...): only the primary
account's root, the operator, may call it. 'arca admin account' is the same command.
Each prints the server's JSON answer.

Flags:
`

// runAccount runs 'arca account' (and 'arca admin account').
func runAccount(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{msg: "arca account needs a verb", hint: "run 'arca account --help'"}
	}
	verb, rest := args[0], args[1:]
	var target string
	var nargs int
	switch verb {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, accountUsage)
		return nil
	case "create":
		target, nargs = "CreateAccount", 1
	case "list":
		target = "ListAccounts"
	case "describe":
		target, nargs = "DescribeAccount", 1
	case "disable":
		target, nargs = "DisableAccount", 1
	default:
		return &usageError{msg: fmt.Sprintf("unknown account verb %q", verb), hint: "run 'arca account --help' to see the verbs"}
	}
	fs := flag.NewFlagSet("account "+verb, flag.ContinueOnError)
	var conn connFlags
	registerEndpoint(fs, &conn)
	// Positional arguments may come before or after the flags.
	var pos []string
	for {
		if err := parseFlagsPos(fs, rest, accountUsage, stdout); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != nargs {
		what := map[string]string{"create": "an account NAME", "describe": "an account ID", "disable": "an account ID"}[verb]
		if nargs == 0 {
			return &usageError{msg: fmt.Sprintf("unexpected argument %q", pos[0]), hint: "run 'arca account --help'"}
		}
		return &usageError{msg: fmt.Sprintf("arca account %s needs %s", verb, what), hint: "run 'arca account --help'"}
	}
	in := map[string]string{}
	switch verb {
	case "create":
		in["AccountName"] = pos[0]
	case "describe", "disable":
		in["AccountId"] = pos[0]
	}
	out, err := callAccountAPI(conn, target, in)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("the server's answer is not JSON: %w", err)
	}
	pretty, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintf(stdout, "%s\n", pretty)
	return nil
}

// parseFlagsPos is parseFlags that leaves positional arguments to the caller.
func parseFlagsPos(fs *flag.FlagSet, args []string, usage string, stdout io.Writer) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if fs.Parse(args) == nil {
		return nil
	}
	return parseFlags(fs, args, usage, stdout)
}

// callAccountAPI signs one account API call with the caller's credentials and returns
// the answer's body, or the server's error.
func callAccountAPI(conn connFlags, target string, in any) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := conn.awsConfig(ctx, nil)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(in)
	return signedCall{verb: "arca account", method: http.MethodPost, path: "/", body: body, service: "arca",
		header:    map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "ArcaAccounts." + target},
		credsHint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the operator's root), or a profile"}.do(ctx, cfg, conn.endpoint)
}
