package e2e

// Alarms (docs/ALARMS.md) against a real server started with a rule file, with a local
// webhook receiver: the built-in rules, the denied-Decrypt threshold, a custom YAML rule, a
// webhook that fails before it succeeds, the alarms' own records in LookupEvents.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// hookCall is one POST the webhook receiver got.
type hookCall struct {
	Path, AlarmID, ContentType string
	Status                     int
	Body                       map[string]any
}

// hookReceiver is a local webhook endpoint. Paths listed in fail answer 500 that many
// times before answering 200.
type hookReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	calls []hookCall
	fail  map[string]int
}

func newHookReceiver(t *testing.T, fail map[string]int) *hookReceiver {
	h := &hookReceiver{fail: fail}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := hookCall{Path: r.URL.Path, AlarmID: r.Header.Get("X-Arca-Alarm-Id"), ContentType: r.Header.Get("Content-Type"), Status: 200}
		if err := json.Unmarshal(b, &c.Body); err != nil || r.Method != http.MethodPost {
			c.Status = 400
		}
		h.mu.Lock()
		if h.fail[c.Path] > 0 {
			h.fail[c.Path]--
			c.Status = 500
		}
		h.calls = append(h.calls, c)
		h.mu.Unlock()
		w.WriteHeader(c.Status)
	}))
	t.Cleanup(h.Close)
	return h
}

// delivered returns the alarms answered 200 on path for rule.
func (h *hookReceiver) delivered(path, rule string) []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookCall
	for _, c := range h.calls {
		if c.Path == path && c.Status == 200 && c.Body["rule"] == rule {
			out = append(out, c)
		}
	}
	return out
}

// waitFor polls cond every 100 ms for up to a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitHook waits for one alarm of rule delivered on path and returns it.
func (h *hookReceiver) waitHook(t *testing.T, path, rule string) hookCall {
	t.Helper()
	waitFor(t, "a webhook of "+rule+" on "+path, func() bool { return len(h.delivered(path, rule)) > 0 })
	return h.delivered(path, rule)[0]
}

// alarmRecords returns the AlarmTriggered records of rule, newest first.
func alarmRecords(t *testing.T, ct *cloudtrail.Client, rule string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "AlarmTriggered") {
		if field(r, "serviceEventDetails.rule") == rule {
			out = append(out, r)
		}
	}
	return out
}

// waitDenied waits until the trail holds decrypts denied KMS Decrypt records of reader (direct
// and via S3) and gets denied GetObject records.
func waitDenied(t *testing.T, ct *cloudtrail.Client, decrypts, gets int) {
	t.Helper()
	waitFor(t, "the denied requests' records", func() bool {
		d, g := 0, 0
		for _, r := range auditLookup(t, ct, cttypes.LookupAttributeKeyUsername, "reader") {
			if !strings.HasPrefix(fmt.Sprint(r["errorCode"]), "AccessDenied") {
				continue
			}
			switch r["eventName"] {
			case "Decrypt":
				d++
			case "GetObject":
				g++
			}
		}
		return d == decrypts && g == gets
	})
}

