package sigv4

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The real S3 client against a server that runs Verify, over HTTP and TLS
// (over TLS the client streams uploads as STREAMING-UNSIGNED-PAYLOAD-TRAILER
// with a checksum trailer).
func TestS3Client(t *testing.T) {
	ctx := context.Background()
	v := newVerifier()
	v.Now = nil // the client signs with the real clock
	for _, tls := range []bool{false, true} {
		ts := newTestServer(t, v, tls)
		cfg := aws.Config{
			Region:           testRegion,
			Credentials:      aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return testCreds, nil }),
			HTTPClient:       ts.Client(),
			RetryMaxAttempts: 1,
			// What config.LoadDefaultConfig resolves to by default.
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		}
		client := s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(ts.URL)
			o.UsePathStyle = true
		})
		expect := func(op string, err error, check func(outcome)) {
			t.Helper()
			o := <-ts.out
			if err != nil || o.err != nil || o.bodyErr != nil {
				t.Fatalf("tls=%v %s: client %v, verify %v, body %v", tls, op, err, o.err, o.bodyErr)
			}
			if check != nil {
				check(o)
			}
		}
		data := testPayload(100000)
		for _, key := range testKeys {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: bytes.NewReader(data)})
			expect("put "+key, err, func(o outcome) {
				if !bytes.Equal(o.body, data) {
					t.Fatalf("put %q: body differs (%d bytes)", key, len(o.body))
				}
				if tls && (o.res.Payload != PayloadStreamingUnsignedTrailer || len(o.trailer) == 0) {
					t.Fatalf("tls put %q: mode %v trailer %v", key, o.res.Payload, o.trailer)
				}
			})
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Range: aws.String("bytes=0-4")})
			if err == nil {
				io.Copy(io.Discard, out.Body)
				out.Body.Close()
			}
			expect("get "+key, err, nil)
			_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
			expect("delete "+key, err, nil)
		}
		_, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Prefix: aws.String("a b/ü+~*=%&?#"), Delimiter: aws.String("/")})
		expect("list", err, nil)

		// An upload of unknown length.
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("stream"), Body: io.MultiReader(bytes.NewReader(data))})
		if err == nil || len(ts.out) > 0 {
			expect("put unknown length", err, func(o outcome) {
				if !bytes.Equal(o.body, data) || o.res.ContentLength != -1 || trailerValue(o.trailer) == "" {
					t.Fatalf("tls=%v unknown-length put: mode %v len %d trailer %v", tls, o.res.Payload, o.res.ContentLength, o.trailer)
				}
			})
		} else {
			t.Logf("tls=%v unknown-length put refused by the client: %v", tls, err)
		}

		ps := s3.NewPresignClient(client)
		req, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("ünï code+=.txt")})
		if err != nil {
			t.Fatal(err)
		}
		hreq, _ := http.NewRequest(req.Method, req.URL, nil)
		hreq.Header = req.SignedHeader.Clone()
		resp, err := ts.Client().Do(hreq)
		if err == nil {
			resp.Body.Close()
		}
		expect("presigned get", err, func(o outcome) {
			if o.res.Method != AuthQuery {
				t.Fatalf("%+v", o.res)
			}
		})
	}
}
