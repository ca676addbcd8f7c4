package s3api

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/arcastore/arca/internal/batch"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/sse"
)

// The CopyObject a S3PutObjectCopy task sends: target, source (escaped, with its version),
// and the operation's settings as S3 headers.
func TestBatchCopyRequest(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		op          batch.CopyOperation
		task        batch.Task
		bucket, key string
		header      http.Header
	}{
		{"self-copy to SSE-KMS with a bucket key",
			batch.CopyOperation{TargetResource: "arn:aws:s3:::data", SSEAwsKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k", BucketKeyEnabled: true, MetadataDirective: "COPY"},
			batch.Task{Bucket: "data", Key: "a b/c+d", VersionID: "v1"}, "data", "a b/c+d",
			http.Header{"X-Amz-Copy-Source": {"data/a%20b/c+d?versionId=v1"}, "X-Amz-Server-Side-Encryption": {"aws:kms"},
				"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id":     {"arn:aws:kms:us-east-1:111122223333:key/k"},
				"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled": {"true"}, "X-Amz-Metadata-Directive": {"COPY"}}},
		{"to another bucket under a prefix, SSE-S3, replaced metadata and tags",
			batch.CopyOperation{TargetResource: "arn:aws:s3:::backup", TargetKeyPrefix: "2026", StorageClass: "STANDARD",
				MetadataDirective: "REPLACE", NewObjectMetadata: &batch.ObjectMetadata{SSEAlgorithm: "AES256", ContentType: "text/plain",
					UserMetadata: map[string]string{"owner": "ops"}}, NewObjectTagging: []batch.Tag{{Key: "k", Value: "v w"}},
				UnModifiedSinceConstraint: &at},
			batch.Task{Bucket: "data", Key: "x"}, "backup", "2026/x",
			http.Header{"X-Amz-Copy-Source": {"data/x"}, "X-Amz-Server-Side-Encryption": {"AES256"}, "X-Amz-Storage-Class": {"STANDARD"},
				"X-Amz-Metadata-Directive": {"REPLACE"}, "Content-Type": {"text/plain"}, "X-Amz-Meta-Owner": {"ops"},
				"X-Amz-Tagging-Directive": {"REPLACE"}, "X-Amz-Tagging": {"k=v+w"},
				"X-Amz-Copy-Source-If-Unmodified-Since": {"Fri, 02 Jan 2026 03:04:05 GMT"}}},
		{"a prefix ending in a slash", batch.CopyOperation{TargetKeyPrefix: "p/"}, batch.Task{Bucket: "b", Key: "k"}, "b", "p/k",
			http.Header{"X-Amz-Copy-Source": {"b/k"}}},
	} {
		c, err := copyRequest(&tc.op, tc.task)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.method != http.MethodPut || c.bucket != tc.bucket || c.key != tc.key || !reflect.DeepEqual(c.header, tc.header) {
			t.Errorf("%s: %s %s/%s %v\nwant %s/%s %v", tc.name, c.method, c.bucket, c.key, c.header, tc.bucket, tc.key, tc.header)
		}
	}
}

// The other operations' requests, and NotImplemented for an operation Arca does not run.
func TestBatchTaskRequest(t *testing.T) {
	task := batch.Task{Bucket: "b", Key: "k", VersionID: "v"}
	for _, tc := range []struct {
		op     batch.Operation
		method string
		query  string
		body   string
	}{
		{batch.Operation{S3PutObjectTagging: &batch.PutTaggingOperation{TagSet: []batch.Tag{{Key: "a", Value: "1"}}}}, "PUT", "tagging=&versionId=v",
			`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>`},
		{batch.Operation{S3DeleteObjectTagging: &batch.DeleteTaggingOperation{}}, "DELETE", "tagging=&versionId=v", ""},
		{batch.Operation{S3UpdateObjectEncryption: &batch.UpdateEncryptionOperation{ObjectEncryption: batch.ObjectEncryption{
			SSEKMS: &batch.UpdateSSEKMS{KMSKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k", BucketKeyEnabled: true}}}}, "PUT", "encryption=&versionId=v",
			`<ObjectEncryption xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><SSE-KMS><KMSKeyArn>arn:aws:kms:us-east-1:111122223333:key/k</KMSKeyArn><BucketKeyEnabled>true</BucketKeyEnabled></SSE-KMS></ObjectEncryption>`},
	} {
		c, err := taskRequest(&batch.Job{Operation: tc.op}, task)
		if err != nil {
			t.Fatalf("%s: %v", tc.op.Name(), err)
		}
		if c.method != tc.method || c.query.Encode() != tc.query || string(c.body) != tc.body || c.bucket != "b" || c.key != "k" {
			t.Errorf("%s: %s ?%s %s", tc.op.Name(), c.method, c.query.Encode(), c.body)
		}
	}
	if _, err := taskRequest(&batch.Job{}, task); err == nil {
		t.Error("a job without an operation made a request")
	}
}

// A generator sees each version's encryption as the engine stored it.
func TestBatchObjectInfo(t *testing.T) {
	for _, tc := range []struct {
		o    meta.Object
		want batch.ObjectInfo
	}{
		{meta.Object{Key: "a", IsLatest: true, Enc: &meta.Encryption{Mode: sse.ModeS3}}, batch.ObjectInfo{Key: "a", IsLatest: true, Encryption: batch.EncSSES3}},
		{meta.Object{Key: "b", VersionID: "v", Enc: &meta.Encryption{Mode: sse.ModeKMS, KMSKeyARN: "arn:k", BucketKey: true}},
			batch.ObjectInfo{Key: "b", VersionID: "v", Encryption: batch.EncSSEKMS, KMSKeyARN: "arn:k", BucketKey: true}},
		{meta.Object{Key: "c", IsLatest: true, Enc: &meta.Encryption{Mode: sse.ModeC}}, batch.ObjectInfo{Key: "c", IsLatest: true, Encryption: batch.EncSSEC}},
		{meta.Object{Key: "d"}, batch.ObjectInfo{Key: "d", VersionID: "null", Encryption: batch.EncNotSSE}},
		{meta.Object{Key: "e", DeleteMarker: true, IsLatest: true}, batch.ObjectInfo{Key: "e", DeleteMarker: true, IsLatest: true, Encryption: batch.EncNotSSE}},
	} {
		got := objectInfo(&tc.o)
		tc.want.StorageClass = "STANDARD"
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.o.Key, got, tc.want)
		}
	}
}

// A failed call's S3 error, from either error shape.
func TestBatchWireError(t *testing.T) {
	for _, tc := range []struct {
		status     int
		body, code string
	}{
		{403, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`, "AccessDenied"},
		{404, `<ErrorResponse><Error><Code>NotFoundException</Code><Message>m</Message></Error></ErrorResponse>`, "NotFoundException"},
		{503, ``, "Service Unavailable"},
	} {
		if e := wireError(tc.status, []byte(tc.body)); e.Code != tc.code || e.Status != tc.status {
			t.Errorf("%d %s: %+v", tc.status, tc.body, e)
		}
	}
}
