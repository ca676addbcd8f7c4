package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

// Produced by botocore 1.43 (S3SigV4PostAuth and HmacV1PostAuth with the clock fixed at
// 2026-12-06T04:30:00Z), key AKIDEXAMPLE, secret botoSecret, region us-east-1.
const (
	botoSecret   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	botoPolicyV4 = "eyJleHBpcmF0aW9uIjogIjIwMjYtMTItMDdUMDA6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAiYiJ9LCBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXAvIl0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSURFWEFNUExFLzIwMjYxMjA2L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMjYxMjA2VDA0MzAwMFoifV19"
	botoSigV4    = "e2c94b6899994aafafa85542842235ba9555a7c63a601828b953e21ec8598601"
	botoPolicyV2 = "eyJleHBpcmF0aW9uIjogIjIwMjYtMTItMDdUMDA6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAiYiJ9LCBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXAvIl1dfQ=="
	botoSigV2    = "kU+LrHN3RCW8fxFSQjbHd2/Zt+o="
)

func postVerifier() *Verifier {
	v := newVerifier()
	v.Creds = credMap{testAK: botoSecret}
	v.SigV2 = true
	return v
}

func botoV4Form() PostForm {
	return PostForm{Policy: botoPolicyV4, Algorithm: "AWS4-HMAC-SHA256",
		Credential: "AKIDEXAMPLE/20261206/us-east-1/s3/aws4_request", Date: "20261206T043000Z", Signature: botoSigV4}
}

// ownV4Signature signs a policy by the documented recipe, written out here rather than
// through the package's SigningKey.
func ownV4Signature(secret, day, region, policy string) string {
	mac := func(k []byte, s string) []byte {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		return m.Sum(nil)
	}
	k := mac(mac(mac(mac([]byte("AWS4"+secret), day), region), "s3"), "aws4_request")
	return hex.EncodeToString(mac(k, policy))
}

func ownV2Signature(secret, policy string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(policy))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerifyPostPolicyBotocoreVectors(t *testing.T) {
	v := postVerifier()
	res, err := v.VerifyPostPolicy(context.Background(), botoV4Form())
	if err != nil {
		t.Fatalf("v4: %v", err)
	}
	want := time.Date(2026, 12, 6, 4, 30, 0, 0, time.UTC)
	if res.Method != AuthPostForm || res.Version != SigV4 || res.AccessKeyID != testAK || res.Service != "s3" ||
		res.Region != "us-east-1" || !res.SignedAt.Equal(want) || res.Payload != PayloadUnsigned {
		t.Fatalf("v4 result = %+v", res)
	}
	res, err = v.VerifyPostPolicy(context.Background(), PostForm{Policy: botoPolicyV2, AccessKeyID: testAK, SignatureV2: botoSigV2, SecurityToken: "tok"})
	if err != nil {
		t.Fatalf("v2: %v", err)
	}
	if res.Method != AuthPostForm || res.Version != SigV2 || res.AccessKeyID != testAK || res.SecurityToken != "tok" {
		t.Fatalf("v2 result = %+v", res)
	}
}

func TestVerifyPostPolicyOwnVectors(t *testing.T) {
	v := newVerifier()
	v.SigV2 = true
	policy := base64.StdEncoding.EncodeToString([]byte(`{"expiration":"2030-01-01T00:00:00Z","conditions":[{"bucket":"photos"}]}`))
	f := PostForm{Policy: policy, Algorithm: "AWS4-HMAC-SHA256", Credential: testAK + "/20261122/us-east-1/s3/aws4_request",
		Date: "20261122T120000Z", Signature: ownV4Signature(testSecret, "20261122", "us-east-1", policy)}
	if _, err := v.VerifyPostPolicy(context.Background(), f); err != nil {
		t.Fatalf("v4: %v", err)
	}
	g := PostForm{Policy: policy, AccessKeyID: testAK, SignatureV2: ownV2Signature(testSecret, policy)}
	if _, err := v.VerifyPostPolicy(context.Background(), g); err != nil {
		t.Fatalf("v2: %v", err)
	}
}

