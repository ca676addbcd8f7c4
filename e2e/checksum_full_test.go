package e2e

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	bolt "go.etcd.io/bbolt"
)

// Checksums as S3 keeps them today (docs/CHECKSUMS.md): full-object and composite checksums
// of multipart uploads, x-amz-checksum-* on CompleteMultipartUpload, GET/HEAD with
// x-amz-checksum-mode, ListParts, the errors, and sealed checksums of SSE-KMS and SSE-C
// objects. Expected values are computed here with the standard library, not Arca's code.

// ckHash is alg's hash from the standard library (CRC-64/NVME: reflected polynomial
// 0x9A6C9329AC4BC9B5).
func ckHash(alg types.ChecksumAlgorithm) hash.Hash {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return crc32.NewIEEE()
	case types.ChecksumAlgorithmCrc32c:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case types.ChecksumAlgorithmCrc64nvme:
		return crc64.New(crc64.MakeTable(0x9A6C9329AC4BC9B5))
	case types.ChecksumAlgorithmSha1:
		return sha1.New()
	}
	return sha256.New()
}

func ckRaw(alg types.ChecksumAlgorithm, data []byte) []byte {
	h := ckHash(alg)
	h.Write(data)
	return h.Sum(nil)
}

func ckOf(alg types.ChecksumAlgorithm, data []byte) string {
	return base64.StdEncoding.EncodeToString(ckRaw(alg, data))
}

// ckComposite is the checksum of the parts' checksums with its "-N".
func ckComposite(alg types.ChecksumAlgorithm, parts [][]byte) string {
	h := ckHash(alg)
	for _, p := range parts {
		h.Write(ckRaw(alg, p))
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}

// ckField reads alg's value from a struct's ChecksumXXX fields.
func ckField(alg types.ChecksumAlgorithm, crc32v, crc32c, crc64, sha1v, sha256v *string) string {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return aws.ToString(crc32v)
	case types.ChecksumAlgorithmCrc32c:
		return aws.ToString(crc32c)
	case types.ChecksumAlgorithmCrc64nvme:
		return aws.ToString(crc64)
	case types.ChecksumAlgorithmSha1:
		return aws.ToString(sha1v)
	}
	return aws.ToString(sha256v)
}

// ckSetPart puts v in a CompletedPart's field for alg.
func ckSetPart(p *types.CompletedPart, alg types.ChecksumAlgorithm, v string) {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		p.ChecksumCRC32 = aws.String(v)
	case types.ChecksumAlgorithmCrc32c:
		p.ChecksumCRC32C = aws.String(v)
	case types.ChecksumAlgorithmCrc64nvme:
		p.ChecksumCRC64NVME = aws.String(v)
	case types.ChecksumAlgorithmSha1:
		p.ChecksumSHA1 = aws.String(v)
	default:
		p.ChecksumSHA256 = aws.String(v)
	}
}

// ckSetComplete puts a full-object value on a CompleteMultipartUploadInput.
func ckSetComplete(in *s3.CompleteMultipartUploadInput, alg types.ChecksumAlgorithm, v string) {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		in.ChecksumCRC32 = aws.String(v)
	case types.ChecksumAlgorithmCrc32c:
		in.ChecksumCRC32C = aws.String(v)
	case types.ChecksumAlgorithmCrc64nvme:
		in.ChecksumCRC64NVME = aws.String(v)
	case types.ChecksumAlgorithmSha1:
		in.ChecksumSHA1 = aws.String(v)
	default:
		in.ChecksumSHA256 = aws.String(v)
	}
}

// ckUpload is one multipart upload made by ckMultipart.
type ckUpload struct {
	Key, ID string
	Parts   [][]byte
	Done    []types.CompletedPart
	Whole   []byte
}

