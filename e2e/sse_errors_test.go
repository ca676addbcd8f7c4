package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// AWS's messages for the SSE validation errors (reference §1.4; the number is the row).
const (
	sseMsg1  = "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"
	sseMsg2  = "The Encryption request you specified is not valid. Supported value: AES256."
	sseMsg3  = "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm."
	sseMsg4  = "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."
	sseMsg5  = "The secret key was invalid for the specified algorithm."
	sseMsg6  = "The calculated MD5 hash of the key did not match the hash that was provided."
	sseMsg7  = "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key."
	sseMsg8  = "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."
	sseMsg9  = "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."
	sseMsg10 = "Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key."
	sseMsg12 = "The encryption parameters are not applicable to this object."
	sseMsg13 = "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters."
	sseMsg14 = "The provided encryption parameters did not match the ones used originally."
	sseMsg15 = "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms"
	sseMsg16 = "The encryption method specified is not supported"
	sseMsg18 = "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
)

const (
	hSSEAlg = "x-amz-server-side-encryption-customer-algorithm"
	hSSEKey = "x-amz-server-side-encryption-customer-key"
	hSSEMD5 = "x-amz-server-side-encryption-customer-key-MD5"
)

// sseKey44 is sseCK1 base64-encoded once more, as a caller that hands boto3 an
// already-encoded key ends up sending (reference §1.1): 44 bytes, with their own MD5.
var sseKey44 = sseCKeyOf([]byte(sseCK1.B64))

