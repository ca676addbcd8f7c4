package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

const (
	acctA = "123456789012" // the trail's (primary) account in openTestTrail
	acctB = "210987654321"
)

// The recipient of a record is the account of its resource, else the caller's account,
// else (anonymous, unauthenticated) the primary account; an API that names it wins.
func TestRecipientAccount(t *testing.T) {
	key := func(acct string) []Resource {
		return []Resource{{ARN: "arn:aws:kms:us-east-1:" + acct + ":key/k", AccountID: acct, Type: "AWS::KMS::Key"}}
	}
	cases := []struct {
		name string
		r    Record
		want string
		xa   bool
	}{
		{"own resource", Record{UserIdentity: UserIdentity{Type: "Root", AccountID: acctB}, Resources: key(acctB)}, acctB, false},
		{"other's resource", Record{UserIdentity: UserIdentity{Type: "IAMUser", AccountID: acctB}, Resources: key(acctA)}, acctA, true},
		{"no resource", Record{UserIdentity: UserIdentity{Type: "Root", AccountID: acctB}}, acctB, false},
		{"anonymous", Record{UserIdentity: UserIdentity{Type: "AWSAccount", AccountID: "anonymous"}, Resources: key(acctB)}, acctB, false},
		{"anonymous, no resource", Record{UserIdentity: UserIdentity{Type: "AWSAccount", AccountID: "anonymous"}}, acctA, false},
		{"unauthenticated", Record{UserIdentity: UserIdentity{Type: "Unknown"}}, acctA, false},
		{"resource without account", Record{UserIdentity: UserIdentity{Type: "Root", AccountID: acctB},
			Resources: []Resource{{ARN: "arn:aws:s3:::b/k", Type: "AWS::S3::Object"}}}, acctB, false},
		{"named by the API", Record{UserIdentity: UserIdentity{Type: "Root", AccountID: acctB}, RecipientAccountID: acctA}, acctA, true},
	}
	for _, c := range cases {
		c.r.Fill(acctA)
		if c.r.RecipientAccountID != c.want || c.r.CrossAccount() != c.xa {
			t.Errorf("%s: recipient %q cross %v, want %q %v", c.name, c.r.RecipientAccountID, c.r.CrossAccount(), c.want, c.xa)
		}
	}
}

// A cross-account call is stored twice in the one chain, once for each account, with one
// sharedEventID and different eventIDs and recipients (as CloudTrail delivers it); each
// account's LookupEvents sees its own copy and its own private records, never the other
// account's; the chain verifies; a same-account call has no sharedEventID.
func TestCrossAccountRecords(t *testing.T) {
	tr, db := openTestTrail(t, filepath.Join(t.TempDir(), "meta.db"))
	defer db.Close()
	defer tr.Close()
	ctx := context.Background()
	mk := func(name, caller, owner string, durable bool) *Record {
		return &Record{EventName: name, EventSource: SourceKMS, ManagementEvent: true, ReadOnly: !durable,
			UserIdentity: UserIdentity{Type: "Root", AccountID: caller},
			Resources:    []Resource{{ARN: "arn:aws:kms:us-east-1:" + owner + ":key/k", AccountID: owner, Type: "AWS::KMS::Key"}}}
	}
	for _, r := range []*Record{mk("APrivate", acctA, acctA, false), mk("BPrivate", acctB, acctB, true),
		mk("BDecryptsWithAKey", acctB, acctA, false), mk("BPutsAKeyPolicy", acctB, acctA, true)} {
		if err := tr.Handle(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().Add(time.Minute)
	seen := map[string]map[string]*Record{}
	for _, acct := range []string{acctA, acctB} {
		evs, _, err := tr.Lookup(Query{Account: acct}, now)
		if err != nil {
			t.Fatal(err)
		}
		seen[acct] = map[string]*Record{}
		for _, e := range evs {
			if e.Record.RecipientAccountID != acct {
				t.Errorf("%s sees a record of %s: %s", acct, e.Record.RecipientAccountID, e.JSON)
			}
			seen[acct][e.Record.EventName] = e.Record
			if cross := e.Record.UserIdentity.AccountID != e.Record.Resources[0].AccountID; cross != (e.Record.SharedEventID != "") {
				t.Errorf("sharedEventID of %s", e.JSON)
			}
			if bytes.Contains(e.JSON, []byte(`"sharedEventID"`)) != (e.Record.SharedEventID != "") {
				t.Errorf("JSON of %s", e.JSON)
			}
		}
	}
	if len(seen[acctA]) != 3 || seen[acctA]["BPrivate"] != nil || len(seen[acctB]) != 3 || seen[acctB]["APrivate"] != nil {
		t.Fatalf("A sees %v, B sees %v", keys(seen[acctA]), keys(seen[acctB]))
	}
	for _, n := range []string{"BDecryptsWithAKey", "BPutsAKeyPolicy"} {
		a, b := seen[acctA][n], seen[acctB][n]
		if a.SharedEventID == "" || a.SharedEventID != b.SharedEventID || a.EventID == b.EventID ||
			a.UserIdentity.AccountID != acctB || b.UserIdentity.AccountID != acctB {
			t.Errorf("%s: A's %+v, B's %+v", n, a, b)
		}
	}
	all, _, err := tr.Lookup(Query{}, now)
	if err != nil || len(all) != 6 {
		t.Fatalf("unfiltered lookup (the operator's offline view): %d %v", len(all), err)
	}
	if _, err := tr.Verify(); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

// The hand-written encoder stays byte-identical to json.Marshal with a sharedEventID.
func TestAppendJSONSharedEventID(t *testing.T) {
	r := &Record{EventVersion: EventVersion, EventTime: time.Unix(1700000000, 0).UTC(), EventName: "Decrypt",
		UserIdentity: UserIdentity{Type: "Root", AccountID: acctB}, RecipientAccountID: acctA,
		SharedEventID: NewEventID(), EventID: NewEventID(), EventCategory: CategoryManagement}
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.AppendJSON(nil); !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON:\n%s\nwant\n%s", got, want)
	}
}

func keys(m map[string]*Record) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