// ckMultipart creates an upload with alg and typ (either may be ""), uploads parts of the
// given sizes letting the SDK send each part's checksum, and checks each part's answer.
func ckMultipart(t *testing.T, c *s3.Client, bucket, key string, alg types.ChecksumAlgorithm, typ types.ChecksumType, sizes []int, sse sseMode) *ckUpload {
	t.Helper()
	ctx := context.Background()
	cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumAlgorithm: alg, ChecksumType: typ}
	sse.create(cin)
	out, err := c.CreateMultipartUpload(ctx, cin)
	if err != nil {
		t.Fatalf("%s: CreateMultipartUpload: %v", key, err)
	}
	u := &ckUpload{Key: key, ID: aws.ToString(out.UploadId)}
	for i, n := range sizes {
		p := randBytes(n, int64(len(key)*100+i))
		in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: out.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: alg}
		sse.part(in)
		po, err := c.UploadPart(ctx, in)
		if err != nil {
			t.Fatalf("%s: UploadPart %d: %v", key, i+1, err)
		}
		cp := types.CompletedPart{ETag: po.ETag, PartNumber: aws.Int32(int32(i + 1))}
		if alg != "" {
			got := ckField(alg, po.ChecksumCRC32, po.ChecksumCRC32C, po.ChecksumCRC64NVME, po.ChecksumSHA1, po.ChecksumSHA256)
			if want := ckOf(alg, p); got != want {
				t.Errorf("%s: UploadPart %d checksum %q, want %q", key, i+1, got, want)
			}
			ckSetPart(&cp, alg, got)
		}
		u.Done = append(u.Done, cp)
		u.Parts = append(u.Parts, p)
		u.Whole = append(u.Whole, p...)
	}
	return u
}

// ckCases are the valid combinations of algorithm and type at CreateMultipartUpload, with
// the type S3 gives the object.
var ckCases = []struct {
	Alg     types.ChecksumAlgorithm
	Typ     types.ChecksumType // asked for ("" = the default)
	WantTyp types.ChecksumType
}{
	{types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
	{types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite, types.ChecksumTypeComposite},
	{types.ChecksumAlgorithmCrc32c, "", types.ChecksumTypeComposite},
	{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
	{types.ChecksumAlgorithmCrc64nvme, "", types.ChecksumTypeFullObject},
	{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject, types.ChecksumTypeFullObject},
	{types.ChecksumAlgorithmSha1, types.ChecksumTypeComposite, types.ChecksumTypeComposite},
	{types.ChecksumAlgorithmSha256, "", types.ChecksumTypeComposite},
}

// TestChecksumMultipartTypes: every valid algorithm and type; the object's checksum is the
// CRC of the whole data (FULL_OBJECT, combined from the parts' CRCs) or the checksum of the
// parts' checksums "-N" (COMPOSITE), in CompleteMultipartUpload's answer, on HEAD and GET
// with ChecksumMode ENABLED (the SDK validates a full-object GET itself) and nowhere without
// it, and per part in ListParts.
func TestChecksumMultipartTypes(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL, withSDKChecksums)
	const bucket = "ckfull"
	mustCreateBucket(t, c, bucket)
	sizes := []int{5 << 20, 5<<20 + 7, 1}
	for _, tc := range ckCases {
		name := string(tc.Alg) + "-" + string(tc.WantTyp)
		if tc.Typ == "" {
			name += "-default"
		}
		t.Run(name, func(t *testing.T) {
			u := ckMultipart(t, c, bucket, name, tc.Alg, tc.Typ, sizes, sseMode{})
			want := ckOf(tc.Alg, u.Whole)
			if tc.WantTyp == types.ChecksumTypeComposite {
				want = ckComposite(tc.Alg, u.Parts)
			}
			// ListParts before completion.
			lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(name), UploadId: aws.String(u.ID)})
			if err != nil {
				t.Fatalf("ListParts: %v", err)
			}
			if lp.ChecksumAlgorithm != tc.Alg || lp.ChecksumType != tc.WantTyp || len(lp.Parts) != len(sizes) {
				t.Errorf("ListParts: algorithm %q type %q, %d parts; want %q %q %d", lp.ChecksumAlgorithm, lp.ChecksumType, len(lp.Parts), tc.Alg, tc.WantTyp, len(sizes))
			}
			for i, p := range lp.Parts {
				if got := ckField(tc.Alg, p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256); got != ckOf(tc.Alg, u.Parts[i]) {
					t.Errorf("ListParts part %d checksum %q, want %q", i+1, got, ckOf(tc.Alg, u.Parts[i]))
				}
			}
			in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(name), UploadId: aws.String(u.ID),
				MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}, ChecksumType: tc.WantTyp}
			if tc.WantTyp == types.ChecksumTypeFullObject {
				ckSetComplete(in, tc.Alg, want) // the client's own full-object value, checked by the server
			}
			co, err := c.CompleteMultipartUpload(ctx, in)
			if err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if got := ckField(tc.Alg, co.ChecksumCRC32, co.ChecksumCRC32C, co.ChecksumCRC64NVME, co.ChecksumSHA1, co.ChecksumSHA256); got != want || co.ChecksumType != tc.WantTyp {
				t.Errorf("CompleteMultipartUpload: checksum %q type %q, want %q %q", got, co.ChecksumType, want, tc.WantTyp)
			}
			ho, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(name), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if got := ckField(tc.Alg, ho.ChecksumCRC32, ho.ChecksumCRC32C, ho.ChecksumCRC64NVME, ho.ChecksumSHA1, ho.ChecksumSHA256); got != want || ho.ChecksumType != tc.WantTyp {
				t.Errorf("HeadObject: checksum %q type %q, want %q %q", got, ho.ChecksumType, want, tc.WantTyp)
			}
			body, gout := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(name), ChecksumMode: types.ChecksumModeEnabled})
			if !bytes.Equal(body, u.Whole) {
				t.Errorf("GetObject: body differs")
			}
			if got := ckField(tc.Alg, gout.ChecksumCRC32, gout.ChecksumCRC32C, gout.ChecksumCRC64NVME, gout.ChecksumSHA1, gout.ChecksumSHA256); got != want || gout.ChecksumType != tc.WantTyp {
				t.Errorf("GetObject: checksum %q type %q, want %q %q", got, gout.ChecksumType, want, tc.WantTyp)
			}
			// Without the mode, no checksum; nor on a range.
			resp := do(t, srv.HTTPURL, rawReq{Method: http.MethodHead, Path: "/" + bucket + "/" + name})
			rng := do(t, srv.HTTPURL, rawReq{Method: http.MethodGet, Path: "/" + bucket + "/" + name,
				Header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}, "Range": {"bytes=0-9"}}})
			for what, h := range map[string]http.Header{"HEAD without mode": resp.Header, "ranged GET": rng.Header} {
				for k := range h {
					if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
						t.Errorf("%s carries %s", what, k)
					}
				}
			}
			// A part of a COMPOSITE object states its own checksum; a part of a multi-part
			// FULL_OBJECT one none.
			pg := do(t, srv.HTTPURL, rawReq{Method: http.MethodHead, Path: "/" + bucket + "/" + name, Query: "partNumber=2",
				Header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}})
			got := pg.Header.Get("x-amz-checksum-" + strings.ToLower(string(tc.Alg)))
			if tc.WantTyp == types.ChecksumTypeComposite && got != ckOf(tc.Alg, u.Parts[1]) || tc.WantTyp == types.ChecksumTypeFullObject && got != "" {
				t.Errorf("HEAD ?partNumber=2: checksum %q", got)
			}
		})
	}
}

