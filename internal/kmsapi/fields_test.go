package kmsapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// requestParameters of every kind of request, as the stored record's JSON shows them:
// the whitelisted fields in lower camel case, never Plaintext, CiphertextBlob or grant
// tokens; resources name the key from KeyId, TargetKeyId or the ciphertext. K stands for
// the key id, BLOB for a ciphertext under it.
var paramsTests = []struct {
	op, body, params string
	resource         bool
}{
	{"Encrypt", `{"KeyId":"K","Plaintext":"c2VjcmV0","EncryptionContext":{"a":"b"},"GrantTokens":["tok"]}`,
		`{"encryptionContext":{"a":"b"},"keyId":"K"}`, true},
	{"Decrypt", `{"CiphertextBlob":"BLOB","EncryptionContext":{"a":"b"},"EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`,
		`{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"a":"b"}}`, true},
	{"ReEncrypt", `{"CiphertextBlob":"BLOB","SourceEncryptionContext":{"a":"b"},"DestinationKeyId":"K","DestinationEncryptionContext":{}}`,
		`{"destinationEncryptionContext":{},"destinationKeyId":"K","sourceEncryptionContext":{"a":"b"}}`, true},
	{"GenerateDataKey", `{"KeyId":"K","NumberOfBytes":32}`, `{"keyId":"K","numberOfBytes":32}`, true},
	{"GenerateDataKeyWithoutPlaintext", `{"KeyId":"K","KeySpec":"AES_128"}`, `{"keyId":"K","keySpec":"AES_128"}`, true},
	{"GenerateRandom", `{"NumberOfBytes":8}`, `{"numberOfBytes":8}`, false},
	{"CreateKey", `{"Description":"d","MultiRegion":false,"Tags":[{"TagKey":"a","TagValue":"b"}]}`,
		`{"description":"d","multiRegion":false,"tags":[{"TagKey":"a","TagValue":"b"}]}`, true},
	{"DescribeKey", `{"keyid":"K"}`, `{"keyId":"K"}`, true}, // field names match in any case, as the operation reads them
	{"DescribeKey", `{"KeyId":"K","Plaintext":"c2VjcmV0","AliasName":"alias/x"}`, `{"keyId":"K"}`, true},
	{"UpdateKeyDescription", `{"KeyId":"K","Description":""}`, `{"description":"","keyId":"K"}`, true},
	{"EnableKeyRotation", `{"KeyId":"K","RotationPeriodInDays":90}`, `{"keyId":"K","rotationPeriodInDays":90}`, true},
	{"CreateAlias", `{"AliasName":"alias/fields","TargetKeyId":"K"}`, `{"aliasName":"alias/fields","targetKeyId":"K"}`, true},
	{"ListAliases", `{"Limit":5}`, `{"limit":5}`, false},
	{"GetKeyPolicy", `{"KeyId":"K","PolicyName":"default"}`, `{"keyId":"K","policyName":"default"}`, true},
	{"CreateGrant", `{"KeyId":"K","GranteePrincipal":"arn:aws:iam::111122223333:user/g","Operations":["Decrypt"],` +
		`"Constraints":{"EncryptionContextSubset":{"a":"b"}},"GrantTokens":["tok"]}`,
		`{"constraints":{"EncryptionContextSubset":{"a":"b"}},"granteePrincipal":"arn:aws:iam::111122223333:user/g","keyId":"K","operations":["Decrypt"]}`, true},
	{"RetireGrant", `{"GrantToken":"tok"}`, `{}`, false},
	{"TagResource", `{"KeyId":"K","Tags":[{"TagKey":"x","TagValue":"y"}]}`, `{"keyId":"K","tags":[{"TagKey":"x","TagValue":"y"}]}`, true},
	{"UntagResource", `{"KeyId":"K","TagKeys":["x"]}`, `{"keyId":"K","tagKeys":["x"]}`, true},
	{"ListKeys", ``, `null`, false},
	{"DescribeKey", `{"KeyId":5}`, `null`, false}, // does not decode: SerializationException, nothing recorded
}

