package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const (
	sseMsgMalformedXML = "The XML you provided was not well-formed or did not validate against our published schema"
	sseMsgKeyNotKMS    = "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"
	sseS3NS            = "http://s3.amazonaws.com/doc/2006-03-01/"
)

// sseRuleXML is one <Rule> of a ServerSideEncryptionConfiguration.
func sseRuleXML(alg, keyID string) string {
	k := ""
	if keyID != "" {
		k = "<KMSMasterKeyID>" + keyID + "</KMSMasterKeyID>"
	}
	return "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>" + alg + "</SSEAlgorithm>" + k +
		"</ApplyServerSideEncryptionByDefault></Rule>"
}

func sseConfigXML(rules ...string) []byte {
	return []byte(`<ServerSideEncryptionConfiguration xmlns="` + sseS3NS + `">` + strings.Join(rules, "") + `</ServerSideEncryptionConfiguration>`)
}

func sseContentMD5(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// ssePutBucketEncryption sets a bucket's default encryption with the SDK.
func ssePutBucketEncryption(t testing.TB, c *s3.Client, bucket string, rule types.ServerSideEncryptionRule) {
	t.Helper()
	_, err := c.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}}})
	if err != nil {
		t.Fatalf("PutBucketEncryption %s: %v", bucket, err)
	}
}

func sseKMSRule(keyID string, bk bool) types.ServerSideEncryptionRule {
	r := types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms},
		BucketKeyEnabled: aws.Bool(bk)}
	if keyID != "" {
		r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = aws.String(keyID)
	}
	return r
}

func sseS3Rule() types.ServerSideEncryptionRule {
	return types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}
}

