package e2e

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// tagString renders a tag set as "k=v,k=v" sorted by key.
func tagString(tags []types.Tag) string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func getTags(t testing.TB, c *s3.Client, bucket, key, vid string) string {
	t.Helper()
	in := &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObjectTagging(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObjectTagging %s %s: %v", key, vid, err)
	}
	if vid != "" && aws.ToString(out.VersionId) != vid {
		t.Errorf("GetObjectTagging %s: version %q, want %q", key, aws.ToString(out.VersionId), vid)
	}
	return tagString(out.TagSet)
}

func tagSet(kv ...string) *types.Tagging {
	tg := &types.Tagging{TagSet: []types.Tag{}}
	for i := 0; i+1 < len(kv); i += 2 {
		tg.TagSet = append(tg.TagSet, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return tg
}

// TestTaggingWritePaths: tags through PUT (x-amz-tagging), CopyObject (COPY and REPLACE),
// multipart uploads and PutObjectTagging of one version; x-amz-tagging-count on GET/HEAD;
// DeleteObjectTagging; a delete marker has no tags.
func TestTaggingWritePaths(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "tags"
	mustCreateBucket(t, c, b)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("src"), Body: strings.NewReader("hello"),
		Tagging: aws.String("a=1&b=two%20words&empty=")}); err != nil {
		t.Fatalf("PutObject with tags: %v", err)
	}
	if got := getTags(t, c, b, "src", ""); got != "a=1,b=two words,empty=" {
		t.Errorf("tags of PUT: %q", got)
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	if aws.ToInt32(g.TagCount) != 3 {
		t.Errorf("GET x-amz-tagging-count = %v, want 3", aws.ToInt32(g.TagCount))
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(h.TagCount) != 0 {
		// HeadObject's output has no TagCount in the model; check the raw header instead.
		t.Logf("HEAD TagCount %v", h.TagCount)
	}
	raw := do(t, srv.HTTPURL, rawReq{Method: "HEAD", Path: "/" + b + "/src"})
	if v := raw.Header.Get("x-amz-tagging-count"); v != "3" {
		t.Errorf("HEAD x-amz-tagging-count = %q, want 3", v)
	}

	// CopyObject: COPY (the default) keeps the source's tags, REPLACE takes the request's.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy"), CopySource: aws.String(b + "/src"),
		Tagging: aws.String("ignored=1")}); err != nil {
		t.Fatalf("CopyObject COPY: %v", err)
	}
	if got := getTags(t, c, b, "copy", ""); got != "a=1,b=two words,empty=" {
		t.Errorf("tags of a COPY copy: %q", got)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("replaced"), CopySource: aws.String(b + "/src"),
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("c=3")}); err != nil {
		t.Fatalf("CopyObject REPLACE: %v", err)
	}
	if got := getTags(t, c, b, "replaced", ""); got != "c=3" {
		t.Errorf("tags of a REPLACE copy: %q", got)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("cleared"), CopySource: aws.String(b + "/src"),
		TaggingDirective: types.TaggingDirectiveReplace}); err != nil {
		t.Fatalf("CopyObject REPLACE without tags: %v", err)
	}
	if got := getTags(t, c, b, "cleared", ""); got != "" {
		t.Errorf("tags of a REPLACE copy without x-amz-tagging: %q", got)
	}
	raw = do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/" + b + "/bad", Header: map[string][]string{
		"X-Amz-Copy-Source": {"/" + b + "/src"}, "X-Amz-Tagging-Directive": {"MERGE"}}})
	wantXMLError(t, raw, 400, "InvalidArgument")

	// Multipart: the tags given at creation land on the completed object.
	cu, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp"), Tagging: aws.String("m=1&n=2")})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: cu.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: cu.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: up.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if got := getTags(t, c, b, "mp", ""); got != "m=1,n=2" {
		t.Errorf("tags of a multipart object: %q", got)
	}

	// Versions: PutObjectTagging of an old version changes that version only.
	vb := "tags-versioned"
	mustCreateBucket(t, c, vb)
	enableVersioning(t, c, vb, types.BucketVersioningStatusEnabled)
	v1, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(vb), Key: aws.String("k"), Body: strings.NewReader("one"), Tagging: aws.String("v=1")})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(vb), Key: aws.String("k"), Body: strings.NewReader("two"), Tagging: aws.String("v=2")})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(vb), Key: aws.String("k"), VersionId: v1.VersionId,
		Tagging: tagSet("v", "one", "x", "y")})
	if err != nil {
		t.Fatalf("PutObjectTagging of v1: %v", err)
	}
	if aws.ToString(pt.VersionId) != aws.ToString(v1.VersionId) {
		t.Errorf("PutObjectTagging answered version %q, want %q", aws.ToString(pt.VersionId), aws.ToString(v1.VersionId))
	}
	if got := getTags(t, c, vb, "k", aws.ToString(v1.VersionId)); got != "v=one,x=y" {
		t.Errorf("v1's tags: %q", got)
	}
	if got := getTags(t, c, vb, "k", ""); got != "v=2" {
		t.Errorf("current version's tags: %q", got)
	}
	if got := allVersions(t, c, vb, 100); len(got) != 2 || !strings.Contains(got[0], aws.ToString(v2.VersionId)+"*") {
		t.Errorf("tagging changed the versions: %v", got)
	}
	// The version's data and ETag are untouched.
	body, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(vb), Key: aws.String("k"), VersionId: v1.VersionId})
	if string(body) != "one" {
		t.Errorf("v1 after tagging: %q", body)
	}
	dt, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(vb), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("DeleteObjectTagging: %v", err)
	}
	if aws.ToString(dt.VersionId) != aws.ToString(v2.VersionId) {
		t.Errorf("DeleteObjectTagging answered version %q", aws.ToString(dt.VersionId))
	}
	if got := getTags(t, c, vb, "k", ""); got != "" {
		t.Errorf("tags after DeleteObjectTagging: %q", got)
	}
	raw = do(t, srv.HTTPURL, rawReq{Method: "HEAD", Path: "/" + vb + "/k"})
	if v := raw.Header.Get("x-amz-tagging-count"); v != "" {
		t.Errorf("x-amz-tagging-count of an untagged object: %q", v)
	}
	// A delete marker has no tags: 404 as current version, 405 by id.
	dm, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(vb), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(vb), Key: aws.String("k")})
	wantAPIError(t, err, "NoSuchKey", 404)
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(vb), Key: aws.String("k"), VersionId: dm.VersionId, Tagging: tagSet("a", "b")})
	wantAPIError(t, err, "MethodNotAllowed", 405)
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("nothing")})
	wantAPIError(t, err, "NoSuchKey", 404)
}

