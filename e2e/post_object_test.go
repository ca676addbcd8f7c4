package e2e

// POST Object (browser form uploads, docs/POST-OBJECT.md): forms made by boto3's
// generate_presigned_post, sent as real multipart/form-data POSTs.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// presignPostPy prints boto3's generate_presigned_post for the JSON request on stdin.
const presignPostPy = `
import json, sys, boto3
from botocore.config import Config
r = json.load(sys.stdin)
c = boto3.client('s3', endpoint_url=r['endpoint'], region_name='us-east-1',
    aws_access_key_id=r['ak'], aws_secret_access_key=r['sk'], verify=False,
    config=Config(signature_version=r['sigv'], s3={'addressing_style': 'path'}))
print(json.dumps(c.generate_presigned_post(r['bucket'], r['key'], Fields=r['fields'] or None,
    Conditions=r['conditions'] or None, ExpiresIn=r['expires'])))
`

// postSpec is what a form is presigned for.
type postSpec struct {
	Bucket, Key string
	Fields      map[string]string
	Conditions  []any
	Expires     int    // seconds; default 600
	SigV        string // "s3v4" (default) or "s3" (SigV2)
	AK, SK      string // default the root's
}

// presignedPost is boto3's answer: the URL to post to and the form's fields.
type presignedPost struct {
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields"`
}

func presignPost(t testing.TB, endpoint string, s postSpec) presignedPost {
	t.Helper()
	if s.Expires == 0 {
		s.Expires = 600
	}
	if s.SigV == "" {
		s.SigV = "s3v4"
	}
	if s.AK == "" {
		s.AK, s.SK = testAccessKey, testSecretKey
	}
	in, _ := json.Marshal(map[string]any{"endpoint": endpoint, "ak": s.AK, "sk": s.SK, "bucket": s.Bucket, "key": s.Key,
		"fields": s.Fields, "conditions": s.Conditions, "expires": s.Expires, "sigv": s.SigV})
	cmd := exec.Command("python3", "-c", presignPostPy)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(cmd.Environ(), "PYTHONWARNINGS=ignore", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("generate_presigned_post: %v\n%s", err, stderr)
	}
	var p presignedPost
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("generate_presigned_post output %q: %v", out, err)
	}
	return p
}

// formField is one field of a hand-made form, in order.
type formField struct{ Name, Value string }