// TestChecksumManagerUploader: the SDK's upload manager (which names the algorithm and lets
// S3 choose the type: COMPOSITE for CRC32, CRC32C and SHA256, FULL_OBJECT for CRC64NVME)
// completes, its result states the object's checksum, and the object reads back with the
// SDK validating a full-object checksum itself.
func TestChecksumManagerUploader(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL, withSDKChecksums)
	const bucket = "ckmanager"
	mustCreateBucket(t, c, bucket)
	data := randBytes(11<<20+3, 7)
	parts := [][]byte{data[:5<<20], data[5<<20 : 10<<20], data[10<<20:]}
	for _, tc := range []struct {
		Alg types.ChecksumAlgorithm
		Typ types.ChecksumType
	}{
		{types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite},
		{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject},
		{types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite},
	} {
		key := "m-" + string(tc.Alg)
		want := ckOf(tc.Alg, data)
		if tc.Typ == types.ChecksumTypeComposite {
			want = ckComposite(tc.Alg, parts)
		}
		up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20; u.Concurrency = 2 })
		res, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
			ChecksumAlgorithm: tc.Alg})
		if err != nil {
			t.Fatalf("%s: manager upload: %v", key, err)
		}
		if got := ckField(tc.Alg, res.ChecksumCRC32, res.ChecksumCRC32C, res.ChecksumCRC64NVME, res.ChecksumSHA1, res.ChecksumSHA256); got != want || res.ChecksumType != tc.Typ {
			t.Errorf("%s: upload result %q %q, want %q %q", key, got, res.ChecksumType, want, tc.Typ)
		}
		body, g := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if !bytes.Equal(body, data) {
			t.Errorf("%s: body differs", key)
		}
		if got := ckField(tc.Alg, g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256); got != want || g.ChecksumType != tc.Typ {
			t.Errorf("%s: GET checksum %q %q, want %q %q", key, got, g.ChecksumType, want, tc.Typ)
		}
	}
}