func writeRules(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAlarms(t *testing.T) {
	hooks := newHookReceiver(t, map[string]int{"/custom": 2})
	rules := writeRules(t, "alarms.yaml", `
rules:
  - name: missing-bucket-probe
    description: a user is guessing bucket names
    match:
      eventSource: s3
      errorCode: NoSuchBucket
      userName: prober
    actions:
      - record
      - webhook:
          url: `+hooks.URL+`/custom
          headers: {X-Token: not-logged}
`)
	srv := StartServer(t, "--alarm-rules", rules, "--alarm-webhook", hooks.URL+"/defaults")
	ctx := context.Background()
	ep := srv.HTTPURL
	account := authzAccount(t, srv)
	root := authzRoot(account)
	kc := authzKMS(t, ep, root)
	sc := authzS3(t, ep, root)
	ct := cloudTrailClient(ep, testAccessKey, testSecretKey)

	// (a) DisableKey: the built-in alarm reaches the --alarm-webhook.
	keyID, keyARN := sseCreateKey(t, kc, "alarm: disabled")
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	got := hooks.waitHook(t, "/defaults", "kms-key-disabled")
	evs, _ := got.Body["events"].([]any)
	if got.Body["count"] != 1.0 || len(evs) != 1 || got.ContentType != "application/json" || got.AlarmID != got.Body["alarm"] {
		t.Fatalf("kms-key-disabled alarm: %+v", got)
	}
	ev := evs[0].(map[string]any)
	if ev["eventName"] != "DisableKey" || ev["eventSource"] != "kms.amazonaws.com" || ev["userName"] != "root" ||
		mustJSON(ev["resources"]) != mustJSON([]string{keyARN}) {
		t.Errorf("kms-key-disabled event: %v", ev)
	}

	// (b) Denied Decrypts by a user without kms:Decrypt: direct KMS calls and SSE-KMS reads
	// through S3 count alike, each request once.
	dataKeyID, _ := sseCreateKey(t, kc, "alarm: data")
	enc, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(dataKeyID), Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	bucket := "alarm-data"
	mustCreateBucket(t, sc, bucket)
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Body: bytes.NewReader([]byte("kms object")), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: aws.String(dataKeyID)}); err != nil {
		t.Fatal(err)
	}
	iamRoot := iamClient(ep, testAccessKey, testSecretKey)
	reader := authzUser(t, iamRoot, "reader", authzAllow(`["s3:GetObject","kms:DescribeKey"]`, `"*"`))
	rk, rs := authzKMS(t, ep, reader), authzS3(t, ep, reader)
	decrypt := func() {
		t.Helper()
		_, err := rk.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
		if code, _ := errInfo(err); code != "AccessDeniedException" {
			t.Fatalf("Decrypt as reader: %v, want AccessDeniedException", err)
		}
	}
	get := func() {
		t.Helper()
		_, err := rs.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
		if code, _ := errInfo(err); code != "AccessDenied" || !strings.Contains(err.Error(), "kms:Decrypt") {
			t.Fatalf("SSE-KMS GetObject as reader: %v, want AccessDenied for kms:Decrypt", err)
		}
	}
	for range 4 {
		decrypt()
	}
	for range 5 {
		get() // each also makes a KMS Decrypt record invokedBy S3: not counted twice
	}
	// Data events are handed to the trail and then the engine just after their response:
	// wait until the trail has them all, so that what follows is matched after them.
	waitDenied(t, ct, 4+5, 5)

	// (c) A custom YAML rule: NoSuchBucket from the user prober. Its record is written after
	// the nine denials were counted (one engine goroutine, records written in order), so it
	// also shows that nine did not fire.
	prober := authzUser(t, iamRoot, "prober", authzAllow(`"s3:*"`, `"*"`))
	_, err = authzS3(t, ep, prober).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket-here")})
	wantAPIError(t, err, "", 404)
	// (e) The custom rule's webhook answers 500 twice, then 200: the alarm still arrives,
	// three attempts with one alarm id.
	custom := hooks.waitHook(t, "/custom", "missing-bucket-probe")
	hooks.mu.Lock()
	attempts := 0
	for _, c := range hooks.calls {
		if c.Path == "/custom" {
			attempts++
			if c.AlarmID != custom.AlarmID {
				t.Errorf("a retry carries alarm id %q, want %q", c.AlarmID, custom.AlarmID)
			}
		}
	}
	hooks.mu.Unlock()
	if attempts != 3 {
		t.Errorf("/custom got %d attempts, want 3 (500, 500, 200)", attempts)
	}
	cev := custom.Body["events"].([]any)[0].(map[string]any)
	if cev["userName"] != "prober" || cev["errorCode"] != "NoSuchBucket" || cev["eventName"] != "HeadBucket" {
		t.Errorf("custom alarm event: %v", cev)
	}
	if len(alarmRecords(t, ct, "missing-bucket-probe")) != 1 {
		t.Fatal("no AlarmTriggered record for the custom rule")
	}
	if n := len(alarmRecords(t, ct, "kms-decrypt-denied")); n != 0 {
		t.Fatalf("9 denied Decrypts fired kms-decrypt-denied (%d records)", n)
	}

	// The 10th fires, once: more denials inside the window do not fire again.
	decrypt()
	dd := hooks.waitHook(t, "/defaults", "kms-decrypt-denied")
	devs := dd.Body["events"].([]any)
	if dd.Body["count"] != 10.0 || dd.Body["window"] != "5m0s" || len(devs) != 10 {
		t.Fatalf("kms-decrypt-denied: %+v", dd.Body)
	}
	sources := map[string]int{}
	for _, e := range devs {
		e := e.(map[string]any)
		sources[e["eventSource"].(string)+" "+e["eventName"].(string)]++
		if e["userName"] != "reader" || !strings.HasPrefix(e["errorCode"].(string), "AccessDenied") {
			t.Errorf("denied event: %v", e)
		}
	}
	if sources["kms.amazonaws.com Decrypt"] != 5 || sources["s3.amazonaws.com GetObject"] != 5 {
		t.Errorf("events by source: %v, want 5 direct Decrypts and 5 GetObjects", sources)
	}
	for range 3 {
		decrypt()
	}
	waitDenied(t, ct, 4+5+1+3, 5)
	// A later alarm of another rule is written after those three were counted.
	if _, err := sc.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	hooks.waitHook(t, "/defaults", "s3-bucket-encryption-deleted")
	waitFor(t, "the record of s3-bucket-encryption-deleted", func() bool {
		return len(alarmRecords(t, ct, "s3-bucket-encryption-deleted")) == 1
	})
	if n := len(alarmRecords(t, ct, "kms-decrypt-denied")); n != 1 {
		t.Errorf("kms-decrypt-denied fired %d times, want once", n)
	}
	if n := len(hooks.delivered("/defaults", "kms-decrypt-denied")); n != 1 {
		t.Errorf("kms-decrypt-denied webhooks: %d, want 1", n)
	}

	// (d) The alarm's own record, found with LookupEvents.
	recs := alarmRecords(t, ct, "kms-decrypt-denied")
	wantFields(t, "AlarmTriggered", recs[0], map[string]any{
		"eventType": "AwsServiceEvent", "eventSource": "arca.alarms", "eventName": "AlarmTriggered",
		"managementEvent": true, "readOnly": false, "eventCategory": "Management", "recipientAccountId": account,
		"userIdentity.invokedBy": "arca.alarms", "awsRegion": testRegion,
		"serviceEventDetails.count": 10, "serviceEventDetails.window": "5m0s",
		"serviceEventDetails.alarm": dd.Body["alarm"], "eventID": dd.Body["alarm"],
		"serviceEventDetails.actions": []string{"log", "record", "webhook"},
	})
	if ids, _ := field(recs[0], "serviceEventDetails.eventIds").([]any); len(ids) != 10 {
		t.Errorf("serviceEventDetails.eventIds: %v", ids)
	}
	bySource := auditLookup(t, ct, cttypes.LookupAttributeKeyEventSource, "arca.alarms")
	if len(bySource) != 4 { // kms-key-disabled, missing-bucket-probe, kms-decrypt-denied, s3-bucket-encryption-deleted
		t.Errorf("%d records from arca.alarms, want 4", len(bySource))
	}

	// The log line, and never the webhook's header value or path secrets.
	waitFor(t, "the alarm log line", func() bool {
		return strings.Contains(srv.Output(), "msg=alarm rule=kms-decrypt-denied")
	})
	if strings.Contains(srv.Output(), "not-logged") {
		t.Error("a webhook header value is in the server log")
	}
}

