package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/meta"
)

var objectAttributesTests = []struct {
	values []string
	want   string // sorted names, "" = refused
}{
	{[]string{"ETag"}, "ETag"},
	{[]string{"ETag,Checksum,ObjectParts,StorageClass,ObjectSize"}, "Checksum ETag ObjectParts ObjectSize StorageClass"},
	{[]string{"ETag, ObjectSize"}, "ETag ObjectSize"},
	{[]string{"ETag", "ObjectSize"}, "ETag ObjectSize"},
	{nil, ""},
	{[]string{""}, ""},
	{[]string{"ETag,"}, ""},
	{[]string{"etag"}, ""},
	{[]string{"ETag,Owner"}, ""},
}

func TestParseObjectAttributes(t *testing.T) {
	for _, tt := range objectAttributesTests {
		h := http.Header{}
		for _, v := range tt.values {
			h.Add("X-Amz-Object-Attributes", v)
		}
		got, err := parseObjectAttributes(h)
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), "Invalid attribute name specified.") {
				t.Errorf("%q: got %v, %v; want InvalidArgument", tt.values, got, err)
			}
			continue
		}
		var names []string
		for _, a := range objectAttributes {
			if got[a] {
				names = append(names, a)
			}
		}
		if err != nil || len(got) != len(strings.Fields(tt.want)) {
			t.Errorf("%q: got %v, %v; want %s", tt.values, names, err, tt.want)
		}
	}
}

// FuzzParseObjectAttributes: any header is refused or yields only known names.
func FuzzParseObjectAttributes(f *testing.F) {
	for _, tt := range objectAttributesTests {
		f.Add(strings.Join(tt.values, "\n"), "1000", "0")
	}
	f.Add("ObjectParts", "-1", "x")
	f.Add("ObjectParts", "99999999999999999999", "2")
	f.Fuzz(func(t *testing.T, attrs, max, marker string) {
		h := http.Header{}
		for _, v := range strings.Split(attrs, "\n") {
			h.Add("X-Amz-Object-Attributes", v)
		}
		h.Set("X-Amz-Max-Parts", max)
		h.Set("X-Amz-Part-Number-Marker", marker)
		if got, err := parseObjectAttributes(h); err == nil {
			for a := range got {
				if !strings.Contains(" ETag Checksum ObjectParts StorageClass ObjectSize ", " "+a+" ") {
					t.Fatalf("unknown attribute %q accepted", a)
				}
			}
		}
		if m, k, err := parsePartsPaging(h); err == nil && (m < 0 || m > 1000 || k < 0) {
			t.Fatalf("paging %d %d accepted", m, k)
		}
	})
}

// compositeObject is a three-part COMPOSITE SHA256 object.
func compositeObject() *meta.Object {
	o := &meta.Object{ETag: "abc-3", Size: 30, Checksum: &meta.Checksum{Algorithm: "SHA256", Value: "Y2hlY2s=-3", Type: "COMPOSITE"}}
	for i, ck := range []string{"cDE=", "cDI=", "cDM="} {
		o.Parts = append(o.Parts, meta.PartInfo{Number: i + 1, Size: 10, Checksum: ck})
	}
	return o
}

func TestAttributesOfPaging(t *testing.T) {
	all := map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}
	out := attributesOf(compositeObject(), all, 2, 0)
	b, err := xml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"<ETag>abc-3</ETag>", "<ChecksumSHA256>Y2hlY2s=</ChecksumSHA256><ChecksumType>COMPOSITE</ChecksumType>",
		"<PartsCount>3</PartsCount><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>",
		"<Part><ChecksumSHA256>cDE=</ChecksumSHA256><PartNumber>1</PartNumber><Size>10</Size></Part>",
		"<StorageClass>STANDARD</StorageClass><ObjectSize>30</ObjectSize>"} {
		if !strings.Contains(s, want) {
			t.Errorf("response lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "cDM=") {
		t.Errorf("page of 2 lists part 3:\n%s", s)
	}
	last := attributesOf(compositeObject(), map[string]bool{"ObjectParts": true}, 2, 2)
	if p := last.ObjectParts; len(p.Parts) != 1 || p.Parts[0].PartNumber != 3 || *p.IsTruncated || *p.NextPartNumberMarker != 3 {
		t.Errorf("second page: %+v", p)
	}
	full := compositeObject()
	full.Checksum.Type, full.Checksum.Value = "FULL_OBJECT", "AAAAAA=="
	if p := attributesOf(full, all, 1000, 0).ObjectParts; p.PartsCount != 3 || p.Parts != nil || p.MaxParts != nil {
		t.Errorf("FULL_OBJECT parts: %+v (want the count alone)", p)
	}
	if p := attributesOf(&meta.Object{Size: 1}, all, 1000, 0).ObjectParts; p != nil {
		t.Errorf("simple object has ObjectParts %+v", p)
	}
}

func TestTrimPartCount(t *testing.T) {
	for in, want := range map[string]string{"abc=-3": "abc=", "abc=": "abc=", "abc=-0": "abc=-0", "abc=-x": "abc=-x", "a-b-10000": "a-b", "a-10001": "a-10001"} {
		if got := trimPartCount(in); got != want {
			t.Errorf("trimPartCount(%q) = %q, want %q", in, got, want)
		}
	}
}
