package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	bolt "go.etcd.io/bbolt"
)

func cloudTrailClient(endpoint, ak, sk string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(awsConfig(ak, sk, testRegion), func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// auditLookup returns the CloudTrailEvent records LookupEvents finds for attr=val, newest
// first, following every page.
func auditLookup(t *testing.T, ct *cloudtrail.Client, key cttypes.LookupAttributeKey, val string) []map[string]any {
	t.Helper()
	in := &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(2)}
	if key != "" {
		in.LookupAttributes = []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(val)}}
	}
	var out []map[string]any
	p := cloudtrail.NewLookupEventsPaginator(ct, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("LookupEvents %s=%s: %v", key, val, err)
		}
		for _, e := range page.Events {
			var rec map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
				t.Fatalf("CloudTrailEvent is not JSON: %v", err)
			}
			if rec["eventID"] != aws.ToString(e.EventId) || rec["eventName"] != aws.ToString(e.EventName) {
				t.Errorf("event summary %s/%s does not match its record", aws.ToString(e.EventId), aws.ToString(e.EventName))
			}
			out = append(out, rec)
		}
	}
	return out
}

// field reads a dotted path from a decoded record.
func field(rec map[string]any, path string) any {
	var v any = rec
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func wantFields(t *testing.T, what string, rec map[string]any, want map[string]any) {
	t.Helper()
	if rec == nil {
		t.Errorf("%s: no record", what)
		return
	}
	for path, w := range want {
		got := field(rec, path)
		if w == "*" {
			if got == nil || got == "" {
				t.Errorf("%s: %s is empty", what, path)
			}
			continue
		}
		if gb, _ := json.Marshal(got); string(gb) != mustJSON(w) {
			t.Errorf("%s: %s = %s, want %s", what, path, gb, mustJSON(w))
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// findRecord returns the newest record with eventName name satisfying match.
func findRecord(recs []map[string]any, name string, match func(map[string]any) bool) map[string]any {
	for _, r := range recs {
		if r["eventName"] == name && (match == nil || match(r)) {
			return r
		}
	}
	return nil
}

func TestAuditRecords(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	ep := srv.HTTPSURL
	c := srv.S3(ep)
	bucket := "audit-records"
	mustCreateSSECBucket(t, c, bucket)
	mustPut(t, c, bucket, "plain.txt", []byte("hello audit"))

	// Direct KMS calls carrying secrets that must never reach a record.
	kc := sseKMS(t, srv)
	keyID, keyARN := sseCreateKey(t, kc, "audit key")
	plaintext := []byte("PLAINTEXT-NEVER-IN-THE-TRAIL-0123456789")
	if _, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: plaintext,
		EncryptionContext: map[string]string{"purpose": "audit"}}); err != nil {
		t.Fatal(err)
	}
	dk, err := kc.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(keyID), NumberOfBytes: aws.Int32(32)})
	if err != nil {
		t.Fatal(err)
	}
	// SSE-KMS PUT: S3 calls KMS on the caller's behalf.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("kms.txt"),
		Body: bytes.NewReader([]byte("kms body")), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	// SSE-C PUT: the customer key must stay out of the record.
	ckey := sseCKeyOf([]byte("CUSTOMER-KEY-NEVER-IN-THE-TRAIL!"))
	ck, ckB64 := ckey.Raw, ckey.B64
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("ssec.txt"),
		Body: bytes.NewReader([]byte("ssec")), SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(ckB64),
		SSECustomerKeyMD5: aws.String(ckey.MD5)}); err != nil {
		t.Fatal(err)
	}
	// IAM: a user whose secret access key must stay out; its denied S3 call.
	ic := iamClient(ep, testAccessKey, testSecretKey)
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditee")}); err != nil {
		t.Fatal(err)
	}
	ak, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditee")})
	if err != nil {
		t.Fatal(err)
	}
	userAK, userSK := aws.ToString(ak.AccessKey.AccessKeyId), aws.ToString(ak.AccessKey.SecretAccessKey)
	_, err = s3As(ep, userAK, userSK).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("plain.txt")})
	wantAPIError(t, err, "AccessDenied", 403)
	// A request that fails authentication.
	_, err = s3As(ep, testAccessKey, "not-the-secret").ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", 403)
	badKMS := kms.NewFromConfig(awsConfig(testAccessKey, "not-the-secret", testRegion), func(o *kms.Options) { o.BaseEndpoint = aws.String(ep) })
	if _, err := badKMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)}); err == nil {
		t.Fatal("DescribeKey with a wrong secret succeeded")
	}

	ct := cloudTrailClient(ep, testAccessKey, testSecretKey)
	all := auditLookup(t, ct, "", "")

	put := findRecord(all, "PutObject", func(r map[string]any) bool { return field(r, "requestParameters.key") == "plain.txt" })
	wantFields(t, "PutObject (data)", put, map[string]any{
		"eventVersion": "1.11", "eventSource": "s3.amazonaws.com", "awsRegion": testRegion,
		"userIdentity.type": "Root", "userIdentity.accessKeyId": testAccessKey, "userIdentity.arn": "*",
		"userIdentity.accountId": "*", "userIdentity.principalId": "*",
		"sourceIPAddress": "127.0.0.1", "userAgent": "*", "requestParameters.bucketName": bucket,
		"additionalEventData.SignatureVersion": "SigV4", "additionalEventData.AuthenticationMethod": "AuthHeader",
		"additionalEventData.CipherSuite": "*", "additionalEventData.bytesTransferredIn": 11,
		"additionalEventData.bytesTransferredOut": 0, "additionalEventData.SSEApplied": "Default_SSE_S3",
		"responseElements.x-amz-server-side-encryption": "AES256",
		"requestID": "*", "eventID": "*", "readOnly": false, "eventType": "AwsApiCall", "managementEvent": false,
		"eventCategory": "Data", "recipientAccountId": "*", "tlsDetails.tlsVersion": "*",
		"tlsDetails.cipherSuite": "*", "tlsDetails.clientProvidedHostHeader": "*",
	})
	if res, _ := put["resources"].([]any); len(res) != 2 || field(res[0].(map[string]any), "ARN") != "arn:aws:s3:::"+bucket+"/plain.txt" {
		t.Errorf("PutObject resources %v", put["resources"])
	}
	wantFields(t, "CreateBucket (management)", findRecord(all, "CreateBucket", nil), map[string]any{
		"eventSource": "s3.amazonaws.com", "requestParameters.bucketName": bucket, "readOnly": false,
		"managementEvent": true, "eventCategory": "Management", "userIdentity.type": "Root",
	})
	wantFields(t, "Encrypt (direct KMS)", findRecord(all, "Encrypt", nil), map[string]any{
		"eventSource": "kms.amazonaws.com", "requestParameters.keyId": keyID,
		"requestParameters.encryptionContext": map[string]string{"purpose": "audit"}, "readOnly": true,
		"managementEvent": true, "eventCategory": "Management", "resources.0": nil, "userIdentity.invokedBy": nil,
		"sourceIPAddress": "127.0.0.1",
	})
	if r := findRecord(all, "Encrypt", nil); r != nil {
		if res, _ := r["resources"].([]any); len(res) != 1 || field(res[0].(map[string]any), "ARN") != keyARN ||
			field(res[0].(map[string]any), "type") != "AWS::KMS::Key" {
			t.Errorf("Encrypt resources %v", r["resources"])
		}
	}
	viaS3 := findRecord(all, "GenerateDataKey", func(r map[string]any) bool { return field(r, "userIdentity.invokedBy") != nil })
	wantFields(t, "GenerateDataKey (KMS via S3)", viaS3, map[string]any{
		"eventSource": "kms.amazonaws.com", "userIdentity.invokedBy": "s3.amazonaws.com",
		"userIdentity.type": "Root", "userIdentity.accessKeyId": testAccessKey,
		"sourceIPAddress": "s3.amazonaws.com", "requestParameters.keyId": "*",
		"requestParameters.encryptionContext.aws:s3:arn": "arn:aws:s3:::" + bucket + "/kms.txt",
		"readOnly": true, "managementEvent": true, "eventCategory": "Management",
	})
	wantFields(t, "PutObject SSE-KMS", findRecord(all, "PutObject", func(r map[string]any) bool { return field(r, "requestParameters.key") == "kms.txt" }),
		map[string]any{"additionalEventData.SSEApplied": "SSE_KMS", "responseElements.x-amz-server-side-encryption": "aws:kms"})
	wantFields(t, "PutObject SSE-C", findRecord(all, "PutObject", func(r map[string]any) bool { return field(r, "requestParameters.key") == "ssec.txt" }),
		map[string]any{"additionalEventData.SSEApplied": "SSE_C", "requestParameters.x-amz-server-side-encryption-customer-key": nil})
	wantFields(t, "CreateUser (IAM)", findRecord(all, "CreateUser", nil), map[string]any{
		"eventSource": "iam.amazonaws.com", "requestParameters.userName": "auditee", "readOnly": false,
		"managementEvent": true, "responseElements": nil,
	})
	wantFields(t, "GetObject (denied)", findRecord(all, "GetObject", nil), map[string]any{
		"errorCode": "AccessDenied", "errorMessage": "*", "userIdentity.type": "IAMUser",
		"userIdentity.userName": "auditee", "userIdentity.accessKeyId": userAK, "eventCategory": "Data",
	})
	wantFields(t, "ListBuckets (authentication failed)", findRecord(all, "ListBuckets", func(r map[string]any) bool { return r["errorCode"] != nil }), map[string]any{
		"errorCode": "SignatureDoesNotMatch", "userIdentity.type": "Unknown", "userIdentity.accessKeyId": testAccessKey,
	})

	wantFields(t, "DescribeKey (authentication failed)", findRecord(all, "DescribeKey", func(r map[string]any) bool { return r["errorCode"] != nil }),
		map[string]any{"eventSource": "kms.amazonaws.com", "errorCode": "*", "userIdentity.type": "Unknown",
			"userIdentity.accessKeyId": testAccessKey, "userIdentity.arn": nil})

	// Lookup attributes through the SDK.
	if recs := auditLookup(t, ct, cttypes.LookupAttributeKeyUsername, "auditee"); len(recs) != 1 || recs[0]["eventName"] != "GetObject" {
		t.Errorf("Username=auditee: %d records", len(recs))
	}
	if recs := auditLookup(t, ct, cttypes.LookupAttributeKeyResourceName, keyARN); len(recs) < 3 {
		t.Errorf("ResourceName=key ARN: %d records, want CreateKey, Encrypt, GenerateDataKey and more", len(recs))
	}
	if recs := auditLookup(t, ct, cttypes.LookupAttributeKeyEventSource, "iam.amazonaws.com"); len(recs) != 2 {
		t.Errorf("EventSource=iam: %d records, want 2", len(recs))
	}

	// The aws CLI reads the same records.
	out := srv.AWS(t, ep, false, "cloudtrail", "lookup-events", "--lookup-attributes",
		"AttributeKey=EventName,AttributeValue=CreateUser", "--output", "json")
	var cli struct {
		Events []struct{ EventName, Username, CloudTrailEvent string }
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &cli); err != nil {
		t.Fatalf("aws cloudtrail lookup-events: %v\n%s", err, out)
	}
	if len(cli.Events) != 1 || cli.Events[0].Username != "root" || !strings.Contains(cli.Events[0].CloudTrailEvent, `"userName":"auditee"`) {
		t.Errorf("aws cloudtrail lookup-events: %+v", cli.Events)
	}
	srv.AWS(t, ep, false, "cloudtrail", "describe-trails")
	srv.AWS(t, ep, false, "cloudtrail", "get-trail-status", "--name", "arca-default")

	// A user without cloudtrail permissions is refused.
	_, err = cloudTrailClient(ep, userAK, userSK).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("LookupEvents by a user without permissions: %v", err)
	}

	// Nothing secret in any stored record.
	srv.Stop()
	needles := map[string][]byte{
		"KMS plaintext": plaintext, "KMS plaintext (base64)": []byte(base64.StdEncoding.EncodeToString(plaintext)),
		"data key (base64)": []byte(base64.StdEncoding.EncodeToString(dk.Plaintext)), "data key": dk.Plaintext,
		"SSE-C key": ck, "SSE-C key (base64)": []byte(ckB64), "root secret": []byte(testSecretKey),
		"user secret": []byte(userSK), "Authorization header": []byte("AWS4-HMAC-SHA256"), "signature": []byte("Signature="),
	}
	n := 0
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("audit.events"))
		if b == nil {
			t.Fatal("no audit.events bucket")
		}
		b.ForEach(func(k, v []byte) error {
			n++
			for name, nd := range needles {
				if bytes.Contains(v, nd) {
					t.Errorf("SECRET IN THE TRAIL: %s in record %x", name, k)
				}
			}
			return nil
		})
	})
	if n < 15 {
		t.Errorf("only %d records stored", n)
	}
}

