package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"hash/crc32"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const mib = 1 << 20

// multipartETag is S3's ETag for a multipart object: the MD5 of the parts' binary MD5s,
// then "-" and the part count.
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(parts))
}

// compositeCRC32 is S3's COMPOSITE checksum of a multipart object: the CRC32 of the parts'
// binary CRC32s, then "-" and the part count.
func compositeCRC32(parts ...[]byte) string {
	var all []byte
	for _, p := range parts {
		all = binary.BigEndian.AppendUint32(all, crc32.ChecksumIEEE(p))
	}
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(all))) +
		"-" + strconv.Itoa(len(parts))
}

func split(data []byte, partSize int) [][]byte {
	var parts [][]byte
	for len(data) > partSize {
		parts = append(parts, data[:partSize])
		data = data[partSize:]
	}
	return append(parts, data)
}

// managerUpload uploads data with aws-sdk-go-v2's upload manager (feature/s3/manager): a
// multipart upload with CRC32 part checksums, `concurrency` parts in flight.
func managerUpload(ctx context.Context, c *s3.Client, bucket, key string, data []byte, partSize, concurrency int) (*s3.CompleteMultipartUploadOutput, error) {
	var complete *s3.CompleteMultipartUploadOutput
	up := manager.NewUploader(c, func(u *manager.Uploader) {
		u.PartSize = int64(partSize)
		u.Concurrency = concurrency
	})
	out, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		return nil, err
	}
	complete = &s3.CompleteMultipartUploadOutput{ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32, ChecksumType: out.ChecksumType}
	return complete, nil
}