// TestSSEBucketEncryptionConfig: Put/Get/DeleteBucketEncryption through the SDK and raw
// requests (reference §2.1).
func TestSSEBucketEncryptionConfig(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	_, keyARN := sseCreateKey(t, kc, "bucket default")
	const bucket = "sse-bucket-config"
	mustCreateBucket(t, c, bucket)
	get := func(what string) *types.ServerSideEncryptionRule {
		t.Helper()
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("%s: GetBucketEncryption: %v", what, err)
		}
		if out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) != 1 {
			t.Fatalf("%s: GetBucketEncryption: %+v, want one rule", what, out.ServerSideEncryptionConfiguration)
		}
		return &out.ServerSideEncryptionConfiguration.Rules[0]
	}
	checkS3Default := func(what string) {
		t.Helper()
		r := get(what)
		d := r.ApplyServerSideEncryptionByDefault
		if d == nil || d.SSEAlgorithm != types.ServerSideEncryptionAes256 || d.KMSMasterKeyID != nil || r.BucketKeyEnabled == nil || *r.BucketKeyEnabled {
			t.Errorf("%s: rule %s, want AES256 with BucketKeyEnabled=false (reference §2.1)", what, sseRuleString(r))
		}
	}
	checkS3Default("never configured")

	ssePutBucketEncryption(t, c, bucket, sseKMSRule(keyARN, true))
	if r := get("aws:kms with key"); r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms ||
		aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != keyARN || !aws.ToBool(r.BucketKeyEnabled) {
		t.Errorf("after PutBucketEncryption aws:kms: %s", sseRuleString(r))
	}
	ssePutBucketEncryption(t, c, bucket, sseKMSRule("", false))
	if r := get("aws:kms without key"); r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms ||
		r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID != nil {
		t.Errorf("aws:kms without a key: %s, want no KMSMasterKeyID (reference §2.1)", sseRuleString(r))
	}

	// S3 does not check KMSMasterKeyID when the default is set; a bad key surfaces on the
	// next write (reference §2.1).
	ssePutBucketEncryption(t, c, bucket, sseKMSRule("fake-key-id", false))
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad-default"), Body: strings.NewReader("x")})
	sseSDKError(t, "PUT under a default naming a malformed key id", err, 400, "KMS.NotFoundException", "Invalid keyId 'fake-key-id'")
	ssePutBucketEncryption(t, c, bucket, sseKMSRule("", false))

	path := "/" + bucket
	putRaw := func(body []byte, h http.Header) rawResp {
		return sseRaw(t, srv.HTTPSURL, http.MethodPut, path, "encryption", h, body)
	}
	withMD5 := func(b []byte) http.Header { return sseHdr("Content-MD5", sseContentMD5(b)) }
	invalid := []struct {
		name string
		body []byte
		want sseWant
	}{
		{"no rule", sseConfigXML(), sseWant{400, "MalformedXML", sseMsgMalformedXML, "", ""}},
		{"two rules", sseConfigXML(sseRuleXML("AES256", ""), sseRuleXML("AES256", "")), sseWant{400, "MalformedXML", sseMsgMalformedXML, "", ""}},
		{"KMSMasterKeyID with AES256", sseConfigXML(sseRuleXML("AES256", keyARN)),
			sseWant{400, "InvalidArgument", sseMsgKeyNotKMS, "ApplyServerSideEncryptionByDefault", ""}},
	}
	for _, tc := range invalid {
		sseCheckError(t, "PutBucketEncryption "+tc.name, http.MethodPut, putRaw(tc.body, withMD5(tc.body)), tc.want)
	}
	// The configuration is required to carry Content-MD5 or a checksum.
	ok := sseConfigXML(sseRuleXML("AES256", ""))
	if resp := putRaw(ok, nil); resp.Status != 400 {
		t.Errorf("PutBucketEncryption without Content-MD5 or checksum: %d, want 400\n%s", resp.Status, resp.Body)
	}
	if r := get("after rejected puts"); r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms {
		t.Errorf("a rejected PutBucketEncryption changed the configuration: %s", sseRuleString(r))
	}
	if resp := putRaw(ok, withMD5(ok)); resp.Status != 200 || len(resp.Body) != 0 {
		t.Errorf("PutBucketEncryption with Content-MD5: %d %q, want 200 and no body", resp.Status, resp.Body)
	}
	// No such bucket.
	resp := sseRaw(t, srv.HTTPSURL, http.MethodPut, "/no-such-bucket-sse", "encryption", withMD5(ok), ok)
	sseCheckError(t, "PutBucketEncryption of a missing bucket", http.MethodPut, resp, sseWant{404, "NoSuchBucket", "The specified bucket does not exist", "", ""})
	if e := sseParseError(resp); e.BucketName != "no-such-bucket-sse" {
		t.Errorf("NoSuchBucket BucketName %q", e.BucketName)
	}
	resp = sseRaw(t, srv.HTTPSURL, http.MethodGet, "/no-such-bucket-sse", "encryption", nil, nil)
	sseCheckError(t, "GetBucketEncryption of a missing bucket", http.MethodGet, resp, sseWant{404, "NoSuchBucket", "", "", ""})

	// The raw GET document: namespace, one Rule, no wrapper.
	resp = sseRaw(t, srv.HTTPSURL, http.MethodGet, path, "encryption", nil, nil)
	if resp.Status != 200 || !bytes.Contains(resp.Body, []byte(`<ServerSideEncryptionConfiguration xmlns="`+sseS3NS+`"`)) ||
		bytes.Count(resp.Body, []byte("<Rule>")) != 1 || !bytes.Contains(resp.Body, []byte("<SSEAlgorithm>AES256</SSEAlgorithm>")) {
		t.Errorf("GetBucketEncryption document:\n%s", resp.Body)
	}

	// DeleteBucketEncryption: 204, idempotent, back to SSE-S3.
	ssePutBucketEncryption(t, c, bucket, sseKMSRule(keyARN, true))
	for i := range 2 {
		resp := sseRaw(t, srv.HTTPSURL, http.MethodDelete, path, "encryption", nil, nil)
		if resp.Status != http.StatusNoContent {
			t.Errorf("DeleteBucketEncryption #%d: %d, want 204\n%s", i+1, resp.Status, resp.Body)
		}
	}
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("DeleteBucketEncryption via the SDK: %v", err)
	}
	checkS3Default("after delete")
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("after-delete"), Body: strings.NewReader("x")})
	if err != nil || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("PUT after DeleteBucketEncryption: %v %q, want AES256", err, out.ServerSideEncryption)
	}
}

