package e2e

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listKeys is the fixture for the listing tests, in S3's (byte-wise) order.
var listKeys = []string{"a/1", "a/2", "a/b/3", "a/b/4", "b/5", "c", "d/", "e+f", "z"}

func keysOf(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	return out
}

func prefixesOf(cps []types.CommonPrefix) []string {
	var out []string
	for _, p := range cps {
		out = append(out, aws.ToString(p.Prefix))
	}
	return out
}

func putKeys(t testing.TB, c *s3.Client, bucket string, keys []string, workers int) {
	t.Helper()
	ch := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ch {
				if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(k),
					Body: strings.NewReader(k)}); err != nil {
					t.Errorf("PutObject %s: %v", k, err)
				}
			}
		}()
	}
	for _, k := range keys {
		ch <- k
	}
	close(ch)
	wg.Wait()
}

var listV2Tests = []struct {
	name       string
	in         s3.ListObjectsV2Input
	keys       []string
	prefixes   []string
	truncated  bool
	startAfter string // expected StartAfter echo
}{
	{name: "all", keys: listKeys},
	{name: "prefix", in: s3.ListObjectsV2Input{Prefix: aws.String("a/")}, keys: []string{"a/1", "a/2", "a/b/3", "a/b/4"}},
	{name: "prefix-no-match", in: s3.ListObjectsV2Input{Prefix: aws.String("nothing")}},
	{name: "delimiter", in: s3.ListObjectsV2Input{Delimiter: aws.String("/")},
		keys: []string{"c", "e+f", "z"}, prefixes: []string{"a/", "b/", "d/"}},
	{name: "prefix+delimiter", in: s3.ListObjectsV2Input{Prefix: aws.String("a/"), Delimiter: aws.String("/")},
		keys: []string{"a/1", "a/2"}, prefixes: []string{"a/b/"}},
	{name: "prefix-is-a-key", in: s3.ListObjectsV2Input{Prefix: aws.String("d/"), Delimiter: aws.String("/")},
		keys: []string{"d/"}},
	{name: "other-delimiter", in: s3.ListObjectsV2Input{Delimiter: aws.String("b")},
		keys: []string{"a/1", "a/2", "c", "d/", "e+f", "z"}, prefixes: []string{"a/b", "b"}},
	{name: "max-keys", in: s3.ListObjectsV2Input{MaxKeys: aws.Int32(2)}, keys: []string{"a/1", "a/2"}, truncated: true},
	// Common prefixes count against max-keys.
	{name: "max-keys+delimiter", in: s3.ListObjectsV2Input{MaxKeys: aws.Int32(2), Delimiter: aws.String("/")},
		prefixes: []string{"a/", "b/"}, truncated: true},
	{name: "start-after", in: s3.ListObjectsV2Input{StartAfter: aws.String("a/b/3")},
		keys: []string{"a/b/4", "b/5", "c", "d/", "e+f", "z"}, startAfter: "a/b/3"},
	{name: "start-after-not-a-key", in: s3.ListObjectsV2Input{StartAfter: aws.String("b")},
		keys: []string{"b/5", "c", "d/", "e+f", "z"}, startAfter: "b"},
	{name: "start-after+prefix", in: s3.ListObjectsV2Input{StartAfter: aws.String("a/1"), Prefix: aws.String("a/")},
		keys: []string{"a/2", "a/b/3", "a/b/4"}, startAfter: "a/1"},
	{name: "start-after-past-end", in: s3.ListObjectsV2Input{StartAfter: aws.String("zz")}, startAfter: "zz"},
}