var postPolicyTests = []struct {
	name  string
	form  func() PostForm
	sigV2 bool
	err   error
	field string // PostFieldError.Field, when err is ErrPostFieldMissing
}{
	{name: "tampered policy", form: func() PostForm { f := botoV4Form(); f.Policy = botoPolicyV2; return f }, err: ErrSignatureDoesNotMatch},
	{name: "bad signature", form: func() PostForm { f := botoV4Form(); f.Signature = "0" + botoSigV4[1:]; return f }, err: ErrSignatureDoesNotMatch},
	{name: "short signature", form: func() PostForm { f := botoV4Form(); f.Signature = botoSigV4[:63]; return f }, err: ErrSignatureDoesNotMatch},
	{name: "long signature", form: func() PostForm { f := botoV4Form(); f.Signature = botoSigV4 + "00"; return f }, err: ErrSignatureDoesNotMatch},
	{name: "non-hex signature", form: func() PostForm { f := botoV4Form(); f.Signature = "zz" + botoSigV4[2:]; return f }, err: ErrSignatureDoesNotMatch},
	{name: "unknown key", form: func() PostForm {
		f := botoV4Form()
		f.Credential = "AKNOBODY/20261206/us-east-1/s3/aws4_request"
		return f
	}, err: ErrInvalidAccessKeyID},
	{name: "other region", form: func() PostForm {
		f := botoV4Form()
		f.Credential = testAK + "/20261206/eu-west-1/s3/aws4_request"
		return f
	}, err: ErrAuthorizationQueryParametersError},
	{name: "other service", form: func() PostForm {
		f := botoV4Form()
		f.Credential = testAK + "/20261206/us-east-1/kms/aws4_request"
		return f
	}, err: ErrAuthorizationQueryParametersError},
	{name: "malformed credential", form: func() PostForm { f := botoV4Form(); f.Credential = testAK; return f }, err: ErrAuthorizationQueryParametersError},
	{name: "date differs from scope", form: func() PostForm { f := botoV4Form(); f.Date = "20261207T043000Z"; return f }, err: ErrAuthorizationQueryParametersError},
	{name: "bad date", form: func() PostForm { f := botoV4Form(); f.Date = "2026-12-06"; return f }, err: ErrAuthorizationQueryParametersError},
	{name: "sigv4a", form: func() PostForm { f := botoV4Form(); f.Algorithm = "AWS4-ECDSA-P256-SHA256"; return f }, err: ErrUnsupportedAlgorithm},
	{name: "no algorithm", form: func() PostForm { f := botoV4Form(); f.Algorithm = ""; return f }, err: ErrPostFieldMissing, field: "X-Amz-Algorithm"},
	{name: "no credential", form: func() PostForm { f := botoV4Form(); f.Credential = ""; return f }, err: ErrPostFieldMissing, field: "X-Amz-Credential"},
	{name: "no date", form: func() PostForm { f := botoV4Form(); f.Date = ""; return f }, err: ErrPostFieldMissing, field: "X-Amz-Date"},
	{name: "no signature", form: func() PostForm { f := botoV4Form(); f.Signature = ""; return f }, err: ErrPostFieldMissing, field: "X-Amz-Signature"},
	{name: "no policy", form: func() PostForm { f := botoV4Form(); f.Policy = ""; return f }, err: ErrPostFieldMissing, field: "Policy"},
	{name: "policy unsigned", form: func() PostForm { return PostForm{Policy: botoPolicyV4} }, err: ErrPostUnsigned},
	{name: "v2 off", form: func() PostForm { return PostForm{Policy: botoPolicyV2, AccessKeyID: testAK, SignatureV2: botoSigV2} }, sigV2: false, err: ErrUnsupportedAlgorithm},
	{name: "v2 no signature", form: func() PostForm { return PostForm{Policy: botoPolicyV2, AccessKeyID: testAK} }, sigV2: true, err: ErrPostFieldMissing, field: "Signature"},
	{name: "v2 no key", form: func() PostForm { return PostForm{Policy: botoPolicyV2, SignatureV2: botoSigV2} }, sigV2: true, err: ErrPostFieldMissing, field: "AWSAccessKeyId"},
	{name: "v2 wrong", form: func() PostForm { return PostForm{Policy: botoPolicyV4, AccessKeyID: testAK, SignatureV2: botoSigV2} }, sigV2: true, err: ErrSignatureDoesNotMatch},
	{name: "v2 padded", form: func() PostForm {
		return PostForm{Policy: botoPolicyV2, AccessKeyID: testAK, SignatureV2: botoSigV2 + "AAAA"}
	}, sigV2: true, err: ErrSignatureDoesNotMatch},
	{name: "v2 unknown key", form: func() PostForm {
		return PostForm{Policy: botoPolicyV2, AccessKeyID: "AKNOBODY", SignatureV2: botoSigV2}
	}, sigV2: true, err: ErrInvalidAccessKeyID},
}

func TestVerifyPostPolicyErrors(t *testing.T) {
	for _, tt := range postPolicyTests {
		t.Run(tt.name, func(t *testing.T) {
			v := postVerifier()
			v.SigV2 = tt.sigV2
			res, err := v.VerifyPostPolicy(context.Background(), tt.form())
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v (res %+v)", err, tt.err, res)
			}
			var fe *PostFieldError
			if tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
				t.Fatalf("err = %v, want field %s", err, tt.field)
			}
		})
	}
}

func TestVerifyPostPolicyAnonymous(t *testing.T) {
	res, err := postVerifier().VerifyPostPolicy(context.Background(), PostForm{})
	if err != nil || res.Method != AuthNone || res.Version != SigNone {
		t.Fatalf("res %+v, err %v", res, err)
	}
}