func sseRuleString(r *types.ServerSideEncryptionRule) string {
	b, _ := json.Marshal(r)
	return string(b)
}

func sseParseError(resp rawResp) sseXMLError {
	var e sseXMLError
	xml.Unmarshal(resp.Body, &e)
	return e
}

// TestSSEBucketEncryptionLegacy: with --compat-legacy-bucket-encryption a never-configured
// bucket answers 404 ServerSideEncryptionConfigurationNotFoundError (reference §2.1, §9.2).
func TestSSEBucketEncryptionLegacy(t *testing.T) {
	t.Parallel()
	srv := StartServer(t, "--compat-legacy-bucket-encryption")
	c := sdk(t, srv, srv.HTTPSURL)
	const bucket = "sse-legacy"
	mustCreateBucket(t, c, bucket)
	notFound := func(what string) {
		t.Helper()
		resp := sseRaw(t, srv.HTTPSURL, http.MethodGet, "/"+bucket, "encryption", nil, nil)
		sseCheckError(t, what, http.MethodGet, resp, sseWant{404, "ServerSideEncryptionConfigurationNotFoundError",
			"The server side encryption configuration was not found", "", ""})
		if e := sseParseError(resp); e.BucketName != bucket {
			t.Errorf("%s: BucketName %q, want %q", what, e.BucketName, bucket)
		}
		_, err := c.GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		wantAPIError(t, err, "ServerSideEncryptionConfigurationNotFoundError", 404)
	}
	notFound("never configured")
	ssePutBucketEncryption(t, c, bucket, sseS3Rule())
	if _, err := c.GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("GetBucketEncryption after Put: %v", err)
	}
	if resp := sseRaw(t, srv.HTTPSURL, http.MethodDelete, "/"+bucket, "encryption", nil, nil); resp.Status != 204 {
		t.Errorf("DeleteBucketEncryption: %d", resp.Status)
	}
	notFound("after delete")
	// Objects are still encrypted with SSE-S3 by default.
	out := mustPut(t, c, bucket, "o", []byte("x"))
	if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("PUT in a legacy-mode bucket: ServerSideEncryption %q, want AES256", out.ServerSideEncryption)
	}
}

// TestSSEBucketBlockedSSEC: BlockedEncryptionTypes SSE-C refuses SSE-C writes with 403
// AccessDenied and keeps existing SSE-C objects readable (reference §1.4 #19, §2.1).
func TestSSEBucketBlockedSSEC(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	const bucket = "sse-blocked"
	mustCreateSSECBucket(t, c, bucket)
	mc := sseMode{C: &sseCK1}
	before := []byte("written before the block")
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("before"), Body: bytes.NewReader(before)}
	mc.put(in)
	if _, err := c.PutObject(ctx, in); err != nil {
		t.Fatal(err)
	}
	rule := sseS3Rule()
	rule.BlockedEncryptionTypes = &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeSseC}}
	ssePutBucketEncryption(t, c, bucket, rule)
	got, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if r := got.ServerSideEncryptionConfiguration.Rules[0]; r.BlockedEncryptionTypes == nil || len(r.BlockedEncryptionTypes.EncryptionType) != 1 ||
		r.BlockedEncryptionTypes.EncryptionType[0] != types.EncryptionTypeSseC {
		t.Errorf("GetBucketEncryption: %s, want BlockedEncryptionTypes [SSE-C]", sseRuleString(&r))
	}

	in = &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("blocked"), Body: strings.NewReader("x")}
	mc.put(in)
	_, err = c.PutObject(ctx, in)
	wantAPIError(t, err, "AccessDenied", 403)
	cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("blocked")}
	mc.create(cin)
	_, err = c.CreateMultipartUpload(ctx, cin)
	wantAPIError(t, err, "AccessDenied", 403)
	mustPut(t, c, bucket, "plain", []byte("plain"))
	cp := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("blocked"), CopySource: aws.String(bucket + "/plain")}
	mc.copyDst(cp)
	_, err = c.CopyObject(ctx, cp)
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("blocked")}); err == nil {
		t.Errorf("a blocked SSE-C write created the object")
	}
	// Existing SSE-C objects stay readable.
	gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("before")}
	mc.get(gin)
	if b, _ := mustGet(t, c, gin); !bytes.Equal(b, before) {
		t.Errorf("SSE-C object written before the block reads %q", b)
	}
	// NONE unblocks.
	rule.BlockedEncryptionTypes = &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}}
	ssePutBucketEncryption(t, c, bucket, rule)
	in = &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("unblocked"), Body: strings.NewReader("x")}
	mc.put(in)
	if _, err := c.PutObject(ctx, in); err != nil {
		t.Errorf("SSE-C PUT after BlockedEncryptionTypes NONE: %v", err)
	}
}

