package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/acl"
	"github.com/arcastore/arca/internal/apierr"
)

var (
	aclIDA = strings.Repeat("a", 64)
	aclIDB = strings.Repeat("b", 64)
)

const aclDoc = `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` +
	`aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</ID></Owner><AccessControlList>` +
	`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>` +
	`aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>` +
	`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>` +
	`http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>` +
	`</AccessControlList></AccessControlPolicy>`

var decodeACLTests = []struct {
	name string
	doc  string
	err  error
	n    int
}{
	{"owner and public read", aclDoc, nil, 2},
	{"empty list", `<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList/></AccessControlPolicy>`, nil, 0},
	{"not xml", `<AccessControlPolicy>`, apierr.MalformedACL, 0},
	{"bad permission", strings.Replace(aclDoc, "READ<", "READS<", 1), acl.ErrMalformed, 0},
	{"type mismatch", strings.Replace(aclDoc, `xsi:type="Group"`, `xsi:type="CanonicalUser"`, 1), apierr.MalformedACL, 0},
	{"bad id", strings.Replace(aclDoc, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</ID></Grantee>", "abc</ID></Grantee>", 1), acl.ErrInvalidID, 0},
	{"bad group", strings.Replace(aclDoc, "global/AllUsers", "global/Nobody", 1), acl.ErrInvalidGroup, 0},
	{"email", `<AccessControlPolicy><AccessControlList><Grant><Grantee><EmailAddress>a@b.c</EmailAddress></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`, acl.ErrEmailGrantee, 0},
	{"no grantee", `<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`, apierr.MalformedACL, 0},
}

func TestDecodeACL(t *testing.T) {
	for _, tc := range decodeACLTests {
		gs, err := decodeACL([]byte(tc.doc))
		if !errors.Is(err, tc.err) && err != tc.err {
			t.Fatalf("%s: err %v, want %v", tc.name, err, tc.err)
		}
		if len(gs) != tc.n {
			t.Fatalf("%s: %d grants", tc.name, len(gs))
		}
	}
}

// TestEncodeACLRoundTrip: what GetBucketAcl writes, PutBucketAcl reads back the same.
func TestEncodeACLRoundTrip(t *testing.T) {
	a, _ := acl.Canned(acl.CannedPublicReadWrite, aclIDA, aclIDA)
	a.Grants = append(a.Grants, acl.Grant{Grantee: acl.Grantee{ID: aclIDB}, Permission: acl.ReadACP})
	data, err := xml.Marshal(encodeACL(a))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"`) {
		t.Fatalf("grantee type not written as S3 does: %s", data)
	}
	gs, err := decodeACL(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != len(a.Grants) {
		t.Fatalf("%+v", gs)
	}
	for i := range gs {
		if gs[i] != a.Grants[i] {
			t.Fatalf("grant %d: %+v, want %+v", i, gs[i], a.Grants[i])
		}
	}
}

func TestHeaderACL(t *testing.T) {
	h := http.Header{}
	h.Set("x-amz-acl", "public-read")
	h.Set("x-amz-grant-read", `id="`+aclIDB+`"`)
	if _, _, _, err := headerACL(h, aclIDA, aclIDA); err != apierr.CannedAndGrants {
		t.Fatalf("canned and grants: %v", err)
	}
	h.Del("x-amz-grant-read")
	h.Set("x-amz-acl", "nonsense")
	if _, _, _, err := headerACL(h, aclIDA, aclIDA); err == nil {
		t.Fatal("unknown canned ACL accepted")
	}
	h = http.Header{}
	h.Set("x-amz-grant-read", `id="`+aclIDB+`"`)
	h.Set("x-amz-grant-full-control", `id="`+aclIDA+`"`)
	a, canned, given, err := headerACL(h, aclIDA, aclIDA)
	if err != nil || canned != "" || !given || len(a.Grants) != 2 || a.Grants[0].Permission != acl.FullControl {
		t.Fatalf("%+v %q %v %v", a, canned, given, err)
	}
	if _, _, given, _ := headerACL(http.Header{}, aclIDA, aclIDA); given {
		t.Fatal("no headers, but given")
	}
}

// FuzzDecodeACL: any body decodes into valid grants or an error, never a panic; what
// decodes re-encodes and decodes to the same grants.
func FuzzDecodeACL(f *testing.F) {
	for _, tc := range decodeACLTests {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		gs, err := decodeACL(data)
		if err != nil {
			return
		}
		out, err := xml.Marshal(encodeACL(acl.ACL{Owner: aclIDA, Grants: gs}))
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeACL(out)
		if err != nil || len(again) != len(gs) {
			t.Fatalf("re-decode: %v %d/%d", err, len(again), len(gs))
		}
		for i := range gs {
			if gs[i] != again[i] {
				t.Fatalf("grant %d: %+v vs %+v", i, gs[i], again[i])
			}
		}
	})
}
