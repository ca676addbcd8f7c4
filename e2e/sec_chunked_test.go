package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// unsignedChunked frames data as STREAMING-UNSIGNED-PAYLOAD-TRAILER in chunks of the given
// sizes, with a CRC32 trailer.
func unsignedChunked(data []byte, sizes []int) []byte {
	var b bytes.Buffer
	rest := data
	for _, n := range sizes {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, rest[:n])
		rest = rest[n:]
	}
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(data))
	fmt.Fprintf(&b, "0\r\nx-amz-checksum-crc32:%s\r\n\r\n", base64.StdEncoding.EncodeToString(sum[:]))
	return b.Bytes()
}

// TestSecChunkedMinimumSize: an aws-chunked upload whose chunks before the last are under
// 8 KiB is refused with S3's InvalidChunkSizeError and its Chunk and BadChunkSize elements,
// and nothing is stored; full chunks with a short last one are fine.
func TestSecChunkedMinimumSize(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ep := srv.HTTPSURL
	c := sdk(t, srv, ep)
	bucket := "sec-chunked"
	mustCreateBucket(t, c, bucket)

	put := func(key string, data []byte, sizes []int) rawResp {
		return do(t, ep, rawReq{Method: "PUT", Path: "/" + bucket + "/" + key, Body: unsignedChunked(data, sizes),
			PayloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			Header: http.Header{"Content-Encoding": {"aws-chunked"}, "X-Amz-Trailer": {"x-amz-checksum-crc32"},
				"X-Amz-Decoded-Content-Length": {strconv.Itoa(len(data))}}})
	}
	for _, tc := range []struct {
		name        string
		data        []byte
		sizes       []int
		chunk, size string
	}{
		{"hello-in-threes", []byte("hello"), []int{3, 2}, "2", "3"}, // S3's own example
		{"short-middle", randBytes(2*8192+10, 7), []int{8192, 10, 8192}, "3", "10"},
	} {
		resp := put(tc.name, tc.data, tc.sizes)
		wantXMLError(t, resp, 400, "InvalidChunkSizeError")
		var e struct {
			Message      string `xml:"Message"`
			Chunk        string `xml:"Chunk"`
			BadChunkSize string `xml:"BadChunkSize"`
		}
		xml.Unmarshal(resp.Body, &e)
		if e.Message != "Only the last chunk is allowed to have a size less than 8192 bytes" || e.Chunk != tc.chunk || e.BadChunkSize != tc.size {
			t.Errorf("%s: %+v\n%s", tc.name, e, resp.Body)
		}
		wantNoObject(t, c, bucket, tc.name)
	}

	data := randBytes(2*8192+100, 8)
	if resp := put("ok", data, []int{8192, 8192, 100}); resp.Status != 200 {
		t.Fatalf("full chunks: %d\n%s", resp.Status, resp.Body)
	}
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("ok")})
	if !bytes.Equal(got, data) {
		t.Errorf("stored %d bytes, want %d", len(got), len(data))
	}
}
