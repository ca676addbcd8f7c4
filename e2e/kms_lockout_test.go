package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// msgPolicyLockout is AWS's MalformedPolicyDocumentException message for a key policy that
// would not let the caller change it again.
const msgPolicyLockout = "The new key policy will not allow you to update the key policy in the future."

// TestKMSLockoutRecovery: CreateKey and PutKeyPolicy refuse a policy that locks the caller
// out; with BypassPolicyLockoutSafetyCheck it is attached and the key (and the SSE-KMS
// data under it) is indeed locked, even for the account root; `arca admin kms
// reset-key-policy` on the stopped server gives it AWS's default policy back, and the next
// start records the reset in the audit trail, once.
func TestKMSLockoutRecovery(t *testing.T) {
	dir := t.TempDir()
	srv := StartServerAt(t, dir)
	ctx := context.Background()
	c := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	s3c := srv.S3(srv.HTTPURL, func(o *s3.Options) { o.RetryMaxAttempts = 1 })

	key := must[*kms.CreateKeyOutput](t, "CreateKey")(c.CreateKey(ctx, &kms.CreateKeyInput{}))
	id, arn := *key.KeyMetadata.KeyId, *key.KeyMetadata.Arn
	enc := must[*kms.EncryptOutput](t, "Encrypt")(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("locked away")}))
	mustCreateBucket(t, s3c, "vault")
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("doc"), Body: strings.NewReader("sse-kms data"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(id)}); err != nil {
		t.Fatalf("PutObject SSE-KMS: %v", err)
	}
	account := strings.Split(arn, ":")[4]
	// Lets a user who does not exist do everything, and no one else anything.
	locked := `{"Version":"2012-10-17","Statement":[{"Sid":"only nobody","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/nobody"},"Action":"kms:*","Resource":"*"}]}`

	_, err := c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(locked)})
	wantKMSError(t, "CreateKey with a lockout policy", err, "MalformedPolicyDocumentException", msgPolicyLockout)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default"), Policy: aws.String(locked)})
	wantKMSError(t, "PutKeyPolicy with a lockout policy", err, "MalformedPolicyDocumentException", msgPolicyLockout)
	pol := must[*kms.GetKeyPolicyOutput](t, "GetKeyPolicy")(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)}))
	if strings.Contains(*pol.Policy, "nobody") {
		t.Fatalf("a refused policy was attached: %s", *pol.Policy)
	}
	if _, err := c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(locked), BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Fatalf("CreateKey with the bypass: %v", err)
	}
	if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(locked), BypassPolicyLockoutSafetyCheck: true}); err != nil {
		t.Fatalf("PutKeyPolicy with the bypass: %v", err)
	}

	// Locked, for the account root too: no use, no administration, no SSE-KMS read.
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantKMSError(t, "Decrypt on the locked key", err, "AccessDeniedException", "-")
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(locked), BypassPolicyLockoutSafetyCheck: true})
	wantKMSError(t, "PutKeyPolicy on the locked key", err, "AccessDeniedException", "-")
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
	wantKMSError(t, "ScheduleKeyDeletion on the locked key", err, "AccessDeniedException", "-")
	_, err = s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vault"), Key: aws.String("doc")})
	wantAPIError(t, err, "AccessDenied", 403)

	out, err := runArca("admin", "kms", "reset-key-policy", "--data", dir, "--key-id", id)
	if err == nil || !strings.Contains(out, "in use") {
		t.Fatalf("reset on a running server should fail: %v\n%s", err, out)
	}
	srv.Stop()
	out, err = runArca("admin", "kms", "reset-key-policy", "--data", dir, "--key-id", "alias/nope")
	if err == nil || !strings.Contains(out, "arca: error: no customer managed key") {
		t.Fatalf("reset of an unknown key: %v\n%s", err, out)
	}
	out, err = runArca("admin", "kms", "reset-key-policy", "--data", dir, "--key-id", id)
	if err != nil || !strings.Contains(out, "arca: key "+id+" now has AWS's default key policy") {
		t.Fatalf("reset-key-policy: %v\n%s", err, out)
	}

	srv = StartServerAt(t, dir)
	c = kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	s3c = srv.S3(srv.HTTPURL, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "locked away" {
		t.Fatalf("Decrypt after the reset: %v", err)
	}
	if body, _ := mustGet(t, s3c, &s3.GetObjectInput{Bucket: aws.String("vault"), Key: aws.String("doc")}); string(body) != "sse-kms data" {
		t.Fatalf("SSE-KMS object after the reset: %q", body)
	}
	pol = must[*kms.GetKeyPolicyOutput](t, "GetKeyPolicy")(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)}))
	if !strings.Contains(*pol.Policy, `"Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":"kms:*"`) {
		t.Fatalf("policy after the reset: %s", *pol.Policy)
	}

	ct := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "ResetKeyPolicy")
	if len(recs) != 1 {
		t.Fatalf("%d ResetKeyPolicy records, want 1: %v", len(recs), recs)
	}
	wantFields(t, "ResetKeyPolicy", recs[0], map[string]any{
		"eventType": "AwsServiceEvent", "eventSource": "kms.amazonaws.com", "managementEvent": true, "readOnly": false,
		"userIdentity.invokedBy": "arca.admin", "recipientAccountId": account,
		"serviceEventDetails.keyId": id, "serviceEventDetails.defaultPolicy": true,
		"serviceEventDetails.operation": "arca admin kms reset-key-policy", "serviceEventDetails.previousPolicy": locked,
		"serviceEventDetails.policy": *pol.Policy,
	})
	if res, _ := recs[0]["resources"].([]any); len(res) != 1 || field(res[0].(map[string]any), "ARN") != arn {
		t.Errorf("resources %v, want the key %s", recs[0]["resources"], arn)
	}

	// The built-in alarm on key policy changes fires for the offline reset too.
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(srv.Output(), "kms-key-policy-changed"); {
		if time.Now().After(deadline) {
			t.Fatalf("no kms-key-policy-changed alarm for the reset:\n%s", srv.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The marker went with the record: another start records nothing more.
	srv.Stop()
	srv = StartServerAt(t, dir)
	ct = cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	if recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventName, "ResetKeyPolicy"); len(recs) != 1 {
		t.Fatalf("after another start: %d ResetKeyPolicy records, want 1", len(recs))
	}
}

// TestKMSThrottleSSEKMSSlowDown: when the KMS quota throttles the calls S3 makes for
// SSE-KMS, S3 answers 503 SlowDown as AWS S3 does; a direct KMS call still gets KMS's 400
// ThrottlingException.
func TestKMSThrottleSSEKMSSlowDown(t *testing.T) {
	// One cryptographic operation, then one per 1000 s: the second call is throttled.
	srv := StartServer(t, "--kms-rate-limit", "0.001")
	ctx := context.Background()
	c := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	s3c := srv.S3(srv.HTTPURL, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	id := *must[*kms.CreateKeyOutput](t, "CreateKey")(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId
	mustCreateBucket(t, s3c, "busy")
	put := func(key string) error {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("busy"), Key: aws.String(key), Body: strings.NewReader("x"),
			ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(id)})
		return err
	}
	if err := put("first"); err != nil {
		t.Fatalf("first SSE-KMS PUT (within the quota): %v", err)
	}
	for i, call := range []func() error{
		func() error { return put("second") },
		func() error {
			_, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("busy"), Key: aws.String("first")})
			return err
		},
	} {
		err := call()
		wantAPIError(t, err, "SlowDown", 503)
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != "Please reduce your request rate for operations involving AWS KMS." {
			t.Errorf("call %d: message %q", i, ae.ErrorMessage())
		}
	}
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	wantKMSError(t, "direct Encrypt", err, "ThrottlingException", "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.")
}
