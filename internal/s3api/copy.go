package s3api

import (
	"net/url"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
	"github.com/arcastore/arca/internal/object"
)

// parseCopySource reads x-amz-copy-source: "[/]bucket/key[?versionId=…]", URL-encoded.
func parseCopySource(v string) (bucket, key string, err error) {
	bucket, key, _, err = parseCopySourceVersion(v)
	return bucket, key, err
}

// parseCopySourceVersion is parseCopySource with the version id ("" = the current one).
func parseCopySourceVersion(v string) (bucket, key, versionID string, err error) {
	bad := apierr.InvalidArgument.Msg("Copy Source must mention the source bucket and key: sourcebucket/sourcekey").Arg("x-amz-copy-source", v)
	src := strings.TrimPrefix(v, "/")
	if i := strings.Index(src, "?"); i >= 0 {
		qv, perr := url.ParseQuery(src[i+1:])
		if perr != nil {
			return "", "", "", bad
		}
		if versionID = qv.Get("versionId"); versionID != "" {
			if !meta.ValidVersionID(versionID) {
				return "", "", "", apierr.InvalidArgument.Msg("Invalid version id specified").Arg("x-amz-copy-source", v)
			}
		}
		src = src[:i]
	}
	dec, perr := url.PathUnescape(src)
	if perr != nil {
		return "", "", "", bad
	}
	bucket, key, ok := strings.Cut(dec, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", "", bad
	}
	if err := checkKey(key); err != nil {
		return "", "", "", err
	}
	return bucket, key, versionID, nil
}

// copySource resolves and authorizes the copy source, and describes it to the engine with
// its x-amz-copy-source-if-* conditions and -customer-* SSE-C values.
func (a *API) copySource(q *request) (object.CopySource, error) {
	b, k, vid, err := parseCopySourceVersion(q.header("x-amz-copy-source"))
	if err != nil {
		return object.CopySource{}, err
	}
	action := "s3:GetObject"
	if vid != "" {
		action = "s3:GetObjectVersion"
	}
	if err := a.authorizeOn(q, b, action, objectARN(b, k)); err != nil {
		return object.CopySource{}, err
	}
	if err := a.checkExpectedOwner(q, hSourceExpectedBucketOwner, b); err != nil {
		return object.CopySource{}, err
	}
	return object.CopySource{Bucket: b, Key: k, VersionID: vid, CustomerKey: customerKey(q, copySource),
		Conditions: readConditions(q.r.Header, "x-amz-copy-source-")}, nil
}

func (a *API) copyObject(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	directive := strings.ToUpper(q.header("x-amz-metadata-directive"))
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return nil, apierr.InvalidArgument.Msg("Unknown metadata directive.").Arg("x-amz-metadata-directive", q.header("x-amz-metadata-directive"))
	}
	tagDirective := strings.ToUpper(q.header("x-amz-tagging-directive"))
	if tagDirective != "" && tagDirective != "COPY" && tagDirective != "REPLACE" {
		return nil, apierr.InvalidArgument.Msg("Unknown tagging directive.").Arg("x-amz-tagging-directive", q.header("x-amz-tagging-directive"))
	}
	tags, err := q.requestTags()
	if err != nil {
		return nil, err
	}
	sw, err := parseSSEWrite(q)
	if err != nil {
		return nil, err
	}
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	in := object.CopyInput{ReplaceTags: tagDirective == "REPLACE", Bucket: q.bucket, Key: q.key, ReplaceMetadata: directive == "REPLACE", SSE: sw, KMS: a.kmsFor(q),
		ChecksumAlgorithm: q.header("x-amz-checksum-algorithm"), Cond: writeConditions(q.r.Header),
		OtherChange: q.header("x-amz-storage-class") != "" || q.header("x-amz-website-redirect-location") != ""}
	if in.ReplaceMetadata {
		if err := readObjectHeaders(q.r.Header, &in.Template); err != nil {
			return nil, err
		}
	}
	in.Template.Tags = tags
	if in.Template.ACL, err = a.objectWriteACL(q, &b); err != nil {
		return nil, err
	}
	if err := a.readLock(q, &in.Retention, &in.LegalHold); err != nil {
		return nil, err
	}
	if in.Source, err = a.copySource(q); err != nil {
		return nil, err
	}
	o, err := a.objects.Copy(q.ctx, in)
	if err != nil {
		return nil, err
	}
	res := copyObjectResult{NS: s3NS, LastModified: s3Time(o.LastModified), ETag: quote(o.ETag)}
	res.set(o.Checksum.Algorithm, o.Checksum.Value)
	resp := newResponse()
	writeEncryptionResponse(resp.header, o.Enc)
	setVersionHeader(resp.header, o.VersionID, false)
	if in.Source.VersionID != "" {
		resp.header.Set("x-amz-copy-source-version-id", in.Source.VersionID)
	}
	q.enc, q.versionID = o.Enc, wireVersion(o.VersionID)
	resp.xml = res
	return resp, nil
}