// TestTaggingLimits: S3's limits on object and bucket tags and their errors.
func TestTaggingLimits(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	b := "tag-limits"
	mustCreateBucket(t, c, b)
	mustPut(t, c, b, "k", []byte("x"))
	many := func(n int) []string {
		var kv []string
		for i := 0; i < n; i++ {
			kv = append(kv, fmt.Sprintf("k%d", i), "v")
		}
		return kv
	}
	var limitTests = []struct {
		name   string
		tags   []string
		code   string
		status int
	}{
		{"ten tags", many(10), "", 0},
		{"eleven tags", many(11), "BadRequest", 400},
		{"key of 128 characters", []string{strings.Repeat("é", 128), "v"}, "", 0},
		{"key of 129 characters", []string{strings.Repeat("k", 129), "v"}, "InvalidTag", 400},
		{"value of 256 characters", []string{"k", strings.Repeat("ü", 256)}, "", 0},
		{"value of 257 characters", []string{"k", strings.Repeat("v", 257)}, "InvalidTag", 400},
		{"empty key", []string{"", "v"}, "InvalidTag", 400},
		{"duplicate keys", []string{"k", "1", "k", "2"}, "InvalidTag", 400},
		{"aws: prefix", []string{"aws:owner", "me"}, "InvalidTag", 400},
		{"invalid character", []string{"k", "a<b"}, "InvalidTag", 400},
		{"allowed punctuation", []string{"a+-=._:/@ b", "c+-=._:/@ d"}, "", 0},
	}
	for _, tc := range limitTests {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("k"), Tagging: tagSet(tc.tags...)})
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		wantAPIError(t, err, tc.code, tc.status)
	}
	// The header has the same limits; its duplicates are InvalidArgument.
	var hdr []string
	for i := 0; i < 11; i++ {
		hdr = append(hdr, fmt.Sprintf("k%d=v", i))
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("h"), Body: strings.NewReader("x"), Tagging: aws.String(strings.Join(hdr, "&"))})
	wantAPIError(t, err, "BadRequest", 400)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("h"), Body: strings.NewReader("x"), Tagging: aws.String("a=1&a=2")})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("h"), Body: strings.NewReader("x"), Tagging: aws.String("aws%3Ax=1")})
	wantAPIError(t, err, "InvalidTag", 400)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("h")})
	wantAPIError(t, err, "NotFound", 404)
	raw := do(t, srv.HTTPURL, rawReq{Method: "PUT", Path: "/" + b + "/k", Query: "tagging", Body: []byte("<Tagging><TagSet><Tag>"),
		Header: map[string][]string{"Content-Md5": {md5B64([]byte("<Tagging><TagSet><Tag>"))}}})
	wantXMLError(t, raw, 400, "MalformedXML")

	// Bucket tagging.
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	wantAPIError(t, err, "NoSuchTagSet", 404)
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: tagSet("team", "blue", "cost", "42")}); err != nil {
		t.Fatalf("PutBucketTagging: %v", err)
	}
	bt, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	if err != nil || tagString(bt.TagSet) != "cost=42,team=blue" {
		t.Errorf("GetBucketTagging: %v %v", tagString(bt.TagSet), err)
	}
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: tagSet("a", "1", "a", "2")})
	wantAPIError(t, err, "InvalidTag", 400)
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: tagSet(many(51)...)})
	wantAPIError(t, err, "InvalidTag", 400)
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(b)}); err != nil {
		t.Fatalf("DeleteBucketTagging: %v", err)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	wantAPIError(t, err, "NoSuchTagSet", 404)
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("no-such-bucket")})
	wantAPIError(t, err, "NoSuchBucket", 404)
}

// TestTaggingCLI: one round trip with the aws CLI.
func TestTaggingCLI(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	srv := StartServer(t)
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "tag-cli")
	mustPut(t, c, "tag-cli", "doc", []byte("cli"))
	srv.AWS(t, srv.HTTPURL, false, "s3api", "put-object-tagging", "--bucket", "tag-cli", "--key", "doc",
		"--tagging", `{"TagSet":[{"Key":"project","Value":"arca"}]}`)
	out := srv.AWS(t, srv.HTTPURL, false, "s3api", "get-object-tagging", "--bucket", "tag-cli", "--key", "doc")
	if !strings.Contains(out, `"project"`) || !strings.Contains(out, `"arca"`) {
		t.Errorf("get-object-tagging: %s", out)
	}
	srv.AWS(t, srv.HTTPURL, false, "s3api", "delete-object-tagging", "--bucket", "tag-cli", "--key", "doc")
	if got := getTags(t, c, "tag-cli", "doc", ""); got != "" {
		t.Errorf("after delete-object-tagging: %q", got)
	}
}

func md5B64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}
