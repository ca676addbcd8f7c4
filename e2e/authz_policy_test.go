package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestLeastPrivilegeWriter: a writer allowed s3:PutObject and kms:GenerateDataKey on one key,
// and nothing else, can upload SSE-KMS objects under that key and cannot read them back,
// even once S3 lets it (s3:GetObject): the read needs kms:Decrypt. A multipart upload under
// the key starts (GenerateDataKey) but its parts need kms:Decrypt too, as on AWS. The aws/s3
// key needs no KMS permission at all.
func TestLeastPrivilegeWriter(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	account := authzAccount(t, srv)
	root := authzRoot(account)
	rootKMS := authzKMS(t, srv.HTTPSURL, root)
	keyID, keyARN := sseCreateKey(t, rootKMS, "writer")
	sseCreateAlias(t, rootKMS, "alias/writer", keyID)
	_, otherARN := sseCreateKey(t, rootKMS, "other")
	rootS3 := authzS3(t, srv.HTTPSURL, root)
	mustCreateBucket(t, rootS3, "drop")
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	writer := authzUser(t, rootIAM, "writer", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::drop/*"},`+
		`{"Effect":"Allow","Action":"kms:GenerateDataKey","Resource":"`+keyARN+`"}]}`)
	body := []byte("write-only data")
	obj := func(k string) string { return "arn:aws:s3:::drop/" + k }
	put := func(c *s3.Client, key, kmsKey string) (*s3.PutObjectOutput, error) {
		in := &s3.PutObjectInput{Bucket: aws.String("drop"), Key: aws.String(key), Body: bytes.NewReader(body),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms}
		if kmsKey != "" {
			in.SSEKMSKeyId = aws.String(kmsKey)
		}
		return c.PutObject(ctx, in)
	}
	get := func(c *s3.Client, key string) ([]byte, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("drop"), Key: aws.String(key)})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}

	refs := []struct{ name, ref string }{{"arn", keyARN}, {"id", keyID}, {"alias", "alias/writer"}}
	for _, ep := range bothEndpoints(srv) {
		w := authzS3(t, ep.URL, writer)
		// Every way of naming the key works; the permission is checked on its ARN.
		for _, r := range refs {
			out, err := put(w, ep.Name+"/"+r.name, r.ref)
			if err != nil {
				t.Errorf("%s: writer's SSE-KMS PutObject with %s: %v", ep.Name, r.ref, err)
				continue
			}
			if out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != keyARN {
				t.Errorf("%s: PutObject with %s answered %s %s", ep.Name, r.ref, out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId))
			}
		}
		_, err := put(w, ep.Name+"/other", otherARN)
		wantS3Denied(t, ep.Name+": PutObject under a key without kms:GenerateDataKey", err,
			kmsDenyMsg(writer.ARN, "kms:GenerateDataKey", otherARN, whyNoIdentity("kms:GenerateDataKey")))
		// aws/s3 lets every principal of the account use it through S3.
		_, err = put(w, ep.Name+"/aws-s3", "")
		wantOK(t, ep.Name+": writer's PutObject under aws/s3", err)

		_, err = get(w, ep.Name+"/arn")
		wantS3Denied(t, ep.Name+": writer's GetObject without s3:GetObject", err,
			s3DenyMsg(writer.ARN, "s3:GetObject", obj(ep.Name+"/arn"), whyNoIdentity("s3:GetObject")))
		got, err := get(authzS3(t, ep.URL, root), ep.Name+"/alias")
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: the root reads the writer's object: %q %v", ep.Name, got, err)
		}
	}

	// S3 now allows the read; the key still does not.
	authzPutUserPolicy(t, rootIAM, "writer", "read", authzAllow(`"s3:GetObject"`, `"arn:aws:s3:::drop/*"`))
	for _, ep := range bothEndpoints(srv) {
		w := authzS3(t, ep.URL, writer)
		for _, r := range refs {
			_, err := get(w, ep.Name+"/"+r.name)
			wantS3Denied(t, ep.Name+": writer's GetObject of the object put with "+r.ref, err, kmsDenyMsg(writer.ARN, "kms:Decrypt", keyARN, whyNoIdentity("kms:Decrypt")))
		}
		h, err := w.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("drop"), Key: aws.String(ep.Name + "/alias")})
		if err != nil || aws.ToString(h.SSEKMSKeyId) != keyARN {
			t.Errorf("%s: HeadObject (no KMS call) by the writer: %v", ep.Name, err)
		}
		if got, err := get(w, ep.Name+"/aws-s3"); err != nil || !bytes.Equal(got, body) {
			t.Errorf("%s: the writer reads its aws/s3 object: %q %v", ep.Name, got, err)
		}
	}

	// Multipart: CreateMultipartUpload generates the data key; UploadPart must decrypt it.
	w := authzS3(t, srv.HTTPSURL, writer)
	mpu, err := w.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("drop"), Key: aws.String("mpu"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyARN)})
	if err != nil {
		t.Fatalf("writer's SSE-KMS CreateMultipartUpload: %v", err)
	}
	if aws.ToString(mpu.SSEKMSKeyId) != keyARN {
		t.Errorf("CreateMultipartUpload key %q", aws.ToString(mpu.SSEKMSKeyId))
	}
	_, err = w.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("drop"), Key: aws.String("mpu"), UploadId: mpu.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(body)})
	wantS3Denied(t, "writer's UploadPart without kms:Decrypt", err, kmsDenyMsg(writer.ARN, "kms:Decrypt", keyARN, whyNoIdentity("kms:Decrypt")))
	_, err = w.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("drop"), Key: aws.String("mpu"), UploadId: mpu.UploadId})
	wantS3Denied(t, "writer's AbortMultipartUpload", err, s3DenyMsg(writer.ARN, "s3:AbortMultipartUpload", obj("mpu"), whyNoIdentity("s3:AbortMultipartUpload")))
	_, err = rootS3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("drop"), Key: aws.String("mpu"), UploadId: mpu.UploadId})
	wantOK(t, "the root aborts the writer's upload", err)

	// Under aws/s3 the whole multipart upload works without any KMS permission.
	mpu, err = w.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("drop"), Key: aws.String("mpu-aws"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	if err != nil {
		t.Fatalf("writer's aws/s3 CreateMultipartUpload: %v", err)
	}
	part, err := w.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("drop"), Key: aws.String("mpu-aws"), UploadId: mpu.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("writer's aws/s3 UploadPart: %v", err)
	}
	_, err = w.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("drop"), Key: aws.String("mpu-aws"), UploadId: mpu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	wantOK(t, "writer's aws/s3 CompleteMultipartUpload", err)
	if b, err := get(w, "mpu-aws"); err != nil || !bytes.Equal(b, body) {
		t.Errorf("the writer reads its aws/s3 multipart object: %q %v", b, err)
	}
}

// authzDenyPut is a canonical bucket policy of reference §5.3: deny s3:PutObject to everyone
// under condition.
func authzDenyPut(sid, bucket, condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `","Effect":"Deny","Principal":"*","Action":"s3:PutObject",` +
		`"Resource":"arn:aws:s3:::` + bucket + `/*","Condition":` + condition + `}]}`
}

func authzDenyNonTLS(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
}

func authzPublicRead(bucket, condition string) string {
	c := ""
	if condition != "" {
		c = `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::` + bucket + `/*"` + c + `}]}`
}

// authzUpload is one way to ask for (or not ask for) encryption on a PUT.
type authzUpload struct {
	Name    string
	SSE     types.ServerSideEncryption
	KeyID   string
	SSEC    bool
	Allowed bool
}

func (u authzUpload) header() http.Header {
	h := http.Header{}
	if u.SSE != "" {
		h.Set("x-amz-server-side-encryption", string(u.SSE))
	}
	if u.KeyID != "" {
		h.Set("x-amz-server-side-encryption-aws-kms-key-id", u.KeyID)
	}
	if u.SSEC {
		h = sseMerge(h, sseCK1.header())
	}
	return h
}

func (u authzUpload) put(in *s3.PutObjectInput) {
	in.ServerSideEncryption = u.SSE
	if u.KeyID != "" {
		in.SSEKMSKeyId = aws.String(u.KeyID)
	}
	if u.SSEC {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(sseCK1.B64), aws.String(sseCK1.MD5)
	}
}

// authzRawWant checks a raw response: 403 AccessDenied with msg, or 200.
func authzRawWant(t testing.TB, what string, resp rawResp, denied bool, msg string) {
	t.Helper()
	if !denied {
		if resp.Status != http.StatusOK {
			t.Errorf("%s: %d, want 200:\n%s", what, resp.Status, resp.Body)
		}
		return
	}
	e := wantXMLError(t, resp, http.StatusForbidden, "AccessDenied")
	if msg != "" && e.Message != msg {
		t.Errorf("%s: Message %q\n\twant %q", what, e.Message, msg)
	}
}

// authzRaw sends a signed request as c (UNSIGNED-PAYLOAD over HTTPS, the body's hash over
// HTTP).
func authzRaw(t testing.TB, endpoint string, c authzCreds, method, path, query string, h http.Header, body []byte) rawResp {
	t.Helper()
	rr := rawReq{Method: method, Path: path, Query: query, Header: h, Body: body, AccessKey: c.AK, SecretKey: c.SK}
	if strings.HasPrefix(endpoint, "https:") {
		rr.PayloadHash = "UNSIGNED-PAYLOAD"
	}
	return do(t, endpoint, rr)
}

// anonymous sends an unsigned request.
func anonymous(t testing.TB, method, url string) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doReq(t, req)
}

// TestBucketPolicies: the canonical bucket policies of reference §5.3, each proven with the
// SDK and raw requests over HTTP and HTTPS, for an IAM user allowed s3:* and for the root
// (bucket policy denials apply to it too); the policy operations; public policies,
// anonymous access and PublicAccessBlock.
func TestBucketPolicies(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	account := authzAccount(t, srv)
	root := authzRoot(account)
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	alice := authzUser(t, rootIAM, "alice", authzAllow(`["s3:*","kms:*"]`, `"*"`))
	rootKMS := authzKMS(t, srv.HTTPSURL, root)
	keyID, keyARN := sseCreateKey(t, rootKMS, "policy key")
	_, otherARN := sseCreateKey(t, rootKMS, "other key")
	rootS3 := authzS3(t, srv.HTTPSURL, root)
	clients := map[string]map[string]*s3.Client{}
	for _, ep := range bothEndpoints(srv) {
		clients[ep.Name] = map[string]*s3.Client{"root": authzS3(t, ep.URL, root), "alice": authzS3(t, ep.URL, alice)}
	}
	who := map[string]authzCreds{"root": root, "alice": alice}
	body := []byte("policy-guarded bytes")
	putPolicy := func(t *testing.T, bucket, doc string) {
		t.Helper()
		if _, err := rootS3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)}); err != nil {
			t.Fatalf("PutBucketPolicy %s: %v", bucket, err)
		}
	}
	newBucket := func(t *testing.T, bucket string, defaultKey string) {
		t.Helper()
		// SSE-C allowed, so that a policy's refusal of SSE-C uploads is the policy's.
		mustCreateSSECBucket(t, rootS3, bucket)
		if defaultKey != "" {
			ssePutBucketEncryption(t, rootS3, bucket, sseKMSRule(defaultKey, false))
		}
	}

	// proveUploads puts every upload as root and alice, with the SDK and raw requests, over
	// both listeners, and reads back what was allowed.
	proveUploads := func(t *testing.T, bucket string, uploads []authzUpload) {
		for _, ep := range bothEndpoints(srv) {
			for _, name := range []string{"alice", "root"} {
				c, id := clients[ep.Name][name], who[name]
				for _, u := range uploads {
					if u.SSEC && ep.Name == "http" {
						continue // SSE-C needs HTTPS whatever the policy says
					}
					key := ep.Name + "/" + name + "/sdk-" + u.Name
					what := fmt.Sprintf("%s: %s's SDK PutObject %s", ep.Name, name, u.Name)
					in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}
					u.put(in)
					_, err := c.PutObject(ctx, in)
					if !u.Allowed {
						wantS3Denied(t, what, err, s3DenyMsg(id.ARN, "s3:PutObject", "arn:aws:s3:::"+bucket+"/"+key, whyResourceDeny))
					} else if err != nil {
						t.Errorf("%s: %v", what, err)
					} else {
						g := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
						if u.SSEC {
							g.SSECustomerAlgorithm, g.SSECustomerKey, g.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(sseCK1.B64), aws.String(sseCK1.MD5)
						}
						if b, _ := mustGet(t, c, g); !bytes.Equal(b, body) {
							t.Errorf("%s: read back %q", what, b)
						}
					}
					key = ep.Name + "/" + name + "/raw-" + u.Name
					resp := authzRaw(t, ep.URL, id, http.MethodPut, "/"+bucket+"/"+key, "", u.header(), body)
					authzRawWant(t, strings.Replace(what, "SDK", "raw", 1), resp, !u.Allowed,
						s3DenyMsg(id.ARN, "s3:PutObject", "arn:aws:s3:::"+bucket+"/"+key, whyResourceDeny))
				}
			}
		}
	}

	t.Run("deny missing SSE header", func(t *testing.T) {
		const b = "deny-unencrypted"
		// The bucket default would encrypt a header-less upload, but policies see only
		// the request's headers.
		newBucket(t, b, keyARN)
		putPolicy(t, b, authzDenyPut("DenyUnencryptedPut", b, `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`))
		proveUploads(t, b, []authzUpload{
			{Name: "aes256", SSE: types.ServerSideEncryptionAes256, Allowed: true},
			{Name: "kms", SSE: types.ServerSideEncryptionAwsKms, Allowed: true},
			{Name: "kms-key", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyARN, Allowed: true},
			{Name: "none"},
			{Name: "ssec", SSEC: true}, // SSE-C sends no x-amz-server-side-encryption
		})
		// Every way to write an object is s3:PutObject under the same condition.
		for _, ep := range bothEndpoints(srv) {
			c := clients[ep.Name]["alice"]
			_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mpu")})
			wantS3Denied(t, ep.Name+": header-less CreateMultipartUpload", err, s3DenyMsg(alice.ARN, "s3:PutObject", "arn:aws:s3:::"+b+"/mpu", whyResourceDeny))
			_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy"), CopySource: aws.String(b + "/" + ep.Name + "/alice/sdk-kms")})
			wantS3Denied(t, ep.Name+": header-less CopyObject", err, s3DenyMsg(alice.ARN, "s3:PutObject", "arn:aws:s3:::"+b+"/copy", whyResourceDeny))
			_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy"), CopySource: aws.String(b + "/" + ep.Name + "/alice/sdk-kms"),
				ServerSideEncryption: types.ServerSideEncryptionAwsKms})
			wantOK(t, ep.Name+": CopyObject with aws:kms", err)
			resp := authzRaw(t, ep.URL, alice, http.MethodPost, "/"+b+"/mpu-raw", "uploads", nil, nil)
			authzRawWant(t, ep.Name+": raw header-less CreateMultipartUpload", resp, true, s3DenyMsg(alice.ARN, "s3:PutObject", "arn:aws:s3:::"+b+"/mpu-raw", whyResourceDeny))
		}
	})

	t.Run("deny wrong algorithm", func(t *testing.T) {
		const b = "deny-wrong-alg"
		newBucket(t, b, "")
		putPolicy(t, b, authzDenyPut("DenyWrongSSE", b, `{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}`))
		proveUploads(t, b, []authzUpload{
			{Name: "kms", SSE: types.ServerSideEncryptionAwsKms, Allowed: true},
			{Name: "kms-key", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyID, Allowed: true},
			{Name: "aes256", SSE: types.ServerSideEncryptionAes256},
			{Name: "none"}, // the absent key makes StringNotEquals true
			{Name: "ssec", SSEC: true},
		})
	})

	t.Run("deny wrong KMS key", func(t *testing.T) {
		const b = "deny-wrong-key"
		newBucket(t, b, keyARN)
		putPolicy(t, b, authzDenyPut("DenyWrongKey", b, `{"StringNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"`+keyARN+`"}}`))
		proveUploads(t, b, []authzUpload{
			{Name: "kms-key-arn", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyARN, Allowed: true},
			{Name: "kms-other-key", SSE: types.ServerSideEncryptionAwsKms, KeyID: otherARN},
			// The condition key is the header as sent: a bare key id is not the ARN.
			{Name: "kms-key-id", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyID},
			{Name: "kms", SSE: types.ServerSideEncryptionAwsKms}, // would use the bucket default key
			{Name: "aes256", SSE: types.ServerSideEncryptionAes256},
			{Name: "none"},
		})
	})

	t.Run("deny SecureTransport false", func(t *testing.T) {
		const b = "tls-only"
		newBucket(t, b, "")
		mustPut(t, rootS3, b, "existing", body)
		putPolicy(t, b, authzDenyNonTLS(b))
		obj := "arn:aws:s3:::" + b + "/"
		for _, ep := range bothEndpoints(srv) {
			deny := ep.Name == "http"
			for _, name := range []string{"alice", "root"} {
				c, id := clients[ep.Name][name], who[name]
				what := func(op string) string { return fmt.Sprintf("%s: %s's %s", ep.Name, name, op) }
				check := func(op, action, resource string, err error) {
					t.Helper()
					if deny {
						wantS3Denied(t, what(op), err, s3DenyMsg(id.ARN, action, resource, whyResourceDeny))
					} else {
						wantOK(t, what(op), err)
					}
				}
				key := ep.Name + "-" + name
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body),
					ServerSideEncryption: types.ServerSideEncryptionAwsKms})
				check("PutObject", "s3:PutObject", obj+key, err)
				_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("existing")})
				check("GetObject", "s3:GetObject", obj+"existing", err)
				_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b)})
				check("ListObjectsV2", "s3:ListBucket", "arn:aws:s3:::"+b, err)
				_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("nothing-here")})
				check("DeleteObject", "s3:DeleteObject", obj+"nothing-here", err)
				_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("existing")})
				if deny {
					wantS3Denied(t, what("HeadObject"), err, "")
				} else {
					wantOK(t, what("HeadObject"), err)
				}
				resp := authzRaw(t, ep.URL, id, http.MethodGet, "/"+b+"/existing", "", nil, nil)
				authzRawWant(t, what("raw GetObject"), resp, deny, s3DenyMsg(id.ARN, "s3:GetObject", obj+"existing", whyResourceDeny))
				if !deny && !bytes.Equal(resp.Body, body) {
					t.Errorf("%s: %q", what("raw GetObject"), resp.Body)
				}
				resp = authzRaw(t, ep.URL, id, http.MethodPut, "/"+b+"/raw-"+key, "", nil, body)
				authzRawWant(t, what("raw PutObject"), resp, deny, s3DenyMsg(id.ARN, "s3:PutObject", obj+"raw-"+key, whyResourceDeny))
				// The root may always read and change the bucket policy; alice may not
				// over HTTP.
				_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
				if name == "root" {
					wantOK(t, what("GetBucketPolicy"), err)
				} else {
					check("GetBucketPolicy", "s3:GetBucketPolicy", "arn:aws:s3:::"+b, err)
				}
			}
		}
	})

	t.Run("policy operations", func(t *testing.T) {
		const b = "policy-ops"
		newBucket(t, b, "")
		allowPublicPolicies(t, rootS3, b) // some policies below are public
		for _, ep := range bothEndpoints(srv) {
			c := clients[ep.Name]["root"]
			_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
			sseSDKError(t, ep.Name+": GetBucketPolicy without a policy", err, 404, "NoSuchBucketPolicy", "The bucket policy does not exist")
			_, err = c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})
			sseSDKError(t, ep.Name+": GetBucketPolicyStatus without a policy", err, 404, "NoSuchBucketPolicy", "The bucket policy does not exist")
		}
		for _, tc := range []struct {
			name, doc string
			public    bool
		}{
			{"deny unencrypted", authzDenyPut("DenyUnencryptedPut", b, `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`), false},
			{"deny non-TLS", authzDenyNonTLS(b), false},
			{"public read", authzPublicRead(b, ""), true},
			{"public read from one address", authzPublicRead(b, `{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}`), false},
			{"public read to the account", authzPublicRead(b, `{"StringEquals":{"aws:PrincipalAccount":"`+account+`"}}`), false},
		} {
			putPolicy(t, b, tc.doc)
			for _, ep := range bothEndpoints(srv) {
				c := clients[ep.Name]["root"]
				got, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
				if err != nil {
					t.Fatalf("%s: GetBucketPolicy (%s): %v", ep.Name, tc.name, err)
				}
				var want, have any
				json.Unmarshal([]byte(tc.doc), &want)
				if err := json.Unmarshal([]byte(aws.ToString(got.Policy)), &have); err != nil || !reflect.DeepEqual(want, have) {
					t.Errorf("%s: GetBucketPolicy (%s) returned %s", ep.Name, tc.name, aws.ToString(got.Policy))
				}
				st, err := c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)})
				if tc.name == "deny non-TLS" && ep.Name == "http" {
					// The root's exemption covers Get/Put/DeleteBucketPolicy only.
					wantS3Denied(t, "the root's GetBucketPolicyStatus over HTTP under the non-TLS policy", err,
						s3DenyMsg(root.ARN, "s3:GetBucketPolicyStatus", "arn:aws:s3:::"+b, whyResourceDeny))
					continue
				}
				if err != nil || aws.ToBool(st.PolicyStatus.IsPublic) != tc.public {
					t.Errorf("%s: GetBucketPolicyStatus (%s): %v, want IsPublic %v", ep.Name, tc.name, err, tc.public)
				}
			}
		}
		for _, ep := range bothEndpoints(srv) {
			putPolicy(t, b, authzPublicRead(b, ""))
			_, err := clients[ep.Name]["root"].DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)})
			wantOK(t, ep.Name+": DeleteBucketPolicy", err)
			_, err = clients[ep.Name]["root"].GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
			sseSDKError(t, ep.Name+": GetBucketPolicy after DeleteBucketPolicy", err, 404, "NoSuchBucketPolicy", "The bucket policy does not exist")
		}

		// Malformed documents: 400 MalformedPolicy, nothing stored.
		for _, tc := range []struct{ name, doc, msg string }{
			{"not JSON", "{oops", ""},
			{"no Effect", `{"Version":"2012-10-17","Statement":[{"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b + `/*"}]}`, "Missing required field Effect"},
			{"no Principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + b + `/*"}]}`, "Missing required field Principal"},
			{"another bucket", authzPublicRead("someone-else", ""), "Policy has invalid resource"},
			{"bad operator", authzDenyPut("X", b, `{"StringEqualz":{"aws:SecureTransport":"false"}}`), ""},
		} {
			for _, ep := range bothEndpoints(srv) {
				resp := authzRaw(t, ep.URL, root, http.MethodPut, "/"+b, "policy", sseHdr("Content-MD5", sseContentMD5([]byte(tc.doc))), []byte(tc.doc))
				e := wantXMLError(t, resp, http.StatusBadRequest, "MalformedPolicy")
				if tc.msg != "" && e.Message != tc.msg {
					t.Errorf("%s: PutBucketPolicy (%s): Message %q, want %q", ep.Name, tc.name, e.Message, tc.msg)
				}
				_, err := clients[ep.Name]["root"].PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(tc.doc)})
				sseSDKError(t, ep.Name+": SDK PutBucketPolicy ("+tc.name+")", err, 400, "MalformedPolicy", tc.msg)
			}
		}
		_, err := rootS3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
		sseSDKError(t, "GetBucketPolicy after malformed puts", err, 404, "NoSuchBucketPolicy", "")
	})

	t.Run("anonymous access and PublicAccessBlock", func(t *testing.T) {
		const b = "public-site"
		newBucket(t, b, "")
		allowPublicPolicies(t, rootS3, b)
		mustPut(t, rootS3, b, "index.html", body)
		anon := func(t *testing.T, wantOK bool) {
			t.Helper()
			for _, ep := range bothEndpoints(srv) {
				resp := anonymous(t, http.MethodGet, ep.URL+"/"+b+"/index.html")
				if wantOK {
					if resp.Status != http.StatusOK || !bytes.Equal(resp.Body, body) {
						t.Errorf("%s: anonymous GET: %d %q", ep.Name, resp.Status, resp.Body)
					}
				} else if e := wantXMLError(t, resp, http.StatusForbidden, "AccessDenied"); e.Message != "Access Denied" {
					t.Errorf("%s: anonymous GET denial message %q", ep.Name, e.Message)
				}
			}
		}
		anon(t, false)
		putPolicy(t, b, authzPublicRead(b, ""))
		anon(t, true)
		for _, ep := range bothEndpoints(srv) {
			// The policy grants s3:GetObject only.
			if r := anonymous(t, http.MethodHead, ep.URL+"/"+b+"/index.html"); r.Status != http.StatusOK {
				t.Errorf("%s: anonymous HEAD: %d", ep.Name, r.Status)
			}
			wantXMLError(t, anonymous(t, http.MethodGet, ep.URL+"/"+b), http.StatusForbidden, "AccessDenied")
			wantXMLError(t, anonymous(t, http.MethodPut, ep.URL+"/"+b+"/defaced"), http.StatusForbidden, "AccessDenied")
			wantXMLError(t, anonymous(t, http.MethodDelete, ep.URL+"/"+b+"/index.html"), http.StatusForbidden, "AccessDenied")
		}

		// RestrictPublicBuckets: the public grant stops working; the account's own
		// principals keep their access.
		pab := func(blockPolicy, restrict bool) {
			t.Helper()
			_, err := rootS3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(b),
				PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(blockPolicy), RestrictPublicBuckets: aws.Bool(restrict)}})
			if err != nil {
				t.Fatalf("PutPublicAccessBlock: %v", err)
			}
		}
		pab(false, true)
		anon(t, false)
		for _, ep := range bothEndpoints(srv) {
			if got, _ := mustGet(t, clients[ep.Name]["alice"], &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("index.html")}); !bytes.Equal(got, body) {
				t.Errorf("%s: alice under RestrictPublicBuckets: %q", ep.Name, got)
			}
		}
		if st, err := rootS3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(b)}); err != nil || !aws.ToBool(st.PolicyStatus.IsPublic) {
			t.Errorf("GetBucketPolicyStatus under RestrictPublicBuckets: %v", err)
		}
		if _, err := rootS3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("DeletePublicAccessBlock: %v", err)
		}
		anon(t, true)

		// BlockPublicPolicy: a public policy is refused, a non-public one accepted; the
		// policy in place stays.
		pab(true, false)
		got, err := rootS3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(b)})
		if err != nil || !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicPolicy) || aws.ToBool(got.PublicAccessBlockConfiguration.RestrictPublicBuckets) {
			t.Errorf("GetPublicAccessBlock: %v", err)
		}
		for _, ep := range bothEndpoints(srv) {
			_, err = clients[ep.Name]["root"].PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(authzPublicRead(b, ""))})
			wantS3Denied(t, ep.Name+": public PutBucketPolicy under BlockPublicPolicy", err,
				s3DenyMsg(root.ARN, "s3:PutBucketPolicy", "arn:aws:s3:::"+b, "because public policies are blocked by the BlockPublicPolicy block public access setting."))
			_, err = clients[ep.Name]["alice"].PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(authzPublicRead(b, ""))})
			wantS3Denied(t, ep.Name+": alice's public PutBucketPolicy under BlockPublicPolicy", err,
				s3DenyMsg(alice.ARN, "s3:PutBucketPolicy", "arn:aws:s3:::"+b, "because public policies are blocked by the BlockPublicPolicy block public access setting."))
		}
		anon(t, true)
		putPolicy(t, b, authzPublicRead(b, `{"StringEquals":{"aws:PrincipalAccount":"`+account+`"}}`))
		anon(t, false)
	})

	t.Run("the root can always remove a policy that denies everyone", func(t *testing.T) {
		const b = "locked"
		newBucket(t, b, "")
		mustPut(t, rootS3, b, "k", body)
		putPolicy(t, b, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::`+b+`","arn:aws:s3:::`+b+`/*"]}]}`)
		for _, ep := range bothEndpoints(srv) {
			for _, name := range []string{"alice", "root"} {
				c, id := clients[ep.Name][name], who[name]
				_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")})
				wantS3Denied(t, ep.Name+": "+name+"'s GetObject", err, s3DenyMsg(id.ARN, "s3:GetObject", "arn:aws:s3:::"+b+"/k", whyResourceDeny))
				_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(b), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
					Rules: []types.ServerSideEncryptionRule{sseS3Rule()}}})
				wantS3Denied(t, ep.Name+": "+name+"'s PutBucketEncryption", err, s3DenyMsg(id.ARN, "s3:PutEncryptionConfiguration", "arn:aws:s3:::"+b, whyResourceDeny))
			}
			_, err := clients[ep.Name]["alice"].DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(b)})
			wantS3Denied(t, ep.Name+": alice's DeleteBucketPolicy", err, s3DenyMsg(alice.ARN, "s3:DeleteBucketPolicy", "arn:aws:s3:::"+b, whyResourceDeny))
			_, err = clients[ep.Name]["root"].GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
			wantOK(t, ep.Name+": the root's GetBucketPolicy", err)
		}
		resp := authzRaw(t, srv.HTTPURL, root, http.MethodDelete, "/"+b, "policy", nil, nil)
		if resp.Status != http.StatusNoContent {
			t.Fatalf("the root's DeleteBucketPolicy over HTTP: %d\n%s", resp.Status, resp.Body)
		}
		for _, ep := range bothEndpoints(srv) {
			for _, name := range []string{"alice", "root"} {
				if got, _ := mustGet(t, clients[ep.Name][name], &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k")}); !bytes.Equal(got, body) {
					t.Errorf("%s: %s reads after the policy is gone: %q", ep.Name, name, got)
				}
			}
		}
	})
}

// TestKMSKeyPolicy: the key policy decides; IAM counts only where the key policy delegates
// to it (the account root statement). Grants add access with their constraints; an explicit
// Deny anywhere wins; kms:ViaService and the object's encryption context reach key policies
// when S3 calls KMS for the caller.
func TestKMSKeyPolicy(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	account := authzAccount(t, srv)
	root := authzRoot(account)
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	kmsAll := authzAllow(`["kms:*","s3:*"]`, `"*"`)
	user := authzUser(t, rootIAM, "kmsuser", kmsAll) // kms:* (and s3:*) in its identity policy
	named := authzUser(t, rootIAM, "named")          // no identity policy at all
	blocked := authzUser(t, rootIAM, "blocked", kmsAll,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}]}`)
	rk := authzKMS(t, srv.HTTPSURL, root)
	uk := authzKMS(t, srv.HTTPSURL, user)
	nk := authzKMS(t, srv.HTTPSURL, named)
	bk := authzKMS(t, srv.HTTPSURL, blocked)

	// rootOnly delegates nothing: its statement names the account root but only the root
	// user meets its condition.
	rootOnly := `{"Sid":"RootOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::` + account + `:root"}}}`
	keyPolicy := func(statements ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	}
	allowUser := func(arn, actions, condition string) string {
		c := ""
		if condition != "" {
			c = `,"Condition":` + condition
		}
		return `{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":` + actions + `,"Resource":"*"` + c + `}`
	}
	createKey := func(policy string) (string, string) {
		t.Helper()
		in := &kms.CreateKeyInput{}
		if policy != "" {
			in.Policy = aws.String(policy)
		}
		out, err := rk.CreateKey(ctx, in)
		if err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
		return aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn)
	}
	putKeyPolicy := func(keyID, policy string) {
		t.Helper()
		if _, err := rk.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"), Policy: aws.String(policy)}); err != nil {
			t.Fatalf("PutKeyPolicy: %v", err)
		}
	}
	encrypt := func(c *kms.Client, keyID string, ec map[string]string) ([]byte, error) {
		out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("key policy"), EncryptionContext: ec})
		if err != nil {
			return nil, err
		}
		return out.CiphertextBlob, nil
	}
	decrypt := func(c *kms.Client, blob []byte, ec map[string]string) error {
		out, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec})
		if err == nil && string(out.Plaintext) != "key policy" {
			return fmt.Errorf("decrypted %q", out.Plaintext)
		}
		return err
	}

	t.Run("IAM counts only where the key policy delegates", func(t *testing.T) {
		rID, rARN := createKey(keyPolicy(rootOnly))
		_, err := encrypt(rk, rID, nil)
		wantOK(t, "the root's Encrypt under a root-only key", err)
		_, err = encrypt(uk, rID, nil)
		wantKMSDenied(t, "kms:* user's Encrypt under a root-only key", err, kmsDenyMsg(user.ARN, "kms:Encrypt", rARN, whyNoResource("kms:Encrypt")))
		_, err = uk.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(rID)})
		wantKMSDenied(t, "kms:* user's DescribeKey of a root-only key", err, kmsDenyMsg(user.ARN, "kms:DescribeKey", rARN, whyNoResource("kms:DescribeKey")))

		// Naming the user in the key policy is enough, with or without identity policies.
		putKeyPolicy(rID, keyPolicy(rootOnly, allowUser(user.ARN, `["kms:Encrypt","kms:Decrypt"]`, ""), allowUser(named.ARN, `["kms:Encrypt","kms:Decrypt"]`, "")))
		blob, err := encrypt(uk, rID, nil)
		wantOK(t, "Encrypt by a user the key policy names", err)
		wantOK(t, "Decrypt by a user the key policy names", decrypt(uk, blob, nil))
		blob, err = encrypt(nk, rID, nil)
		wantOK(t, "Encrypt by a user without identity policies that the key policy names", err)
		wantOK(t, "Decrypt by that user", decrypt(nk, blob, nil))
		_, err = nk.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(rID), KeySpec: kmstypes.DataKeySpecAes256})
		wantKMSDenied(t, "GenerateDataKey, which the key policy does not name", err, kmsDenyMsg(named.ARN, "kms:GenerateDataKey", rARN, whyNoResource("kms:GenerateDataKey")))

		// The default policy delegates to IAM: the kms:* user may, the user without
		// identity policies may not.
		dID, dARN := createKey("")
		_, err = encrypt(uk, dID, nil)
		wantOK(t, "kms:* user's Encrypt under the default key policy", err)
		_, err = encrypt(nk, dID, nil)
		wantKMSDenied(t, "policy-less user's Encrypt under the default key policy", err, kmsDenyMsg(named.ARN, "kms:Encrypt", dARN, whyNoIdentity("kms:Encrypt")))

		// Back to root-only: the user loses access at once.
		putKeyPolicy(rID, keyPolicy(rootOnly))
		_, err = encrypt(uk, rID, nil)
		wantKMSDenied(t, "Encrypt after the key policy dropped the user", err, kmsDenyMsg(user.ARN, "kms:Encrypt", rARN, whyNoResource("kms:Encrypt")))
	})

	t.Run("grants", func(t *testing.T) {
		gID, gARN := createKey(keyPolicy(rootOnly))
		alpha := map[string]string{"project": "alpha"}
		beta := map[string]string{"project": "beta"}
		_, err := encrypt(uk, gID, alpha)
		wantKMSDenied(t, "Encrypt before the grant", err, kmsDenyMsg(user.ARN, "kms:Encrypt", gARN, whyNoResource("kms:Encrypt")))
		g, err := rk.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(gID), GranteePrincipal: aws.String(user.ARN),
			Operations:  []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt, kmstypes.GrantOperationDecrypt},
			Constraints: &kmstypes.GrantConstraints{EncryptionContextSubset: alpha}})
		if err != nil {
			t.Fatalf("CreateGrant: %v", err)
		}
		blob, err := encrypt(uk, gID, alpha)
		wantOK(t, "Encrypt with the grant's context", err)
		wantOK(t, "Decrypt with the grant's context", decrypt(uk, blob, alpha))
		blob2, err := encrypt(uk, gID, map[string]string{"project": "alpha", "stage": "test"})
		wantOK(t, "Encrypt with a superset of the grant's context", err)
		wantOK(t, "Decrypt with a superset of the grant's context", decrypt(uk, blob2, map[string]string{"project": "alpha", "stage": "test"}))
		_, err = encrypt(uk, gID, beta)
		wantKMSDenied(t, "Encrypt with another context", err, kmsDenyMsg(user.ARN, "kms:Encrypt", gARN, whyNoResource("kms:Encrypt")))
		_, err = encrypt(uk, gID, nil)
		wantKMSDenied(t, "Encrypt without a context", err, kmsDenyMsg(user.ARN, "kms:Encrypt", gARN, whyNoResource("kms:Encrypt")))
		betaBlob, err := encrypt(rk, gID, beta)
		wantOK(t, "the root's Encrypt with another context", err)
		wantKMSDenied(t, "Decrypt with another context", decrypt(uk, betaBlob, beta), kmsDenyMsg(user.ARN, "kms:Decrypt", gARN, whyNoResource("kms:Decrypt")))
		_, err = uk.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(gID), KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: alpha})
		wantKMSDenied(t, "GenerateDataKey, not a granted operation", err, kmsDenyMsg(user.ARN, "kms:GenerateDataKey", gARN, whyNoResource("kms:GenerateDataKey")))
		_, err = encrypt(nk, gID, alpha)
		wantKMSDenied(t, "Encrypt by another user", err, kmsDenyMsg(named.ARN, "kms:Encrypt", gARN, whyNoResource("kms:Encrypt")))

		if _, err := rk.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(gID), GrantId: g.GrantId}); err != nil {
			t.Fatalf("RevokeGrant: %v", err)
		}
		_, err = encrypt(uk, gID, alpha)
		wantKMSDenied(t, "Encrypt after RevokeGrant", err, kmsDenyMsg(user.ARN, "kms:Encrypt", gARN, whyNoResource("kms:Encrypt")))
	})

	t.Run("explicit deny wins", func(t *testing.T) {
		pID, pARN := createKey(keyPolicy(rootOnly, allowUser(blocked.ARN, `"kms:*"`, "")))
		_, err := encrypt(bk, pID, nil)
		wantKMSDenied(t, "Encrypt denied by the identity policy, allowed by the key policy", err, kmsDenyMsg(blocked.ARN, "kms:Encrypt", pARN, whyIdentityDeny))
		blob, err := encrypt(rk, pID, nil)
		wantOK(t, "the root's Encrypt", err)
		wantOK(t, "Decrypt, which nothing denies", decrypt(bk, blob, nil))

		dID, dARN := createKey(keyPolicy(
			`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":"kms:*","Resource":"*"}`,
			`{"Effect":"Deny","Principal":{"AWS":"`+user.ARN+`"},"Action":"kms:Encrypt","Resource":"*"}`))
		_, err = encrypt(uk, dID, nil)
		wantKMSDenied(t, "Encrypt denied by the key policy, allowed by IAM", err, kmsDenyMsg(user.ARN, "kms:Encrypt", dARN, whyResourceDeny))
		_, err = uk.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(dID), KeySpec: kmstypes.DataKeySpecAes256})
		wantOK(t, "GenerateDataKey, which the key policy does not deny", err)
	})

	t.Run("kms:ViaService and the object's encryption context", func(t *testing.T) {
		cond := `{"StringEquals":{"kms:ViaService":"s3.` + testRegion + `.amazonaws.com"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::via-s3/allowed/*"}}`
		vID, vARN := createKey(keyPolicy(rootOnly, allowUser(user.ARN, `["kms:GenerateDataKey","kms:Decrypt"]`, cond)))
		_, err := uk.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(vID), KeySpec: kmstypes.DataKeySpecAes256,
			EncryptionContext: map[string]string{"aws:s3:arn": "arn:aws:s3:::via-s3/allowed/x"}})
		wantKMSDenied(t, "direct GenerateDataKey under a through-S3-only statement", err, kmsDenyMsg(user.ARN, "kms:GenerateDataKey", vARN, whyNoResource("kms:GenerateDataKey")))
		mustCreateBucket(t, authzS3(t, srv.HTTPSURL, root), "via-s3")
		for _, ep := range bothEndpoints(srv) {
			c := authzS3(t, ep.URL, user)
			key := "allowed/" + ep.Name
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("via-s3"), Key: aws.String(key), Body: strings.NewReader("via s3"),
				ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(vARN)})
			wantOK(t, ep.Name+": PutObject through S3", err)
			if b, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("via-s3"), Key: aws.String(key)}); string(b) != "via s3" {
				t.Errorf("%s: GetObject through S3: %q", ep.Name, b)
			}
			_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("via-s3"), Key: aws.String("elsewhere/" + ep.Name), Body: strings.NewReader("via s3"),
				ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(vARN)})
			wantS3Denied(t, ep.Name+": PutObject outside the encryption-context condition", err,
				kmsDenyMsg(user.ARN, "kms:GenerateDataKey", vARN, whyNoResource("kms:GenerateDataKey")))
		}
	})
}
