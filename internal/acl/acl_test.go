package acl

import (
	"strings"
	"testing"
)

var (
	idA = strings.Repeat("a", 64)
	idB = strings.Repeat("b", 64)
)

var cannedTests = []struct {
	name, owner, bucketOwner string
	want                     []Grant
	err                      error
}{
	{"private", idA, idA, []Grant{{Grantee{ID: idA}, FullControl}}, nil},
	{"public-read", idA, idA, []Grant{{Grantee{ID: idA}, FullControl}, {Grantee{URI: AllUsers}, Read}}, nil},
	{"public-read-write", idA, idA, []Grant{{Grantee{ID: idA}, FullControl}, {Grantee{URI: AllUsers}, Read}, {Grantee{URI: AllUsers}, Write}}, nil},
	{"authenticated-read", idA, idA, []Grant{{Grantee{ID: idA}, FullControl}, {Grantee{URI: AuthenticatedUsers}, Read}}, nil},
	{"aws-exec-read", idA, idA, []Grant{{Grantee{ID: idA}, FullControl}}, nil},
	{"bucket-owner-read", idB, idA, []Grant{{Grantee{ID: idB}, FullControl}, {Grantee{ID: idA}, Read}}, nil},
	{"bucket-owner-read", idA, idA, []Grant{{Grantee{ID: idA}, FullControl}}, nil},
	{"bucket-owner-full-control", idB, idA, []Grant{{Grantee{ID: idB}, FullControl}, {Grantee{ID: idA}, FullControl}}, nil},
	{"log-delivery-write", idA, idA, []Grant{{Grantee{ID: idA}, FullControl}, {Grantee{URI: LogDelivery}, Write}, {Grantee{URI: LogDelivery}, ReadACP}}, nil},
	{"Private", idA, idA, nil, ErrInvalidCanned},
	{"", idA, idA, nil, ErrInvalidCanned},
}

