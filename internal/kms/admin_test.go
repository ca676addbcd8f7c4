package kms

import (
	"github.com/arcastore/arca/internal/kv"
	"github.com/arcastore/arca/internal/storage/bolt"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
)

var policyTests = []struct {
	name, doc string
	sentinel  error
}{
	{"default", DefaultPolicy(testAccount), nil},
	{"not json", "{", ErrMalformedPolicy},
	{"no statement", `{"Version":"2012-10-17"}`, ErrMalformedPolicy},
	{"bad version", `{"Version":"2020-01-01","Statement":[]}`, ErrMalformedPolicy},
	{"no principal", `{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, ErrMalformedPolicy},
	{"bad effect", `{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"kms:*","Resource":"*"}]}`, ErrMalformedPolicy},
	{"s3 action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, ErrMalformedPolicy},
	{"single statement object", `{"Statement":{"Effect":"Deny","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}}`, nil},
	{"too large", `{"Statement":[],"x":"` + strings.Repeat("x", 32768) + `"}`, ErrLimitExceeded},
}

func TestPolicies(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	for _, tc := range policyTests {
		err := e.svc.PutKeyPolicy(testCtx, caller, md.KeyID, "default", tc.doc, nil)
		if tc.sentinel == nil && err != nil || tc.sentinel != nil && !isErr(err, tc.sentinel) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	doc, err := e.svc.GetKeyPolicy(testCtx, caller, md.KeyID, "")
	if err != nil || !strings.Contains(doc, `"Deny"`) {
		t.Fatalf("get: %q %v", doc, err)
	}
	_, err = e.svc.GetKeyPolicy(testCtx, caller, md.KeyID, "other")
	wantErr(t, "other name", err, ErrNotFound, "No such policy exists")
	_, err = e.svc.CreateKey(testCtx, caller, CreateKeyInput{Policy: "[]"})
	wantErr(t, "create with bad policy", err, ErrMalformedPolicy, "-")
	names, _, _ := e.svc.ListKeyPolicies(testCtx, caller, md.KeyID, Page{})
	if len(names) != 1 || names[0] != "default" {
		t.Fatalf("names %v", names)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	md, err := e.svc.CreateKey(testCtx, caller, CreateKeyInput{Tags: []Tag{{"b", "2"}, {"a", "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := md.KeyID
	wantErr(t, "reserved", e.svc.TagResource(testCtx, caller, id, []Tag{{"aws:x", "1"}}), ErrTag, "Tags beginning with aws: are reserved")
	wantErr(t, "duplicate", e.svc.TagResource(testCtx, caller, id, []Tag{{"x", "1"}, {"x", "2"}}), ErrTag, "Duplicate tag keys")
	many := make([]Tag, 49)
	for i := range many {
		many[i] = Tag{Key: "k" + strings.Repeat("x", i), Value: ""}
	}
	wantErr(t, "too many", e.svc.TagResource(testCtx, caller, id, many), ErrTag, "Too many tags")
	if err := e.svc.TagResource(testCtx, caller, id, []Tag{{"a", "one"}, {"c", "3"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UntagResource(testCtx, caller, id, []string{"b", "zzz"}); err != nil {
		t.Fatal(err)
	}
	e.reopen()
	tags, next, _ := e.svc.ListResourceTags(testCtx, caller, id, Page{Limit: 1})
	if len(tags) != 1 || tags[0] != (Tag{"a", "one"}) || next == "" {
		t.Fatalf("page 1: %v %q", tags, next)
	}
	tags, next, _ = e.svc.ListResourceTags(testCtx, caller, id, Page{Marker: next})
	if len(tags) != 1 || tags[0] != (Tag{"c", "3"}) || next != "" {
		t.Fatalf("page 2: %v %q", tags, next)
	}
}

func TestGrants(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	in := CreateGrantInput{KeyID: md.KeyID, GranteePrincipal: "arn:aws:iam::111122223333:role/app",
		RetiringPrincipal: "arn:aws:iam::111122223333:role/admin", Operations: []string{"Decrypt", "Encrypt"},
		Constraints: &GrantConstraints{EncryptionContextSubset: map[string]string{"dept": "x"}}, Name: "g1"}
	id, token, err := e.svc.CreateGrant(testCtx, caller, in)
	if err != nil || len(id) != 64 || token == "" {
		t.Fatalf("create: %q %q %v", id, token, err)
	}
	id2, _, _ := e.svc.CreateGrant(testCtx, caller, in)
	if id2 != id {
		t.Fatal("same name and parameters must return the same grant")
	}
	in.Operations = []string{"Sign"}
	_, _, err = e.svc.CreateGrant(testCtx, caller, in)
	wantErr(t, "sign on symmetric", err, ErrValidation, "-")
	in.Operations, in.Name = []string{"GenerateDataKey"}, ""
	other, _, _ := e.svc.CreateGrant(testCtx, caller, in)
	gs, _, _ := e.svc.ListGrants(testCtx, caller, md.KeyID, "", "", Page{})
	if len(gs) != 2 || gs[0].KeyID != md.ARN {
		t.Fatalf("list: %+v", gs)
	}
	gs, _, _ = e.svc.ListRetirableGrants(testCtx, caller, in.RetiringPrincipal, Page{})
	if len(gs) != 2 {
		t.Fatalf("retirable: %+v", gs)
	}
	_, _, err = e.svc.ListGrants(testCtx, caller, md.KeyID, "nope", "", Page{})
	wantErr(t, "bad grant id", err, ErrInvalidGrantID, "-")
	if err := e.svc.RetireGrant(testCtx, caller, token, "", ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "retire bad token", e.svc.RetireGrant(testCtx, caller, "garbage", "", ""), ErrInvalidGrantToken, "-")
	if err := e.svc.RevokeGrant(testCtx, caller, md.KeyID, other); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "revoke twice", e.svc.RevokeGrant(testCtx, caller, md.KeyID, other), ErrNotFound, "-")
	e.reopen()
	if gs, _, _ := e.svc.ListGrants(testCtx, caller, md.KeyID, "", "", Page{}); len(gs) != 0 {
		t.Fatalf("left: %+v", gs)
	}
}

func TestResealAll(t *testing.T) {
	e := newEnv(t)
	md := e.createKey()
	e.svc.RotateKeyOnDemand(testCtx, caller, md.KeyID)
	blob, _, _ := e.svc.Encrypt(testCtx, caller, md.KeyID, []byte("keep"), nil)
	e.close()
	db, _ := bolt.Open(e.dir+"/meta.db", bolt.Options{})
	wrong, _ := rootkey.Parse(rootkey.Generate())
	if _, err := ResealAll(db, wrong, wrong); !isErr(err, ErrWrongRootKey) {
		t.Fatalf("wrong old key: %v", err)
	}
	n, err := ResealAll(db, e.root, wrong)
	if err == nil { // as rotate-root-key does: the record key moves to the new root key too
		err = db.Update(func(tx kv.Tx) error { return meta.ResealRecordKeyTx(tx, e.root, wrong) })
	}
	db.Close()
	if err != nil || n != 2 {
		t.Fatalf("reseal: %d %v", n, err)
	}
	old := e.root
	e.root = wrong
	e.open(Config{})
	if d, err := e.svc.Decrypt(testCtx, caller, blob, nil); err != nil || string(d.Plaintext) != "keep" {
		t.Fatalf("after reseal: %v", err)
	}
	e.close()
	e.root = old
	db, _ = bolt.Open(e.dir+"/meta.db", bolt.Options{})
	_, err = Open(testCtx, Config{DB: db, Root: old, Region: testRegion, AccountID: testAccount, SchedulerInterval: -1})
	db.Close()
	if !isErr(err, ErrWrongRootKey) {
		t.Fatalf("old root key after reseal: %v", err)
	}
}
