package e2e

// minio-go (see minio_go_test.go): checksums, and signed chunks over plain HTTP.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

func mgoCRC32C(b []byte) string {
	s := crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
	return base64.StdEncoding.EncodeToString([]byte{byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)})
}

func TestMinioGoChecksums(t *testing.T) {
	srv := StartServer(t)
	// Checksum (a trailing checksum over aws-chunked) needs TrailingHeaders, which S3 supports.
	c := newMinioGo(t, srv, func(o *minio.Options) { o.TrailingHeaders = true })
	ctx := context.Background()
	const b = "mgo-checksums"
	mgoMakeBucket(t, c, b)
	small := []byte("checksummed small object")
	const part = 5 << 20
	big := randBytes(2*part+999, 19)

	// A single PUT with a CRC32C checksum: the value is stored and returned.
	info := mgoPut(t, c, b, "small-crc32c", small, minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C})
	if info.ChecksumCRC32C != mgoCRC32C(small) {
		t.Fatalf("PutObject CRC32C: %q, want %q", info.ChecksumCRC32C, mgoCRC32C(small))
	}
	st, err := c.StatObject(ctx, b, "small-crc32c", minio.StatObjectOptions{Checksum: true})
	if err != nil || st.ChecksumCRC32C != mgoCRC32C(small) || st.ChecksumMode != "FULL_OBJECT" {
		t.Fatalf("StatObject with checksum mode: %q %q %v", st.ChecksumCRC32C, st.ChecksumMode, err)
	}
	mgoSame(t, "GetObject with checksum validation", mgoGet(t, c, b, "small-crc32c", minio.GetObjectOptions{Checksum: true}), small)

	for _, m := range []struct {
		name string
		opts minio.PutObjectOptions
		mode string
		get  func(minio.ObjectInfo) string
	}{
		// minio-go's default for a multipart upload: AutoChecksum CRC32C, composite.
		{"auto-crc32c", minio.PutObjectOptions{}, "COMPOSITE", func(o minio.ObjectInfo) string { return o.ChecksumCRC32C }},
		{"checksum-sha256", minio.PutObjectOptions{Checksum: minio.ChecksumSHA256}, "COMPOSITE", func(o minio.ObjectInfo) string { return o.ChecksumSHA256 }},
		{"full-crc32c", minio.PutObjectOptions{Checksum: minio.ChecksumFullObjectCRC32C}, "FULL_OBJECT", func(o minio.ObjectInfo) string { return o.ChecksumCRC32C }},
		{"full-crc32", minio.PutObjectOptions{AutoChecksum: minio.ChecksumFullObjectCRC32}, "FULL_OBJECT", func(o minio.ObjectInfo) string { return o.ChecksumCRC32 }},
		{"crc64nvme", minio.PutObjectOptions{Checksum: minio.ChecksumCRC64NVME}, "FULL_OBJECT", func(o minio.ObjectInfo) string { return o.ChecksumCRC64NVME }},
	} {
		t.Run(m.name, func(t *testing.T) {
			for _, size := range []int64{int64(len(big)), -1} {
				key := fmt.Sprintf("%s/%d", m.name, size)
				o := m.opts
				o.PartSize = part
				info, err := c.PutObject(ctx, b, key, io.MultiReader(bytes.NewReader(big)), size, o)
				if err != nil {
					t.Fatalf("PutObject %s: %v", key, err)
				}
				st, err := c.StatObject(ctx, b, key, minio.StatObjectOptions{Checksum: true})
				if err != nil {
					t.Fatalf("StatObject %s: %v", key, err)
				}
				if m.get(st) == "" || st.ChecksumMode != m.mode {
					t.Fatalf("StatObject %s: checksum %q type %q, want a value of type %s (upload answered %+v)", key, m.get(st), st.ChecksumMode, m.mode, info)
				}
				if m.mode == "FULL_OBJECT" {
					// A full-object checksum is the checksum of the whole body.
					if m.name == "full-crc32c" && st.ChecksumCRC32C != mgoCRC32C(big) {
						t.Fatalf("StatObject %s: CRC32C %q, want %q", key, st.ChecksumCRC32C, mgoCRC32C(big))
					}
					if m.name == "full-crc32" && st.ChecksumCRC32 != minio.ChecksumCRC32.ChecksumBytes(big).Encoded() {
						t.Fatalf("StatObject %s: CRC32 %q", key, st.ChecksumCRC32)
					}
					if m.name == "crc64nvme" && st.ChecksumCRC64NVME != minio.ChecksumCRC64NVME.ChecksumBytes(big).Encoded() {
						t.Fatalf("StatObject %s: CRC64NVME %q", key, st.ChecksumCRC64NVME)
					}
				}
				// GetObject validates a full-object checksum at EOF.
				mgoSame(t, "GetObject with checksum "+key, mgoGet(t, c, b, key, minio.GetObjectOptions{Checksum: true}), big)
				attrs, err := c.GetObjectAttributes(ctx, b, key, minio.ObjectAttributesOptions{MaxParts: 2})
				if err != nil {
					t.Fatalf("GetObjectAttributes %s: %v", key, err)
				}
				if attrs.ObjectSize != len(big) || attrs.ObjectParts.PartsCount != 3 || attrs.Checksum.ChecksumType != m.mode {
					t.Fatalf("GetObjectAttributes %s: %+v", key, attrs.ObjectAttributesResponse)
				}
				// Parts are listed (and paged) for a composite checksum only; a FULL_OBJECT
				// object's parts are counted (docs/CHECKSUMS.md).
				if m.mode == "COMPOSITE" && (len(attrs.ObjectParts.Parts) != 2 || !attrs.ObjectParts.IsTruncated ||
					attrs.ObjectParts.NextPartNumberMarker != 2 || attrs.ObjectParts.Parts[0].Size != part) ||
					m.mode == "FULL_OBJECT" && len(attrs.ObjectParts.Parts) != 0 {
					t.Fatalf("GetObjectAttributes %s parts: %+v", key, attrs.ObjectParts)
				}
			}
		})
	}

	// A wrong checksum is refused with S3's BadDigest.
	hdr := minio.PutObjectOptions{UserMetadata: map[string]string{"x-amz-checksum-crc32c": mgoCRC32C([]byte("other"))}}
	_, err = c.PutObject(ctx, b, "bad", bytes.NewReader(small), int64(len(small)), hdr)
	mgoWantCode(t, "PutObject with a wrong CRC32C", err, "BadDigest")
	// SendContentMd5 sends Content-MD5 (a wrong one is likewise refused; minio-go has no way to
	// send a wrong one, so the right one is checked to be accepted).
	info = mgoPut(t, c, b, "md5", small, minio.PutObjectOptions{SendContentMd5: true})
	sum := md5.Sum(small)
	if info.ETag != hex.EncodeToString(sum[:]) {
		t.Fatalf("PutObject SendContentMd5: ETag %q", info.ETag)
	}
}

