package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// kmsRaw sends one hand-made KMS JSON request, SigV4-signed for service kms as ak/sk, and
// returns the status and the __type of an error (or the decoded response).
func kmsRaw(t *testing.T, endpoint, ak, sk, op, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	hash := sha256Hex([]byte(body))
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "kms", testRegion, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	resp := doReq(t, req)
	var out map[string]any
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		t.Fatalf("%s %s: response is not JSON: %q", op, body, resp.Body)
	}
	return resp.Status, out
}

// The authorization decision reads the same decoded request the operation runs on: a
// field the operation ignores cannot make the decision skip the request (it once did: a
// mistyped AliasName, TargetKeyId or EncryptionContext made the authorizer's own decode
// fail, and a failed decode was let through for the operation to report, which then ran
// without it). A body the operation cannot decode is still answered with the operation's
// SerializationException, and the denied request's record carries what it asked for.
func TestKMSAuthorizesTheDecodedRequest(t *testing.T) {
	srv := StartServer(t)
	ep := srv.HTTPURL
	kc := sseKMS(t, srv)
	keyID, keyARN := sseCreateKey(t, kc, "decode once")
	user := authzUser(t, iamClient(ep, testAccessKey, testSecretKey), "nokms")
	denyDescribe := kmsDenyMsg(user.ARN, "kms:DescribeKey", keyARN, whyNoIdentity("kms:DescribeKey"))

	for _, tc := range []struct {
		op, body, wantType, wantMsg string
	}{
		{"DescribeKey", `{"KeyId":"` + keyID + `"}`, "AccessDeniedException", denyDescribe},
		{"DescribeKey", `{"KeyId":"` + keyID + `","AliasName":5}`, "AccessDeniedException", denyDescribe},
		{"DescribeKey", `{"KeyId":"` + keyID + `","EncryptionContext":"x","TargetKeyId":[1]}`, "AccessDeniedException", denyDescribe},
		{"Encrypt", `{"KeyId":"` + keyID + `","Plaintext":"eA==","CiphertextBlob":7}`, "AccessDeniedException",
			kmsDenyMsg(user.ARN, "kms:Encrypt", keyARN, whyNoIdentity("kms:Encrypt"))},
		{"DescribeKey", `{"KeyId":5}`, "SerializationException", ""},
		{"Decrypt", `{"CiphertextBlob":"not base64"}`, "SerializationException", ""},
	} {
		status, out := kmsRaw(t, ep, user.AK, user.SK, tc.op, tc.body)
		if status != 400 || out["__type"] != tc.wantType || (tc.wantMsg != "" && out["message"] != tc.wantMsg) {
			t.Errorf("%s %s as a user without KMS permissions: %d %v, want 400 %s %q", tc.op, tc.body, status, out, tc.wantType, tc.wantMsg)
		}
	}
	// The root, allowed, is not bothered by the field DescribeKey ignores.
	status, out := kmsRaw(t, ep, testAccessKey, testSecretKey, "DescribeKey", `{"KeyId":"`+keyID+`","AliasName":5}`)
	if md, _ := out["KeyMetadata"].(map[string]any); status != 200 || md["Arn"] != keyARN {
		t.Errorf("DescribeKey as the root: %d %v", status, out)
	}

	// The denied DescribeKey's record: requestParameters from the decoded request (only
	// keyId: AliasName is not DescribeKey's), the key in resources.
	ct := cloudTrailClient(ep, testAccessKey, testSecretKey)
	var denied []map[string]any
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		denied = nil
		for _, r := range auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "DescribeKey") {
			if r["errorCode"] == "AccessDeniedException" {
				denied = append(denied, r)
			}
		}
		if len(denied) >= 3 {
			break
		}
	}
	if len(denied) != 3 {
		t.Fatalf("%d denied DescribeKey records, want 3", len(denied))
	}
	for _, r := range denied {
		params, _ := json.Marshal(r["requestParameters"])
		res, _ := r["resources"].([]any)
		if string(params) != `{"keyId":"`+keyID+`"}` || len(res) != 1 || field(res[0].(map[string]any), "ARN") != keyARN ||
			field(r, "userIdentity.arn") != user.ARN {
			t.Errorf("denied DescribeKey record: requestParameters %s, resources %v, userIdentity %v", params, r["resources"], r["userIdentity"])
		}
	}
}
