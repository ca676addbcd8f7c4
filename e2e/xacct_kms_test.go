package e2e

// Cross-account KMS (issue 16, docs/KMS.md "Accounts"): every account has its own keys,
// aliases and aws/s3; a key of account A is usable by account B only by its key ARN, only
// when A's key policy names B and B's identity allows it (B's root is allowed by its
// identity); aws/s3 is never usable across accounts; SSE-KMS objects follow the same rule.

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// xacctKeyPolicy is AWS's default key policy for account owner plus one statement letting
// principal (an account id or an ARN) use the key.
func xacctKeyPolicy(owner, principal string, actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + owner + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"Other account","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

func TestXAcctKMS(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	acctA := authzAccount(t, srv)
	rootA := authzRoot(acctA)
	acctB, akB, skB := createAccount(t, srv, "kms-bravo")
	rootB := authzCreds{ARN: "arn:aws:iam::" + acctB + ":root", AK: akB, SK: skB}
	kA, kB := authzKMS(t, srv.HTTPURL, rootA), authzKMS(t, srv.HTTPURL, rootB)

	created, err := kA.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("A's key")})
	if err != nil {
		t.Fatal(err)
	}
	keyID, keyARN := aws.ToString(created.KeyMetadata.KeyId), aws.ToString(created.KeyMetadata.Arn)
	if !strings.Contains(keyARN, ":"+acctA+":key/") {
		t.Fatalf("A's key ARN %s", keyARN)
	}
	if _, err := kA.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/shared"), TargetKeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	aliasARN := "arn:aws:kms:" + testRegion + ":" + acctA + ":alias/shared"

	// B's account is its own: A's keys and aliases are not listed, a key id or alias name
	// resolves in B (not found), and B may make the same alias name.
	lk, err := kB.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range lk.Keys {
		if aws.ToString(k.KeyId) == keyID {
			t.Error("B's ListKeys shows A's key")
		}
	}
	la, err := kB.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range la.Aliases {
		if aws.ToString(a.AliasName) == "alias/shared" {
			t.Error("B's ListAliases shows A's alias")
		}
	}
	if _, err := kB.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)}); !isCode(err, "NotFoundException") {
		t.Errorf("B DescribeKey by A's key id: %v, want NotFoundException", err)
	}
	bKey, err := kB.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(bKey.KeyMetadata.AWSAccountId) != acctB {
		t.Errorf("B's key is in account %s", aws.ToString(bKey.KeyMetadata.AWSAccountId))
	}
	if _, err := kB.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/shared"), TargetKeyId: bKey.KeyMetadata.KeyId}); err != nil {
		t.Errorf("B's own alias/shared: %v", err)
	}

	// Before A's key policy names B: denied, by key ARN and by alias ARN.
	enc := func(c *kms.Client, ref string) (*kms.EncryptOutput, error) {
		return c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(ref), Plaintext: []byte("hello")})
	}
	_, err = enc(kB, keyARN)
	wantKMSDenied(t, "B Encrypt before the key policy names B", err, kmsDenyMsg(rootB.ARN, "kms:Encrypt", keyARN, whyNoResource("kms:Encrypt")))
	_, err = enc(kB, aliasARN)
	wantKMSDenied(t, "B Encrypt by alias ARN before the key policy names B", err, kmsDenyMsg(rootB.ARN, "kms:Encrypt", keyARN, whyNoResource("kms:Encrypt")))
	blobA, err := enc(kA, keyARN)
	if err != nil {
		t.Fatal(err)
	}
	_, err = kB.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobA.CiphertextBlob})
	wantKMSDenied(t, "B Decrypt of A's ciphertext", err, kmsDenyMsg(rootB.ARN, "kms:Decrypt", keyARN, whyNoResource("kms:Decrypt")))

	// A's key policy names B's account: B's root uses the key by its ARN.
	if _, err := kA.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"),
		Policy: aws.String(xacctKeyPolicy(acctA, acctB, "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"))}); err != nil {
		t.Fatal(err)
	}
	out, err := enc(kB, keyARN)
	if err != nil {
		t.Fatalf("B Encrypt by key ARN: %v", err)
	}
	if aws.ToString(out.KeyId) != keyARN {
		t.Errorf("Encrypt KeyId %s", aws.ToString(out.KeyId))
	}
	if _, err := enc(kB, aliasARN); err != nil {
		t.Errorf("B Encrypt by alias ARN: %v", err)
	}
	for _, blob := range [][]byte{out.CiphertextBlob, blobA.CiphertextBlob} {
		d, err := kB.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		if err != nil || string(d.Plaintext) != "hello" || aws.ToString(d.KeyId) != keyARN {
			t.Errorf("B Decrypt: %v", err)
		}
	}
	if d, err := kA.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob}); err != nil || string(d.Plaintext) != "hello" {
		t.Errorf("A Decrypt of what B encrypted: %v", err)
	}
	if _, err := kB.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(keyARN), NumberOfBytes: aws.Int32(32)}); err != nil {
		t.Errorf("B GenerateDataKey: %v", err)
	}
	if md, err := kB.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)}); err != nil || aws.ToString(md.KeyMetadata.AWSAccountId) != acctA {
		t.Errorf("B DescribeKey by ARN: %v", err)
	}
	// The alias name still resolves in B's own account (B's alias/shared is B's key).
	if o, err := enc(kB, "alias/shared"); err != nil || aws.ToString(o.KeyId) != aws.ToString(bKey.KeyMetadata.Arn) {
		t.Errorf("B Encrypt alias/shared: %v", err)
	}
	// Administration stays with A, whatever the policy says.
	if _, err := kB.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyARN)}); err == nil {
		t.Error("B scheduled the deletion of A's key")
	}
	if _, err := kB.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"),
		Policy: aws.String(xacctKeyPolicy(acctB, acctB, "kms:*"))}); err == nil {
		t.Error("B replaced A's key policy")
	}

	// The same with the aws CLI: B encrypts and decrypts by A's key ARN; B's ListKeys has no
	// A key; a key id of A does not resolve for B.
	xacctKMSCLI(t, srv, rootB, keyID, keyARN)

	// B's IAM user needs both halves: A's key policy (names B's account) and B's identity.
	iamB := iamClient(srv.HTTPURL, akB, skB)
	bob := authzUser(t, iamB, "bob")
	if !strings.Contains(bob.ARN, ":"+acctB+":user/bob") {
		t.Fatalf("bob's ARN %s", bob.ARN)
	}
	kBob := authzKMS(t, srv.HTTPURL, bob)
	_, err = kBob.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobA.CiphertextBlob})
	wantKMSDenied(t, "bob Decrypt without an identity policy", err, kmsDenyMsg(bob.ARN, "kms:Decrypt", keyARN, whyNoIdentity("kms:Decrypt")))
	authzPutUserPolicy(t, iamB, "bob", "use-a-key", authzAllow(`"kms:Decrypt"`, `"`+keyARN+`"`))
	if d, err := kBob.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobA.CiphertextBlob}); err != nil || string(d.Plaintext) != "hello" {
		t.Errorf("bob Decrypt with both halves: %v", err)
	}
	_, err = enc(kBob, keyARN)
	wantKMSDenied(t, "bob Encrypt (identity allows only Decrypt)", err, kmsDenyMsg(bob.ARN, "kms:Encrypt", keyARN, whyNoIdentity("kms:Encrypt")))
	// A key policy naming only bob: B's root is no longer let in, bob still needs his identity.
	if _, err := kA.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"),
		Policy: aws.String(xacctKeyPolicy(acctA, bob.ARN, "kms:Decrypt"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := kBob.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobA.CiphertextBlob}); err != nil {
		t.Errorf("bob Decrypt, named by the key policy: %v", err)
	}
	_, err = kB.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobA.CiphertextBlob})
	wantKMSDenied(t, "B root once the key policy names only bob", err, kmsDenyMsg(rootB.ARN, "kms:Decrypt", keyARN, whyNoResource("kms:Decrypt")))

	// aws/s3 is per account and never usable across accounts.
	mA, err := kA.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatal(err)
	}
	mB, err := kB.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatal(err)
	}
	awsS3A := aws.ToString(mA.KeyMetadata.Arn)
	if awsS3A == aws.ToString(mB.KeyMetadata.Arn) || aws.ToString(mB.KeyMetadata.AWSAccountId) != acctB {
		t.Fatalf("aws/s3 of A %s and of B %s", awsS3A, aws.ToString(mB.KeyMetadata.Arn))
	}
	_, err = kB.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(awsS3A), NumberOfBytes: aws.Int32(32)})
	wantKMSDenied(t, "B GenerateDataKey under A's aws/s3", err, kmsDenyMsg(rootB.ARN, "kms:GenerateDataKey", awsS3A, whyNoResource("kms:GenerateDataKey")))

	xacctSSEKMS(t, srv, acctA, acctB, rootA, rootB, kA)
	xacctKMSAudit(t, srv, acctB, rootB, keyARN)
}

