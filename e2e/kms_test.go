package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// kmsClient is an aws-sdk-go-v2 KMS client for endpoint with the given credentials.
func kmsClient(endpoint, ak, sk string) *kms.Client {
	cfg := aws.Config{Region: testRegion, Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
		HTTPClient: HTTPClient(), RetryMaxAttempts: 1}
	return kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// wantKMSError fails unless err is a KMS exception of type typ with message msg ("-" skips
// the message check).
func wantKMSError(t testing.TB, what string, err error, typ, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: got %v, want %s", what, err, typ)
		return
	}
	if ae.ErrorCode() != typ || msg != "-" && ae.ErrorMessage() != msg {
		t.Errorf("%s: got %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), typ, msg)
	}
}

func must[T any](t testing.TB, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// TestKMSOperations drives every operation of the issue through the SDK, over HTTP and
// HTTPS, with their main errors.
func TestKMSOperations(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	for _, ep := range []string{srv.HTTPURL, srv.HTTPSURL} {
		c := kmsClient(ep, testAccessKey, testSecretKey)

		created := must[*kms.CreateKeyOutput](t, "CreateKey")(c.CreateKey(ctx, &kms.CreateKeyInput{
			Description: aws.String("e2e"), Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("crypto")}}}))
		md := created.KeyMetadata
		if md.KeyState != types.KeyStateEnabled || md.KeySpec != types.KeySpecSymmetricDefault ||
			md.KeyManager != types.KeyManagerTypeCustomer || md.CreationDate == nil || !strings.HasSuffix(*md.Arn, *md.KeyId) {
			t.Fatalf("CreateKey metadata: %+v", md)
		}
		id, arn := *md.KeyId, *md.Arn
		_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
		wantKMSError(t, "asymmetric CreateKey", err, "UnsupportedOperationException", "-")
		_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Statement":"nope"}`)})
		wantKMSError(t, "bad policy", err, "MalformedPolicyDocumentException", "-")

		d := must[*kms.DescribeKeyOutput](t, "DescribeKey")(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)}))
		if *d.KeyMetadata.KeyId != id {
			t.Fatal("DescribeKey by ARN")
		}
		_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("bogus")})
		wantKMSError(t, "DescribeKey bogus", err, "NotFoundException", "Invalid keyId 'bogus'")
		missing := "arn:aws:kms:us-east-1:" + *md.AWSAccountId + ":key/00000000-0000-4000-8000-000000000000"
		_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("00000000-0000-4000-8000-000000000000")})
		wantKMSError(t, "DescribeKey unknown", err, "NotFoundException", "Key '"+missing+"' does not exist")

		must[*kms.UpdateKeyDescriptionOutput](t, "UpdateKeyDescription")(c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: aws.String(id), Description: aws.String("new")}))

		// Aliases.
		alias := "alias/e2e-" + strings.Split(ep, ":")[0]
		must[*kms.CreateAliasOutput](t, "CreateAlias")(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)}))
		_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)})
		wantKMSError(t, "CreateAlias twice", err, "AlreadyExistsException", "-")
		_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: aws.String(id)})
		wantKMSError(t, "reserved alias", err, "NotAuthorizedException", "-") // empty on the wire; the SDK shows "UnknownError"
		_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("nope"), TargetKeyId: aws.String(id)})
		wantKMSError(t, "alias prefix", err, "ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
		second := must[*kms.CreateKeyOutput](t, "CreateKey 2")(c.CreateKey(ctx, &kms.CreateKeyInput{}))
		id2 := *second.KeyMetadata.KeyId
		must[*kms.UpdateAliasOutput](t, "UpdateAlias")(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id2)}))
		aliases := must[*kms.ListAliasesOutput](t, "ListAliases")(c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(id2)}))
		if len(aliases.Aliases) != 1 || *aliases.Aliases[0].AliasName != alias || *aliases.Aliases[0].TargetKeyId != id2 {
			t.Fatalf("ListAliases: %+v", aliases.Aliases)
		}
		must[*kms.UpdateAliasOutput](t, "UpdateAlias back")(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)}))

		// Crypto, with every identifier form.
		ec := map[string]string{"purpose": "e2e", "a": "bc"}
		var blobs [][]byte
		for _, keyID := range []string{id, arn, alias, strings.Replace(arn, "key/"+id, alias, 1)} {
			enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("hello"), EncryptionContext: ec})
			if err != nil {
				t.Fatalf("Encrypt with %s: %v", keyID, err)
			}
			if *enc.KeyId != arn || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
				t.Fatalf("Encrypt response: %+v", enc)
			}
			blobs = append(blobs, enc.CiphertextBlob)
		}
		dec := must[*kms.DecryptOutput](t, "Decrypt")(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[0], EncryptionContext: ec}))
		if string(dec.Plaintext) != "hello" || *dec.KeyId != arn {
			t.Fatalf("Decrypt: %+v", dec)
		}
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[0], EncryptionContext: map[string]string{"ab": "c", "purpose": "e2e"}})
		wantKMSError(t, "wrong context", err, "InvalidCiphertextException", "")
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[0]})
		wantKMSError(t, "missing context", err, "InvalidCiphertextException", "")
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[0], EncryptionContext: ec, KeyId: aws.String(id2)})
		wantKMSError(t, "incorrect key", err, "IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
		tampered := bytes.Clone(blobs[1])
		tampered[len(tampered)-1] ^= 1
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec})
		wantKMSError(t, "tampered", err, "InvalidCiphertextException", "")
		_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: make([]byte, 4097)})
		wantKMSError(t, "4097 bytes", err, "ValidationException", "-")

		gdk := must[*kms.GenerateDataKeyOutput](t, "GenerateDataKey")(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(alias), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec}))
		if len(gdk.Plaintext) != 32 || *gdk.KeyId != arn {
			t.Fatalf("GenerateDataKey: %+v", gdk)
		}
		_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id)})
		wantKMSError(t, "GDK without size", err, "ValidationException", "Please specify either number of bytes or key spec.")
		wp := must[*kms.GenerateDataKeyWithoutPlaintextOutput](t, "GDKWithoutPlaintext")(c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(64)}))
		dk := must[*kms.DecryptOutput](t, "Decrypt data key")(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob}))
		if len(dk.Plaintext) != 64 {
			t.Fatalf("data key of %d bytes", len(dk.Plaintext))
		}
		re := must[*kms.ReEncryptOutput](t, "ReEncrypt")(c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: gdk.CiphertextBlob, SourceEncryptionContext: ec,
			DestinationKeyId: aws.String(id2), DestinationEncryptionContext: map[string]string{"new": "ctx"}}))
		if *re.SourceKeyId != arn || *re.KeyId != *second.KeyMetadata.Arn {
			t.Fatalf("ReEncrypt: %+v", re)
		}
		back := must[*kms.DecryptOutput](t, "Decrypt re-encrypted")(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"new": "ctx"}}))
		if !bytes.Equal(back.Plaintext, gdk.Plaintext) {
			t.Fatal("ReEncrypt changed the plaintext")
		}
		rnd := must[*kms.GenerateRandomOutput](t, "GenerateRandom")(c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(48)}))
		if len(rnd.Plaintext) != 48 {
			t.Fatal("GenerateRandom size")
		}
		_, err = c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1025)})
		wantKMSError(t, "GenerateRandom 1025", err, "ValidationException", "-")

		// Rotation.
		must[*kms.EnableKeyRotationOutput](t, "EnableKeyRotation")(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(180)}))
		st := must[*kms.GetKeyRotationStatusOutput](t, "GetKeyRotationStatus")(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)}))
		if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 180 || st.NextRotationDate == nil {
			t.Fatalf("rotation status: %+v", st)
		}
		_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(30)})
		wantKMSError(t, "period 30", err, "ValidationException", "-")
		must[*kms.DisableKeyRotationOutput](t, "DisableKeyRotation")(c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(id)}))
		must[*kms.RotateKeyOnDemandOutput](t, "RotateKeyOnDemand")(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)}))
		rots := must[*kms.ListKeyRotationsOutput](t, "ListKeyRotations")(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(id)}))
		if len(rots.Rotations) != 1 || rots.Rotations[0].RotationType != types.RotationTypeOnDemand {
			t.Fatalf("rotations: %+v", rots.Rotations)
		}
		if dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[2], EncryptionContext: ec}); err != nil || string(dec.Plaintext) != "hello" {
			t.Fatalf("pre-rotation ciphertext: %v", err)
		}

		// Policies.
		pol := must[*kms.GetKeyPolicyOutput](t, "GetKeyPolicy")(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)}))
		if !strings.Contains(*pol.Policy, `"Enable IAM User Permissions"`) {
			t.Fatalf("default policy: %s", *pol.Policy)
		}
		newPol := strings.Replace(*pol.Policy, "key-default-1", "custom", 1)
		must[*kms.PutKeyPolicyOutput](t, "PutKeyPolicy")(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(newPol)}))
		_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String("{}")})
		wantKMSError(t, "PutKeyPolicy malformed", err, "MalformedPolicyDocumentException", "-")
		_, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("other")})
		wantKMSError(t, "GetKeyPolicy other", err, "NotFoundException", "No such policy exists")
		names := must[*kms.ListKeyPoliciesOutput](t, "ListKeyPolicies")(c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: aws.String(id)}))
		if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "default" {
			t.Fatalf("ListKeyPolicies: %v", names.PolicyNames)
		}

		// Grants.
		g := must[*kms.CreateGrantOutput](t, "CreateGrant")(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(id),
			GranteePrincipal: aws.String("arn:aws:iam::111122223333:role/app"), RetiringPrincipal: aws.String("arn:aws:iam::111122223333:role/ops"),
			Operations:  []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationGenerateDataKey},
			Constraints: &types.GrantConstraints{EncryptionContextSubset: map[string]string{"purpose": "e2e"}}}))
		gl := must[*kms.ListGrantsOutput](t, "ListGrants")(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(id)}))
		if len(gl.Grants) != 1 || *gl.Grants[0].GrantId != *g.GrantId || gl.Grants[0].Constraints == nil {
			t.Fatalf("ListGrants: %+v", gl.Grants)
		}
		rg := must[*kms.ListRetirableGrantsOutput](t, "ListRetirableGrants")(c.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String("arn:aws:iam::111122223333:role/ops")}))
		if len(rg.Grants) != 1 {
			t.Fatalf("ListRetirableGrants: %+v", rg.Grants)
		}
		must[*kms.RetireGrantOutput](t, "RetireGrant")(c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken}))
		g2 := must[*kms.CreateGrantOutput](t, "CreateGrant 2")(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(id),
			GranteePrincipal: aws.String("arn:aws:iam::111122223333:role/app"), Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))
		must[*kms.RevokeGrantOutput](t, "RevokeGrant")(c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(id), GrantId: g2.GrantId}))
		_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(id), GrantId: g2.GrantId})
		wantKMSError(t, "RevokeGrant twice", err, "NotFoundException", "-")

		// Tags.
		must[*kms.TagResourceOutput](t, "TagResource")(c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("test")}}}))
		_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("1")}}})
		wantKMSError(t, "aws: tag", err, "TagException", "Tags beginning with aws: are reserved")
		must[*kms.UntagResourceOutput](t, "UntagResource")(c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(id), TagKeys: []string{"team"}}))
		tags := must[*kms.ListResourceTagsOutput](t, "ListResourceTags")(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)}))
		if len(tags.Tags) != 1 || *tags.Tags[0].TagKey != "env" {
			t.Fatalf("tags: %+v", tags.Tags)
		}

		// States.
		must[*kms.DisableKeyOutput](t, "DisableKey")(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}))
		_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
		wantKMSError(t, "disabled", err, "DisabledException", arn+" is disabled.")
		_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(3)})
		wantKMSError(t, "window 3", err, "ValidationException", "1 validation error detected: Value '3' at 'PendingWindowInDays' failed to satisfy constraint: Member must have minimum value of 7 and maximum value of 30.")
		sk := must[*kms.ScheduleKeyDeletionOutput](t, "ScheduleKeyDeletion")(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id)}))
		if *sk.KeyId != arn || aws.ToInt32(sk.PendingWindowInDays) != 30 || sk.KeyState != types.KeyStatePendingDeletion ||
			sk.DeletionDate.Sub(time.Now()) < 29*24*time.Hour {
			t.Fatalf("ScheduleKeyDeletion: %+v", sk)
		}
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[0], EncryptionContext: ec})
		wantKMSError(t, "pending", err, "KMSInvalidStateException", arn+" is pending deletion.")
		ck := must[*kms.CancelKeyDeletionOutput](t, "CancelKeyDeletion")(c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}))
		if *ck.KeyId != arn {
			t.Fatal("CancelKeyDeletion returns the ARN")
		}
		d = must[*kms.DescribeKeyOutput](t, "DescribeKey")(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}))
		if d.KeyMetadata.KeyState != types.KeyStateDisabled {
			t.Fatalf("after cancel: %s, want Disabled", d.KeyMetadata.KeyState)
		}
		must[*kms.EnableKeyOutput](t, "EnableKey")(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}))

		// The AWS managed key is created on first use.
		s3key := must[*kms.DescribeKeyOutput](t, "DescribeKey aws/s3")(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")}))
		if s3key.KeyMetadata.KeyManager != types.KeyManagerTypeAws {
			t.Fatalf("aws/s3: %+v", s3key.KeyMetadata)
		}
		_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: s3key.KeyMetadata.KeyId})
		wantKMSError(t, "delete aws/s3", err, "UnsupportedOperationException", "-")

		// Pagination over ListKeys with Limit/Marker.
		var all []string
		p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(1)})
		for p.HasMorePages() {
			page := must[*kms.ListKeysOutput](t, "ListKeys")(p.NextPage(ctx))
			for _, k := range page.Keys {
				all = append(all, *k.KeyId)
			}
		}
		if len(all) < 3 {
			t.Fatalf("ListKeys paged %d keys", len(all))
		}
		must[*kms.DeleteAliasOutput](t, "DeleteAlias")(c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(alias)}))
		_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(alias)})
		wantKMSError(t, "DeleteAlias twice", err, "NotFoundException", "-")
	}
}

