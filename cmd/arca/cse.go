package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"

	"github.com/arcastore/arca/internal/bench"
	"github.com/arcastore/arca/pkg/cse"
)

const cseUsage = `Usage:
  arca cse put [flags] FILE s3://BUCKET/KEY     encrypt FILE ('-' for stdin) and upload it
  arca cse get [flags] s3://BUCKET/KEY FILE     download and decrypt into FILE ('-' for stdout)
  arca cse cp  [flags] SRC DST                  either; s3:// to s3:// re-encrypts (key rotation)

Client-side encryption compatible with the Amazon S3 Encryption Client: the data is
encrypted here, and the server (Arca, AWS S3 or any S3-compatible store) sees only
ciphertext. The endpoint, region and credentials come from the standard AWS environment
and profile (AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) unless
given as flags. Key flags may be repeated: the first one given encrypts, all of them
decrypt. A file is written only after the object has authenticated (stdout too: the
plaintext is staged in a temporary file first). See docs/CLIENT-SIDE.md.

Flags:
`

// cseFlags are the flags every cse verb takes.
type cseFlags struct {
	keys        keyFlags
	anyKMS      bool
	context     string
	policy      string
	instruction bool
	partSize    string
	concurrency int
	contentType string
	progress    bool
	noProgress  bool
	conn        connFlags
}

func (f *cseFlags) register(fs *flag.FlagSet) {
	f.keys.register(fs)
	fs.BoolVar(&f.anyKMS, "kms-any-key", false, "decrypt KMS-wrapped objects under whichever KMS key they name (decrypt only)")
	fs.StringVar(&f.context, "context", "", "KMS encryption context `k=v,...`: bound to new objects; required to match on reads")
	fs.StringVar(&f.policy, "commitment-policy", cse.RequireEncryptAllowDecrypt.String(),
		"FORBID_ENCRYPT_ALLOW_DECRYPT (write V2, readable by every S3EC), REQUIRE_ENCRYPT_ALLOW_DECRYPT (write V3) or REQUIRE_ENCRYPT_REQUIRE_DECRYPT (also refuse V2 reads)")
	fs.BoolVar(&f.instruction, "instruction-file", false, "store the wrapped data key in KEY.instruction instead of object metadata")
	fs.StringVar(&f.partSize, "part-size", "8MiB", "multipart part size and ranged-GET size (at least 5MiB)")
	fs.IntVar(&f.concurrency, "concurrency", cse.DefaultConcurrency, "parts in flight at once; memory is about (concurrency+1) x part size")
	fs.StringVar(&f.contentType, "content-type", "", "Content-Type of uploaded objects")
	fs.BoolVar(&f.progress, "progress", false, "show the progress bar even when stderr is not a terminal")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never show the progress bar")
	f.conn.register(fs)
}

// location is one side of a transfer: a local path or an S3 object.
type location struct {
	bucket, key string // set for s3://
	path        string // set for a local file; "-" is stdin/stdout
}

func (l location) isS3() bool { return l.bucket != "" }

func (l location) String() string {
	if l.isS3() {
		return "s3://" + l.bucket + "/" + l.key
	}
	return l.path
}

func parseLocation(s string) (location, error) {
	if !strings.HasPrefix(s, "s3://") {
		if strings.Contains(s, "://") {
			return location{}, &usageError{msg: fmt.Sprintf("%q is neither a local path nor an s3:// URL", s),
				hint: "write objects as s3://BUCKET/KEY"}
		}
		return location{path: s}, nil
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(s, "s3://"), "/")
	if bucket == "" {
		return location{}, &usageError{msg: fmt.Sprintf("%q names no bucket", s), hint: "write objects as s3://BUCKET/KEY"}
	}
	return location{bucket: bucket, key: key}, nil
}