func TestAuditParams(t *testing.T) {
	a := newAPI(t)
	rec := &recorder{}
	a.SetAudit(rec, "us-east-1")
	_, _, out := call(t, a, "TrentService.CreateKey", `{}`)
	keyID := out["KeyMetadata"].(map[string]any)["KeyId"].(string)
	_, _, out = call(t, a, "TrentService.Encrypt", `{"KeyId":"`+keyID+`","Plaintext":"c2VjcmV0","EncryptionContext":{"a":"b"}}`)
	blob := out["CiphertextBlob"].(string)
	for _, tc := range paramsTests {
		body := strings.NewReplacer(`"K"`, `"`+keyID+`"`, "BLOB", blob).Replace(tc.body)
		want := strings.ReplaceAll(tc.params, `"K"`, `"`+keyID+`"`)
		rec.mu.Lock()
		rec.recs = nil
		rec.mu.Unlock()
		call(t, a, "TrentService."+tc.op, body)
		rec.mu.Lock()
		if len(rec.recs) != 1 {
			t.Fatalf("%s %s: %d records", tc.op, body, len(rec.recs))
		}
		r := rec.recs[0]
		rec.mu.Unlock()
		got, err := json.Marshal(r.RequestParameters)
		if err != nil || string(got) != want {
			t.Errorf("%s %s: requestParameters %s (%v), want %s", tc.op, body, got, err, want)
		}
		for _, secret := range []string{"c2VjcmV0", "tok", blob} {
			if strings.Contains(string(got), secret) {
				t.Errorf("%s: %q in requestParameters %s", tc.op, secret, got)
			}
		}
		wantARN := ":key/" + keyID
		if tc.op == "CreateKey" {
			wantARN = ":key/" + field(t, r.ResponseElements, "keyMetadata", "keyId")
		}
		if tc.resource && (len(r.Resources) != 1 || !strings.HasSuffix(r.Resources[0].ARN, wantARN) ||
			r.Resources[0].AccountID != "111122223333" || r.Resources[0].Type != "AWS::KMS::Key") {
			t.Errorf("%s %s: resources %+v, want the key", tc.op, body, r.Resources)
		}
		if !tc.resource && len(r.Resources) != 0 {
			t.Errorf("%s %s: resources %+v, want none", tc.op, body, r.Resources)
		}
	}
}

func field(t *testing.T, m map[string]any, k1, k2 string) string {
	t.Helper()
	inner, _ := m[k1].(map[string]any)
	s, _ := inner[k2].(string)
	if s == "" {
		t.Fatalf("no %s.%s in %v", k1, k2, m)
	}
	return s
}

// The authorizer sees what the operation decoded; a body the operation cannot decode never
// reaches it and is answered with the operation's SerializationException.
func TestAuthorizerSeesTheDecodedRequest(t *testing.T) {
	a := newAPI(t)
	_, _, out := call(t, a, "TrentService.CreateKey", `{}`)
	keyID := out["KeyMetadata"].(map[string]any)["KeyId"].(string)
	_, _, out = call(t, a, "TrentService.Encrypt", `{"KeyId":"`+keyID+`","Plaintext":"eA==","EncryptionContext":{"a":"b"}}`)
	blob, _ := base64.StdEncoding.DecodeString(out["CiphertextBlob"].(string))
	var seen []AuthRequest
	a.SetAuthorizer(func(_ context.Context, _ *Caller, op string, r AuthRequest) error {
		seen = append(seen, r)
		return nil
	})
	call(t, a, "TrentService.Decrypt", `{"CiphertextBlob":"`+base64.StdEncoding.EncodeToString(blob)+`","EncryptionContext":{"a":"b"},"AliasName":5}`)
	call(t, a, "TrentService.ReEncrypt", `{"CiphertextBlob":"`+base64.StdEncoding.EncodeToString(blob)+`","SourceEncryptionContext":{"a":"b"},"DestinationKeyId":"alias/x","DestinationEncryptionContext":{"c":"d"}}`)
	call(t, a, "TrentService.UpdateAlias", `{"AliasName":"alias/x","TargetKeyId":"`+keyID+`","KeyId":"ignored"}`)
	if len(seen) != 3 {
		t.Fatalf("authorizer called %d times, want 3", len(seen))
	}
	if r := seen[0]; r.CiphertextKeyID != keyID || r.EncryptionContext["a"] != "b" || r.KeyID != "" || r.AliasName != "" {
		t.Errorf("Decrypt: %+v", r)
	}
	if r := seen[1]; r.CiphertextKeyID != keyID || r.SourceEncryptionContext["a"] != "b" || r.DestinationKeyID != "alias/x" ||
		r.DestinationEncryptionContext["c"] != "d" || r.EncryptionContext != nil {
		t.Errorf("ReEncrypt: %+v", r)
	}
	if r := seen[2]; r.TargetKeyID != keyID || r.AliasName != "alias/x" || r.KeyID != "" {
		t.Errorf("UpdateAlias: %+v", r)
	}
	for _, body := range []string{`{"KeyId":5}`, `{"KeyId":`, `[]`} {
		status, _, out := call(t, a, "TrentService.DescribeKey", body)
		if status != 400 || out["__type"] != "SerializationException" {
			t.Errorf("DescribeKey %s: %d %v, want SerializationException", body, status, out)
		}
	}
	if len(seen) != 3 {
		t.Errorf("authorizer called for a body that does not decode")
	}
}
