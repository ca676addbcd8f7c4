package kmsapi

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/authz"
	"github.com/arcastore/arca/internal/iam"
)

const msgLockout = "The new key policy will not allow you to update the key policy in the future."

// callRoot sends one request as the authenticated account root.
func callRoot(t *testing.T, a *API, op, body string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", targetPrefix+op)
	w := httptest.NewRecorder()
	a.Serve(w, r, &Caller{Principal: principal, Identity: iam.RootIdentity("111122223333", "AKIATEST"), TLS: true, Body: r.Body})
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: response is not JSON: %q", op, w.Body.String())
	}
	return w.Code, out
}

// policyJSON quotes a policy document as a JSON string member.
func policyJSON(doc string) string { return strconv.Quote(doc) }

// CreateKey and PutKeyPolicy refuse a policy that would lock the caller out, with AWS's
// exception and words, unless BypassPolicyLockoutSafetyCheck; the refusal is audited.
func TestPolicyLockoutWire(t *testing.T) {
	a := newAPI(t)
	a.SetPolicyLockout(authz.New(nil, nil).KMSPolicyLockout)
	rec := &recorder{}
	a.SetAudit(rec, "us-east-1")
	locked := policyJSON(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/nobody"},"Action":"kms:*","Resource":"*"}]}`)
	useOnly := policyJSON(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*"}]}`)

	for _, body := range []string{`{"Policy":` + locked + `}`, `{"Policy":` + useOnly + `,"BypassPolicyLockoutSafetyCheck":false}`} {
		if st, out := callRoot(t, a, "CreateKey", body); st != 400 || out["__type"] != "MalformedPolicyDocumentException" || out["message"] != msgLockout {
			t.Errorf("CreateKey %s: %d %v", body, st, out)
		}
	}
	st, out := callRoot(t, a, "CreateKey", `{}`)
	if st != 200 {
		t.Fatalf("CreateKey: %d %v", st, out)
	}
	id := out["KeyMetadata"].(map[string]any)["KeyId"].(string)
	if st, out := callRoot(t, a, "PutKeyPolicy", `{"KeyId":"`+id+`","PolicyName":"default","Policy":`+locked+`}`); st != 400 ||
		out["__type"] != "MalformedPolicyDocumentException" || out["message"] != msgLockout {
		t.Errorf("PutKeyPolicy: %d %v", st, out)
	}
	if _, out := callRoot(t, a, "GetKeyPolicy", `{"KeyId":"`+id+`"}`); strings.Contains(out["Policy"].(string), "nobody") {
		t.Errorf("a refused policy was attached")
	}
	if st, out := callRoot(t, a, "PutKeyPolicy", `{"KeyId":"`+id+`","Policy":`+locked+`,"BypassPolicyLockoutSafetyCheck":true}`); st != 200 {
		t.Errorf("PutKeyPolicy with bypass: %d %v", st, out)
	}
	if st, out := callRoot(t, a, "CreateKey", `{"Policy":`+locked+`,"BypassPolicyLockoutSafetyCheck":true}`); st != 200 {
		t.Errorf("CreateKey with bypass: %d %v", st, out)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	var refused int
	for _, r := range rec.recs {
		if r.ErrorCode == "MalformedPolicyDocumentException" && r.ErrorMessage == msgLockout {
			refused++
		}
		if r.EventName == "PutKeyPolicy" && r.ErrorCode == "" && r.RequestParameters["bypassPolicyLockoutSafetyCheck"] != true {
			t.Errorf("the bypass is not in the record: %v", r.RequestParameters)
		}
	}
	if refused != 3 {
		t.Errorf("%d refusals recorded, want 3", refused)
	}
}
