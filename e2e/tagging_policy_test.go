package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestTaggingPolicy: a bucket policy keyed on s3:ExistingObjectTag (reads follow the
// object's tags at the time of the request), s3:RequestObjectTag (on x-amz-tagging) and
// s3:RequestObjectTagKeys (on the PutObjectTagging body) allows and denies a second IAM
// user; the root is unaffected.
func TestTaggingPolicy(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	rootIAM := iamClient(srv.HTTPURL, testAccessKey, testSecretKey)
	bob := authzUser(t, rootIAM, "bob", authzAllow(`["s3:GetObject","s3:PutObject","s3:PutObjectTagging","s3:GetObjectTagging"]`, `"*"`))
	root := sdk(t, srv, srv.HTTPURL)
	bc := authzS3(t, srv.HTTPURL, bob)
	b := "tag-policy"
	mustCreateBucket(t, root, b)
	res := `"arn:aws:s3:::` + b + `/*"`
	who := `{"AWS":"` + bob.ARN + `"}`
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Deny","Principal":` + who + `,"Action":["s3:GetObject","s3:GetObjectTagging"],"Resource":` + res + `,
	  "Condition":{"StringNotEquals":{"s3:ExistingObjectTag/class":"public"}}},
	 {"Effect":"Deny","Principal":` + who + `,"Action":"s3:PutObject","Resource":` + res + `,
	  "Condition":{"StringNotEquals":{"s3:RequestObjectTag/team":"blue"}}},
	 {"Effect":"Deny","Principal":` + who + `,"Action":"s3:PutObjectTagging","Resource":` + res + `,
	  "Condition":{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":"secret"}}}]}`
	if _, err := root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(policy)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	for key, class := range map[string]string{"pub": "public", "priv": "private"} {
		if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: strings.NewReader(key),
			Tagging: aws.String("class=" + class)}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(key string) error {
		out, err := bc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	wantOK(t, "GET of a public-tagged object", get("pub"))
	wantS3Denied(t, "GET of a private-tagged object", get("priv"), "")
	_, err := bc.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("priv")})
	wantS3Denied(t, "GetObjectTagging of a private-tagged object", err, "")
	// Retagging by the root changes the decision at once.
	if _, err := root.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("priv"), Tagging: tagSet("class", "public")}); err != nil {
		t.Fatal(err)
	}
	wantOK(t, "GET after retagging public", get("priv"))

	_, err = bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("new"), Body: strings.NewReader("x"), Tagging: aws.String("team=blue")})
	wantOK(t, "PUT tagged team=blue", err)
	_, err = bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("new"), Body: strings.NewReader("x"), Tagging: aws.String("team=red")})
	wantS3Denied(t, "PUT tagged team=red", err, "")
	_, err = bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("new"), Body: strings.NewReader("x")})
	wantS3Denied(t, "PUT without tags", err, "")

	_, err = bc.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("new"), Tagging: tagSet("class", "public", "secret", "1")})
	wantS3Denied(t, "PutObjectTagging with a secret key", err, "")
	_, err = bc.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("new"), Tagging: tagSet("class", "public")})
	wantOK(t, "PutObjectTagging without a secret key", err)
	if got := getTags(t, root, b, "new", ""); got != "class=public" {
		t.Errorf("tags after bob's PutObjectTagging: %q", got)
	}
	// The root is not named by the policy.
	wantOK(t, "root PUT without tags", func() error {
		_, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("r"), Body: strings.NewReader("x")})
		return err
	}())
}
