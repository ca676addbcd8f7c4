package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTwoUserWalkthrough is issue 5's two-key walkthrough with the aws CLI: admin may use S3
// and KMS, user2 only S3. An object under a customer managed key is visible to user2 (list,
// head, delete) but unreadable: GetObject and CopyObject need kms:Decrypt, which only the key
// side can give. Under the AWS managed aws/s3 key, whose policy lets every principal of the
// account use it through S3, user2 reads fine.
func TestTwoUserWalkthrough(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t)
	E := srv.HTTPSURL
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	creds := filepath.Join(dir, "credentials")
	profiles := "[root]\naws_access_key_id = " + testAccessKey + "\naws_secret_access_key = " + testSecretKey + "\n"
	if err := os.WriteFile(creds, []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(calls ...cliCall) []string {
		t.Helper()
		return cliBatch(t, creds, E, calls...)
	}
	root := func(args ...string) cliCall { return cliCall{Profile: "root", Args: args} }
	admin := func(args ...string) cliCall { return cliCall{Profile: "admin", Args: args} }
	user2 := func(args ...string) cliCall { return cliCall{Profile: "user2", Args: args} }
	user2Fails := func(args ...string) cliCall { return cliCall{Profile: "user2", WantErr: true, Args: args} }
	text := []string{"--output", "text"}

	// The root sets up two users, a customer managed key with the default key policy (the
	// account root statement, which delegates to IAM) and its alias, and a bucket.
	adminPolicy := file("admin.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","kms:*"],"Resource":"*"}]}`)
	user2Policy := file("user2.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	out := run(
		root(append([]string{"iam", "create-user", "--user-name", "admin", "--query", "User.Arn"}, text...)...),
		root(append([]string{"iam", "create-user", "--user-name", "user2", "--query", "User.Arn"}, text...)...),
		root(append([]string{"kms", "create-key", "--description", "walkthrough", "--query", "KeyMetadata.Arn"}, text...)...),
		root("s3", "mb", "s3://walkthrough"),
	)
	adminARN, user2ARN, keyARN := out[0], out[1], out[2]
	account := strings.TrimSuffix(strings.TrimPrefix(adminARN, "arn:aws:iam::"), ":user/admin")
	if adminARN != "arn:aws:iam::"+account+":user/admin" || user2ARN != "arn:aws:iam::"+account+":user/user2" ||
		!strings.HasPrefix(keyARN, "arn:aws:kms:"+testRegion+":"+account+":key/") {
		t.Fatalf("create-user/create-key: %q %q %q", adminARN, user2ARN, keyARN)
	}
	out = run(
		root("iam", "create-access-key", "--user-name", "admin", "--output", "json"),
		root("iam", "create-access-key", "--user-name", "user2", "--output", "json"),
		root("iam", "put-user-policy", "--user-name", "admin", "--policy-name", "s3-and-kms", "--policy-document", "file://"+adminPolicy),
		root("iam", "put-user-policy", "--user-name", "user2", "--policy-name", "s3-only", "--policy-document", "file://"+user2Policy),
		root("kms", "create-alias", "--alias-name", "alias/walkthrough", "--target-key-id", keyARN),
		root(append([]string{"kms", "get-key-policy", "--key-id", keyARN, "--policy-name", "default", "--query", "Policy"}, text...)...),
	)
	for i, name := range []string{"admin", "user2"} {
		var k struct {
			AccessKey struct{ AccessKeyId, SecretAccessKey string }
		}
		if err := json.Unmarshal([]byte(out[i]), &k); err != nil {
			t.Fatalf("create-access-key %s: %v\n%s", name, err, out[i])
		}
		profiles += "[" + name + "]\naws_access_key_id = " + k.AccessKey.AccessKeyId + "\naws_secret_access_key = " + k.AccessKey.SecretAccessKey + "\n"
	}
	if err := os.WriteFile(creds, []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	var kp struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(out[5]), &kp); err != nil || len(kp.Statement) != 1 ||
		kp.Statement[0]["Principal"].(map[string]any)["AWS"] != "arn:aws:iam::"+account+":root" {
		t.Fatalf("the default key policy is the account root statement: %v\n%s", err, out[5])
	}

	// admin uploads under the customer managed key and reads it back.
	secret := file("secret.txt", "the two-key rule")
	run(admin("s3", "cp", "--only-show-errors", secret, "s3://walkthrough/secret.txt", "--sse", "aws:kms", "--sse-kms-key-id", "alias/walkthrough"))
	denyGet := "An error occurred (AccessDenied) when calling the GetObject operation: " +
		kmsDenyMsg(user2ARN, "kms:Decrypt", keyARN, whyNoIdentity("kms:Decrypt"))
	out = run(
		admin("s3", "cp", "--only-show-errors", "s3://walkthrough/secret.txt", "-"),
		// user2 sees the object: listing and HEAD need no key (HEAD without checksum
		// mode does not call KMS).
		user2("s3", "ls", "s3://walkthrough/"),
		user2("s3api", "head-object", "--bucket", "walkthrough", "--key", "secret.txt"),
		// Copying reads the source, so even a metadata-only self-copy needs kms:Decrypt.
		user2Fails("s3api", "copy-object", "--bucket", "walkthrough", "--key", "secret.txt", "--copy-source", "walkthrough/secret.txt",
			"--metadata-directive", "REPLACE", "--metadata", "owner=user2"),
		user2Fails("s3api", "get-object", "--bucket", "walkthrough", "--key", "secret.txt", filepath.Join(dir, "stolen")),
	)
	if out[0] != "the two-key rule" {
		t.Errorf("admin reads the object: %q", out[0])
	}
	if !strings.Contains(out[1], " secret.txt") {
		t.Errorf("user2 lists the object:\n%s", out[1])
	}
	h := cliJSON(t, out[2])
	if h["ServerSideEncryption"] != "aws:kms" || h["SSEKMSKeyId"] != keyARN {
		t.Errorf("user2's head-object: %v", h)
	}
	if want := "An error occurred (AccessDenied) when calling the CopyObject operation: " +
		kmsDenyMsg(user2ARN, "kms:Decrypt", keyARN, whyNoIdentity("kms:Decrypt")); !strings.Contains(out[3], want) {
		t.Errorf("user2's copy-object:\n%s\nwant %s", out[3], want)
	}
	if !strings.Contains(out[4], denyGet) {
		t.Errorf("user2's get-object:\n%s\nwant %s", out[4], denyGet)
	}
	if _, err := os.Stat(filepath.Join(dir, "stolen")); err == nil {
		if b, _ := os.ReadFile(filepath.Join(dir, "stolen")); len(b) > 0 {
			t.Errorf("user2's denied get-object wrote %q", b)
		}
	}
	// The denied copy changed nothing; user2 may delete what it cannot read.
	out = run(admin("s3api", "head-object", "--bucket", "walkthrough", "--key", "secret.txt"))
	if m, _ := cliJSON(t, out[0])["Metadata"].(map[string]any); len(m) != 0 {
		t.Errorf("metadata after user2's denied copy: %v", m)
	}

	// That key as the bucket default: a header-less upload lands under it and user2 still
	// cannot read it.
	run(
		user2("s3", "rm", "s3://walkthrough/secret.txt"),
		admin("s3api", "put-bucket-encryption", "--bucket", "walkthrough", "--server-side-encryption-configuration",
			`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"`+keyARN+`"}}]}`),
	)
	plain := file("plain.txt", "no encryption header")
	out = run(
		admin("s3", "cp", "--only-show-errors", plain, "s3://walkthrough/default-cmk.txt"),
		user2(append([]string{"s3api", "list-objects-v2", "--bucket", "walkthrough", "--query", "Contents[].Key"}, text...)...),
	)
	if strings.Contains(out[1], "secret.txt") {
		t.Errorf("user2 deleted the object it could not read; the listing still has it: %q", out[1])
	}
	out = run(
		admin("s3api", "head-object", "--bucket", "walkthrough", "--key", "default-cmk.txt"),
		admin("s3", "cp", "--only-show-errors", "s3://walkthrough/default-cmk.txt", "-"),
		user2Fails("s3api", "get-object", "--bucket", "walkthrough", "--key", "default-cmk.txt", filepath.Join(dir, "stolen2")),
		user2("s3api", "head-object", "--bucket", "walkthrough", "--key", "default-cmk.txt"),
	)
	if h := cliJSON(t, out[0]); h["ServerSideEncryption"] != "aws:kms" || h["SSEKMSKeyId"] != keyARN {
		t.Errorf("a header-less upload under the KMS default: %v", h)
	}
	if out[1] != "no encryption header" {
		t.Errorf("admin reads the default-encrypted object: %q", out[1])
	}
	if want := strings.Replace(denyGet, "secret.txt", "default-cmk.txt", 1); !strings.Contains(out[2], want) {
		t.Errorf("user2's get-object of the default-encrypted object:\n%s\nwant %s", out[2], want)
	}
	if h := cliJSON(t, out[3]); h["SSEKMSKeyId"] != keyARN {
		t.Errorf("user2's head-object of the default-encrypted object: %v", h)
	}

	// aws/s3 as the default instead: user2 reads what admin uploads.
	run(admin("s3api", "put-bucket-encryption", "--bucket", "walkthrough", "--server-side-encryption-configuration",
		`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}`))
	run(admin("s3", "cp", "--only-show-errors", plain, "s3://walkthrough/default-aws.txt"))
	out = run(
		user2("s3", "cp", "--only-show-errors", "s3://walkthrough/default-aws.txt", "-"),
		user2("s3api", "head-object", "--bucket", "walkthrough", "--key", "default-aws.txt"),
		admin(append([]string{"kms", "describe-key", "--key-id", "alias/aws/s3", "--query", "KeyMetadata.[Arn,KeyManager]"}, text...)...),
		user2Fails("s3api", "get-object", "--bucket", "walkthrough", "--key", "default-cmk.txt", filepath.Join(dir, "stolen3")),
	)
	if out[0] != "no encryption header" {
		t.Errorf("user2 reads an aws/s3 object: %q", out[0])
	}
	managed := strings.Fields(out[2])
	if len(managed) != 2 || managed[1] != "AWS" || managed[0] == keyARN {
		t.Fatalf("describe-key alias/aws/s3: %q", out[2])
	}
	if h := cliJSON(t, out[1]); h["ServerSideEncryption"] != "aws:kms" || h["SSEKMSKeyId"] != managed[0] {
		t.Errorf("a header-less upload under the aws/s3 default: %v (aws/s3 is %s)", h, managed[0])
	}
	if !strings.Contains(out[3], "kms:Decrypt on resource: "+keyARN) {
		t.Errorf("the customer managed key still guards the earlier object:\n%s", out[3])
	}
}
