package e2e

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// sseMatrixSizes are the object sizes of the PUT/GET part of the matrix: empty, one byte,
// around the 64 KiB chunk of the at-rest format, and a multi-MiB object.
var sseMatrixSizes = []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 8<<20 + 3}

// sseMatrixRangeTests are range GETs on the objects of the given size; first and last are the
// inclusive byte offsets the range resolves to.
var sseMatrixRangeTests = []struct {
	size        int
	rng         string
	first, last int
}{
	{8<<20 + 3, "bytes=0-0", 0, 0},
	{8<<20 + 3, "bytes=65535-65536", 65535, 65536},         // the last byte of chunk 0 and the first of chunk 1
	{8<<20 + 3, "bytes=65530-131090", 65530, 131090},       // across two chunk boundaries
	{8<<20 + 3, "bytes=131072-131072", 131072, 131072},     // the first byte of chunk 2
	{8<<20 + 3, "bytes=1000000-3000000", 1000000, 3000000}, // many chunks
	{8<<20 + 3, "bytes=8388600-", 8388600, 8<<20 + 2},      // open end, into the short final chunk
	{8<<20 + 3, "bytes=-5", 8<<20 + 3 - 5, 8<<20 + 2},      // suffix
	{64<<10 + 1, "bytes=65536-65536", 65536, 65536},        // the one byte of the final chunk
	{64<<10 + 1, "bytes=65535-", 65535, 65536},             // across the boundary to the end
	{64<<10 + 1, "bytes=0-65535", 0, 65535},                // exactly chunk 0
	{64<<10 - 1, "bytes=100-65534", 100, 65534},            // to the end of a single short chunk
	{64 << 10, "bytes=-65536", 0, 65535},                   // suffix of the whole object
	{64 << 10, "bytes=32768-99999999", 32768, 65535},       // last beyond the end
}

// sseMatrixModes are the modes of the matrix; key ids and ARNs are filled in at run time.
func sseMatrixModes(keyID, keyARN, alias, aliasARN, awsS3ARN string) []sseMode {
	return []sseMode{
		{Name: "default", WantSSE: types.ServerSideEncryptionAes256},
		{Name: "sse-s3", SSE: types.ServerSideEncryptionAes256, WantSSE: types.ServerSideEncryptionAes256},
		{Name: "kms-key-id", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyID, WantSSE: types.ServerSideEncryptionAwsKms, WantARN: keyARN},
		{Name: "kms-alias", SSE: types.ServerSideEncryptionAwsKms, KeyID: alias, WantSSE: types.ServerSideEncryptionAwsKms, WantARN: aliasARN},
		{Name: "kms-aws-s3", SSE: types.ServerSideEncryptionAwsKms, WantSSE: types.ServerSideEncryptionAwsKms, WantARN: awsS3ARN},
		{Name: "kms-bucket-key", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyID, BucketKey: aws.Bool(true),
			WantSSE: types.ServerSideEncryptionAwsKms, WantARN: keyARN, WantBK: true},
		{Name: "sse-c", C: &sseCK1},
	}
}

func sseObjKey(mode string, size int) string { return fmt.Sprintf("obj/%s/%d", mode, size) }