// TestChecksumErrors: the answers S3 gives for an invalid algorithm/type combination, a
// missing or wrong part checksum on Complete, a full-object value or type on Complete that
// does not match, and a malformed checksum value.
func TestChecksumErrors(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL, withSDKChecksums)
	const bucket = "ckerrors"
	mustCreateBucket(t, c, bucket)

	for _, tc := range []struct {
		Alg types.ChecksumAlgorithm
		Typ types.ChecksumType
		Msg string
	}{
		{types.ChecksumAlgorithmSha256, types.ChecksumTypeFullObject, "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."},
		{types.ChecksumAlgorithmSha1, types.ChecksumTypeFullObject, "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm."},
		{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeComposite, "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."},
	} {
		_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("bad"),
			ChecksumAlgorithm: tc.Alg, ChecksumType: tc.Typ})
		wantAPIError(t, err, "InvalidRequest", 400)
		if err != nil && !strings.Contains(err.Error(), tc.Msg) {
			t.Errorf("%s %s: %v, want %q", tc.Alg, tc.Typ, err, tc.Msg)
		}
	}

	complete := func(u *ckUpload, edit func(*s3.CompleteMultipartUploadInput)) error {
		in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(u.Key), UploadId: aws.String(u.ID),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: append([]types.CompletedPart(nil), u.Done...)}}
		edit(in)
		_, err := c.CompleteMultipartUpload(ctx, in)
		return err
	}
	sizes := []int{5 << 20, 10}

	// COMPOSITE: each part's checksum is required, and must be the part's.
	comp := ckMultipart(t, c, bucket, "composite", types.ChecksumAlgorithmSha256, "", sizes, sseMode{})
	err := complete(comp, func(in *s3.CompleteMultipartUploadInput) {
		p := in.MultipartUpload.Parts[1]
		p.ChecksumSHA256 = nil
		in.MultipartUpload.Parts[1] = p
	})
	wantAPIError(t, err, "InvalidRequest", 400)
	if msg := "The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part 2 in the request."; err != nil && !strings.Contains(err.Error(), msg) {
		t.Errorf("missing part checksum: %v, want %q", err, msg)
	}
	err = complete(comp, func(in *s3.CompleteMultipartUploadInput) {
		in.MultipartUpload.Parts[0].ChecksumSHA256 = aws.String(ckOf(types.ChecksumAlgorithmSha256, []byte("other")))
	})
	wantAPIError(t, err, "InvalidPart", 400)
	// A checksum type other than the upload's.
	err = complete(comp, func(in *s3.CompleteMultipartUploadInput) { in.ChecksumType = types.ChecksumTypeFullObject })
	wantAPIError(t, err, "BadDigest", 400)
	// A composite value that is not the parts'.
	err = complete(comp, func(in *s3.CompleteMultipartUploadInput) {
		in.ChecksumSHA256 = aws.String(ckOf(types.ChecksumAlgorithmSha256, []byte("other")) + "-2")
	})
	wantAPIError(t, err, "BadDigest", 400)

	// FULL_OBJECT: the client's whole-object CRC must match the combined one.
	full := ckMultipart(t, c, bucket, "full", types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, sizes, sseMode{})
	err = complete(full, func(in *s3.CompleteMultipartUploadInput) {
		in.ChecksumCRC32C = aws.String(ckOf(types.ChecksumAlgorithmCrc32c, []byte("not the data")))
	})
	wantAPIError(t, err, "BadDigest", 400)
	if msg := "The crc32c you specified did not match the calculated checksum."; err != nil && !strings.Contains(err.Error(), msg) {
		t.Errorf("BadDigest %v, want %q", err, msg)
	}
	// Malformed values: not base64, or the wrong length, on PUT, UploadPart and Complete.
	for _, v := range []string{"not-base64!", "AAAA", ckOf(types.ChecksumAlgorithmSha256, nil)} {
		resp := do(t, srv.HTTPURL, rawReq{Method: http.MethodPut, Path: "/" + bucket + "/k", Body: []byte("x"),
			Header: http.Header{"X-Amz-Checksum-Crc32": {v}}})
		e := wantXMLError(t, resp, 400, "InvalidRequest")
		if e.Message != "Value for x-amz-checksum-crc32 header is invalid." {
			t.Errorf("PUT x-amz-checksum-crc32 %q: message %q", v, e.Message)
		}
		resp = do(t, srv.HTTPURL, rawReq{Method: http.MethodPut, Path: "/" + bucket + "/full", Query: "partNumber=1&uploadId=" + full.ID,
			Body: []byte("x"), Header: http.Header{"X-Amz-Checksum-Crc32c": {v}}})
		if e := wantXMLError(t, resp, 400, "InvalidRequest"); e.Message != "Value for x-amz-checksum-crc32c header is invalid." {
			t.Errorf("UploadPart x-amz-checksum-crc32c %q: message %q", v, e.Message)
		}
		resp = do(t, srv.HTTPURL, rawReq{Method: http.MethodPost, Path: "/" + bucket + "/full", Query: "uploadId=" + full.ID,
			Body:   []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>"),
			Header: http.Header{"X-Amz-Checksum-Crc32c": {v}}})
		if e := wantXMLError(t, resp, 400, "InvalidRequest"); e.Message != "Value for x-amz-checksum-crc32c header is invalid." {
			t.Errorf("Complete x-amz-checksum-crc32c %q: message %q", v, e.Message)
		}
	}
	resp := do(t, srv.HTTPURL, rawReq{Method: http.MethodPost, Path: "/" + bucket + "/full", Query: "uploadId=" + full.ID,
		Body:   []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>"),
		Header: http.Header{"X-Amz-Checksum-Type": {"PARTIAL"}}})
	if e := wantXMLError(t, resp, 400, "InvalidRequest"); e.Message != "Value for x-amz-checksum-type header is invalid." {
		t.Errorf("Complete x-amz-checksum-type PARTIAL: message %q", e.Message)
	}
	// After all the refusals, the right list completes.
	if err := complete(full, func(in *s3.CompleteMultipartUploadInput) {
		in.ChecksumCRC32C, in.ChecksumType = aws.String(ckOf(types.ChecksumAlgorithmCrc32c, full.Whole)), types.ChecksumTypeFullObject
	}); err != nil {
		t.Fatalf("Complete after refusals: %v", err)
	}
}