// sseBucketPrecedenceTests: which encryption a write gets from its headers and the bucket
// default (reference §2.2). Keys: "A" and "B" are customer keys, "aws/s3" the AWS-managed
// key; a rule names A by bare key id and B by alias.
var sseBucketPrecedenceTests = []struct {
	name    string
	rule    string // "", "AES256", "aws:kms" (no key), "aws:kms:A", "aws:kms:B"
	ruleBK  bool
	sse     string // request x-amz-server-side-encryption
	key     string // request key id: "", "A" or "B"
	bk      string // request x-amz-server-side-encryption-bucket-key-enabled
	ssec    bool
	wantSSE string // "AES256", "aws:kms" or "SSE-C"
	wantKey string // "A", "B" or "aws/s3"
	wantBK  bool
}{
	{name: "no default, no header", wantSSE: "AES256"},
	{name: "AES256 default", rule: "AES256", wantSSE: "AES256"},
	{name: "KMS default", rule: "aws:kms:A", wantSSE: "aws:kms", wantKey: "A"},
	{name: "KMS default by alias", rule: "aws:kms:B", wantSSE: "aws:kms", wantKey: "B"},
	{name: "KMS default with bucket key", rule: "aws:kms:A", ruleBK: true, wantSSE: "aws:kms", wantKey: "A", wantBK: true},
	{name: "KMS default without key", rule: "aws:kms", wantSSE: "aws:kms", wantKey: "aws/s3"},
	{name: "AES256 header beats KMS default", rule: "aws:kms:A", ruleBK: true, sse: "AES256", wantSSE: "AES256"},
	{name: "aws:kms header takes the KMS default's key", rule: "aws:kms:A", sse: "aws:kms", wantSSE: "aws:kms", wantKey: "A"},
	{name: "aws:kms header with key beats the default's key", rule: "aws:kms:A", sse: "aws:kms", key: "B", wantSSE: "aws:kms", wantKey: "B"},
	{name: "aws:kms header on AES256 default is aws/s3", rule: "AES256", sse: "aws:kms", wantSSE: "aws:kms", wantKey: "aws/s3"},
	{name: "aws:kms header without default is aws/s3", sse: "aws:kms", wantSSE: "aws:kms", wantKey: "aws/s3"},
	{name: "bucket key from the rule with a header key", rule: "aws:kms:A", ruleBK: true, sse: "aws:kms", key: "B", wantSSE: "aws:kms", wantKey: "B", wantBK: true},
	{name: "bucket key header false beats the rule", rule: "aws:kms:A", ruleBK: true, bk: "false", wantSSE: "aws:kms", wantKey: "A"},
	{name: "bucket key header true beats the rule", rule: "aws:kms:A", sse: "aws:kms", bk: "true", wantSSE: "aws:kms", wantKey: "A", wantBK: true},
	{name: "bucket key header with aws/s3", rule: "AES256", sse: "aws:kms", bk: "true", wantSSE: "aws:kms", wantKey: "aws/s3", wantBK: true},
	{name: "bucket key header on AES256 is not echoed", sse: "AES256", bk: "true", wantSSE: "AES256"},
	{name: "SSE-C ignores a KMS default", rule: "aws:kms:A", ruleBK: true, ssec: true, wantSSE: "SSE-C"},
}

