package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestTaggingAudit: the audit records of the tagging operations and of a conditional
// delete carry their parameters (x-amz-tagging, the tagging sub-resource, If-Match).
func TestTaggingAudit(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "tag-audit"
	mustCreateBucket(t, c, b)
	p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("x"), Tagging: aws.String("a=1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), Tagging: tagSet("b", "2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: tagSet("c", "3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String("k"), IfMatch: p.ETag}); err != nil {
		t.Fatal(err)
	}
	all := auditLookup(t, cloudTrailClient(srv.HTTPURL, testAccessKey, testSecretKey), "", "")
	wantFields(t, "PutObject", findRecord(all, "PutObject", nil), map[string]any{
		"requestParameters.x-amz-tagging": "a=1", "requestParameters.key": "k", "managementEvent": false})
	wantFields(t, "PutObjectTagging", findRecord(all, "PutObjectTagging", nil), map[string]any{
		"requestParameters.tagging": "", "requestParameters.key": "k", "readOnly": false, "managementEvent": false})
	wantFields(t, "PutBucketTagging", findRecord(all, "PutBucketTagging", nil), map[string]any{
		"requestParameters.tagging": "", "requestParameters.bucketName": b, "managementEvent": true})
	wantFields(t, "DeleteObject", findRecord(all, "DeleteObject", nil), map[string]any{
		"requestParameters.if-match": aws.ToString(p.ETag)})
}
