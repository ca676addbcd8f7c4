package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/arcastore/arca/internal/apierr"
	"github.com/arcastore/arca/internal/meta"
)

// Object and bucket tagging (docs/TAGGING.md). Tags are decoded and checked here, against
// S3's limits; the engine stores them in the version's record.

const (
	maxObjectTags = 10
	maxBucketTags = 50
	maxTagKey     = 128 // Unicode characters
	maxTagValue   = 256
	hTagging      = "x-amz-tagging"
)

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	TagSet  struct {
		Tags []tagXML `xml:"Tag"`
	} `xml:"TagSet"`
}

// tagChar: S3 allows letters, digits and spaces representable in UTF-8, and + - = . _ : / @.
func tagChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("+-=._:/@", r)
}

func validTagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !tagChar(r) {
			return false
		}
	}
	return true
}

// checkTags applies S3's tag rules to a tag set, in S3's order: the count, then each tag's
// key and value; duplicates are the caller's (their error differs by source).
func checkTags(tags []tagXML, max int) error {
	if len(tags) > max {
		if max == maxBucketTags {
			return apierr.InvalidTag.Msg("Bucket tag count cannot be greater than 50")
		}
		return apierr.BadRequest.Msg("Object tags cannot be greater than 10")
	}
	for _, t := range tags {
		switch {
		case utf8.RuneCountInString(t.Key) > maxTagKey:
			return apierr.InvalidTag.Msg("The TagKey you have provided is too long, max 128")
		case t.Key == "" || !validTagText(t.Key):
			return apierr.InvalidTag.Msg("The TagKey you have provided is invalid")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return apierr.InvalidTag.Msg("System tags cannot be added/updated by requester")
		case utf8.RuneCountInString(t.Value) > maxTagValue:
			return apierr.InvalidTag.Msg("The TagValue you have provided is too long, max 256")
		case !validTagText(t.Value):
			return apierr.InvalidTag.Msg("The TagValue you have provided is invalid")
		}
	}
	return nil
}

// tagMap turns a checked tag list into a map; a repeated key is dup.
func tagMap(tags []tagXML, dup error) (map[string]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if _, ok := m[t.Key]; ok {
			return nil, dup
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

// parseTaggingHeader reads x-amz-tagging: URL-query-encoded "k1=v1&k2=v2" ("" = no tags).
func parseTaggingHeader(v string) (map[string]string, error) {
	bad := apierr.InvalidArgument.Msg("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.").Arg(hTagging, v)
	if v == "" {
		return nil, nil
	}
	var tags []tagXML
	for _, pair := range strings.Split(v, "&") {
		if pair == "" {
			continue
		}
		k, val, _ := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil {
			return nil, bad
		}
		tags = append(tags, tagXML{dk, dv})
	}
	if err := checkTags(tags, maxObjectTags); err != nil {
		return nil, err
	}
	return tagMap(tags, bad)
}

// requestTags are the tags a write asks for in x-amz-tagging, once per request.
func (q *request) requestTags() (map[string]string, error) {
	return parseTaggingHeader(q.header(hcTagging))
}

// readTagging reads a Tagging body and checks it against max. The result is kept on q, so
// that authorization (s3:RequestObjectTag) and the handler read the body once.
func (q *request) readTagging(max int) (map[string]string, error) {
	if q.tagBody != nil {
		return q.tagBody.tags, q.tagBody.err
	}
	q.tagBody = &tagBody{}
	var t taggingXML
	err := readXML(q, &t)
	if errors.Is(err, io.EOF) {
		err = apierr.MalformedXML
	}
	if err == nil {
		err = checkTags(t.TagSet.Tags, max)
	}
	if err == nil {
		q.tagBody.tags, err = tagMap(t.TagSet.Tags, apierr.InvalidTag.Msg("Cannot provide multiple Tags with the same key"))
	}
	q.tagBody.err = err
	return q.tagBody.tags, err
}

// tagBody is a request's decoded Tagging body.
type tagBody struct {
	tags map[string]string
	err  error
}

func taggingResponse(tags map[string]string) taggingXML {
	out := taggingXML{NS: s3NS}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out.TagSet.Tags = append(out.TagSet.Tags, tagXML{k, tags[k]})
	}
	if out.TagSet.Tags == nil {
		out.TagSet.Tags = []tagXML{}
	}
	return out
}

// setTagCount states x-amz-tagging-count on GET/HEAD of a tagged version.
func setTagCount(h http.Header, o *meta.Object) {
	if len(o.Tags) > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(len(o.Tags)))
	}
}

func (a *API) putObjectTagging(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	tags, err := q.readTagging(maxObjectTags)
	if err != nil {
		return nil, err
	}
	got, err := a.objects.PutTags(q.ctx, q.bucket, q.key, vid, tags)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	setVersionHeader(resp.header, got, vid != "")
	q.versionID = wireVersion(got)
	return resp, nil
}

func (a *API) getObjectTagging(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	tags, got, err := a.objects.GetTags(q.ctx, q.bucket, q.key, vid)
	if err != nil {
		return nil, err
	}
	resp := newResponse()
	setVersionHeader(resp.header, got, vid != "")
	resp.xml = taggingResponse(tags)
	return resp, nil
}

func (a *API) deleteObjectTagging(q *request) (*response, error) {
	if err := checkKey(q.key); err != nil {
		return nil, err
	}
	vid, err := versionParam(q)
	if err != nil {
		return nil, err
	}
	got, err := a.objects.PutTags(q.ctx, q.bucket, q.key, vid, nil)
	if err != nil {
		return nil, err
	}
	resp := &response{status: http.StatusNoContent, header: http.Header{}}
	setVersionHeader(resp.header, got, vid != "")
	q.versionID = wireVersion(got)
	return resp, nil
}

func (a *API) putBucketTagging(q *request) (*response, error) {
	if _, err := a.meta.GetBucket(q.ctx, q.bucket); err != nil {
		return nil, err
	}
	tags, err := q.readTagging(maxBucketTags)
	if err != nil {
		return nil, err
	}
	if err := a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error { b.Tags = tags; return nil }); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}

func (a *API) getBucketTagging(q *request) (*response, error) {
	b, err := a.meta.GetBucket(q.ctx, q.bucket)
	if err != nil {
		return nil, err
	}
	if len(b.Tags) == 0 {
		return nil, apierr.NoSuchTagSet.With("BucketName", q.bucket)
	}
	resp := newResponse()
	resp.xml = taggingResponse(b.Tags)
	return resp, nil
}

func (a *API) deleteBucketTagging(q *request) (*response, error) {
	if err := a.meta.UpdateBucket(q.ctx, q.bucket, func(b *meta.Bucket) error { b.Tags = nil; return nil }); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent, header: http.Header{}}, nil
}