// TestSSEBucketPrecedence checks PUT and CreateMultipartUpload for each row of
// sseBucketPrecedenceTests, each in its own bucket.
func TestSSEBucketPrecedence(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	aID, aARN := sseCreateKey(t, kc, "A")
	bID, bARN := sseCreateKey(t, kc, "B")
	sseCreateAlias(t, kc, "alias/sse-bucket-b", bID)
	awsS3ARN := sseAWSManagedKey(t, kc)
	ids := map[string]string{"A": aID, "B": "alias/sse-bucket-b"}
	arns := map[string]string{"A": aARN, "B": bARN, "aws/s3": awsS3ARN}
	for i, tc := range sseBucketPrecedenceTests {
		t.Run(tc.name, func(t *testing.T) {
			bucket := fmt.Sprintf("sse-prec-%02d", i)
			mustCreateBucket(t, c, bucket)
			if tc.ssec {
				allowSSEC(t, c, bucket)
			}
			switch {
			case tc.rule == "AES256":
				ssePutBucketEncryption(t, c, bucket, sseS3Rule())
			case tc.rule == "aws:kms":
				ssePutBucketEncryption(t, c, bucket, sseKMSRule("", tc.ruleBK))
			case strings.HasPrefix(tc.rule, "aws:kms:"):
				ssePutBucketEncryption(t, c, bucket, sseKMSRule(ids[strings.TrimPrefix(tc.rule, "aws:kms:")], tc.ruleBK))
			}
			m := sseMode{Name: tc.name, SSE: types.ServerSideEncryption(tc.sse), KeyID: ids[tc.key]}
			if tc.bk != "" {
				m.BucketKey = aws.Bool(tc.bk == "true")
			}
			if tc.ssec {
				m.C = &sseCK1
			}
			if tc.wantSSE != "SSE-C" {
				m.WantSSE, m.WantARN, m.WantBK = types.ServerSideEncryption(tc.wantSSE), arns[tc.wantKey], tc.wantBK
			}
			body := []byte("precedence " + tc.name)
			in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("o"), Body: bytes.NewReader(body)}
			m.put(in)
			out, err := c.PutObject(ctx, in)
			if err != nil {
				t.Fatalf("PUT: %v", err)
			}
			m.check(t, "PUT", sseGot{out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5})
			m.checkETag(t, "PUT", out.ETag, body)
			hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("o")}
			m.head(hin)
			hout, err := c.HeadObject(ctx, hin)
			if err != nil {
				t.Fatalf("HEAD: %v", err)
			}
			m.check(t, "HEAD", sseGot{hout.ServerSideEncryption, hout.SSEKMSKeyId, hout.BucketKeyEnabled, hout.SSECustomerAlgorithm, hout.SSECustomerKeyMD5})
			gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("o")}
			m.get(gin)
			if got, _ := mustGet(t, c, gin); !bytes.Equal(got, body) {
				t.Errorf("GET: %q", got)
			}
			cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu")}
			m.create(cin)
			cout, err := c.CreateMultipartUpload(ctx, cin)
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			m.check(t, "CreateMultipartUpload", sseGot{cout.ServerSideEncryption, cout.SSEKMSKeyId, cout.BucketKeyEnabled, cout.SSECustomerAlgorithm, cout.SSECustomerKeyMD5})
			c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu"), UploadId: cout.UploadId})
		})
	}
}