// postForm sends fields, then the file (named filename), as multipart/form-data to u.
func postForm(t testing.TB, u string, fields []formField, filename string, file []byte) rawResp {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range fields {
		if err := mw.WriteField(f.Name, f.Value); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, u, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return doReq(t, req)
}

// fieldsOf is boto3's fields, key first (as browsers keep the form's order), with the
// changes given (value "" deletes a field).
func (p presignedPost) fieldsOf(change map[string]string) []formField {
	var out []formField
	if v, ok := change["key"]; !ok || v != "" {
		k := p.Fields["key"]
		if ok {
			k = v
		}
		out = append(out, formField{"key", k})
	}
	for k, v := range p.Fields {
		if k == "key" {
			continue
		}
		if c, ok := change[k]; ok {
			if c == "" {
				continue
			}
			v = c
		}
		out = append(out, formField{k, v})
	}
	for k, v := range change {
		if _, ok := p.Fields[k]; !ok && k != "key" && v != "" {
			out = append(out, formField{k, v})
		}
	}
	return out
}

func (p presignedPost) post(t testing.TB, change map[string]string, filename string, file []byte) rawResp {
	t.Helper()
	return postForm(t, p.URL, p.fieldsOf(change), filename, file)
}

type postResponseXML struct {
	Location, Bucket, Key, ETag string
}

func headMissing(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil {
		t.Errorf("%s/%s exists; a refused POST must store nothing", bucket, key)
	}
}

func wantMessage(t *testing.T, e s3XMLError, msg string) {
	t.Helper()
	if e.Message != msg {
		t.Errorf("Message %q, want %q", e.Message, msg)
	}
}

func TestPostObject(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	ep := srv.HTTPSURL
	c := srv.S3(ep)
	bucket := "post-forms"
	mustCreateBucket(t, c, bucket)
	tagging := `<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet></Tagging>`

	t.Run("sigv4 201 with metadata and tagging", func(t *testing.T) {
		p := presignPost(t, ep, postSpec{Bucket: bucket, Key: "uploads/${filename}",
			Fields: map[string]string{"success_action_status": "201", "x-amz-meta-color": "blue", "Content-Type": "text/plain",
				"tagging": tagging},
			Conditions: []any{[]any{"starts-with", "$key", "uploads/"}, []any{"content-length-range", 1, 1 << 20},
				map[string]string{"success_action_status": "201"}, map[string]string{"x-amz-meta-color": "blue"},
				[]any{"starts-with", "$Content-Type", "text/"}, map[string]string{"tagging": tagging}}})
		data := randBytes(70000, 1)
		resp := p.post(t, nil, "photo one.txt", data)
		if resp.Status != 201 {
			t.Fatalf("status %d:\n%s", resp.Status, resp.Body)
		}
		var pr postResponseXML
		if err := xml.Unmarshal(resp.Body, &pr); err != nil {
			t.Fatalf("PostResponse %s: %v", resp.Body, err)
		}
		if pr.Bucket != bucket || pr.Key != "uploads/photo one.txt" || pr.ETag != quotedMD5(data) ||
			pr.Location != ep+"/"+bucket+"/uploads/photo%20one.txt" {
			t.Errorf("PostResponse %+v", pr)
		}
		if resp.Header.Get("ETag") != quotedMD5(data) {
			t.Errorf("ETag header %q", resp.Header.Get("ETag"))
		}
		got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("uploads/photo one.txt")})
		if !bytes.Equal(got, data) || out.Metadata["color"] != "blue" || aws.ToString(out.ContentType) != "text/plain" {
			t.Errorf("stored object: %d bytes, metadata %v, Content-Type %q", len(got), out.Metadata, aws.ToString(out.ContentType))
		}
		tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("uploads/photo one.txt")})
		if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != "team" || aws.ToString(tags.TagSet[0].Value) != "blue" {
			t.Errorf("tags %+v, %v", tags, err)
		}
	})

	t.Run("default 204 and redirect", func(t *testing.T) {
		p := presignPost(t, ep, postSpec{Bucket: bucket, Key: "plain.bin"})
		if resp := p.post(t, nil, "x", []byte("hello")); resp.Status != 204 || resp.Header.Get("ETag") != quotedMD5([]byte("hello")) {
			t.Fatalf("status %d ETag %q:\n%s", resp.Status, resp.Header.Get("ETag"), resp.Body)
		}
		back := "https://app.example/done?x=1"
		p = presignPost(t, ep, postSpec{Bucket: bucket, Key: "redirected.bin", Fields: map[string]string{"success_action_redirect": back},
			Conditions: []any{map[string]string{"success_action_redirect": back}}})
		req := p.fieldsOf(nil)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, f := range req {
			mw.WriteField(f.Name, f.Value)
		}
		fw, _ := mw.CreateFormFile("file", "r")
		fw.Write([]byte("redirect me"))
		mw.Close()
		hreq, _ := http.NewRequest(http.MethodPost, p.URL, &body)
		hreq.Header.Set("Content-Type", mw.FormDataContentType())
		hc := HTTPClient()
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hresp, err := hc.Do(hreq)
		if err != nil {
			t.Fatal(err)
		}
		hresp.Body.Close()
		hc.CloseIdleConnections()
		loc, _ := url.Parse(hresp.Header.Get("Location"))
		if hresp.StatusCode != 303 || loc == nil || loc.Host != "app.example" || loc.Query().Get("x") != "1" ||
			loc.Query().Get("bucket") != bucket || loc.Query().Get("key") != "redirected.bin" ||
			loc.Query().Get("etag") != quotedMD5([]byte("redirect me")) {
			t.Errorf("redirect: %d Location %q", hresp.StatusCode, hresp.Header.Get("Location"))
		}
	})

	t.Run("sse-kms fields", func(t *testing.T) {
		kc := sseKMS(t, srv)
		keyID, keyARN := sseCreateKey(t, kc, "post form key")
		f := map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": keyID,
			"x-amz-server-side-encryption-bucket-key-enabled": "true"}
		var conds []any
		for k, v := range f {
			conds = append(conds, map[string]string{k: v})
		}
		p := presignPost(t, ep, postSpec{Bucket: bucket, Key: "kms.bin", Fields: f, Conditions: conds})
		resp := p.post(t, nil, "k", []byte("kms body"))
		if resp.Status != 204 || resp.Header.Get("x-amz-server-side-encryption") != "aws:kms" ||
			resp.Header.Get("x-amz-server-side-encryption-aws-kms-key-id") != keyARN {
			t.Fatalf("status %d headers %v:\n%s", resp.Status, resp.Header, resp.Body)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("kms.bin")})
		if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != keyARN ||
			!aws.ToBool(h.BucketKeyEnabled) {
			t.Errorf("HeadObject %+v %v", h, err)
		}
	})

	t.Run("checksum fields", func(t *testing.T) {
		data := []byte("checksummed")
		p := presignPost(t, ep, postSpec{Bucket: bucket, Key: "ck.bin", Fields: map[string]string{"x-amz-checksum-algorithm": "SHA256"},
			Conditions: []any{map[string]string{"x-amz-checksum-algorithm": "SHA256"}}})
		if resp := p.post(t, nil, "c", data); resp.Status != 204 {
			t.Fatalf("status %d:\n%s", resp.Status, resp.Body)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("ck.bin"), ChecksumMode: s3types.ChecksumModeEnabled})
		if err != nil || aws.ToString(h.ChecksumSHA256) != sha256B64(data) {
			t.Errorf("HeadObject checksum %q, %v; want %q", aws.ToString(h.ChecksumSHA256), err, sha256B64(data))
		}
		// A wrong declared value refuses the upload and stores nothing.
		p = presignPost(t, ep, postSpec{Bucket: bucket, Key: "ck-bad.bin", Fields: map[string]string{"x-amz-checksum-sha256": sha256B64([]byte("other"))},
			Conditions: []any{[]any{"starts-with", "$x-amz-checksum-sha256", ""}}})
		wantXMLError(t, p.post(t, nil, "c", data), 400, "BadDigest")
		headMissing(t, c, bucket, "ck-bad.bin")

		// Content-MD5, the field S3 documents for it.
		md5Of := func(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }
		for _, tc := range []struct {
			key, md5 string
			status   int
		}{{"md5-ok.bin", md5Of(data), 204}, {"md5-bad.bin", md5Of([]byte("other")), 400}} {
			p = presignPost(t, ep, postSpec{Bucket: bucket, Key: tc.key, Fields: map[string]string{"Content-MD5": tc.md5},
				Conditions: []any{map[string]string{"Content-MD5": tc.md5}}})
			resp := p.post(t, nil, "c", data)
			if tc.status == 400 {
				wantXMLError(t, resp, 400, "BadDigest")
				headMissing(t, c, bucket, tc.key)
			} else if resp.Status != tc.status {
				t.Errorf("Content-MD5 %s: %d\n%s", tc.key, resp.Status, resp.Body)
			}
		}
	})

	t.Run("refusals", func(t *testing.T) {
		base := postSpec{Bucket: bucket, Key: "refused/${filename}", Conditions: []any{[]any{"starts-with", "$key", "refused/"},
			[]any{"content-length-range", 2, 100}}}
		p := presignPost(t, ep, base)

		e := wantXMLError(t, p.post(t, map[string]string{"key": "elsewhere/x"}, "f", []byte("ok")), 403, "AccessDenied")
		wantMessage(t, e, `Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "refused/"]`)
		headMissing(t, c, bucket, "elsewhere/x")

		e = wantXMLError(t, p.post(t, nil, "big", make([]byte, 101)), 400, "EntityTooLarge")
		headMissing(t, c, bucket, "refused/big")
		e = wantXMLError(t, p.post(t, nil, "small", []byte("x")), 400, "EntityTooSmall")
		headMissing(t, c, bucket, "refused/small")

		e = wantXMLError(t, p.post(t, map[string]string{"x-amz-meta-extra": "1"}, "f", []byte("ok")), 403, "AccessDenied")
		wantMessage(t, e, "Invalid according to Policy: Extra input fields: x-amz-meta-extra")

		e = wantXMLError(t, p.post(t, map[string]string{"key": ""}, "f", []byte("ok")), 400, "InvalidArgument")
		wantMessage(t, e, "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")

		sig := p.Fields["x-amz-signature"]
		bad := strings.Repeat("0", len(sig))
		wantXMLError(t, p.post(t, map[string]string{"x-amz-signature": bad}, "f", []byte("ok")), 403, "SignatureDoesNotMatch")
		headMissing(t, c, bucket, "refused/f")

		expired := base
		expired.Expires = -60
		e = wantXMLError(t, presignPost(t, ep, expired).post(t, nil, "f", []byte("ok")), 403, "AccessDenied")
		wantMessage(t, e, "Invalid according to Policy: Policy expired.")

		e = wantXMLError(t, p.post(t, map[string]string{"acl": "public-read"}, "f", []byte("ok")), 403, "AccessDenied")
		acl := presignPost(t, ep, postSpec{Bucket: bucket, Key: "acl", Fields: map[string]string{"acl": "public-read"},
			Conditions: []any{map[string]string{"acl": "public-read"}}})
		wantXMLError(t, acl.post(t, nil, "f", []byte("ok")), 400, "AccessControlListNotSupported")

		// No file, and a request that is not a form at all.
		resp := doReq(t, mustRequest(t, http.MethodPost, p.URL, "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--xyz--\r\n"))
		e = wantXMLError(t, resp, 400, "InvalidArgument")
		wantMessage(t, e, "POST requires exactly one file upload per request.")
		wantXMLError(t, doReq(t, mustRequest(t, http.MethodPost, p.URL, "application/octet-stream", "data")), 412, "PreconditionFailed")

		// Fields before the file over 20 KiB.
		big := p.fieldsOf(map[string]string{"x-ignore-pad": strings.Repeat("p", 21<<10)})
		e = wantXMLError(t, postForm(t, p.URL, big, "f", []byte("ok")), 400, "MaxPostPreDataLengthExceededError")

		// Malformed policies, correctly signed.
		for doc, msg := range map[string]string{
			"not json": "Invalid Policy: Invalid JSON.",
			`{"expiration":"2030-01-01T00:00:00Z","CONDITIONS":[]}`:                        `Invalid Policy: Unexpected: "CONDITIONS"`,
			`{"expiration":"2030-01-01 00:00:00","conditions":[]}`:                         "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00'",
			`{"expiration":"2030-01-01T00:00:00Z","conditions":[["ends-with","$key",""]]}`: "Invalid Policy: Invalid Condition: unknown operation 'ends-with'.",
		} {
			pol := base64.StdEncoding.EncodeToString([]byte(doc))
			sig := signPolicyV4(pol, p.Fields["x-amz-date"][:8], testSecretKey)
			e = wantXMLError(t, p.post(t, map[string]string{"policy": pol, "x-amz-signature": sig}, "f", []byte("ok")), 400, "InvalidPolicyDocument")
			wantMessage(t, e, msg)
		}
	})

	t.Run("sse-c only over https", func(t *testing.T) {
		k := sseCKeyFrom("post")
		f := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256",
			"x-amz-server-side-encryption-customer-key": k.B64, "x-amz-server-side-encryption-customer-key-MD5": k.MD5}
		var conds []any
		for name, v := range f {
			conds = append(conds, map[string]string{name: v})
		}
		p := presignPost(t, srv.HTTPURL, postSpec{Bucket: bucket, Key: "ssec.bin", Fields: f, Conditions: conds})
		e := wantXMLError(t, p.post(t, nil, "s", []byte("secret")), 400, "InvalidRequest")
		wantMessage(t, e, "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
		headMissing(t, c, bucket, "ssec.bin")

		// Over HTTPS: refused while the bucket blocks SSE-C (a new bucket's default), stored
		// under the customer's key once PutBucketEncryption allows it.
		p = presignPost(t, ep, postSpec{Bucket: bucket, Key: "ssec.bin", Fields: f, Conditions: conds})
		e = wantXMLError(t, p.post(t, nil, "s", []byte("secret")), 403, "AccessDenied")
		headMissing(t, c, bucket, "ssec.bin")
		allowSSEC(t, c, bucket)
		resp := p.post(t, nil, "s", []byte("secret"))
		if resp.Status != 204 || resp.Header.Get("x-amz-server-side-encryption-customer-key-MD5") != k.MD5 {
			t.Fatalf("SSE-C POST over HTTPS: %d %v\n%s", resp.Status, resp.Header, resp.Body)
		}
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("ssec.bin"),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.B64), SSECustomerKeyMD5: aws.String(k.MD5)})
		if string(got) != "secret" {
			t.Errorf("SSE-C object read back %q", got)
		}
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("ssec.bin")}); err == nil {
			t.Error("an SSE-C object was readable without its key")
		}
	})
}

