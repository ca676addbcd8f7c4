package migrate

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func names(objs []Object) string {
	var s []string
	for _, o := range objs {
		s = append(s, o.VersionID)
	}
	return strings.Join(s, " ")
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var orderTests = []struct {
	name string
	in   []Listed
	want string
}{
	{"by time", []Listed{
		{Object: Object{VersionID: "v3", LastModified: t0.Add(2 * time.Second)}, IsLatest: true, Seq: 0},
		{Object: Object{VersionID: "dm", DeleteMarker: true, LastModified: t0.Add(time.Second)}, Seq: 1},
		{Object: Object{VersionID: "v1", LastModified: t0}, Seq: 2},
	}, "v1 dm v3"},
	// AWS: one second, the listing interleaves markers and versions newest first.
	{"same second, listing order", []Listed{
		{Object: Object{VersionID: "dm2", DeleteMarker: true, LastModified: t0}, IsLatest: true, Seq: 0},
		{Object: Object{VersionID: "v2", LastModified: t0}, Seq: 1},
		{Object: Object{VersionID: "dm1", DeleteMarker: true, LastModified: t0}, Seq: 2},
		{Object: Object{VersionID: "v1", LastModified: t0}, Seq: 3},
	}, "v1 dm1 v2 dm2"},
	// The SDK's two lists arrive versions first; the sequence numbers restore the order.
	{"same second, split lists", []Listed{
		{Object: Object{VersionID: "v2", LastModified: t0}, Seq: 1},
		{Object: Object{VersionID: "v1", LastModified: t0}, Seq: 3},
		{Object: Object{VersionID: "dm2", DeleteMarker: true, LastModified: t0}, IsLatest: true, Seq: 0},
		{Object: Object{VersionID: "dm1", DeleteMarker: true, LastModified: t0}, Seq: 2},
	}, "v1 dm1 v2 dm2"},
	// moto: versions then markers, one second: versions keep their order, latest last.
	{"moto", []Listed{
		{Object: Object{VersionID: "v2", LastModified: t0}, Seq: 0},
		{Object: Object{VersionID: "v1", LastModified: t0}, Seq: 1},
		{Object: Object{VersionID: "dm2", DeleteMarker: true, LastModified: t0}, IsLatest: true, Seq: 2},
		{Object: Object{VersionID: "dm1", DeleteMarker: true, LastModified: t0}, Seq: 3},
	}, "dm1 v1 v2 dm2"},
	{"unknown listing order", []Listed{
		{Object: Object{VersionID: "dm", DeleteMarker: true, LastModified: t0}, Seq: -1},
		{Object: Object{VersionID: "v2", LastModified: t0}, IsLatest: true, Seq: -1},
		{Object: Object{VersionID: "v1", LastModified: t0}, Seq: -1},
	}, "v1 dm v2"},
}

func TestOrderVersions(t *testing.T) {
	for _, tt := range orderTests {
		if got := names(OrderVersions(tt.in)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

const listingDoc = `<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<DeleteMarker><Key>k</Key><VersionId>dm2</VersionId><IsLatest>true</IsLatest></DeleteMarker>
<Version><Key>k</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest><Owner><ID>x</ID></Owner></Version>
<DeleteMarker><Key>k</Key><VersionId>dm1</VersionId></DeleteMarker>
<Version><Key>k</Key><VersionId>v1</VersionId></Version>
<Version><Key>l</Key><VersionId>null</VersionId></Version>
</ListVersionsResult>`

func TestListingOrder(t *testing.T) {
	got := ListingOrder([]byte(listingDoc))
	want := map[[2]string]int{{"k", "dm2"}: 0, {"k", "v2"}: 1, {"k", "dm1"}: 2, {"k", "v1"}: 3, {"l", "null"}: 4}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListingOrder = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "<ListVersionsResult><Version><Key>k", "not xml <"} {
		if got := ListingOrder([]byte(bad)); len(got) != 0 {
			t.Errorf("ListingOrder(%q) = %v", bad, got)
		}
	}
}

// FuzzListingOrder: any document gives nil or positions 0..n-1, each once.
func FuzzListingOrder(f *testing.F) {
	f.Add([]byte(listingDoc))
	f.Add([]byte(`<a><Version><Key>k</Key></Version><Version><Key>k</Key></Version></a>`))
	f.Add([]byte(`<a><b><Version/></b></a>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		pos := ListingOrder(doc)
		seen := make([]bool, len(pos))
		for _, p := range pos {
			if p < 0 || p >= len(pos) || seen[p] {
				t.Fatalf("positions %v", pos)
			}
			seen[p] = true
		}
	})
}