// managerDownload downloads an object with the download manager: ranged GETs of partSize,
// `concurrency` in flight, assembled in order.
func managerDownload(ctx context.Context, c *s3.Client, bucket, key string, partSize, concurrency int) ([]byte, error) {
	down := manager.NewDownloader(c, func(d *manager.Downloader) {
		d.PartSize = int64(partSize)
		d.Concurrency = concurrency
	})
	buf := manager.NewWriteAtBuffer(nil)
	if _, err := down.Download(ctx, buf, &s3.GetObjectInput{Bucket: &bucket, Key: &key}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TestMultipartManager: 40 MiB in 5 MiB parts with 4 concurrent uploaders, downloaded in
// ranges with 4 concurrent readers; ETag and composite CRC32 as S3 computes them.
func TestMultipartManager(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	data := randBytes(40*mib, 40)
	parts := split(data, 5*mib)
	wantETag := multipartETag(parts...)
	wantCRC := compositeCRC32(parts...)
	for _, ep := range bothEndpoints(srv) {
		t.Run(ep.Name, func(t *testing.T) {
			c := sdk(t, srv, ep.URL, withSDKChecksums)
			bucket := "mpu-" + ep.Name
			mustCreateBucket(t, c, bucket)
			out, err := managerUpload(ctx, c, bucket, "big/object", data, 5*mib, 4)
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			if got := aws.ToString(out.ETag); got != wantETag || !strings.HasSuffix(got, `-8"`) {
				t.Errorf("Complete ETag %s, want %s", got, wantETag)
			}
			if got := aws.ToString(out.ChecksumCRC32); got != wantCRC {
				t.Errorf("Complete ChecksumCRC32 %q, want composite %q", got, wantCRC)
			}
			if out.ChecksumType != types.ChecksumTypeComposite {
				t.Errorf("Complete ChecksumType %q, want COMPOSITE", out.ChecksumType)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("big/object"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(head.ETag) != wantETag || aws.ToInt64(head.ContentLength) != int64(len(data)) {
				t.Errorf("HEAD: ETag %s length %d, want %s %d", aws.ToString(head.ETag), aws.ToInt64(head.ContentLength), wantETag, len(data))
			}
			if got := aws.ToString(head.ChecksumCRC32); got != wantCRC {
				t.Errorf("HEAD ChecksumCRC32 %q, want %q", got, wantCRC)
			}
			got, err := managerDownload(ctx, c, bucket, "big/object", 5*mib, 4)
			if err != nil {
				t.Fatalf("download: %v", err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("downloaded %d bytes differ from the %d uploaded", len(got), len(data))
			}
			// Completed uploads are gone from the listing.
			lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket})
			if err != nil || len(lu.Uploads) != 0 {
				t.Errorf("ListMultipartUploads after Complete: %d uploads (%v), want none", len(lu.Uploads), err)
			}
		})
	}
}

type mpu struct {
	t      *testing.T
	c      *s3.Client
	bucket string
	key    string
	id     string
}

func newMPU(t *testing.T, c *s3.Client, bucket, key string) *mpu {
	t.Helper()
	out, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	if aws.ToString(out.Bucket) != bucket || aws.ToString(out.Key) != key || aws.ToString(out.UploadId) == "" {
		t.Errorf("CreateMultipartUpload: bucket %q key %q upload id %q", aws.ToString(out.Bucket), aws.ToString(out.Key), aws.ToString(out.UploadId))
	}
	return &mpu{t: t, c: c, bucket: bucket, key: key, id: aws.ToString(out.UploadId)}
}

func (m *mpu) uploadPart(n int32, data []byte) (string, error) {
	out, err := m.c.UploadPart(context.Background(), &s3.UploadPartInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id,
		PartNumber: aws.Int32(n), Body: bytes.NewReader(data)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

func (m *mpu) mustUploadPart(n int32, data []byte) string {
	m.t.Helper()
	etag, err := m.uploadPart(n, data)
	if err != nil {
		m.t.Fatalf("UploadPart %d: %v", n, err)
	}
	if etag != quotedMD5(data) {
		m.t.Errorf("UploadPart %d: ETag %s, want %s", n, etag, quotedMD5(data))
	}
	return etag
}

// complete sends parts as (number, etag) pairs.
func (m *mpu) complete(parts ...any) (*s3.CompleteMultipartUploadOutput, error) {
	var cps []types.CompletedPart
	for i := 0; i < len(parts); i += 2 {
		cps = append(cps, types.CompletedPart{PartNumber: aws.Int32(int32(parts[i].(int))), ETag: aws.String(parts[i+1].(string))})
	}
	return m.c.CompleteMultipartUpload(context.Background(), &s3.CompleteMultipartUploadInput{Bucket: &m.bucket, Key: &m.key,
		UploadId: &m.id, MultipartUpload: &types.CompletedMultipartUpload{Parts: cps}})
}

// TestMultipartErrors: Complete's validation, abort, unknown uploads, part numbers.
func TestMultipartErrors(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "mperr")
	five1 := randBytes(5*mib, 1)
	five2 := randBytes(5*mib, 2)
	small := []byte("the last part may be small")

	t.Run("invalid-part-order", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "order")
		e1, e2 := m.mustUploadPart(1, five1), m.mustUploadPart(2, five2)
		_, err := m.complete(2, e2, 1, e1)
		wantAPIError(t, err, "InvalidPartOrder", 400)
		// The upload survives a refused Complete.
		out, err := m.complete(1, e1, 2, e2)
		if err != nil {
			t.Fatalf("Complete in order after a refused one: %v", err)
		}
		if aws.ToString(out.ETag) != multipartETag(five1, five2) {
			t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), multipartETag(five1, five2))
		}
	})
	t.Run("invalid-part", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "invalid-part")
		e1 := m.mustUploadPart(1, five1)
		m.mustUploadPart(2, small)
		_, err := m.complete(1, e1, 2, `"00000000000000000000000000000000"`)
		wantAPIError(t, err, "InvalidPart", 400)
		_, err = m.complete(1, e1, 3, quotedMD5(small))
		wantAPIError(t, err, "InvalidPart", 400)
	})
	t.Run("entity-too-small", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "too-small")
		e1 := m.mustUploadPart(1, small)
		e2 := m.mustUploadPart(2, small)
		_, err := m.complete(1, e1, 2, e2)
		wantAPIError(t, err, "EntityTooSmall", 400)
		// 5 MiB - 1 is still too small.
		m2 := newMPU(t, c, "mperr", "too-small-2")
		f1 := m2.mustUploadPart(1, five1[:5*mib-1])
		f2 := m2.mustUploadPart(2, small)
		_, err = m2.complete(1, f1, 2, f2)
		wantAPIError(t, err, "EntityTooSmall", 400)
	})
	t.Run("single-small-part", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "one-part")
		e1 := m.mustUploadPart(1, small)
		out, err := m.complete(1, e1)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ETag) != multipartETag(small) {
			t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), multipartETag(small))
		}
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("mperr"), Key: aws.String("one-part")})
		if !bytes.Equal(got, small) {
			t.Errorf("body %q", got)
		}
		// A completed upload is gone.
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = m.uploadPart(2, small)
		wantAPIError(t, err, "NoSuchUpload", 404)
	})
	t.Run("sparse-part-numbers", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "sparse")
		e3 := m.mustUploadPart(3, five1)
		e7 := m.mustUploadPart(7, small)
		if _, err := m.complete(3, e3, 7, e7); err != nil {
			t.Fatal(err)
		}
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("mperr"), Key: aws.String("sparse")})
		if !bytes.Equal(got, append(append([]byte(nil), five1...), small...)) {
			t.Errorf("body of %d bytes differs", len(got))
		}
	})
	t.Run("abort", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "aborted")
		e1 := m.mustUploadPart(1, small)
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id}); err != nil {
			t.Fatalf("Abort: %v", err)
		}
		_, err := m.uploadPart(2, small)
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = m.complete(1, e1)
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id})
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &m.bucket, Key: &m.key})
		wantAPIError(t, err, "", 404)
	})
	t.Run("unknown-upload-id", func(t *testing.T) {
		m := &mpu{t: t, c: c, bucket: "mperr", key: "x", id: "no-such-upload-id"}
		_, err := m.uploadPart(1, small)
		wantAPIError(t, err, "NoSuchUpload", 404)
		_, err = m.complete(1, quotedMD5(small))
		wantAPIError(t, err, "NoSuchUpload", 404)
		// An upload id belongs to its key.
		real := newMPU(t, c, "mperr", "owner-key")
		other := &mpu{t: t, c: c, bucket: "mperr", key: "other-key", id: real.id}
		_, err = other.uploadPart(1, small)
		wantAPIError(t, err, "NoSuchUpload", 404)
	})
	t.Run("part-number-range", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "numbers")
		for _, n := range []int32{0, 10001} {
			_, err := m.uploadPart(n, small)
			wantAPIError(t, err, "InvalidArgument", 400)
		}
		if _, err := m.uploadPart(10000, small); err != nil {
			t.Errorf("part 10000: %v", err)
		}
	})
	t.Run("reupload-replaces-part", func(t *testing.T) {
		m := newMPU(t, c, "mperr", "replaced")
		eA := m.mustUploadPart(1, five1)
		eB := m.mustUploadPart(1, five2)
		e2 := m.mustUploadPart(2, small)
		lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id})
		if err != nil {
			t.Fatal(err)
		}
		if len(lp.Parts) != 2 || aws.ToString(lp.Parts[0].ETag) != eB || aws.ToInt64(lp.Parts[0].Size) != 5*mib {
			t.Errorf("ListParts after re-upload: %+v, want part 1 with ETag %s", lp.Parts, eB)
		}
		_, err = m.complete(1, eA, 2, e2)
		wantAPIError(t, err, "InvalidPart", 400)
		if _, err := m.complete(1, eB, 2, e2); err != nil {
			t.Fatal(err)
		}
		got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("mperr"), Key: aws.String("replaced")})
		if !bytes.Equal(got, append(append([]byte(nil), five2...), small...)) {
			t.Errorf("body of %d bytes is not the re-uploaded part 1 + part 2", len(got))
		}
	})
}

