package trailapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/arcastore/arca/internal/iam"
)

func callAs(a *API, acct, op, body string) (int, map[string]any) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", TargetPrefix+op)
	w := httptest.NewRecorder()
	id := iam.Identity{Type: iam.TypeRoot, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	a.Serve(w, r, id, bytes.NewReader([]byte(body)))
	var out map[string]any
	json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

// Each account sees and manages only its own trails, and LookupEvents answers only the
// caller's account's events.
func TestTrailAPIPerAccount(t *testing.T) {
	a := newTestAPI(t)
	const acctA, acctB = "123456789012", "210987654321"
	if code, out := callAs(a, acctA, "CreateTrail", `{"Name":"audit","S3BucketName":"logs"}`); code != 200 ||
		out["TrailARN"] != "arn:aws:cloudtrail:us-east-1:"+acctA+":trail/audit" {
		t.Fatalf("A's CreateTrail: %d %v", code, out)
	}
	if code, out := callAs(a, acctB, "CreateTrail", `{"Name":"audit","S3BucketName":"logs"}`); code != 200 ||
		out["TrailARN"] != "arn:aws:cloudtrail:us-east-1:"+acctB+":trail/audit" {
		t.Fatalf("B's CreateTrail of the same name: %d %v", code, out)
	}
	aARN := `"arn:aws:cloudtrail:us-east-1:` + acctA + `:trail/audit"`
	for _, op := range []string{"GetTrail", "GetTrailStatus", "StartLogging", "StopLogging", "DeleteTrail", "UpdateTrail"} {
		if code, out := callAs(a, acctB, op, `{"Name":`+aARN+`}`); code != 400 || out["__type"] != "TrailNotFoundException" {
			t.Errorf("B's %s of A's trail: %d %v", op, code, out)
		}
	}
	_, out := callAs(a, acctB, "DescribeTrails", `{"TrailNameList":[`+aARN+`]}`)
	if l, _ := out["trailList"].([]any); len(l) != 0 {
		t.Errorf("B describes A's trail: %v", out)
	}
	_, out = callAs(a, acctB, "ListTrails", `{}`)
	for _, tr := range out["Trails"].([]any) {
		if arn := tr.(map[string]any)["TrailARN"].(string); !strings.Contains(arn, ":"+acctB+":") {
			t.Errorf("B lists %s", arn)
		}
	}
	if _, out := callAs(a, acctB, "ListTrails", `{}`); len(out["Trails"].([]any)) != 2 {
		t.Errorf("B's trails: %v", out)
	}
	if _, out := callAs(a, acctA, "GetTrail", `{"Name":`+aARN+`}`); out["Trail"] == nil {
		t.Errorf("A's GetTrail: %v", out)
	}
	for acct, other := range map[string]string{acctA: acctB, acctB: acctA} {
		_, out := callAs(a, acct, "LookupEvents", `{"MaxResults":50}`)
		evs := out["Events"].([]any)
		if len(evs) == 0 {
			t.Fatalf("%s sees no events", acct)
		}
		for _, e := range evs {
			if ct := e.(map[string]any)["CloudTrailEvent"].(string); strings.Contains(ct, `"accountId":"`+other+`"`) {
				t.Errorf("%s sees %s's event %s", acct, other, ct)
			}
		}
	}
}
