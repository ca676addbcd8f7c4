package iamapi

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

var fuzzRoot, _ = rootkey.Parse(rootkey.Generate())

// fuzzFixture is a fresh store holding user alice (with a key), group g and managed
// policy p: every input starts from the same state, so what it covers does not depend on
// the inputs before it (which would defeat the fuzzer's minimization).
func fuzzFixture(t *testing.T) *API {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	store, err := iam.Open(ctx, iam.Config{DB: db, Root: fuzzRoot, AccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	_, err1 := store.CreateUser(ctx, "alice", "")
	_, err2 := store.CreateAccessKey(ctx, "alice")
	_, err3 := store.CreateGroup(ctx, "g", "")
	_, err4 := store.CreatePolicy(ctx, "p", "/x/", "", `{"Statement":[]}`)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return New(Config{AccountID: account}, Deps{Store: store})
}

// FuzzServe sends arbitrary request bodies through every action as the root: no panic,
// only statuses AWS uses, and always a well-formed XML response.
func FuzzServe(f *testing.F) {
	for _, seed := range []string{
		"Action=CreateUser&Version=2010-05-08&UserName=bob&Path=/a/",
		"Action=CreateAccessKey&UserName=alice",
		"Action=ListUsers&MaxItems=1&Marker=YQ",
		"Action=PutUserPolicy&UserName=alice&PolicyName=p&PolicyDocument=%7B%7D",
		"Action=PutGroupPolicy&GroupName=g&PolicyName=p&PolicyDocument=%7B%7D",
		"Action=CreatePolicy&PolicyName=q&PolicyDocument=%7B%7D&Path=/x/",
		"Action=AttachUserPolicy&UserName=alice&PolicyArn=arn:aws:iam::123456789012:policy/x/p",
		"Action=GetPolicyVersion&PolicyArn=arn:aws:iam::123456789012:policy/x/p&VersionId=v1",
		"Action=UpdateAccessKey&UserName=alice&AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=Inactive",
		"Action=AddUserToGroup&GroupName=g&UserName=alice",
		"Action=ListAttachedUserPolicies&UserName=alice&MaxItems=x",
		"Action=DeleteUser&UserName=alice",
		"Action=GetCallerIdentity&Version=2011-06-15",
		"Action=%00&Version=%FF",
	} {
		f.Add(seed)
	}
	statuses := map[int]bool{200: true, 400: true, 403: true, 404: true, 409: true}
	f.Fuzz(func(t *testing.T, body string) {
		a := fuzzFixture(t)
		for _, service := range []string{ServiceIAM, ServiceSTS} {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			a.Serve(w, r, &Caller{Identity: root, Service: service, Body: strings.NewReader(body)})
			if !statuses[w.Code] {
				t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
			}
			var v struct{ XMLName xml.Name }
			if err := xml.Unmarshal(w.Body.Bytes(), &v); err != nil {
				t.Fatalf("response to %q is not XML: %v\n%s", body, err, w.Body)
			}
		}
	})
}