func TestCanned(t *testing.T) {
	for _, tc := range cannedTests {
		a, err := Canned(tc.name, tc.owner, tc.bucketOwner)
		if err != tc.err {
			t.Fatalf("%s: err %v, want %v", tc.name, err, tc.err)
		}
		if err != nil {
			continue
		}
		if a.Owner != tc.owner || len(a.Grants) != len(tc.want) {
			t.Fatalf("%s: %+v, want %+v", tc.name, a, tc.want)
		}
		for i := range a.Grants {
			if a.Grants[i] != tc.want[i] {
				t.Fatalf("%s: grant %d %+v, want %+v", tc.name, i, a.Grants[i], tc.want[i])
			}
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
}

var grantHeaderTests = []struct {
	value string
	want  []Grantee
	err   error
}{
	{`id="` + idA + `"`, []Grantee{{ID: idA}}, nil},
	{`id=` + idA + `, uri="` + AllUsers + `"`, []Grantee{{ID: idA}, {URI: AllUsers}}, nil},
	{`ID="` + idB + `",URI="` + AuthenticatedUsers + `"`, []Grantee{{ID: idB}, {URI: AuthenticatedUsers}}, nil},
	{`emailAddress="x@example.com"`, nil, ErrEmailGrantee},
	{`id="abc"`, nil, ErrInvalidID},
	{`uri="http://example.com/group"`, nil, ErrInvalidGroup},
	{`id=""`, nil, ErrInvalidHeader},
	{`nonsense`, nil, ErrInvalidHeader},
	{``, nil, ErrInvalidHeader},
	{`foo="bar"`, nil, ErrInvalidHeader},
}

func TestParseGrantHeader(t *testing.T) {
	for _, tc := range grantHeaderTests {
		gs, err := ParseGrantHeader(Read, tc.value)
		if err != tc.err {
			t.Fatalf("%q: err %v, want %v", tc.value, err, tc.err)
		}
		if len(gs) != len(tc.want) {
			t.Fatalf("%q: %+v", tc.value, gs)
		}
		for i, g := range gs {
			if g.Grantee != tc.want[i] || g.Permission != Read {
				t.Fatalf("%q: %+v", tc.value, gs)
			}
		}
	}
}

var allowsTests = []struct {
	name   string
	grants []Grant
	caller Caller
	perm   Permission
	want   bool
}{
	{"owner full control reads", []Grant{{Grantee{ID: idA}, FullControl}}, Caller{CanonicalID: idA, Authenticated: true}, Read, true},
	{"owner grant ignored for own users", []Grant{{Grantee{ID: idA}, FullControl}}, Caller{CanonicalID: idA, Authenticated: true, IgnoreAccountGrants: true}, Read, false},
	{"other account not granted", []Grant{{Grantee{ID: idA}, FullControl}}, Caller{CanonicalID: idB, Authenticated: true}, Read, false},
	{"read grant does not write", []Grant{{Grantee{ID: idB}, Read}}, Caller{CanonicalID: idB, Authenticated: true}, Write, false},
	{"read grant reads", []Grant{{Grantee{ID: idB}, Read}}, Caller{CanonicalID: idB, Authenticated: true}, Read, true},
	{"all users anonymous", []Grant{{Grantee{URI: AllUsers}, Read}}, Caller{}, Read, true},
	{"all users signed", []Grant{{Grantee{URI: AllUsers}, Read}}, Caller{CanonicalID: idB, Authenticated: true}, Read, true},
	{"all users ignored", []Grant{{Grantee{URI: AllUsers}, Read}}, Caller{IgnorePublic: true}, Read, false},
	{"authenticated anonymous", []Grant{{Grantee{URI: AuthenticatedUsers}, Read}}, Caller{}, Read, false},
	{"authenticated signed", []Grant{{Grantee{URI: AuthenticatedUsers}, Read}}, Caller{CanonicalID: idB, Authenticated: true}, Read, true},
	{"authenticated ignored", []Grant{{Grantee{URI: AuthenticatedUsers}, Read}}, Caller{CanonicalID: idB, Authenticated: true, IgnorePublic: true}, Read, false},
	{"log delivery grants no caller", []Grant{{Grantee{URI: LogDelivery}, Write}}, Caller{CanonicalID: idB, Authenticated: true}, Write, false},
	{"write acp", []Grant{{Grantee{ID: idB}, WriteACP}}, Caller{CanonicalID: idB, Authenticated: true}, WriteACP, true},
	{"no grants", nil, Caller{CanonicalID: idB, Authenticated: true}, Read, false},
}

func TestAllows(t *testing.T) {
	for _, tc := range allowsTests {
		if got := (ACL{Owner: idA, Grants: tc.grants}).Allows(tc.caller, tc.perm); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestIsPublicOwnerOnly(t *testing.T) {
	pub, _ := Canned(CannedPublicRead, idA, idA)
	auth, _ := Canned(CannedAuthenticatedRead, idA, idA)
	logw, _ := Canned(CannedLogDeliveryWrite, idA, idA)
	bofc, _ := Canned(CannedBucketOwnerFullControl, idB, idA)
	if !IsPublic(pub.Grants) || !IsPublic(auth.Grants) || IsPublic(logw.Grants) || IsPublic(bofc.Grants) {
		t.Fatal("IsPublic")
	}
	if !bofc.OwnerOnly(idB, idA) || pub.OwnerOnly(idA, idA) || !Private(idA).OwnerOnly(idA, idA) {
		t.Fatal("OwnerOnly")
	}
	bor, _ := Canned(CannedBucketOwnerRead, idB, idA)
	if bor.OwnerOnly(idB, idA) {
		t.Fatal("bucket-owner-read is not owner-only full control")
	}
}

func TestPermissions(t *testing.T) {
	for a, want := range map[string]Permission{"s3:ListBucket": Read, "s3:PutObject": Write, "s3:DeleteObject": Write, "s3:GetBucketAcl": ReadACP, "s3:PutBucketAcl": WriteACP} {
		if p, ok := BucketPermission(a); !ok || p != want {
			t.Errorf("bucket %s: %v", a, p)
		}
	}
	for a, want := range map[string]Permission{"s3:GetObject": Read, "s3:GetObjectVersion": Read, "s3:GetObjectAcl": ReadACP, "s3:PutObjectVersionAcl": WriteACP} {
		if p, ok := ObjectPermission(a); !ok || p != want {
			t.Errorf("object %s: %v", a, p)
		}
	}
	if _, ok := BucketPermission("s3:PutBucketPolicy"); ok {
		t.Error("an ACL never allows s3:PutBucketPolicy")
	}
	if _, ok := ObjectPermission("s3:PutObjectTagging"); ok {
		t.Error("an object ACL never allows s3:PutObjectTagging")
	}
}

func TestObjectOwner(t *testing.T) {
	for _, tc := range []struct{ own, canned, want string }{
		{BucketOwnerEnforced, "", idA}, {ObjectWriter, CannedBucketOwnerFullControl, idB},
		{BucketOwnerPreferred, CannedBucketOwnerFullControl, idA}, {BucketOwnerPreferred, "", idB}, {"", "", idB},
	} {
		if got := ObjectOwner(tc.own, idB, idA, tc.canned); got != tc.want {
			t.Errorf("%s/%s: %s", tc.own, tc.canned, got)
		}
	}
}

// FuzzParseGrantHeader: any header value parses into valid grants or an error, never a
// panic, and every grant it returns validates.
func FuzzParseGrantHeader(f *testing.F) {
	for _, tc := range grantHeaderTests {
		f.Add(tc.value)
	}
	f.Fuzz(func(t *testing.T, v string) {
		gs, err := ParseGrantHeader(WriteACP, v)
		if err != nil {
			return
		}
		if len(gs) == 0 {
			t.Fatal("no grants and no error")
		}
		if err := (ACL{Grants: gs}).Validate(); err != nil {
			t.Fatal(err)
		}
	})
}