// xacctSSEKMS: an SSE-KMS object in A's bucket, shared with B by bucket policy and
// encrypted under A's customer key, is readable by B only once A's key policy grants B
// kms:Decrypt; B writing with aws/s3 into A's bucket uses B's own aws/s3 (the alias resolves
// in the requester's account, as AWS), which A then cannot read.
func xacctSSEKMS(t *testing.T, srv *Server, acctA, acctB string, rootA, rootB authzCreds, kA *kms.Client) {
	ctx := context.Background()
	sA, sB := authzS3(t, srv.HTTPURL, rootA), authzS3(t, srv.HTTPURL, rootB)
	bucket := "xacct-kms-" + strings.ToLower(acctB)
	if _, err := sA.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acctB +
		`:root"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	if _, err := sA.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	k2, err := kA.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("A's object key")})
	if err != nil {
		t.Fatal(err)
	}
	k2ID, k2ARN := aws.ToString(k2.KeyMetadata.KeyId), aws.ToString(k2.KeyMetadata.Arn)
	body := []byte("shared across accounts")
	if _, err := sA.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("doc"), Body: bytes.NewReader(body),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(k2ID)}); err != nil {
		t.Fatal(err)
	}
	get := func(c *s3.Client, key string) ([]byte, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}
	_, err = get(sB, "doc")
	wantS3Denied(t, "B GetObject before A's key policy grants B kms:Decrypt", err,
		kmsDenyMsg(rootB.ARN, "kms:Decrypt", k2ARN, whyNoResource("kms:Decrypt")))
	if _, err := kA.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(k2ID), PolicyName: aws.String("default"),
		Policy: aws.String(xacctKeyPolicy(acctA, acctB, "kms:Decrypt"))}); err != nil {
		t.Fatal(err)
	}
	if got, err := get(sB, "doc"); err != nil || !bytes.Equal(got, body) {
		t.Errorf("B GetObject once A's key policy grants B kms:Decrypt: %v", err)
	}

	// B writes into A's bucket under A's key by its ARN: needs kms:GenerateDataKey from A's
	// key policy (it only grants Decrypt).
	_, err = sB.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("from-b"), Body: bytes.NewReader(body),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(k2ARN)})
	wantS3Denied(t, "B PutObject under A's key without kms:GenerateDataKey", err,
		kmsDenyMsg(rootB.ARN, "kms:GenerateDataKey", k2ARN, whyNoResource("kms:GenerateDataKey")))

	// A bucket default naming a key by alias resolves in the writer's account (AWS: "KMS
	// resolves the key within the requester's account"): B's write uses B's alias of that
	// name; a default naming A's key by ARN makes B's write use A's key (refused here: A's
	// key policy grants B only Decrypt).
	if _, err := kA.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/xacct-default"), TargetKeyId: aws.String(k2ID)}); err != nil {
		t.Fatal(err)
	}
	kB := authzKMS(t, srv.HTTPURL, rootB)
	bOwn, err := kB.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kB.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/xacct-default"), TargetKeyId: bOwn.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	setDefault := func(keyRef string) {
		t.Helper()
		if _, err := sA.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(keyRef)}}}}}); err != nil {
			t.Fatal(err)
		}
	}
	setDefault("alias/xacct-default")
	byAlias, err := sB.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("b-default-alias"), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("B PutObject under a default naming an alias: %v", err)
	}
	if got := aws.ToString(byAlias.SSEKMSKeyId); got != aws.ToString(bOwn.KeyMetadata.Arn) {
		t.Errorf("a default alias resolved to %s for B, want B's own key %s", got, aws.ToString(bOwn.KeyMetadata.Arn))
	}
	setDefault(k2ARN)
	_, err = sB.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("b-default-arn"), Body: bytes.NewReader(body)})
	wantS3Denied(t, "B PutObject under a default naming A's key by ARN", err,
		kmsDenyMsg(rootB.ARN, "kms:GenerateDataKey", k2ARN, whyNoResource("kms:GenerateDataKey")))
	if _, err := sA.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}

	// B writes with SSE-KMS and no key: B's own aws/s3, not A's.
	put, err := sB.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("b-aws-s3"), Body: bytes.NewReader(body),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms})
	if err != nil {
		t.Fatalf("B PutObject with aws/s3: %v", err)
	}
	if used := aws.ToString(put.SSEKMSKeyId); !strings.Contains(used, ":"+acctB+":key/") {
		t.Errorf("B's aws/s3 write used %s, want a key of B's account", used)
	}
	if got, err := get(sB, "b-aws-s3"); err != nil || !bytes.Equal(got, body) {
		t.Errorf("B reads its aws/s3 object: %v", err)
	}
	_, err = get(sA, "b-aws-s3")
	wantS3Denied(t, "A reads an object B encrypted under B's aws/s3", err,
		kmsDenyMsg(rootA.ARN, "kms:Decrypt", aws.ToString(put.SSEKMSKeyId), whyNoResource("kms:Decrypt")))
}

// xacctKMSAudit: a cross-account KMS call is in the event history of both accounts (the
// caller's and the key owner's), as CloudTrail delivers it.
func xacctKMSAudit(t *testing.T, srv *Server, acctB string, rootB authzCreds, keyARN string) {
	ctA := cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey)
	ctB := cloudTrailClient(srv.HTTPURL, rootB.AK, rootB.SK)
	for _, who := range []struct {
		name string
		recs func() []map[string]any
	}{
		{"A (the key's account)", func() []map[string]any { return auditLookup(t, ctA, cttypes.LookupAttributeKeyResourceName, keyARN) }},
		{"B (the caller's account)", func() []map[string]any { return auditLookup(t, ctB, cttypes.LookupAttributeKeyResourceName, keyARN) }},
	} {
		var found map[string]any
		for deadline := time.Now().Add(20 * time.Second); found == nil && time.Now().Before(deadline); {
			for _, r := range who.recs() {
				if r["eventName"] == "Encrypt" && field(r, "userIdentity.accountId") == acctB && r["errorCode"] == nil {
					found = r
					break
				}
			}
			if found == nil {
				time.Sleep(200 * time.Millisecond)
			}
		}
		if found == nil {
			t.Errorf("%s: no record of B's Encrypt under A's key", who.name)
			continue
		}
		if field(found, "userIdentity.arn") != rootB.ARN || found["sharedEventID"] == nil {
			t.Errorf("%s: record %v", who.name, found)
		}
	}
}

// xacctKMSCLI drives the cross-account key with the aws CLI as B's root, once A's key policy
// names B (Encrypt, Decrypt, DescribeKey allowed) and before it names only bob.
func xacctKMSCLI(t *testing.T, srv *Server, rootB authzCreds, keyID, keyARN string) {
	requireAWSCLI(t)
	creds := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(creds, []byte("[b]\naws_access_key_id = "+rootB.AK+"\naws_secret_access_key = "+rootB.SK+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pt := filepath.Join(t.TempDir(), "pt")
	os.WriteFile(pt, []byte("via the cli"), 0o600)
	outs := cliBatch(t, creds, srv.HTTPURL,
		cliCall{Profile: "b", Args: []string{"kms", "encrypt", "--key-id", keyARN, "--plaintext", "fileb://" + pt, "--query", "CiphertextBlob", "--output", "text"}},
		cliCall{Profile: "b", Args: []string{"kms", "list-keys", "--output", "text"}},
		cliCall{Profile: "b", WantErr: true, Args: []string{"kms", "describe-key", "--key-id", keyID}},
		cliCall{Profile: "b", Args: []string{"kms", "describe-key", "--key-id", keyARN, "--query", "KeyMetadata.Arn", "--output", "text"}},
	)
	if strings.Contains(outs[1], keyID) {
		t.Errorf("aws kms list-keys as B shows A's key: %s", outs[1])
	}
	if !strings.Contains(outs[2], "NotFoundException") {
		t.Errorf("aws kms describe-key of A's key id as B: %s", outs[2])
	}
	if outs[3] != keyARN {
		t.Errorf("aws kms describe-key by ARN as B: %s", outs[3])
	}
	blob := filepath.Join(t.TempDir(), "blob")
	raw, err := base64.StdEncoding.DecodeString(outs[0])
	if err != nil {
		t.Fatalf("encrypt output %q: %v", outs[0], err)
	}
	os.WriteFile(blob, raw, 0o600)
	out := cliBatch(t, creds, srv.HTTPURL, cliCall{Profile: "b", Args: []string{"kms", "decrypt", "--ciphertext-blob", "fileb://" + blob,
		"--query", "Plaintext", "--output", "text"}})
	if got, _ := base64.StdEncoding.DecodeString(out[0]); string(got) != "via the cli" {
		t.Errorf("aws kms decrypt as B: %q", out[0])
	}
}

// isCode reports whether err is the API error code.
func isCode(err error, code string) bool {
	c, _ := errInfo(err)
	return err != nil && c == code
}
