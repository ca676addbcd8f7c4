package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// Server access logs (docs/ACCESS-LOGS.md), driven with aws-sdk-go-v2 and the aws CLI
// against a real server delivering every second.

// logLineRE reads one access log line as AWS's "Amazon S3 server access log format" page
// describes it: 26 space-separated fields, Time in brackets, Request-URI, Referer and
// User-Agent in quotes. Written independently of internal/accesslog on purpose.
var logLineRE = regexp.MustCompile(`^(\S+) (\S+) \[([^\]]+)\] (\S+) (\S+) (\S+) (\S+) (\S+) "((?:[^"\\]|\\.)*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$`)

var logFieldNames = []string{"BucketOwner", "Bucket", "Time", "RemoteIP", "Requester", "RequestID", "Operation", "Key",
	"RequestURI", "HTTPStatus", "ErrorCode", "BytesSent", "ObjectSize", "TotalTime", "TurnAroundTime", "Referer",
	"UserAgent", "VersionID", "HostID", "SignatureVersion", "CipherSuite", "AuthType", "HostHeader", "TLSVersion",
	"AccessPointARN", "ACLRequired"}

type logLine map[string]string

func parseLogLine(t testing.TB, s string) logLine {
	t.Helper()
	m := logLineRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("not an access log line: %q", s)
	}
	l := logLine{}
	for i, n := range logFieldNames {
		l[n] = m[i+1]
	}
	return l
}

// logLines reads every log object under prefix in bucket, by request id (a request id seen
// twice fails the test: a line is delivered once).
func logLines(t testing.TB, c *s3.Client, bucket, prefix string) (map[string]logLine, []string) {
	t.Helper()
	ctx := context.Background()
	out := map[string]logLine{}
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("listing logs: %v", err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
			g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatalf("GetObject %s: %v", aws.ToString(o.Key), err)
			}
			body, _ := io.ReadAll(g.Body)
			g.Body.Close()
			for _, s := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
				l := parseLogLine(t, s)
				if _, dup := out[l["RequestID"]]; dup {
					t.Fatalf("request %s logged twice", l["RequestID"])
				}
				out[l["RequestID"]] = l
			}
		}
	}
	return out, keys
}

// waitLogLines polls until every id has its line (delivery runs every second).
func waitLogLines(t testing.TB, c *s3.Client, bucket, prefix string, ids ...string) (map[string]logLine, []string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		lines, keys := logLines(t, c, bucket, prefix)
		missing := 0
		for _, id := range ids {
			if _, ok := lines[id]; !ok {
				missing++
			}
		}
		if missing == 0 {
			return lines, keys
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d requests not logged in s3://%s/%s after 60s", missing, len(ids), bucket, prefix)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func reqID(md middleware.Metadata) string { id, _ := awsmiddleware.GetRequestIDMetadata(md); return id }

func errReqID(t testing.TB, err error) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("not a response error: %v", err)
	}
	return re.ServiceRequestID()
}