// sseErrorTests are the rows of reference §1.4 that a single request can show, against the
// fixtures of TestSSEErrors in bucket sse-errors: c-obj (SSE-C under sseCK1), s3-obj
// (default SSE-S3) and kms-obj (aws:kms). Every request but the "plain" ones goes over HTTPS.
var sseErrorTests = []struct {
	name   string
	method string
	key    string // object key in sse-errors
	query  string
	plain  bool // over plain HTTP
	header http.Header
	want   sseWant
}{
	{"#1 AES256 and SSE-C on PUT", "PUT", "new", "", false,
		sseMerge(sseHdr("x-amz-server-side-encryption", "AES256"), sseCK1.header()),
		sseWant{400, "InvalidArgument", sseMsg1, "x-amz-server-side-encryption", "AES256"}},
	{"#1 aws:kms and SSE-C on PUT", "PUT", "new", "", false,
		sseMerge(sseHdr("x-amz-server-side-encryption", "aws:kms"), sseCK1.header()),
		sseWant{400, "InvalidArgument", sseMsg1, "x-amz-server-side-encryption", "aws:kms"}},
	{"#1 AES256 and SSE-C on a copy target", "PUT", "new", "", false,
		sseMerge(sseHdr("x-amz-copy-source", "/sse-errors/s3-obj", "x-amz-server-side-encryption", "AES256"), sseCK1.header()),
		sseWant{400, "InvalidArgument", sseMsg1, "x-amz-server-side-encryption", "AES256"}},

	{"#2 algorithm AES128 on PUT", "PUT", "new", "", false, sseCK1.headerAs("x-amz-", "AES128"),
		sseWant{400, "InvalidEncryptionAlgorithmError", sseMsg2, "x-amz-server-side-encryption", "AES128"}},
	{"#2 algorithm AES128 on GET", "GET", "c-obj", "", false, sseCK1.headerAs("x-amz-", "AES128"),
		sseWant{400, "InvalidEncryptionAlgorithmError", sseMsg2, "x-amz-server-side-encryption", "AES128"}},
	{"#2 algorithm AES128 on a copy target", "PUT", "new", "", false,
		sseMerge(sseHdr("x-amz-copy-source", "/sse-errors/s3-obj"), sseCK1.headerAs("x-amz-", "AES128")),
		sseWant{400, "InvalidEncryptionAlgorithmError", sseMsg2, "x-amz-server-side-encryption", "AES128"}},
	{"#2 algorithm AES128 on a copy source", "PUT", "new", "", false,
		sseMerge(sseHdr("x-amz-copy-source", "/sse-errors/c-obj"), sseCK1.headerAs("x-amz-copy-source-", "AES128")),
		sseWant{400, "InvalidEncryptionAlgorithmError", sseMsg2, "x-amz-server-side-encryption", "AES128"}},

	{"#3 key without algorithm", "PUT", "new", "", false, sseHdr(hSSEKey, sseCK1.B64, hSSEMD5, sseCK1.MD5),
		sseWant{400, "InvalidArgument", sseMsg3, "x-amz-server-side-encryption", ""}},
	{"#4 algorithm without key", "PUT", "new", "", false, sseHdr(hSSEAlg, "AES256", hSSEMD5, sseCK1.MD5),
		sseWant{400, "InvalidArgument", sseMsg4, "x-amz-server-side-encryption", ""}},
	{"#5 16-byte key", "PUT", "new", "", false, sseCKeyOf(sseCK1.Raw[:16]).header(),
		sseWant{400, "InvalidArgument", sseMsg5, "x-amz-server-side-encryption", ""}},
	{"#5 44-byte (double-encoded) key on PUT", "PUT", "new", "", false, sseKey44.header(),
		sseWant{400, "InvalidArgument", sseMsg5, "x-amz-server-side-encryption", ""}},
	{"#6 MD5 of another key", "PUT", "new", "", false, sseHdr(hSSEAlg, "AES256", hSSEKey, sseCK1.B64, hSSEMD5, sseCK2.MD5),
		sseWant{400, "InvalidArgument", sseMsg6, "x-amz-server-side-encryption", ""}},
	{"#7 no key MD5 (MinIO's text)", "PUT", "new", "", false, sseHdr(hSSEAlg, "AES256", hSSEKey, sseCK1.B64),
		sseWant{400, "InvalidArgument", sseMsg7, "", ""}},

	{"#8 SSE-C PUT over plain HTTP", "PUT", "new", "", true, sseCK1.header(),
		sseWant{400, "InvalidRequest", sseMsg8, "", ""}},
	{"#8 SSE-C GET over plain HTTP", "GET", "c-obj", "", true, sseCK1.header(),
		sseWant{400, "InvalidRequest", sseMsg8, "", ""}},

	{"#8 SSE-C HEAD over plain HTTP", "HEAD", "c-obj", "", true, sseCK1.header(),
		sseWant{Status: 400}},

	{"#8 copy with an SSE-C source over plain HTTP", "PUT", "new", "", true,
		sseMerge(sseHdr("x-amz-copy-source", "/sse-errors/c-obj"), sseCK1.srcHeader()),
		sseWant{400, "InvalidRequest", sseMsg8, "", ""}},

	{"#9 GET of an SSE-C object without the key", "GET", "c-obj", "", false, nil,
		sseWant{400, "InvalidRequest", sseMsg9, "", ""}},
	{"#9 HEAD of an SSE-C object without the key", "HEAD", "c-obj", "", false, nil,
		sseWant{Status: 400}},
	{"#9 copy from an SSE-C object without the copy-source key", "PUT", "new", "", false, sseHdr("x-amz-copy-source", "/sse-errors/c-obj"),
		sseWant{400, "InvalidRequest", sseMsg9, "", ""}},
	// Reads check the object first: no MD5 header is #9 before any format check (§1.4).
	{"#9 GET of an SSE-C object with key but no MD5", "GET", "c-obj", "", false, sseHdr(hSSEAlg, "AES256", hSSEKey, sseCK1.B64),
		sseWant{400, "InvalidRequest", sseMsg9, "", ""}},

	{"#10 GET with another key", "GET", "c-obj", "", false, sseCK2.header(),
		sseWant{403, "AccessDenied", sseMsg10, "", ""}},
	{"#10 HEAD with another key", "HEAD", "c-obj", "", false, sseCK2.header(),
		sseWant{Status: 403}},
	// The stored MD5 is compared before the key's format: a 44-byte key is 403, not #5.
	{"#10 GET with the 44-byte double-encoded key", "GET", "c-obj", "", false, sseKey44.header(),
		sseWant{403, "AccessDenied", sseMsg10, "", ""}},

	{"#11 GET of an SSE-S3 object with x-amz-server-side-encryption", "GET", "s3-obj", "", false, sseHdr("x-amz-server-side-encryption", "AES256"),
		sseWant{Status: 400}},
	{"#11 HEAD of an SSE-S3 object with x-amz-server-side-encryption", "HEAD", "s3-obj", "", false, sseHdr("x-amz-server-side-encryption", "AES256"),
		sseWant{Status: 400}},
	{"#11 GET of an SSE-KMS object with x-amz-server-side-encryption", "GET", "kms-obj", "", false, sseHdr("x-amz-server-side-encryption", "aws:kms"),
		sseWant{Status: 400}},

	{"#12 SSE-C headers on GET of an SSE-S3 object", "GET", "s3-obj", "", false, sseCK1.header(),
		sseWant{400, "InvalidRequest", sseMsg12, "", ""}},
	{"#12 SSE-C headers on GET of an SSE-KMS object", "GET", "kms-obj", "", false, sseCK1.header(),
		sseWant{400, "InvalidRequest", sseMsg12, "", ""}},

	{"#15 KMS key id without x-amz-server-side-encryption", "PUT", "new", "", false,
		sseHdr("x-amz-server-side-encryption-aws-kms-key-id", "alias/whatever"),
		sseWant{400, "InvalidArgument", sseMsg15, "", ""}},
	{"#15 KMS key id with AES256", "PUT", "new", "", false,
		sseHdr("x-amz-server-side-encryption", "AES256", "x-amz-server-side-encryption-aws-kms-key-id", "alias/whatever"),
		sseWant{400, "InvalidArgument", sseMsg15, "", ""}},
	{"#16 unknown algorithm aes:kms", "PUT", "new", "", false, sseHdr("x-amz-server-side-encryption", "aes:kms"),
		sseWant{400, "InvalidArgument", sseMsg16, "", ""}},
	{"#16 unknown algorithm on a copy", "PUT", "new", "", false,
		sseHdr("x-amz-copy-source", "/sse-errors/s3-obj", "x-amz-server-side-encryption", "AES512"),
		sseWant{400, "InvalidArgument", sseMsg16, "", ""}},
	// CreateMultipartUpload validates like PUT.
	{"#1 AES256 and SSE-C on CreateMultipartUpload", "POST", "new", "uploads", false,
		sseMerge(sseHdr("x-amz-server-side-encryption", "AES256"), sseCK1.header()),
		sseWant{400, "InvalidArgument", sseMsg1, "x-amz-server-side-encryption", "AES256"}},
	{"#2 algorithm AES128 on CreateMultipartUpload", "POST", "new", "uploads", false, sseCK1.headerAs("x-amz-", "AES128"),
		sseWant{400, "InvalidEncryptionAlgorithmError", sseMsg2, "x-amz-server-side-encryption", "AES128"}},
	{"#6 MD5 of another key on CreateMultipartUpload", "POST", "new", "uploads", false, sseHdr(hSSEAlg, "AES256", hSSEKey, sseCK1.B64, hSSEMD5, sseCK2.MD5),
		sseWant{400, "InvalidArgument", sseMsg6, "x-amz-server-side-encryption", ""}},
	{"#8 SSE-C CreateMultipartUpload over plain HTTP", "POST", "new", "uploads", true, sseCK1.header(),
		sseWant{400, "InvalidRequest", sseMsg8, "", ""}},
	{"#15 KMS key id without aws:kms on CreateMultipartUpload", "POST", "new", "uploads", false,
		sseHdr("x-amz-server-side-encryption-aws-kms-key-id", "alias/whatever"),
		sseWant{400, "InvalidArgument", sseMsg15, "", ""}},
	{"#16 unknown algorithm on CreateMultipartUpload", "POST", "new", "uploads", false, sseHdr("x-amz-server-side-encryption", "aes:kms"),
		sseWant{400, "InvalidArgument", sseMsg16, "", ""}},
	{"#18 self-copy changing nothing", "PUT", "s3-obj", "", false, sseHdr("x-amz-copy-source", "/sse-errors/s3-obj"),
		sseWant{400, "InvalidRequest", sseMsg18, "", ""}},
}