// TestListObjectsV2: prefix, delimiter, max-keys, start-after and continuation tokens.
func TestListObjectsV2(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "list")
	putKeys(t, c, "list", listKeys, 4)
	for _, tc := range listV2Tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String("list")
			out, err := c.ListObjectsV2(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(keysOf(out.Contents)) != fmt.Sprint(tc.keys) {
				t.Errorf("keys %q, want %q", keysOf(out.Contents), tc.keys)
			}
			if fmt.Sprint(prefixesOf(out.CommonPrefixes)) != fmt.Sprint(tc.prefixes) {
				t.Errorf("common prefixes %q, want %q", prefixesOf(out.CommonPrefixes), tc.prefixes)
			}
			if aws.ToBool(out.IsTruncated) != tc.truncated {
				t.Errorf("IsTruncated %v, want %v", aws.ToBool(out.IsTruncated), tc.truncated)
			}
			if tc.truncated != (aws.ToString(out.NextContinuationToken) != "") {
				t.Errorf("NextContinuationToken %q with IsTruncated %v", aws.ToString(out.NextContinuationToken), tc.truncated)
			}
			if got := int(aws.ToInt32(out.KeyCount)); got != len(tc.keys)+len(tc.prefixes) {
				t.Errorf("KeyCount %d, want %d", got, len(tc.keys)+len(tc.prefixes))
			}
			if aws.ToString(out.Prefix) != aws.ToString(tc.in.Prefix) || aws.ToString(out.Delimiter) != aws.ToString(tc.in.Delimiter) {
				t.Errorf("echoed Prefix %q Delimiter %q", aws.ToString(out.Prefix), aws.ToString(out.Delimiter))
			}
			if aws.ToString(out.StartAfter) != tc.startAfter {
				t.Errorf("echoed StartAfter %q, want %q", aws.ToString(out.StartAfter), tc.startAfter)
			}
			wantMax := int32(1000)
			if tc.in.MaxKeys != nil {
				wantMax = *tc.in.MaxKeys
			}
			if aws.ToInt32(out.MaxKeys) != wantMax {
				t.Errorf("MaxKeys %d, want %d", aws.ToInt32(out.MaxKeys), wantMax)
			}
			for _, o := range out.Contents {
				if o.Owner != nil {
					t.Errorf("ListObjectsV2 without fetch-owner returned an Owner for %s", aws.ToString(o.Key))
				}
				k := aws.ToString(o.Key)
				if aws.ToInt64(o.Size) != int64(len(k)) || aws.ToString(o.ETag) != quotedMD5([]byte(k)) ||
					o.LastModified == nil || o.StorageClass != types.ObjectStorageClassStandard {
					t.Errorf("entry %s: size %d ETag %s LastModified %v StorageClass %q", k, aws.ToInt64(o.Size),
						aws.ToString(o.ETag), o.LastModified, o.StorageClass)
				}
			}
		})
	}
	// Paging by hand through the whole listing with every page size, with and without a
	// delimiter: every entry exactly once, in order.
	for _, delim := range []string{"", "/"} {
		for size := int32(1); size <= 4; size++ {
			t.Run(fmt.Sprintf("pages/delim=%q/max=%d", delim, size), func(t *testing.T) {
				var all []string
				var token *string
				for page := 0; ; page++ {
					if page > 20 {
						t.Fatal("too many pages")
					}
					in := &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(size), ContinuationToken: token}
					if delim != "" {
						in.Delimiter = aws.String(delim)
					}
					out, err := c.ListObjectsV2(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					if n := len(out.Contents) + len(out.CommonPrefixes); n > int(size) {
						t.Errorf("page %d: %d entries, max-keys %d", page, n, size)
					}
					if aws.ToString(out.ContinuationToken) != aws.ToString(token) {
						t.Errorf("page %d: echoed ContinuationToken %q, want %q", page, aws.ToString(out.ContinuationToken), aws.ToString(token))
					}
					ents := append(keysOf(out.Contents), prefixesOf(out.CommonPrefixes)...)
					sort.Strings(ents)
					all = append(all, ents...)
					if !aws.ToBool(out.IsTruncated) {
						break
					}
					token = out.NextContinuationToken
				}
				want := listKeys
				if delim == "/" {
					want = []string{"a/", "b/", "c", "d/", "e+f", "z"}
				}
				if fmt.Sprint(all) != fmt.Sprint(want) {
					t.Errorf("paged listing %q, want %q", all, want)
				}
			})
		}
	}
	t.Run("fetch-owner", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), FetchOwner: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			if o.Owner == nil || aws.ToString(o.Owner.ID) == "" {
				t.Errorf("fetch-owner=true: %s has no Owner ID", aws.ToString(o.Key))
			}
		}
	})
	t.Run("bad-continuation-token", func(t *testing.T) {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("not a token")})
		wantAPIError(t, err, "InvalidArgument", 400)
	})
}