// A management change is on disk before its response: SIGKILL right after a burst of them
// loses none.
func TestAuditCrashKeepsManagementEvents(t *testing.T) {
	srv := StartServer(t)
	c := srv.S3(srv.HTTPURL)
	const n = 20
	for i := range n {
		mustCreateBucket(t, c, "crash-audit-"+strconv.Itoa(i))
	}
	srv.Kill()
	srv = StartServerAt(t, srv.DataDir)
	recs := auditLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), cttypes.LookupAttributeKeyEventName, "CreateBucket")
	if len(recs) != n {
		t.Fatalf("after SIGKILL %d CreateBucket records, want %d", len(recs), n)
	}

	// Offline: the chain verifies, search finds the records, and deleting one is reported.
	srv.Stop()
	if out, err := runArca("audit", "verify", "--data", srv.DataDir); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("arca audit verify: %v\n%s", err, out)
	}
	out, err := runArca("audit", "search", "--data", srv.DataDir, "--attribute", "EventName", "--value", "CreateBucket", "--json")
	if err != nil || strings.Count(out, `"eventName":"CreateBucket"`) != n {
		t.Fatalf("arca audit search: %v\n%s", err, out)
	}
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		k := []byte{0, 0, 0, 0, 0, 0, 0, 3}
		if err := tx.Bucket([]byte("audit.events")).Delete(k); err != nil {
			t.Fatal(err)
		}
	})
	if out, err := runArca("audit", "verify", "--data", srv.DataDir); err == nil || !strings.Contains(out, "record 3 missing") {
		t.Fatalf("arca audit verify after deleting record 3: %v\n%s", err, out)
	}
}
