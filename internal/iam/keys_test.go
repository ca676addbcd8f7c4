package iam

import (
	"strings"
	"sync"
	"testing"
)

func TestAccessKeys(t *testing.T) {
	e := newEnv(t)
	s := e.s
	u := must[User](t)(s.CreateUser(ctx, "alice", "/eng/"))
	k1 := must[AccessKey](t)(s.CreateAccessKey(ctx, "alice"))
	if len(k1.ID) != 20 || !strings.HasPrefix(k1.ID, "AKIA") || len(k1.Secret) != 40 ||
		k1.Status != StatusActive || k1.UserName != "alice" || !k1.Created.Equal(e.now) {
		t.Fatalf("CreateAccessKey: %+v", k1)
	}
	secret, id, err := s.LookupAccessKey(ctx, k1.ID)
	ok(t, err)
	want := Identity{Type: TypeIAMUser, AccountID: testAccount, ARN: "arn:aws:iam::123456789012:user/eng/alice",
		UserID: u.ID, UserName: "alice", AccessKeyID: k1.ID}
	if secret != k1.Secret || id != want {
		t.Fatalf("LookupAccessKey: %+v", id)
	}

	e.now = e.now.Add(1)
	k2 := must[AccessKey](t)(s.CreateAccessKey(ctx, "ALICE"))
	_, err = s.CreateAccessKey(ctx, "alice")
	wantErr(t, err, ErrLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2")

	keys, next, err := s.ListAccessKeys(ctx, "alice", Page{})
	ok(t, err)
	if len(keys) != 2 || next != "" || keys[0].Secret != "" || keys[1].Secret != "" {
		t.Fatalf("ListAccessKeys: %+v", keys)
	}
	page, next, err := s.ListAccessKeys(ctx, "alice", Page{MaxItems: 1})
	ok(t, err)
	rest, next2, err := s.ListAccessKeys(ctx, "alice", Page{MaxItems: 1, Marker: next})
	ok(t, err)
	if len(page) != 1 || len(rest) != 1 || next2 != "" || page[0].ID == rest[0].ID {
		t.Fatalf("ListAccessKeys paging: %+v %+v", page, rest)
	}

	// Inactive keys stop authenticating at once and come back with the same secret.
	ok(t, s.UpdateAccessKey(ctx, "alice", k1.ID, StatusInactive))
	_, _, err = s.LookupAccessKey(ctx, k1.ID)
	wantErr(t, err, ErrKeyInactive, "")
	keys, _, _ = s.ListAccessKeys(ctx, "alice", Page{})
	for _, k := range keys {
		if k.ID == k1.ID && k.Status != StatusInactive {
			t.Fatalf("status after update: %+v", k)
		}
	}
	_, err = s.CreateAccessKey(ctx, "alice")
	wantErr(t, err, ErrLimitExceeded, "") // inactive keys count
	ok(t, s.UpdateAccessKey(ctx, "alice", k1.ID, StatusActive))
	if secret, _, err := s.LookupAccessKey(ctx, k1.ID); err != nil || secret != k1.Secret {
		t.Fatalf("reactivated: %v", err)
	}
	wantErr(t, s.UpdateAccessKey(ctx, "alice", k1.ID, "Disabled"), ErrValidation,
		"1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]")

	// Another user's key is not found under this one.
	must[User](t)(s.CreateUser(ctx, "bob", ""))
	wantErr(t, s.UpdateAccessKey(ctx, "bob", k1.ID, StatusInactive), ErrNotFound,
		"The Access Key with id "+k1.ID+" cannot be found.")
	wantErr(t, s.DeleteAccessKey(ctx, "bob", k1.ID), ErrNotFound, "")
	wantErr(t, s.DeleteAccessKey(ctx, "bob", "short"), ErrValidation, "")

	ok(t, s.DeleteAccessKey(ctx, "alice", k1.ID))
	_, _, err = s.LookupAccessKey(ctx, k1.ID)
	wantErr(t, err, ErrNotFound, "")
	if _, _, err := s.LookupAccessKey(ctx, k2.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.LookupAccessKey(ctx, "AKIANOSUCHKEY0000000")
	wantErr(t, err, ErrNotFound, "")
	_, err = s.CreateAccessKey(ctx, "nobody")
	wantErr(t, err, ErrNotFound, "The user with name nobody cannot be found.")
}

// TestConcurrentLookups runs lookups on many goroutines while keys are created, disabled
// and deleted (run with -race): every lookup sees either the old or the new state.
func TestConcurrentLookups(t *testing.T) {
	s := newEnv(t).s
	must[User](t)(s.CreateUser(ctx, "stable", ""))
	stable := must[AccessKey](t)(s.CreateAccessKey(ctx, "stable"))
	must[User](t)(s.CreateUser(ctx, "churn", ""))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				secret, id, err := s.LookupAccessKey(ctx, stable.ID)
				if err != nil || secret != stable.Secret || id.UserName != "stable" {
					errs <- "stable key lookup failed"
					return
				}
			}
		})
	}
	for range 50 {
		k := must[AccessKey](t)(s.CreateAccessKey(ctx, "churn"))
		wg.Go(func() { s.LookupAccessKey(ctx, k.ID) })
		ok(t, s.UpdateAccessKey(ctx, "churn", k.ID, StatusInactive))
		ok(t, s.DeleteAccessKey(ctx, "churn", k.ID))
	}
	close(stop)
	wg.Wait()
	select {
	case msg := <-errs:
		t.Fatal(msg)
	default:
	}
}

func BenchmarkLookupAccessKey(b *testing.B) {
	e := newEnv(b)
	for i := range 100 {
		name := "user" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, err := e.s.CreateUser(ctx, name, ""); err != nil {
			b.Fatal(err)
		}
		if _, err := e.s.CreateAccessKey(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
	keys, _, _ := e.s.ListAccessKeys(ctx, "userba", Page{})
	id := keys[0].ID
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := e.s.LookupAccessKey(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
