package sigv4

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// minio-go (Options.TrailingHeaders) ends each trailer line with a bare LF and
// then sends CRLF CRLF: signed, "name:value\n" CRLF "x-amz-trailer-signature:sig"
// CRLF CRLF; unsigned, "name:value\n" CRLF CRLF. S3 accepts both (minio-go's
// trailing checksums are verified against AWS); one extra empty line is all
// that is tolerated.
func TestTrailerMinioGoForms(t *testing.T) {
	data := testPayload(2*cs + 500)
	const line = "x-amz-checksum-crc32:sOO8/Q=="
	signed := func(between, after string) func([][]byte) [][]byte {
		return func(f [][]byte) [][]byte {
			final := string(f[3])
			amzDate := testNow.Format(amzDateForm)
			s := &chunkSigner{key: SigningKey(testSecret, amzDate[:8], testRegion, "s3"), amzDate: amzDate,
				scope: amzDate[:8] + "/" + testRegion + "/s3/aws4_request", prev: final[len("0;chunk-signature=") : len(final)-2]}
			return append(f[:4], []byte(line+"\n"+between+"x-amz-trailer-signature:"+s.trailerSig(line+"\n")+"\r\n"+after))
		}
	}
	unsigned := func(tail string) func([][]byte) [][]byte {
		return func(f [][]byte) [][]byte {
			b := bytes.TrimSuffix(f[0], []byte(line+"\r\n\r\n"))
			return [][]byte{append(bytes.Clone(b), line+tail...)}
		}
	}
	sSpec := streamSpec{mode: streamingSignedTrailer, chunkSize: cs, announce: "x-amz-checksum-crc32"}
	uSpec := streamSpec{mode: streamingUnsignedTrailer, chunkSize: cs, announce: "x-amz-checksum-crc32", trailers: []string{line}}
	for _, tc := range []struct {
		name    string
		sp      streamSpec
		mutate  func([][]byte) [][]byte
		wantErr error
	}{
		{"signed minio-go", sSpec, signed("\r\n", "\r\n"), nil},
		{"signed LF lines, no blank line", sSpec, signed("", "\r\n"), nil},
		{"signed two blank lines", sSpec, signed("\r\n\r\n", "\r\n"), ErrMalformedChunk},
		{"signed blank line, no signature", sSpec, func(f [][]byte) [][]byte { return append(f[:4], []byte(line+"\n\r\n\r\n")) }, ErrMalformedChunk},
		{"unsigned minio-go", uSpec, unsigned("\n\r\n\r\n"), nil},
		{"unsigned LF line", uSpec, unsigned("\n\r\n"), nil},
		{"unsigned three CRLFs", uSpec, unsigned("\n\r\n\r\n\r\n"), ErrMalformedChunk},
	} {
		res, err := newVerifier().Verify(streamingRequest(t, tc.sp, data, tc.mutate))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := io.ReadAll(res.Body)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("%s: read error %v, want %v", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, data) || trailerValue(res.Trailer()) != "sOO8/Q==" {
			t.Fatalf("%s: %v, trailer %v", tc.name, err, res.Trailer())
		}
	}
}