// ssecAllowed lets SSE-C writes into bucket: new buckets may block SSE-C (BlockedEncryptionTypes
// SSE-C, as AWS since April 2026); a rule with NONE lifts the block.
func ssecAllowed(t testing.TB, c *s3.Client, bucket string) {
	t.Helper()
	_, err := c.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{"NONE"}}}}}})
	if err != nil {
		t.Fatalf("PutBucketEncryption (SSE-C allowed) on %s: %v", bucket, err)
	}
}

// ckRecordBytes returns the stored metadata record of key in an unversioned bucket, raw.
func ckRecordBytes(t *testing.T, dataDir, bucket string, keys ...string) map[string][]byte {
	out := map[string][]byte{}
	sseWithBolt(t, dataDir, func(tx *bolt.Tx) {
		b := tx.Bucket([]byte("objects")).Bucket([]byte(bucket))
		for _, k := range keys {
			v := b.Get([]byte(k))
			if v == nil {
				t.Fatalf("no record for %s/%s", bucket, k)
			}
			out[k] = bytes.Clone(v)
		}
	})
	return out
}

// TestChecksumSealed: the checksums of SSE-KMS and SSE-C objects (single PUT and multipart,
// with their parts' checksums) are not in their metadata records in clear, yet HEAD and GET
// with ChecksumMode ENABLED state them (the SSE-C object's only with its key); an SSE-S3
// object's record keeps its checksum in clear. The records are read raw from meta.db with
// the server stopped, and the server reads them again after a restart.
func TestChecksumSealed(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL, withSDKChecksums)
	const bucket = "cksealed"
	mustCreateBucket(t, c, bucket)
	ssecAllowed(t, c, bucket)
	kmsID, _ := sseCreateKey(t, sseKMS(t, srv), "checksum seal")
	modes := []sseMode{
		{Name: "s3", SSE: types.ServerSideEncryptionAes256, WantSSE: types.ServerSideEncryptionAes256},
		{Name: "kms", SSE: types.ServerSideEncryptionAwsKms, KeyID: kmsID, WantSSE: types.ServerSideEncryptionAwsKms},
		sseMode{Name: "c"}.withC(sseCK1),
	}
	type written struct {
		mode   sseMode
		key    string
		values []string // every checksum value that must not be in a sealed record
		alg    types.ChecksumAlgorithm
		want   string
	}
	var all []written
	for _, m := range modes {
		data := randBytes(3000, 1)
		key := "put-" + m.Name
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmSha256}
		m.put(in)
		if _, err := c.PutObject(ctx, in); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
		v := ckOf(types.ChecksumAlgorithmSha256, data)
		all = append(all, written{m, key, []string{v}, types.ChecksumAlgorithmSha256, v})

		key = "mpu-" + m.Name
		u := ckMultipart(t, c, bucket, key, types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite, []int{5 << 20, 100}, m)
		in2 := &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(u.ID),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}}
		if m.isC() {
			in2.SSECustomerAlgorithm, in2.SSECustomerKey, in2.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
		}
		if _, err := c.CompleteMultipartUpload(ctx, in2); err != nil {
			t.Fatalf("Complete %s: %v", key, err)
		}
		comp := ckComposite(types.ChecksumAlgorithmCrc32c, u.Parts)
		all = append(all, written{m, key, []string{strings.Split(comp, "-")[0], ckOf(types.ChecksumAlgorithmCrc32c, u.Parts[0]), ckOf(types.ChecksumAlgorithmCrc32c, u.Parts[1])},
			types.ChecksumAlgorithmCrc32c, comp})
	}
	// A copy into SSE-KMS seals the checksum it computes of the copied bytes.
	cin := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy-kms"), CopySource: aws.String(bucket + "/put-s3")}
	modes[1].copyDst(cin)
	if _, err := c.CopyObject(ctx, cin); err != nil {
		t.Fatalf("CopyObject into SSE-KMS: %v", err)
	}
	all = append(all, written{modes[1], "copy-kms", all[0].values, types.ChecksumAlgorithmSha256, all[0].want})
	// SSE-C complete without the key: refused when the upload named an algorithm.
	u := ckMultipart(t, c, bucket, "mpu-c-nokey", types.ChecksumAlgorithmCrc32, "", []int{10}, modes[2])
	_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu-c-nokey"),
		UploadId: aws.String(u.ID), MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}})
	wantAPIError(t, err, "InvalidRequest", 400)

	check := func(when string) {
		for _, w := range all {
			hin := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(w.key), ChecksumMode: types.ChecksumModeEnabled}
			w.mode.head(hin)
			ho, err := c.HeadObject(ctx, hin)
			if err != nil {
				t.Fatalf("%s: HEAD %s: %v", when, w.key, err)
			}
			if got := ckField(w.alg, ho.ChecksumCRC32, ho.ChecksumCRC32C, ho.ChecksumCRC64NVME, ho.ChecksumSHA1, ho.ChecksumSHA256); got != w.want {
				t.Errorf("%s: HEAD %s checksum %q, want %q", when, w.key, got, w.want)
			}
			gin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(w.key), ChecksumMode: types.ChecksumModeEnabled}
			w.mode.get(gin)
			_, g := mustGet(t, c, gin)
			if got := ckField(w.alg, g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME, g.ChecksumSHA1, g.ChecksumSHA256); got != w.want {
				t.Errorf("%s: GET %s checksum %q, want %q", when, w.key, got, w.want)
			}
			if w.mode.isC() { // without the key, HEAD is refused and states nothing
				_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(w.key), ChecksumMode: types.ChecksumModeEnabled})
				wantAPIError(t, err, "", 400)
			}
		}
	}
	check("before restart")

	// Unfinished uploads: ListParts states the sealed part checksums (SSE-KMS through the
	// KMS, SSE-C with the key and refused without it, the upload having named an algorithm).
	var pending []string
	for _, m := range modes[1:] {
		key := "pending-" + m.Name
		u := ckMultipart(t, c, bucket, key, types.ChecksumAlgorithmCrc32, types.ChecksumTypeComposite, []int{777}, m)
		v := ckOf(types.ChecksumAlgorithmCrc32, u.Parts[0])
		pending = append(pending, v)
		in := &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(u.ID)}
		if m.isC() {
			_, err := c.ListParts(ctx, in)
			wantAPIError(t, err, "InvalidRequest", 400)
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(m.C.B64), aws.String(m.C.MD5)
		}
		lp, err := c.ListParts(ctx, in)
		if err != nil {
			t.Fatalf("ListParts %s: %v", key, err)
		}
		if len(lp.Parts) != 1 || aws.ToString(lp.Parts[0].ChecksumCRC32) != v {
			t.Errorf("ListParts %s: %+v, want checksum %s", key, lp.Parts, v)
		}
	}
	srv.Stop()
	sseWithBolt(t, srv.DataDir, func(tx *bolt.Tx) {
		var dump []byte
		var walk func(b *bolt.Bucket)
		walk = func(b *bolt.Bucket) {
			b.ForEach(func(k, v []byte) error {
				if v == nil {
					walk(b.Bucket(k))
				} else {
					dump = append(dump, v...)
				}
				return nil
			})
		}
		walk(tx.Bucket([]byte("uploads")).Bucket([]byte(bucket)))
		for _, v := range pending {
			if bytes.Contains(dump, []byte(v)) {
				t.Errorf("a part record holds checksum %s in clear", v)
			}
		}
	})
	var keys []string
	for _, w := range all {
		keys = append(keys, w.key)
	}
	recs := ckRecordBytes(t, srv.DataDir, bucket, keys...)
	for _, w := range all {
		rec := recs[w.key]
		for _, v := range w.values {
			raw, _ := base64.StdEncoding.DecodeString(v)
			inClear := bytes.Contains(rec, []byte(v)) || bytes.Contains(rec, raw)
			if w.mode.WantSSE == types.ServerSideEncryptionAes256 {
				if !bytes.Contains(rec, []byte(v)) {
					t.Errorf("SSE-S3 record of %s lacks its checksum %s in clear", w.key, v)
				}
			} else if inClear {
				t.Errorf("record of %s (%s) holds checksum %s in clear:\n%s", w.key, w.mode.Name, v, rec)
			}
		}
		if w.mode.WantSSE != types.ServerSideEncryptionAes256 && !bytes.Contains(rec, []byte(`"scks"`)) {
			t.Errorf("record of %s has no sealed checksum", w.key)
		}
	}
	srv = StartServerAt(t, srv.DataDir)
	c = sdk(t, srv, srv.HTTPSURL, withSDKChecksums)
	check("after restart")
}

