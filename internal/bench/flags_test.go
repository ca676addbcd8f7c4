package bench

import (
	"bytes"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func parseFlags(t *testing.T, args ...string) (Options, bool, error) {
	t.Helper()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	get := RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return Options{}, false, err
	}
	return get()
}

func TestFlagsDefaults(t *testing.T) {
	o, asJSON, err := parseFlags(t)
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultOptions()
	if asJSON || o.Op != OpPut || o.Size != 1<<20 || o.Concurrency != 8 || o.Duration != 20*time.Second ||
		o.Bucket != "arca-bench" || o.Region != "us-east-1" || !o.Cleanup || o.Checksum || o.MixRatio != d.MixRatio {
		t.Errorf("unexpected defaults: %+v json=%v", o, asJSON)
	}
}

func TestFlagsAll(t *testing.T) {
	key := "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=" // 32 bytes of 7
	o, asJSON, err := parseFlags(t,
		"--endpoint", "https://127.0.0.1:9443/", "--region", "eu-west-1",
		"--access-key", "AK", "--secret-key", "SK", "--insecure",
		"--bucket", "b1", "--prefix", "p/", "--op", "MIXED", "--mix", "0.5",
		"--size", "64MiB", "--concurrency", "16", "--duration", "1m", "--objects", "4",
		"--sse-c-key", key, "--checksum", "--no-cleanup", "--json")
	if err != nil {
		t.Fatal(err)
	}
	want := Options{
		Endpoint: "https://127.0.0.1:9443", Region: "eu-west-1", AccessKey: "AK", SecretKey: "SK",
		Insecure: true, Bucket: "b1", Prefix: "p/", Op: OpMixed, MixRatio: 0.5, Size: 64 << 20,
		Concurrency: 16, Duration: time.Minute, Objects: 4, Checksum: true, Cleanup: false,
	}
	if !bytes.Equal(o.SSECKey, bytes.Repeat([]byte{7}, 32)) {
		t.Errorf("SSE-C key = %x", o.SSECKey)
	}
	o.SSECKey = nil
	if !reflect.DeepEqual(o, want) || !asJSON {
		t.Errorf("got  %+v json=%v\nwant %+v", o, asJSON, want)
	}

	o, _, err = parseFlags(t, "--sse", "aws:kms", "--sse-kms-key-id", "alias/bench", "--bucket-key", "--op", "get")
	if err != nil {
		t.Fatal(err)
	}
	if o.SSE != SSEKMS || o.KMSKeyID != "alias/bench" || !o.BucketKey || o.Op != OpGet {
		t.Errorf("SSE-KMS flags: %+v", o)
	}
}

func TestFlagsValidation(t *testing.T) {
	key := "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
	for _, tc := range []struct {
		args []string
		want string // substring of the error
	}{
		{[]string{"--op", "delete"}, `--op "delete" is not a benchmark operation`},
		{[]string{"--size", "0"}, "--size must be greater than zero"},
		{[]string{"--size", "-4k"}, "--size: size \"-4k\" is negative"},
		{[]string{"--size", "lots"}, "--size: size \"lots\" does not start with a number"},
		{[]string{"--size", "6GiB"}, "over 5GiB"},
		{[]string{"--concurrency", "0"}, "--concurrency must be at least 1"},
		{[]string{"--duration", "0s"}, "--duration must be positive"},
		{[]string{"--objects", "-1"}, "--objects cannot be negative"},
		{[]string{"--mix", "1.5"}, "--mix is the fraction of GETs"},
		{[]string{"--mix", "0"}, "--mix is the fraction of GETs"},
		{[]string{"--endpoint", "localhost:9000"}, "is not a URL like"},
		{[]string{"--endpoint", "ftp://host"}, "is not a URL like"},
		{[]string{"--access-key", "AK"}, "give both --access-key and --secret-key"},
		{[]string{"--secret-key", "SK"}, "give both --access-key and --secret-key"},
		{[]string{"--sse", "rot13"}, `--sse "rot13" is not supported`},
		{[]string{"--sse-kms-key-id", "k"}, "--sse-kms-key-id only applies with --sse aws:kms"},
		{[]string{"--sse", "AES256", "--bucket-key"}, "--bucket-key only applies with --sse aws:kms"},
		{[]string{"--sse-c-key", "not base64!"}, "--sse-c-key is not valid base64"},
		{[]string{"--sse-c-key", "c2hvcnQ="}, "decodes to 5 bytes"},
		{[]string{"--sse-c-key", key, "--endpoint", "http://127.0.0.1:9000"}, "--sse-c-key needs an https:// endpoint"},
		{[]string{"--sse-c-key", key, "--sse", "AES256"}, "cannot be combined with --sse AES256"},
		{[]string{"--bucket", ""}, "--bucket cannot be empty"},
		{[]string{"--region", ""}, "--region cannot be empty"},
	} {
		_, _, err := parseFlags(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
	// SSE-C over https, or against AWS itself, is fine.
	for _, args := range [][]string{{"--sse-c-key", key}, {"--sse-c-key", key, "--endpoint", "https://s3.example.com"}} {
		if _, _, err := parseFlags(t, args...); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
}

func TestFlagsUsage(t *testing.T) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	RegisterFlags(fs)
	for _, name := range []string{"endpoint", "region", "access-key", "secret-key", "insecure", "bucket",
		"op", "size", "concurrency", "duration", "objects", "sse", "sse-kms-key-id", "bucket-key",
		"sse-c-key", "checksum", "no-cleanup", "json"} {
		f := fs.Lookup(name)
		if f == nil || len(f.Usage) < 10 {
			t.Errorf("flag --%s missing or without a usage string", name)
		}
	}
}

func TestObjectsDefault(t *testing.T) {
	for _, tc := range []struct {
		size int64
		want int
	}{{4 << 10, 64}, {1 << 20, 64}, {64 << 20, 16}, {1 << 30, 1}, {5 << 30, 1}} {
		o := Options{Size: tc.size}.withDefaults()
		if o.Objects != tc.want {
			t.Errorf("size %s: objects = %d, want %d", FormatSize(tc.size), o.Objects, tc.want)
		}
	}
	if o := (Options{Size: 1, Endpoint: "http://x"}).withDefaults(); !o.PathStyle || !strings.HasPrefix(o.Prefix, "bench/") {
		t.Errorf("defaults: path style %v, prefix %q", o.PathStyle, o.Prefix)
	}
}

func TestTransportSizedForConcurrency(t *testing.T) {
	o := Options{Concurrency: 32, Insecure: true}
	tr := newTestTransport(&o)
	if tr.MaxIdleConnsPerHost < 32 || tr.MaxIdleConns < 32 || tr.DisableKeepAlives || !tr.DisableCompression {
		t.Errorf("transport not sized for concurrency 32: idle/host %d idle %d", tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
	}
	if tr.Protocols == nil || tr.Protocols.HTTP2() || !tr.Protocols.HTTP1() || !tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("want HTTP/1.1 only with --insecure honoured")
	}
}