// Over plain HTTP minio-go signs every chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), and with
// TrailingHeaders it sends the checksum in a signed trailer (…-PAYLOAD-TRAILER).
func TestMinioGoPlainHTTP(t *testing.T) {
	srv := StartServer(t)
	big := randBytes(6<<20+3, 20)
	for _, trailers := range []bool{false, true} {
		c, err := minio.New(strings.TrimPrefix(srv.HTTPURL, "http://"), &minio.Options{
			Creds: credentials.NewStaticV4(testAccessKey, testSecretKey, ""), Region: testRegion,
			BucketLookup: minio.BucketLookupPath, TrailingHeaders: trailers, MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		b := fmt.Sprintf("mgo-http-%t", trailers)
		mgoMakeBucket(t, c, b)
		for _, o := range []struct {
			key  string
			opts minio.PutObjectOptions
		}{
			{"default", minio.PutObjectOptions{}},
			{"crc32c", minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}},
			{"full-crc64nvme", minio.PutObjectOptions{Checksum: minio.ChecksumCRC64NVME}},
		} {
			if o.opts.Checksum.IsSet() && !trailers {
				continue // minio-go itself requires TrailingHeaders for Checksum
			}
			for _, size := range []int64{17, int64(len(big)), -1} {
				body := big
				if size == 17 {
					body = big[:17]
				}
				key := fmt.Sprintf("%s/%d", o.key, size)
				opts := o.opts
				opts.PartSize = 5 << 20
				if _, err := c.PutObject(context.Background(), b, key, io.MultiReader(bytes.NewReader(body)), size, opts); err != nil {
					t.Fatalf("trailers %t: PutObject %s: %v", trailers, key, err)
				}
				mgoSame(t, "GetObject "+key, mgoGet(t, c, b, key, minio.GetObjectOptions{Checksum: true}), body)
			}
		}
	}
}
