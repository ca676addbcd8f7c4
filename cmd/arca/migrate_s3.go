package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/arcastore/arca/internal/migrate"
)

// s3Source is a bucket (and prefix) of any S3 endpoint as a migration source.
type s3Source struct {
	c              *s3.Client
	bucket, prefix string
}

var _ migrate.Source = (*s3Source)(nil)

func (s *s3Source) Name() string { return "s3://" + s.bucket + "/" + s.prefix }

func (s *s3Source) Walk(ctx context.Context, versions bool, fn func([]migrate.Object) error) error {
	if versions {
		return s.walkVersions(ctx, fn)
	}
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: nonEmpty(s.prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if err := fn([]migrate.Object{{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size),
				ETag: aws.ToString(o.ETag), LastModified: aws.ToTime(o.LastModified)}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkVersions lists every version and delete marker and hands each key's over oldest
// first (migrate.OrderVersions). The SDK splits a page into versions and markers, so the
// page's own order is read from its XML (versionOrder).
func (s *s3Source) walkVersions(ctx context.Context, fn func([]migrate.Object) error) error {
	var pending []migrate.Listed
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		objs := migrate.OrderVersions(pending)
		pending = pending[:0]
		return fn(objs)
	}
	pageBase := 0
	p := s3.NewListObjectVersionsPaginator(s.c, &s3.ListObjectVersionsInput{Bucket: &s.bucket, Prefix: nonEmpty(s.prefix)})
	for p.HasMorePages() {
		var order versionOrder
		page, err := p.NextPage(ctx, order.option)
		if err != nil {
			return err
		}
		seq := func(key, version string) int {
			if i, ok := order.pos[[2]string{key, version}]; ok {
				return pageBase + i
			}
			return -1
		}
		var ents []migrate.Listed
		for _, v := range page.Versions {
			k, id := aws.ToString(v.Key), aws.ToString(v.VersionId)
			ents = append(ents, migrate.Listed{Object: migrate.Object{Key: k, VersionID: id, Size: aws.ToInt64(v.Size),
				ETag: aws.ToString(v.ETag), LastModified: aws.ToTime(v.LastModified)}, IsLatest: aws.ToBool(v.IsLatest), Seq: seq(k, id)})
		}
		for _, m := range page.DeleteMarkers {
			k, id := aws.ToString(m.Key), aws.ToString(m.VersionId)
			ents = append(ents, migrate.Listed{Object: migrate.Object{Key: k, VersionID: id, DeleteMarker: true,
				ETag: "delete-marker", LastModified: aws.ToTime(m.LastModified)}, IsLatest: aws.ToBool(m.IsLatest), Seq: seq(k, id)})
		}
		pageBase += len(ents)
		sort.SliceStable(ents, func(i, k int) bool { return ents[i].Key < ents[k].Key })
		for _, e := range ents {
			if len(pending) > 0 && pending[0].Key != e.Key {
				if err := flush(); err != nil {
					return err
				}
			}
			pending = append(pending, e)
		}
	}
	return flush()
}

func (s *s3Source) Open(ctx context.Context, o migrate.Object) (io.ReadCloser, migrate.Meta, error) {
	in := &s3.GetObjectInput{Bucket: &s.bucket, Key: &o.Key, ChecksumMode: types.ChecksumModeEnabled}
	if o.VersionID != "" {
		in.VersionId = &o.VersionID
	}
	out, err := s.c.GetObject(ctx, in)
	if err != nil {
		return nil, migrate.Meta{}, err
	}
	m := migrate.Meta{
		ContentType: aws.ToString(out.ContentType), ContentEncoding: aws.ToString(out.ContentEncoding),
		ContentDisposition: aws.ToString(out.ContentDisposition), ContentLanguage: aws.ToString(out.ContentLanguage),
		CacheControl: aws.ToString(out.CacheControl), Expires: aws.ToString(out.ExpiresString),
		Metadata: out.Metadata, Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag),
	}
	m.PlainMD5 = migrate.IsPlainMD5(m.ETag) && out.SSECustomerAlgorithm == nil &&
		!strings.HasPrefix(string(out.ServerSideEncryption), "aws:kms")
	if aws.ToInt32(out.TagCount) > 0 {
		tin := &s3.GetObjectTaggingInput{Bucket: &s.bucket, Key: &o.Key}
		if o.VersionID != "" {
			tin.VersionId = &o.VersionID
		}
		tags, err := s.c.GetObjectTagging(ctx, tin)
		if err != nil {
			out.Body.Close()
			return nil, migrate.Meta{}, err
		}
		v := url.Values{}
		for _, t := range tags.TagSet {
			v.Add(aws.ToString(t.Key), aws.ToString(t.Value))
		}
		m.Tagging = v.Encode()
	}
	return out.Body, m, nil
}

// s3Dest is the Arca bucket (and prefix) a migration writes to, with the SSE to ask for.
type s3Dest struct {
	c         *s3.Client
	bucket    string
	sse       types.ServerSideEncryption
	kmsKeyID  string
	bucketKey bool
}

var _ migrate.Dest = (*s3Dest)(nil)

func (d *s3Dest) Stat(ctx context.Context, key, versionID string) (migrate.Stat, error) {
	in := &s3.HeadObjectInput{Bucket: &d.bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := d.c.HeadObject(ctx, in)
	if err != nil {
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
			return migrate.Stat{}, migrate.ErrNotFound
		}
		return migrate.Stat{}, err
	}
	return migrate.Stat{Size: aws.ToInt64(out.ContentLength), CRC64NVME: aws.ToString(out.ChecksumCRC64NVME)}, nil
}

// writeHeaders is what every write of a copy carries: the kept headers, metadata, tags
// and the SSE asked for.
type writeHeaders struct {
	ct, ce, cd, cl, cc, tagging, kmsKey *string
	exp                                 *time.Time
	md                                  map[string]string
	sse                                 types.ServerSideEncryption
	bk                                  *bool
}

func (d *s3Dest) headers(m migrate.Meta) writeHeaders {
	h := writeHeaders{ct: nonEmpty(m.ContentType), ce: nonEmpty(m.ContentEncoding), cd: nonEmpty(m.ContentDisposition),
		cl: nonEmpty(m.ContentLanguage), cc: nonEmpty(m.CacheControl), tagging: nonEmpty(m.Tagging),
		kmsKey: nonEmpty(d.kmsKeyID), sse: d.sse}
	if m.Expires != "" {
		if t, err := http.ParseTime(m.Expires); err == nil {
			h.exp = &t
		}
	}
	if len(m.Metadata) > 0 {
		h.md = m.Metadata
	}
	if d.bucketKey {
		h.bk = aws.Bool(true)
	}
	return h
}

func (d *s3Dest) Put(ctx context.Context, key string, m migrate.Meta, body []byte, crc string) (string, error) {
	h := d.headers(m)
	out, err := d.c.PutObject(ctx, &s3.PutObjectInput{Bucket: &d.bucket, Key: &key, Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: h.ct, ContentEncoding: h.ce, ContentDisposition: h.cd,
		ContentLanguage: h.cl, CacheControl: h.cc, Expires: h.exp, Metadata: h.md, Tagging: h.tagging,
		ServerSideEncryption: h.sse, SSEKMSKeyId: h.kmsKey, BucketKeyEnabled: h.bk, ChecksumCRC64NVME: &crc})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.VersionId), nil
}