func runCSE(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fs := flag.NewFlagSet("cse", flag.ContinueOnError)
		new(cseFlags).register(fs)
		if len(args) == 0 {
			return &usageError{msg: "arca cse needs a verb: put, get or cp", hint: "run 'arca cse --help'"}
		}
		return parseFlags(fs, []string{"-h"}, cseUsage, stdout)
	}
	verb := args[0]
	if verb != "put" && verb != "get" && verb != "cp" {
		return &usageError{msg: fmt.Sprintf("unknown cse verb %q", verb), hint: "use put, get or cp; run 'arca cse --help'"}
	}
	fs := flag.NewFlagSet("cse "+verb, flag.ContinueOnError)
	var f cseFlags
	f.register(fs)
	flagArgs, pos := interleaved(fs, args[1:])
	if err := parseFlags(fs, flagArgs, cseUsage, stdout); err != nil {
		return err
	}
	if len(pos) != 2 {
		return &usageError{msg: fmt.Sprintf("arca cse %s takes two arguments, got %d", verb, len(pos)), hint: "run 'arca cse --help'"}
	}
	src, err := parseLocation(pos[0])
	if err != nil {
		return err
	}
	dst, err := parseLocation(pos[1])
	if err != nil {
		return err
	}
	switch {
	case verb == "put" && (src.isS3() || !dst.isS3()):
		return &usageError{msg: "arca cse put takes FILE s3://BUCKET/KEY", hint: "to download, use 'arca cse get'"}
	case verb == "get" && (!src.isS3() || dst.isS3()):
		return &usageError{msg: "arca cse get takes s3://BUCKET/KEY FILE", hint: "to upload, use 'arca cse put'"}
	case !src.isS3() && !dst.isS3():
		return &usageError{msg: "one side of arca cse cp must be s3://BUCKET/KEY", hint: "to copy local files, use cp"}
	case src.isS3() && src.key == "":
		return &usageError{msg: fmt.Sprintf("%s names no object", src), hint: "write objects as s3://BUCKET/KEY"}
	}
	if dst.isS3() && (dst.key == "" || strings.HasSuffix(dst.key, "/")) {
		base := filepath.Base(src.path)
		if src.isS3() {
			base = path.Base(src.key)
		}
		if base == "-" || base == "." || base == "/" {
			return &usageError{msg: fmt.Sprintf("%s names no object", dst), hint: "write objects as s3://BUCKET/KEY"}
		}
		dst.key += base
	}
	if !dst.isS3() && dst.path != "-" {
		if fi, err := os.Stat(dst.path); err == nil && fi.IsDir() {
			dst.path = filepath.Join(dst.path, path.Base(src.key))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	t, err := newTransfer(ctx, &f, stdout, stderr, dst.isS3())
	if err != nil {
		return err
	}
	switch {
	case src.isS3() && dst.isS3():
		err = t.copy(ctx, src, dst)
	case dst.isS3():
		err = t.put(ctx, src, dst)
	default:
		err = t.get(ctx, src, dst)
	}
	if err != nil {
		return explain(err, src, dst)
	}
	return nil
}

// interleaved lets flags follow the positional arguments (arca cse put FILE URL --flag):
// it splits args into flags (with their values) and positional arguments.
func interleaved(fs *flag.FlagSet, args []string) (flags, pos []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case a == "-" || !strings.HasPrefix(a, "-"):
			pos = append(pos, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if fl := fs.Lookup(name); fl != nil {
				if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
					if i+1 < len(args) {
						flags = append(flags, args[i+1])
						i++
					}
				}
			}
		}
	}
	return flags, pos
}

// newTransfer builds the cse client from the flags.
func newTransfer(ctx context.Context, f *cseFlags, stdout, stderr io.Writer, writeS3 bool) (*transfer, error) {
	policy, err := cse.ParseCommitmentPolicy(f.policy)
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("--commitment-policy %q is not a commitment policy", f.policy),
			hint: "use FORBID_ENCRYPT_ALLOW_DECRYPT, REQUIRE_ENCRYPT_ALLOW_DECRYPT or REQUIRE_ENCRYPT_REQUIRE_DECRYPT"}
	}
	ps, err := bench.ParseSize(f.partSize)
	if err != nil || ps < 5<<20 {
		return nil, &usageError{msg: fmt.Sprintf("--part-size %q: must be a size of at least 5MiB", f.partSize), hint: "for example --part-size 16MiB"}
	}
	if f.concurrency < 1 {
		return nil, &usageError{msg: "--concurrency must be at least 1", hint: "the default is 4"}
	}
	ec, err := parseContext(f.context)
	if err != nil {
		return nil, err
	}
	clients, err := f.conn.clients(ctx, f.concurrency)
	if err != nil {
		return nil, err
	}
	ring, err := f.keys.keyring(clients.kms, f.anyKMS, writeS3)
	if err != nil {
		return nil, err
	}
	c, err := cse.New(clients.s3, ring, &cse.Options{CommitmentPolicy: policy, InstructionFile: f.instruction,
		PartSize: ps, Concurrency: f.concurrency})
	if err != nil {
		return nil, err
	}
	return &transfer{c: c, ec: ec, contentType: f.contentType, bar: newProgressBar(stderr, f.progress, f.noProgress),
		stdin: os.Stdin, stdout: stdout}, nil
}

func parseContext(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	ec := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, &usageError{msg: fmt.Sprintf("--context %q: %q is not k=v", s, kv), hint: "for example --context app=billing,stage=prod"}
		}
		ec[k] = v
	}
	return ec, nil
}
