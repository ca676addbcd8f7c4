package s3api

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/apierr"
)

var taggingHeaderTests = []struct {
	in   string
	want string // "k=v,…" sorted, or "error:Code"
}{
	{"", ""},
	{"a=1", "a=1"},
	{"a=1&b=two%20words", "a=1,b=two words"},
	{"a=1&b=two+words", "a=1,b=two words"},
	{"empty=", "empty="},
	{"noequals", "noequals="},
	{"a=1&&b=2", "a=1,b=2"},
	{"k%C3%A9y=v%C3%BC", "kéy=vü"},
	{"a=1&a=2", "error:InvalidArgument"},
	{"a=%zz", "error:InvalidArgument"},
	{"aws%3Atag=1", "error:InvalidTag"},
	{"AWS%3Atag=1", "error:InvalidTag"},
	{"=v", "error:InvalidTag"},
	{"a=%3C", "error:InvalidTag"},
	{strings.Repeat("k", 128) + "=v", strings.Repeat("k", 128) + "=v"},
	{strings.Repeat("k", 129) + "=v", "error:InvalidTag"},
	{"k=" + strings.Repeat("é", 256), "k=" + strings.Repeat("é", 256)},
	{"k=" + strings.Repeat("v", 257), "error:InvalidTag"},
	{"a%2B-=._:/@%3D1", "a+-=._:/@=1"}, // the first '=' splits key and value; + - = . _ : / @ are allowed
	{tagsHeader(10), "ok10"},
	{tagsHeader(11), "error:BadRequest"},
}

func tagsHeader(n int) string {
	var p []string
	for i := 0; i < n; i++ {
		p = append(p, fmt.Sprintf("k%d=v", i))
	}
	return strings.Join(p, "&")
}

func TestParseTaggingHeader(t *testing.T) {
	for _, tc := range taggingHeaderTests {
		m, err := parseTaggingHeader(tc.in)
		var got string
		switch {
		case err != nil:
			got = "error:" + apierr.S3(err).Code
		case len(m) == 10:
			got = "ok10"
		default:
			got = tagString(m)
		}
		if got != tc.want {
			t.Errorf("parseTaggingHeader(%.40q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func tagString(m map[string]string) string {
	var kv []string
	for _, t := range taggingResponse(m).TagSet.Tags {
		kv = append(kv, t.Key+"="+t.Value)
	}
	return strings.Join(kv, ",")
}

func TestCheckTagsBucketLimit(t *testing.T) {
	tags := make([]tagXML, 51)
	for i := range tags {
		tags[i] = tagXML{Key: fmt.Sprintf("k%d", i)}
	}
	if err := checkTags(tags[:50], maxBucketTags); err != nil {
		t.Errorf("50 bucket tags: %v", err)
	}
	if e := apierr.S3(checkTags(tags, maxBucketTags)); e == nil || e.Code != "InvalidTag" {
		t.Errorf("51 bucket tags: %v", e)
	}
	if e := apierr.S3(checkTags(tags[:11], maxObjectTags)); e == nil || e.Code != "BadRequest" || e.Message != "Object tags cannot be greater than 10" {
		t.Errorf("11 object tags: %v", e)
	}
}

// FuzzParseTaggingHeader: whatever x-amz-tagging holds, the parser either refuses it with
// an S3 error or yields at most 10 tags that each pass S3's rules, and re-encoding them
// parses back to the same set.
func FuzzParseTaggingHeader(f *testing.F) {
	for _, tc := range taggingHeaderTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := parseTaggingHeader(in)
		if err != nil {
			if apierr.S3(err).Status != 400 {
				t.Fatalf("%q: %v is not a 400", in, err)
			}
			return
		}
		if len(m) > maxObjectTags {
			t.Fatalf("%q: %d tags", in, len(m))
		}
		var tags []tagXML
		var enc []string
		for k, v := range m {
			tags = append(tags, tagXML{k, v})
			enc = append(enc, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
		if err := checkTags(tags, maxObjectTags); err != nil {
			t.Fatalf("%q: parsed tags fail the rules: %v", in, err)
		}
		back, err := parseTaggingHeader(strings.Join(enc, "&"))
		if err != nil || tagString(back) != tagString(m) {
			t.Fatalf("%q: round trip %v %v", in, back, err)
		}
	})
}