// TestListObjectsV1: marker, NextMarker (only with a delimiter), max-keys.
func TestListObjectsV1(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	mustCreateBucket(t, c, "list")
	putKeys(t, c, "list", listKeys, 4)
	tests := []struct {
		name                string
		in                  s3.ListObjectsInput
		keys, prefixes      []string
		truncated           bool
		nextMarker          string
		wantMarkerEcho      string
		wantPrefixEchoEmpty bool
	}{
		{name: "all", keys: listKeys},
		{name: "marker", in: s3.ListObjectsInput{Marker: aws.String("c")}, keys: []string{"d/", "e+f", "z"}, wantMarkerEcho: "c"},
		{name: "prefix+delimiter", in: s3.ListObjectsInput{Prefix: aws.String("a/"), Delimiter: aws.String("/")},
			keys: []string{"a/1", "a/2"}, prefixes: []string{"a/b/"}},
		{name: "max-keys", in: s3.ListObjectsInput{MaxKeys: aws.Int32(3)}, keys: []string{"a/1", "a/2", "a/b/3"}, truncated: true},
		{name: "max-keys+delimiter", in: s3.ListObjectsInput{MaxKeys: aws.Int32(3), Delimiter: aws.String("/")},
			keys: []string{"c"}, prefixes: []string{"a/", "b/"}, truncated: true, nextMarker: "c"},
		{name: "max-keys+delimiter-ends-on-prefix", in: s3.ListObjectsInput{MaxKeys: aws.Int32(2), Delimiter: aws.String("/")},
			prefixes: []string{"a/", "b/"}, truncated: true, nextMarker: "b/"},
		{name: "marker+delimiter", in: s3.ListObjectsInput{Marker: aws.String("b/"), Delimiter: aws.String("/")},
			keys: []string{"c", "e+f", "z"}, prefixes: []string{"d/"}, wantMarkerEcho: "b/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket = aws.String("list")
			out, err := c.ListObjects(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(keysOf(out.Contents)) != fmt.Sprint(tc.keys) {
				t.Errorf("keys %q, want %q", keysOf(out.Contents), tc.keys)
			}
			if fmt.Sprint(prefixesOf(out.CommonPrefixes)) != fmt.Sprint(tc.prefixes) {
				t.Errorf("common prefixes %q, want %q", prefixesOf(out.CommonPrefixes), tc.prefixes)
			}
			if aws.ToBool(out.IsTruncated) != tc.truncated {
				t.Errorf("IsTruncated %v, want %v", aws.ToBool(out.IsTruncated), tc.truncated)
			}
			if aws.ToString(out.NextMarker) != tc.nextMarker {
				t.Errorf("NextMarker %q, want %q", aws.ToString(out.NextMarker), tc.nextMarker)
			}
			if aws.ToString(out.Marker) != tc.wantMarkerEcho {
				t.Errorf("Marker echo %q, want %q", aws.ToString(out.Marker), tc.wantMarkerEcho)
			}
			for _, o := range out.Contents {
				if o.Owner == nil || aws.ToString(o.Owner.ID) == "" {
					t.Errorf("ListObjects (V1) entry %s has no Owner ID", aws.ToString(o.Key))
				}
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		// Without a delimiter there is no NextMarker: the client continues from the last key.
		var all []string
		marker := ""
		for page := 0; page < 20; page++ {
			out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list"), MaxKeys: aws.Int32(2), Marker: aws.String(marker)})
			if err != nil {
				t.Fatal(err)
			}
			ks := keysOf(out.Contents)
			all = append(all, ks...)
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			marker = ks[len(ks)-1]
		}
		if fmt.Sprint(all) != fmt.Sprint(listKeys) {
			t.Errorf("paged V1 listing %q, want %q", all, listKeys)
		}
	})
}

// TestListPaginate2500: 2,500 keys through the SDK paginators (V2, and V1 by marker):
// every key exactly once, in order, in pages of at most 1,000.
func TestListPaginate2500(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "many")
	var want []string
	for i := 0; i < 2500; i++ {
		want = append(want, fmt.Sprintf("dir%d/key-%05d", i%3, i))
	}
	sort.Strings(want)
	putKeys(t, c, "many", want, 16)
	if t.Failed() {
		t.FailNow()
	}
	for _, tc := range []struct {
		name     string
		maxKeys  *int32
		maxPage  int
		numPages int
	}{
		{"default-page", nil, 1000, 3},
		{"page-333", aws.Int32(333), 333, 8},
		{"max-keys-above-1000", aws.Int32(5000), 1000, 3},
	} {
		t.Run("v2/"+tc.name, func(t *testing.T) {
			p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("many"), MaxKeys: tc.maxKeys})
			var got []string
			pages := 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(out.Contents) > tc.maxPage {
					t.Errorf("page %d has %d keys, max %d", pages, len(out.Contents), tc.maxPage)
				}
				got = append(got, keysOf(out.Contents)...)
			}
			if pages != tc.numPages {
				t.Errorf("%d pages, want %d", pages, tc.numPages)
			}
			if len(got) != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("paginated %d keys, want the %d put, in order", len(got), len(want))
			}
		})
	}
	t.Run("v1-marker", func(t *testing.T) {
		var got []string
		marker := ""
		for page := 0; page < 10; page++ {
			out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("many"), Marker: aws.String(marker)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Contents) > 1000 {
				t.Errorf("V1 page of %d keys", len(out.Contents))
			}
			got = append(got, keysOf(out.Contents)...)
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			marker = got[len(got)-1]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("V1 paginated %d keys, want the %d put, in order", len(got), len(want))
		}
	})
	t.Run("delimiter-pages", func(t *testing.T) {
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("many"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
		var got []string
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, prefixesOf(out.CommonPrefixes)...)
			got = append(got, keysOf(out.Contents)...)
		}
		if fmt.Sprint(got) != "[dir0/ dir1/ dir2/]" {
			t.Errorf("delimited pages %q, want [dir0/ dir1/ dir2/]", got)
		}
	})
}