// loggingPolicy lets the logging service write under prefix in bucket for source buckets of
// account.
func loggingPolicy(bucket, prefix, account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"S3ServerAccessLogsPolicy","Effect":"Allow",` +
		`"Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/` + prefix + `*",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`
}

func wantLogField(t testing.TB, l logLine, field, want string) {
	t.Helper()
	if l[field] != want {
		t.Errorf("request %s: %s = %q, want %q", l["RequestID"], field, l[field], want)
	}
}

func TestAccessLogConfigValidation(t *testing.T) {
	srv := StartServer(t, "--access-log-interval", "1s")
	c := srv.S3(srv.HTTPURL)
	ctx := context.Background()
	acct := authzAccount(t, srv)
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "logs")
	put := func(st *s3types.BucketLoggingStatus) error {
		_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("src"), BucketLoggingStatus: st})
		return err
	}
	enabled := func(target string) *s3types.BucketLoggingStatus {
		return &s3types.BucketLoggingStatus{LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String("l/")}}
	}
	// No logging yet: an empty BucketLoggingStatus.
	g, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")})
	if err != nil || g.LoggingEnabled != nil {
		t.Fatalf("GetBucketLogging before any: %+v %v", g, err)
	}
	wantAPIError(t, put(enabled("nosuchbucket")), "InvalidTargetBucketForLogging", 400)
	// The target's policy does not let the logging service write.
	wantAPIError(t, put(enabled("logs")), "InvalidTargetBucketForLogging", 400)
	// A policy that denies it.
	deny := strings.Replace(loggingPolicy("logs", "l/", acct), `"Effect":"Allow"`, `"Effect":"Deny"`, 1)
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logs"), Policy: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, put(enabled("logs")), "InvalidTargetBucketForLogging", 400)
	// A policy for another prefix does not cover l/.
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logs"), Policy: aws.String(loggingPolicy("logs", "other/", acct))}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, put(enabled("logs")), "InvalidTargetBucketForLogging", 400)
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logs"), Policy: aws.String(loggingPolicy("logs", "", acct))}); err != nil {
		t.Fatal(err)
	}
	// TargetGrants on a BucketOwnerEnforced target (the default for new buckets).
	withGrants := enabled("logs")
	withGrants.LoggingEnabled.TargetGrants = []s3types.TargetGrant{{Permission: s3types.BucketLogsPermissionRead,
		Grantee: &s3types.Grantee{Type: s3types.TypeCanonicalUser, ID: aws.String("abc")}}}
	wantAPIError(t, put(withGrants), "AccessControlListNotSupported", 400)
	// A partition date source S3 does not know.
	bad := enabled("logs")
	bad.LoggingEnabled.TargetObjectKeyFormat = &s3types.TargetObjectKeyFormat{PartitionedPrefix: &s3types.PartitionedPrefix{PartitionDateSource: "Yesterday"}}
	wantAPIError(t, put(bad), "MalformedXML", 400)
	// Round trip, both key formats.
	if err := put(enabled("logs")); err != nil {
		t.Fatalf("PutBucketLogging: %v", err)
	}
	g, err = c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")})
	if err != nil || g.LoggingEnabled == nil || aws.ToString(g.LoggingEnabled.TargetBucket) != "logs" || aws.ToString(g.LoggingEnabled.TargetPrefix) != "l/" {
		t.Fatalf("GetBucketLogging: %+v %v", g.LoggingEnabled, err)
	}
	part := enabled("logs")
	part.LoggingEnabled.TargetObjectKeyFormat = &s3types.TargetObjectKeyFormat{PartitionedPrefix: &s3types.PartitionedPrefix{PartitionDateSource: s3types.PartitionDateSourceEventTime}}
	if err := put(part); err != nil {
		t.Fatalf("PutBucketLogging partitioned: %v", err)
	}
	g, err = c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")})
	if err != nil || g.LoggingEnabled.TargetObjectKeyFormat == nil || g.LoggingEnabled.TargetObjectKeyFormat.PartitionedPrefix == nil ||
		g.LoggingEnabled.TargetObjectKeyFormat.PartitionedPrefix.PartitionDateSource != s3types.PartitionDateSourceEventTime {
		t.Fatalf("GetBucketLogging partitioned: %+v %v", g.LoggingEnabled, err)
	}

	// The aws CLI: read it, turn it off with an empty status, turn it on again.
	requireAWSCLI(t)
	var got struct {
		LoggingEnabled *struct {
			TargetBucket, TargetPrefix string
			TargetObjectKeyFormat      map[string]any
		}
	}
	if err := json.Unmarshal([]byte(srv.AWS(t, srv.HTTPURL, false, "s3api", "get-bucket-logging", "--bucket", "src")), &got); err != nil ||
		got.LoggingEnabled == nil || got.LoggingEnabled.TargetBucket != "logs" || got.LoggingEnabled.TargetObjectKeyFormat["PartitionedPrefix"] == nil {
		t.Fatalf("aws s3api get-bucket-logging: %+v %v", got, err)
	}
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-logging", "--bucket", "src", "--bucket-logging-status", "{}")
	if out := strings.TrimSpace(srv.AWS(t, srv.HTTPURL, false, "s3api", "get-bucket-logging", "--bucket", "src")); out != "" && out != "{}" {
		t.Fatalf("get-bucket-logging after turning it off: %q", out)
	}
	out := srv.AWS(t, srv.HTTPURL, true, "s3api", "put-bucket-logging", "--bucket", "src", "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"nosuchbucket","TargetPrefix":"x/"}}`)
	if !strings.Contains(out, "InvalidTargetBucketForLogging") {
		t.Fatalf("aws put-bucket-logging to a missing bucket: %s", out)
	}
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-bucket-logging", "--bucket", "src", "--bucket-logging-status",
		`{"LoggingEnabled":{"TargetBucket":"logs","TargetPrefix":"cli/","TargetObjectKeyFormat":{"SimplePrefix":{}}}}`)
	if err := json.Unmarshal([]byte(srv.AWS(t, srv.HTTPURL, false, "s3api", "get-bucket-logging", "--bucket", "src")), &got); err != nil ||
		got.LoggingEnabled == nil || got.LoggingEnabled.TargetPrefix != "cli/" {
		t.Fatalf("aws s3api get-bucket-logging: %+v %v", got, err)
	}

	// Callers without permission are refused; one allowed only to read may only read.
	root := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	none := authzS3(t, srv.HTTPURL, authzUser(t, root, "nobody"))
	reader := authzS3(t, srv.HTTPURL, authzUser(t, root, "reader", authzAllow(`"s3:GetBucketLogging"`, `"arn:aws:s3:::src"`)))
	_, err = none.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")})
	wantAPIError(t, err, "AccessDenied", 403)
	_, err = none.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("src"), BucketLoggingStatus: &s3types.BucketLoggingStatus{}})
	wantAPIError(t, err, "AccessDenied", 403)
	if _, err := reader.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")}); err != nil {
		t.Fatalf("GetBucketLogging allowed: %v", err)
	}
	_, err = reader.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("src"), BucketLoggingStatus: &s3types.BucketLoggingStatus{}})
	wantAPIError(t, err, "AccessDenied", 403)
	if g, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String("src")}); err != nil || g.LoggingEnabled == nil {
		t.Fatalf("a refused PutBucketLogging changed the configuration: %+v %v", g, err)
	}
}

