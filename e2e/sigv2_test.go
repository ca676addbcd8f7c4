package e2e

// Signature Version 2 end to end (docs/AUTH.md): the aws CLI v1's `s3 presign`, boto3 with
// signature_version "s3" (header and presigned) and "s3v4", s3cmd (default signing, its
// --signature-v2 and signurl), the injected-header rule, expiry, wrong secrets, IAM
// policies, the audit record's SignatureVersion, SSE-C (HTTPS only) and SSE-KMS (SigV4
// only, as AWS), and --sigv2=false.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const (
	msgSigV2Unsupported = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgKMSNeedsSigV4    = "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4."
	msgSSECInsecure     = "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."
)

// v2Signature is base64(HMAC-SHA1(secret, stringToSign)), written out here as S3's
// documentation gives it.
func v2Signature(sk, sts string) string {
	m := hmac.New(sha1.New, []byte(sk))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// v2HeaderRequest signs a path-style request without sub-resources with SigV2 in the
// Authorization header (Date now, every x-amz-* header of h in the string to sign).
func v2HeaderRequest(t testing.TB, method, endpoint, path string, body []byte, h http.Header, ak, sk string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, endpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range h {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	date := time.Now().UTC().Format(http.TimeFormat)
	req.Header.Set("Date", date)
	var names []string
	for k := range req.Header {
		if l := strings.ToLower(k); strings.HasPrefix(l, "x-amz-") {
			names = append(names, l)
		}
	}
	sort.Strings(names) // by name: "x-amz-a" before "x-amz-a-b"
	sts := method + "\n" + req.Header.Get("Content-MD5") + "\n" + req.Header.Get("Content-Type") + "\n" + date + "\n"
	for _, n := range names {
		sts += n + ":" + strings.Join(req.Header.Values(n), ",") + "\n"
	}
	sts += path
	req.Header.Set("Authorization", "AWS "+ak+":"+v2Signature(sk, sts))
	return req
}

// v2PresignURL is a SigV2 presigned URL for a path-style path, good until expires.
func v2PresignURL(endpoint, method, path string, expires time.Time, ak, sk string) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	sig := v2Signature(sk, method+"\n\n\n"+exp+"\n"+path)
	return endpoint + path + "?AWSAccessKeyId=" + url.QueryEscape(ak) + "&Expires=" + exp + "&Signature=" + url.QueryEscape(sig)
}

// fetch sends method to a ready-made URL with body and headers.
func fetch(t testing.TB, method, u string, body []byte, h http.Header) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, vs := range h {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	return doReq(t, req)
}

func wantS3Error(t testing.TB, what string, r rawResp, status int, code, msg string) {
	t.Helper()
	e := wantXMLError(t, r, status, code)
	if msg != "" && e.Message != msg {
		t.Errorf("%s: message %q, want %q", what, e.Message, msg)
	}
}

// runPython runs a python3 script with the test credentials and env, returning stdout.
func runPython(t testing.TB, script string, env ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", script)
	cmd.Env = append(os.Environ(), append([]string{"AWS_ACCESS_KEY_ID=" + testAccessKey, "AWS_SECRET_ACCESS_KEY=" + testSecretKey,
		"AWS_DEFAULT_REGION=" + testRegion, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"PYTHONWARNINGS=ignore"}, env...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s\n%s", err, out, stderr.Bytes())
	}
	return out
}

func caBundle(srv *Server) string { return filepath.Join(srv.DataDir, "tls", "cert.pem") }

// The aws CLI v1 presigns with SigV2 by default; the URL works with plain HTTP clients.
// SSE-KMS objects need SigV4, as on AWS (aws-cli#1006): the CLI's SigV2 URL is refused
// with AWS's message, a SigV4 presigned URL of the same object works.
func TestSigV2CLIPresign(t *testing.T) {
	requireAWSCLI(t)
	srv := StartServer(t)
	ctx := context.Background()
	c := srv.S3(srv.HTTPSURL)
	bucket := "sigv2-cli"
	mustCreateBucket(t, c, bucket)
	for _, o := range []struct {
		key  string
		mode s3types.ServerSideEncryption
	}{{"sse-s3.txt", s3types.ServerSideEncryptionAes256}, {"sse-kms.txt", s3types.ServerSideEncryptionAwsKms}} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(o.key),
			Body: strings.NewReader("body of " + o.key), ServerSideEncryption: o.mode}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ep := range bothEndpoints(srv) {
		u := strings.TrimSpace(srv.AWS(t, ep.URL, false, "s3", "presign", "s3://"+bucket+"/sse-s3.txt"))
		if !strings.Contains(u, "AWSAccessKeyId=") || strings.Contains(u, "X-Amz-Signature") {
			t.Fatalf("%s: the CLI did not presign with SigV2: %s", ep.Name, u)
		}
		r := fetch(t, "GET", u, nil, nil)
		if r.Status != 200 || string(r.Body) != "body of sse-s3.txt" || r.Header.Get("x-amz-server-side-encryption") != "AES256" {
			t.Errorf("%s: GET SSE-S3 by the CLI's URL: %d %s %v", ep.Name, r.Status, r.Body, r.Header)
		}

		u = strings.TrimSpace(srv.AWS(t, ep.URL, false, "s3", "presign", "s3://"+bucket+"/sse-kms.txt"))
		r = fetch(t, "GET", u, nil, nil)
		wantS3Error(t, ep.Name+": GET SSE-KMS by a SigV2 URL", r, 400, "InvalidArgument", msgKMSNeedsSigV4)
		p, err := s3.NewPresignClient(srv.S3(ep.URL)).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("sse-kms.txt")})
		if err != nil {
			t.Fatal(err)
		}
		r = fetch(t, "GET", p.URL, nil, nil)
		if r.Status != 200 || string(r.Body) != "body of sse-kms.txt" || r.Header.Get("x-amz-server-side-encryption") != "aws:kms" {
			t.Errorf("%s: GET SSE-KMS by a SigV4 URL: %d %s", ep.Name, r.Status, r.Body)
		}
	}

	path := "/" + bucket + "/sse-s3.txt"
	ep := srv.HTTPURL
	r := fetch(t, "GET", v2PresignURL(ep, "GET", path, time.Now().Add(-time.Minute), testAccessKey, testSecretKey), nil, nil)
	wantS3Error(t, "expired", r, 403, "AccessDenied", "Request has expired")
	r = fetch(t, "GET", v2PresignURL(ep, "GET", path, time.Now().Add(time.Hour), testAccessKey, "not-the-secret"), nil, nil)
	wantS3Error(t, "wrong secret", r, 403, "SignatureDoesNotMatch", "")
	r = fetch(t, "GET", v2PresignURL(ep, "GET", path, time.Now().Add(time.Hour), "AKIANOBODY0000000000", testSecretKey), nil, nil)
	wantS3Error(t, "unknown key", r, 403, "InvalidAccessKeyId", "")
	r = doReq(t, v2HeaderRequest(t, "GET", ep, path, nil, nil, testAccessKey, "not-the-secret"))
	wantS3Error(t, "header, wrong secret", r, 403, "SignatureDoesNotMatch", "")
	r = fetch(t, "GET", ep+path+"?AWSAccessKeyId="+testAccessKey+"&Signature=abc", nil, nil)
	wantS3Error(t, "no Expires", r, 403, "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
}

const boto3SigV2Py = `
import boto3, json, os
from botocore.config import Config
from botocore.exceptions import ClientError
ep, b = os.environ['ENDPOINT'], os.environ['BUCKET']
verify = os.environ.get('CA_BUNDLE') or False
def client(sv=None):
    cfg = Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1})
    if sv:
        cfg = cfg.merge(Config(signature_version=sv))
    return boto3.client('s3', endpoint_url=ep, verify=verify, region_name='us-east-1', config=cfg)
v2, v4 = client('s3'), client('s3v4')
out = {}
v2.put_object(Bucket=b, Key='dir/hello world.txt', Body=b'hello v2', ContentType='text/plain', Metadata={'color': 'blue'})
g = v2.get_object(Bucket=b, Key='dir/hello world.txt')
out['get'] = {'body': g['Body'].read().decode(), 'meta': g['Metadata'], 'ct': g['ContentType']}
out['list'] = [o['Key'] for o in v2.list_objects_v2(Bucket=b, Prefix='dir/')['Contents']]
v2.copy_object(Bucket=b, Key='dir/copy.txt', CopySource={'Bucket': b, 'Key': 'dir/hello world.txt'},
               MetadataDirective='REPLACE', Metadata={'color': 'green'})
h = v2.head_object(Bucket=b, Key='dir/copy.txt')
out['copy'] = {'meta': h['Metadata'], 'len': h['ContentLength']}
v2.delete_object(Bucket=b, Key='dir/hello world.txt')
out['after_delete'] = [o['Key'] for o in v2.list_objects_v2(Bucket=b, Prefix='dir/')['Contents']]
try:
    v2.put_object(Bucket=b, Key='dir/kms.txt', Body=b'x', ServerSideEncryption='aws:kms')
    out['kms_put'] = 'ok'
except ClientError as e:
    out['kms_put'] = e.response['Error']['Code'] + ': ' + e.response['Error']['Message']
get = {'Bucket': b, 'Key': 'dir/copy.txt'}
out['urls'] = {
    'default_get': client().generate_presigned_url('get_object', Params=get),
    'v2_get': v2.generate_presigned_url('get_object', Params=get),
    'v4_get': v4.generate_presigned_url('get_object', Params=get),
    'v2_put': v2.generate_presigned_url('put_object', Params={'Bucket': b, 'Key': 'up/v2.txt'}),
    'v4_put': v4.generate_presigned_url('put_object', Params={'Bucket': b, 'Key': 'up/v4.txt'}),
    'v2_put_injected': v2.generate_presigned_url('put_object', Params={'Bucket': b, 'Key': 'up/injected.txt'}),
    'v2_expired': v2.generate_presigned_url('get_object', Params=get, ExpiresIn=-60),
}
print(json.dumps(out))
`

// boto3 with signature_version "s3" (SigV2) for header-signed calls and presigned URLs,
// and "s3v4" for comparison; a SigV2 presigned PUT does not let extra x-amz-* headers in.
func TestSigV2Boto3(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := srv.S3(srv.HTTPSURL)
	bucket := "sigv2-boto"
	mustCreateBucket(t, c, bucket)
	var out struct {
		Get struct {
			Body, CT string
			Meta     map[string]string
		}
		List, AfterDelete []string `json:"-"`
		Copy              struct {
			Meta map[string]string
			Len  int
		}
		KMSPut string `json:"kms_put"`
		URLs   map[string]string
	}
	raw := runPython(t, boto3SigV2Py, "ENDPOINT="+srv.HTTPSURL, "CA_BUNDLE="+caBundle(srv), "BUCKET="+bucket)
	var lists struct {
		List        []string `json:"list"`
		AfterDelete []string `json:"after_delete"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	json.Unmarshal(raw, &lists)
	if out.Get.Body != "hello v2" || out.Get.CT != "text/plain" || out.Get.Meta["color"] != "blue" {
		t.Errorf("get: %+v", out.Get)
	}
	if strings.Join(lists.List, ",") != "dir/hello world.txt" || strings.Join(lists.AfterDelete, ",") != "dir/copy.txt" {
		t.Errorf("listings: %v then %v", lists.List, lists.AfterDelete)
	}
	if out.Copy.Meta["color"] != "green" || out.Copy.Len != 8 {
		t.Errorf("copy: %+v", out.Copy)
	}
	if out.KMSPut != "InvalidArgument: "+msgKMSNeedsSigV4 {
		t.Errorf("SigV2 PUT with SSE-KMS: %s", out.KMSPut)
	}

	for name, u := range out.URLs {
		v2 := strings.Contains(u, "AWSAccessKeyId=")
		if v2 != (name != "v4_get" && name != "v4_put") {
			t.Errorf("%s is not the signature version expected: %s", name, u)
		}
	}
	for _, name := range []string{"default_get", "v2_get", "v4_get"} {
		if r := fetch(t, "GET", out.URLs[name], nil, nil); r.Status != 200 || string(r.Body) != "hello v2" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	for _, name := range []string{"v2_put", "v4_put"} {
		body := []byte("uploaded by " + name)
		if r := fetch(t, "PUT", out.URLs[name], body, nil); r.Status != 200 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
			continue
		}
		key := "up/" + strings.TrimSuffix(name, "_put") + ".txt"
		if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); !bytes.Equal(got, body) {
			t.Errorf("%s read back %q", name, got)
		}
	}
	wantS3Error(t, "expired", fetch(t, "GET", out.URLs["v2_expired"], nil, nil), 403, "AccessDenied", "Request has expired")

	// Every x-amz-* header is part of a SigV2 signature: added to a presigned PUT, the
	// signature no longer matches and nothing is written.
	for _, h := range []http.Header{
		{"x-amz-copy-source": {bucket + "/dir/copy.txt"}},
		{"x-amz-server-side-encryption": {"AES256"}},
		{"x-amz-meta-extra": {"1"}},
	} {
		r := fetch(t, "PUT", out.URLs["v2_put_injected"], []byte("injected"), h)
		wantS3Error(t, "presigned PUT with "+mustJSON(h), r, 403, "SignatureDoesNotMatch", "")
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("up/injected.txt")}); err == nil {
		t.Error("a refused presigned PUT wrote its target")
	}
}

// s3cmd signs with SigV4 by default (and SigV2 with --signature-v2); signurl makes SigV2
// URLs. The audit record tells the versions apart.
func TestSigV2S3cmd(t *testing.T) {
	if _, err := exec.LookPath("s3cmd"); err != nil {
		t.Fatalf("s3cmd is required (scripts/install-test-deps.sh installs it): %v", err)
	}
	srv := StartServer(t)
	bucket := "sigv2-s3cmd"
	mustCreateBucket(t, srv.S3(srv.HTTPSURL), bucket)
	dir := t.TempDir()
	host := strings.TrimPrefix(srv.HTTPSURL, "https://")
	cfg := filepath.Join(dir, "s3cfg")
	writeFile(t, cfg, []byte("[default]\naccess_key = "+testAccessKey+"\nsecret_key = "+testSecretKey+
		"\nhost_base = "+host+"\nhost_bucket = "+host+"\nuse_https = True\nca_certs_file = "+caBundle(srv)+
		"\ncheck_ssl_hostname = False\nsignurl_use_https = True\n"))
	s3cmd := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "s3cmd", append([]string{"-c", cfg}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("s3cmd %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	src := filepath.Join(dir, "src.txt")
	writeFile(t, src, []byte("s3cmd body\n"))
	for _, k := range []struct{ key, version string }{{"default.txt", "SigV4"}, {"v2 file.txt", "SigV2"}} {
		var flags []string
		if k.version == "SigV2" {
			flags = []string{"--signature-v2"}
		}
		s3cmd(append(flags, "put", src, "s3://"+bucket+"/"+k.key)...)
		dst := filepath.Join(dir, "got-"+k.version)
		s3cmd(append(flags, "get", "--force", "s3://"+bucket+"/"+k.key, dst)...)
		if got := readFile(t, dst); string(got) != "s3cmd body\n" {
			t.Errorf("%s: read back %q", k.key, got)
		}
	}
	u := strings.TrimSpace(s3cmd("signurl", "s3://"+bucket+"/v2 file.txt", "+600"))
	if !strings.Contains(u, "AWSAccessKeyId=") {
		t.Fatalf("signurl: %s", u)
	}
	if r := fetch(t, "GET", u, nil, nil); r.Status != 200 || string(r.Body) != "s3cmd body\n" {
		t.Errorf("signurl GET: %d %s", r.Status, r.Body)
	}

	all := auditLookup(t, cloudTrailClient(srv.HTTPSURL, testAccessKey, testSecretKey), "", "")
	for _, k := range []struct{ key, version string }{{"default.txt", "SigV4"}, {"v2 file.txt", "SigV2"}} {
		rec := findRecord(all, "PutObject", func(r map[string]any) bool { return field(r, "requestParameters.key") == k.key })
		wantFields(t, "s3cmd put "+k.key, rec, map[string]any{"additionalEventData.SignatureVersion": k.version,
			"additionalEventData.AuthenticationMethod": "AuthHeader"})
	}
	rec := findRecord(all, "GetObject", func(r map[string]any) bool {
		return field(r, "requestParameters.key") == "v2 file.txt" && field(r, "additionalEventData.AuthenticationMethod") == "QueryString"
	})
	wantFields(t, "signurl GET", rec, map[string]any{"additionalEventData.SignatureVersion": "SigV2"})
}

// An IAM user's SigV2 requests obey the user's policy, and the audit trail records them
// (and the refusals) as SigV2, with the method used.
func TestSigV2IAMAndAudit(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	ep := srv.HTTPSURL
	c := srv.S3(ep)
	bucket := "sigv2-iam"
	mustCreateBucket(t, c, bucket)
	mustPut(t, c, bucket, "public/a.txt", []byte("public"))
	mustPut(t, c, bucket, "private/b.txt", []byte("private"))
	user := authzUser(t, iamClient(ep, testAccessKey, testSecretKey), "v2reader",
		authzAllow(`["s3:GetObject"]`, `["arn:aws:s3:::`+bucket+`/public/*"]`))

	r := doReq(t, v2HeaderRequest(t, "GET", ep, "/"+bucket+"/public/a.txt", nil, nil, user.AK, user.SK))
	if r.Status != 200 || string(r.Body) != "public" {
		t.Fatalf("allowed GET: %d %s", r.Status, r.Body)
	}
	deny := s3DenyMsg(user.ARN, "s3:GetObject", "arn:aws:s3:::"+bucket+"/private/b.txt", whyNoIdentity("s3:GetObject"))
	r = doReq(t, v2HeaderRequest(t, "GET", ep, "/"+bucket+"/private/b.txt", nil, nil, user.AK, user.SK))
	wantS3Error(t, "GET outside the policy", r, 403, "AccessDenied", deny)
	r = fetch(t, "GET", v2PresignURL(ep, "GET", "/"+bucket+"/private/b.txt", time.Now().Add(time.Hour), user.AK, user.SK), nil, nil)
	wantS3Error(t, "presigned GET outside the policy", r, 403, "AccessDenied", deny)
	r = doReq(t, v2HeaderRequest(t, "PUT", ep, "/"+bucket+"/public/c.txt", []byte("x"), nil, user.AK, user.SK))
	wantS3Error(t, "PUT without s3:PutObject", r, 403, "AccessDenied", "")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("public/c.txt")}); err == nil {
		t.Error("a denied PUT wrote its object")
	}
	r = fetch(t, "GET", v2PresignURL(ep, "GET", "/"+bucket+"/public/a.txt", time.Now().Add(time.Hour), testAccessKey, testSecretKey), nil, nil)
	if r.Status != 200 {
		t.Fatalf("root presigned GET: %d %s", r.Status, r.Body)
	}
	r = doReq(t, v2HeaderRequest(t, "GET", ep, "/"+bucket+"/public/a.txt", nil, nil, user.AK, "not-the-secret"))
	wantS3Error(t, "wrong secret", r, 403, "SignatureDoesNotMatch", "")

	all := auditLookup(t, cloudTrailClient(ep, testAccessKey, testSecretKey), "", "")
	by := func(key, ak, method string) func(map[string]any) bool {
		return func(r map[string]any) bool {
			return field(r, "requestParameters.key") == key && field(r, "userIdentity.accessKeyId") == ak &&
				field(r, "additionalEventData.AuthenticationMethod") == method
		}
	}
	wantFields(t, "user's header GET", findRecord(all, "GetObject", by("public/a.txt", user.AK, "AuthHeader")), map[string]any{
		"additionalEventData.SignatureVersion": "SigV2", "userIdentity.type": "IAMUser", "userIdentity.userName": "v2reader"})
	wantFields(t, "user's denied GET", findRecord(all, "GetObject", by("private/b.txt", user.AK, "AuthHeader")), map[string]any{
		"additionalEventData.SignatureVersion": "SigV2", "errorCode": "AccessDenied"})
	wantFields(t, "user's denied presigned GET", findRecord(all, "GetObject", by("private/b.txt", user.AK, "QueryString")), map[string]any{
		"additionalEventData.SignatureVersion": "SigV2", "errorCode": "AccessDenied"})
	wantFields(t, "root's presigned GET", findRecord(all, "GetObject", by("public/a.txt", testAccessKey, "QueryString")), map[string]any{
		"additionalEventData.SignatureVersion": "SigV2", "userIdentity.type": "Root"})
	bad := findRecord(all, "GetObject", func(r map[string]any) bool {
		return field(r, "requestParameters.key") == "public/a.txt" && field(r, "errorCode") == "SignatureDoesNotMatch"
	})
	wantFields(t, "refused SigV2 request", bad, map[string]any{"additionalEventData.SignatureVersion": "SigV2",
		"additionalEventData.AuthenticationMethod": "AuthHeader"})
}

// SSE-C with SigV2 works over HTTPS only; SSE-KMS writes and reads need SigV4 (AWS).
func TestSigV2SSE(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	c := srv.S3(srv.HTTPSURL)
	bucket := "sigv2-sse"
	mustCreateSSECBucket(t, c, bucket)
	path := "/" + bucket + "/ssec.txt"
	body := []byte("customer-keyed")
	r := doReq(t, v2HeaderRequest(t, "PUT", srv.HTTPURL, path, body, sseCK1.header(), testAccessKey, testSecretKey))
	wantS3Error(t, "SSE-C PUT over HTTP", r, 400, "InvalidRequest", msgSSECInsecure)
	r = doReq(t, v2HeaderRequest(t, "PUT", srv.HTTPSURL, path, body, sseCK1.header(), testAccessKey, testSecretKey))
	if r.Status != 200 {
		t.Fatalf("SSE-C PUT over HTTPS: %d %s", r.Status, r.Body)
	}
	r = doReq(t, v2HeaderRequest(t, "GET", srv.HTTPSURL, path, nil, sseCK1.header(), testAccessKey, testSecretKey))
	if r.Status != 200 || !bytes.Equal(r.Body, body) {
		t.Fatalf("SSE-C GET over HTTPS: %d %s", r.Status, r.Body)
	}
	r = doReq(t, v2HeaderRequest(t, "GET", srv.HTTPURL, path, nil, sseCK1.header(), testAccessKey, testSecretKey))
	wantS3Error(t, "SSE-C GET over HTTP", r, 400, "InvalidRequest", msgSSECInsecure)

	kmsPath := "/" + bucket + "/kms.txt"
	r = doReq(t, v2HeaderRequest(t, "PUT", srv.HTTPSURL, kmsPath, []byte("k"), http.Header{"x-amz-server-side-encryption": {"aws:kms"}}, testAccessKey, testSecretKey))
	wantS3Error(t, "SSE-KMS PUT with SigV2", r, 400, "InvalidArgument", msgKMSNeedsSigV4)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("kms.txt"),
		Body: strings.NewReader("k"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms}); err != nil {
		t.Fatal(err)
	}
	r = doReq(t, v2HeaderRequest(t, "GET", srv.HTTPSURL, kmsPath, nil, nil, testAccessKey, testSecretKey))
	wantS3Error(t, "SSE-KMS GET with SigV2", r, 400, "InvalidArgument", msgKMSNeedsSigV4)
	r = doReq(t, v2HeaderRequest(t, "PUT", srv.HTTPSURL, "/"+bucket+"/kms-copy.txt", nil,
		http.Header{"x-amz-copy-source": {bucket + "/kms.txt"}}, testAccessKey, testSecretKey))
	wantS3Error(t, "copy of an SSE-KMS object with SigV2", r, 400, "InvalidArgument", msgKMSNeedsSigV4)
}

// --sigv2=false (or ARCA_SIGV2=false) answers SigV2 as before it was implemented.
func TestSigV2Disabled(t *testing.T) {
	t.Run("flag", func(t *testing.T) { sigV2Disabled(t, StartServer(t, "--sigv2=false")) })
	t.Run("env", func(t *testing.T) {
		t.Setenv("ARCA_SIGV2", "false")
		sigV2Disabled(t, StartServer(t))
	})
}

func sigV2Disabled(t *testing.T, srv *Server) {
	c := srv.S3(srv.HTTPSURL)
	bucket := "sigv2-off"
	mustCreateBucket(t, c, bucket)
	mustPut(t, c, bucket, "k.txt", []byte("v"))
	path := "/" + bucket + "/k.txt"
	r := fetch(t, "GET", v2PresignURL(srv.HTTPURL, "GET", path, time.Now().Add(time.Hour), testAccessKey, testSecretKey), nil, nil)
	wantS3Error(t, "presigned", r, 400, "InvalidRequest", msgSigV2Unsupported)
	r = doReq(t, v2HeaderRequest(t, "GET", srv.HTTPURL, path, nil, nil, testAccessKey, testSecretKey))
	wantS3Error(t, "header", r, 400, "InvalidRequest", msgSigV2Unsupported)
	// SigV4 is unaffected.
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k.txt")}); string(got) != "v" {
		t.Errorf("SigV4 GET: %q", got)
	}
}