// TestChecksumDefault: an object sent without any checksum gets S3's default, CRC64NVME
// FULL_OBJECT, and the PutObject and CompleteMultipartUpload answers state it, as S3's do.
func TestChecksumDefault(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL) // computes no checksum of its own
	const bucket = "ckdefault"
	mustCreateBucket(t, c, bucket)
	data := randBytes(4321, 3)
	po := mustPut(t, c, bucket, "plain", data)
	if aws.ToString(po.ChecksumCRC64NVME) != ckOf(types.ChecksumAlgorithmCrc64nvme, data) || po.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("PutObject without checksum: CRC64NVME %q type %q, want %q FULL_OBJECT", aws.ToString(po.ChecksumCRC64NVME), po.ChecksumType,
			ckOf(types.ChecksumAlgorithmCrc64nvme, data))
	}
	u := ckMultipart(t, c, bucket, "mpu", "", "", []int{5 << 20, 99}, sseMode{})
	co, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mpu"),
		UploadId: aws.String(u.ID), MultipartUpload: &types.CompletedMultipartUpload{Parts: u.Done}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(co.ChecksumCRC64NVME) != ckOf(types.ChecksumAlgorithmCrc64nvme, u.Whole) || co.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("Complete without checksum: CRC64NVME %q type %q, want %q FULL_OBJECT", aws.ToString(co.ChecksumCRC64NVME), co.ChecksumType,
			ckOf(types.ChecksumAlgorithmCrc64nvme, u.Whole))
	}
}