// TestMultipartListParts: ListParts pages through the SDK paginator.
func TestMultipartListParts(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "parts")
	m := newMPU(t, c, "parts", "k")
	var etags []string
	for i := 1; i <= 5; i++ {
		etags = append(etags, m.mustUploadPart(int32(i), []byte(strings.Repeat(strconv.Itoa(i), i*10))))
	}
	p := s3.NewListPartsPaginator(c, &s3.ListPartsInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id, MaxParts: aws.Int32(2)})
	var got []types.Part
	var markers []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Parts) > 2 {
			t.Errorf("page %d: %d parts, MaxParts 2", pages, len(out.Parts))
		}
		if aws.ToString(out.UploadId) != m.id || aws.ToString(out.Key) != "k" || aws.ToInt32(out.MaxParts) != 2 {
			t.Errorf("page %d: UploadId %q Key %q MaxParts %d", pages, aws.ToString(out.UploadId), aws.ToString(out.Key), aws.ToInt32(out.MaxParts))
		}
		if aws.ToBool(out.IsTruncated) {
			markers = append(markers, aws.ToString(out.NextPartNumberMarker))
		}
		got = append(got, out.Parts...)
		if pages > 10 {
			t.Fatal("too many pages")
		}
	}
	if pages != 3 || fmt.Sprint(markers) != "[2 4]" {
		t.Errorf("%d pages with NextPartNumberMarkers %v, want 3 pages and [2 4]", pages, markers)
	}
	if len(got) != 5 {
		t.Fatalf("%d parts listed, want 5", len(got))
	}
	for i, part := range got {
		if aws.ToInt32(part.PartNumber) != int32(i+1) || aws.ToString(part.ETag) != etags[i] ||
			aws.ToInt64(part.Size) != int64((i+1)*10) || part.LastModified == nil {
			t.Errorf("part %d: number %d ETag %s size %d LastModified %v", i+1, aws.ToInt32(part.PartNumber),
				aws.ToString(part.ETag), aws.ToInt64(part.Size), part.LastModified)
		}
	}
}