// TestSSEBucketCopySemantics: a copy's encryption comes from its headers and the
// destination bucket's default only (reference §1.6).
func TestSSEBucketCopySemantics(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	aID, aARN := sseCreateKey(t, kc, "A")
	_, bARN := sseCreateKey(t, kc, "B")
	const bucket = "sse-copy"
	mustCreateSSECBucket(t, c, bucket)
	s3Mode := sseMode{Name: "SSE-S3", WantSSE: types.ServerSideEncryptionAes256}
	kmsA := sseMode{Name: "KMS A", SSE: types.ServerSideEncryptionAwsKms, KeyID: aID, WantSSE: types.ServerSideEncryptionAwsKms, WantARN: aARN}
	kmsB := sseMode{Name: "KMS B", SSE: types.ServerSideEncryptionAwsKms, KeyID: bARN, WantSSE: types.ServerSideEncryptionAwsKms, WantARN: bARN}
	put := func(bucket, key string, m sseMode, body []byte) {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}
		m.put(in)
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatalf("PUT %s/%s: %v", bucket, key, err)
		}
	}
	// copy copies src onto dst and checks the result is mode want with body.
	copyObj := func(what, srcBucket, src, dstBucket, dst string, srcMode, dstMode, want sseMode, directive types.MetadataDirective, body []byte) bool {
		t.Helper()
		in := &s3.CopyObjectInput{Bucket: aws.String(dstBucket), Key: aws.String(dst), CopySource: aws.String(srcBucket + "/" + src), MetadataDirective: directive}
		srcMode.copySrc(in)
		dstMode.copyDst(in)
		out, err := c.CopyObject(ctx, in)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return false
		}
		want.check(t, what, sseGot{out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5})
		if out.CopyObjectResult != nil {
			want.checkETag(t, what, out.CopyObjectResult.ETag, body)
		}
		gin := &s3.GetObjectInput{Bucket: aws.String(dstBucket), Key: aws.String(dst)}
		want.get(gin)
		got, gout := mustGet(t, c, gin)
		if !bytes.Equal(got, body) {
			t.Errorf("%s: reads back %q", what, got)
		}
		want.check(t, what+": GET", sseGot{gout.ServerSideEncryption, gout.SSEKMSKeyId, gout.BucketKeyEnabled, gout.SSECustomerAlgorithm, gout.SSECustomerKeyMD5})
		return true
	}

	kmsBody := []byte("an SSE-KMS object")
	put(bucket, "kms", kmsA, kmsBody)
	// A self-copy that changes nothing is refused when the bucket has no configured default.
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("kms"), CopySource: aws.String(bucket + "/kms")})
	sseSDKError(t, "self-copy without change", err, 400, "InvalidRequest", sseMsg18)
	// With REPLACE and no SSE header, the SSE-KMS object becomes SSE-S3: the mode is never
	// inherited.
	copyObj("in-place copy of SSE-KMS with REPLACE", bucket, "kms", bucket, "kms", sseMode{}, sseMode{}, s3Mode, types.MetadataDirectiveReplace, kmsBody)
	put(bucket, "kms2", kmsA, kmsBody)
	copyObj("SSE-KMS to another key without headers", bucket, "kms2", bucket, "kms2-copy", sseMode{}, sseMode{}, s3Mode, "", kmsBody)
	copyObj("SSE-KMS to another key with key B", bucket, "kms2", bucket, "kms2-b", sseMode{}, kmsB, kmsB, "", kmsBody)

	s3Body := []byte("an SSE-S3 object")
	put(bucket, "s3", s3Mode, s3Body)
	copyObj("self-copy re-stating AES256", bucket, "s3", bucket, "s3", sseMode{}, sseMode{SSE: types.ServerSideEncryptionAes256}, s3Mode, "", s3Body)
	copyObj("self-copy SSE-S3 to SSE-KMS", bucket, "s3", bucket, "s3", sseMode{}, kmsB, kmsB, "", s3Body)

	// The encryption context is not carried over.
	ctxIn := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("ctx"), Body: bytes.NewReader(kmsBody),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(aARN),
		SSEKMSEncryptionContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"department":"e2e"}`)))}
	if out, err := c.PutObject(ctx, ctxIn); err != nil {
		t.Fatal(err)
	} else if aws.ToString(out.SSEKMSEncryptionContext) != aws.ToString(ctxIn.SSEKMSEncryptionContext) {
		t.Errorf("PUT with context: response context %q", aws.ToString(out.SSEKMSEncryptionContext))
	}
	cout, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("ctx-copy"), CopySource: aws.String(bucket + "/ctx"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(aARN)})
	if err != nil {
		t.Errorf("copy of an object with a context: %v", err)
	} else if cout.SSEKMSEncryptionContext != nil {
		t.Errorf("copy without a context header answered context %q: it must not be carried over", *cout.SSEKMSEncryptionContext)
	}

	// SSE-C sources.
	mc1, mc2 := sseMode{Name: "SSE-C 1", C: &sseCK1}, sseMode{Name: "SSE-C 2", C: &sseCK2}
	cBody := []byte("an SSE-C object")
	put(bucket, "c", mc1, cBody)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("c-copy"), CopySource: aws.String(bucket + "/c")})
	sseSDKError(t, "copy of an SSE-C object without the copy-source key", err, 400, "InvalidRequest", sseMsg9)
	// With the source key and no target headers: an SSE-S3 object whose ETag is the MD5 again.
	copyObj("SSE-C to SSE-S3", bucket, "c", bucket, "c-copy", mc1, sseMode{}, s3Mode, "", cBody)
	// Key rotation: copy onto itself with the old key as source and a new key as target.
	rotated := copyObj("SSE-C key rotation in place", bucket, "c", bucket, "c", mc1, mc2, mc2, "", cBody)
	if rotated {
		gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c")}
		mc1.get(gin)
		_, err = c.GetObject(ctx, gin)
		sseSDKError(t, "GET with the old key after rotation", err, 403, "AccessDenied", sseMsg10)
		hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("c")}
		mc1.head(hin)
		_, err = c.HeadObject(ctx, hin)
		wantAPIError(t, err, "", 403)
	}

	// A destination bucket whose default was explicitly configured allows a header-less
	// self-copy, and its default applies to copies.
	const dflt = "sse-copy-default"
	mustCreateBucket(t, c, dflt)
	ssePutBucketEncryption(t, c, dflt, sseS3Rule())
	put(dflt, "o", sseMode{}, s3Body)
	copyObj("header-less self-copy in a bucket with an explicit AES256 default", dflt, "o", dflt, "o", sseMode{}, sseMode{}, s3Mode, "", s3Body)
	const kmsDflt = "sse-copy-kms-default"
	mustCreateBucket(t, c, kmsDflt)
	ssePutBucketEncryption(t, c, kmsDflt, sseKMSRule(aID, false))
	copyObj("SSE-S3 copied into a KMS-default bucket", bucket, "kms2-copy", kmsDflt, "from-s3", sseMode{}, sseMode{}, kmsA, "", kmsBody)
	copyObj("header-less self-copy in a KMS-default bucket", kmsDflt, "from-s3", kmsDflt, "from-s3", sseMode{}, sseMode{}, kmsA, "", kmsBody)
	cSrc := mc2
	if !rotated {
		cSrc = mc1
	}
	copyObj("SSE-C copied into a KMS-default bucket", bucket, "c", kmsDflt, "from-c", cSrc, sseMode{}, kmsA, "", cBody)
}

// TestSSEBucketKeys: with a bucket key, 200 PUTs and GETs cost a handful of KMS calls
// instead of one per request, and disabling the KMS key stops bucket-key objects at once.
func TestSSEBucketKeys(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	bkID, bkARN := sseCreateKey(t, kc, "with bucket key")
	noID, noARN := sseCreateKey(t, kc, "without bucket key")
	mustCreateBucket(t, c, "sse-bk-on")
	mustCreateBucket(t, c, "sse-bk-off")
	ssePutBucketEncryption(t, c, "sse-bk-on", sseKMSRule(bkARN, true))
	ssePutBucketEncryption(t, c, "sse-bk-off", sseKMSRule(noID, false))

	const n = 200
	body := func(i int) []byte { return []byte(fmt.Sprintf("bucket key object %03d", i)) }
	run := func(bucket string, wantARN string, wantBK bool) {
		t.Helper()
		var wg sync.WaitGroup
		jobs := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					key := fmt.Sprintf("o%03d", i)
					out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body(i))})
					if err != nil {
						t.Errorf("PUT %s/%s: %v", bucket, key, err)
						continue
					}
					if aws.ToString(out.SSEKMSKeyId) != wantARN || aws.ToBool(out.BucketKeyEnabled) != wantBK {
						t.Errorf("PUT %s/%s: key %q bucket key %v", bucket, key, aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled))
					}
				}
			}()
		}
		for i := range n {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		jobs = make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("o%03d", i))})
					if err != nil {
						t.Errorf("GET %s/o%03d: %v", bucket, i, err)
						continue
					}
					var buf bytes.Buffer
					buf.ReadFrom(out.Body)
					out.Body.Close()
					if !bytes.Equal(buf.Bytes(), body(i)) || aws.ToBool(out.BucketKeyEnabled) != wantBK {
						t.Errorf("GET %s/o%03d: %q bucket key %v", bucket, i, buf.Bytes(), aws.ToBool(out.BucketKeyEnabled))
					}
				}
			}()
		}
		for i := range n {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
	}
	before := sseMetrics(t, srv)
	run("sse-bk-on", bkARN, true)
	run("sse-bk-off", noARN, false)
	after := sseMetrics(t, srv)
	delta := func(id, op string) float64 { return after[[2]string{id, op}] - before[[2]string{id, op}] }
	if g, d := delta(bkID, "GenerateDataKey"), delta(bkID, "Decrypt"); g+d > 3 || g < 1 {
		t.Errorf("with a bucket key, %d PUTs and GETs made %v GenerateDataKey and %v Decrypt calls; want at most 3 in all", n, g, d)
	}
	if g, d := delta(noID, "GenerateDataKey"), delta(noID, "Decrypt"); g < n || d < n {
		t.Errorf("without a bucket key, %d PUTs and GETs made %v GenerateDataKey and %v Decrypt calls; want at least %d each", n, g, d, n)
	}
	if len(after) == 0 || after[[2]string{bkID, "GenerateDataKey"}] == 0 {
		t.Errorf("no arca_kms_key_operations_total series for key %s", bkID)
	}

	// Disabling the key takes effect at once, cached bucket key or not.
	if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(bkID)}); err != nil {
		t.Fatal(err)
	}
	disabled := bkARN + " is disabled."
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-bk-on"), Key: aws.String("after-disable"), Body: strings.NewReader("x")})
	sseSDKError(t, "PUT of a bucket-key object after DisableKey", err, 400, "KMS.DisabledException", disabled)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse-bk-on"), Key: aws.String("o007")})
	sseSDKError(t, "GET of a bucket-key object after DisableKey", err, 400, "KMS.DisabledException", disabled)
	if _, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(bkID)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("sse-bk-on"), Key: aws.String("o007")}); !bytes.Equal(got, body(7)) {
		t.Errorf("GET after EnableKey: %q", got)
	}
	mustPut(t, c, "sse-bk-on", "after-enable", []byte("x"))
	// Scheduled deletion too.
	if _, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(bkID), PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse-bk-on"), Key: aws.String("o008")})
	sseSDKError(t, "GET of a bucket-key object after ScheduleKeyDeletion", err, 400, "KMS.KMSInvalidStateException", bkARN+" is pending deletion.")
}
