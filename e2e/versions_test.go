package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// verHeader is the mode's SSE-C headers for a raw request (nil for other modes).
func verHeader(m sseMode) http.Header {
	if m.C != nil {
		return m.C.header()
	}
	return nil
}

func enableVersioning(t testing.TB, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	if _, err := c.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}}); err != nil {
		t.Fatalf("PutBucketVersioning %s: %v", status, err)
	}
}

// allVersions lists every version and delete marker of a bucket through paging, as
// "key@version" (markers suffixed with "#DM", latest with "*").
func allVersions(t testing.TB, c *s3.Client, bucket string, pageSize int32) []string {
	t.Helper()
	var out []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(pageSize)}
	for pages := 0; ; pages++ {
		res, err := c.ListObjectVersions(context.Background(), in)
		if err != nil {
			t.Fatalf("ListObjectVersions: %v", err)
		}
		// Versions and markers come in separate lists; merge them back in S3's order (key,
		// then newest first), which the markers of each page keep.
		type e struct {
			key, id string
			latest  bool
			dm      bool
			when    int64
		}
		var es []e
		for _, v := range res.Versions {
			es = append(es, e{*v.Key, *v.VersionId, aws.ToBool(v.IsLatest), false, v.LastModified.UnixNano()})
		}
		for _, m := range res.DeleteMarkers {
			es = append(es, e{*m.Key, *m.VersionId, aws.ToBool(m.IsLatest), true, m.LastModified.UnixNano()})
		}
		for i := 1; i < len(es); i++ { // stable insertion sort by key, then newest first
			for j := i; j > 0 && (es[j].key < es[j-1].key || es[j].key == es[j-1].key && es[j].when > es[j-1].when); j-- {
				es[j], es[j-1] = es[j-1], es[j]
			}
		}
		for _, x := range es {
			s := x.key + "@" + x.id
			if x.dm {
				s += "#DM"
			}
			if x.latest {
				s += "*"
			}
			out = append(out, s)
		}
		if !aws.ToBool(res.IsTruncated) {
			return out
		}
		if pages > 100000 {
			t.Fatal("ListObjectVersions never ends")
		}
		in.KeyMarker, in.VersionIdMarker = res.NextKeyMarker, res.NextVersionIdMarker
	}
}

