package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	bolt "go.etcd.io/bbolt"
)

// TestSecKMSIAMRecords edits the KMS and IAM records of a stopped server as an attacker
// with write access to meta.db would (docs/FORMAT.md, "Metadata records"): key 1's policy
// rewritten to allow every principal (behind the record's original envelope head, since
// the attacker has no record key) and user1's record replaced by garbage. The server must
// start; key 1 must refuse every use (KMSInvalidStateException), its SSE-KMS object must
// not read, and the forged policy must grant nothing; user1's access key must be refused
// and user1 not served by IAM; key 2 and user2 keep working; `arca admin check` exits 1
// and names both records.
func TestSecKMSIAMRecords(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	rootKMS := kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	rootS3 := sdk(t, srv, srv.HTTPSURL)

	var keys [2]string
	var blobs [2][]byte
	for i := range keys {
		k := must[*kms.CreateKeyOutput](t, "CreateKey")(rootKMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("records")}))
		keys[i] = aws.ToString(k.KeyMetadata.KeyId)
		enc := must[*kms.EncryptOutput](t, "Encrypt")(rootKMS.Encrypt(ctx, &kms.EncryptInput{KeyId: k.KeyMetadata.Arn, Plaintext: []byte("secret")}))
		blobs[i] = enc.CiphertextBlob
	}
	if _, err := rootKMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/records-one"), TargetKeyId: aws.String(keys[0])}); err != nil {
		t.Fatal(err)
	}
	const bucket = "kmsiamrec"
	mustCreateBucket(t, rootS3, bucket)
	for i, k := range keys {
		if _, err := rootS3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj" + string(rune('1'+i))),
			Body: bytes.NewReader([]byte("object under key")), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
			SSEKMSKeyId: aws.String(k)}); err != nil {
			t.Fatalf("PUT SSE-KMS under key %d: %v", i+1, err)
		}
	}

	// Both users may list buckets and use key 2 only; no policy of theirs names key 1.
	account := authzAccount(t, srv)
	key2ARN := "arn:aws:kms:" + testRegion + ":" + account + ":key/" + keys[1]
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"},` +
		`{"Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"` + key2ARN + `"}]}`
	user1 := authzUser(t, rootIAM, "user1", doc)
	user2 := authzUser(t, rootIAM, "user2", doc)
	if _, err := s3As(srv.HTTPURL, user1.AK, user1.SK).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("user1 before: %v", err)
	}
	_, err := kmsClient(srv.HTTPURL, user2.AK, user2.SK).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keys[0]), Plaintext: []byte("x")})
	wantKMSError(t, "user2 on key 1 before", err, "AccessDeniedException", "-")
	srv.Stop()

	everyone := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		kb := tx.Bucket([]byte("kms-keys"))
		head, body := splitRecord(t, kb.Get([]byte(keys[0])))
		var rec map[string]any
		if err := json.Unmarshal(body, &rec); err != nil {
			t.Fatal(err)
		}
		if _, ok := rec["policy"].(string); !ok {
			t.Fatalf("key record has no policy: %s", body)
		}
		rec["policy"] = everyone
		forged, _ := json.Marshal(rec)
		if err := kb.Put([]byte(keys[0]), joinRecord(head, forged)); err != nil {
			t.Fatal(err)
		}
		users := tx.Bucket([]byte("iam")).Bucket([]byte("users"))
		splitRecord(t, users.Get([]byte("user1"))) // an authenticated record before the edit
		if err := users.Put([]byte("user1"), []byte("garbage")); err != nil {
			t.Fatal(err)
		}
	})

	// arca admin check lists both damaged records and exits 1.
	out, err := runArca("admin", "check", "--data", srv.DataDir)
	var ee interface{ ExitCode() int }
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("arca admin check: %v, want exit 1\n%s", err, out)
	}
	for _, want := range []string{"KMS key " + keys[0] + "\t", "IAM user user1\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("arca admin check does not list %q:\n%s", want, out)
		}
	}
	for _, not := range []string{keys[1], "user2", "records-one"} {
		if strings.Contains(out, not) {
			t.Errorf("arca admin check lists the untouched %s:\n%s", not, out)
		}
	}

	srv = StartServerAt(t, srv.DataDir)
	defer srv.Stop()
	rootKMS = kmsClient(srv.HTTPURL, testAccessKey, testSecretKey)
	rootIAM = iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	rootS3 = sdk(t, srv, srv.HTTPSURL)
	for _, name := range []string{keys[0], "user1"} {
		if n := strings.Count(srv.Output(), name); n != 1 {
			t.Errorf("the server logged the damaged %s %d times, want once:\n%s", name, n, srv.Output())
		}
	}

	// Key 1 refuses every use, whoever asks and however it is named; the forged policy
	// grants nothing.
	key1ARN := "arn:aws:kms:" + testRegion + ":" + account + ":key/" + keys[0]
	unavailable := key1ARN + " is unavailable."
	user2KMS := kmsClient(srv.HTTPURL, user2.AK, user2.SK)
	_, err = user2KMS.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keys[0]), Plaintext: []byte("x")})
	wantKMSError(t, "user2 Encrypt under the forged policy", err, "KMSInvalidStateException", unavailable)
	_, err = rootKMS.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keys[0]), Plaintext: []byte("x")})
	wantKMSError(t, "root Encrypt", err, "KMSInvalidStateException", unavailable)
	_, err = rootKMS.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[0]})
	wantKMSError(t, "root Decrypt", err, "KMSInvalidStateException", unavailable)
	_, err = rootKMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/records-one")})
	wantKMSError(t, "DescribeKey via alias", err, "KMSInvalidStateException", unavailable)
	_, err = rootKMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keys[0])})
	wantKMSError(t, "GetKeyPolicy", err, "KMSInvalidStateException", unavailable)
	lk := must[*kms.ListKeysOutput](t, "ListKeys")(rootKMS.ListKeys(ctx, &kms.ListKeysInput{}))
	for _, k := range lk.Keys {
		if aws.ToString(k.KeyId) == keys[0] {
			t.Errorf("ListKeys lists the damaged key")
		}
	}
	if _, err := rootS3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj1")}); err == nil ||
		!strings.Contains(err.Error(), "KMSInvalidStateException") {
		t.Errorf("GET of an SSE-KMS object under the damaged key: %v, want KMS.KMSInvalidStateException", err)
	}

	// Key 2 works, for the root and for user2 through its identity policy.
	for who, c := range map[string]*kms.Client{"root": rootKMS, "user2": user2KMS} {
		d, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobs[1]})
		if err != nil || string(d.Plaintext) != "secret" {
			t.Errorf("%s Decrypt under key 2: %v", who, err)
		}
	}
	if got, _ := mustGet(t, rootS3, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("obj2")}); string(got) != "object under key" {
		t.Errorf("SSE-KMS object under key 2: %q", got)
	}

	// user1's access key is refused everywhere; IAM does not serve user1; user2 works.
	_, err = s3As(srv.HTTPURL, user1.AK, user1.SK).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "InvalidAccessKeyId", 403)
	_, err = stsClient(srv.HTTPURL, user1.AK, user1.SK, testRegion).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantIAMError(t, "user1 STS", err, "InvalidClientTokenId", 403, "")
	_, err = kmsClient(srv.HTTPURL, user1.AK, user1.SK).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keys[1]), Plaintext: []byte("x")})
	if code, status := errInfo(err); status != 400 || code != "UnrecognizedClientException" {
		t.Errorf("user1 KMS: %d %s (%v), want the unknown-key refusal", status, code, err)
	}
	_, err = rootIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("user1")})
	wantIAMError(t, "GetUser user1", err, "ServiceFailure", 500, "")
	lu := must[*iam.ListUsersOutput](t, "ListUsers")(rootIAM.ListUsers(ctx, &iam.ListUsersInput{}))
	if len(lu.Users) != 1 || aws.ToString(lu.Users[0].UserName) != "user2" {
		t.Errorf("ListUsers serves the damaged user: %+v", lu.Users)
	}
	if _, err := s3As(srv.HTTPURL, user2.AK, user2.SK).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("user2 after restart: %v", err)
	}
}
