package main

import (
	"strings"
	"testing"
)

var s3URLTests = []struct {
	in, bucket, prefix string
	ok                 bool
}{
	{"s3://b", "b", "", true},
	{"s3://b/", "b", "", true},
	{"s3://b/logs", "b", "logs/", true},
	{"s3://b/logs/", "b", "logs/", true},
	{"s3://b/a/b/c", "b", "a/b/c/", true},
	{"s3://", "", "", false},
	{"s3:///x", "", "x/", false},
	{"/tmp/dir", "", "", false},
	{"http://b/x", "", "", false},
}

func TestS3URL(t *testing.T) {
	for _, tt := range s3URLTests {
		b, p, ok := s3URL(tt.in)
		if ok != tt.ok || (ok && (b != tt.bucket || p != tt.prefix)) {
			t.Errorf("s3URL(%q) = %q, %q, %v; want %q, %q, %v", tt.in, b, p, ok, tt.bucket, tt.prefix, tt.ok)
		}
	}
}

// FuzzS3URL: a URL either is refused or names a bucket and a prefix that is empty or a
// folder, and writing them back gives the same split.
func FuzzS3URL(f *testing.F) {
	for _, tt := range s3URLTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, p, ok := s3URL(s)
		if !ok {
			return
		}
		if b == "" || strings.Contains(b, "/") || (p != "" && !strings.HasSuffix(p, "/")) {
			t.Fatalf("s3URL(%q) = %q, %q", s, b, p)
		}
		b2, p2, ok2 := s3URL("s3://" + b + "/" + p)
		if !ok2 || b2 != b || p2 != p {
			t.Fatalf("s3URL(%q) = %q, %q; written back: %q, %q, %v", s, b, p, b2, p2, ok2)
		}
	})
}

func TestMigrateFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"s3://a"}, "takes two arguments"},
		{[]string{"--sse", "aws:kms:dsse", "s3://a", "s3://b"}, "is not AES256 or aws:kms"},
		{[]string{"--sse-kms-key-id", "k", "s3://a", "s3://b"}, "need --sse aws:kms"},
		{[]string{"--part-size", "1MiB", "s3://a", "s3://b"}, "not a size between 5MiB and 5GiB"},
		{[]string{"--concurrency", "0", "s3://a", "s3://b"}, "at least 1"},
		{[]string{"/no/such/dir/anywhere", "s3://b"}, "is not a directory"},
		{[]string{"s3://a", "/tmp"}, "is not s3://BUCKET"},
		{[]string{"ftp://a/b", "s3://b"}, "neither s3://"},
	}
	for _, tt := range tests {
		var out, errb strings.Builder
		code := run(append([]string{"migrate"}, tt.args...), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("arca migrate %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errb.String(), tt.want)
		}
	}
}
