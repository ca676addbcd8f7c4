package accountapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/account"
	"github.com/arcastore/arca/internal/audit"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const primary = "123456789012"

// recorder keeps the audit records.
type recorder struct{ recs []*audit.Record }

func (r *recorder) Handle(_ context.Context, rec *audit.Record) error {
	r.recs = append(r.recs, rec)
	return nil
}

func newAPI(t testing.TB) (*API, *recorder) {
	t.Helper()
	root, _ := rootkey.Parse(rootkey.Generate())
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := meta.Open(db, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); db.Close() })
	reg, err := account.Open(context.Background(), account.Config{DB: db, Root: root, RecordKey: m.RecordKey(),
		Primary: account.Account{ID: primary, Created: time.Unix(1e9, 0), RootAccessKeyID: "AKIAOPERATOR00000001"}, PrimarySecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	return New(Config{Region: "us-east-1"}, Deps{Accounts: reg, Audit: rec}), rec
}

func call(a *API, id iam.Identity, target, body string) (int, string) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", TargetPrefix+target)
	w := httptest.NewRecorder()
	a.Serve(w, r, id, strings.NewReader(body))
	return w.Code, w.Body.String()
}

func TestOperatorOnly(t *testing.T) {
	a, rec := newAPI(t)
	op := iam.RootIdentity(primary, "AKIAOPERATOR00000001")
	code, body := call(a, op, "CreateAccount", `{"AccountName":"b"}`)
	var out struct{ AccountId, AccessKeyId, SecretAccessKey string }
	if code != 200 || json.Unmarshal([]byte(body), &out) != nil || len(out.AccountId) != 12 || out.SecretAccessKey == "" {
		t.Fatalf("create = %d %s", code, body)
	}
	if len(rec.recs) != 1 || rec.recs[0].EventName != "CreateAccount" || strings.Contains(string(mustJSON(rec.recs[0])), out.SecretAccessKey) {
		t.Fatalf("audit of create: %+v", rec.recs)
	}
	others := []iam.Identity{
		iam.RootIdentity(out.AccountId, out.AccessKeyId),
		{Type: iam.TypeIAMUser, AccountID: primary, ARN: "arn:aws:iam::" + primary + ":user/admin", UserName: "admin", UserID: "AIDAX"},
	}
	for _, id := range others {
		for _, c := range [][2]string{{"CreateAccount", `{"AccountName":"x"}`}, {"ListAccounts", `{}`}, {"DisableAccount", `{"AccountId":"` + out.AccountId + `"}`}, {"DescribeAccount", `{"AccountId":"` + primary + `"}`}} {
			code, body := call(a, id, c[0], c[1])
			if code != 400 || !strings.Contains(body, `"__type":"AccessDeniedException"`) {
				t.Errorf("%s %s = %d %s", id.ARN, c[0], code, body)
			}
			last := rec.recs[len(rec.recs)-1]
			if last.EventName != c[0] || last.ErrorCode != "AccessDeniedException" {
				t.Errorf("refusal not audited: %+v", last)
			}
		}
	}
	if code, body := call(a, op, "DisableAccount", `{"AccountId":"`+primary+`"}`); code != 400 || !strings.Contains(body, "ConstraintViolationException") {
		t.Errorf("disable primary = %d %s", code, body)
	}
	if code, body := call(a, op, "DisableAccount", `{"AccountId":"12"}`); code != 400 || !strings.Contains(body, "InvalidInputException") {
		t.Errorf("disable bad id = %d %s", code, body)
	}
	if code, body := call(a, op, "Nope", `{}`); code != 400 || !strings.Contains(body, "UnknownOperationException") {
		t.Errorf("unknown op = %d %s", code, body)
	}
	if code, body := call(a, op, "CreateAccount", `{"AccountName":`); code != 400 || !strings.Contains(body, "SerializationException") {
		t.Errorf("bad JSON = %d %s", code, body)
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

// Any body to any operation gets a JSON answer, never a panic or a 500.
func FuzzServe(f *testing.F) {
	for _, s := range []string{`{"AccountName":"a"}`, `{"AccountId":"123456789012"}`, `{}`, ``, `[`, `{"AccountName":""}`,
		`{"AccountName":"` + strings.Repeat("x", 60) + `"}`, `{"AccountId":123}`, "\x00"} {
		f.Add("CreateAccount", s)
		f.Add("DisableAccount", s)
	}
	a, _ := newAPI(f)
	op := iam.RootIdentity(primary, "AKIAOPERATOR00000001")
	f.Fuzz(func(t *testing.T, target, body string) {
		code, out := call(a, op, target, body)
		if code >= 500 || !json.Valid([]byte(out)) {
			t.Fatalf("%s %q = %d %s", target, body, code, out)
		}
	})
}
