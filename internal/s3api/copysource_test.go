package s3api

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/object"
)

// copySourceTests: code "" means the value is accepted.
var copySourceTests = []struct {
	v           string
	bucket, key string
	code        string
}{
	{"bucket/key", "bucket", "key", ""},
	{"/bucket/key", "bucket", "key", ""},
	{"bucket/dir/sub/key.txt", "bucket", "dir/sub/key.txt", ""},
	{"/bucket/dir/", "bucket", "dir/", ""},
	{"b/a%20b", "b", "a b", ""},
	{"b/%E2%82%AC", "b", "€", ""},
	{"b/a%2Fb", "b", "a/b", ""},
	{"b/a%3Fb", "b", "a?b", ""},
	{"b/a%25b", "b", "a%b", ""},
	{"b/%e2%82%ac", "b", "€", ""},
	{"b/€", "b", "€", ""},
	{"/b/k?versionId=null", "b", "k", ""},
	{"b/k?versionId=", "b", "k", ""},
	{"b/k?", "b", "k", ""},
	{"b/k?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY", "", "", "InvalidArgument"},
	{"b/k?versionId=abc", "", "", "InvalidArgument"},
	{"b/k?versionId=%zz", "", "", "InvalidArgument"},
	{"", "", "", "InvalidArgument"},
	{"/", "", "", "InvalidArgument"},
	{"bucket", "", "", "InvalidArgument"},
	{"/bucket", "", "", "InvalidArgument"},
	{"bucket/", "", "", "InvalidArgument"},
	{"/bucket/", "", "", "InvalidArgument"},
	{"/key", "", "", "InvalidArgument"},
	{"//key", "", "", "InvalidArgument"},
	{"%2Fbucket/key", "", "", "InvalidArgument"},
	{"b/%", "", "", "InvalidArgument"},
	{"b/%zz", "", "", "InvalidArgument"},
	{"b/a%2", "", "", "InvalidArgument"},
	{"b/?versionId=null", "", "", "InvalidArgument"},
	{"b/%E2%82", "", "", "InvalidObjectName"},
	{"b/%FF", "", "", "InvalidObjectName"},
	{"b/" + strings.Repeat("k", maxKeyLen), "b", strings.Repeat("k", maxKeyLen), ""},
	{"b/" + strings.Repeat("k", maxKeyLen+1), "", "", "KeyTooLongError"},
}

func TestParseCopySource(t *testing.T) {
	for _, tt := range copySourceTests {
		b, k, err := parseCopySource(tt.v)
		if tt.code == "" {
			if err != nil || b != tt.bucket || k != tt.key {
				t.Errorf("parseCopySource(%q) = %q, %q, %v; want %q, %q", short(tt.v), b, short(k), err, tt.bucket, short(tt.key))
			}
			continue
		}
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Code != tt.code {
			t.Errorf("parseCopySource(%q) = %q, %q, %v; want error %s", short(tt.v), b, short(k), err, tt.code)
		}
	}
}

func short(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-10:]
	}
	return s
}