// --no-default-alarms leaves only the file's rules; a bad rule file stops the server from
// starting, naming the file, the rule and the problem.
func TestAlarmsConfig(t *testing.T) {
	hooks := newHookReceiver(t, nil)
	rules := writeRules(t, "alarms.json", `{"rules": [{"name": "any-key-policy", "match": {"eventName": "PutKeyPolicy"},
		"actions": [{"webhook": {"url": "`+hooks.URL+`/file"}}]}]}`)
	srv := StartServer(t, "--alarm-rules", rules, "--alarm-webhook", hooks.URL+"/defaults", "--no-default-alarms")
	kc := authzKMS(t, srv.HTTPURL, authzRoot(authzAccount(t, srv)))
	ctx := context.Background()
	keyID, _ := sseCreateKey(t, kc, "alarm config")
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
		authzAccount(t, srv) + `:root"},"Action":"kms:*","Resource":"*"}]}`
	if _, err := kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"),
		Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	hooks.waitHook(t, "/file", "any-key-policy")
	srv.Stop() // the engine drains before the trail closes
	hooks.mu.Lock()
	for _, c := range hooks.calls {
		if c.Path != "/file" {
			t.Errorf("with --no-default-alarms a webhook went to %s for %v", c.Path, c.Body["rule"])
		}
	}
	hooks.mu.Unlock()

	bad := writeRules(t, "bad.yaml", "rules:\n  - name: typo\n    match: {eventName: DisableKey}\n    threshold: {count: 3, window: 5 minutes}\n")
	out, err := runArca("server", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--tls-listen", "", "--alarm-rules", bad)
	if err == nil {
		t.Fatalf("the server started with a bad rule file:\n%s", out)
	}
	for _, w := range []string{"arca: error: alarm rules " + bad, `rule #1 ("typo")`, "threshold.window", `"5 minutes"`} {
		if !strings.Contains(out, w) {
			t.Errorf("bad rule file: output does not say %q:\n%s", w, out)
		}
	}
	out, err = runArca("server", "--data", t.TempDir(), "--listen", "127.0.0.1:0", "--tls-listen", "", "--alarm-webhook", "hooks.example.com")
	if err == nil || !strings.Contains(out, "--alarm-webhook") {
		t.Errorf("a bad --alarm-webhook: %v\n%s", err, out)
	}
}
