package s3api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
)

func parseMaxKeys(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, apierr.InvalidArgument.Msg("Provided max-keys not an integer or within integer range").Arg("max-keys", v)
	}
	if n > 1000 {
		n = 1000
	}
	return n, nil
}

// encodeURL applies encoding-type=url to a key or prefix: S3 percent-encodes like a form
// value but with spaces as %20 and '/' left alone... in practice clients decode with
// url.QueryUnescape, so form encoding is what matters.
func encodeURL(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

func (a *API) list(q *request, opt meta.ListOptions, urlEnc bool) (listBucketResult, error) {
	res, err := a.objects.List(q.ctx, q.bucket, opt)
	if err != nil {
		return listBucketResult{}, err
	}
	enc := func(s string) string { return s }
	if urlEnc {
		enc = encodeURL
	}
	// max-keys=0 asks for nothing and S3 answers it complete (IsTruncated false, no marker
	// to go on from), whatever the bucket holds.
	out := listBucketResult{NS: s3NS, Name: q.bucket, Prefix: enc(opt.Prefix), MaxKeys: opt.MaxKeys,
		Delimiter: enc(opt.Delimiter), IsTruncated: res.IsTruncated && opt.MaxKeys > 0}
	if urlEnc {
		out.EncodingType = "url"
	}
	for _, o := range res.Objects {
		e := listEntry{Key: enc(o.Key), LastModified: s3Time(o.LastModified), ETag: quote(o.ETag),
			Size: o.Size, StorageClass: "STANDARD"}
		if o.Checksum != nil {
			e.ChecksumAlgorithm, e.ChecksumType = o.Checksum.Algorithm, o.Checksum.Type
		}
		out.Contents = append(out.Contents, e)
	}
	for _, p := range res.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{enc(p)})
	}
	if out.IsTruncated {
		out.NextMarker = res.Next
	}
	return out, nil
}

func (a *API) listObjectsV1(q *request) (*response, error) {
	max, err := parseMaxKeys(q.qget("max-keys"), 1000)
	if err != nil {
		return nil, err
	}
	urlEnc, err := encodingType(q)
	if err != nil {
		return nil, err
	}
	marker := q.qget("marker")
	out, err := a.list(q, meta.ListOptions{Prefix: q.qget("prefix"), Delimiter: q.qget("delimiter"),
		After: marker, MaxKeys: max}, urlEnc)
	if err != nil {
		return nil, err
	}
	if urlEnc {
		marker = encodeURL(marker)
	}
	out.Marker = &marker
	if out.Delimiter == "" {
		out.NextMarker = "" // S3 sends NextMarker only when a delimiter is given
	} else if urlEnc {
		out.NextMarker = encodeURL(out.NextMarker)
	}
	if owner := a.bucketOwner(q); true {
		for i := range out.Contents {
			out.Contents[i].Owner = &owner
		}
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}

func encodingType(q *request) (bool, error) {
	switch et := q.qget("encoding-type"); et {
	case "":
		return false, nil
	case "url":
		return true, nil
	default:
		return false, apierr.InvalidArgument.Msg("Invalid Encoding Method specified in Request").Arg("encoding-type", et)
	}
}

func (a *API) listObjectsV2(q *request) (*response, error) {
	max, err := parseMaxKeys(q.qget("max-keys"), 1000)
	if err != nil {
		return nil, err
	}
	urlEnc, err := encodingType(q)
	if err != nil {
		return nil, err
	}
	after := q.qget("start-after")
	token := q.qget("continuation-token")
	if q.qhas("continuation-token") {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || token == "" {
			return nil, apierr.InvalidArgument.Msg("The continuation token provided is incorrect").Arg("continuation-token", token)
		}
		if string(raw) > after {
			after = string(raw)
		}
	}
	out, err := a.list(q, meta.ListOptions{Prefix: q.qget("prefix"), Delimiter: q.qget("delimiter"),
		After: after, MaxKeys: max}, urlEnc)
	if err != nil {
		return nil, err
	}
	if out.IsTruncated {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(out.NextMarker))
	}
	out.NextMarker = ""
	out.ContinuationToken = token
	out.StartAfter = q.qget("start-after")
	if urlEnc {
		out.StartAfter = encodeURL(out.StartAfter)
	}
	n := len(out.Contents) + len(out.CommonPrefixes)
	out.KeyCount = &n
	if q.qget("fetch-owner") == "true" {
		owner := a.bucketOwner(q)
		for i := range out.Contents {
			out.Contents[i].Owner = &owner
		}
	}
	resp := newResponse()
	resp.xml = out
	return resp, nil
}