// TestMultipartListUploads: ListMultipartUploads with prefix, delimiter and paging.
func TestMultipartListUploads(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "uploads")
	ids := map[string]string{}
	for _, key := range []string{"x/1", "x/2", "y/1", "z", "z"} {
		m := newMPU(t, c, "uploads", key)
		ids[m.id] = key
	}
	done := newMPU(t, c, "uploads", "x/done")
	done.mustUploadPart(1, []byte("x"))
	if _, err := done.complete(1, quotedMD5([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	aborted := newMPU(t, c, "uploads", "x/aborted")
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &aborted.bucket, Key: &aborted.key, UploadId: &aborted.id}); err != nil {
		t.Fatal(err)
	}
	keys := func(us []types.MultipartUpload) []string {
		var out []string
		for _, u := range us {
			out = append(out, aws.ToString(u.Key))
		}
		return out
	}
	tests := []struct {
		name     string
		in       s3.ListMultipartUploadsInput
		keys     []string
		prefixes []string
	}{
		{"all", s3.ListMultipartUploadsInput{}, []string{"x/1", "x/2", "y/1", "z", "z"}, nil},
		{"prefix", s3.ListMultipartUploadsInput{Prefix: aws.String("x/")}, []string{"x/1", "x/2"}, nil},
		{"delimiter", s3.ListMultipartUploadsInput{Delimiter: aws.String("/")}, []string{"z", "z"}, []string{"x/", "y/"}},
		{"prefix+delimiter", s3.ListMultipartUploadsInput{Prefix: aws.String("y/"), Delimiter: aws.String("/")}, []string{"y/1"}, nil},
		{"key-marker", s3.ListMultipartUploadsInput{KeyMarker: aws.String("x/2")}, []string{"y/1", "z", "z"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String("uploads")
			out, err := c.ListMultipartUploads(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(keys(out.Uploads)) != fmt.Sprint(tc.keys) {
				t.Errorf("uploads %q, want %q", keys(out.Uploads), tc.keys)
			}
			if fmt.Sprint(prefixesOf(out.CommonPrefixes)) != fmt.Sprint(tc.prefixes) {
				t.Errorf("common prefixes %q, want %q", prefixesOf(out.CommonPrefixes), tc.prefixes)
			}
			for _, u := range out.Uploads {
				if ids[aws.ToString(u.UploadId)] != aws.ToString(u.Key) || u.Initiated == nil {
					t.Errorf("upload %s %s: unknown, or no Initiated", aws.ToString(u.Key), aws.ToString(u.UploadId))
				}
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		seen := map[string]int{}
		in := &s3.ListMultipartUploadsInput{Bucket: aws.String("uploads"), MaxUploads: aws.Int32(2)}
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatal("too many pages")
			}
			out, err := c.ListMultipartUploads(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Uploads) > 2 {
				t.Errorf("page %d: %d uploads, MaxUploads 2", page, len(out.Uploads))
			}
			for _, u := range out.Uploads {
				seen[aws.ToString(u.UploadId)]++
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			if aws.ToString(out.NextKeyMarker) == "" || aws.ToString(out.NextUploadIdMarker) == "" {
				t.Fatalf("page %d truncated without NextKeyMarker/NextUploadIdMarker", page)
			}
			in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
		}
		if len(seen) != len(ids) {
			t.Errorf("paged through %d uploads, want %d", len(seen), len(ids))
		}
		for id, n := range seen {
			if n != 1 || ids[id] == "" {
				t.Errorf("upload %s seen %d times (known: %v)", id, n, ids[id] != "")
			}
		}
	})
}

// TestMultipartCopyAndPartNumber: UploadPartCopy with and without CopySourceRange, then
// GetObject/HeadObject by PartNumber.
func TestMultipartCopyAndPartNumber(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "src")
	mustCreateBucket(t, c, "dst")
	src := randBytes(6*mib+100, 9)
	srcKey := "source object ü+.bin"
	mustPut(t, c, "src", srcKey, src)
	source := "src/" + s3Escape(srcKey)

	m := newMPU(t, c, "dst", "assembled")
	pieces := [][]byte{src[:5*mib], src, src[len(src)-100:]}
	ranges := []*string{aws.String(fmt.Sprintf("bytes=0-%d", 5*mib-1)), nil, aws.String(fmt.Sprintf("bytes=%d-%d", len(src)-100, len(src)-1))}
	var etags []string
	for i := range pieces {
		out, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: &m.bucket, Key: &m.key, UploadId: &m.id,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: &source, CopySourceRange: ranges[i]})
		if err != nil {
			t.Fatalf("UploadPartCopy %d: %v", i+1, err)
		}
		if out.CopyPartResult == nil || aws.ToString(out.CopyPartResult.ETag) != quotedMD5(pieces[i]) {
			t.Errorf("UploadPartCopy %d: result %+v, want ETag %s", i+1, out.CopyPartResult, quotedMD5(pieces[i]))
		}
		etags = append(etags, quotedMD5(pieces[i]))
	}
	out, err := m.complete(1, etags[0], 2, etags[1], 3, etags[2])
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ETag) != multipartETag(pieces...) {
		t.Errorf("ETag %s, want %s", aws.ToString(out.ETag), multipartETag(pieces...))
	}
	whole := bytes.Join(pieces, nil)
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("assembled")})
	if !bytes.Equal(got, whole) {
		t.Errorf("assembled object of %d bytes differs from the %d expected", len(got), len(whole))
	}

	offset := 0
	for i, piece := range pieces {
		n := int32(i + 1)
		t.Run(fmt.Sprintf("part-%d", n), func(t *testing.T) {
			b, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("assembled"), PartNumber: &n})
			if !bytes.Equal(b, piece) {
				t.Errorf("GET partNumber=%d: %d bytes, want the part's %d", n, len(b), len(piece))
			}
			if aws.ToInt32(out.PartsCount) != 3 {
				t.Errorf("GET partNumber=%d: x-amz-mp-parts-count %d, want 3", n, aws.ToInt32(out.PartsCount))
			}
			wantCR := fmt.Sprintf("bytes %d-%d/%d", offset, offset+len(piece)-1, len(whole))
			if aws.ToString(out.ContentRange) != wantCR {
				t.Errorf("GET partNumber=%d: Content-Range %q, want %q", n, aws.ToString(out.ContentRange), wantCR)
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String("assembled"), PartNumber: &n})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToInt64(head.ContentLength) != int64(len(piece)) || aws.ToInt32(head.PartsCount) != 3 {
				t.Errorf("HEAD partNumber=%d: length %d parts %d, want %d and 3", n, aws.ToInt64(head.ContentLength),
					aws.ToInt32(head.PartsCount), len(piece))
			}
			resp := do(t, srv.HTTPURL, rawReq{Method: "GET", Path: "/dst/assembled", Query: fmt.Sprintf("partNumber=%d", n)})
			if resp.Status != 206 || resp.Header.Get("x-amz-mp-parts-count") != "3" {
				t.Errorf("raw GET partNumber=%d: status %d parts-count %q, want 206 and 3", n, resp.Status, resp.Header.Get("x-amz-mp-parts-count"))
			}
		})
		offset += len(piece)
	}
	t.Run("part-out-of-range", func(t *testing.T) {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dst"), Key: aws.String("assembled"), PartNumber: aws.Int32(4)})
		wantAPIError(t, err, "InvalidPartNumber", 416)
	})
}