// boto3ChecksumPy uploads through boto3's transfer manager (multipart, CRC32 parts, as
// botocore computes checksums by default) and a FULL_OBJECT CRC32 upload by hand (botocore
// needs the CRT for the other CRCs), then
// reads back with ChecksumMode ENABLED (botocore validates the body against a full-object
// value) and GetObjectAttributes. It prints one JSON line.
const boto3ChecksumPy = `
import boto3, json, os
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], config=Config(s3={"addressing_style": "path"}))
b = os.environ["BUCKET"]
data = bytes(range(256)) * (12 * 4096 + 7)
with open(os.environ["FILE"], "wb") as f:
    f.write(data)
s3.upload_file(os.environ["FILE"], b, "managed", ExtraArgs={"ChecksumAlgorithm": "CRC32"},
               Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
out = {}
h = s3.head_object(Bucket=b, Key="managed", ChecksumMode="ENABLED")
out["managed_head"] = [h.get("ChecksumCRC32"), h.get("ChecksumType")]
g = s3.get_object(Bucket=b, Key="managed", ChecksumMode="ENABLED")
out["managed_body_ok"] = g["Body"].read() == data
u = s3.create_multipart_upload(Bucket=b, Key="full", ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
parts = []
for i, chunk in enumerate([data[:5 << 20], data[5 << 20:]]):
    p = s3.upload_part(Bucket=b, Key="full", UploadId=u["UploadId"], PartNumber=i + 1, Body=chunk, ChecksumAlgorithm="CRC32")
    parts.append({"PartNumber": i + 1, "ETag": p["ETag"], "ChecksumCRC32": p["ChecksumCRC32"]})
c = s3.complete_multipart_upload(Bucket=b, Key="full", UploadId=u["UploadId"], MultipartUpload={"Parts": parts}, ChecksumType="FULL_OBJECT")
out["full_complete"] = [c.get("ChecksumCRC32"), c.get("ChecksumType")]
g = s3.get_object(Bucket=b, Key="full", ChecksumMode="ENABLED")
out["full_body_ok"] = g["Body"].read() == data
out["full_get"] = g.get("ChecksumCRC32")
a = s3.get_object_attributes(Bucket=b, Key="managed", ObjectAttributes=["Checksum", "ObjectParts", "ObjectSize"])
out["attrs"] = [a["Checksum"].get("ChecksumType"), a["ObjectParts"].get("TotalPartsCount"), len(a["ObjectParts"].get("Parts", [])), a["ObjectSize"]]
print(json.dumps(out))
`

