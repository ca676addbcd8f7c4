package kmsapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
	"github.com/arcastore/arca/internal/kms"
	"github.com/arcastore/arca/internal/rootkey"
	"github.com/arcastore/arca/internal/storage/bolt"
)

const acctA, acctB = "111122223333", "444455556666"

func rootOf(acct string) *Caller {
	arn := "arn:aws:iam::" + acct + ":root"
	return &Caller{Principal: kms.Principal{AccountID: acct, ARN: arn},
		Identity: iam.Identity{Type: iam.TypeRoot, AccountID: acct, ARN: arn}}
}

// newAccountsAPI is an API over two accounts' keystores, decided by the policy engine.
func newAccountsAPI(t *testing.T) *API {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "meta.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := rootkey.Parse(rootkey.Generate())
	ks, err := kms.OpenKeystores(context.Background(), kms.Config{DB: db, Root: root, Region: "us-east-1",
		AccountID: acctA, SchedulerInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close(); db.Close() })
	return New(Config{Region: "us-east-1", AccountID: acctA}, Deps{Keystores: ks,
		Authz: authz.New(nil, nil).ForKeys(ks.Primary()), Log: slog.New(slog.DiscardHandler)})
}

func callAs(t *testing.T, a *API, c *Caller, op string, in map[string]any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(in)
	r := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
	r.Header.Set("X-Amz-Target", "TrentService."+op)
	w := httptest.NewRecorder()
	cc := *c
	cc.Body = r.Body
	a.Serve(w, r, &cc)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: %q", op, w.Body.String())
	}
	return w.Code, out
}

// A caller works in its own account; another account's key is reached by its ARN for the
// operations AWS allows across accounts, and only with both halves of the authorization.
func TestRouteAccounts(t *testing.T) {
	a := newAccountsAPI(t)
	ra, rb := rootOf(acctA), rootOf(acctB)
	_, ck := callAs(t, a, ra, "CreateKey", map[string]any{})
	md := ck["KeyMetadata"].(map[string]any)
	keyID, keyARN := md["KeyId"].(string), md["Arn"].(string)
	if _, bk := callAs(t, a, rb, "CreateKey", map[string]any{}); !strings.Contains(bk["KeyMetadata"].(map[string]any)["Arn"].(string), ":"+acctB+":key/") {
		t.Fatalf("B's CreateKey: %v", bk)
	}
	if _, lk := callAs(t, a, rb, "ListKeys", map[string]any{}); strings.Contains(jsonString(lk), keyID) {
		t.Fatalf("B lists A's key: %v", lk)
	}
	if st, out := callAs(t, a, rb, "DescribeKey", map[string]any{"KeyId": keyID}); st != 400 || out["__type"] != "NotFoundException" {
		t.Fatalf("B DescribeKey A's key id: %d %v", st, out)
	}
	pt := base64.StdEncoding.EncodeToString([]byte("x"))
	st, out := callAs(t, a, rb, "Encrypt", map[string]any{"KeyId": keyARN, "Plaintext": pt})
	if st != 400 || out["__type"] != "AccessDeniedException" ||
		out["message"] != "User: arn:aws:iam::"+acctB+":root is not authorized to perform: kms:Encrypt on resource: "+keyARN+" because no resource-based policy allows the kms:Encrypt action" {
		t.Fatalf("B Encrypt before the policy: %d %v", st, out)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctA + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Allow","Principal":{"AWS":"` + acctB + `"},"Action":["kms:Encrypt","kms:Decrypt","kms:ScheduleKeyDeletion"],"Resource":"*"}]}`
	if st, out := callAs(t, a, ra, "PutKeyPolicy", map[string]any{"KeyId": keyID, "PolicyName": "default", "Policy": policy}); st != 200 {
		t.Fatalf("PutKeyPolicy: %v", out)
	}
	st, out = callAs(t, a, rb, "Encrypt", map[string]any{"KeyId": keyARN, "Plaintext": pt})
	if st != 200 || out["KeyId"] != keyARN {
		t.Fatalf("B Encrypt by ARN: %d %v", st, out)
	}
	if st, dec := callAs(t, a, rb, "Decrypt", map[string]any{"CiphertextBlob": out["CiphertextBlob"]}); st != 200 || dec["KeyId"] != keyARN {
		t.Fatalf("B Decrypt without KeyId: %d %v", st, dec)
	}
	// Administration stays in the caller's own account, whatever the key policy allows.
	if st, out := callAs(t, a, rb, "ScheduleKeyDeletion", map[string]any{"KeyId": keyARN}); st != 400 || out["__type"] != "NotFoundException" {
		t.Fatalf("B ScheduleKeyDeletion of A's key: %d %v", st, out)
	}
	// ReEncrypt from A's key to B's own: two accounts, refused.
	if st, out := callAs(t, a, rb, "ReEncrypt", map[string]any{"CiphertextBlob": out["CiphertextBlob"], "DestinationKeyId": "alias/aws/s3"}); st != 400 || out["__type"] != "UnsupportedOperationException" {
		t.Fatalf("ReEncrypt across accounts: %d %v", st, out)
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }
