package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// corsRules is the configuration most CORS tests set: a site (exact and wildcard origins)
// that may read, write and delete with some headers, and anyone reading.
var corsRules = []s3types.CORSRule{
	{ID: aws.String("site"), AllowedOrigins: []string{"https://example.com", "https://*.example.com"},
		AllowedMethods: []string{"GET", "PUT", "POST", "DELETE"}, AllowedHeaders: []string{"Content-Type", "x-amz-*"},
		ExposeHeaders: []string{"ETag", "x-amz-request-id"}, MaxAgeSeconds: aws.Int32(3000)},
	{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}},
}

// TestCORSConfiguration: PutBucketCors, GetBucketCors and DeleteBucketCors round trip with
// aws-sdk-go-v2; GetBucketCors of a bucket without one is NoSuchCORSConfiguration; the
// values S3 refuses are refused with its codes and messages.
func TestCORSConfiguration(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "cors-config"
	mustCreateBucket(t, c, b)

	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
	wantAPIError(t, err, "NoSuchCORSConfiguration", 404)
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &s3types.CORSConfiguration{CORSRules: corsRules}}); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
	if err != nil {
		t.Fatalf("GetBucketCors: %v", err)
	}
	if len(got.CORSRules) != 2 {
		t.Fatalf("GetBucketCors: %d rules", len(got.CORSRules))
	}
	r := got.CORSRules[0]
	if aws.ToString(r.ID) != "site" || strings.Join(r.AllowedOrigins, " ") != "https://example.com https://*.example.com" ||
		strings.Join(r.AllowedMethods, " ") != "GET PUT POST DELETE" || strings.Join(r.AllowedHeaders, " ") != "Content-Type x-amz-*" ||
		strings.Join(r.ExposeHeaders, " ") != "ETag x-amz-request-id" || aws.ToInt32(r.MaxAgeSeconds) != 3000 {
		t.Errorf("rule 1 read back as %+v", r)
	}
	if r := got.CORSRules[1]; r.ID != nil || r.MaxAgeSeconds != nil || len(r.AllowedHeaders) != 0 || strings.Join(r.AllowedOrigins, " ") != "*" {
		t.Errorf("rule 2 read back as %+v", r)
	}

	// Refusals, with S3's codes and messages; the configuration stays as it was.
	for _, tt := range []struct {
		name  string
		rules []s3types.CORSRule
		code  string
		msg   string
	}{
		{"PATCH", []s3types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "PATCH"}}}, "InvalidRequest",
			"Found unsupported HTTP method in CORS config. Unsupported method is PATCH"},
		{"two wildcards", []s3types.CORSRule{{AllowedOrigins: []string{"https://*.example.*"}, AllowedMethods: []string{"GET"}}}, "InvalidRequest",
			`AllowedOrigin "https://*.example.*" can not have more than one wildcard.`},
		{"header wildcards", []s3types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"x-*-*"}}}, "InvalidRequest",
			`AllowedHeader "x-*-*" can not have more than one wildcard.`},
		{"expose wildcard", []s3types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, ExposeHeaders: []string{"x-amz-*"}}}, "InvalidRequest",
			`ExposeHeader "x-amz-*" contains wildcard. We currently do not support wildcard for ExposeHeader.`},
		{"101 rules", manyRules(101), "MalformedXML", ""},
	} {
		_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &s3types.CORSConfiguration{CORSRules: tt.rules}})
		wantAPIError(t, err, tt.code, 400)
		if tt.msg != "" && (err == nil || !strings.Contains(err.Error(), tt.msg)) {
			t.Errorf("%s: %v, want message %q", tt.name, err, tt.msg)
		}
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &s3types.CORSConfiguration{CORSRules: manyRules(100)}}); err != nil {
		t.Errorf("100 rules: %v", err)
	}

	// Content-MD5 (or a flexible checksum) is required, as on S3.
	body := `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`
	resp := do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/" + b, Query: "cors", Body: []byte(body)})
	if e := wantXMLError(t, resp, 400, "InvalidRequest"); e.Message != "Missing required header for this request: Content-MD5" {
		t.Errorf("without Content-MD5: %q", e.Message)
	}
	// Documents the SDK would not send.
	for _, doc := range []string{"nope", "", "<CORSConfiguration></CORSConfiguration>",
		"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
		"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeaders>*</AllowedHeaders></CORSRule></CORSConfiguration>",
	} {
		resp = do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/" + b, Query: "cors", Body: []byte(doc), Header: http.Header{"Content-Md5": {md5B64([]byte(doc))}}})
		wantXMLError(t, resp, 400, "MalformedXML")
	}

	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}); err != nil {
		t.Fatalf("DeleteBucketCors: %v", err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
	wantAPIError(t, err, "NoSuchCORSConfiguration", 404)
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}); err != nil {
		t.Errorf("DeleteBucketCors without a configuration: %v", err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("no-such-bucket")})
	wantAPIError(t, err, "NoSuchBucket", 404)
}

func manyRules(n int) []s3types.CORSRule {
	rules := make([]s3types.CORSRule, n)
	for i := range rules {
		rules[i] = s3types.CORSRule{AllowedOrigins: []string{"https://example.com"}, AllowedMethods: []string{"GET"}}
	}
	return rules
}

// preflight sends an unsigned OPTIONS request with the given CORS headers ("" leaves one
// out) to path?query.
func preflight(t *testing.T, endpoint, path, query, origin, method, headers string) rawResp {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	if method != "" {
		h.Set("Access-Control-Request-Method", method)
	}
	if headers != "" {
		h.Set("Access-Control-Request-Headers", headers)
	}
	return do(t, endpoint, rawReq{Method: "OPTIONS", Path: path, Query: query, Header: h, Anonymous: true})
}

// wantHeaders fails unless h carries exactly want's CORS headers (an empty value: absent).
func wantHeaders(t *testing.T, what string, h http.Header, want map[string]string) {
	t.Helper()
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
		"Access-Control-Expose-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Credentials", "Vary"} {
		if got := h.Get(k); got != want[k] {
			t.Errorf("%s: %s %q, want %q", what, k, got, want[k])
		}
	}
}

// TestCORSPreflight: OPTIONS is answered without credentials from the first rule that
// allows the origin, method and headers (on a bucket, an object, and ahead of a presigned
// URL, whose signature is not checked); refused as S3 refuses it otherwise.
func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "cors-preflight"
	mustCreateBucket(t, c, b)
	mustCreateBucket(t, c, "cors-none")
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &s3types.CORSConfiguration{CORSRules: corsRules}}); err != nil {
		t.Fatal(err)
	}
	site := map[string]string{
		"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE",
		"Access-Control-Allow-Headers": "content-type, x-amz-date", "Access-Control-Expose-Headers": "ETag, x-amz-request-id",
		"Access-Control-Max-Age": "3000", "Access-Control-Allow-Credentials": "true", "Vary": corsVary}
	for _, ep := range bothEndpoints(srv) {
		resp := preflight(t, ep.URL, "/"+b+"/some/key", "", "https://app.example.com", "PUT", "Content-Type, X-Amz-Date")
		if resp.Status != 200 || len(resp.Body) != 0 {
			t.Fatalf("%s preflight: %d %s", ep.Name, resp.Status, resp.Body)
		}
		wantHeaders(t, ep.Name+" preflight", resp.Header, site)
		if resp.Header.Get("x-amz-request-id") == "" {
			t.Errorf("%s preflight without x-amz-request-id", ep.Name)
		}
	}
	// Ahead of a presigned URL: its query is the URL's, not a signature to check.
	resp := preflight(t, srv.HTTPURL, "/"+b+"/k", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20200101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20200101T000000Z&X-Amz-Expires=1&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
		"https://app.example.com", "PUT", "content-type,x-amz-date")
	if resp.Status != 200 {
		t.Fatalf("preflight of a presigned URL: %d %s", resp.Status, resp.Body)
	}
	wantHeaders(t, "presigned", resp.Header, site)
	// The bucket itself, and an origin only "*" allows.
	resp = preflight(t, srv.HTTPURL, "/"+b, "", "http://elsewhere.test", "HEAD", "")
	if resp.Status != 200 {
		t.Fatalf("bucket preflight: %d %s", resp.Status, resp.Body)
	}
	wantHeaders(t, "bucket preflight", resp.Header, map[string]string{
		"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD", "Vary": corsVary})

	notAllowed := "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
	for _, tt := range []struct {
		name, path, origin, method, headers string
		status                              int
		code, msg, resourceType             string
	}{
		{"no origin", "/" + b + "/k", "", "GET", "", 400, "BadRequest", "Insufficient information. Origin request header needed.", ""},
		{"no method", "/" + b + "/k", "https://example.com", "", "", 400, "BadRequest", "Invalid Access-Control-Request-Method: null", ""},
		{"method PATCH", "/" + b + "/k", "https://example.com", "PATCH", "", 400, "BadRequest", "Invalid Access-Control-Request-Method: PATCH", ""},
		{"origin not allowed", "/" + b + "/k", "https://example.org", "PUT", "", 403, "AccessForbidden", notAllowed, "OBJECT"},
		{"origin in another case", "/" + b + "/k", "https://EXAMPLE.com", "PUT", "", 403, "AccessForbidden", notAllowed, "OBJECT"},
		{"header not allowed", "/" + b + "/k", "https://example.com", "PUT", "authorization", 403, "AccessForbidden", notAllowed, "OBJECT"},
		{"method not allowed for the origin", "/" + b, "https://example.org", "DELETE", "", 403, "AccessForbidden", notAllowed, "BUCKET"},
		{"no configuration", "/cors-none/k", "https://example.com", "GET", "", 403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", "OBJECT"},
		{"no bucket", "/cors-nowhere/k", "https://example.com", "GET", "", 403, "AccessForbidden", "CORSResponse: Bucket not found", "OBJECT"},
	} {
		resp := preflight(t, srv.HTTPURL, tt.path, "", tt.origin, tt.method, tt.headers)
		e := wantXMLError(t, resp, tt.status, tt.code)
		if e.Message != tt.msg {
			t.Errorf("%s: message %q, want %q", tt.name, e.Message, tt.msg)
		}
		if tt.resourceType != "" && (e.Method != tt.method || !strings.Contains(string(resp.Body), "<ResourceType>"+tt.resourceType+"</ResourceType>")) {
			t.Errorf("%s: Method %q, body %s", tt.name, e.Method, resp.Body)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: refused with Access-Control-Allow-Origin", tt.name)
		}
	}
}

// TestCORSActualRequests: a request that names an Origin a rule allows for its method gets
// the rule's CORS headers, on a success and on an error (404, 403) alike; one that no rule
// allows, or that names no Origin, gets none.
func TestCORSActualRequests(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "cors-actual"
	mustCreateBucket(t, c, b)
	mustPut(t, c, b, "k", []byte("hello"))
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: &s3types.CORSConfiguration{CORSRules: corsRules}}); err != nil {
		t.Fatal(err)
	}
	site := map[string]string{
		"Access-Control-Allow-Origin": "https://example.com", "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE",
		"Access-Control-Expose-Headers": "ETag, x-amz-request-id", "Access-Control-Max-Age": "3000",
		"Access-Control-Allow-Credentials": "true", "Vary": corsVary}
	origin := func(o string) http.Header { return http.Header{"Origin": {o}} }

	resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/" + b + "/k", Header: origin("https://example.com")})
	if resp.Status != 200 || string(resp.Body) != "hello" {
		t.Fatalf("GET: %d %s", resp.Status, resp.Body)
	}
	wantHeaders(t, "GET", resp.Header, site)
	resp = do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/" + b + "/missing", Header: origin("https://example.com")})
	wantXMLError(t, resp, 404, "NoSuchKey")
	wantHeaders(t, "GET of a missing key", resp.Header, site)
	// A bad signature: refused before routing, still with the CORS headers.
	resp = do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/" + b + "/k", Header: origin("https://example.com"), SecretKey: "wrong"})
	wantXMLError(t, resp, 403, "SignatureDoesNotMatch")
	wantHeaders(t, "bad signature", resp.Header, site)
	// Anonymous: AccessDenied, with the headers.
	resp = do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/" + b + "/k", Header: origin("https://example.com"), Anonymous: true})
	wantXMLError(t, resp, 403, "AccessDenied")
	wantHeaders(t, "anonymous", resp.Header, site)
	// HEAD from anywhere: the "*" rule.
	resp = do(t, srv.HTTPURL, rawReq{Method: "HEAD", Path: "/" + b + "/k", Header: origin("http://elsewhere.test")})
	wantHeaders(t, "HEAD", resp.Header, map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD", "Vary": corsVary})
	// PUT from elsewhere: no rule, no headers (the request itself is served).
	resp = do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/" + b + "/k2", Body: []byte("x"), Header: origin("http://elsewhere.test")})
	if resp.Status != 200 {
		t.Fatalf("PUT: %d %s", resp.Status, resp.Body)
	}
	wantHeaders(t, "PUT from an origin no rule allows", resp.Header, nil)
	// A POST Object form from the site: the answer carries the headers too (the form's
	// fields replace the request's headers for the upload, the Origin stays).
	post, err := s3.NewPresignClient(c).PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("posted")})
	if err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for k, v := range post.Values {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "f.txt")
	fw.Write([]byte("posted"))
	mw.Close()
	req, _ := http.NewRequest("POST", post.URL, &form)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", "https://www.example.com")
	resp = doReq(t, req)
	if resp.Status != 204 {
		t.Fatalf("POST Object: %d %s", resp.Status, resp.Body)
	}
	wantHeaders(t, "POST Object", resp.Header, map[string]string{"Access-Control-Allow-Origin": "https://www.example.com",
		"Access-Control-Allow-Methods": "GET, PUT, POST, DELETE", "Access-Control-Expose-Headers": "ETag, x-amz-request-id",
		"Access-Control-Max-Age": "3000", "Access-Control-Allow-Credentials": "true", "Vary": corsVary})
	// No Origin: no headers.
	resp = do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/" + b + "/k"})
	wantHeaders(t, "GET without Origin", resp.Header, nil)
	// After DeleteBucketCors: none.
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	resp = do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/" + b + "/k", Header: origin("https://example.com")})
	wantHeaders(t, "GET after DeleteBucketCors", resp.Header, nil)
}

// TestCORSAuthzAndAudit: the configuration needs s3:PutBucketCORS / s3:GetBucketCORS (a
// caller with neither is refused, and DeleteBucketCors is s3:PutBucketCORS as on S3); the
// audit records of PutBucketCors and DeleteBucketCors are management events naming the
// bucket and the sub-resource; a preflight is recorded as an anonymous PreflightRequest.
func TestCORSAuthzAndAudit(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "cors-authz"
	mustCreateBucket(t, c, b)
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	reader := authzUser(t, root, "cors-reader", authzAllow(`["s3:GetObject","s3:ListBucket"]`, `"*"`))
	getter := authzUser(t, root, "cors-getter", authzAllow(`"s3:GetBucketCORS"`, `"arn:aws:s3:::`+b+`"`))
	rc, gc := authzS3(t, srv.HTTPURL, reader), authzS3(t, srv.HTTPURL, getter)
	cfg := &s3types.CORSConfiguration{CORSRules: corsRules}
	bucketARN := "arn:aws:s3:::" + b

	_, err := rc.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: cfg})
	wantS3Denied(t, "PutBucketCors without permission", err, s3DenyMsg(reader.ARN, "s3:PutBucketCORS", bucketARN, whyNoIdentity("s3:PutBucketCORS")))
	_, err = gc.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: cfg})
	wantS3Denied(t, "PutBucketCors with only s3:GetBucketCORS", err, s3DenyMsg(getter.ARN, "s3:PutBucketCORS", bucketARN, whyNoIdentity("s3:PutBucketCORS")))
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(b), CORSConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	_, err = rc.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)})
	wantS3Denied(t, "GetBucketCors without permission", err, s3DenyMsg(reader.ARN, "s3:GetBucketCORS", bucketARN, whyNoIdentity("s3:GetBucketCORS")))
	if _, err := gc.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b)}); err != nil {
		t.Errorf("GetBucketCors with s3:GetBucketCORS: %v", err)
	}
	_, err = gc.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)})
	wantS3Denied(t, "DeleteBucketCors with only s3:GetBucketCORS", err, s3DenyMsg(getter.ARN, "s3:PutBucketCORS", bucketARN, whyNoIdentity("s3:PutBucketCORS")))
	if resp := preflight(t, srv.HTTPURL, "/"+b+"/k", "", "https://example.com", "GET", ""); resp.Status != 200 {
		t.Fatalf("preflight: %d %s", resp.Status, resp.Body)
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}

	all := auditLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), "", "")
	ok := func(r map[string]any) bool { return r["errorCode"] == nil }
	wantFields(t, "PutBucketCors", findRecord(all, "PutBucketCors", ok), map[string]any{
		"requestParameters.cors": "", "requestParameters.bucketName": b, "managementEvent": true, "readOnly": false})
	wantFields(t, "DeleteBucketCors", findRecord(all, "DeleteBucketCors", ok), map[string]any{
		"requestParameters.cors": "", "requestParameters.bucketName": b, "managementEvent": true, "readOnly": false})
	wantFields(t, "refused PutBucketCors", findRecord(all, "PutBucketCors", func(r map[string]any) bool { return r["errorCode"] == "AccessDenied" }), map[string]any{
		"requestParameters.bucketName": b})
	wantFields(t, "GetBucketCors", findRecord(all, "GetBucketCors", ok), map[string]any{"readOnly": true, "managementEvent": true})
	wantFields(t, "PreflightRequest", findRecord(all, "PreflightRequest", nil), map[string]any{
		"requestParameters.key": "k", "managementEvent": false, "readOnly": true, "userIdentity.type": "AWSAccount", "userIdentity.accountId": "anonymous"})
}