// TestChecksumBoto3: boto3's transfer manager and a FULL_OBJECT upload by hand, read back with
// botocore validating the checksum.
func TestChecksumBoto3(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	const bucket = "ckboto3"
	mustCreateBucket(t, c, bucket)
	raw := runPython(t, boto3ChecksumPy, "ENDPOINT="+srv.HTTPURL, "BUCKET="+bucket, "FILE="+filepath.Join(t.TempDir(), "data"))
	var out struct {
		ManagedHead   []any  `json:"managed_head"`
		ManagedBodyOK bool   `json:"managed_body_ok"`
		FullComplete  []any  `json:"full_complete"`
		FullBodyOK    bool   `json:"full_body_ok"`
		FullGet       string `json:"full_get"`
		Attrs         []any  `json:"attrs"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("boto3 output %q: %v", raw, err)
	}
	data := bytes.Repeat(func() []byte {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		return b
	}(), 12*4096+7)
	full := ckOf(types.ChecksumAlgorithmCrc32, data)
	if !out.ManagedBodyOK || !out.FullBodyOK || out.FullGet != full || len(out.FullComplete) != 2 || out.FullComplete[0] != full || out.FullComplete[1] != "FULL_OBJECT" {
		t.Errorf("boto3: %s (want full-object CRC32 %s)", raw, full)
	}
	if len(out.ManagedHead) != 2 || out.ManagedHead[0] == nil || len(out.Attrs) != 4 || out.Attrs[1] != float64(3) || out.Attrs[3] != float64(len(data)) {
		t.Errorf("boto3 managed upload: %s", raw)
	}
}