func mustRequest(t testing.TB, method, u, contentType, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	return req
}

// TestPostObjectAuthz: a form is decided as its signer's PutObject of the key: an IAM user
// without s3:PutObject is refused, one with it succeeds and is the identity of the
// PostObject audit record; an unsigned form is anonymous and passes only where the bucket
// policy lets anyone put.
func TestPostObjectAuthz(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	ep := srv.HTTPSURL
	c := srv.S3(ep)
	bucket := "post-authz"
	mustCreateBucket(t, c, bucket)
	root := iamClient(ep, testAccessKey, testSecretKey)
	reader := authzUser(t, root, "post-reader", authzAllow(`"s3:GetObject"`, `"*"`))
	writer := authzUser(t, root, "post-writer", authzAllow(`"s3:PutObject"`, `"arn:aws:s3:::`+bucket+`/mine/*"`))

	p := presignPost(t, ep, postSpec{Bucket: bucket, Key: "mine/r.txt", AK: reader.AK, SK: reader.SK})
	wantXMLError(t, p.post(t, nil, "r", []byte("no")), 403, "AccessDenied")
	headMissing(t, c, bucket, "mine/r.txt")

	p = presignPost(t, ep, postSpec{Bucket: bucket, Key: "other/w.txt", AK: writer.AK, SK: writer.SK})
	wantXMLError(t, p.post(t, nil, "w", []byte("no")), 403, "AccessDenied")

	p = presignPost(t, ep, postSpec{Bucket: bucket, Key: "mine/w.txt", AK: writer.AK, SK: writer.SK})
	if resp := p.post(t, nil, "w", []byte("yes")); resp.Status != 204 {
		t.Fatalf("writer's POST: %d\n%s", resp.Status, resp.Body)
	}
	recs := auditLookup(t, cloudTrailClient(ep, testAccessKey, testSecretKey), cttypes.LookupAttributeKeyEventName, "PostObject")
	rec := findRecord(recs, "PostObject", func(r map[string]any) bool { return field(r, "requestParameters.key") == "mine/w.txt" })
	wantFields(t, "PostObject record", rec, map[string]any{
		"userIdentity.arn": writer.ARN, "userIdentity.accessKeyId": writer.AK, "eventSource": "s3.amazonaws.com",
		"managementEvent": false, "readOnly": false, "requestParameters.bucketName": bucket,
		"additionalEventData.SignatureVersion": "SigV4",
	})

	// The same through a SigV2 form (boto3's signature_version 's3').
	p = presignPost(t, ep, postSpec{Bucket: bucket, Key: "mine/v2.txt", AK: writer.AK, SK: writer.SK, SigV: "s3"})
	if _, ok := p.Fields["AWSAccessKeyId"]; !ok {
		t.Fatalf("boto3 made no SigV2 form: %v", p.Fields)
	}
	if resp := p.post(t, nil, "w", []byte("v2")); resp.Status != 204 {
		t.Fatalf("writer's SigV2 POST: %d\n%s", resp.Status, resp.Body)
	}
	bad := p.fieldsOf(map[string]string{"signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="})
	wantXMLError(t, postForm(t, p.URL, bad, "w", []byte("v2")), 403, "SignatureDoesNotMatch")
	recs = auditLookup(t, cloudTrailClient(ep, testAccessKey, testSecretKey), cttypes.LookupAttributeKeyEventName, "PostObject")
	rec = findRecord(recs, "PostObject", func(r map[string]any) bool {
		return field(r, "requestParameters.key") == "mine/v2.txt" && field(r, "errorCode") == nil
	})
	wantFields(t, "SigV2 PostObject record", rec, map[string]any{"userIdentity.arn": writer.ARN, "additionalEventData.SignatureVersion": "SigV2"})
	if rec := findRecord(recs, "PostObject", func(r map[string]any) bool { return field(r, "requestParameters.key") == "mine/r.txt" }); rec == nil ||
		field(rec, "userIdentity.arn") != reader.ARN || field(rec, "errorCode") != "AccessDenied" {
		t.Errorf("refused PostObject record: %v", rec)
	}

	// The form's tagging field is the request's tags for the policy (s3:RequestObjectTag/*),
	// as x-amz-tagging is a PUT's.
	tagger := authzUser(t, root, "post-tagger", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject",`+
		`"Resource":"arn:aws:s3:::`+bucket+`/*","Condition":{"StringEquals":{"s3:RequestObjectTag/team":"blue"}}}]}`)
	for _, tc := range []struct {
		team string
		want int
	}{{"blue", 204}, {"red", 403}} {
		tg := `<Tagging><TagSet><Tag><Key>team</Key><Value>` + tc.team + `</Value></Tag></TagSet></Tagging>`
		p = presignPost(t, ep, postSpec{Bucket: bucket, Key: "tagged/" + tc.team, AK: tagger.AK, SK: tagger.SK,
			Fields: map[string]string{"tagging": tg}, Conditions: []any{map[string]string{"tagging": tg}}})
		if resp := p.post(t, nil, "t", []byte(tc.team)); resp.Status != tc.want {
			t.Errorf("POST tagged team=%s: %d, want %d\n%s", tc.team, resp.Status, tc.want, resp.Body)
		}
	}
	headMissing(t, c, bucket, "tagged/red")

	// Unsigned forms: anonymous.
	anon := []formField{{"key", "public/a.txt"}}
	wantXMLError(t, postForm(t, ep+"/"+bucket, anon, "a", []byte("anon")), 403, "AccessDenied")
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/public/*"}]}`
	allowPublicPolicies(t, c, bucket)
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(pol)}); err != nil {
		t.Fatal(err)
	}
	if resp := postForm(t, ep+"/"+bucket, anon, "a", []byte("anon")); resp.Status != 204 {
		t.Fatalf("anonymous POST under a public policy: %d\n%s", resp.Status, resp.Body)
	}
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("public/a.txt")})
	if string(got) != "anon" {
		t.Errorf("anonymous upload read back %q", got)
	}
	wantXMLError(t, postForm(t, ep+"/"+bucket, []formField{{"key", "private/a.txt"}}, "a", []byte("anon")), 403, "AccessDenied")
}

func sha256B64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// signPolicyV4 signs a POST policy as a SigV4 form does: HMAC-SHA256 under the day's
// signing key for us-east-1/s3.
func signPolicyV4(policy, day, secret string) string {
	mac := func(k []byte, s string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(s)); return h.Sum(nil) }
	k := mac(mac(mac(mac([]byte("AWS4"+secret), day), testRegion), "s3"), "aws4_request")
	return hex.EncodeToString(mac(k, policy))
}