// TestKMSAuthErrors: signature failures on a KMS request come back in KMS's JSON shape.
func TestKMSAuthErrors(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	_, err := kmsClient(srv.HTTPURL, "AKIAUNKNOWN000000000", testSecretKey).ListKeys(ctx, &kms.ListKeysInput{})
	wantKMSError(t, "unknown access key", err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = kmsClient(srv.HTTPURL, testAccessKey, "wrong-secret-wrong-secret").ListKeys(ctx, &kms.ListKeysInput{})
	wantKMSError(t, "wrong secret", err, "InvalidSignatureException", "-")

	req, _ := http.NewRequest("POST", srv.HTTPURL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "TrentService.ListKeys")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" ||
		!strings.Contains(string(body), `"__type":"MissingAuthenticationTokenException"`) {
		t.Fatalf("anonymous: %d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
	}
}

// TestKMSRestartRootKeyAndMetrics: keys survive a restart; rotate-root-key re-seals them
// offline; the old key no longer opens the keystore; /metrics counts operations per key.
func TestKMSRestartRootKeyAndMetrics(t *testing.T) {
	dir := t.TempDir()
	srv := StartServerAt(t, dir)
	if !strings.Contains(srv.Output(), "GENERATED A") {
		t.Errorf("no warning about a root key generated into the data dir:\n%s", srv.Output())
	}
	ctx := context.Background()
	c := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	key := must[*kms.CreateKeyOutput](t, "CreateKey")(c.CreateKey(ctx, &kms.CreateKeyInput{}))
	id := *key.KeyMetadata.KeyId
	enc := must[*kms.EncryptOutput](t, "Encrypt")(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("survive")}))

	req, _ := http.NewRequest("GET", srv.HTTPURL+"/metrics", nil)
	req.SetBasicAuth(testAccessKey, testSecretKey)
	resp, err := HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(m), `arca_kms_key_operations_total{key_id="`+id+`",operation="Encrypt"} 1`) {
		t.Errorf("per-key counter missing from /metrics")
	}
	srv.Stop()

	newKey := dir + "/../new-root-key"
	out, err := runArca("admin", "rotate-root-key", "--data", dir, "--new-root-key-file", newKey)
	if err == nil || !strings.Contains(out, "new root key") {
		t.Fatalf("missing new key file should fail with a hint: %v\n%s", err, out)
	}
	writeKeyFile(t, newKey)
	if out, err := runArca("admin", "rotate-root-key", "--data", dir, "--new-root-key-file", newKey); err != nil {
		t.Fatalf("rotate-root-key: %v\n%s", err, out)
	}
	srv = StartServerAt(t, dir, "--root-key-file", newKey)
	c = kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "survive" {
		t.Fatalf("after restart and root key rotation: %v", err)
	}
}
