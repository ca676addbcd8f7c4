package e2e

// Server limits against slow and numerous clients (docs/LIMITS.md): the idle timeout, the
// cap on requests in flight, and the part-count limit of CompleteMultipartUpload.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// CompleteMultipartUpload takes part numbers from 1 to 10,000 in ascending order, so a list
// of more than 10,000 parts is refused with InvalidArgument before any part is looked up
// (it was answered InvalidPart for the first part not uploaded), and so is a part number
// below 1 (it was InvalidPartOrder).
func TestMultipartCompleteTooManyParts(t *testing.T) {
	srv := StartServer(t)
	c := srv.S3(srv.HTTPURL, func(o *s3.Options) { o.Retryer = aws.NopRetryer{} })
	ctx := context.Background()
	mustCreateBucket(t, c, "parts")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("parts"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part one")})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(parts []types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("k"),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}

	parts := make([]types.CompletedPart, 10001)
	for i := range parts {
		parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(`"0123456789abcdef0123456789abcdef"`)}
	}
	parts[0].ETag = part.ETag
	err = complete(parts)
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	if err != nil && !strings.Contains(err.Error(), "Part number must be an integer between 1 and 10000, inclusive") {
		t.Errorf("10,001 parts: %v", err)
	}

	err = complete([]types.CompletedPart{{PartNumber: aws.Int32(0), ETag: part.ETag}})
	wantAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	if err != nil && !strings.Contains(err.Error(), "PartNumber must be >= 1") {
		t.Errorf("part number 0: %v", err)
	}

	// The upload is untouched: completing it properly works.
	if err := complete([]types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}); err != nil {
		t.Fatalf("a valid complete after the refused ones: %v", err)
	}
}