// TestListEncodingURL: with encoding-type=url, S3 URL-encodes Key, Prefix, Delimiter,
// StartAfter and CommonPrefixes; aws-sdk-go-v2 hands them over still encoded, so the test
// decodes them (as the SDK's users must). Keys with control characters can only be listed
// this way.
func TestListEncodingURL(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "enc")
	keys := []string{"sp ace/ünï cödé.txt", "sp ace/plus+sign", "sp ace/pct%20literal", "sp ace/amp&eq=?", "sp ace/sub dir/x", "ctrl/bell\x07", "ctrl/tab\tkey"}
	putKeys(t, c, "enc", keys, 4)
	dec := func(t *testing.T, s *string) string {
		t.Helper()
		v, err := url.QueryUnescape(aws.ToString(s))
		if err != nil {
			t.Errorf("%q is not URL-encoded: %v", aws.ToString(s), err)
		}
		return v
	}
	t.Run("v2", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("enc"), EncodingType: types.EncodingTypeUrl,
			Prefix: aws.String("sp ace/"), Delimiter: aws.String("/"), StartAfter: aws.String("sp ace/a")})
		if err != nil {
			t.Fatal(err)
		}
		if out.EncodingType != types.EncodingTypeUrl {
			t.Errorf("EncodingType %q, want url", out.EncodingType)
		}
		var got []string
		for _, o := range out.Contents {
			got = append(got, dec(t, o.Key))
			if strings.ContainsAny(aws.ToString(o.Key), " ") {
				t.Errorf("key %q not encoded", aws.ToString(o.Key))
			}
		}
		want := []string{"sp ace/amp&eq=?", "sp ace/pct%20literal", "sp ace/plus+sign", "sp ace/ünï cödé.txt"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("decoded keys %q, want %q", got, want)
		}
		if p := out.CommonPrefixes; len(p) != 1 || dec(t, p[0].Prefix) != "sp ace/sub dir/" {
			t.Errorf("common prefixes %q, want [sp ace/sub dir/]", prefixesOf(p))
		}
		if dec(t, out.Prefix) != "sp ace/" || dec(t, out.StartAfter) != "sp ace/a" || dec(t, out.Delimiter) != "/" {
			t.Errorf("echoed Prefix %q StartAfter %q Delimiter %q", aws.ToString(out.Prefix), aws.ToString(out.StartAfter), aws.ToString(out.Delimiter))
		}
	})
	t.Run("control-characters", func(t *testing.T) {
		for _, list := range []func() ([]types.Object, error){
			func() ([]types.Object, error) {
				out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("enc"), EncodingType: types.EncodingTypeUrl, Prefix: aws.String("ctrl/")})
				if err != nil {
					return nil, err
				}
				return out.Contents, nil
			},
			func() ([]types.Object, error) {
				out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("enc"), EncodingType: types.EncodingTypeUrl, Prefix: aws.String("ctrl/")})
				if err != nil {
					return nil, err
				}
				return out.Contents, nil
			},
		} {
			objs, err := list()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, dec(t, o.Key))
			}
			if fmt.Sprint(got) != fmt.Sprint([]string{"ctrl/bell\x07", "ctrl/tab\tkey"}) {
				t.Errorf("decoded keys %q", got)
			}
		}
	})
	t.Run("v1", func(t *testing.T) {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("enc"), EncodingType: types.EncodingTypeUrl,
			Prefix: aws.String("sp ace/"), Marker: aws.String("sp ace/amp&eq=?")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range out.Contents {
			got = append(got, dec(t, o.Key))
		}
		want := []string{"sp ace/pct%20literal", "sp ace/plus+sign", "sp ace/sub dir/x", "sp ace/ünï cödé.txt"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("decoded keys %q, want %q", got, want)
		}
		if dec(t, out.Marker) != "sp ace/amp&eq=?" {
			t.Errorf("Marker echo %q", aws.ToString(out.Marker))
		}
	})
	t.Run("unencoded", func(t *testing.T) {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("enc"), Prefix: aws.String("sp ace/")})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"sp ace/amp&eq=?", "sp ace/pct%20literal", "sp ace/plus+sign", "sp ace/sub dir/x", "sp ace/ünï cödé.txt"}
		if fmt.Sprint(keysOf(out.Contents)) != fmt.Sprint(want) {
			t.Errorf("keys %q, want %q", keysOf(out.Contents), want)
		}
	})
}

