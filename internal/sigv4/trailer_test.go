package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"
)

// trailerValue reads the crc32 trailer; names are lowercase, so not Get.
func trailerValue(h http.Header) string {
	if v := h["x-amz-checksum-crc32"]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// Trailer signatures over the documented "name:value\n" lines and over the
// wire's CRLF lines both verify; several trailers and mixed-case names work.
func TestTrailerSignatureForms(t *testing.T) {
	data := testPayload(2*cs + 500)
	lines := []string{"X-Amz-Checksum-Crc32:sOO8/Q==", "x-amz-meta-extra: v "}
	for _, sep := range []string{"\n", "\r\n", "\t"} {
		sp := streamSpec{mode: streamingSignedTrailer, chunkSize: cs, announce: "x-amz-checksum-crc32"}
		req := streamingRequest(t, sp, data, func(f [][]byte) [][]byte {
			final := string(f[3])
			prev := final[len("0;chunk-signature=") : len(final)-2]
			amzDate := testNow.Format(amzDateForm)
			s := &chunkSigner{key: SigningKey(testSecret, amzDate[:8], testRegion, "s3"), amzDate: amzDate,
				scope: amzDate[:8] + "/" + testRegion + "/s3/aws4_request", prev: prev}
			var wire, hashed string
			for _, l := range lines {
				wire += l + "\r\n"
				hashed += l + sep
			}
			return append(f[:4], []byte(wire+"x-amz-trailer-signature:"+s.trailerSig(hashed)+"\r\n\r\n"))
		})
		res, err := newVerifier().Verify(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(res.Body)
		if sep == "\t" {
			if !errors.Is(err, ErrSignatureDoesNotMatch) || res.Trailer() != nil {
				t.Fatalf("bad separator accepted: %v", err)
			}
			continue
		}
		tr := res.Trailer()
		if err != nil || !bytes.Equal(got, data) || trailerValue(tr) != "sOO8/Q==" || tr["x-amz-meta-extra"][0] != "v" {
			t.Fatalf("sep %q: %v %v", sep, err, tr)
		}
	}
}