// TestSSEErrors sends each row of reference §1.4 as a raw signed request and checks status,
// code, exact message and ArgumentName/ArgumentValue; then the multipart rows #13/#14.
func TestSSEErrors(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	const bucket = "sse-errors"
	mustCreateSSECBucket(t, c, bucket)
	cObj := []byte("stored under a customer key")
	putC := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("c-obj"), Body: bytes.NewReader(cObj)}
	sseMode{C: &sseCK1}.put(putC)
	if _, err := c.PutObject(ctx, putC); err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, bucket, "s3-obj", []byte("stored under SSE-S3"))
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("kms-obj"),
		Body: strings.NewReader("stored under aws/s3"), ServerSideEncryption: types.ServerSideEncryptionAwsKms}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range sseErrorTests {
		t.Run(tc.name, func(t *testing.T) {
			ep := srv.HTTPSURL
			if tc.plain {
				ep = srv.HTTPURL
			}
			var body []byte
			if tc.method == http.MethodPut && tc.header.Get("x-amz-copy-source") == "" {
				body = []byte("new data")
			}
			resp := sseRaw(t, ep, tc.method, "/"+bucket+"/"+tc.key, tc.query, tc.header, body)
			sseCheckError(t, tc.method+" "+tc.key, tc.method, resp, tc.want)
		})
	}
	// No failed write left an object behind, and the fixtures are unchanged.
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("new")}); err == nil {
		t.Errorf("a rejected write created sse-errors/new")
	}
	got, _ := mustGet(t, c, func() *s3.GetObjectInput {
		in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c-obj")}
		sseMode{C: &sseCK1}.get(in)
		return in
	}())
	if !bytes.Equal(got, cObj) {
		t.Errorf("c-obj reads back %q", got)
	}

	t.Run("multipart #13 #14", func(t *testing.T) {
		cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu-c")}
		sseMode{C: &sseCK1}.create(cin)
		cu, err := c.CreateMultipartUpload(ctx, cin)
		if err != nil {
			t.Fatal(err)
		}
		pu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu-plain")})
		if err != nil {
			t.Fatal(err)
		}
		if pu.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("CreateMultipartUpload without headers: ServerSideEncryption %q, want AES256 (§1.7)", pu.ServerSideEncryption)
		}
		partQ := func(id string) string { return "partNumber=1&uploadId=" + id }
		part := []byte("part data")
		rows := []struct {
			name   string
			key    string
			upload string
			header http.Header
			body   []byte
			want   sseWant
		}{
			{"#13 part without SSE-C of an SSE-C upload", "mpu-c", *cu.UploadId, nil, part, sseWant{400, "InvalidRequest", sseMsg13, "", ""}},
			{"#13 part with SSE-C of a plain upload", "mpu-plain", *pu.UploadId, sseCK1.header(), part, sseWant{400, "InvalidRequest", sseMsg13, "", ""}},
			{"#14 part with another key", "mpu-c", *cu.UploadId, sseCK2.header(), part, sseWant{400, "InvalidRequest", sseMsg14, "", ""}},
			{"#13 part copy without SSE-C of an SSE-C upload", "mpu-c", *cu.UploadId,
				sseHdr("x-amz-copy-source", "/sse-errors/s3-obj"), nil, sseWant{400, "InvalidRequest", sseMsg13, "", ""}},
			{"#14 part copy with another key", "mpu-c", *cu.UploadId,
				sseMerge(sseHdr("x-amz-copy-source", "/sse-errors/s3-obj"), sseCK2.header()), nil, sseWant{400, "InvalidRequest", sseMsg14, "", ""}},
			{"#13 part copy with SSE-C of a plain upload", "mpu-plain", *pu.UploadId,
				sseMerge(sseHdr("x-amz-copy-source", "/sse-errors/s3-obj"), sseCK1.header()), nil, sseWant{400, "InvalidRequest", sseMsg13, "", ""}},
			{"#9 part copy from an SSE-C object without the copy-source key", "mpu-plain", *pu.UploadId,
				sseHdr("x-amz-copy-source", "/sse-errors/c-obj"), nil, sseWant{400, "InvalidRequest", sseMsg9, "", ""}},
		}
		for _, r := range rows {
			resp := sseRaw(t, srv.HTTPSURL, http.MethodPut, "/"+bucket+"/"+r.key, partQ(r.upload), r.header, r.body)
			sseCheckError(t, r.name, http.MethodPut, resp, r.want)
		}
		sseCheckError(t, "#8 SSE-C part over plain HTTP", http.MethodPut,
			sseRaw(t, srv.HTTPURL, http.MethodPut, "/"+bucket+"/mpu-c", partQ(*cu.UploadId), sseCK1.header(), part),
			sseWant{400, "InvalidRequest", sseMsg8, "", ""})
		// The right key works, and every part echoes the algorithm and key MD5 (§1.7).
		resp := sseRaw(t, srv.HTTPSURL, http.MethodPut, "/"+bucket+"/mpu-c", partQ(*cu.UploadId), sseCK1.header(), part)
		if resp.Status != 200 || resp.Header.Get(hSSEAlg) != "AES256" || resp.Header.Get(hSSEMD5) != sseCK1.MD5 {
			t.Errorf("UploadPart with the upload's key: %d, algorithm %q MD5 %q\n%s", resp.Status, resp.Header.Get(hSSEAlg), resp.Header.Get(hSSEMD5), resp.Body)
		}
	})
}