// TestBuckets: ListBuckets, HeadBucket, GetBucketLocation, DeleteBucket, CreateBucket's
// name rules and re-creation.
func TestBuckets(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPSURL)
	names := []string{"zeta-bucket", "alpha-bucket", "mid.bucket.name", "abc", strings.Repeat("x", 63), "0numeric-start"}
	for _, n := range names {
		mustCreateBucket(t, c, n)
	}
	t.Run("list", func(t *testing.T) {
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
			if b.CreationDate == nil || time.Since(*b.CreationDate) > time.Minute {
				t.Errorf("bucket %s: CreationDate %v", aws.ToString(b.Name), b.CreationDate)
			}
		}
		want := sortedCopy(names)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ListBuckets %q, want %q (sorted)", got, want)
		}
		if out.Owner == nil || aws.ToString(out.Owner.ID) == "" {
			t.Errorf("ListBuckets Owner %+v, want an ID", out.Owner)
		}
	})
	t.Run("head", func(t *testing.T) {
		if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha-bucket")}); err != nil {
			t.Errorf("HeadBucket: %v", err)
		}
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
		wantAPIError(t, err, "", 404)
	})
	t.Run("location", func(t *testing.T) {
		out, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha-bucket")})
		if err != nil {
			t.Fatal(err)
		}
		// us-east-1 is the empty LocationConstraint.
		if out.LocationConstraint != "" {
			t.Errorf("LocationConstraint %q, want empty (us-east-1)", out.LocationConstraint)
		}
	})
	t.Run("recreate", func(t *testing.T) {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha-bucket")})
		wantAPIError(t, err, "BucketAlreadyOwnedByYou", 409)
	})
	t.Run("delete-not-empty", func(t *testing.T) {
		mustPut(t, c, "zeta-bucket", "obj", []byte("x"))
		_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("zeta-bucket")})
		wantAPIError(t, err, "BucketNotEmpty", 409)
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("zeta-bucket"), Key: aws.String("obj")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("zeta-bucket")}); err != nil {
			t.Fatalf("DeleteBucket of the emptied bucket: %v", err)
		}
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("zeta-bucket")})
		wantAPIError(t, err, "", 404)
		_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("zeta-bucket")})
		wantAPIError(t, err, "NoSuchBucket", 404)
		// The name is free again.
		mustCreateBucket(t, c, "zeta-bucket")
	})
	for _, name := range []string{"ab", "UPPER", "Mixed-case", "a..b", "192.168.1.1", "-abc", "abc-", ".abc", "abc.",
		"abc_def", strings.Repeat("x", 64), "xn--abc", "abc-s3alias"} {
		t.Run("invalid-name/"+name, func(t *testing.T) {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
			wantAPIError(t, err, "InvalidBucketName", 400)
		})
	}
}

// TestNoSuchBucket: object and bucket operations on a bucket that does not exist.
func TestNoSuchBucket(t *testing.T) {
	t.Parallel()
	srv := StartServer(t)
	ctx := context.Background()
	c := sdk(t, srv, srv.HTTPURL)
	mustCreateBucket(t, c, "exists")
	mustPut(t, c, "exists", "k", []byte("x"))
	b, k := aws.String("missing-bucket"), aws.String("k")
	ops := []struct {
		name string
		call func() error
	}{
		{"PutObject", func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("x")})
			return err
		}},
		{"GetObject", func() error { _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k}); return err }},
		{"DeleteObject", func() error { _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k}); return err }},
		{"ListObjectsV2", func() error { _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b}); return err }},
		{"ListObjects", func() error { _, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b}); return err }},
		{"DeleteBucket", func() error { _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); return err }},
		{"GetBucketLocation", func() error {
			_, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
			return err
		}},
		{"CreateMultipartUpload", func() error {
			_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
			return err
		}},
		{"ListMultipartUploads", func() error {
			_, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
			return err
		}},
		{"DeleteObjects", func() error {
			_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: k}}}})
			return err
		}},
		{"CopyObject-to-missing", func() error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: k, CopySource: aws.String("exists/k")})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			wantAPIError(t, op.call(), "NoSuchBucket", 404)
		})
	}
	t.Run("HeadObject", func(t *testing.T) {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k})
		wantAPIError(t, err, "", 404)
	})
}