func TestAccessLogDelivery(t *testing.T) {
	srv := StartServer(t, "--access-log-interval", "1s")
	c := srv.S3(srv.HTTPURL)
	ctx := context.Background()
	acct := authzAccount(t, srv)
	for _, b := range []string{"src", "src2", "logs", "logs-kms"} {
		mustCreateBucket(t, c, b)
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ownerID := aws.ToString(lb.Owner.ID)
	// logs-kms encrypts with a customer managed key by default.
	kc := authzKMS(t, srv.HTTPURL, authzRoot(acct))
	kmsKey, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(kmsKey.KeyMetadata.Arn)
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("logs-kms"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(keyARN)}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"logs", "logs-kms"} {
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(loggingPolicy(b, "", acct))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("src"), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String("logs"), TargetPrefix: aws.String("simple/")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("src2"), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String("logs-kms"), TargetPrefix: aws.String("part/"),
			TargetObjectKeyFormat: &s3types.TargetObjectKeyFormat{PartitionedPrefix: &s3types.PartitionedPrefix{PartitionDateSource: s3types.PartitionDateSourceDeliveryTime}}}}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Second)

	// What the test does, to compare each line with.
	body := []byte("hello access logs")
	key := "dir/a key+é.txt"
	p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(key), Body: strings.NewReader(string(body))})
	if err != nil {
		t.Fatal(err)
	}
	putID := reqID(p.ResultMetadata)
	gt, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, gt.Body)
	gt.Body.Close()
	getID := reqID(gt.ResultMetadata)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("src"), Key: aws.String("missing")})
	headID := errReqID(t, err)
	// An anonymous request, with a Referer, refused.
	req, _ := http.NewRequest(http.MethodGet, srv.HTTPURL+"/src/"+s3Escape(key), nil)
	req.Header.Set("Referer", "http://example.com/page")
	req.Header.Set("User-Agent", `curl "quoted"`)
	resp, err := HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	anonID := resp.Header.Get("x-amz-request-id")
	// Over TLS.
	tc := srv.S3(srv.HTTPSURL)
	lo, err := tc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	listID := reqID(lo.ResultMetadata)
	// A presigned URL: its signature must not reach the log.
	ps, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	sig := regexp.MustCompile(`X-Amz-Signature=([0-9a-f]+)`).FindStringSubmatch(ps.URL)
	presp, err := HTTPClient().Get(ps.URL)
	if err != nil || presp.StatusCode != 200 || sig == nil {
		t.Fatalf("presigned GET: %v %v %q", presp, err, ps.URL)
	}
	io.Copy(io.Discard, presp.Body)
	presp.Body.Close()
	presignID := presp.Header.Get("x-amz-request-id")
	// src2 logs into the SSE-KMS bucket with partitioned keys.
	p2, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src2"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	put2ID := reqID(p2.ResultMetadata)
	end := time.Now().UTC().Add(time.Second)

	lines, keys := waitLogLines(t, c, "logs", "simple/", putID, getID, headID, anonID, listID, presignID)
	simpleKey := regexp.MustCompile(`^simple/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`)
	for _, k := range keys {
		if !simpleKey.MatchString(k) {
			t.Errorf("log object key %q is not SimplePrefix's", k)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("logs"), Key: aws.String(k)})
		if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
			t.Errorf("log object %s: encryption %q, want AES256 (the target's default): %v", k, h.ServerSideEncryption, err)
		}
	}
	for _, l := range lines {
		at, err := time.Parse("02/Jan/2006:15:04:05 -0700", l["Time"])
		if err != nil || at.Before(start.Add(-time.Second)) || at.After(end) {
			t.Errorf("request %s: Time %q not within the test", l["RequestID"], l["Time"])
		}
		if l["Bucket"] == "src" {
			wantLogField(t, l, "BucketOwner", ownerID)
		}
		wantLogField(t, l, "RemoteIP", "127.0.0.1")
		wantLogField(t, l, "AccessPointARN", "-")
		wantLogField(t, l, "ACLRequired", "-")
		if _, err := strconv.Atoi(l["TotalTime"]); err != nil {
			t.Errorf("request %s: TotalTime %q", l["RequestID"], l["TotalTime"])
		}
	}
	rootARN := "arn:aws:iam::" + acct + ":root"
	escKey := "dir/a%20key%2B%C3%A9.txt"
	host := strings.TrimPrefix(srv.HTTPURL, "http://")
	l := lines[putID]
	for f, want := range map[string]string{"Bucket": "src", "Requester": rootARN, "Operation": "REST.PUT.OBJECT", "Key": escKey,
		"HTTPStatus": "200", "ErrorCode": "-", "BytesSent": "-", "ObjectSize": strconv.Itoa(len(body)), "Referer": "-",
		"VersionID": "-", "SignatureVersion": "SigV4", "CipherSuite": "-", "AuthType": "AuthHeader", "HostHeader": host, "TLSVersion": "-"} {
		wantLogField(t, l, f, want)
	}
	if !strings.HasPrefix(l["RequestURI"], "PUT /src/"+s3Escape(key)) || !strings.HasSuffix(l["RequestURI"], " HTTP/1.1") {
		t.Errorf("PUT Request-URI %q", l["RequestURI"])
	}
	if !strings.Contains(l["UserAgent"], "aws-sdk-go-v2") {
		t.Errorf("PUT User-Agent %q", l["UserAgent"])
	}
	if hid, _ := s3.GetHostIDMetadata(p.ResultMetadata); l["HostID"] != hid {
		t.Errorf("PUT HostID %q, want the x-amz-id-2 %q", l["HostID"], hid)
	}
	l = lines[getID]
	for f, want := range map[string]string{"Operation": "REST.GET.OBJECT", "Key": escKey, "HTTPStatus": "200", "BytesSent": strconv.Itoa(len(body)),
		"ObjectSize": strconv.Itoa(len(body)), "Requester": rootARN} {
		wantLogField(t, l, f, want)
	}
	l = lines[headID]
	for f, want := range map[string]string{"Operation": "REST.HEAD.OBJECT", "Key": "missing", "HTTPStatus": "404", "ErrorCode": "NoSuchKey"} {
		wantLogField(t, l, f, want)
	}
	l = lines[anonID]
	for f, want := range map[string]string{"Operation": "REST.GET.OBJECT", "Requester": "-", "HTTPStatus": "403", "ErrorCode": "AccessDenied",
		"Referer": "http://example.com/page", "UserAgent": `curl \"quoted\"`, "SignatureVersion": "-", "AuthType": "-"} {
		wantLogField(t, l, f, want)
	}
	l = lines[listID]
	for f, want := range map[string]string{"Operation": "REST.GET.BUCKET", "Key": "-", "HTTPStatus": "200", "TLSVersion": "TLSv1.3",
		"HostHeader": strings.TrimPrefix(srv.HTTPSURL, "https://")} {
		wantLogField(t, l, f, want)
	}
	if l["CipherSuite"] == "-" {
		t.Errorf("TLS request without a cipher suite")
	}

	l = lines[presignID]
	for f, want := range map[string]string{"Operation": "REST.GET.OBJECT", "HTTPStatus": "200", "AuthType": "QueryString", "SignatureVersion": "SigV4", "Requester": rootARN} {
		wantLogField(t, l, f, want)
	}
	if strings.Contains(l["RequestURI"], sig[1]) || !strings.Contains(l["RequestURI"], "X-Amz-Signature=REDACTED") {
		t.Errorf("presigned Request-URI %q: the signature is not redacted", l["RequestURI"])
	}

	// Partitioned keys, encrypted under the SSE-KMS default of the target.
	_, keys = waitLogLines(t, c, "logs-kms", "part/", put2ID)
	partKey := regexp.MustCompile(`^part/` + acct + `/` + testRegion + `/src2/(\d{4})/(\d{2})/(\d{2})/(\d{4})-(\d{2})-(\d{2})-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`)
	for _, k := range keys {
		m := partKey.FindStringSubmatch(k)
		if m == nil || m[1] != m[4] || m[2] != m[5] || m[3] != m[6] {
			t.Errorf("log object key %q is not PartitionedPrefix's (DeliveryTime)", k)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("logs-kms"), Key: aws.String(k)})
		if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != keyARN {
			t.Errorf("log object %s: %q %q, want aws:kms under %s: %v", k, h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), keyARN, err)
		}
	}
}