// TestVersionsLifecycle: a key through Enabled and Suspended versioning, in every SSE mode:
// each version keeps its own bytes and encryption, delete markers hide and reveal, and the
// null version behaves as S3 defines it.
func TestVersionsLifecycle(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	kc := sseKMS(t, srv)
	keyID, _ := sseCreateKey(t, kc, "versions")
	modes := []sseMode{
		{Name: "s3", WantSSE: types.ServerSideEncryptionAes256},
		{Name: "kms", SSE: types.ServerSideEncryptionAwsKms, KeyID: keyID, WantSSE: types.ServerSideEncryptionAwsKms},
		{Name: "sse-c", C: &sseCK1},
	}
	for _, m := range modes {
		t.Run(m.Name, func(t *testing.T) {
			bucket := "ver-" + strings.ReplaceAll(m.Name, "_", "-")
			mustCreateBucket(t, c, bucket)
			if m.isC() {
				allowSSEC(t, c, bucket)
			}
			if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)}); err != nil || v.Status != "" {
				t.Fatalf("new bucket's versioning: %+v %v", v, err)
			}
			put := func(body string) string {
				in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader(body)}
				m.put(in)
				out, err := c.PutObject(ctx, in)
				if err != nil {
					t.Fatalf("PUT %s: %v", body, err)
				}
				return aws.ToString(out.VersionId)
			}
			get := func(vid string) (string, error) {
				in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")}
				if vid != "" {
					in.VersionId = aws.String(vid)
				}
				m.get(in)
				out, err := c.GetObject(ctx, in)
				if err != nil {
					return "", err
				}
				defer out.Body.Close()
				var b bytes.Buffer
				b.ReadFrom(out.Body)
				if vid != "" && aws.ToString(out.VersionId) != vid {
					t.Errorf("GET version %s answered version %s", vid, aws.ToString(out.VersionId))
				}
				return b.String(), nil
			}
			if v := put("null-1"); v != "" {
				t.Fatalf("unversioned PUT returned version %q", v)
			}
			enableVersioning(t, c, bucket, types.BucketVersioningStatusEnabled)
			v1 := put("one")
			v2 := put("two")
			if v1 == "" || v2 == "" || v1 == v2 {
				t.Fatalf("version ids %q %q", v1, v2)
			}
			for vid, want := range map[string]string{"": "two", v1: "one", v2: "two", "null": "null-1"} {
				if got, err := get(vid); err != nil || got != want {
					t.Errorf("GET version %q = %q, %v; want %q", vid, got, err, want)
				}
			}
			// A self-copy re-encrypts into a new version; the old ones stay readable.
			cin := &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"),
				CopySource: aws.String(bucket + "/k?versionId=" + v1), MetadataDirective: types.MetadataDirectiveReplace}
			m.copyDst(cin)
			m.copySrc(cin)
			cout, err := c.CopyObject(ctx, cin)
			if err != nil {
				t.Fatalf("copy of version 1: %v", err)
			}
			v3 := aws.ToString(cout.VersionId)
			if v3 == "" || aws.ToString(cout.CopySourceVersionId) != v1 {
				t.Fatalf("copy versions: new %q, source %q", v3, aws.ToString(cout.CopySourceVersionId))
			}
			if got, err := get(""); err != nil || got != "one" {
				t.Fatalf("latest after copying version 1: %q %v", got, err)
			}
			// A delete marker hides the key; GET of it answers 404 saying so.
			dout, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
			if err != nil || !aws.ToBool(dout.DeleteMarker) || aws.ToString(dout.VersionId) == "" {
				t.Fatalf("delete: %+v %v", dout, err)
			}
			dm := aws.ToString(dout.VersionId)
			resp := do(t, srv.HTTPSURL, rawReq{Method: http.MethodGet, Path: "/" + bucket + "/k", Header: verHeader(m)})
			wantXMLError(t, resp, 404, "NoSuchKey")
			if resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("x-amz-version-id") != dm {
				t.Errorf("GET under a marker: headers %v", resp.Header)
			}
			resp = do(t, srv.HTTPSURL, rawReq{Method: http.MethodGet, Path: "/" + bucket + "/k", Query: "versionId=" + dm, Header: verHeader(m)})
			wantXMLError(t, resp, 405, "MethodNotAllowed")
			if got, err := get(v2); err != nil || got != "two" {
				t.Errorf("old version under a marker: %q %v", got, err)
			}
			lo, _ := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
			if len(lo.Contents) != 0 {
				t.Errorf("ListObjectsV2 lists a deleted key: %d", len(lo.Contents))
			}
			want := []string{"k@" + dm + "#DM*", "k@" + v3, "k@" + v2, "k@" + v1, "k@null"}
			if got := allVersions(t, c, bucket, 1000); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("versions %v, want %v", got, want)
			}
			if got := allVersions(t, c, bucket, 1); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("versions one per page %v, want %v", got, want)
			}
			// Deleting the marker by id brings version 3 back.
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(dm)}); err != nil {
				t.Fatal(err)
			}
			if got, err := get(""); err != nil || got != "one" {
				t.Fatalf("after removing the marker: %q %v", got, err)
			}
			// Suspended: writes are the null version, replacing the old null version.
			enableVersioning(t, c, bucket, types.BucketVersioningStatusSuspended)
			put("null-2")
			if got, err := get("null"); err != nil || got != "null-2" {
				t.Errorf("null version after a suspended PUT: %q %v", got, err)
			}
			want = []string{"k@null*", "k@" + v3, "k@" + v2, "k@" + v1}
			if got := allVersions(t, c, bucket, 1000); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("suspended versions %v, want %v", got, want)
			}
			// Deleting every version empties the bucket.
			var ids []types.ObjectIdentifier
			for _, v := range []string{"null", v1, v2, v3} {
				ids = append(ids, types.ObjectIdentifier{Key: aws.String("k"), VersionId: aws.String(v)})
			}
			dres, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}},
				withSDKChecksums)
			if err != nil || len(dres.Errors) != 0 || len(dres.Deleted) != 4 {
				t.Fatalf("DeleteObjects of every version: %+v %v", dres, err)
			}
			if got := allVersions(t, c, bucket, 1000); len(got) != 0 {
				t.Errorf("left after deleting every version: %v", got)
			}
			if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Errorf("DeleteBucket of the emptied bucket: %v", err)
			}
		})
	}
}

// TestVersionsErrors: what S3 refuses around versions.
func TestVersionsErrors(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "ver-errors")
	enableVersioning(t, c, "ver-errors", types.BucketVersioningStatusEnabled)
	mustPut(t, c, "ver-errors", "k", []byte("x"))
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver-errors"), Key: aws.String("k"), VersionId: aws.String("not-a-version")})
	wantAPIError(t, err, "InvalidArgument", 400)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver-errors"), Key: aws.String("k"), VersionId: aws.String(strings.Repeat("0", 32))})
	wantAPIError(t, err, "NoSuchVersion", 404)
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver-errors"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NotImplemented" {
		t.Errorf("MFA delete: %v, want NotImplemented", err)
	}
	resp := do(t, srv.HTTPSURL, rawReq{Method: http.MethodPut, Path: "/ver-errors", Query: "versioning",
		Body: []byte(`<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>`)})
	wantXMLError(t, resp, 400, "MalformedXML")
}

// TestVersionsManyAndRace: 1,100 versions of one key page exactly, and 16 concurrent
// writers to a versioned key each get their own version.
func TestVersionsManyAndRace(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "ver-many")
	enableVersioning(t, c, "ver-many", types.BucketVersioningStatusEnabled)
	var mu sync.Mutex
	ids := map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1100/16+1; i++ {
				out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ver-many"), Key: aws.String("k"),
					Body: strings.NewReader(fmt.Sprint(w, i))})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ids[aws.ToString(out.VersionId)] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	got := allVersions(t, c, "ver-many", 1000)
	if len(got) != len(ids) || len(ids) != 16*(1100/16+1) {
		t.Fatalf("%d versions listed, %d distinct ids written", len(got), len(ids))
	}
	for i, v := range got {
		id := strings.TrimSuffix(strings.TrimPrefix(v, "k@"), "*")
		if !ids[id] || (i == 0) != strings.HasSuffix(v, "*") {
			t.Fatalf("listed %s at %d", v, i)
		}
	}
	paged := allVersions(t, c, "ver-many", 333)
	if fmt.Sprint(paged) != fmt.Sprint(got) {
		t.Fatal("pages of 333 differ from pages of 1000")
	}
}
