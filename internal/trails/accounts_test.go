package trails

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/audit"
)

const otherAccount = "210987654321"

// recordAs stores a record made by caller on a resource of recipient's (as the API
// packages build them: the resource names its account).
func (e *env) recordAs(t *testing.T, name, caller, recipient string) {
	t.Helper()
	r := &audit.Record{EventName: name, EventSource: audit.SourceKMS, ManagementEvent: true, ReadOnly: true,
		UserIdentity: audit.UserIdentity{Type: "Root", AccountID: caller},
		Resources:    []audit.Resource{{ARN: "arn:aws:kms:us-east-1:" + recipient + ":key/k", AccountID: recipient, Type: "AWS::KMS::Key"}}}
	if err := e.records.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

// Each account has its own trails: the same name in two accounts is two trails, each
// account lists, reads and changes only its own (another account's ARN names nothing),
// and each trail receives only its account's records: a cross-account call is in both
// (two records with one sharedEventID), a private one only in its account's. The primary
// account's digests still validate.
func TestTrailsPerAccount(t *testing.T) {
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), newRoot(t), objs)
	ctx := context.Background()
	for _, acct := range []string{"", otherAccount} {
		if _, err := e.svc.Create(ctx, acct, CreateInput{Name: "main", Bucket: "logs", Prefix: "p" + acct, Validation: true}); err != nil {
			t.Fatalf("create in %q: %v", acct, err)
		}
		if err := e.svc.Start(ctx, acct, "main"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Create(ctx, otherAccount, CreateInput{Name: "main", Bucket: "logs"}); !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("second main in B: %v", err)
	}
	bList, err := e.svc.List(otherAccount)
	if err != nil || len(bList) != 2 || bList[1].ARN != ARN("us-east-1", otherAccount, "main") || bList[0].ARN != ARN("us-east-1", otherAccount, DefaultName) {
		t.Fatalf("B's trails: %+v %v", bList, err)
	}
	aList, _ := e.svc.List("")
	if len(aList) != 2 || aList[1].ARN != ARN("us-east-1", testAccount, "main") {
		t.Fatalf("A's trails: %+v", aList)
	}
	aARN := ARN("us-east-1", testAccount, "main")
	if _, err := e.svc.Get(otherAccount, aARN); !IsNotFound(err) {
		t.Fatalf("B gets A's trail by ARN: %v", err)
	}
	if err := e.svc.Stop(ctx, otherAccount, aARN); !IsNotFound(err) {
		t.Fatalf("B stops A's trail: %v", err)
	}
	if err := e.svc.Delete(ctx, otherAccount, aARN); !IsNotFound(err) {
		t.Fatalf("B deletes A's trail: %v", err)
	}
	if _, err := e.svc.Flush(ctx, otherAccount, aARN); !IsNotFound(err) {
		t.Fatalf("B flushes A's trail: %v", err)
	}

	e.recordAs(t, "APrivate", testAccount, testAccount)
	e.recordAs(t, "BPrivate", otherAccount, otherAccount)
	e.recordAs(t, "BUsesAKey", otherAccount, testAccount)
	res, err := e.svc.Flush(ctx, otherAccount, "")
	if err != nil || len(res) != 1 || res[0].Records != 2 || res[0].DigestKey == "" {
		t.Fatalf("B's flush: %+v %v", res, err)
	}
	if res, err = e.svc.Flush(ctx, "", ""); err != nil || len(res) != 1 || res[0].Records != 2 || res[0].DigestKey == "" {
		t.Fatalf("A's flush: %+v %v", res, err)
	}

	shared := map[string][]audit.Record{}
	for acct, prefix := range map[string]string{testAccount: "p/", otherAccount: "p" + otherAccount + "/"} {
		names := map[string]bool{}
		for _, k := range objs.keys("/CloudTrail/") {
			if !strings.HasPrefix(k, "logs/"+prefix+"AWSLogs/") {
				continue
			}
			if !strings.Contains(k, "/AWSLogs/"+acct+"/CloudTrail/us-east-1/") || !strings.Contains(k, "/"+acct+"_CloudTrail_") {
				t.Errorf("log file of %s under another account: %s", acct, k)
			}
			var doc struct{ Records []audit.Record }
			if err := json.Unmarshal(gunzip(t, objs.objects[k].Body), &doc); err != nil {
				t.Fatal(err)
			}
			for _, r := range doc.Records {
				if r.RecipientAccountID != acct {
					t.Errorf("%s's trail got a record for %s: %+v", acct, r.RecipientAccountID, r)
				}
				names[r.EventName] = true
				if r.EventName == "BUsesAKey" {
					shared[acct] = append(shared[acct], r)
				}
			}
		}
		private := map[string]string{testAccount: "APrivate", otherAccount: "BPrivate"}[acct]
		if len(names) != 2 || !names[private] || !names["BUsesAKey"] {
			t.Errorf("%s's trail delivered %v", acct, names)
		}
	}
	a, b := shared[testAccount], shared[otherAccount]
	if len(a) != 1 || len(b) != 1 || a[0].SharedEventID == "" || a[0].SharedEventID != b[0].SharedEventID ||
		a[0].EventID == b[0].EventID || a[0].UserIdentity.AccountID != otherAccount || b[0].UserIdentity.AccountID != otherAccount {
		t.Fatalf("the cross-account call's two records: %+v / %+v", a, b)
	}

	// Both accounts' digest chains validate, each under its own account's path.
	mem := &memObjects{objects: objs.objects}
	keys, _, err := StoredPublicKeys(e.db, e.root)
	if err != nil {
		t.Fatal(err)
	}
	all, err := StoredTrails(e.db)
	if err != nil || len(all) != 2 || all[0].Account != "" || all[1].Account != otherAccount {
		t.Fatalf("StoredTrails (the primary account's first): %v %v", all, err)
	}
	for _, tr := range all {
		in, err := ValidateInputFor(tr)
		if err != nil {
			t.Fatal(err)
		}
		in.Keys = keys
		rep, err := Validate(ctx, mem, in)
		if err != nil || !rep.OK() || rep.ValidDigests != 1 || rep.ValidLogs != 1 {
			t.Fatalf("validate %s: %+v %v", tr.ARN, rep, err)
		}
	}

	// MaxTrails counts per account: A's trails do not use up B's.
	for i := 0; i < MaxTrails-1; i++ {
		if _, err := e.svc.Create(ctx, "", CreateInput{Name: "a" + string(rune('0'+i)) + "x", Bucket: "logs"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Create(ctx, "", CreateInput{Name: "one-more", Bucket: "logs"}); !errors.Is(err, ErrTooMany) {
		t.Fatalf("A's sixth trail: %v", err)
	}
	if _, err := e.svc.Create(ctx, otherAccount, CreateInput{Name: "second", Bucket: "logs"}); err != nil {
		t.Fatalf("B's second trail: %v", err)
	}
}

// A trail's bucket must be its own account's.
func TestTrailBucketOfAnotherAccount(t *testing.T) {
	objs := &bucketStore{objects: map[string]Object{}}
	e := newEnv(t, filepath.Join(t.TempDir(), "meta.db"), newRoot(t), objs)
	e.svc.cfg.BucketAccount = func(ctx context.Context, b string) (string, error) { return testAccount, nil }
	_, err := e.svc.Create(context.Background(), otherAccount, CreateInput{Name: "steal", Bucket: "logs"})
	if !errors.Is(err, ErrBucketPolicy) || Message(err) != "Incorrect S3 bucket policy is detected for bucket: logs" {
		t.Fatalf("B's trail into A's bucket: %v", err)
	}
	if _, err := e.svc.Create(context.Background(), "", CreateInput{Name: "own", Bucket: "logs"}); err != nil {
		t.Fatal(err)
	}
}