// TestSSEKMSErrors: KMS failures surface from S3 as KMS.<Exception> with status 400 and the
// KMS message (reference §1.5), on PUT, CreateMultipartUpload, CopyObject and GET.
func TestSSEKMSErrors(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	const bucket = "sse-kms-errors"
	mustCreateBucket(t, c, bucket)
	mustPut(t, c, bucket, "plain", []byte("copy source"))
	existingID, existingARN := sseCreateKey(t, kc, "exists")
	acct := strings.Split(existingARN, ":")[4]
	missing := "00000000-0000-4000-8000-000000000000"
	missingARN := "arn:aws:kms:us-east-1:" + acct + ":key/" + missing

	kmsHdr := func(keyID string) http.Header {
		return sseHdr("x-amz-server-side-encryption", "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id", keyID)
	}
	notFound := func(msg string) sseWant { return sseWant{400, "KMS.NotFoundException", msg, "", ""} }
	put := func(t *testing.T, what, key string, h http.Header, w sseWant) {
		t.Helper()
		sseCheckError(t, what, "PUT", sseRaw(t, srv.HTTPSURL, "PUT", "/"+bucket+"/"+key, "", h, []byte("data")), w)
	}

	t.Run("not found", func(t *testing.T) {
		rows := []struct {
			name, keyID string
			want        sseWant
		}{
			{"malformed id", "fake-key-id", notFound("Invalid keyId 'fake-key-id'")},
			{"missing UUID", missing, notFound("Key '" + missingARN + "' does not exist")},
			{"missing key ARN", missingARN, notFound("Key '" + missingARN + "' does not exist")},
			{"key ARN of another region", "arn:aws:kms:eu-west-1:" + acct + ":key/" + existingID, notFound("Invalid arn eu-west-1")},
			{"unknown alias", "alias/no-such-alias", notFound("Alias arn:aws:kms:us-east-1:" + acct + ":alias/no-such-alias is not found.")},
		}
		for _, r := range rows {
			put(t, "PUT "+r.name, "nf", kmsHdr(r.keyID), r.want)
		}
		// aws/s3 without the alias/ prefix (reference §1.5 quotes `Invalid keyId aws/s3`
		// from an older AWS answer; today's KMS quotes the id as in 'fake-key-id').
		resp := sseRaw(t, srv.HTTPSURL, "PUT", "/"+bucket+"/nf", "", kmsHdr("aws/s3"), []byte("data"))
		if msg := sseErrMessage(resp); resp.Status != 400 || !strings.Contains(string(resp.Body), "<Code>KMS.NotFoundException</Code>") ||
			(msg != "Invalid keyId aws/s3" && msg != "Invalid keyId 'aws/s3'") {
			t.Errorf("PUT with key id aws/s3: %d\n%s", resp.Status, resp.Body)
		}
		// The same on CreateMultipartUpload and CopyObject.
		sseCheckError(t, "CreateMultipartUpload fake-key-id", "POST",
			sseRaw(t, srv.HTTPSURL, "POST", "/"+bucket+"/nf", "uploads", kmsHdr("fake-key-id"), nil), notFound("Invalid keyId 'fake-key-id'"))
		sseCheckError(t, "CopyObject fake-key-id", "PUT",
			sseRaw(t, srv.HTTPSURL, "PUT", "/"+bucket+"/nf", "", sseMerge(kmsHdr("fake-key-id"), sseHdr("x-amz-copy-source", "/"+bucket+"/plain")), nil),
			notFound("Invalid keyId 'fake-key-id'"))
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("nf")}); err == nil {
			t.Errorf("a PUT refused by KMS left an object behind")
		}
	})

	t.Run("disabled", func(t *testing.T) {
		id, arn := sseCreateKey(t, kc, "to disable")
		body := []byte("under a key that will be disabled")
		sseCheckOK(t, sseRaw(t, srv.HTTPSURL, "PUT", "/"+bucket+"/dis", "", kmsHdr(id), body))
		if _, err := kc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		want := sseWant{400, "KMS.DisabledException", arn + " is disabled.", "", ""}
		put(t, "PUT with a disabled key", "dis2", kmsHdr(id), want)
		sseCheckError(t, "GET under a disabled key", "GET", sseRaw(t, srv.HTTPSURL, "GET", "/"+bucket+"/dis", "", nil, nil), want)
		sseCheckError(t, "CreateMultipartUpload with a disabled key", "POST",
			sseRaw(t, srv.HTTPSURL, "POST", "/"+bucket+"/dis2", "uploads", kmsHdr(id), nil), want)
		sseCheckError(t, "CopyObject to a disabled key", "PUT",
			sseRaw(t, srv.HTTPSURL, "PUT", "/"+bucket+"/dis2", "", sseMerge(kmsHdr(arn), sseHdr("x-amz-copy-source", "/"+bucket+"/plain")), nil), want)
		sseCheckError(t, "CopyObject from an object under a disabled key", "PUT",
			sseRaw(t, srv.HTTPSURL, "PUT", "/"+bucket+"/dis2", "", sseHdr("x-amz-copy-source", "/"+bucket+"/dis"), nil), want)
		if _, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		resp := sseRaw(t, srv.HTTPSURL, "GET", "/"+bucket+"/dis", "", nil, nil)
		if resp.Status != 200 || !bytes.Equal(resp.Body, body) {
			t.Errorf("GET after EnableKey: %d %q", resp.Status, resp.Body)
		}
	})

	t.Run("pending deletion", func(t *testing.T) {
		id, arn := sseCreateKey(t, kc, "to delete")
		sseCheckOK(t, sseRaw(t, srv.HTTPSURL, "PUT", "/"+bucket+"/pend", "", kmsHdr(arn), []byte("soon unreadable")))
		if _, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}); err != nil {
			t.Fatal(err)
		}
		want := sseWant{400, "KMS.KMSInvalidStateException", arn + " is pending deletion.", "", ""}
		sseCheckError(t, "GET under a key pending deletion", "GET", sseRaw(t, srv.HTTPSURL, "GET", "/"+bucket+"/pend", "", nil, nil), want)
		put(t, "PUT with a key pending deletion", "pend2", kmsHdr(id), want)
		// CancelKeyDeletion leaves the key Disabled (reference §9.7).
		if _, err := kc.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		sseCheckError(t, "GET after CancelKeyDeletion", "GET", sseRaw(t, srv.HTTPSURL, "GET", "/"+bucket+"/pend", "", nil, nil),
			sseWant{400, "KMS.DisabledException", arn + " is disabled.", "", ""})
	})
}

// sseCheckOK fails unless resp is a 200.
func sseCheckOK(t testing.TB, resp rawResp) {
	t.Helper()
	if resp.Status != 200 {
		t.Fatalf("status %d, want 200:\n%s", resp.Status, resp.Body)
	}
}

// sseErrMessage is the <Message> of an S3 XML error ("" if none).
func sseErrMessage(resp rawResp) string {
	var e sseXMLError
	xml.Unmarshal(resp.Body, &e)
	return e.Message
}