// TestCORSCLI: the aws CLI v1 sets, reads and deletes a bucket's CORS configuration (it
// sends Content-MD5 itself), and reads S3's error for a bucket without one.
func TestCORSCLI(t *testing.T) {
	requireAWSCLI(t)
	t.Parallel()
	srv := StartServer(t)
	srv.AWS(t, srv.HTTPURL, false, "s3api", "create-bucket", "--bucket", "cors-cli")
	cfg := `{"CORSRules":[{"ID":"app","AllowedOrigins":["https://app.example.com"],"AllowedMethods":["GET","PUT"],` +
		`"AllowedHeaders":["*"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":600}]}`
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-cors", "--bucket", "cors-cli", "--cors-configuration", cfg)
	out := srv.AWS(t, srv.HTTPURL, false, "s3api", "get-bucket-cors", "--bucket", "cors-cli")
	var got struct{ CORSRules []map[string]any }
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("get-bucket-cors: %v\n%s", err, out)
	}
	if len(got.CORSRules) != 1 || mustJSON(got.CORSRules[0]) != `{"AllowedHeaders":["*"],"AllowedMethods":["GET","PUT"],"AllowedOrigins":["https://app.example.com"],"ExposeHeaders":["ETag"],"ID":"app","MaxAgeSeconds":600}` {
		t.Errorf("get-bucket-cors:\n%s", out)
	}
	srv.AWS(t, srv.HTTPURL, false, "s3api", "delete-bucket-cors", "--bucket", "cors-cli")
	if out := srv.AWS(t, srv.HTTPURL, true, "s3api", "get-bucket-cors", "--bucket", "cors-cli"); !strings.Contains(out, "NoSuchCORSConfiguration") ||
		!strings.Contains(out, "The CORS configuration does not exist") {
		t.Errorf("get-bucket-cors after delete-bucket-cors:\n%s", out)
	}
}