// copyRangeTests: code "" means the range is accepted as [start, start+length).
var copyRangeTests = []struct {
	v             string
	size          int64
	start, length int64
	code          string
}{
	{"bytes=0-9", 100, 0, 10, ""},
	{"bytes=10-10", 100, 10, 1, ""},
	{"bytes=0-99", 100, 0, 100, ""},
	{"bytes=99-99", 100, 99, 1, ""},
	{"bytes=0-0", 1, 0, 1, ""},
	{"bytes=5242880-10485759", 10485760, 5242880, 5242880, ""},
	// inverted
	{"bytes=9-0", 100, 0, 0, "InvalidArgument"},
	{"bytes=50-49", 100, 0, 0, "InvalidArgument"},
	// beyond the size
	{"bytes=0-100", 100, 0, 0, "InvalidRange"},
	{"bytes=100-100", 100, 0, 0, "InvalidRange"},
	{"bytes=99-1000", 100, 0, 0, "InvalidRange"},
	{"bytes=0-0", 0, 0, 0, "InvalidRange"},
	{"bytes=9223372036854775806-9223372036854775807", 100, 0, 0, "InvalidRange"},
	// malformed
	{"", 100, 0, 0, "InvalidArgument"},
	{"0-9", 100, 0, 0, "InvalidArgument"},
	{"bytes 0-9", 100, 0, 0, "InvalidArgument"},
	{"Bytes=0-9", 100, 0, 0, "InvalidArgument"},
	{"bytes=", 100, 0, 0, "InvalidArgument"},
	{"bytes=-", 100, 0, 0, "InvalidArgument"},
	{"bytes=5", 100, 0, 0, "InvalidArgument"},
	{"bytes=5-", 100, 0, 0, "InvalidArgument"},
	{"bytes=-5", 100, 0, 0, "InvalidArgument"},
	{"bytes=a-b", 100, 0, 0, "InvalidArgument"},
	{"bytes=+1-2", 100, 0, 0, "InvalidArgument"},
	{"bytes=1-+2", 100, 0, 0, "InvalidArgument"},
	{"bytes=-1-2", 100, 0, 0, "InvalidArgument"},
	{"bytes= 1-2", 100, 0, 0, "InvalidArgument"},
	{"bytes=1-2 ", 100, 0, 0, "InvalidArgument"},
	{"bytes=1-2-3", 100, 0, 0, "InvalidArgument"},
	{"bytes=0-1,5-6", 100, 0, 0, "InvalidArgument"},
	{"bytes=0x1-2", 100, 0, 0, "InvalidArgument"},
	{"bytes=0-99999999999999999999", 100, 0, 0, "InvalidArgument"},
}

// parseCopyRangeSized is the whole decision on a copy range: its syntax (s3api), then its
// fit to a source of size bytes (the engine), as S3 errors.
func parseCopyRangeSized(v string, size int64) (int64, int64, error) {
	r, err := parseCopyRange(v)
	if err != nil {
		return 0, 0, err
	}
	start, length, err := object.CheckCopyRange(r, size)
	if err != nil {
		return 0, 0, apierr.S3(err)
	}
	return start, length, nil
}

func TestParseCopyRange(t *testing.T) {
	for _, tt := range copyRangeTests {
		start, length, err := parseCopyRangeSized(tt.v, tt.size)
		if tt.code == "" {
			if err != nil || start != tt.start || length != tt.length {
				t.Errorf("parseCopyRange(%q, %d) = %d, %d, %v; want %d, %d", tt.v, tt.size, start, length, err, tt.start, tt.length)
			}
			continue
		}
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Code != tt.code {
			t.Errorf("parseCopyRange(%q, %d) = %d, %d, %v; want error %s", tt.v, tt.size, start, length, err, tt.code)
		}
	}
}

func FuzzParseCopySource(f *testing.F) {
	for _, tt := range copySourceTests {
		f.Add(tt.v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		b, k, err := parseCopySource(v)
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.StatusCode() != 400 {
				t.Fatalf("parseCopySource(%q): %v, want a 400 S3 error", v, err)
			}
			return
		}
		if b == "" || k == "" {
			t.Fatalf("parseCopySource(%q) = %q, %q with no error", v, b, k)
		}
		if !utf8.ValidString(k) || len(k) > maxKeyLen {
			t.Fatalf("parseCopySource(%q) accepted key %q", v, k)
		}
		if strings.Contains(b, "/") {
			t.Fatalf("parseCopySource(%q) = bucket %q containing a slash", v, b)
		}
	})
}

func FuzzParseCopyRange(f *testing.F) {
	for _, tt := range copyRangeTests {
		f.Add(tt.v, tt.size)
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			return
		}
		start, length, err := parseCopyRangeSized(v, size)
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) || (ae.Code != "InvalidArgument" && ae.Code != "InvalidRange") {
				t.Fatalf("parseCopyRange(%q, %d): %v", v, size, err)
			}
			return
		}
		if start < 0 || length < 1 || start > size-length {
			t.Fatalf("parseCopyRange(%q, %d) = [%d, +%d), outside the object", v, size, start, length)
		}
	})
}