// TestAccessLogCrash: requests answered before a kill -9 are delivered after the restart,
// each exactly once.
func TestAccessLogCrash(t *testing.T) {
	dir := t.TempDir()
	srv := StartServerAt(t, dir, "--access-log-interval", "1s")
	c := srv.S3(srv.HTTPURL)
	ctx := context.Background()
	acct := authzAccount(t, srv)
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "logs")
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logs"), Policy: aws.String(loggingPolicy("logs", "", acct))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("src"), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String("logs"), TargetPrefix: aws.String("l/")}}}); err != nil {
		t.Fatal(err)
	}
	puts := func(n int, tag string) []string {
		var ids []string
		for i := range n {
			p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(tag + strconv.Itoa(i)), Body: strings.NewReader(tag)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, reqID(p.ResultMetadata))
		}
		// A management change is committed before its answer, and takes the queued records
		// with it (docs/AUDIT.md, Durability): every request above is now durable.
		tg, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("src"),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("round"), Value: aws.String(tag)}}}})
		if err != nil {
			t.Fatal(err)
		}
		return append(ids, reqID(tg.ResultMetadata))
	}
	first := puts(20, "a")
	waitLogLines(t, c, "logs", "l/", first...)
	second := puts(200, "b")
	srv.Kill()

	srv = StartServerAt(t, dir, "--access-log-interval", "1s")
	c = srv.S3(srv.HTTPURL)
	third := puts(1, "c")
	all := append(append(append([]string(nil), first...), second...), third...)
	lines, _ := waitLogLines(t, c, "logs", "l/", all...) // fails on a line delivered twice
	if len(lines) < len(all) {
		t.Fatalf("%d lines for %d requests", len(lines), len(all))
	}
}