func (d *s3Dest) Create(ctx context.Context, key string, m migrate.Meta) (migrate.Upload, error) {
	h := d.headers(m)
	out, err := d.c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &d.bucket, Key: &key,
		ContentType: h.ct, ContentEncoding: h.ce, ContentDisposition: h.cd, ContentLanguage: h.cl, CacheControl: h.cc,
		Expires: h.exp, Metadata: h.md, Tagging: h.tagging, ServerSideEncryption: h.sse, SSEKMSKeyId: h.kmsKey,
		BucketKeyEnabled: h.bk, ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme, ChecksumType: types.ChecksumTypeFullObject})
	if err != nil {
		return nil, err
	}
	return &s3Upload{d: d, key: key, id: aws.ToString(out.UploadId)}, nil
}

func (d *s3Dest) Delete(ctx context.Context, key, versionID string) error {
	in := &s3.DeleteObjectInput{Bucket: &d.bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	_, err := d.c.DeleteObject(ctx, in)
	return err
}

func (d *s3Dest) MarkDeleted(ctx context.Context, key string) (string, error) {
	out, err := d.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &d.bucket, Key: &key})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.VersionId), nil
}

type s3Upload struct {
	d       *s3Dest
	key, id string
	mu      sync.Mutex
	parts   []types.CompletedPart // parts may finish out of order
}

func (u *s3Upload) Part(ctx context.Context, n int, body []byte, crc string) error {
	out, err := u.d.c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &u.d.bucket, Key: &u.key, UploadId: &u.id,
		PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
		ChecksumCRC64NVME: &crc})
	if err != nil {
		return err
	}
	u.mu.Lock()
	u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(int32(n)), ETag: out.ETag, ChecksumCRC64NVME: &crc})
	u.mu.Unlock()
	return nil
}

func (u *s3Upload) Complete(ctx context.Context, crc string) (string, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	sort.Slice(u.parts, func(i, k int) bool { return *u.parts[i].PartNumber < *u.parts[k].PartNumber })
	out, err := u.d.c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &u.d.bucket, Key: &u.key,
		UploadId: &u.id, MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts},
		ChecksumCRC64NVME: &crc, ChecksumType: types.ChecksumTypeFullObject})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.VersionId), nil
}

func (u *s3Upload) Abort(ctx context.Context) error {
	_, err := u.d.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &u.d.bucket, Key: &u.key, UploadId: &u.id})
	return err
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