// TestSSEMatrix: every SSE mode × PUT/GET, HEAD, range GET, CopyObject to every mode,
// multipart and UploadPartCopy, over TLS with aws-sdk-go-v2; then the data directory holds
// none of the plaintext or keys.
func TestSSEMatrix(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	keyID, keyARN := sseCreateKey(t, kc, "sse matrix: by key id")
	aliasKeyID, aliasARN := sseCreateKey(t, kc, "sse matrix: by alias")
	sseCreateAlias(t, kc, "alias/sse-matrix", aliasKeyID)
	awsS3ARN := sseAWSManagedKey(t, kc)
	if awsS3ARN == keyARN || awsS3ARN == aliasARN || !strings.HasPrefix(awsS3ARN, "arn:aws:kms:us-east-1:") {
		t.Fatalf("aws/s3 ARN %q", awsS3ARN)
	}
	modes := sseMatrixModes(keyID, keyARN, "alias/sse-matrix", aliasARN, awsS3ARN)
	const bucket = "sse-matrix"
	mustCreateSSECBucket(t, c, bucket)

	bodies := map[string][]byte{} // object key -> plaintext
	for mi, m := range modes {
		for si, size := range sseMatrixSizes {
			bodies[sseObjKey(m.Name, size)] = sseBody(size, int64(1000*mi+si), sseMarker(m.Name))
		}
	}

	t.Run("put-get-head", func(t *testing.T) {
		for _, m := range modes {
			t.Run(m.Name, func(t *testing.T) {
				t.Parallel()
				for _, size := range sseMatrixSizes {
					key := sseObjKey(m.Name, size)
					body := bodies[key]
					what := fmt.Sprintf("%s size %d", m.Name, size)
					in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}
					m.put(in)
					out, err := c.PutObject(ctx, in)
					if err != nil {
						t.Fatalf("PUT %s: %v", what, err)
					}
					m.check(t, "PUT "+what, sseGot{out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5})
					m.checkETag(t, "PUT "+what, out.ETag, body)

					gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
					m.get(gin)
					got, gout := mustGet(t, c, gin)
					if !bytes.Equal(got, body) {
						t.Errorf("GET %s: %d bytes differ from the %d written", what, len(got), len(body))
					}
					m.check(t, "GET "+what, sseGot{gout.ServerSideEncryption, gout.SSEKMSKeyId, gout.BucketKeyEnabled, gout.SSECustomerAlgorithm, gout.SSECustomerKeyMD5})
					if aws.ToString(gout.ETag) != aws.ToString(out.ETag) {
						t.Errorf("GET %s: ETag %s, PUT said %s", what, aws.ToString(gout.ETag), aws.ToString(out.ETag))
					}

					hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
					m.head(hin)
					hout, err := c.HeadObject(ctx, hin)
					if err != nil {
						t.Fatalf("HEAD %s: %v", what, err)
					}
					m.check(t, "HEAD "+what, sseGot{hout.ServerSideEncryption, hout.SSEKMSKeyId, hout.BucketKeyEnabled, hout.SSECustomerAlgorithm, hout.SSECustomerKeyMD5})
					if aws.ToInt64(hout.ContentLength) != int64(size) || aws.ToString(hout.ETag) != aws.ToString(out.ETag) {
						t.Errorf("HEAD %s: length %d ETag %s, want %d %s", what, aws.ToInt64(hout.ContentLength), aws.ToString(hout.ETag), size, aws.ToString(out.ETag))
					}
				}
			})
		}
	})

	t.Run("sse-c-needs-key", func(t *testing.T) {
		m := modes[len(modes)-1]
		key := sseObjKey(m.Name, 64<<10+1)
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		sseSDKError(t, "GET SSE-C object without the key", err, 400, "InvalidRequest",
			"The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		wantAPIError(t, err, "", 400)
		wrong := m.withC(sseCK2)
		gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
		wrong.get(gin)
		_, err = c.GetObject(ctx, gin)
		sseSDKError(t, "GET SSE-C object with another key", err, 403, "AccessDenied",
			"Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.")
		hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
		wrong.head(hin)
		_, err = c.HeadObject(ctx, hin)
		wantAPIError(t, err, "", 403)

		// Two SSE-C PUTs of the same bytes have different ETags (reference §1.3).
		body := bodies[key]
		var etags []string
		for i := range 2 {
			in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("sse-c-twice/%d", i)), Body: bytes.NewReader(body)}
			m.put(in)
			out, err := c.PutObject(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			etags = append(etags, aws.ToString(out.ETag))
		}
		if etags[0] == etags[1] {
			t.Errorf("two SSE-C PUTs of the same bytes have the same ETag %s", etags[0])
		}
	})

	t.Run("key-id forms", func(t *testing.T) {
		// Whatever form names the key, every response names it by its ARN (reference §9.1).
		aliasAsARN := strings.Replace(aliasARN, "key/"+aliasKeyID, "alias/sse-matrix", 1)
		for _, f := range []struct{ sent, want string }{
			{keyID, keyARN}, {keyARN, keyARN}, {"alias/sse-matrix", aliasARN}, {aliasAsARN, aliasARN},
		} {
			m := sseMode{Name: f.sent, SSE: types.ServerSideEncryptionAwsKms, KeyID: f.sent, WantSSE: types.ServerSideEncryptionAwsKms, WantARN: f.want}
			in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("forms/" + f.sent), Body: strings.NewReader("form")}
			m.put(in)
			out, err := c.PutObject(ctx, in)
			if err != nil {
				t.Errorf("PUT with key id %s: %v", f.sent, err)
				continue
			}
			m.check(t, "PUT with key id "+f.sent, sseGot{out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5})
			hout, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("forms/" + f.sent)})
			if err != nil {
				t.Fatal(err)
			}
			m.check(t, "HEAD of key id "+f.sent, sseGot{hout.ServerSideEncryption, hout.SSEKMSKeyId, hout.BucketKeyEnabled, hout.SSECustomerAlgorithm, hout.SSECustomerKeyMD5})
		}
	})

	t.Run("range", func(t *testing.T) {
		for _, m := range modes {
			t.Run(m.Name, func(t *testing.T) {
				t.Parallel()
				for _, r := range sseMatrixRangeTests {
					body := bodies[sseObjKey(m.Name, r.size)]
					what := fmt.Sprintf("%s size %d %s", m.Name, r.size, r.rng)
					in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(sseObjKey(m.Name, r.size)), Range: aws.String(r.rng)}
					m.get(in)
					got, out := mustGet(t, c, in)
					if want := body[r.first : r.last+1]; !bytes.Equal(got, want) {
						t.Errorf("GET %s: %d bytes, want %d (bytes differ or are misplaced)", what, len(got), len(want))
					}
					if cr, want := aws.ToString(out.ContentRange), fmt.Sprintf("bytes %d-%d/%d", r.first, r.last, r.size); cr != want {
						t.Errorf("GET %s: Content-Range %q, want %q", what, cr, want)
					}
					m.check(t, "GET "+what, sseGot{out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5})
				}
			})
		}
	})

	t.Run("copy", func(t *testing.T) {
		const size = 64<<10 + 1
		for _, src := range modes {
			t.Run(src.Name, func(t *testing.T) {
				t.Parallel()
				body := bodies[sseObjKey(src.Name, size)]
				for _, dst := range modes {
					if dst.isC() {
						dst = dst.withC(sseCK2) // a new key for the destination
					}
					what := fmt.Sprintf("copy %s -> %s", src.Name, dst.Name)
					dkey := fmt.Sprintf("copy/%s/%s", src.Name, dst.Name)
					in := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(dkey),
						CopySource: aws.String(bucket + "/" + sseObjKey(src.Name, size))}
					src.copySrc(in)
					dst.copyDst(in)
					out, err := c.CopyObject(ctx, in)
					if err != nil {
						t.Errorf("%s: %v", what, err)
						continue
					}
					// The response states the destination's encryption (reference §1.6).
					dst.check(t, what, sseGot{out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5})
					if out.CopyObjectResult != nil {
						dst.checkETag(t, what, out.CopyObjectResult.ETag, body)
					} else {
						t.Errorf("%s: no CopyObjectResult", what)
					}
					gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(dkey)}
					dst.get(gin)
					got, gout := mustGet(t, c, gin)
					if !bytes.Equal(got, body) {
						t.Errorf("%s: the copy reads back %d bytes that differ from the source", what, len(got))
					}
					dst.check(t, "GET "+what, sseGot{gout.ServerSideEncryption, gout.SSEKMSKeyId, gout.BucketKeyEnabled, gout.SSECustomerAlgorithm, gout.SSECustomerKeyMD5})
				}
			})
		}
	})

	t.Run("multipart", func(t *testing.T) {
		for mi, m := range modes {
			t.Run(m.Name, func(t *testing.T) {
				t.Parallel()
				key := "mpu/" + m.Name
				parts := [][]byte{sseBody(5<<20, int64(5000+mi), sseMarker(m.Name)), sseBody(5<<20, int64(6000+mi), sseMarker(m.Name)), []byte("xyz")}
				cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}
				m.create(cin)
				cout, err := c.CreateMultipartUpload(ctx, cin)
				if err != nil {
					t.Fatalf("CreateMultipartUpload: %v", err)
				}
				m.check(t, "CreateMultipartUpload", sseGot{cout.ServerSideEncryption, cout.SSEKMSKeyId, cout.BucketKeyEnabled, cout.SSECustomerAlgorithm, cout.SSECustomerKeyMD5})
				var done []types.CompletedPart
				for i, p := range parts {
					pin := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cout.UploadId,
						PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}
					m.part(pin)
					pout, err := c.UploadPart(ctx, pin)
					if err != nil {
						t.Fatalf("UploadPart %d: %v", i+1, err)
					}
					m.check(t, fmt.Sprintf("UploadPart %d", i+1), sseGot{pout.ServerSideEncryption, pout.SSEKMSKeyId, pout.BucketKeyEnabled, pout.SSECustomerAlgorithm, pout.SSECustomerKeyMD5})
					done = append(done, types.CompletedPart{ETag: pout.ETag, PartNumber: aws.Int32(int32(i + 1))})
				}
				comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
					UploadId: cout.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
				if err != nil {
					t.Fatalf("CompleteMultipartUpload: %v", err)
				}
				if m.isC() {
					// AWS answers an SSE-C complete with no SSE headers at all (reference §1.2).
					if comp.ServerSideEncryption != "" || comp.SSEKMSKeyId != nil {
						t.Errorf("CompleteMultipartUpload of SSE-C: SSE %q key %q, want none", comp.ServerSideEncryption, aws.ToString(comp.SSEKMSKeyId))
					}
				} else {
					m.check(t, "CompleteMultipartUpload", sseGot{SSE: comp.ServerSideEncryption, KeyID: comp.SSEKMSKeyId, BK: comp.BucketKeyEnabled})
				}
				etag := aws.ToString(comp.ETag)
				if mm := sseMultipartETagRE.FindStringSubmatch(etag); mm == nil || mm[1] != "3" {
					t.Errorf("multipart ETag %q, want \"<32 hex>-3\"", etag)
				}
				whole := bytes.Join(parts, nil)
				gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
				m.get(gin)
				got, gout := mustGet(t, c, gin)
				if !bytes.Equal(got, whole) {
					t.Errorf("GET multipart: %d bytes differ from the %d written", len(got), len(whole))
				}
				if aws.ToString(gout.ETag) != etag {
					t.Errorf("GET multipart: ETag %s, complete said %s", aws.ToString(gout.ETag), etag)
				}
				m.check(t, "GET multipart", sseGot{gout.ServerSideEncryption, gout.SSEKMSKeyId, gout.BucketKeyEnabled, gout.SSECustomerAlgorithm, gout.SSECustomerKeyMD5})

				gin = &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), PartNumber: aws.Int32(2)}
				m.get(gin)
				got, gout = mustGet(t, c, gin)
				if !bytes.Equal(got, parts[1]) {
					t.Errorf("GET partNumber=2: %d bytes differ from part 2", len(got))
				}
				if aws.ToInt32(gout.PartsCount) != 3 {
					t.Errorf("GET partNumber=2: PartsCount %d, want 3", aws.ToInt32(gout.PartsCount))
				}
				m.check(t, "GET partNumber=2", sseGot{gout.ServerSideEncryption, gout.SSEKMSKeyId, gout.BucketKeyEnabled, gout.SSECustomerAlgorithm, gout.SSECustomerKeyMD5})

				hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
				m.head(hin)
				hout, err := c.HeadObject(ctx, hin)
				if err != nil {
					t.Fatalf("HEAD multipart: %v", err)
				}
				m.check(t, "HEAD multipart", sseGot{hout.ServerSideEncryption, hout.SSEKMSKeyId, hout.BucketKeyEnabled, hout.SSECustomerAlgorithm, hout.SSECustomerKeyMD5})
				if aws.ToString(hout.ETag) != etag || aws.ToInt64(hout.ContentLength) != int64(len(whole)) {
					t.Errorf("HEAD multipart: ETag %s length %d", aws.ToString(hout.ETag), aws.ToInt64(hout.ContentLength))
				}
			})
		}
	})

	t.Run("upload-part-copy", func(t *testing.T) {
		const bigSize, smallSize = 8<<20 + 3, 64<<10 + 1
		for mi, m := range modes {
			// Part 1 comes from the next mode's big object (a cross-mode copy), part 2 from
			// this mode's small object.
			src1 := modes[(mi+1)%len(modes)]
			t.Run(m.Name, func(t *testing.T) {
				t.Parallel()
				key := "upc/" + m.Name
				cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}
				m.create(cin)
				cout, err := c.CreateMultipartUpload(ctx, cin)
				if err != nil {
					t.Fatalf("CreateMultipartUpload: %v", err)
				}
				const first = 1000
				last := first + 5<<20 - 1
				sources := []struct {
					mode sseMode
					key  string
					rng  *string
					want []byte
				}{
					{src1, sseObjKey(src1.Name, bigSize), aws.String(fmt.Sprintf("bytes=%d-%d", first, last)), bodies[sseObjKey(src1.Name, bigSize)][first : last+1]},
					{m, sseObjKey(m.Name, smallSize), nil, bodies[sseObjKey(m.Name, smallSize)]},
				}
				var done []types.CompletedPart
				var whole []byte
				for i, s := range sources {
					in := &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: cout.UploadId,
						PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String(bucket + "/" + s.key), CopySourceRange: s.rng}
					m.partCopyDst(in)
					s.mode.partCopySrc(in)
					out, err := c.UploadPartCopy(ctx, in)
					if err != nil {
						t.Fatalf("UploadPartCopy %d from %s: %v", i+1, s.mode.Name, err)
					}
					m.check(t, fmt.Sprintf("UploadPartCopy %d from %s", i+1, s.mode.Name), sseGot{out.ServerSideEncryption, out.SSEKMSKeyId, out.BucketKeyEnabled, out.SSECustomerAlgorithm, out.SSECustomerKeyMD5})
					done = append(done, types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: aws.Int32(int32(i + 1))})
					whole = append(whole, s.want...)
				}
				comp, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
					UploadId: cout.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
				if err != nil {
					t.Fatalf("CompleteMultipartUpload: %v", err)
				}
				if mm := sseMultipartETagRE.FindStringSubmatch(aws.ToString(comp.ETag)); mm == nil || mm[1] != "2" {
					t.Errorf("ETag %q, want \"<32 hex>-2\"", aws.ToString(comp.ETag))
				}
				gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
				m.get(gin)
				got, gout := mustGet(t, c, gin)
				if !bytes.Equal(got, whole) {
					t.Errorf("GET: %d bytes differ from the %d copied", len(got), len(whole))
				}
				m.check(t, "GET", sseGot{gout.ServerSideEncryption, gout.SSEKMSKeyId, gout.BucketKeyEnabled, gout.SSECustomerAlgorithm, gout.SSECustomerKeyMD5})
			})
		}
	})

	// Nothing written above is anywhere in the data directory in clear: not the plaintext,
	// not the SSE-C keys, not a data key KMS handed out.
	needles := sseNeedles{}
	for _, m := range modes {
		needles["marker of "+m.Name] = sseMarker(m.Name)
	}
	needles.addCKey("SSE-C key 1", sseCK1)
	needles.addCKey("SSE-C key 2", sseCK2)
	// (aws/s3 is usable only through S3, as on AWS, so the direct calls use customer keys.)
	for i, dk := range sseDataKeys(t, kc, keyID, "alias/sse-matrix") {
		needles[fmt.Sprintf("KMS data key %d", i)] = dk
	}
	srv.Stop()
	sseScanDataDir(t, srv.DataDir, needles)
}
